// posfleet server: the terminal filter shared by the terminal list, bulk
// policy edits and deployments by filter, so one filter means the same
// terminals on every page of the console.
//
// Parameters (all optional): q (serial prefix or merchant name), model,
// version, group, mode (auto|manual|never), state (idle|scheduled|running|
// success|failed|canceled), online (true|false: seen within three poll
// intervals, at least a minute), merchant (id), pending (a release version:
// terminals assigned it that do not run it yet), offset, limit (1-1000,
// default 50), organisation (an id: its subtree).
#pragma once

#include <boost/json/fwd.hpp>

#include <map>
#include <string>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/organisations.h"

namespace posfleet::api {

// kInvalidArgument names the parameter that is wrong and what it may be. Only terminals of
// `scope` (the caller's subtree) are asked for; `organisation` (an id) narrows that to one
// organisation's subtree, kNotFound for one outside it.
Expected<store::TerminalQuery> terminal_query(domain::Context& ctx, const domain::Scope& scope,
                                              const std::map<std::string, std::string>& params);
// The same from a JSON object of strings (a request body's "filter"). Here an
// unknown field is refused (a typo must not widen a bulk change to the fleet),
// and so is a filter without any condition: bulk changes name what they touch.
Expected<store::TerminalQuery> terminal_query(domain::Context& ctx, const domain::Scope& scope,
                                              const boost::json::object& filter);

// One row of the list: the terminal with its merchant, effective mode and update state.
// `merchant_shown`: false for a merchant outside the caller's subtree (no id, no name).
boost::json::object terminal_row_json(const store::TerminalRow& r, bool merchant_shown = true);

}  // namespace posfleet::api

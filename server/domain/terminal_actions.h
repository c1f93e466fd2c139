// posfleet server: remote actions on a terminal (docs/diagnostics.md): staff ask a terminal to
// collect its logs or to reboot, each with a reason, audited. The poll lists the pending ones;
// the terminal reports each done or failed, and for logs uploads a bundle of at most
// kMaxBundleBytes, scrubbed of card numbers and resident IDs on the terminal and again here
// (core/scrub.h), which staff download (the download audited too).
// Thread-safety: stateless functions over the store.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/organisations.h"
#include "server/store/terminal_actions_store.h"

namespace posfleet::domain {

inline constexpr std::size_t kMaxBundleBytes = 256 * 1024;
inline constexpr std::int64_t kMaxPendingActions = 10;

// Asks terminal `serial` of the scope to do `kind` (logs | reboot). Audited.
Expected<store::TerminalActionRecord> request_action(Context& ctx, const Scope& scope,
                                                     const std::string& serial,
                                                     const std::string& kind,
                                                     const std::string& reason, const Actor& who);
// A terminal's actions, newest first (its page).
Expected<std::vector<store::TerminalActionRecord>> actions_of(Context& ctx, const Scope& scope,
                                                              const std::string& serial);
// The bundle of action `id` of terminal `serial` (kNotFound when none). Audited.
Expected<std::string> download_bundle(Context& ctx, const Scope& scope, const std::string& serial,
                                      std::int64_t id, const Actor& who);

// The poll: the terminal's pending actions, oldest first.
Expected<std::vector<store::TerminalActionRecord>> pending_actions(Context& ctx,
                                                                   const store::TerminalRecord& t);
// The terminal reports action `id` done or failed with a line of detail.
Status action_finished(Context& ctx, const store::TerminalRecord& t, std::int64_t id, bool done,
                       const std::string& detail);
// The terminal uploads the bundle of its pending logs action `id` (which is then done).
Status bundle_uploaded(Context& ctx, const store::TerminalRecord& t, std::int64_t id,
                       const std::string& bundle);

}  // namespace posfleet::domain

#include "server/api/terminal_filter.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>
#include <tuple>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/api/api_common.h"
#include "server/domain/terminal_view.h"
#include "server/domain/terminals.h"

namespace posfleet::api {

namespace bj = boost::json;

namespace {

Expected<std::int64_t> number(const std::map<std::string, std::string>& p, const std::string& name,
                              std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
  auto it = p.find(name);
  if (it == p.end() || it->second.empty()) return fallback;
  std::int64_t v = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9' || v > hi)
      return make_error(Code::kInvalidArgument, name + " must be a whole number from " +
                                                    std::to_string(lo) + " to " +
                                                    std::to_string(hi));
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi)
    return make_error(Code::kInvalidArgument, name + " must be a whole number from " +
                                                  std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

std::string get(const std::map<std::string, std::string>& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? std::string() : it->second;
}

}  // namespace

Expected<store::TerminalQuery> terminal_query(domain::Context& ctx, const domain::Scope& scope,
                                              const std::map<std::string, std::string>& params) {
  static const std::set<std::string> kModes = {"auto", "manual", "never"};
  store::TerminalQuery q;
  q.text = get(params, "q");
  q.model = get(params, "model");
  q.version = get(params, "version");
  q.group = get(params, "group");
  q.mode = get(params, "mode");
  q.pending = get(params, "pending");
  q.text = std::string(text::trim(q.text));
  for (auto [name, value, max] : {std::tuple{"q", &q.text, limits::kSearchChars},
                                  {"model", &q.model, limits::kModelChars},
                                  {"version", &q.version, limits::kVersionChars},
                                  {"group", &q.group, limits::kGroupChars},
                                  {"pending", &q.pending, limits::kVersionChars}})
    if (auto s = text::check_field(name, *value, max); !s) return s.error();
  if (!q.mode.empty() && !kModes.contains(q.mode))
    return make_error(Code::kInvalidArgument, "mode must be auto, manual or never");
  if (auto state = get(params, "state"); !state.empty()) {
    auto parsed = store::parse_update_state(state);
    if (!parsed) return parsed.error();
    q.state = *parsed;
  }
  if (auto online = get(params, "online"); !online.empty()) {
    if (online != "true" && online != "false")
      return make_error(Code::kInvalidArgument, "online must be true or false");
    q.online = online == "true";
    q.online_since = unix_now() - domain::online_window_seconds(ctx);
  }
  // Not seen for N days: offline longer than the online window, for as long as asked.
  if (auto days = get(params, "not_seen_days"); !days.empty()) {
    if (q.online)
      return make_error(Code::kInvalidArgument,
                        "online and not_seen_days both given; send one of them");
    auto n = number(params, "not_seen_days", 0, 1, 3650);
    if (!n) return n.error();
    q.online = false;
    q.online_since = unix_now() - *n * 86400;
  }
  // A condition of the terminal's latest health report (docs/health.md).
  q.health = get(params, "health");
  if (!q.health.empty() && q.health != "low_storage" && q.health != "weak_signal" &&
      q.health != "low_battery")
    return make_error(Code::kInvalidArgument,
                      "health must be low_storage, weak_signal or low_battery");
  if (auto retired = get(params, "retired"); !retired.empty()) {
    if (retired != "true" && retired != "false")
      return make_error(Code::kInvalidArgument, "retired must be true or false");
    q.retired = retired == "true";
  }
  auto merchant = number(params, "merchant", 0, 0, INT64_MAX / 10);
  auto offset = number(params, "offset", 0, 0, INT64_MAX / 10);
  auto limit = number(params, "limit", 50, 1, 1000);
  for (const auto* r : {&merchant, &offset, &limit})
    if (!*r) return r->error();
  q.merchant_id = *merchant;
  if (q.merchant_id)  // another organisation's merchant is not found, as one that does not exist
    if (auto m = domain::merchant_in(ctx, scope, q.merchant_id); !m && !scope.whole_tree())
      return m.error();
  q.org_path = scope.query_path();
  if (auto org = get(params, "organisation"); !org.empty()) {
    auto id = number(params, "organisation", 0, 1, INT64_MAX / 10);
    if (!id) return id.error();
    auto o = domain::organisation_in(ctx, scope, *id);
    if (!o) return o.error();
    q.org_path = o->path;
  }
  q.offset = *offset;
  q.limit = *limit;
  // A keyset page: the serials after one (the next page), or before one (the previous).
  const std::string after = get(params, "after"), before = get(params, "before");
  if (!after.empty() && !before.empty())
    return make_error(Code::kInvalidArgument,
                      "after and before both given; send after for the next page or before for "
                      "the previous one");
  if (!after.empty() || !before.empty()) {
    const bool next = !after.empty();
    q.after = next ? after : before;
    if (!domain::valid_serial(q.after))
      return make_error(Code::kInvalidArgument,
                        std::string(next ? "after" : "before") +
                            " must be a terminal serial (1-64 of A-Z a-z 0-9 . _ -), as the "
                            "list's next_after or prev_before gives it");
    q.from_end = !next;
  }
  return q;
}

Expected<store::TerminalQuery> terminal_query(domain::Context& ctx, const domain::Scope& scope,
                                              const bj::object& filter) {
  static const std::set<std::string> kFields = {
      "q",        "model",   "version", "group",        "mode",  "state",  "online",
      "merchant", "pending", "offset",  "organisation", "limit", "health", "not_seen_days"};
  std::map<std::string, std::string> params;
  for (const auto& [k, v] : filter) {
    if (!kFields.contains(std::string(k)))
      return make_error(Code::kInvalidArgument,
                        "filter." + text::safe_echo(k, 32) +
                            " is not a filter field (q, model, version, group, mode, state, "
                            "online, merchant, pending, organisation, health, not_seen_days)");
    if (v.is_string())
      params[std::string(k)] = std::string(v.get_string());
    else if (v.is_int64())
      params[std::string(k)] = std::to_string(v.get_int64());
    else if (v.is_bool())
      params[std::string(k)] = v.get_bool() ? "true" : "false";
    else if (!v.is_null())
      return make_error(Code::kInvalidArgument, "filter." + text::safe_echo(k, 32) +
                                                    " must be text, a number or true/false");
  }
  auto q = terminal_query(ctx, scope, params);
  if (q && !params.contains("organisation") && q->text.empty() && q->model.empty() &&
      q->version.empty() && q->group.empty() && q->mode.empty() && !q->state && !q->online &&
      !q->merchant_id && q->pending.empty())
    return make_error(Code::kInvalidArgument,
                      "the filter has no condition; name the terminals (e.g. model or group), or "
                      "use the fleet policy");
  return q;
}

bj::object terminal_row_json(const store::TerminalRow& r, bool merchant_shown) {
  const auto& t = r.terminal;
  return bj::object{{"serial", t.serial},
                    {"model", t.model},
                    {"installed_version", t.installed_version},
                    {"group", t.group},
                    {"merchant_id", merchant_shown ? t.merchant_id : 0},
                    {"merchant", merchant_shown ? r.merchant_name : std::string()},
                    {"mode", r.mode},
                    {"state", store::to_string(r.state)},
                    {"last_seen", utc_or_null(t.last_seen)},
                    {"retired", utc_or_null(t.retired)}};
}

}  // namespace posfleet::api

#include "server/domain/freezes.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/policy.h"

namespace posfleet::domain {

namespace {

// The UTC date `days` days after the one of `now`. Local dates run from UTC-12 to UTC+14, so a
// freeze whose last day is before the UTC date of yesterday has ended everywhere.
std::string utc_date(std::int64_t now, int days) {
  const std::int64_t day = (now >= 0 ? now / 86400 : (now - 86399) / 86400) + days;
  return date_text(civil_from_days(day));
}

Freeze freeze_of(const store::FreezeRecord& r) {
  Freeze f;
  f.id = r.id;
  f.from = r.from;
  f.to = r.to;
  f.reason = r.reason;
  if (auto rule = parse_freeze_security(r.security); rule) f.security = *rule;
  return f;
}

Expected<std::optional<FreezeHit>> hit_of(const Policy& p, const store::ReleaseRecord& release,
                                          std::int64_t now) {
  const Freeze* f = holding_freeze(p, {release.security, release.security_deadline}, now);
  if (!f) return std::optional<FreezeHit>{};
  auto last = parse_date("to", f->to);
  if (!last) return last.error();
  auto ends = local_midnight(p.window.tz, civil_from_days(days_from_civil(*last) + 1));
  if (!ends) return ends.error();
  return std::optional<FreezeHit>{FreezeHit{f->id, f->reason, f->from, f->to, *ends}};
}

std::string freeze_summary(const store::FreezeRecord& f) {
  return json::serialize(boost::json::object{{"scope", f.scope},
                                             {"group", f.group},
                                             {"from", f.from},
                                             {"to", f.to},
                                             {"security", f.security}});
}

}  // namespace

Expected<std::vector<Freeze>> freezes_of_group(store::Tx& tx, const std::string& group,
                                               std::int64_t now) {
  auto rows = tx.list_freezes(utc_date(now, -1), kFreezesOpenMax);
  if (!rows) return rows.error();
  std::vector<Freeze> out;
  for (const auto& r : *rows) {
    if (r.scope != "fleet" && !(r.scope == "group" && !group.empty() && r.group == group)) continue;
    out.push_back(freeze_of(r));
    if (out.size() == kFreezesInPolicy) break;
  }
  return out;
}

Expected<std::optional<FreezeHit>> freeze_for(store::Tx& tx, const store::TerminalRecord& t,
                                              const store::ReleaseRecord& release,
                                              std::int64_t now) {
  auto p = effective_policy(tx, t);  // its zone and freezes are the terminal's
  if (!p) return p.error();
  return hit_of(*p, release, now);
}

Expected<std::optional<FreezeHit>> freeze_for_group(store::Tx& tx, const std::string& group,
                                                    const std::string& tz,
                                                    const store::ReleaseRecord& release,
                                                    std::int64_t now) {
  Policy p;
  if (tz.empty()) {  // the zone of the window the fleet (or the group) gives its terminals
    auto layered = layered_policy(tx, "", group.empty() ? "fleet" : "group", group);
    if (!layered) return layered.error();
    p.window.tz = layered->window.tz;
  } else {
    if (auto s = check_time_zone("tz", tz); !s) return s.error();
    p.window.tz = tz;
  }
  auto fs = freezes_of_group(tx, group, now);
  if (!fs) return fs.error();
  p.freezes = std::move(*fs);
  return hit_of(p, release, now);
}

Expected<store::FreezeRecord> create_freeze(Context& ctx, const FreezeInput& in, const Actor& who) {
  auto bad = [](const std::string& why) { return make_error(Code::kInvalidArgument, why); };
  if (in.scope != "fleet" && in.scope != "group") return bad("scope must be fleet or group");
  if (in.scope == "fleet" && !in.group.empty())
    return bad("a freeze of the whole fleet names no group; use scope group for one group");
  if (in.scope == "group") {
    if (in.group.empty()) return bad("group is required when the scope is group");
    if (auto s = text::check_field("group", in.group, limits::kGroupChars); !s) return s.error();
  }
  auto from = parse_date("from", in.from);
  if (!from) return from.error();
  auto to = parse_date("to", in.to);
  if (!to) return to.error();
  const auto days = days_from_civil(*to) - days_from_civil(*from) + 1;
  if (days < 1) return bad("from must be on or before to");
  if (days > kFreezeMaxDays)
    return bad("a freeze lasts at most " + std::to_string(kFreezeMaxDays) + " days (this one has " +
               std::to_string(days) +
               "), so that security fixes cannot be held back for longer; split it, with a "
               "window between the parts");
  if (auto s = check_reason(in.reason,
                            "a reason is required: say why nothing may install, "
                            "e.g. 双十一 or month-end settlement");
      !s)
    return s.error();
  auto rule = parse_freeze_security(in.security);
  if (!rule) return rule.error();
  const auto now = unix_now();
  if (date_text(*to) < utc_date(now, -1))
    return bad("this freeze has ended everywhere already; give dates from today on");
  store::FreezeRecord rec{
      0,        in.scope, in.group, date_text(*from), date_text(*to), in.reason, to_string(*rule),
      who.name, now};
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    if (in.scope == "group") {
      auto groups = tx.terminals_per_group();
      if (!groups) return groups.error();
      auto policy = tx.policy("group", in.group);
      if (!policy) return policy.error();
      if (!groups->contains(in.group) && !policy->has_value())
        return make_error(Code::kNotFound,
                          "no group " + text::safe_echo(in.group) +
                              ": it has no terminals and no policy; check the name "
                              "(the terminal list shows each terminal's group)");
    }
    auto open = tx.list_freezes(utc_date(now, -1), kFreezesOpenMax);
    if (!open) return open.error();
    if (static_cast<std::int64_t>(open->size()) >= kFreezesOpenMax)
      return make_error(Code::kTooManyRequests,
                        "the calendar holds " + std::to_string(kFreezesOpenMax) +
                            " freezes that have not ended; remove some first");
    auto id = tx.insert_freeze(rec);
    if (!id) return id.error();
    rec.id = *id;
    return record_audit(tx, who, "freeze.create", "freeze:" + std::to_string(rec.id), "",
                        freeze_summary(rec), rec.reason);
  });
  if (!s) return s.error();
  return rec;
}

Expected<std::vector<store::FreezeRecord>> list_freezes(Context& ctx) {
  return ctx.store.list_freezes("", 1000);
}

Expected<store::FreezeRecord> delete_freeze(Context& ctx, std::int64_t id, const Actor& who,
                                            const std::string& reason) {
  if (auto s = check_reason(reason, "a reason is required to remove a freeze"); !s)
    return s.error();
  store::FreezeRecord gone;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto f = tx.freeze(id);
    if (!f) return f.error();
    gone = *f;
    if (auto s = tx.delete_freeze(id); !s) return s;
    return record_audit(tx, who, "freeze.delete", "freeze:" + std::to_string(id),
                        freeze_summary(gone), "", reason);
  });
  if (!s) return s.error();
  return gone;
}

}  // namespace posfleet::domain

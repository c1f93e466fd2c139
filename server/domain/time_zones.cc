#include "server/domain/time_zones.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "core/policy.h"
#include "server/domain/audit.h"
#include "server/domain/policy.h"

namespace posfleet::domain {

const char* to_string(ZoneSource source) {
  switch (source) {
    case ZoneSource::kTerminal:
      return "terminal";
    case ZoneSource::kMerchant:
      return "merchant";
    case ZoneSource::kFleet:
      break;
  }
  return "fleet";
}

Status check_zone_or_empty(const std::string& tz) {
  if (tz.empty()) return ok_status();
  return check_time_zone("time_zone", tz);
}

Expected<EffectiveZone> effective_zone(store::Tx& tx, const store::TerminalRecord& t,
                                       const std::string& policy_tz) {
  if (!t.time_zone.empty()) {
    if (check_time_zone("time_zone", t.time_zone))
      return EffectiveZone{t.time_zone, ZoneSource::kTerminal};
    spdlog::warn("terminal {}: its time zone is not known to this system; using the next",
                 t.serial);
  }
  if (t.merchant_id) {
    auto m = tx.merchant_time_zone(t.merchant_id);
    if (!m && m.error().code != Code::kNotFound) return m.error();
    if (m && !m->empty() && check_time_zone("time_zone", *m))
      return EffectiveZone{*m, ZoneSource::kMerchant};
  }
  return EffectiveZone{policy_tz, ZoneSource::kFleet};
}

Expected<EffectiveZone> effective_zone(store::Tx& tx, const store::TerminalRecord& t) {
  auto p = effective_policy(tx, t);  // its window.tz is the effective zone already
  if (!p) return p.error();
  return effective_zone(tx, t, p->window.tz);
}

Expected<ZoneChange> set_terminal_time_zone(Context& ctx, const std::string& serial,
                                            const std::string& tz, const Actor& who,
                                            const std::string& reason) {
  if (auto s = check_zone_or_empty(tz); !s) return s.error();
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  ZoneChange out;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto t = tx.terminal_by_serial(ctx.tenant, serial);
    if (!t) return t.error();
    const std::string before = t->time_zone;
    if (auto s = tx.set_terminal_time_zone(t->id, tz); !s) return s;
    t->time_zone = tz;
    auto zone = effective_zone(tx, *t);
    if (!zone) return zone.error();
    out = ZoneChange{*t, *zone};
    return record_audit(tx, who, "terminal.time_zone", "terminal:" + t->serial, before, tz, reason);
  });
  if (!s) return s.error();
  return out;
}

Status set_merchant_time_zone(Context& ctx, std::int64_t merchant_id, const std::string& tz,
                              const Actor& who, const std::string& reason) {
  if (auto s = check_zone_or_empty(tz); !s) return s;
  if (auto s = check_reason(reason, nullptr); !s) return s;
  return commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto before = tx.merchant_time_zone(merchant_id);
    if (!before) return before.error();
    if (auto s = tx.set_merchant_time_zone(merchant_id, tz); !s) return s;
    return record_audit(tx, who, "merchant.time_zone", "merchant:" + std::to_string(merchant_id),
                        *before, tz, reason);
  });
}

std::string default_zone_for_address(std::string_view address) {
  static constexpr std::pair<std::string_view, std::string_view> kRegions[] = {
      {"新疆", "Asia/Urumqi"}, {"乌鲁木齐", "Asia/Urumqi"}, {"香港", "Asia/Hong_Kong"},
      {"澳门", "Asia/Macau"},  {"澳門", "Asia/Macau"},      {"台湾", "Asia/Taipei"},
      {"臺灣", "Asia/Taipei"}};
  for (const auto& [region, zone] : kRegions)
    if (address.find(region) != std::string_view::npos) return std::string(zone);
  return "";
}

}  // namespace posfleet::domain

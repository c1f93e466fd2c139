// posfleet server: the time zone a terminal's maintenance window and freeze dates are read in
// (docs/rollouts.md § Time zones). Its effective zone is its own (set at registration or by an
// administrator), else its merchant's, else the zone of the window its policy gives it (the
// fleet's, or its group's when the group sets a window). Names are IANA zones the system's
// tzdata knows (core/policy.h check_time_zone), never echoed back when wrong.
// Thread-safety: stateless functions over the store.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/store/records.h"
#include "server/store/store.h"

namespace posfleet::domain {

enum class ZoneSource {
  kTerminal,  // "terminal": set on the terminal itself
  kMerchant,  // "merchant": its merchant's zone
  kFleet,     // "fleet": the zone of its policy's window
};
const char* to_string(ZoneSource source);

struct EffectiveZone {
  std::string tz;
  ZoneSource source = ZoneSource::kFleet;
};

// `policy_tz`: the zone of the window the terminal's policy layers give it. A stored zone the
// system no longer knows (tzdata changed) is passed over, so the window is still read somewhere.
Expected<EffectiveZone> effective_zone(store::Tx& tx, const store::TerminalRecord& t,
                                       const std::string& policy_tz);
// The same, reading the terminal's policy (domain/policy.h effective_policy).
Expected<EffectiveZone> effective_zone(store::Tx& tx, const store::TerminalRecord& t);

// '' or a zone the system knows; kInvalidArgument naming the field otherwise.
Status check_zone_or_empty(const std::string& tz);

// PUT /api/v1/terminals/{serial}/time-zone: the terminal's own zone ('' = back to its
// merchant's or the fleet's), audited as terminal.time_zone with the zone before and after.
struct ZoneChange {
  store::TerminalRecord terminal;  // as after the change
  EffectiveZone effective;
};
Expected<ZoneChange> set_terminal_time_zone(Context& ctx, const std::string& serial,
                                            const std::string& tz, const Actor& who,
                                            const std::string& reason);

// PUT /api/v1/merchants/{id}/time-zone: the default zone of the merchant's terminals that have
// none of their own ('' = the fleet's), audited as merchant.time_zone with before and after.
// Onboarding sets it from the applicant's address (default_zone_for_address).
Status set_merchant_time_zone(Context& ctx, std::int64_t merchant_id, const std::string& tz,
                              const Actor& who, const std::string& reason);

// The zone a business address in China implies where it is not the country's one zone
// (新疆 Asia/Urumqi, 香港 Asia/Hong_Kong, 澳门 Asia/Macau, 台湾 Asia/Taipei); '' otherwise: the
// fleet's zone then applies.
std::string default_zone_for_address(std::string_view address);

}  // namespace posfleet::domain

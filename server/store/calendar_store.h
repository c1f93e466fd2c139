// posfleet server: the store's calendar area: freeze periods (封网期) of the fleet and of groups,
// and the time zones of terminals and merchants their dates and windows are read in. One part
// of store::Store (store.h); the rules are in domain/freezes.h and domain/time_zones.h.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

// One freeze period. Dates are local calendar dates YYYY-MM-DD, inclusive, read in each
// terminal's own zone; they compare as text.
struct FreezeRecord {
  std::int64_t id = 0;
  std::string scope = "fleet";  // fleet | group
  std::string group;            // scope group: the group's name; '' for the fleet
  std::string from, to;
  std::string reason;
  std::string security = "hold";  // hold | after_deadline | allow (core/policy.h)
  std::string created_by;
  std::int64_t created = 0;
};

class CalendarStore {
 public:
  virtual ~CalendarStore() = default;

  // Freezes.
  virtual Expected<std::int64_t> insert_freeze(const FreezeRecord& f) = 0;
  // Freezes whose last day is `last_day_from` or later ('' = all), ordered by first day, then
  // id; at most `limit`.
  virtual Expected<std::vector<FreezeRecord>> list_freezes(const std::string& last_day_from,
                                                           std::int64_t limit) = 0;
  virtual Expected<FreezeRecord> freeze(std::int64_t id) = 0;  // kNotFound
  virtual Status delete_freeze(std::int64_t id) = 0;           // kNotFound

  // Time zones ('' = none of its own).
  virtual Status set_terminal_time_zone(std::int64_t terminal_id, const std::string& tz) = 0;
  virtual Status set_merchant_time_zone(std::int64_t merchant_id, const std::string& tz) = 0;
  virtual Expected<std::string> merchant_time_zone(std::int64_t merchant_id) = 0;  // kNotFound
};

}  // namespace posfleet::store

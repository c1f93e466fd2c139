// posfleet server: the store's health area: what each terminal last reported of its health
// (core/health.h, docs/health.md) with the three conditions the fleet's filters find, and a
// history of its reports, at most one a terminal per history interval, pruned after the
// retention. One part of store::Store (store.h).
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

struct HealthRecord {
  std::int64_t terminal_id = 0;
  std::int64_t time = 0;    // when posfleetd received it, unix seconds
  std::string sample_json;  // core/health.h's canonical JSON
  bool low_storage = false, weak_signal = false, low_battery = false;
};

class HealthStore {
 public:
  virtual ~HealthStore() = default;
  // Keeps `r` as its terminal's latest report, and in the history too when the terminal's
  // newest history row is at least `history_seconds` older (or it has none). Best inside a
  // transaction with the other reports of the same second (domain/health.h).
  virtual Status record_health(const HealthRecord& r, std::int64_t history_seconds) = 0;
  // The latest report of the terminal; nullopt: it never sent one.
  virtual Expected<std::optional<HealthRecord>> latest_health(std::int64_t terminal_id) = 0;
  // Its history from `since` on, oldest first, at most `limit` rows (the newest of them).
  virtual Expected<std::vector<HealthRecord>> health_history(std::int64_t terminal_id,
                                                             std::int64_t since,
                                                             std::int64_t limit) = 0;
  // Removes at most `limit` history rows older than `before`; how many it removed.
  virtual Expected<std::int64_t> prune_health_history(std::int64_t before, std::int64_t limit) = 0;
};

}  // namespace posfleet::store

// posfleet server: the store's limits area: events counted against a key in a sliding window
// (failed log-ins per user name and address, requests to the routes without log-in per
// address), kept in the database so that several posfleetd servers sharing one count together.
// Keys are short and never attacker-sized (domain/limits.h bounds them); times are unix seconds.
// One part of store::Store (store.h).
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace posfleet::store {

class LimitStore {
 public:
  virtual ~LimitStore() = default;
  // How many events `key` has after `since` (time > since).
  virtual Expected<std::int64_t> count_limit_events(const std::string& key, std::int64_t since) = 0;
  // Adds one event for `key` at `now`.
  virtual Status add_limit_event(const std::string& key, std::int64_t now) = 0;
  // Adds one event for `key` at `now` only when it has fewer than `max` after `since`: true when
  // added, false when the limit is reached. One short transaction: atomic across servers.
  virtual Expected<bool> take_limit_event(const std::string& key, std::int64_t since,
                                          std::int64_t now, std::int64_t max) = 0;
  // Forgets every event of `key` (a log-in that succeeded).
  virtual Status clear_limit_events(const std::string& key) = 0;
  // Deletes events at or before `before`, at most `limit` of them (a background job keeps the
  // table small); how many it deleted.
  virtual Expected<std::int64_t> prune_limit_events(std::int64_t before, std::int64_t limit) = 0;
};

}  // namespace posfleet::store

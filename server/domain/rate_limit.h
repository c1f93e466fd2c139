// posfleet server: limits of events per key in a sliding window, counted in the store so that
// several posfleetd servers sharing one database count together (store/limits_store.h):
// failed log-ins per user name and address (accounts.cc), and the routes anyone can call
// (applications, phone codes, status, enrolment), where each caller's address may do at most
// `max` of each in `window_seconds` (RateLimiter). The DDI poll path never comes here.
// Keys can be chosen by an attacker (user names, addresses): limit_key bounds what is stored,
// and no key is ever echoed in an answer.
// Thread-safety: all functions and methods may be called from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "server/store/store.h"

namespace posfleet::domain {

// The stored key for `value` under `kind` ("name", "addr", "public", …): "kind:value" when the
// value is short printable ASCII, else "kind:#" and the SHA-256 of the value in hex, so a key
// is at most 80 bytes whatever the caller sends.
std::string limit_key(const std::string& kind, const std::string& value);

class RateLimiter {
 public:
  // Keys are limit_key("public", address).
  RateLimiter(store::Store& store, int max, int window_seconds)
      : store_(store), max_(max), window_(window_seconds) {}
  // Counts one event for `address` at `now`: true when within the limit, false when not (then
  // the event is not counted); an error when the store cannot say.
  Expected<bool> allow(const std::string& address, std::int64_t now);
  int window_seconds() const { return window_; }

 private:
  store::Store& store_;
  const int max_, window_;
};

// The longest window of any limit: events older than this are pruned (prune_limit_events).
inline constexpr std::int64_t kLongestLimitWindowSeconds = 15 * 60;
// Deletes events older than the longest window, a bounded batch per call (a background job
// with a lease, background/jobs.cc).
Status prune_limit_events(store::Store& store, std::int64_t now);

}  // namespace posfleet::domain

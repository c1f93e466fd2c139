// posfleet server: a per-key limit of events in a sliding window, for the
// routes anyone can call (applications, phone codes, status, enrolment):
// each caller's address may do at most `max` of each in `window_seconds`.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace posfleet::domain {

class RateLimiter {
 public:
  RateLimiter(int max, int window_seconds) : max_(max), window_(window_seconds) {}
  // Counts one event for `key` at `now` and says whether it is within the limit.
  bool allow(const std::string& key, std::int64_t now);

 private:
  const int max_, window_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<std::int64_t>> events_;
  std::int64_t last_sweep_ = 0;
};

}  // namespace posfleet::domain

#include "server/domain/rate_limit.h"

namespace posfleet::domain {

bool RateLimiter::allow(const std::string& key, std::int64_t now) {
  std::lock_guard lock(mu_);
  if (now - last_sweep_ > window_) {  // forget callers that went quiet, so memory stays bounded
    for (auto it = events_.begin(); it != events_.end();)
      it = (it->second.empty() || it->second.back() <= now - window_) ? events_.erase(it)
                                                                      : std::next(it);
    last_sweep_ = now;
  }
  auto& q = events_[key];
  while (!q.empty() && q.front() <= now - window_) q.pop_front();
  if (static_cast<int>(q.size()) >= max_) return false;
  q.push_back(now);
  return true;
}

}  // namespace posfleet::domain

#include "server/domain/last_seen.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace posfleet::domain {

void LastSeen::seen(std::int64_t terminal_id, std::int64_t now) {
  std::lock_guard lock(mu_);
  auto& at = pending_[terminal_id];
  at = std::max(at, now);
}

Status LastSeen::flush(store::Store& store) {
  std::unordered_map<std::int64_t, std::int64_t> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return ok_status();
  std::vector<std::pair<std::int64_t, std::int64_t>> rows(batch.begin(), batch.end());
  std::sort(rows.begin(), rows.end());  // rows in id order: the index walked once, in order
  auto st = store.touch_terminals(rows);
  if (!st) {
    std::lock_guard lock(mu_);
    for (const auto& [id, at] : batch) {
      auto& kept = pending_[id];
      kept = std::max(kept, at);
    }
  }
  return st;
}

std::size_t LastSeen::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace posfleet::domain

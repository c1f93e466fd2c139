#include "server/store/sqlite/poll_cache.h"

#include <algorithm>

namespace posfleet::store {

std::string PollCache::key(const std::string& tenant, const std::string& serial) {
  return tenant + '\0' + serial;  // neither holds a NUL (checked text)
}

std::optional<PollingTerminal> PollCache::find(const std::string& tenant,
                                               const std::string& serial) const {
  if (capacity_ == 0) return std::nullopt;
  const std::string k = key(tenant, serial);
  std::lock_guard lock(mu_);
  auto it = by_serial_.find(k);
  if (it == by_serial_.end()) return std::nullopt;
  return PollingTerminal{it->second, std::nullopt};
}

std::uint64_t PollCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void PollCache::put(std::uint64_t read_at, const PollingTerminal& p) {
  // A terminal with work reads the database; so does one whose configData is large (a
  // cached terminal costs about 1 KiB with the common few hundred bytes of it).
  if (capacity_ == 0 || p.open || p.terminal.attributes_json.size() > kMaxAttributes) return;
  std::string k = key(p.terminal.tenant, p.terminal.serial);
  std::lock_guard lock(mu_);
  if (generation_ != read_at) return;  // a commit may have changed what was read
  if (by_serial_.size() >= capacity_ && !by_serial_.count(k)) {
    auto victim = by_serial_.begin();
    key_of_id_.erase(victim->second.id);
    by_serial_.erase(victim);
  }
  key_of_id_[p.terminal.id] = k;
  by_serial_.insert_or_assign(std::move(k), p.terminal);
}

void PollCache::committed(const std::vector<std::int64_t>& terminals, bool deployments) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  ++generation_;
  if (deployments) {
    by_serial_.clear();
    key_of_id_.clear();
    return;
  }
  for (auto id : terminals) {
    auto it = key_of_id_.find(id);
    if (it == key_of_id_.end()) continue;
    by_serial_.erase(it->second);
    key_of_id_.erase(it);
  }
}

void PollCache::touched(const std::vector<std::pair<std::int64_t, std::int64_t>>& seen) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  for (const auto& [id, when] : seen) {
    auto it = key_of_id_.find(id);
    if (it == key_of_id_.end()) continue;
    auto& t = by_serial_.at(it->second);
    t.last_seen = std::max(t.last_seen, when);  // as the store's write: never back in time
  }
}

std::size_t PollCache::size() const {
  std::lock_guard lock(mu_);
  return by_serial_.size();
}

}  // namespace posfleet::store

#include "server/domain/load.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

namespace posfleet::domain {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int uniform(int lo, int hi) {
  thread_local std::minstd_rand rng(std::random_device{}());
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

constexpr std::size_t kPruneAbove = 4096;  // not-before entries kept before expired ones are swept
constexpr int kMaxPollSeconds = 86400;

}  // namespace

LoadState::LoadState(int max_downloads)
    : max_(std::max(0, max_downloads)),
      last_busy_ms_(std::numeric_limits<std::int64_t>::min() / 2) {}

DownloadGrant LoadState::acquire(std::int64_t terminal_id) {
  const std::int64_t now = now_ms();
  check_not_before(terminal_id, now);
  int cur = active_.load(std::memory_order_relaxed);
  bool got = false;
  while (max_ == 0 || cur < max_) {
    if (active_.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel)) {
      got = true;
      break;
    }
  }
  if (got) {
    const int mine = cur + 1;
    int peak = peak_.load(std::memory_order_relaxed);
    while (mine > peak && !peak_.compare_exchange_weak(peak, mine, std::memory_order_relaxed)) {
    }
    if (max_ > 0 && mine >= max_) last_busy_ms_.store(now, std::memory_order_relaxed);
    // The pointer is only a non-null token; the deleter gives the slot back.
    return {std::shared_ptr<void>(static_cast<void*>(this), [this](void*) { release(); }), 0};
  }

  refused_.fetch_add(1, std::memory_order_relaxed);
  last_busy_ms_.store(now, std::memory_order_relaxed);
  // A fixed window, restarted by the first refusal after it ran out; two
  // threads racing at the restart may lose a count, which only nudges the
  // jitter below.
  std::int64_t start = window_start_ms_.load(std::memory_order_relaxed);
  if (now - start >= kBusyWindowMs && window_start_ms_.compare_exchange_strong(start, now))
    window_refused_.store(0, std::memory_order_relaxed);
  const int recent = window_refused_.fetch_add(1, std::memory_order_relaxed) + 1;
  // Pressure 0..1: how many were turned away against four rounds of slots.
  // The spread keeps refused terminals from returning in one burst; the
  // shift moves them further out while the queue is long.
  const double pressure = std::min(1.0, recent / (4.0 * max_));
  const int lo = 5 + static_cast<int>(std::lround(5 * pressure));
  const int retry_after = uniform(lo, lo + 5);
  {
    std::lock_guard<std::mutex> lock(mu_);
    not_before_[terminal_id] = now + retry_after * 1000LL;
  }
  return {nullptr, retry_after};
}

void LoadState::release() { active_.fetch_sub(1, std::memory_order_acq_rel); }

void LoadState::check_not_before(std::int64_t terminal_id, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (not_before_.empty()) return;
  if (auto it = not_before_.find(terminal_id); it != not_before_.end()) {
    if (now < it->second)
      early_.fetch_add(1, std::memory_order_relaxed);  // kept: a second early retry counts again
    else
      not_before_.erase(it);
  }
  if (not_before_.size() > kPruneAbove)
    std::erase_if(not_before_, [now](const auto& kv) { return kv.second <= now; });
}

int LoadState::recent_refused(std::int64_t now) const {
  if (now - window_start_ms_.load(std::memory_order_relaxed) >= 2 * kBusyWindowMs) return 0;
  return window_refused_.load(std::memory_order_relaxed);
}

int LoadState::poll_seconds(int configured) const {
  if (max_ == 0) return configured;
  const std::int64_t now = now_ms();
  const bool busy = active_.load(std::memory_order_relaxed) >= max_ ||
                    now - last_busy_ms_.load(std::memory_order_relaxed) < kBusyWindowMs;
  if (!busy) return configured;
  const int factor = recent_refused(now) > 4 * max_ ? 4 : 2;
  return static_cast<int>(std::max<std::int64_t>(
      configured,
      std::min<std::int64_t>(static_cast<std::int64_t>(configured) * factor, kMaxPollSeconds)));
}

LoadFigures LoadState::figures() const {
  const std::int64_t now = now_ms();
  LoadFigures f;
  f.active = active_.load(std::memory_order_relaxed);
  f.max = max_;
  f.peak = peak_.load(std::memory_order_relaxed);
  f.refused = refused_.load(std::memory_order_relaxed);
  f.early_retries = early_.load(std::memory_order_relaxed);
  f.recent_refused = recent_refused(now);
  f.busy = max_ > 0 && (f.active >= max_ ||
                        now - last_busy_ms_.load(std::memory_order_relaxed) < kBusyWindowMs);
  return f;
}

}  // namespace posfleet::domain

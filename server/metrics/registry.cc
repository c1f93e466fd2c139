#include "server/metrics/registry.h"

#include <algorithm>
#include <cmath>

namespace posfleet::metrics {

void Histogram::observe(double seconds) {
  if (!(seconds >= 0)) seconds = 0;  // NaN or a clock step back
  const auto it = std::lower_bound(kBounds.begin(), kBounds.end(), seconds);
  if (it != kBounds.end())
    buckets_[static_cast<std::size_t>(it - kBounds.begin())].fetch_add(1,
                                                                       std::memory_order_relaxed);
  const double ns = std::min(seconds * 1e9, 1e15);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::llround(ns)), std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Histogram::cumulative(std::size_t i) const {
  std::uint64_t n = 0;
  for (std::size_t b = 0; b <= i && b < buckets_.size(); ++b)
    n += buckets_[b].load(std::memory_order_relaxed);
  return n;
}

double Histogram::sum_seconds() const {
  return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
}

void RouteStats::record(int status, double seconds) {
  const int cls = std::clamp(status / 100, 1, 5);
  by_class[static_cast<std::size_t>(cls - 1)].fetch_add(1, std::memory_order_relaxed);
  latency.observe(seconds);
}

std::uint64_t RouteStats::total() const {
  std::uint64_t n = 0;
  for (const auto& c : by_class) n += c.load(std::memory_order_relaxed);
  return n;
}

RouteStats& HttpMetrics::route(const std::string& method, const std::string& pattern) {
  std::lock_guard lock(mu_);
  for (auto& r : routes_)
    if (r.method == method && r.pattern == pattern) return r;
  auto& r = routes_.emplace_back();
  r.method = method;
  r.pattern = pattern;
  return r;
}

}  // namespace posfleet::metrics

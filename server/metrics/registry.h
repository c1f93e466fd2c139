// posfleet server: the figures GET /metrics shows, kept where they happen.
//
// Counters and histograms here are plain atomics: the request path (one per
// HTTP request) adds to them without a lock. Series are created up front —
// one RouteStats per route when the router is instrumented — so that the hot
// path never looks a label set up; only that creation takes a mutex.
// Histograms have fixed bucket bounds (seconds) chosen for a request's time in
// its handler: 5 ms … 10 s.
//
// Output is the Prometheus text exposition format 0.0.4 (exposition.h writes
// it): "# HELP", "# TYPE", then `name{label="value"} number` lines.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace posfleet::metrics {

// A distribution of durations: cumulative counts per upper bound, the sum and
// the count, as a Prometheus histogram.
class Histogram {
 public:
  static constexpr std::array<double, 11> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1.0,  2.5,   5.0,  10.0};
  void observe(double seconds);
  // Count of observations <= kBounds[i] (cumulative), i < kBounds.size().
  std::uint64_t cumulative(std::size_t i) const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum_seconds() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size()> buckets_{};  // not cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

// One route's requests: by status class (1xx … 5xx) and their latency.
struct RouteStats {
  std::string method, pattern;  // the route as registered, e.g. GET /api/v1/terminals/{serial}
  std::array<std::atomic<std::uint64_t>, 5> by_class{};
  Histogram latency;

  void record(int status, double seconds);
  std::uint64_t total() const;
};

// Every route's RouteStats, plus the requests no route took.
class HttpMetrics {
 public:
  // The stats of a route; the same object for the same method and pattern.
  // The reference stays valid for the HttpMetrics' life.
  RouteStats& route(const std::string& method, const std::string& pattern);
  // Calls `f(const RouteStats&)` for each route, in registration order.
  template <typename F>
  void each(F&& f) const {
    std::lock_guard lock(mu_);
    for (const auto& r : routes_) f(r);
  }

 private:
  mutable std::mutex mu_;
  std::deque<RouteStats> routes_;  // a deque: references survive growth
};

}  // namespace posfleet::metrics

// posfleet server: GET /metrics, posfleetd's figures for Prometheus.
//
// MetricsService::attach() adds the route and instruments the router: every
// request is counted by route pattern, method and status class, and its time
// in the handler goes into a histogram per route (for a download that is the
// time to start it, not to send it). A scrape adds what is read at that
// moment: DDI polls, download slots (domain/load.h), deployments by status and
// result (a count in the store), the newest releases' roll-outs (their
// terminals by update state), the database (SQLite: the sizes of the
// database and its write-ahead log, and the busy waits and time-outs of its
// connections), and the process (start time, uptime, open and
// allowed descriptors, resident memory, CPU time). docs/operations.md lists
// every metric and shows a scrape configuration.
//
// Who may scrape: access.h (an address allow-list, loopback by default, and
// an optional bearer token); a refusal is 403 forbidden (address) or 401
// unauthorized (token), and says which setting to change.
// Thread-safety: after attach(), serve() and the instrumented handlers may
// run on any thread at once; the service must outlive the router's use.
#pragma once

#include <chrono>
#include <string>

#include "server/domain/context.h"
#include "server/http/router.h"
#include "server/metrics/access.h"
#include "server/metrics/registry.h"

namespace posfleet::metrics {

class MetricsService {
 public:
  MetricsService(domain::Context& ctx, MetricsAccess access);
  MetricsService(const MetricsService&) = delete;
  MetricsService& operator=(const MetricsService&) = delete;

  // Adds GET /metrics to `router` and instruments all its routes (also those
  // added later, and the fallback). Call once, before serving.
  void attach(http::Router& router);

  http::Response serve(const http::Request& req) const;
  // The exposition text of one scrape.
  std::string render() const;

  static constexpr const char* kPollPattern = "/{tenant}/controller/v1/{controllerId}";
  // posfleet_rollout_terminals covers this many of the newest releases.
  static constexpr std::size_t kRolloutReleases = 10;

 private:
  domain::Context& ctx_;
  MetricsAccess access_;
  HttpMetrics http_;
  const http::Router* router_ = nullptr;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const std::chrono::system_clock::time_point started_wall_ = std::chrono::system_clock::now();
};

}  // namespace posfleet::metrics

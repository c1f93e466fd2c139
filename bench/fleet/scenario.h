// posfleet fleet simulator: the scenario an operator would run, through the
// management API (/api/v1, a bearer token), while the simulated fleet runs on
// its own thread: give each simulated group its window, wait until the fleet
// has polled, then
//   rollout:  a staged rollout (POST /api/v1/rollouts, percent waves), watched
//             every second; failures injected on one model while one wave runs
//             (the rollout must pause), then retried and resumed; per-wave times.
//             Without the rollouts API (404) it says so and deploys by filter.
//   deploy:   one deployment by filter (the smoke test's scenario).
//   poll:     no deployment; the fleet only polls (a load generator).
// and then, unless skipped, a security release deployed by filter with a
// deadline, and the share of reachable terminals on it by then. Prints the
// figures and posfleetd's CPU and peak RSS. Thread-safety: run once.
#pragma once

#include <string>
#include <vector>

#include "bench/fleet/fleet_model.h"
#include "bench/fleet/simulator.h"

namespace posfleet::fleet {

struct ScenarioOptions {
  std::string mode = "rollout";  // rollout | deploy | poll
  std::string admin_token;
  std::string release = "2.0.0";
  std::string security_release;  // empty: no security phase
  std::vector<int> waves = {1, 10, 50, 100};
  int success_threshold = 90;
  int error_threshold = 5;
  int soak_seconds = 10;
  std::string inject_model = "S300";
  double inject_rate = 0.5;
  int inject_wave = 1;  // 0-based; < 0: no injection
  int security_deadline_seconds = 120;
  int max_seconds = 600;  // the whole run, whatever happens
  int poll_seconds = 0;   // for the poll mode's length: run this long (0: max_seconds)
  int server_pid = 0;     // for CPU and RSS; 0: not measured
};

// Returns the process exit status: 0 when every target held.
int run_scenario(const FleetModel& fleet, Simulator& sim, const SimOptions& sim_options,
                 const ScenarioOptions& o);

}  // namespace posfleet::fleet

// posfleet fleet simulator: the simulated terminals, each a small state machine
// driven by one event loop (HttpPool), speaking DDI to posfleetd as the real
// agent does: poll (posfleet's agent with ?posfleet=1, stock clients without),
// fetch deploymentBase, decide with core/policy's decide() in the terminal's
// own zone (posfleet agents; a stock client installs what the server offers),
// report proceeding (downloaded 0 %), download the artifact, report downloaded
// 100 %, wait while the window is closed or a sale is in progress (reporting
// "waiting: …" once, as the agent's pre-checks do), install (the transaction
// guard held: no sale starts), report closed success or failure (some failures
// as rollbacks), and report its new version in configData. A terminal does not
// poll while an update of its own is under way.
//
// Independent checks, counted: an install that starts while the window is
// closed by the fleet model's UTC gap (FleetModel::window_open, no time-zone
// arithmetic) or while a sale is in progress; a stock client offered
// deploymentBase by the server while its window was closed for the whole
// round trip.
//
// Memory: about 64 bytes per terminal, plus an update record for each
// terminal whose update is under way. Thread-safety: run() on one thread; the
// control and read functions (inject_failures, counters, snapshot, stop) from
// any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/fleet/fleet_model.h"

namespace posfleet::fleet {

struct SimOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string tenant = "DEFAULT";
  std::string base_version = "1.0.0";
  int connections = 64;
  int max_poll_seconds = 0;      // 0: as the server says
  int start_spread_seconds = 5;  // first polls spread over this long
  int install_seconds_min = 2;
  int install_seconds_max = 5;
  int precheck_retry_seconds = 2;
  std::int64_t download_bytes = 0;  // 0: the whole artifact; else only its first bytes (Range)
  double failure_scale = 1.0;       // times each model's own failure rate
};

struct Counters {
  std::atomic<std::int64_t> polls{0}, poll_failures{0}, requests{0}, http_errors{0}, fetches{0},
      downloads{0}, download_bytes{0}, busy_429{0}, installs{0}, successes{0}, failures{0},
      rollbacks{0}, outside_window{0}, outside_window_stock{0}, during_sale{0},
      server_offered_outside_window{0}, zone_mismatch{0}, waited_window{0}, waited_sale{0},
      config_reports{0}, cancels{0}, latency_sum_ms{0}, latency_max_ms{0}, latency_count{0};
};

struct Snapshot {
  int reachable = 0;     // answered polls since the given moment
  int reachable_on = 0;  // of them, running the given version
  int on = 0;            // all terminals running it
  int offline = 0;       // switched off by the fleet model
};

class Simulator {
 public:
  Simulator(const FleetModel& fleet, SimOptions options);
  ~Simulator();
  void run();  // blocks until stop()
  void stop();
  // Installs of model m fail at this rate from now on (< 0: the model's own rate).
  void inject_failures(int model, double rate);
  const Counters& counters() const;
  // Waits for the event loop to count (at most 10 s; a zero Snapshot if it does not answer).
  Snapshot snapshot(const std::string& version, std::int64_t since_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::int64_t now_ms();

}  // namespace posfleet::fleet

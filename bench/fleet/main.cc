// posfleet-fleet-sim: a fleet of simulated terminals speaking DDI to a real
// posfleetd over loopback (bench/fleet/run.sh runs the whole scenario).
//   posfleet-fleet-sim seed --db DATA/posfleet.db --terminals N --secret S
//   posfleet-fleet-sim run --server http://127.0.0.1:PORT --terminals N --secret S ...
// The admin token comes from $POSFLEET_TOKEN. Only 127.0.0.1 is accepted.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "bench/fleet/fleet_model.h"
#include "bench/fleet/scenario.h"
#include "bench/fleet/seed.h"
#include "bench/fleet/simulator.h"

using namespace posfleet::fleet;

int main(int argc, char** argv) {
  CLI::App app{"posfleet-fleet-sim: simulated terminals speaking DDI to posfleetd"};
  app.require_subcommand(1);
  FleetOptions fo;
  auto fleet_flags = [&fo](CLI::App* c) {
    c->add_option("--terminals", fo.terminals, "fleet size")->check(CLI::Range(1, 10000000));
    c->add_option("--secret", fo.secret, "tokens derive from it (seed and run must agree)");
    // The fleet's shape: seed and run must be given the same.
    c->add_option("--gap-groups", fo.gap_groups, "groups per zone with a gap in their window");
    c->add_option("--gap-per-mille", fo.gap_per_mille, "terminals in those groups");
    c->add_option("--gap-minutes", fo.gap_minutes, "how long a gap lasts");
    c->add_option("--gap-spread-minutes", fo.gap_spread_minutes, "gaps start within this long");
    c->add_option("--stock-per-mille", fo.stock_per_mille, "stock DDI clients");
    c->add_option("--offline-per-mille", fo.offline_per_mille, "terminals switched off");
    c->add_flag("--first-gap-now", fo.first_gap_now, "the first gap covers the starting minute");
  };
  std::string db, base_version = "1.0.0";
  auto* seed = app.add_subcommand("seed", "write the fleet into a stopped posfleetd's database");
  fleet_flags(seed);
  seed->add_option("--db", db, "DATA_DIR/posfleet.db, created by one start of posfleetd")
      ->required();
  seed->add_option("--base-version", base_version, "the version every terminal runs at first");

  SimOptions so;
  ScenarioOptions sc;
  std::string server, waves = "1,10,50,100";
  auto* run = app.add_subcommand("run", "run the fleet and the scenario against posfleetd");
  fleet_flags(run);
  run->add_option("--server", server, "http://127.0.0.1:PORT")->required();
  run->add_option("--base-version", so.base_version, "the version the seed gave every terminal");
  run->add_option("--mode", sc.mode, "rollout, deploy or poll")
      ->check(CLI::IsMember({"rollout", "deploy", "poll"}));
  run->add_option("--release", sc.release, "the release to roll out (published)");
  run->add_option("--security-release", sc.security_release,
                  "a published security release to deploy with a deadline afterwards");
  run->add_option("--security-deadline-seconds", sc.security_deadline_seconds);
  run->add_option("--waves", waves, "cumulative percentages, e.g. 1,10,50,100");
  run->add_option("--success-threshold", sc.success_threshold);
  run->add_option("--error-threshold", sc.error_threshold);
  run->add_option("--soak-seconds", sc.soak_seconds);
  run->add_option("--inject-model", sc.inject_model, "model whose installs fail more");
  run->add_option("--inject-rate", sc.inject_rate, "their failure rate while injected");
  run->add_option("--inject-wave", sc.inject_wave, "0-based wave to inject in; -1: none");
  run->add_option("--max-seconds", sc.max_seconds, "wall-time bound of the whole run");
  run->add_option("--poll-mode-seconds", sc.poll_seconds, "how long --mode poll runs");
  run->add_option("--server-pid", sc.server_pid, "posfleetd's pid, for its CPU and RSS");
  run->add_option("--connections", so.connections, "keep-alive connections to posfleetd")
      ->check(CLI::Range(1, 4096));
  run->add_option("--max-poll-seconds", so.max_poll_seconds, "poll at least this often");
  run->add_option("--start-spread-seconds", so.start_spread_seconds);
  run->add_option("--download-bytes", so.download_bytes,
                  "download only the artifact's first bytes (Range); 0: all of it");
  run->add_option("--failure-scale", so.failure_scale, "times each model's failure rate");
  CLI11_PARSE(app, argc, argv);

  const auto start = static_cast<std::int64_t>(std::time(nullptr));
  if (seed->parsed()) {
    FleetModel fleet(fo, start);
    if (auto s = seed_database(fleet, db, base_version); !s) {
      std::fprintf(stderr, "seed: %s\n", s.error().message.c_str());
      return 1;
    }
    std::printf("seeded %d terminals\n", fleet.size());
    return 0;
  }
  const std::string prefix = "http://127.0.0.1:";
  if (server.rfind(prefix, 0) != 0) {
    std::fprintf(stderr, "run: --server must be http://127.0.0.1:PORT (loopback only)\n");
    return 2;
  }
  so.port = std::atoi(server.c_str() + prefix.size());
  const char* token = std::getenv("POSFLEET_TOKEN");
  if (!token || !*token) {
    std::fprintf(stderr, "run: set POSFLEET_TOKEN to an admin token of posfleetd\n");
    return 2;
  }
  sc.admin_token = token;
  sc.waves.clear();
  std::stringstream ws(waves);
  for (std::string p; std::getline(ws, p, ',');) sc.waves.push_back(std::atoi(p.c_str()));
  FleetModel fleet(fo, start);
  Simulator sim(fleet, so);
  return run_scenario(fleet, sim, so, sc);
}

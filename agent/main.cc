// posfleet-agent: the terminal's update agent. `run` is the daemon; `status`
// shows the running version, the slots and the last update.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "agent/config.h"
#include "agent/daemon.h"
#include "agent/status.h"
#include "core/http_client.h"
#include "core/signing.h"

int main(int argc, char** argv) {
  CLI::App app{"posfleet-agent: update agent for a payment terminal"};
  app.require_subcommand(1);
  std::string config_path = "posfleet-agent.json";
  app.add_option("-c,--config", config_path, "config file")->capture_default_str();
  bool as_json = false;
  std::string log_level = "info";
  auto* run = app.add_subcommand("run", "run the update daemon");
  run->add_option("--log-level", log_level, "trace, debug, info, warn, error")->capture_default_str();
  auto* status = app.add_subcommand("status", "show version, slots and the last update");
  status->add_flag("--json", as_json, "print JSON");
  CLI11_PARSE(app, argc, argv);

  auto config = posfleet::agent::Config::load(config_path);
  if (!config) {
    std::cerr << "posfleet-agent: " << config.error().message << "\n";
    return 2;
  }
  if (!posfleet::init_crypto()) return 1;
  posfleet::Status result = posfleet::ok_status();
  if (*run) {
    spdlog::set_level(spdlog::level::from_str(log_level));
    posfleet::HttpClient::global_init();
    std::signal(SIGTERM, [](int) { posfleet::agent::request_stop(); });
    std::signal(SIGINT, [](int) { posfleet::agent::request_stop(); });
    result = posfleet::agent::run_daemon(*config);
  } else if (*status) {
    result = posfleet::agent::print_status(*config, as_json);
  }
  if (!result) {
    std::cerr << "posfleet-agent: " << result.error().to_string() << "\n";
    return 1;
  }
  return 0;
}

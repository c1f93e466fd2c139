#include "agent/daemon.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "agent/ddi/ddi_client.h"
#include "agent/device/simulated_boot_control.h"
#include "agent/state/state_machine.h"
#include "core/fs.h"

namespace posfleet::agent {

namespace {

std::atomic<bool> g_stopping{false};
std::mutex g_mu;
std::condition_variable g_cv;

void wait_seconds(int seconds) {
  std::unique_lock lock(g_mu);
  g_cv.wait_for(lock, std::chrono::seconds(seconds), [] { return g_stopping.load(); });
}

// Answers a cancel request: stop what has not touched the slots yet, refuse
// what has (the update then runs to its end, success or rollback).
void handle_cancel(DdiClient& ddi, UpdateMachine& machine, UpdateRecord& record, const std::string& href) {
  auto stop_id = ddi.cancel_action(href);
  if (!stop_id) return spdlog::warn("cancel: {}", stop_id.error().message);
  if (machine.idle() || record.action_id != *stop_id) {
    ddi.cancel_feedback(*stop_id, {"closed", "success", {"nothing of this action runs on the terminal"}, 0});
    return;
  }
  auto canceled = machine.cancel();
  if (canceled && !*canceled)
    ddi.cancel_feedback(*stop_id, {"rejected", "none", {"already installing; the update runs to its end"}, 0});
}

}  // namespace

void request_stop() {
  g_stopping = true;
  g_cv.notify_all();
}

Status run_daemon(const Config& config) {
  SimulatedBootControl boot(config.device_dir);
  if (auto s = boot.init(config.factory_version); !s) return s;
  if (auto s = make_dirs(config.device_dir + "/state"); !s) return s;
  const std::string record_path = config.device_dir + "/state/update.json";
  auto record = UpdateRecord::load(record_path);
  if (!record) return record.error();
  DdiClient ddi(config);
  UpdateContext ctx{config, *record, boot, ddi, g_stopping, wait_seconds};
  UpdateMachine machine(ctx, record_path);
  if (auto s = machine.resume(); !s) return s;

  auto version = installed_version(boot);
  spdlog::info("posfleet-agent: terminal {} ({}) running {}; server {}", config.terminal, config.model,
               version ? *version : "?", config.server);
  std::mt19937 rng(std::random_device{}());
  int failures = 0;
  while (!g_stopping) {
    if (!machine.idle()) {
      if (auto s = machine.step(); !s) {
        spdlog::error("update: {}", s.error().to_string());
        wait_seconds(5);
      }
      continue;
    }
    auto poll = ddi.poll();
    if (!poll) {
      // Back off exponentially with jitter so a fleet does not return at once.
      ++failures;
      int cap = std::min(300, 1 << std::min(failures, 8));
      int delay = std::uniform_int_distribution<int>(cap / 2, cap)(rng);
      spdlog::warn("poll failed: {}; next try in {} s", poll.error().message, delay);
      wait_seconds(delay);
      continue;
    }
    failures = 0;
    ctx.poll_seconds = std::max(1, config.max_poll_seconds > 0 ? std::min(poll->sleep_seconds, config.max_poll_seconds)
                                                                : poll->sleep_seconds);
    if (poll->wants_config_data) {
      auto v = installed_version(boot);
      ddi.config_data({{"model", config.model}, {"version", v ? *v : ""}, {"agent", "posfleet-agent"}});
    }
    if (!poll->cancel_href.empty()) {
      handle_cancel(ddi, machine, *record, poll->cancel_href);
    } else if (!poll->deployment_href.empty()) {
      auto d = ddi.deployment(poll->deployment_href);
      if (!d)
        spdlog::warn("deployment: {}", d.error().message);
      else if (auto s = machine.start(*d); !s)
        spdlog::error("update: {}", s.error().to_string());
      if (!machine.idle()) continue;
    }
    wait_seconds(ctx.poll_seconds);
  }
  spdlog::info("posfleet-agent: stopped");
  return ok_status();
}

}  // namespace posfleet::agent

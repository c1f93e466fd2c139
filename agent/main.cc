// posfleet-agent: the terminal's update agent. `run` is the daemon; `status`
// shows the running version, the slots and the last update.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "agent/config.h"
#include "agent/daemon.h"
#include "agent/device_identity.h"
#include "agent/enroll.h"
#include "agent/local/local_client.h"
#include "agent/menu/menu.h"
#include "agent/platform.h"
#include "agent/settings/lock.h"
#include "agent/state/fault_injection.h"
#include "agent/status.h"
#include "core/clock.h"
#include "core/http_client.h"
#include "core/log.h"
#include "core/signing.h"

int main(int argc, char** argv) {
  CLI::App app{"posfleet-agent: update agent for a payment terminal"};
  app.require_subcommand(1);
  std::string config_path = "posfleet-agent.json";
  app.add_option("-c,--config", config_path, "config file")->capture_default_str();
  bool as_json = false;
  std::string log_level = "info";
  auto* run = app.add_subcommand("run", "run the update daemon");
  run->add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  std::string log_format = "text";
  run->add_option("--log-format", log_format,
                  "text (under systemd: without timestamps, journald stamps lines) or json (one "
                  "object per line: time, level, message, fields)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  auto* status = app.add_subcommand("status", "show version, slots and the last update");
  status->add_flag("--json", as_json, "print JSON");
  std::string lang, key, value;
  auto* menu =
      app.add_subcommand("menu", "the terminal's settings menu (needs `run` to be running)");
  menu->add_option("--lang", lang, "zh-CN or en (default: the terminal's language setting)");
  auto* set =
      app.add_subcommand("set", "change a setting, e.g. `set update-mode never` (needs `run`)");
  set->add_option("key", key, "update-mode or language")
      ->required()
      ->check(CLI::IsMember({"update-mode", "language"}));
  set->add_option("value", value, "auto|manual|never, or zh-CN|en")->required();
  auto* check = app.add_subcommand("check", "check for updates now (needs `run`)");
  auto* install =
      app.add_subcommand("install", "install the offered update now, in manual mode (needs `run`)");
  for (auto* c : {set, check, install})
    c->add_flag("--json", as_json, "print the daemon's answer as JSON");
  std::string txn_id;
  long long amount = 0;
  int hold_seconds = 0;
  auto* pay = app.add_subcommand(
      "pay", "simulate a sale by the payment app: hold the transaction guard, record it");
  pay->add_option("--amount", amount, "amount in fen")->required();
  pay->add_option("--id", txn_id, "transaction id (default: generated)");
  pay->add_option("--hold-seconds", hold_seconds, "keep the sale open this long");
  std::string card;
  pay->add_option("--card", card,
                  "the card number, which the simulated payment app writes into its own log "
                  "(logs/payment.log), as careless payment apps do");
  std::string activation_code;
  auto* enroll =
      app.add_subcommand("enroll", "activate a new terminal with the code shipped with it");
  enroll->add_option("code", activation_code, "the activation code, e.g. ABCD-EFGH-JKMN")
      ->required();
  auto* certificate = app.add_subcommand(
      "certificate", "get this enrolled terminal a client certificate (proves itself by token)");
  CLI11_PARSE(app, argc, argv);

  if (*certificate) {
    posfleet::HttpClient::global_init();
    if (auto s = posfleet::agent::request_certificate(config_path); !s) {
      std::cerr << "posfleet-agent: no certificate: " << s.error().message << "\n";
      return 1;
    }
    std::cout << "certificate installed; restart the agent to use it\n";
    return 0;
  }

  if (*enroll) {
    posfleet::HttpClient::global_init();
    if (auto s = posfleet::agent::enroll(config_path, activation_code); !s) {
      std::cerr << "posfleet-agent: enrolment failed: " << s.error().message << "\n"
                << "posfleet-agent：激活失败，请核对激活码；仍不行请联系客服。\n";
      return 1;
    }
    std::cout << "enrolled: this terminal now checks for updates as itself; start it with "
                 "`posfleet-agent run`\n"
              << "激活成功：终端已绑定商户，运行 posfleet-agent run 开始接收更新。\n";
    return 0;
  }

  auto config = posfleet::agent::Config::load(config_path);
  if (!config) {
    std::cerr << "posfleet-agent: " << config.error().message << "\n";
    return 2;
  }
  if (!posfleet::init_crypto()) return 1;
  posfleet::agent::fault::install(config->device_dir);  // power-cut tests only (POSFLEET_FAULT)
  posfleet::Status result = posfleet::ok_status();
  if (*run) {
    if (auto f = posfleet::log::setup("posfleet-agent", log_format, log_level); !f) {
      std::cerr << "posfleet-agent: " << f.error().message << "\n";
      return 2;
    }
    posfleet::HttpClient::global_init();
    std::signal(SIGTERM, [](int) { posfleet::agent::request_stop(); });
    std::signal(SIGINT, [](int) { posfleet::agent::request_stop(); });
    result = posfleet::agent::run_daemon(*config);
  } else if (*status) {
    result = posfleet::agent::print_status(*config, as_json);
  } else if (*pay) {
    auto parts = posfleet::agent::make_agent_parts(*config, {.boot = false});
    if (!parts) {
      std::cerr << "posfleet-agent: " << parts.error().to_string() << "\n";
      return 1;
    }
    // A locked terminal (lost or stolen: docs/terminal_lock.md) takes no sale.
    if (posfleet::agent::terminal_locked(config->device_dir)) {
      std::cerr << "posfleet-agent: 终端已锁定，不能收款；请联系客服。\n"
                << "posfleet-agent: this terminal is locked and takes no sales; contact "
                   "support.\n";
      return 3;
    }
    // A sale waits for an install to end, never the other way round.
    auto hold = parts->hardware->hold_blocking();
    if (!hold) result = hold.error();
    if (txn_id.empty())
      txn_id = "T" + std::to_string(posfleet::unix_now()) + "-" + std::to_string(::getpid());
    if (result) result = parts->data->append_transaction(txn_id, amount);
    if (result && !card.empty()) {
      if (auto d = posfleet::make_dirs(config->device_dir + "/logs"); !d) result = d;
      std::ofstream log(config->device_dir + "/logs/payment.log", std::ios::app);
      log << posfleet::format_utc(posfleet::unix_now()) << " sale " << txn_id << " amount "
          << amount << " card " << card << "\n";
    }
    if (result) {
      std::cout << txn_id << std::endl;
      std::this_thread::sleep_for(std::chrono::seconds(hold_seconds));
    }
  } else if (*menu) {
    return posfleet::agent::menu::run_menu_command(*config, lang);
  } else {
    boost::json::object request{{"cmd", *set ? "set" : *check ? "check" : "install"}};
    if (*set) {
      request["key"] = key;
      request["value"] = value;
    }
    posfleet::agent::LocalClient client(config->device_dir + "/agent.sock");
    auto answer = client.call(request, 30);
    if (!answer) {
      std::cerr << "posfleet-agent: cannot reach the agent daemon (" << answer.error().message
                << "); is `posfleet-agent run` running?\n";
      return 1;
    }
    const bool ok = answer->contains("ok") && answer->at("ok").as_bool();
    if (as_json) {
      std::cout << boost::json::serialize(*answer) << "\n";
    } else {
      auto text = [&](const char* k) {
        auto* v = answer->if_contains(k);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
      };
      std::cout << text("message_en") << "\n" << text("message_zh") << "\n";
    }
    return ok ? 0 : 1;
  }
  if (!result) {
    std::cerr << "posfleet-agent: " << result.error().to_string() << "\n";
    return 1;
  }
  return 0;
}

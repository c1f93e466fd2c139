// posfleet CLI: a terminal's health (docs/health.md): `terminal health SERIAL [--days N]` prints
// its latest report (battery, storage, network and signal, uptime, last sale, versions) and the
// conditions the fleet's filters find, then its history. The fleet's filters are the terminal
// list's: `terminal list --filter health=low_storage`, `--filter not_seen_days=7`. A thin client
// of /api/v1 (server/api/terminal_health_api.h).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

std::string mib(const bj::value& r, const char* key) {
  const auto* v = r.as_object().if_contains(key);
  if (!v || !v->is_number()) return "—";
  char out[32];
  std::snprintf(out, sizeof out, "%.0f MiB", v->to_number<double>() / (1 << 20));
  return out;
}

std::string conditions(const bj::value& r) {
  std::string out;
  for (auto [key, zh, en] : {std::tuple{"low_battery", "电量低", "low battery"},
                             {"low_storage", "存储空间不足", "low storage"},
                             {"weak_signal", "信号弱", "weak signal"}}) {
    const auto* v = r.as_object().if_contains(key);
    if (v && v->is_bool() && v->get_bool()) out += (out.empty() ? "" : ", ") + say(zh, en);
  }
  return out.empty() ? say("正常", "none") : out;
}

void print_health(const bj::value& v) {
  std::cout << say("终端 ", "terminal ") << str(v, "serial") << say("，最后联网 ", ", last seen ")
            << time_of(v, "last_seen") << "\n";
  const auto& latest = v.at("latest");
  if (latest.is_null()) {
    std::cout << say("还没有收到健康报告（posfleet 的终端程序会随轮询发送）",
                     "no health report yet (posfleet's agent sends one with its polls)")
              << "\n";
  } else {
    std::cout << say("最新报告 ", "latest report ") << time_of(latest, "time") << "\n"
              << say("  电量：", "  battery: ") << str(latest, "battery") << "%"
              << say("，充电：", ", charging: ") << str(latest, "charging") << "\n"
              << say("  存储：可用 ", "  storage: ") << mib(latest, "storage_free")
              << say(" / 共 ", " free of ") << mib(latest, "storage_total") << "\n"
              << say("  网络：", "  network: ") << str(latest, "network")
              << say("，信号 ", ", signal ") << str(latest, "signal") << "%\n"
              << say("  开机时长：", "  uptime: ") << str(latest, "uptime") << say(" 秒", " s")
              << "\n"
              << say("  最后一笔交易：", "  last sale: ") << time_of(latest, "last_sale") << "\n";
    std::cout << say("  版本：", "  versions: ");
    if (const auto* apps = latest.as_object().if_contains("apps"); apps && apps->is_object())
      for (const auto& [name, version] : apps->get_object())
        std::cout << clean(std::string(name), 64) << " " << str(*apps, name.data()) << "  ";
    std::cout << "\n" << say("  状况：", "  conditions: ") << conditions(latest) << "\n";
  }
  Table t{say("时间", "TIME"), say("电量", "BATTERY"), say("可用存储", "FREE"),
          say("网络", "NETWORK"), say("信号", "SIGNAL")};
  for (const auto& r : v.at("history").as_array())
    t.add({time_of(r, "time"), str(r, "battery"), mib(r, "storage_free"), str(r, "network"),
           str(r, "signal")});
  std::cout << say("历史（", "history (") << str(v, "days") << say(" 天）：", " days):") << "\n";
  if (!t.empty()) t.print(std::cout);
}

}  // namespace

void add_health_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string serial;
  static int days = 7;
  auto* terminal = app.get_subcommand("terminal");
  auto* health = terminal->add_subcommand(
      "health", say("终端健康：电量、存储、信号、开机时长、版本、最后交易时间及其历史",
                    "a terminal's health: battery, storage, signal, uptime, versions, last sale, "
                    "and its history"));
  health->add_option("serial", serial, say("序列号", "serial number"))->required();
  health->add_option("--days", days, say("历史天数（默认 7）", "days of history (default 7)"))
      ->check(CLI::Range(1, 3650));
  health->callback([&] {
    action = [&] {
      return show(
          server, "GET",
          "/api/v1/terminals/" + url_encode(serial) + "/health?days=" + std::to_string(days),
          say("终端健康", "terminal health"), nullptr, print_health);
    };
  });
}

}  // namespace posfleet::cli

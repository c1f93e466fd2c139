// posfleet agent menu: Settings → 重启设备 (restart the terminal) and
// 恢复默认设置 (reset settings) — the two ways out the seed names for "if
// anything goes wrong, don't force on". Both ask for confirmation first.
// Restarting: the daemon stops at a state boundary, the simulated device
// reboots and the daemon starts again, resuming or rolling back an update in
// flight; this screen waits (bounded) for it to answer again.
// Thread-safety: one thread (part of Session).
#include <boost/json.hpp>

#include <chrono>
#include <thread>

#include "agent/menu/session.h"
#include "core/json.h"

namespace posfleet::agent::menu {

namespace bj = boost::json;

namespace {
constexpr auto kRestartWait = std::chrono::seconds(90);
}  // namespace

Nav Session::restart_device() {
  auto c = choose(Msg::kTitleRestart, {t(Msg::kRestartExplain)}, {{1, t(Msg::kItemConfirmRestart)}},
                  Msg::kItemCancel);
  if (!c) return Nav::kExit;
  if (*c == 0) return Nav::kBack;
  auto reply = call({{"cmd", "restart"}});
  if (!reply) return on_call_failure();
  if (!(reply->contains("ok") && reply->at("ok") == true)) {
    show_reply(*reply);
    return Nav::kBack;
  }
  out_ << "\n" << t(Msg::kRestarting) << "\n" << std::flush;
  // The old daemon goes away, then a new one answers: wait for a status from
  // a daemon started after the one asked ("started" tells them apart).
  const auto before = json::get_int(*reply, "started");
  const auto until = std::chrono::steady_clock::now() + kRestartWait;
  std::optional<bj::object> st;
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto r = client_.call(bj::object{{"cmd", "status"}}, 5);
    if (!r) continue;
    auto started = json::get_int(*r, "started");
    if (before && started && *started == *before) continue;  // still the old one
    st = std::move(*r);
    break;
  }
  std::vector<std::string> lines;
  if (!st) {
    lines.push_back(t(Msg::kNoticeNotDone, {t(Msg::kRestartTimeout)}));
  } else {
    lines.push_back(
        t(Msg::kNoticeDone, {t(Msg::kRestarted, {json::string_or(*st, "version", "?")})}));
    for (auto& l : update_lines(*st)) lines.push_back(std::move(l));
  }
  return choose(Msg::kTitleRestart, lines, {}) ? Nav::kBack : Nav::kExit;
}

Nav Session::reset_settings() {
  auto c = choose(Msg::kTitleReset, {t(Msg::kResetExplain)}, {{1, t(Msg::kItemConfirmReset)}},
                  Msg::kItemCancel);
  if (!c) return Nav::kExit;
  if (*c == 0) return Nav::kBack;
  auto reply = call({{"cmd", "reset"}});
  if (!reply) return on_call_failure();
  show_reply(*reply);
  return Nav::kBack;
}

}  // namespace posfleet::agent::menu

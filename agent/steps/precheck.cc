// Step: make sure installing now is safe (seed §5): battery charged enough or
// on mains power, room to install, no payment in progress, USB and other
// peripherals disconnected. A failing check is shown on the terminal, told to
// the server as proceeding feedback, and tried again later; it never fails the
// update by itself. On success the agent holds the transaction guard, so no
// sale can start until the update has ended.
#include <cstdio>

#include "agent/steps/steps.h"

namespace posfleet::agent {

std::string waiting_text(const std::string& reason, bool zh) {
  const auto colon = reason.find(':');
  const std::string key = reason.substr(0, colon),
                    arg = colon == std::string::npos ? "" : reason.substr(colon + 1);
  struct Row {
    const char* key;
    const char* zh;
    const char* en;
  };
  static const Row rows[] = {
      {"battery", "电量不足（%s），请连接充电器", "battery low (%s); connect the charger"},
      {"storage", "存储空间不足（还需 %s），请清理后重试",
       "not enough storage (%s more needed); free some space"},
      {"transaction", "正在交易，交易完成后再更新",
       "a payment is in progress; the update waits until it is done"},
      {"peripherals", "请断开 USB 等外接设备（%s）", "disconnect USB and other peripherals (%s)"},
      {"offline", "网络未连接，恢复网络后继续下载",
       "no network; the download continues when the terminal is online"},
      {"cellular", "当前为移动网络，按设置等待 Wi-Fi",
       "on cellular data; waiting for Wi-Fi as the policy asks"},
      {"cellular_limit", "更新包（%s）超过移动网络流量上限，等待 Wi-Fi",
       "the update (%s) is larger than the cellular limit; waiting for Wi-Fi"},
      {"window", "等待维护时段再安装", "waiting for the maintenance window to install"},
      {"confirmation", "等待商户确认更新", "waiting for the merchant to confirm the update"},
      {"policy", "自动更新已关闭，更新暂停", "updates are turned off; the update is paused"},
      {"frozen", "封网期内不安装更新，%s 之后继续",
       "a freeze period holds the update; it continues after %s"},
      {"download_retry", "下载失败，稍后自动重试（第 %s 次）",
       "the download failed; it is tried again shortly (attempt %s)"},
      {"server_busy", "服务器繁忙，稍后自动继续下载",
       "the server is busy; the download continues shortly"},
  };
  for (const auto& r : rows)
    if (key == r.key) {
      char buf[256];
      std::snprintf(buf, sizeof buf, zh ? r.zh : r.en, arg.c_str());
      return buf;
    }
  return reason;
}

Event precheck(UpdateContext& ctx) {
  auto& r = ctx.record;
  const int retry = ctx.config.precheck_retry_seconds;
  // Waiting here can take long: the merchant may turn updates off, the window
  // may close, the operator may cancel. Nothing has touched the slots yet.
  if (ctx.cancel_requested()) return Event::kCanceled;
  if (auto hold = ctx.policy_hold(); !hold.empty()) return ctx.wait_for(hold, retry);
  if (ctx.services.hardware.battery) {
    auto b = ctx.services.hardware.battery->battery();
    if (b && !b->mains && b->percent < ctx.config.min_battery_percent)
      return ctx.wait_for("battery:" + std::to_string(b->percent) + "%", retry);
  }
  if (ctx.services.hardware.storage) {
    std::uint64_t need = 0;
    for (const auto& a : r.artifacts) need += a.length;
    auto free = ctx.services.hardware.storage->free_bytes();
    if (free && *free < need)
      return ctx.wait_for("storage:" + std::to_string(need - *free) + " bytes", retry);
  }
  if (ctx.services.hardware.peripherals) {
    auto p = ctx.services.hardware.peripherals->connected();
    if (p && !p->empty()) {
      std::string list;
      for (const auto& d : *p) list += (list.empty() ? "" : ", ") + d;
      return ctx.wait_for("peripherals:" + list, retry);
    }
  }
  if (!ctx.hold_guard()) return ctx.wait_for("transaction", retry);
  if (!r.waiting.empty()) ctx.progress_note("pre-checks passed; installing");
  r.waiting.clear();
  return Event::kDone;
}

}  // namespace posfleet::agent

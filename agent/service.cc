#include "agent/service.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "agent/settings/lock.h"
#include "agent/settings/parameters.h"
#include "agent/status.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/manifest.h"
#include "core/text.h"

namespace posfleet::agent {

namespace bj = boost::json;

namespace {

bj::object reply(bool ok, const std::string& zh, const std::string& en,
                 const char* error = nullptr) {
  bj::object o{{"ok", ok}, {"message_zh", zh}, {"message_en", en}};
  if (error) o["error"] = error;
  return o;
}

// The freeze that holds the offer (core/policy.h holding_freeze), as the menu shows it.
bj::value frozen_json(const TerminalState& s, std::int64_t now) {
  if (!s.offer || s.waiting_for != "frozen") return nullptr;
  const Policy p = s.effective();
  const Freeze* f = holding_freeze(p, {s.offer->security, s.offer->deadline}, now);
  if (!f) return nullptr;
  return bj::object{{"reason", f->reason}, {"from", f->from}, {"to", f->to}};
}

bj::value offer_json(const TerminalState& s, std::int64_t now) {
  if (!s.offer) return nullptr;
  const auto& f = *s.offer;
  bj::array comps;
  for (const auto& c : f.components) {
    bj::array deps;
    for (const auto& d : c.depends) deps.push_back(bj::string(d));
    comps.push_back(bj::object{{"name", c.name},
                               {"version", c.version},
                               {"size", c.size},
                               {"mandatory", c.mandatory},
                               {"depends", deps}});
  }
  return bj::object{
      {"action_id", f.action_id},
      {"components", comps},
      {"version", f.version},
      {"notes", bj::object{{"zh-CN", f.notes_zh}, {"en", f.notes_en}}},
      {"security", f.security},
      {"deadline", f.deadline ? bj::value(format_utc(f.deadline)) : bj::value(nullptr)},
      {"waiting_for", s.waiting_for},
      {"frozen", frozen_json(s, now)}};
}

bj::value held_json(const TerminalState& s) {
  if (!s.held || s.offer) return nullptr;
  return bj::object{{"action_id", s.held->action_id}, {"version", s.held->version}};
}

}  // namespace

Status AgentService::load() {
  auto s = TerminalState::load(path_);
  if (!s) return s.error();
  std::lock_guard lock(mu_);
  state_ = std::move(*s);
  return ok_status();
}

void AgentService::save_locked() {
  if (auto s = state_.save(path_); !s)
    spdlog::error("terminal state not saved: {}", s.error().message);
}

Policy AgentService::effective_policy() {
  std::lock_guard lock(mu_);
  return state_.effective();
}

std::int64_t AgentService::notices_since() {
  std::lock_guard lock(mu_);
  return state_.last_notice_id;
}

void AgentService::poll_failed() {
  std::lock_guard lock(mu_);
  state_.online = false;
  served_ = serving_;
  polled_.notify_all();
}

void AgentService::absorb(const bj::object& ext) {
  std::lock_guard lock(mu_);
  state_.online = true;
  if (auto p = json::get_object(ext, "policy"); p)
    if (auto policy = policy_from_json(**p); policy) state_.policy = *policy;
  state_.held.reset();
  if (auto h = json::get_object(ext, "held"); h) {
    auto id = json::get_int(**h, "action_id");
    std::string version = json::string_or(**h, "version", "");
    if (id && !version.empty() && version.size() <= 64) state_.held = HeldUpdate{*id, version};
  }
  if (auto ns = json::get_array(ext, "notifications"); ns) {
    // Sent newest first; keep ours oldest first.
    for (auto it = (*ns)->rbegin(); it != (*ns)->rend(); ++it) {
      if (!it->is_object()) continue;
      const auto& n = it->get_object();
      auto id = json::get_int(n, "id");
      std::string zh, en;
      if (auto t = json::get_object(n, "text"); t) {
        zh = json::string_or(**t, "zh-CN", "");
        en = json::string_or(**t, "en", "");
      }
      state_.add_notice(
          {id ? *id : 0, json::string_or(n, "kind", ""), json::string_or(n, "time", ""), zh, en});
    }
  }
  save_locked();
}

std::optional<PendingChange> AgentService::pending() {
  std::lock_guard lock(mu_);
  return state_.pending;
}

void AgentService::change_answered(const PendingChange& sent, const bj::object& answer) {
  std::lock_guard lock(mu_);
  if (auto p = json::get_object(answer, "policy"); p)
    if (auto policy = policy_from_json(**p); policy) state_.policy = *policy;
  const std::string outcome = json::string_or(answer, "outcome", "");
  if (auto m = json::get_object(answer, "message"); m) {
    last_change_zh_ = json::string_or(**m, "zh-CN", "");
    last_change_en_ = json::string_or(**m, "en", "");
  }
  if (outcome == "refused")  // the server notifies a superseded change itself
    state_.add_notice(
        {0, "policy_refused", format_utc(clock_.now()), last_change_zh_, last_change_en_});
  // A newer change made while this one was in flight stays pending.
  if (state_.pending && state_.pending->mode == sent.mode && state_.pending->reset == sent.reset)
    state_.pending.reset();
  spdlog::info("policy: {} {}: {}", sent.reset ? "reset" : "change to " + sent.mode, outcome,
               last_change_en_);
  save_locked();
}

std::optional<std::string> AgentService::next_ticket() {
  std::lock_guard lock(mu_);
  if (state_.queued_tickets.empty()) return std::nullopt;
  if (clock_.steady() < ticket_retry_at_) return std::nullopt;
  return state_.queued_tickets.front();
}

void AgentService::ticket_sent(std::int64_t ticket_id) {
  std::lock_guard lock(mu_);
  if (!state_.queued_tickets.empty()) state_.queued_tickets.erase(state_.queued_tickets.begin());
  last_ticket_ = ticket_id;
  ticket_wait_noticed_ = false;
  save_locked();
}

void AgentService::ticket_refused(const std::string& why) {
  std::lock_guard lock(mu_);
  if (state_.queued_tickets.empty()) return;
  state_.queued_tickets.erase(state_.queued_tickets.begin());
  ++tickets_refused_;
  const std::string reason = text::safe_echo(why, 200);
  ticket_refusal_zh_ = "客服工单未能提交，服务器拒绝了它（" + reason +
                       "）。工单已删除；请修改留言后在“联系客服”中重新提交。";
  ticket_refusal_en_ = "The support ticket was not opened: the server refused it (" + reason +
                       "). It was removed; change the message and send it again from "
                       "Contact support.";
  state_.add_notice(
      {0, "ticket_refused", format_utc(clock_.now()), ticket_refusal_zh_, ticket_refusal_en_});
  spdlog::warn("support ticket refused by the server, dropped: {}", reason);
  save_locked();
}

void AgentService::ticket_deferred(int seconds) {
  seconds = std::clamp(seconds, 1, kMaxTicketWaitSeconds);
  std::lock_guard lock(mu_);
  ticket_retry_at_ = clock_.steady() + std::chrono::seconds(seconds);
  spdlog::warn("support ticket deferred by the server; next try in {} s", seconds);
  const std::string minutes = std::to_string((seconds + 59) / 60);
  const std::string per_day = std::to_string(limits::kTicketsPerDay);
  ticket_wait_zh_ = "今日客服工单已达上限（每台终端每天 " + per_day + " 个）。工单已保存，约 " +
                    minutes + " 分钟后自动发送；急事请致电客服。";
  ticket_wait_en_ = "Today's limit of support tickets is reached (" + per_day +
                    " per terminal a day). The ticket is saved and sent automatically in about " +
                    minutes + " minutes; for anything urgent, call support.";
  if (ticket_wait_noticed_) return;
  ticket_wait_noticed_ = true;
  state_.add_notice(
      {0, "ticket_deferred", format_utc(clock_.now()), ticket_wait_zh_, ticket_wait_en_});
  save_locked();
}

bool AgentService::consider(const Deployment& d, const bj::object& server_offer,
                            const std::optional<InstalledRelease>& installed) {
  auto sm = SignedManifest::parse(d.manifest_text);
  // A release the terminal would refuse, or the very release installed
  // already (a replay), goes straight to the state machine, which reports it
  // (check_manifest: refused, or closed as unchanged); nothing about it is
  // shown to the merchant.
  bool hidden = !sm || !(trust_ ? trust_->check_release(*sm, clock_.now())
                                : verify_signatures(*sm, config_.trusted_keys, config_.threshold));
  if (!hidden && installed) {
    hidden = !check_applicable(sm->manifest, config_.model, installed->version, clock_.now());
    auto all = resolve_selection(sm->manifest, {});
    auto applies =
        all ? check_against_installed(*sm, *all, *installed) : Expected<Applies>(all.error());
    hidden = hidden || !applies || *applies == Applies::kAlreadyInstalled;
  }
  std::lock_guard lock(mu_);
  if (hidden) {
    if (state_.offer || !state_.waiting_for.empty()) {
      state_.offer.reset();
      state_.waiting_for.clear();
      save_locked();
    }
    return true;
  }
  Offer offer;
  offer.action_id = d.action_id;
  offer.version = sm->manifest.version;
  offer.notes_zh = sm->manifest.notes_zh;
  offer.notes_en = sm->manifest.notes_en;
  offer.security = sm->manifest.security;
  offer.manifest_text = d.manifest_text;
  for (const auto& c : sm->manifest.components)
    offer.components.push_back({c.name, c.version, c.length, c.mandatory, c.depends});
  // Only a release signed as security-critical may use the server's deadline
  // to override `never`: the server alone cannot force an install.
  if (offer.security)
    if (auto deadline = parse_utc(json::string_or(server_offer, "deadline", "")); deadline)
      offer.deadline = *deadline;
  const Decision decision = decide(state_.effective(), {offer.security, offer.deadline},
                                   clock_.now(), state_.confirmed_action == d.action_id);
  std::string waiting;
  if (decision.verdict != Verdict::kAllow)
    waiting = decision.reason == DecisionReason::kAwaitingConfirmation ? "confirmation"
              : decision.reason == DecisionReason::kOutsideWindow      ? "window"
              : decision.reason == DecisionReason::kFrozen             ? "frozen"
                                                                       : "policy";
  if (decision.verdict == Verdict::kDeny)
    state_.offer.reset();  // `never`: no offer shown, no notification
  else
    state_.offer = offer;
  state_.waiting_for = waiting;
  save_locked();
  if (decision.verdict == Verdict::kAllow)
    spdlog::info("update: action {} may install ({})", d.action_id, to_string(decision.reason));
  return decision.verdict == Verdict::kAllow;
}

std::pair<bool, std::int64_t> AgentService::offer_terms(std::int64_t action_id) {
  std::lock_guard lock(mu_);
  if (!state_.offer || state_.offer->action_id != action_id) return {false, 0};
  return {state_.offer->security, state_.offer->deadline};
}

std::optional<std::vector<std::string>> AgentService::confirmed(std::int64_t action_id) {
  std::lock_guard lock(mu_);
  if (state_.confirmed_action != action_id) return std::nullopt;
  return state_.confirmed_components;
}

std::string AgentService::waiting_for() {
  std::lock_guard lock(mu_);
  return state_.waiting_for;
}

void AgentService::no_offer() {
  std::lock_guard lock(mu_);
  if (!state_.offer && state_.waiting_for.empty()) return;
  state_.offer.reset();
  state_.waiting_for.clear();
  save_locked();
}

void AgentService::poll_finished() {
  std::lock_guard lock(mu_);
  served_ = serving_;
  polled_.notify_all();
}

bool AgentService::wait(int seconds) {
  // Sliced, so that a stop (set from a signal handler) is seen promptly.
  const auto until = clock_.steady() + std::chrono::seconds(seconds);
  std::unique_lock lock(mu_);
  while (!stopping_ && requested_ == serving_ && clock_.steady() < until)
    clock_.wait_for(polled_, lock, std::chrono::milliseconds(200));
  const bool wanted = requested_ != serving_;
  serving_ = requested_;  // the poll that follows carries every request so far
  return wanted;
}

bool AgentService::poll_now_and_wait(int seconds) {
  std::unique_lock lock(mu_);
  const auto mine = ++requested_;
  polled_.notify_all();
  const auto until = clock_.steady() + std::chrono::seconds(seconds);
  while (served_ < mine && clock_.steady() < until)
    clock_.wait_for(
        polled_, lock,
        std::min<std::chrono::milliseconds>(
            std::chrono::milliseconds(200),
            std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_.steady())));
  return served_ >= mine;
}

bj::object AgentService::handle(const bj::object& req) {
  const std::string cmd = json::string_or(req, "cmd", "");
  if (cmd == "status") return status_reply();
  if (cmd == "check") return check();
  if (cmd == "install") return install(req);
  if (cmd == "ticket") return ticket(json::string_or(req, "message", ""));
  if (cmd == "reset") return reset_settings();
  if (cmd == "restart") return restart();
  if (cmd == "notifications") {
    std::lock_guard lock(mu_);
    bj::array out;
    for (auto it = state_.notices.rbegin(); it != state_.notices.rend(); ++it)
      out.push_back(bj::object{{"id", it->id},
                               {"kind", it->kind},
                               {"time", it->time},
                               {"text", bj::object{{"zh-CN", it->text_zh}, {"en", it->text_en}}}});
    return bj::object{{"ok", true}, {"notifications", out}};
  }
  if (cmd == "unlock") return unlock(json::string_or(req, "code", ""));
  if (cmd == "parameters") {
    // The menu's 参数查看: read-only, and a sensitive value never leaves the file.
    auto sets = ParameterFolder(config_.device_dir + "/parameters").all();
    if (!sets) return reply(false, "参数读取失败", "parameters could not be read", "io");
    bj::array out;
    for (auto s : *sets) {
      for (auto& v : s.values)
        if (v.sensitive && v.has_value) v.value = "******";
      out.push_back(to_json(s));
    }
    return bj::object{{"ok", true}, {"apps", out}};
  }
  if (cmd == "set") {
    const std::string key = json::string_or(req, "key", ""),
                      value = json::string_or(req, "value", "");
    if (key == "update-mode") return set_mode(value);
    if (key == "language") {
      if (value != "zh-CN" && value != "en")
        return reply(false, "语言须为 zh-CN 或 en", "language must be zh-CN or en", "invalid");
      std::lock_guard lock(mu_);
      state_.language = value;
      save_locked();
      return reply(true, "语言已设为中文", "Language set to English");
    }
    return reply(false, "未知设置：" + key, "unknown setting: " + key, "invalid");
  }
  return reply(false, "未知命令：" + cmd, "unknown command: " + cmd, "invalid");
}

bj::object AgentService::status_reply() {
  auto status = status_json(config_);
  bj::object o = status ? *status : bj::object{};
  std::lock_guard lock(mu_);
  const Policy eff = state_.effective();
  auto policy = eff.to_json();
  policy["pending_change"] =
      state_.pending
          ? bj::value(bj::object{{"mode", state_.pending->mode}, {"reset", state_.pending->reset}})
          : bj::value(nullptr);
  o["ok"] = true;
  o["language"] = state_.language;
  o["online"] = state_.online;
  o["policy"] = policy;
  o["update_available"] = offer_json(state_, clock_.now());
  o["update_held"] = held_json(state_);
  o["time_zone"] = eff.window.tz;
  o["started"] = started_;
  // The terminal's lock (docs/terminal_lock.md): what the menu shows first.
  auto held = LockFile(lock_file_path(config_.device_dir)).load();
  if (!held)
    o["lock"] = bj::object{{"locked", true}, {"reason", ""}, {"support_phone", ""}};
  else if (*held && (*held)->locked)
    o["lock"] = bj::object{{"locked", true},
                           {"reason", (*held)->reason},
                           {"support_phone", (*held)->support_phone},
                           {"locked_at", (*held)->locked_at}};
  else
    o["lock"] = bj::object{{"locked", false}};
  return o;
}

bj::object AgentService::unlock(const std::string& code) {
  auto r = try_unlock(LockFile(lock_file_path(config_.device_dir)), code, clock_.now());
  if (!r) return reply(false, "解锁失败，请稍后再试", "Unlocking failed; try again later", "io");
  switch (r->outcome) {
    case UnlockOutcome::kUnlocked:
      return reply(true, "终端已解锁，可以正常收款", "The terminal is unlocked; sales work again");
    case UnlockOutcome::kNotLocked:
      return reply(false, "终端没有被锁定", "The terminal is not locked", "invalid");
    case UnlockOutcome::kWait:
      return reply(
          false,
          "解锁码错误次数过多，请 " + std::to_string((r->wait_seconds + 59) / 60) + " 分钟后再试",
          "Too many wrong codes; try again in " + std::to_string((r->wait_seconds + 59) / 60) +
              " minutes",
          "wait");
    case UnlockOutcome::kWrong:
      if (r->wait_seconds > 0)
        return reply(false, "解锁码错误，请 15 分钟后再试",
                     "Wrong unlock code; try again in 15 minutes", "wrong");
      return reply(false, "解锁码错误，还可再试 " + std::to_string(r->tries_left) + " 次",
                   "Wrong unlock code; " + std::to_string(r->tries_left) + " tries left", "wrong");
  }
  return reply(false, "解锁失败", "Unlocking failed", "io");
}

bj::object AgentService::set_mode(const std::string& mode) {
  if (mode != "auto" && mode != "manual" && mode != "never")
    return reply(false, "自动更新只能设为 auto、manual 或 never",
                 "update-mode must be auto, manual or never", "invalid");
  {
    std::lock_guard lock(mu_);
    const Policy eff = state_.effective();
    if (eff.locked)
      return reply(false, "已由管理员锁定：" + eff.lock_reason,
                   "Locked by your administrator: " + eff.lock_reason, "locked");
    state_.pending = PendingChange{mode, state_.policy.revision};
    if (mode == "never") state_.offer.reset();
    last_change_zh_.clear();
    last_change_en_.clear();
    save_locked();
  }
  const bool polled = poll_now_and_wait(10);
  std::lock_guard lock(mu_);
  if (polled && !state_.pending && !last_change_en_.empty())
    return reply(true, last_change_zh_, last_change_en_);
  return reply(true, "已保存；联网后将同步到服务器",
               "Saved; it will be sent to the server when the terminal is back online");
}

bj::object AgentService::check() {
  const bool polled = poll_now_and_wait(15);
  std::lock_guard lock(mu_);
  bj::object o = reply(
      true, state_.offer ? "有可用更新 " + state_.offer->version : "没有可用更新",
      state_.offer ? "Update " + state_.offer->version + " is available" : "No update available");
  if (!state_.offer && state_.held && state_.effective().mode == PolicyMode::kNever) {
    // Updates are off, so it is not offered — but it exists, and the merchant asked.
    const std::string v = state_.held->version;
    o = reply(
        true,
        "有可用更新 " + v +
            "，但自动更新已关闭（永不），不会安装。如需安装，请先开启："
            "设置 → 软件更新 → 自动更新，选择“开启”或“手动”。",
        "Update " + v +
            " is available, but updates are turned off (Never), so it will not install. "
            "To install it, turn updates on first: Settings > Software update > Automatic update, "
            "then choose On or Manual.");
  }
  o["update_held"] = held_json(state_);
  o["online"] = polled && state_.online;
  if (!(polled && state_.online)) {
    o["message_zh"] = "无法连接服务器，请检查网络后重试";
    o["message_en"] = "Cannot reach the server; check the network and try again";
  }
  o["update_available"] = offer_json(state_, clock_.now());
  return o;
}

bj::object AgentService::install(const bj::object& request) {
  std::vector<std::string> resolved;
  std::string added_zh, added_en;
  {
    std::lock_guard lock(mu_);
    if (state_.effective().mode == PolicyMode::kNever)
      return reply(false, "自动更新已关闭（永不），请先在设置中开启",
                   "Updates are turned off (never); turn them on first", "policy");
    if (!state_.offer)
      return reply(false, "没有可安装的更新", "There is no update to install", "none");
    std::vector<std::string> chosen;
    if (auto list = json::get_array(request, "components"); list)
      for (const auto& c : **list)
        if (c.is_string()) chosen.emplace_back(c.get_string());
    auto sm = SignedManifest::parse(state_.offer->manifest_text);
    if (!sm)
      return reply(false, "更新内容无法读取", "The update's contents cannot be read", "invalid");
    auto all = resolve_selection(sm->manifest, chosen);
    if (!all)
      return reply(false, "所选组件不在这次更新中，请重新检查更新后再选", all.error().message,
                   "invalid");
    resolved = *all;
    // Say what was added to the choice and why (mandatory, or needed by another).
    for (const auto& name : resolved) {
      if (chosen.empty() || std::find(chosen.begin(), chosen.end(), name) != chosen.end()) continue;
      const std::string why = required_because(sm->manifest, resolved, name);
      const bool mandatory = why == "mandatory";
      added_zh +=
          "；" + name + (mandatory ? " 为必装组件" : " 被 " + why.substr(10) + " 依赖，一并安装");
      added_en += "; " + name + (mandatory ? " is mandatory" : " is " + why + ", installed too");
    }
    state_.confirmed_action = state_.offer->action_id;
    state_.confirmed_components = resolved;
    save_locked();
  }
  poll_now_and_wait(15);
  bj::object o = reply(true, "已确认，正在安装更新，请勿断电" + added_zh,
                       "Confirmed; the update is installing, keep the power on" + added_en);
  bj::array comps;
  for (const auto& n : resolved) comps.push_back(bj::string(n));
  o["components"] = comps;
  return o;
}

bj::object AgentService::ticket(const std::string& message) {
  if (auto s = text::check_field("message", message, limits::kTicketChars, text::Lines::kMany); !s)
    return reply(false,
                 "留言最多 " + std::to_string(limits::kTicketChars) +
                     " 个字符（汉字、字母各算一个），且不能含控制字符；请缩短后重试",
                 "The message may have at most " + std::to_string(limits::kTicketChars) +
                     " characters (each Chinese character or letter counts as one) and no control "
                     "characters; shorten it and try again",
                 "invalid");
  std::int64_t before = 0;
  std::uint64_t refused_before = 0;
  {
    std::lock_guard lock(mu_);
    if (state_.queued_tickets.size() >= kMaxQueuedTickets)
      return reply(false,
                   "已有 " + std::to_string(state_.queued_tickets.size()) +
                       " 个工单等待发送，暂不能再提交；请稍后再试或致电客服",
                   std::to_string(state_.queued_tickets.size()) +
                       " tickets are already waiting to be sent; try again later or call support",
                   "queue_full");
    state_.queued_tickets.push_back(message);
    before = last_ticket_;
    refused_before = tickets_refused_;
    save_locked();
  }
  poll_now_and_wait(10);
  std::lock_guard lock(mu_);
  if (tickets_refused_ != refused_before)
    return reply(false, ticket_refusal_zh_, ticket_refusal_en_, "refused");
  if (last_ticket_ != before && state_.queued_tickets.empty()) {
    bj::object o = reply(true, "已提交工单 #" + std::to_string(last_ticket_),
                         "Ticket #" + std::to_string(last_ticket_) + " opened");
    o["ticket_id"] = last_ticket_;
    return o;
  }
  bj::object o = reply(true, "已保存，联网后发送给客服",
                       "Saved; it will be sent to support when the terminal is back online");
  if (clock_.steady() < ticket_retry_at_) {
    o = reply(true, ticket_wait_zh_, ticket_wait_en_);
    o["deferred"] = true;
  }
  o["queued"] = true;
  return o;
}

bj::object AgentService::reset_settings() {
  {
    std::lock_guard lock(mu_);
    // Only the update settings: the journal, the merchant's data and the
    // language stay. The server decides (a lock holds); offline it waits.
    state_.pending = PendingChange{"", state_.policy.revision, true};
    state_.confirmed_action = 0;
    state_.confirmed_components.clear();
    last_change_zh_.clear();
    last_change_en_.clear();
    save_locked();
  }
  const bool polled = poll_now_and_wait(10);
  std::lock_guard lock(mu_);
  if (polled && !state_.pending && !last_change_en_.empty()) {
    bj::object o = reply(true, last_change_zh_, last_change_en_);
    o["policy"] = state_.effective().to_json();
    return o;
  }
  return reply(true, "已保存；联网后将恢复默认设置",
               "Saved; the settings are reset when the terminal is back online");
}

bj::object AgentService::restart() {
  if (!restart_hook_)
    return reply(false, "本机不能从菜单重启", "This terminal cannot restart from the menu",
                 "unsupported");
  if (restarting_.exchange(true)) return reply(true, "正在重启", "Restarting");
  spdlog::info("restart requested from the menu");
  restart_hook_();
  bj::object o = reply(
      true, "正在重启，约需一分钟；正在进行的更新会在重启后继续或自动恢复原版本",
      "Restarting; this takes about a minute. An update in progress continues after the restart or "
      "returns to the previous version");
  o["started"] = started_;
  return o;
}

}  // namespace posfleet::agent

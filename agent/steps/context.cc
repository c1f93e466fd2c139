// posfleet agent: helpers shared by the steps.
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>

#include "agent/steps/steps.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

Event UpdateContext::fail(const Error& e) {
  record.error_code = static_cast<int>(e.code);
  record.error = e.message;
  spdlog::warn("update: action {}: {}", record.action_id, e.to_string());
  return Event::kFailed;
}

bool waits_for_window(const std::string& reason) {
  const std::string key = reason.substr(0, reason.find(':'));
  return key == "window" || key == "policy" || key == "freeze" || key == "confirmation";
}

void UpdateContext::note_delivery(const Status& sent) {
  if (sent || sent.error().code != Code::kConflict || runtime.ended_on_server) return;
  runtime.ended_on_server = true;
  spdlog::warn("update: the server has ended action {} (timed out or closed there); {}",
               record.action_id,
               slots_untouched(record.state) ? "stopping it"
                                             : "the install runs to its end without reporting");
}

void UpdateContext::progress_note(const std::string& line, const char* phase) {
  if (!phase)
    phase = record.state == "check_manifest" || record.state == "download" ? "downloading"
                                                                           : "installing";
  auto s = services.ddi.feedback(
      record.action_id, {"proceeding", "none", {std::string(kPhaseLine) + phase, line}, 0});
  note_delivery(s);
  if (!s) spdlog::info("update: progress note not delivered ({}); continuing", s.error().message);
}

Expected<InstalledRelease> installed_release(BootControl& boot) {
  auto st = boot.state();
  if (!st) return st.error();
  auto text = read_file(boot.slot_dir(st->good) + "/slot.json");
  if (!text) return text.error();
  auto v = json::parse(*text);
  if (!v || !v->is_object())
    return make_error(Code::kParse, "slot.json of slot " + st->good + " is damaged");
  const auto& o = v->get_object();
  InstalledRelease r{
      json::string_or(o, "version", ""), json::string_or(o, "manifest_sha256", ""), {}};
  if (auto comps = json::get_array(o, "components"); comps)
    for (const auto& c : **comps)
      if (c.is_object())
        r.components.push_back({json::string_or(c.get_object(), "name", ""),
                                json::string_or(c.get_object(), "version", ""),
                                json::string_or(c.get_object(), "filename", ""),
                                json::string_or(c.get_object(), "sha256", ""), 0});
  return r;
}

Expected<std::string> installed_version(BootControl& boot) {
  auto r = installed_release(boot);
  if (!r) return r.error();
  return r->version;
}

int poll_interval(const Config& config, const PollResult& poll) {
  const int asked = config.max_poll_seconds > 0
                        ? std::min(poll.sleep_seconds, config.max_poll_seconds)
                        : poll.sleep_seconds;
  return std::max(1, asked);
}

void refuse_cancel(UpdateDdi& ddi, std::int64_t stop_id, bool installing) {
  const FeedbackMessage m =
      installing ? FeedbackMessage{"rejected",
                                   "none",
                                   {"already installing; the update runs to its end"},
                                   0}
                 : FeedbackMessage{
                       "closed", "success", {"nothing of this action runs on the terminal"}, 0};
  if (auto s = ddi.cancel_feedback(stop_id, m); !s)
    spdlog::info("cancel: answer for action {} not delivered ({}); the server asks again", stop_id,
                 s.error().message);
}

}  // namespace posfleet::agent

namespace posfleet::agent {

Event UpdateContext::wait_for(const std::string& reason, int seconds) {
  if (record.waiting != reason) {
    record.waiting = reason;
    spdlog::info("update: action {} waits: {}", record.action_id, waiting_text(reason, false));
    progress_note("waiting: " + waiting_text(reason, false),
                  waits_for_window(reason) ? "waiting_window" : nullptr);
  }
  return pause(seconds);
}

Event UpdateContext::pause(int seconds) {
  const std::int64_t until = now() + std::max(0, seconds);
  for (std::int64_t left = until - now(); left > 0 && !stopping; left = until - now()) {
    const bool asked =
        wait(static_cast<int>(std::min<std::int64_t>(left, std::max(1, runtime.poll_seconds))));
    if (stopping) break;
    if (cancel_requested(asked)) return Event::kCanceled;
  }
  return Event::kRetry;
}

bool UpdateContext::cancel_requested(bool right_now) {
  // Ended on the server: stop like for a cancel while nothing on the slots has changed.
  if (runtime.ended_on_server) return slots_untouched(record.state);
  const auto t = now();
  if (!right_now && t - runtime.last_cancel_check < std::max(1, runtime.poll_seconds)) return false;
  runtime.last_cancel_check = t;
  auto p = services.ddi.poll(hooks.notices_since ? hooks.notices_since() : 0);
  if (!p) return false;
  runtime.poll_seconds = poll_interval(config, *p);
  if (hooks.on_poll) hooks.on_poll(*p);
  // The server replaced this action by a newer one (deployments.h): it
  // offers another action now, which is a cancel of this one.
  if (p->cancel_href.empty() && !p->deployment_href.empty()) {
    const auto at = p->deployment_href.find("/deploymentBase/");
    if (at == std::string::npos) return false;
    const auto id = std::strtoll(p->deployment_href.c_str() + at + 16, nullptr, 10);
    return id > 0 && id != record.action_id;
  }
  if (p->cancel_href.empty()) {
    // The server offers nothing while this action runs: it may have ended it (timed out while
    // the terminal waited). A progress note, at most every 10 minutes, asks: 410 Gone says so.
    if (p->deployment_href.empty() && t - runtime.last_probe >= 600) {
      runtime.last_probe = t;
      progress_note(record.waiting.empty() ? "still working on the update"
                                           : "waiting: " + waiting_text(record.waiting, false),
                    waits_for_window(record.waiting) ? "waiting_window" : nullptr);
      return runtime.ended_on_server && slots_untouched(record.state);
    }
    return false;
  }
  auto stop_id = services.ddi.cancel_action(p->cancel_href);
  if (!stop_id) return false;
  const bool ours = *stop_id == record.action_id;
  if (ours && slots_untouched(record.state)) return true;
  refuse_cancel(services.ddi, *stop_id, ours);
  return false;
}

std::string UpdateContext::policy_hold() {
  if (!hooks.policy) return "";
  const Decision d =
      decide(hooks.policy(), {runtime.security, runtime.deadline}, now(), /*confirmed=*/true);
  if (d.verdict == Verdict::kAllow) return "";
  if (d.reason == DecisionReason::kFrozen) {
    // A freeze period: the wait says until when (its last local day).
    const Policy p = hooks.policy();
    const Freeze* f = holding_freeze(p, {runtime.security, runtime.deadline}, now());
    return "frozen:" + (f ? f->to : std::string("?"));
  }
  return d.reason == DecisionReason::kOutsideWindow ? "window" : "policy";
}

bool UpdateContext::hold_guard() {
  if (runtime.guard_hold) return true;
  if (!services.hardware.guard) return true;
  auto h = services.hardware.guard->try_hold();
  if (!h) return false;
  runtime.guard_hold = std::move(*h);
  return true;
}

}  // namespace posfleet::agent

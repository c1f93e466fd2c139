// posfleet agent: helpers shared by the steps.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

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

void UpdateContext::progress_note(const std::string& line) {
  if (auto s = ddi.feedback(record.action_id, {"proceeding", "none", {line}, 0}); !s)
    spdlog::info("update: progress note not delivered ({}); continuing", s.error().message);
}

Expected<std::string> installed_version(BootControl& boot) {
  auto st = boot.state();
  if (!st) return st.error();
  auto text = read_file(boot.slot_dir(st->good) + "/slot.json");
  if (!text) return text.error();
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return make_error(Code::kParse, "slot.json of slot " + st->good + " is damaged");
  return json::string_or(v->get_object(), "version", "");
}

}  // namespace posfleet::agent

namespace posfleet::agent {

Event UpdateContext::wait_for(const std::string& reason, int seconds) {
  if (record.waiting != reason) {
    record.waiting = reason;
    spdlog::info("update: action {} waits: {}", record.action_id, waiting_text(reason, false));
    progress_note("waiting: " + waiting_text(reason, false));
  }
  wait(seconds);
  return Event::kRetry;
}

bool UpdateContext::cancel_requested() {
  const auto now = unix_now();
  if (now - last_cancel_check < std::max(1, poll_seconds)) return false;
  last_cancel_check = now;
  auto p = ddi.poll();
  if (!p) return false;
  if (on_poll) on_poll(*p);
  // The server replaced this action by a newer one (deployments.h): it
  // offers another action now, which is a cancel of this one.
  if (p->cancel_href.empty() && !p->deployment_href.empty()) {
    const auto at = p->deployment_href.find("/deploymentBase/");
    if (at == std::string::npos) return false;
    const auto id = std::strtoll(p->deployment_href.c_str() + at + 16, nullptr, 10);
    return id > 0 && id != record.action_id;
  }
  if (p->cancel_href.empty()) return false;
  auto stop_id = ddi.cancel_action(p->cancel_href);
  return stop_id && *stop_id == record.action_id;
}

std::string UpdateContext::policy_hold() {
  if (!policy) return "";
  const Decision d = decide(policy(), {security, deadline}, unix_now(), /*confirmed=*/true);
  if (d.verdict == Verdict::kAllow) return "";
  return d.reason == "outside_window" ? "window" : "policy";
}

bool UpdateContext::hold_guard() {
  if (guard_hold) return true;
  if (!guard) return true;
  auto h = guard->try_hold();
  if (!h) return false;
  guard_hold = std::move(*h);
  return true;
}

}  // namespace posfleet::agent

#include "agent/state/state_machine.h"

#include "agent/state/fault_injection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace posfleet::agent {

namespace {

// The whole life cycle of an update. A state persists itself before its step
// runs; until "install" nothing on the slots has changed, so failures there
// only report; from "reboot" on, every failure goes through "rollback".
//
//   idle → check_manifest → download → verify → precheck → backup → install
//        → reboot → health_check → commit → report_success → idle
// A release that is exactly the one installed (a replay) goes from
// check_manifest to report_unchanged: success, nothing installed.
struct Transition {
  const char* from;
  Event on;
  const char* to;
};
constexpr Transition kTable[] = {
    {"check_manifest", Event::kDone, "download"},
    {"check_manifest", Event::kFailed, "report_failure"},
    {"check_manifest", Event::kCanceled, "report_canceled"},
    {"check_manifest", Event::kUnchanged, "report_unchanged"},
    {"download", Event::kDone, "verify"},
    {"download", Event::kRetry, "download"},
    {"download", Event::kFailed, "report_failure"},
    {"download", Event::kCanceled, "report_canceled"},
    {"verify", Event::kDone, "precheck"},
    {"verify", Event::kFailed, "report_failure"},
    {"verify", Event::kCanceled, "report_canceled"},
    {"precheck", Event::kDone, "backup"},
    {"precheck", Event::kRetry, "precheck"},
    {"precheck", Event::kCanceled, "report_canceled"},
    {"backup", Event::kDone, "install"},
    {"backup", Event::kRetry, "backup"},
    {"backup", Event::kFailed, "report_failure"},
    {"backup", Event::kCanceled, "report_canceled"},
    {"install", Event::kRetry, "install"},
    {"install", Event::kDone, "reboot"},
    {"install", Event::kFailed, "rollback"},
    {"reboot", Event::kDone, "health_check"},
    {"reboot", Event::kRetry, "reboot"},
    {"reboot", Event::kFellBack, "rollback"},
    {"reboot", Event::kFailed, "rollback"},
    {"health_check", Event::kDone, "commit"},
    {"health_check", Event::kRetry, "health_check"},  // after a restart, a sale holds the guard
    {"health_check", Event::kFailed, "rollback"},
    {"commit", Event::kDone, "report_success"},
    {"commit", Event::kRetry, "commit"},  // after a restart, a sale holds the guard
    {"commit", Event::kFailed, "rollback"},
    {"rollback", Event::kDone, "report_failure"},
    {"rollback", Event::kRetry, "rollback"},
    {"report_success", Event::kDone, "idle"},
    {"report_success", Event::kRetry, "report_success"},
    {"report_failure", Event::kDone, "idle"},
    {"report_failure", Event::kRetry, "report_failure"},
    {"report_canceled", Event::kDone, "idle"},
    {"report_canceled", Event::kRetry, "report_canceled"},
    {"report_unchanged", Event::kDone, "idle"},
    {"report_unchanged", Event::kRetry, "report_unchanged"},
};

struct StepEntry {
  const char* state;
  Event (*run)(UpdateContext&);
};
constexpr StepEntry kSteps[] = {
    {"check_manifest", check_manifest},
    {"download", download},
    {"verify", verify_artifacts},
    {"precheck", precheck},
    {"backup", backup},
    {"install", install},
    {"reboot", reboot},
    {"health_check", health_check},
    {"commit", commit},
    {"rollback", rollback},
    {"report_success", report_success},
    {"report_failure", report_failure},
    {"report_canceled", report_canceled},
    {"report_unchanged", report_unchanged},
};

const char* event_name(Event e) {
  switch (e) {
    case Event::kDone:
      return "done";
    case Event::kFailed:
      return "failed";
    case Event::kRetry:
      return "retry";
    case Event::kFellBack:
      return "fell_back";
    case Event::kCanceled:
      return "canceled";
    case Event::kUnchanged:
      return "unchanged";
  }
  return "?";
}

}  // namespace

Status UpdateMachine::enter(const std::string& state) {
  if (ctx_.record.state != state) {
    ctx_.record.resumes = 0;
    ctx_.record.retries = 0;
  } else {
    ++ctx_.record.retries;
  }
  ctx_.record.state = state;
  auto saved = ctx_.record.save(path_);
  fault::at_state(state);
  return saved;
}

Status UpdateMachine::start(const Deployment& d, const std::vector<std::string>& selected) {
  if (!idle()) return make_error(Code::kConflict, "an update is already in progress");
  auto& r = ctx_.record;
  r.action_id = d.action_id;
  r.manifest_text = d.manifest_text;
  r.version.clear();
  r.artifacts.clear();
  for (const auto& a : d.artifacts)
    r.artifacts.push_back({a.chunk, "", a.filename, a.href, "", a.size});
  r.offered_deltas.clear();
  for (const auto& a : d.deltas)
    r.offered_deltas.push_back({a.chunk, "", a.filename, a.href, "", a.size});
  r.target_slot.clear();
  r.error.clear();
  r.error_code = 0;
  r.resumed_from = 0;
  r.selected = selected;
  r.waiting.clear();
  r.download_failures = 0;
  r.download_since = 0;
  r.retry_at = 0;
  spdlog::info("update: action {} offered with {} artifact(s)", d.action_id, d.artifacts.size());
  return enter("check_manifest");
}

Status UpdateMachine::resume() {
  auto& r = ctx_.record;
  if (idle()) return ok_status();
  ++r.resumes;
  spdlog::info("update: resuming action {} in state {} (restart {} of at most {})", r.action_id,
               r.state, r.resumes, kMaxResumes);
  // Give up on a state that keeps crashing — but not on waiting (precheck:
  // nightly power-offs are normal there), nor on commit (idempotent, and the
  // new slot may already be committed), rollback or reporting.
  const bool may_give_up = r.state != "precheck" && r.state != "commit" && r.state != "rollback" &&
                           r.state.rfind("report_", 0) != 0;
  if (r.resumes > kMaxResumes && may_give_up) {
    r.error_code = static_cast<int>(Code::kInternal);
    r.error = "the agent restarted " + std::to_string(r.resumes - 1) + " times in state " +
              r.state + "; giving up";
    return enter(slots_untouched(r.state) ? "report_failure" : "rollback");
  }
  return r.save(path_);
}

Status UpdateMachine::step() {
  const std::string state = ctx_.record.state;
  auto s = std::find_if(std::begin(kSteps), std::end(kSteps),
                        [&](const StepEntry& e) { return state == e.state; });
  if (s == std::end(kSteps)) return make_error(Code::kInternal, "no step for state " + state);
  const Event ev = around_step ? around_step(state, ctx_, s->run) : s->run(ctx_);
  auto t = std::find_if(std::begin(kTable), std::end(kTable),
                        [&](const Transition& tr) { return state == tr.from && ev == tr.on; });
  if (t == std::end(kTable))
    return make_error(Code::kInternal,
                      std::string("no transition from ") + state + " on " + event_name(ev));
  if (state != t->to) spdlog::info("update: {} --{}--> {}", state, event_name(ev), t->to);
  return enter(t->to);
}

std::vector<std::string> UpdateMachine::states_in_tables() {
  std::vector<std::string> out{"idle"};
  auto add = [&](const char* name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
  };
  for (const auto& t : kTable) {
    add(t.from);
    add(t.to);
  }
  for (const auto& e : kSteps) add(e.state);
  return out;
}

Expected<bool> UpdateMachine::cancel() {
  if (!slots_untouched(ctx_.record.state)) return false;
  ctx_.record.error = "canceled by the operator";
  if (auto s = enter("report_canceled"); !s) return s.error();
  return true;
}

}  // namespace posfleet::agent

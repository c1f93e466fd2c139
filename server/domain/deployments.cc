#include "server/domain/deployments.h"

#include <boost/json.hpp>

#include <set>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "core/version.h"
#include "server/domain/audit.h"
#include "server/domain/last_seen.h"
#include "server/domain/notifications.h"
#include "server/domain/organisations.h"
#include "server/domain/phases.h"
#include "server/domain/policy.h"
#include "server/domain/terminal_view.h"
#include "server/domain/terminals.h"

namespace posfleet::domain {

using store::DeploymentPhase;
using store::DeploymentResult;
using store::DeploymentStatus;

bool is_open(const store::DeploymentRecord& d) { return store::is_open(d.status); }

bool started_installing(const store::DeploymentRecord& d,
                        const std::vector<store::ActionStatusRecord>& history) {
  if (d.status == DeploymentStatus::kScheduled) return false;
  for (const auto& s : history) {
    // A whole download, or any step after it, means the next step may be the install.
    if (s.progress_of > 0 && s.progress_cnt >= s.progress_of) return true;
    if (s.execution == "confirmed" || s.execution == "scheduled") continue;
    if (s.execution != "proceeding" && s.execution != "downloading" && s.execution != "download")
      return true;
    auto lines = json::parse(s.details_json);
    if (!lines || !lines->is_array()) continue;
    for (const auto& l : lines->get_array()) {
      if (!l.is_string()) continue;
      const std::string_view line = l.get_string();
      if (line.starts_with(kPhaseLinePrefix)) continue;  // phases.h: the agent's structured line
      const bool downloading = line.starts_with("downloading") || line.starts_with("downloaded") ||
                               line.starts_with("waiting: ");
      if (!downloading || line == "downloaded 100%") return true;
    }
  }
  return false;
}

namespace {

bool older(const std::string& a, const std::string& b) {
  auto va = Version::parse(a), vb = Version::parse(b);
  return va && vb && *va < *vb;
}

// Cancels `open` so that release `r` can replace it, inside the assignment's change.
Status cancel_for_replacement(store::Tx& tx, store::DeploymentRecord open,
                              const store::ReleaseRecord& r, const Actor& who) {
  const DeploymentStatus was = open.status;
  open.status = DeploymentStatus::kCanceled;
  open.updated = unix_now();
  open.message = "replaced by release " + r.version;
  if (auto s = tx.update_deployment(open); !s) return s;
  return record_audit(tx, who, "deployment.replace", "deployment:" + std::to_string(open.id),
                      store::to_string(was), "canceled; replaced by release " + r.version,
                      "a newer release was deployed");
}

}  // namespace

Expected<Assignment> assign_to(store::Tx& tx, const store::ReleaseRecord& r,
                               const store::TerminalRecord& t, bool dry_run, const Actor& who,
                               std::int64_t rollout_id) {
  Assignment out;
  auto stop = tx.release_stop(r.id);
  if (!stop) return stop.error();
  if (*stop)
    return make_error(Code::kReleaseStopped,
                      "release " + r.version + " was stopped by " + (*stop)->by + " (" +
                          (*stop)->reason +
                          "); an administrator lifts the stop (DELETE /api/v1/releases/" +
                          r.version + "/stop) before it is deployed again");
  if (t.retired) {
    out.skipped = "retired";
    return out;
  }
  if (r.org_id != store::kRootOrganisation && t.org_id != r.org_id) {
    // A release of an organisation reaches that organisation's subtree alone.
    auto ours = organisation_path(tx, r.org_id), theirs = organisation_path(tx, t.org_id);
    if (!ours) return ours.error();
    if (!theirs) return theirs.error();
    if (!theirs->starts_with(*ours)) {
      out.skipped = "other_organisation";
      return out;
    }
  }
  if (!t.installed_version.empty() && t.installed_version == r.version) {
    out.skipped = "already_installed";
    return out;
  }
  auto open = tx.open_deployment(t.id);
  if (!open) return open.error();
  if (*open) {
    const auto& d = **open;
    if (d.release_id == r.id) {
      out.skipped = "already_open";
      return out;
    }
    auto old = tx.release_by_id(d.release_id);
    if (!old) return old.error();
    auto history = tx.action_history(d.id);
    if (!history) return history.error();
    if (d.status == DeploymentStatus::kCanceling || !older(old->version, r.version)) {
      out.skipped = "busy";
      return out;
    }
    if (started_installing(d, *history)) {
      out.skipped = "installing";
      return out;
    }
    out.replaced = d.id;
    if (!dry_run)
      if (auto s = cancel_for_replacement(tx, d, r, who); !s) return s.error();
  }
  store::DeploymentRecord d;
  d.terminal_id = t.id;
  d.release_id = r.id;
  d.created = d.updated = d.phase_since = unix_now();
  d.rollout_id = rollout_id;
  if (!dry_run) {
    // The read above and this insert are one transaction: no other assignment lands between.
    auto id = tx.insert_deployment(d);
    if (!id) return id.error();
    d.id = *id;
  }
  out.created = d;
  return out;
}

Expected<Assignment> assign_to(Context& ctx, const store::ReleaseRecord& r,
                               const store::TerminalRecord& t, bool dry_run, const Actor& who) {
  if (dry_run) return assign_to(static_cast<store::Tx&>(ctx.store), r, t, true, who);
  Expected<Assignment> out = Assignment{};
  if (auto s = commit_change(ctx,
                             [&](store::Tx& tx) -> Status {
                               out = assign_to(tx, r, t, false, who);
                               return out ? ok_status() : Status(out.error());
                             });
      !s)
    return s.error();
  return out;
}

Expected<store::DeploymentRecord> assign_release(Context& ctx, const std::string& version,
                                                 const std::string& serial, const Actor& who,
                                                 const std::string& reason) {
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  store::DeploymentRecord created;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto r = tx.release_by_version(version);
    if (!r) return r.error();
    auto t = tx.terminal_by_serial(ctx.tenant, serial);
    if (!t) return t.error();
    if (t->retired)
      return make_error(Code::kWrongState,
                        "terminal " + serial + " is retired; it takes no deployments");
    auto a = assign_to(tx, *r, *t, false, who);
    if (!a) return a.error();
    if (a->skipped == "already_installed")
      return make_error(Code::kConflict,
                        "terminal " + serial + " already runs " + version + "; nothing to deploy");
    if (a->skipped == "installing")
      return make_error(Code::kConflict, "terminal " + serial +
                                             " is installing another release; deploy again when "
                                             "it has finished");
    if (a->skipped == "other_organisation")
      return make_error(Code::kConflict, "release " + version +
                                             " is for another organisation's terminals; terminal " +
                                             serial + " is not one of them");
    if (!a->created)
      return make_error(Code::kConflict, "terminal " + serial +
                                             " already has an open deployment; wait for it or "
                                             "cancel it first");
    created = *a->created;
    return record_audit(tx, who, "deployment.create", "terminal:" + serial, "",
                        "release " + version + ", deployment " + std::to_string(created.id),
                        reason);
  });
  if (!s) return s.error();
  return created;
}

Expected<store::DeploymentRecord> request_cancel(store::Tx& tx, std::int64_t deployment_id) {
  auto d = tx.deployment(deployment_id);
  if (!d) return d.error();
  if (!is_open(*d))
    return make_error(Code::kWrongState, "deployment " + std::to_string(deployment_id) +
                                             " has already ended (" + store::to_string(d->status) +
                                             ")");
  const bool fetched = d->status != DeploymentStatus::kScheduled;
  // Never fetched: the terminal knows nothing of it, so it ends here and
  // does not wait (perhaps for ever) for a terminal to confirm.
  d->status = fetched ? DeploymentStatus::kCanceling : DeploymentStatus::kCanceled;
  d->updated = unix_now();
  d->message = fetched ? "cancel requested by operator"
                       : "canceled by operator before the terminal fetched it";
  // Fetched: the terminal may be working on it, so its phase stays until it answers.
  if (!fetched) move_phase(*d, DeploymentPhase::kCanceled, d->updated);
  if (auto s = tx.update_deployment(*d); !s) return s.error();
  return d;
}

Expected<store::DeploymentRecord> request_cancel(Context& ctx, std::int64_t deployment_id,
                                                 const Actor& who, const std::string& reason) {
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  store::DeploymentRecord out;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto d = request_cancel(tx, deployment_id);
    if (!d) return d.error();
    out = *d;
    return record_audit(tx, who, "deployment.cancel", "deployment:" + std::to_string(out.id), "",
                        store::to_string(out.status), reason);
  });
  if (!s) return s.error();
  return out;
}

namespace {

Expected<store::DeploymentRecord> deployment_of(store::Tx& tx, const store::TerminalRecord& t,
                                                std::int64_t id) {
  auto d = tx.deployment(id);
  if (!d || d->terminal_id != t.id)
    return make_error(Code::kNotFound, "no action " + std::to_string(id) + " for this terminal");
  return d;
}

}  // namespace

Expected<store::DeploymentRecord> deployment_of(Context& ctx, const store::TerminalRecord& t,
                                                std::int64_t id) {
  return deployment_of(static_cast<store::Tx&>(ctx.store), t, id);
}

namespace {

// A failed update's cause in plain words and which menu item helps, by the
// terminal's error code (core/result.h).
std::pair<std::string, std::string> failure_words(int code) {
  if (code >= 10 && code <= 17)
    return {"更新包未通过安全检查，已拒绝安装，无需操作。",
            "The update failed its security check and was refused; you need not do anything."};
  if (code == 20 || code == 21)
    return {
        "下载未能完成（网络或服务器问题）。请检查网络，然后在 设置 中选择 重启设备。",
        "The download did not complete (network or server problem). Check the network, then choose "
        "Settings > Restart the terminal."};
  if (code >= 30 && code <= 32)
    return {"新版本未能正常运行，已自动恢复原来的版本。如仍有异常，请在 设置 中选择 恢复默认设置。",
            "The new version did not run properly, so the terminal went back to the previous one. "
            "If anything "
            "still seems wrong, choose Settings > Reset settings."};
  return {"如问题持续，请在 设置 中选择 重启设备，仍不行请联系客服。",
          "If the problem persists, choose Settings > Restart the terminal; if that does not help, "
          "contact "
          "support."};
}

Status append_history(store::Tx& tx, std::int64_t deployment_id, const Feedback& fb) {
  boost::json::array details;
  for (const auto& line : fb.details) details.push_back(boost::json::string(line));
  return tx.append_action_status({0, deployment_id, unix_now(), fb.execution, fb.result,
                                  json::serialize(details), fb.code, fb.progress_cnt,
                                  fb.progress_of});
}

const std::set<std::string> kExecutions = {"closed",      "proceeding", "canceled",
                                           "scheduled",   "rejected",   "resumed",
                                           "downloading", "downloaded", "download"};

Status check_feedback(const Feedback& fb) {
  if (!kExecutions.count(fb.execution))
    return make_error(
        Code::kInvalidArgument,
        "status.execution \"" + text::safe_echo(fb.execution) + "\" is not a DDI execution status");
  if (fb.result != "success" && fb.result != "failure" && fb.result != "none")
    return make_error(Code::kInvalidArgument,
                      "status.result.finished must be success, failure or none");
  return ok_status();
}

}  // namespace

Status record_feedback(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id,
                       const Feedback& fb) {
  if (auto s = check_feedback(fb); !s) return s;
  store::DeploymentRecord d;
  std::string version;
  // A terminal's report changes its own rows: beside other terminals' (store.h).
  auto s = ctx.store.transact_terminal(t.id, [&](store::Tx& tx) -> Status {
    auto read = deployment_of(tx, t, deployment_id);
    if (!read) return read.error();
    d = *read;
    if (!is_open(d))
      return make_error(Code::kGone, "action " + std::to_string(deployment_id) +
                                         " has already ended (" + store::to_string(d.status) + "/" +
                                         store::to_string(d.result) + ")");
    if (auto s = append_history(tx, d.id, fb); !s) return s;
    auto r = tx.release_by_id(d.release_id);
    if (!r) return r.error();
    version = r->version;
    if (!fb.details.empty()) d.message = fb.details.back();
    d.updated = unix_now();
    if (fb.execution == "closed" && fb.result == "success") {
      if (auto s = tx.set_installed_version(t.id, r->version); !s) return s;
      d.status = DeploymentStatus::kFinished;
      d.result = DeploymentResult::kSuccess;
    } else if ((fb.execution == "closed" && fb.result == "failure") || fb.execution == "rejected") {
      d.status = DeploymentStatus::kFinished;
      d.result = DeploymentResult::kFailure;
    } else if (fb.execution == "canceled") {
      d.status = DeploymentStatus::kCanceled;
    } else if (d.status == DeploymentStatus::kScheduled) {
      d.status = DeploymentStatus::kRunning;
    }
    move_phase(d, next_phase(d.phase, fb), d.updated);
    // Read and written in one transaction: a cancel requested meanwhile is
    // either before (and kept) or after this report.
    return tx.update_deployment(d);
  });
  if (!s) return s;
  if (d.status == DeploymentStatus::kFinished && d.result == DeploymentResult::kFailure) {
    // Tell the merchant in plain words: nothing changed for them.
    // The terminal's own words (English, technical) stay in the history for
    // the back office; the merchant reads the cause and what to do.
    const auto [why_zh, why_en] = failure_words(fb.code);
    notify(ctx, t.id, "update_failed", std::to_string(d.id),
           "更新 " + version + " 未能完成，终端仍在使用原来的版本，交易记录完好，可以照常收款。" +
               why_zh,
           "Update " + version +
               " did not complete. The terminal still runs its previous version and every "
               "transaction is kept; you can take payments as usual. " +
               why_en);
  }
  return ok_status();
}

Status record_confirmation(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id,
                           bool confirmed, const std::vector<std::string>& details) {
  return ctx.store.transact_terminal(t.id, [&](store::Tx& tx) -> Status {
    auto d = deployment_of(tx, t, deployment_id);
    if (!d) return d.error();
    if (!is_open(*d))
      return make_error(Code::kGone,
                        "action " + std::to_string(deployment_id) + " has already ended");
    Feedback fb{confirmed ? "confirmed" : "denied", "none", details, 0};
    if (auto s = append_history(tx, d->id, fb); !s) return s;
    d->updated = unix_now();
    if (!details.empty()) d->message = details.back();
    if (confirmed && d->status == DeploymentStatus::kScheduled)
      d->status = DeploymentStatus::kRunning;
    // Confirmed: the agent starts (phases.h); denied by the merchant: declined.
    if (confirmed &&
        (d->phase == DeploymentPhase::kScheduled || d->phase == DeploymentPhase::kWaitingWindow))
      move_phase(*d, DeploymentPhase::kDownloading, d->updated);
    if (!confirmed) {
      d->status = DeploymentStatus::kFinished;
      d->result = DeploymentResult::kFailure;
      move_phase(*d, DeploymentPhase::kDeclined, d->updated);
    }
    return tx.update_deployment(*d);
  });
}

Status record_cancel_feedback(Context& ctx, const store::TerminalRecord& t,
                              std::int64_t deployment_id, const Feedback& fb) {
  if (auto s = check_feedback(fb); !s) return s;
  return ctx.store.transact_terminal(t.id, [&](store::Tx& tx) -> Status {
    auto d = deployment_of(tx, t, deployment_id);
    if (!d) return d.error();
    if (d->status != DeploymentStatus::kCanceling)
      return make_error(Code::kGone,
                        "action " + std::to_string(deployment_id) + " is not being canceled");
    if (auto s = append_history(tx, d->id, fb); !s) return s;
    d->updated = unix_now();
    if ((fb.execution == "closed" && fb.result == "success") || fb.execution == "canceled") {
      d->status = DeploymentStatus::kCanceled;
      d->message = "canceled on the terminal";
      move_phase(*d, DeploymentPhase::kCanceled, d->updated);
    } else if (fb.execution == "rejected" || fb.result == "failure") {
      d->status = DeploymentStatus::kRunning;
      d->message = fb.details.empty() ? "terminal refused to cancel" : fb.details.back();
    }
    return tx.update_deployment(*d);
  });
}

Expected<ActionFetch> fetch_action(Context& ctx, const store::TerminalRecord& t, std::int64_t id,
                                   bool installed, bool with_history) {
  ActionFetch out;
  auto s = ctx.store.transact_terminal(t.id, [&](store::Tx& tx) -> Status {
    out = ActionFetch{};  // the work may run again (store.h)
    auto d = deployment_of(tx, t, id);
    if (!d) return d.error();
    const bool finished_ok =
        d->status == DeploymentStatus::kFinished && d->result == DeploymentResult::kSuccess;
    if (installed ? !finished_ok : !is_open(*d))
      return make_error(Code::kNotFound, "action " + std::to_string(id) + " is not " +
                                             (installed ? "installed" : "open"));
    auto r = tx.release_by_id(d->release_id);
    if (!r) return r.error();
    if (!installed) {
      auto policy = effective_policy(ctx, t);
      if (!policy) return policy.error();
      if (!offer_for(ctx, t, *policy, *d, *r, /*posfleet_client=*/true).visible)
        return make_error(Code::kWrongState, "updates are turned off for this terminal");
    }
    for (const auto& c : r->components) {
      auto a = tx.artifact(c.sha256);
      if (!a) return a.error();
      out.artifacts.push_back(*a);
    }
    if (with_history) {
      auto h = tx.action_history(d->id);
      if (!h) return h.error();
      out.history = std::move(*h);
    }
    out.deployment = *d;
    out.release = std::move(*r);
    if (installed || d->status != DeploymentStatus::kScheduled) return ok_status();
    // The terminal has it now: a cancel from here on must wait for its answer.
    d->status = DeploymentStatus::kRunning;
    d->updated = unix_now();
    move_phase(*d, DeploymentPhase::kDownloading, d->updated);
    return tx.update_deployment(*d);
  });
  if (!s) return s.error();
  return out;
}

Status note_poll(Context& ctx, const store::TerminalRecord& t) {
  const auto now = unix_now();
  if (now - t.last_seen >= last_seen_step_seconds(ctx)) {  // coarse: most polls stay read-only
    // A terminal's first poll is written at once: from then on it counts as reachable (a
    // rollout's wave, the console), which must not wait for the next batch.
    if (ctx.last_seen && t.last_seen != 0)
      ctx.last_seen->seen(t.id, now);
    else if (auto s = ctx.store.touch_terminal(t.id, now); !s)
      return s.error();
  }
  return adopt_reported_version(ctx, t);
}

Expected<DeploymentView> deployment_view(Context& ctx, const store::DeploymentRecord& d,
                                         bool with_history) {
  DeploymentView v{d, "", "", std::nullopt};
  auto t = ctx.store.terminal_by_id(d.terminal_id);
  if (!t) return t.error();
  v.serial = t->serial;
  auto r = ctx.store.release_by_id(d.release_id);
  if (!r) return r.error();
  v.version = r->version;
  if (with_history) {
    auto h = ctx.store.action_history(d.id);
    if (!h) return h.error();
    v.history = std::move(*h);
  }
  return v;
}

Expected<DeploymentView> deployment_view(Context& ctx, std::int64_t id) {
  auto d = ctx.store.deployment(id);
  if (!d) return d.error();
  return deployment_view(ctx, *d, true);
}

Expected<DeploymentPage> find_deployments(Context& ctx, const std::string& serial,
                                          const std::string& version, store::DeploymentQuery q) {
  if (!serial.empty()) {
    auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
    if (!t) return t.error();
    q.terminal_id = t->id;
  }
  if (!version.empty()) {
    auto r = ctx.store.release_by_version(version);
    if (!r) return r.error();
    q.release_id = r->id;
  }
  DeploymentPage page;
  auto ds = ctx.store.query_deployments(q);
  if (!ds) return ds.error();
  auto total = ctx.store.count_deployments(q);
  if (!total) return total.error();
  page.total = *total;
  for (const auto& d : *ds) {
    auto v = deployment_view(ctx, d, false);
    if (!v) return v.error();
    page.rows.push_back(std::move(*v));
  }
  return page;
}

Expected<PollView> poll_view(Context& ctx, const store::TerminalRecord& t, bool posfleet_client,
                             std::int64_t since) {
  auto open = ctx.store.open_deployment(t.id);
  if (!open) return open.error();
  return poll_view(ctx, store::PollingTerminal{t, std::move(*open)}, posfleet_client, since);
}

Expected<PollView> poll_view(Context& ctx, const store::PollingTerminal& polled,
                             bool posfleet_client, std::int64_t since) {
  const store::TerminalRecord& t = polled.terminal;
  if (auto s = note_poll(ctx, t); !s) return s.error();
  PollView v;
  v.open = polled.open;
  if (v.open || posfleet_client) {
    auto p = effective_policy(ctx, t);
    if (!p) return p.error();
    v.policy = *p;
  }
  if (v.open && v.open->status != DeploymentStatus::kCanceling) {
    auto r = ctx.store.release_by_id(v.open->release_id);
    if (!r) return r.error();
    v.release = *r;
    v.offer = offer_for(ctx, t, *v.policy, *v.open, *r, posfleet_client);
    // Held back here (a stock client outside its window, or updates turned off): the terminal
    // waits legitimately, and says nothing of it itself. Written once, when it starts waiting.
    if (!v.offer.visible && v.open->status == DeploymentStatus::kScheduled &&
        v.open->phase == DeploymentPhase::kScheduled) {
      auto held = *v.open;
      move_phase(held, DeploymentPhase::kWaitingWindow, unix_now());
      auto written = ctx.store.update_deployment_if(held, DeploymentStatus::kScheduled);
      if (!written) return written.error();
      if (*written) v.open = held;
    }
  }
  if (posfleet_client) {
    auto ns = ctx.store.notifications(t.id, since, 50);
    if (!ns) return ns.error();
    v.notifications = std::move(*ns);
  }
  return v;
}

Expected<ModuleArtifact> artifact_for(Context& ctx, const store::TerminalRecord& t,
                                      std::int64_t module_id) {
  auto c = ctx.store.component(module_id);
  if (!c) return c.error();
  auto assigned = ctx.store.release_assigned(t.id, c->release_id);
  if (!assigned) return assigned.error();
  if (!*assigned) return make_error(Code::kNotFound, "no such artifact for this terminal");
  auto a = ctx.store.artifact(c->sha256);
  if (!a) return a.error();
  return ModuleArtifact{*c, *a};
}

}  // namespace posfleet::domain

// posfleet server: operators' actions on staged rollouts, the kill switch, and the views
// (actions.h).
// Thread-safety: stateless functions over the store.
#include "server/domain/rollouts/actions.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/domain/audit.h"
#include "server/domain/deployments.h"
#include "server/domain/rollouts/engine.h"
#include "server/domain/webhooks.h"

namespace posfleet::domain::rollouts {

namespace bj = boost::json;

namespace {

std::string target_of(std::int64_t id) { return "rollout:" + std::to_string(id); }

Status refuse_stopped(store::Tx& tx, const store::ReleaseRecord& r) {
  auto stop = tx.release_stop(r.id);
  if (!stop) return stop.error();
  if (!*stop) return ok_status();
  return make_error(Code::kReleaseStopped, "release " + r.version + " was stopped by " +
                                               (*stop)->by + " (" + (*stop)->reason +
                                               "); an administrator lifts the stop first");
}

// Draft → running now, or scheduled for start_at.
Status start_in(Context& ctx, store::Tx& tx, store::RolloutRecord& r, const Actor& who,
                const std::string& reason, std::int64_t now) {
  auto release = tx.release_by_id(r.release_id);
  if (!release) return release.error();
  if (auto s = refuse_stopped(tx, *release); !s) return s;
  if (r.start_at > now) {
    const std::string before = r.state;
    r.state = to_string(RolloutState::kScheduled);
    r.state_reason = "starts at " + format_utc(r.start_at);
    if (auto s = tx.update_rollout(r); !s) return s;
    return record_audit(tx, who, "rollout.schedule", target_of(r.id), before, r.state_reason,
                        reason);
  }
  if (auto s = begin_rollout(ctx, tx, r, now, who); !s) return s;
  return advance_rollout(ctx, tx, r.id, now);
}

Error wrong_state(const store::RolloutRecord& r, const char* action, const char* allowed) {
  return make_error(Code::kWrongState, "rollout " + std::to_string(r.id) + " is " + r.state + "; " +
                                           action + " only a rollout that is " + allowed);
}

std::int64_t failed_of(const store::PhaseCounts& c) {
  std::int64_t n = 0;
  for (const char* k : {"failed", "rolled_back", "timed_out"})
    if (auto it = c.find(k); it != c.end()) n += it->second;
  return n;
}

Expected<std::int64_t> retry_failed(store::Tx& tx, const store::RolloutRecord& r,
                                    const Actor& who) {
  auto release = tx.release_by_id(r.release_id);
  if (!release) return release.error();
  auto members = tx.members_in_phases(r.id, r.current_wave, {"failed", "rolled_back", "timed_out"});
  if (!members) return members.error();
  std::int64_t made = 0;
  for (const auto& m : *members) {
    auto t = tx.terminal_by_id(m.terminal_id);
    if (!t) return t.error();
    auto within = within_rollout(tx, r, *t);
    if (!within) return within.error();
    if (!*within) continue;
    auto a = assign_to(tx, *release, *t, false, who, r.id);
    if (!a) return a.error();
    if (!a->created) continue;
    if (auto s = tx.set_member_deployment(r.id, t->id, a->created->id, ""); !s) return s.error();
    ++made;
  }
  return made;
}

}  // namespace

Expected<store::RolloutRecord> create_rollout(Context& ctx, const Plan& plan, const Actor& who) {
  if (auto s = check_plan(plan); !s) return s.error();
  std::int64_t id = 0;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    const std::int64_t now = unix_now();
    auto release = tx.release_by_version(plan.release);
    if (!release) return release.error();
    if (auto st = refuse_stopped(tx, *release); !st) return st;
    store::RolloutRecord r;
    r.name = plan.name.empty() ? plan.release + " rollout" : plan.name;
    r.release_id = release->id;
    r.target_json = plan.target.to_json();
    r.waves_json = waves_to_json(plan.waves);
    r.state = to_string(RolloutState::kDraft);
    r.state_reason = "created";
    r.created_by = who.name;
    r.created = now;
    r.start_at = plan.start_at;
    r.offline_days = plan.offline_days;
    r.org_id = plan.org_id;
    auto inserted = tx.insert_rollout(r);
    if (!inserted) return inserted.error();
    r.id = id = *inserted;
    std::vector<store::RolloutWaveRecord> waves;
    for (std::size_t i = 0; i < plan.waves.size(); ++i) {
      store::RolloutWaveRecord w;
      w.rollout_id = r.id;
      w.index = static_cast<std::int64_t>(i);
      w.spec_json = json::serialize(plan.waves[i].to_json());
      waves.push_back(w);
    }
    if (auto st = tx.insert_rollout_waves(waves); !st) return st;
    if (auto st = record_audit(tx, who, "rollout.create", target_of(r.id), "",
                               "release " + plan.release + ", target " +
                                   json::serialize(plan.target.shown()) + ", waves " + r.waves_json,
                               plan.reason);
        !st)
      return st;
    if (!plan.start) return ok_status();
    return start_in(ctx, tx, r, who, plan.reason, now);
  });
  if (!s) return s.error();
  return ctx.store.rollout(id);
}

Expected<store::RolloutRecord> act(Context& ctx, std::int64_t id, Action action, const Actor& who,
                                   const std::string& reason) {
  if (auto s = check_reason(
          reason, action == Action::kCancel ? "say why the rollout is canceled" : nullptr);
      !s)
    return s.error();
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    const std::int64_t now = unix_now();
    auto r = tx.rollout(id);
    if (!r) return r.error();
    auto state = parse_rollout_state(r->state);
    if (!state) return state.error();
    const std::string before = r->state;
    const std::string by = who.name + (reason.empty() ? "" : ": " + reason);
    switch (action) {
      case Action::kStart:
        if (*state != RolloutState::kDraft) return wrong_state(*r, "start", "a draft");
        return start_in(ctx, tx, *r, who, reason, now);
      case Action::kPause: {
        if (*state != RolloutState::kScheduled && *state != RolloutState::kRunning &&
            *state != RolloutState::kWaitingApproval)
          return wrong_state(*r, "pause", "scheduled, running or waiting for approval");
        r->state = to_string(RolloutState::kPaused);
        r->state_reason = "paused by " + by;
        if (auto st = tx.update_rollout(*r); !st) return st;
        return record_audit(tx, who, "rollout.pause", target_of(id), before, r->state, reason);
      }
      case Action::kResume: {
        if (*state != RolloutState::kPaused) return wrong_state(*r, "resume", "paused");
        auto waves = tx.rollout_waves(id);
        if (!waves) return waves.error();
        auto counts = tx.rollout_wave_counts(id, now - ctx.rollout_unreachable_seconds);
        if (!counts) return counts.error();
        bool approval = false;
        for (auto& w : *waves) {
          approval = approval || w.state == to_string(WaveState::kWaitingApproval);
          if (w.state != to_string(WaveState::kPaused)) continue;
          w.state = to_string(WaveState::kRunning);
          w.failed_base = failed_of((*counts)[w.index]);  // accepted by the operator
          if (auto st = tx.update_rollout_wave(w); !st) return st;
        }
        r->state = to_string(r->started == 0 ? RolloutState::kScheduled
                             : approval      ? RolloutState::kWaitingApproval
                                             : RolloutState::kRunning);
        r->state_reason = "resumed by " + by;
        if (auto st = tx.update_rollout(*r); !st) return st;
        if (auto st =
                record_audit(tx, who, "rollout.resume", target_of(id), before, r->state, reason);
            !st)
          return st;
        return advance_rollout(ctx, tx, id, now);
      }
      case Action::kCancel: {
        if (is_ended(*state)) return wrong_state(*r, "cancel", "not ended");
        auto open = tx.unfetched_deployments_of_rollout(id);
        if (!open) return open.error();
        std::size_t canceled = 0;
        for (auto d : *open) {
          auto dep = tx.deployment(d);
          if (!dep) return dep.error();
          auto t = tx.terminal_by_id(dep->terminal_id);
          if (!t) return t.error();
          auto within = within_rollout(tx, *r, *t);
          if (!within) return within.error();
          if (!*within) continue;  // given away since: its new organisation's to cancel
          if (auto c = request_cancel(tx, d); !c) return c.error();
          ++canceled;
        }
        r->state = to_string(RolloutState::kCanceled);
        r->state_reason = "canceled by " + by;
        r->ended = now;
        if (auto st = tx.update_rollout(*r); !st) return st;
        return record_audit(
            tx, who, "rollout.cancel", target_of(id), before,
            "canceled; " + std::to_string(canceled) + " deployment(s) not fetched yet canceled",
            reason);
      }
      case Action::kApprove: {
        if (*state != RolloutState::kWaitingApproval)
          return wrong_state(*r, "approve", "waiting for approval");
        if (who.name == r->created_by)
          return make_error(Code::kTwoPersonRule, "the two-person rule: someone other than " +
                                                      r->created_by + " approves");
        auto waves = tx.rollout_waves(id);
        if (!waves) return waves.error();
        auto& w = (*waves)[static_cast<std::size_t>(r->current_wave)];
        w.state = to_string(WaveState::kPending);
        w.approved_by = who.name;
        w.approved_at = now;
        if (auto st = tx.update_rollout_wave(w); !st) return st;
        r->state = to_string(RolloutState::kRunning);
        r->state_reason = "wave " + std::to_string(r->current_wave + 1) + " approved by " + by;
        if (auto st = tx.update_rollout(*r); !st) return st;
        if (auto st =
                record_audit(tx, who, "rollout.approve", target_of(id), before,
                             "wave " + std::to_string(r->current_wave + 1) + " approved", reason);
            !st)
          return st;
        return advance_rollout(ctx, tx, id, now);
      }
      case Action::kRetry: {
        if (r->started == 0 || *state == RolloutState::kCanceled ||
            *state == RolloutState::kStopped)
          return wrong_state(*r, "retry", "started and neither canceled nor stopped");
        auto made = retry_failed(tx, *r, who);
        if (!made) return made.error();
        // Failed members are pending again: a step must not judge the wave by counts read
        // before this (engine.h); a changed last_counts tells it, and a new sample follows.
        r->last_counts.clear();
        if (auto st = tx.update_rollout(*r); !st) return st;
        return record_audit(tx, who, "rollout.retry", target_of(id), "",
                            std::to_string(*made) + " new deployment(s) for failed terminals",
                            reason);
      }
    }
    return ok_status();
  });
  if (!s) return s.error();
  return ctx.store.rollout(id);
}

Expected<StopOutcome> stop_release(Context& ctx, const std::string& version,
                                   const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason, "say why the release is stopped"); !s) return s.error();
  StopOutcome out;
  out.release = version;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    const std::int64_t now = unix_now();
    auto release = tx.release_by_version(version);
    if (!release) return release.error();
    if (auto st = tx.put_release_stop({release->id, version, reason, who.name, now}); !st)
      return st;
    auto rollouts = tx.query_rollouts("", release->id, 0, 1000000, "");
    if (!rollouts) return rollouts.error();
    for (auto& r : *rollouts) {
      auto state = parse_rollout_state(r.state);
      if (!state) return state.error();
      if (is_ended(*state)) continue;
      const std::string before = r.state;
      r.state = to_string(RolloutState::kStopped);
      r.state_reason = "stopped by " + who.name + ": " + reason;
      r.ended = now;
      if (auto st = tx.update_rollout(r); !st) return st;
      if (auto st = record_audit(tx, who, "rollout.stop", target_of(r.id), before, r.state, reason);
          !st)
        return st;
      WebhookEvent e{"rollout.stopped",
                     r.id,
                     version,
                     "灰度发布 " + std::to_string(r.id) + "（" + r.name + "）版本 " + version +
                         " 已被紧急停止：" + reason,
                     "Rollout " + std::to_string(r.id) + " (" + r.name + ") of " + version +
                         " was stopped by the kill switch: " + reason,
                     json::serialize(bj::object{{"reason", reason}, {"actor", who.name}}),
                     now};
      if (auto st = enqueue_webhook_event(tx, e); !st) return st;
      ++out.rollouts_stopped;
    }
    auto open = tx.open_deployments_of_release(release->id);
    if (!open) return open.error();
    for (const auto& d : *open) {
      if (d.status == store::DeploymentStatus::kCanceling) continue;
      auto c = request_cancel(tx, d.id);
      if (!c) return c.error();
      ++out.deployments_canceled;
    }
    if (out.rollouts_stopped == 0) {
      WebhookEvent e{"rollout.stopped",
                     0,
                     version,
                     "版本 " + version + " 已被紧急停止：" + reason,
                     "Release " + version + " was stopped by the kill switch: " + reason,
                     json::serialize(bj::object{{"reason", reason}, {"actor", who.name}}),
                     now};
      if (auto st = enqueue_webhook_event(tx, e); !st) return st;
    }
    return record_audit(tx, who, "release.stop", "release:" + version, "",
                        std::to_string(out.rollouts_stopped) + " rollout(s) stopped, " +
                            std::to_string(out.deployments_canceled) +
                            " open deployment(s) canceled",
                        reason);
  });
  if (!s) return s.error();
  return out;
}

Status lift_release_stop(Context& ctx, const std::string& version, const std::string& reason,
                         const Actor& who) {
  if (auto s = check_reason(reason, nullptr); !s) return s;
  return commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto release = tx.release_by_version(version);
    if (!release) return release.error();
    auto deleted = tx.delete_release_stop(release->id);
    if (!deleted) return deleted.error();
    if (!*deleted) return make_error(Code::kNotFound, "release " + version + " is not stopped");
    return record_audit(tx, who, "release.stop_lift", "release:" + version, "stopped",
                        "deployable again", reason);
  });
}

Expected<RolloutView> rollout_view(Context& ctx, std::int64_t id) {
  RolloutView v;
  auto r = ctx.store.rollout(id);
  if (!r) return r.error();
  v.rollout = std::move(*r);
  auto release = ctx.store.release_by_id(v.rollout.release_id);
  if (!release) return release.error();
  v.release = release->version;
  auto target = Target::from_json(v.rollout.target_json);
  if (!target) return target.error();
  v.target = std::move(*target);
  auto specs = waves_from_json(v.rollout.waves_json);
  if (!specs) return specs.error();
  auto waves = ctx.store.rollout_waves(id);
  if (!waves) return waves.error();
  auto counts = ctx.store.rollout_wave_counts(id, unix_now() - ctx.rollout_unreachable_seconds);
  if (!counts) return counts.error();
  for (auto& w : *waves) {
    const auto i = static_cast<std::size_t>(w.index);
    WaveView wv{w, i < specs->size() ? (*specs)[i] : WaveSpec{}, full_counts((*counts)[w.index])};
    v.total += w.terminals;
    v.success += wv.counts["success"];
    v.failed += failed_of(wv.counts);
    v.waves.push_back(std::move(wv));
  }
  return v;
}

Expected<RolloutPage> list_rollouts(Context& ctx, const std::string& state,
                                    const std::string& release, std::int64_t offset,
                                    std::int64_t limit, const std::string& org_path) {
  if (!state.empty())
    if (auto s = parse_rollout_state(state); !s) return s.error();
  std::int64_t release_id = 0;
  if (!release.empty()) {
    auto r = ctx.store.release_by_version(release);
    if (!r) return r.error();
    release_id = r->id;
  }
  RolloutPage page;
  auto rows = ctx.store.query_rollouts(state, release_id, offset, limit, org_path);
  if (!rows) return rows.error();
  auto total = ctx.store.count_rollouts(state, release_id, org_path);
  if (!total) return total.error();
  page.total = *total;
  for (const auto& r : *rows) {
    auto v = rollout_view(ctx, r.id);
    if (!v) return v.error();
    page.rows.push_back(std::move(*v));
  }
  return page;
}

Expected<std::vector<store::RolloutSampleRecord>> rollout_history(Context& ctx, std::int64_t id) {
  if (auto r = ctx.store.rollout(id); !r) return r.error();
  return ctx.store.rollout_samples(id);
}

Expected<MemberPage> rollout_terminals(Context& ctx, store::RolloutMemberQuery q) {
  if (auto r = ctx.store.rollout(q.rollout_id); !r) return r.error();
  q.seen_after = unix_now() - ctx.rollout_unreachable_seconds;
  MemberPage page;
  auto rows = ctx.store.rollout_members(q);
  if (!rows) return rows.error();
  auto total = ctx.store.count_rollout_members(q);
  if (!total) return total.error();
  page.rows = std::move(*rows);
  page.total = *total;
  return page;
}

Expected<std::vector<store::ReleaseStopRecord>> stopped_releases(Context& ctx) {
  return ctx.store.release_stops();
}

}  // namespace posfleet::domain::rollouts

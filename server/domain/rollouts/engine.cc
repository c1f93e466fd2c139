// posfleet server: the staged-rollout engine (engine.h).
// Thread-safety: stateless functions over the store.
#include "server/domain/rollouts/engine.h"

#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <string>

#include "core/clock.h"
#include "core/json.h"
#include "server/domain/audit.h"
#include "server/domain/deployments.h"
#include "server/domain/webhooks.h"

namespace posfleet::domain::rollouts {

namespace bj = boost::json;

namespace {

struct Loaded {
  store::RolloutRecord r;
  store::ReleaseRecord release;
  std::vector<WaveSpec> specs;
  std::vector<store::RolloutWaveRecord> waves;
};

Expected<Loaded> load(store::Tx& tx, std::int64_t id) {
  Loaded l;
  auto r = tx.rollout(id);
  if (!r) return r.error();
  l.r = std::move(*r);
  auto rel = tx.release_by_id(l.r.release_id);
  if (!rel) return rel.error();
  l.release = std::move(*rel);
  auto specs = waves_from_json(l.r.waves_json);
  if (!specs) return specs.error();
  l.specs = std::move(*specs);
  auto waves = tx.rollout_waves(id);
  if (!waves) return waves.error();
  l.waves = std::move(*waves);
  if (l.waves.size() != l.specs.size())
    return make_error(Code::kIo, "rollout " + std::to_string(id) + " has " +
                                     std::to_string(l.waves.size()) + " wave rows for " +
                                     std::to_string(l.specs.size()) + " waves");
  return l;
}

std::int64_t get(const store::PhaseCounts& c, const char* k) {
  auto it = c.find(k);
  return it == c.end() ? 0 : it->second;
}

struct Figures {
  std::int64_t terminals = 0, reachable = 0, success = 0, failed = 0, unreachable = 0, pending = 0;
  bj::object json() const {
    return bj::object{{"terminals", terminals}, {"reachable", reachable},     {"success", success},
                      {"failed", failed},       {"unreachable", unreachable}, {"pending", pending}};
  }
};

Figures figures_of(const store::RolloutWaveRecord& w, const store::PhaseCounts& c) {
  Figures f;
  f.terminals = w.terminals;
  f.unreachable = get(c, "unreachable");
  f.pending = get(c, "pending");
  f.success = get(c, "success");
  const std::int64_t failed_all = get(c, "failed") + get(c, "rolled_back") + get(c, "timed_out");
  f.failed = std::max<std::int64_t>(0, failed_all - w.failed_base);
  f.reachable = std::max<std::int64_t>(0, w.terminals - f.unreachable - get(c, "skipped") -
                                              get(c, "canceled") - get(c, "declined") -
                                              std::min(w.failed_base, failed_all));
  return f;
}

// n of `of` as a percentage with two decimals, rounded down, or up with `round_up` (a share
// above a whole-number threshold then never reads as equal to it: 446 of 8,910 is "5.01%").
std::string percent_text(std::int64_t n, std::int64_t of, bool round_up = false) {
  if (of <= 0) return "0%";
  const std::int64_t hundredths = (n * 10000 + (round_up ? of - 1 : 0)) / of;
  const std::int64_t frac = hundredths % 100;
  return std::to_string(hundredths / 100) + (frac < 10 ? ".0" : ".") + std::to_string(frac) + "%";
}

std::string target_of(const store::RolloutRecord& r) { return "rollout:" + std::to_string(r.id); }

// Saves `r` with its new state and reason, and audits the transition with its figures; queues
// the webhook event `event` (none if empty).
Status transition(store::Tx& tx, store::RolloutRecord& r, const store::ReleaseRecord& release,
                  const std::string& before, const char* action, const std::string& reason,
                  const bj::object& figures, const char* event, const Actor& who, std::int64_t now,
                  const std::string& title_zh = "") {
  if (auto s = tx.update_rollout(r); !s) return s;
  bj::object after = figures;
  after["state"] = r.state;
  after["wave"] = r.current_wave;
  if (auto s = record_audit(tx, who, action, target_of(r), before, json::serialize(after), reason);
      !s)
    return s;
  if (!event || !*event) return ok_status();
  WebhookEvent e;
  e.kind = event;
  e.rollout_id = r.id;
  e.release = release.version;
  e.title_en =
      "Rollout " + std::to_string(r.id) + " (" + r.name + ") of " + release.version + ": " + reason;
  e.title_zh = "灰度发布 " + std::to_string(r.id) + "（" + r.name + "）版本 " + release.version +
               "：" + (title_zh.empty() ? reason : title_zh);
  bj::object fig = after;
  fig["reason"] = reason;
  fig["actor"] = who.name;
  e.figures_json = json::serialize(fig);
  e.time = now;
  return enqueue_webhook_event(tx, e);
}

// Gives up to kAssignPerStep members of wave `w` without a deployment theirs; *more says
// whether a full batch was made (members may be left).
Status assign_members(store::Tx& tx, const Loaded& l, std::int64_t wave, bool* more) {
  auto members = tx.unassigned_members(l.r.id, wave, kAssignPerStep);
  if (!members) return members.error();
  *more = static_cast<std::int64_t>(members->size()) == kAssignPerStep;
  for (const auto& m : *members) {
    auto t = tx.terminal_by_id(m.terminal_id);
    if (!t) return t.error();
    auto within = within_rollout(tx, l.r, *t);
    if (!within) return within.error();
    if (!*within) {
      if (auto s = tx.set_member_deployment(l.r.id, m.terminal_id, 0, "other_organisation"); !s)
        return s;
      continue;
    }
    auto a = assign_to(tx, l.release, *t, false, kSystemActor, l.r.id);
    if (!a) return a.error();
    const std::int64_t id = a->created ? a->created->id : 0;
    if (auto s = tx.set_member_deployment(l.r.id, m.terminal_id, id, id ? "" : a->skipped); !s)
      return s;
  }
  return ok_status();
}

bj::object counts_json(const store::PhaseCounts& c) {
  bj::object o;
  for (const auto& [k, v] : full_counts(c)) o[k] = v;
  return o;
}

// A history sample when the counts changed, at most one per kSampleSeconds.
Status sample(store::Tx& tx, store::RolloutRecord& r, std::int64_t wave,
              const store::PhaseCounts& c, std::int64_t now) {
  const std::string counts = json::serialize(counts_json(c));
  const std::string key = std::to_string(wave) + ":" + counts;
  if (key == r.last_counts || now - r.last_sample < kSampleSeconds) return ok_status();
  if (auto s = tx.insert_rollout_sample(r.id, {now, wave, counts}, kSamplesKept); !s) return s;
  r.last_sample = now;
  r.last_counts = key;
  return tx.update_rollout(r);
}

std::string wave_name(std::int64_t i, const WaveSpec& s) {
  return "wave " + std::to_string(i + 1) +
         (s.percent ? " (" + std::to_string(*s.percent) + "%)" : " (group " + s.group + ")");
}

// The members' counts a step may take from before its transaction (advance_rollouts reads
// them outside it, so that a count over a large wave holds no lock), with the rollout as it
// was when they were read. A step uses them only while its rollout is still so: a pause,
// resume, approval or finished wave since changes the state, its reason, the wave or the
// wave's state, a retry of failed members (which makes them pending again) clears
// last_counts, and the step counts again inside its transaction. Otherwise a member's phase
// only moves forward, so counts a moment old only delay a step: what they miss, the next
// step sees.
struct Counted {
  std::string state, reason, wave_state, last_counts;
  std::int64_t wave = -1;
  std::map<std::int64_t, store::PhaseCounts> counts;

  bool still_of(const Loaded& l) const {
    const auto w = static_cast<std::size_t>(l.r.current_wave);
    return l.r.state == state && l.r.state_reason == reason && l.r.current_wave == wave &&
           l.r.last_counts == last_counts && w < l.waves.size() && l.waves[w].state == wave_state;
  }
};

// What one step did that its caller needs: whether members may be left to assign.
struct StepOut {
  bool more = false;
};

Status step_running(Context& ctx, store::Tx& tx, Loaded& l, std::int64_t now,
                    const Counted* counted, StepOut* out);

Status advance_one(Context& ctx, store::Tx& tx, std::int64_t id, std::int64_t now,
                   const Counted* counted, StepOut* out);

}  // namespace

store::PhaseCounts full_counts(const store::PhaseCounts& c) {
  store::PhaseCounts out;
  for (auto p : store::kAllDeploymentPhases) out[store::to_string(p)] = 0;
  out["unreachable"] = 0;
  out["pending"] = 0;
  out["skipped"] = 0;
  for (const auto& [k, v] : c) out[k] += v;
  return out;
}

Status begin_rollout(Context& ctx, store::Tx& tx, store::RolloutRecord& r, std::int64_t now,
                     const Actor& who) {
  auto l = load(tx, r.id);
  if (!l) return l.error();
  auto target = Target::from_json(r.target_json);
  if (!target) return target.error();
  auto split = split_target(ctx, tx, l->release, *target, r.org_id, l->specs, r.offline_days, now);
  if (!split) return split.error();
  if (auto s = tx.insert_rollout_members(r.id, split->members); !s) return s;
  for (auto& w : l->waves) {
    w.terminals = static_cast<std::int64_t>(split->waves[static_cast<std::size_t>(w.index)].size());
    if (auto s = tx.update_rollout_wave(w); !s) return s;
  }
  const std::string before = r.state;
  r.state = to_string(RolloutState::kRunning);
  r.started = now;
  r.current_wave = 0;
  r.state_reason = "started";
  bj::object figures{{"terminals", split->total}};
  bj::object excluded;
  for (const auto& [k, v] : split->excluded) excluded[k] = v;
  bj::array waves;
  for (const auto& w : split->waves) waves.push_back(static_cast<std::int64_t>(w.size()));
  figures["excluded"] = excluded;
  figures["waves"] = waves;
  return transition(tx, r, l->release, before, "rollout.start",
                    "started: " + std::to_string(split->total) + " terminals in " +
                        std::to_string(split->waves.size()) + " waves",
                    figures, "rollout.started", who, now, "开始");
}

Status advance_rollout(Context& ctx, store::Tx& tx, std::int64_t id, std::int64_t now) {
  StepOut out;
  return advance_one(ctx, tx, id, now, nullptr, &out);
}

namespace {

Status advance_one(Context& ctx, store::Tx& tx, std::int64_t id, std::int64_t now,
                   const Counted* counted, StepOut* out) {
  auto l = load(tx, id);
  if (!l) return l.error();
  auto state = parse_rollout_state(l->r.state);
  if (!state) return state.error();
  if (*state == RolloutState::kScheduled) {
    if (l->r.start_at > now) return ok_status();
    if (auto s = begin_rollout(ctx, tx, l->r, now, kSystemActor); !s) return s;
    return advance_one(ctx, tx, id, now, nullptr, out);
  }
  if (*state != RolloutState::kRunning) return ok_status();
  return step_running(ctx, tx, *l, now, counted && counted->still_of(*l) ? counted : nullptr, out);
}

// Says why the rollout waits (a freeze), writing only when the reason changes.
Status wait_for(store::Tx& tx, store::RolloutRecord& r, const std::string& reason) {
  if (r.state_reason == reason) return ok_status();
  r.state_reason = reason;
  return tx.update_rollout(r);
}

Status step_running(Context& ctx, store::Tx& tx, Loaded& l, std::int64_t now,
                    const Counted* counted, StepOut* out) {
  auto& r = l.r;
  const std::string before = r.state;
  if (r.current_wave >= static_cast<std::int64_t>(l.waves.size())) {
    r.state = to_string(RolloutState::kFinished);
    r.ended = now;
    r.state_reason = "every wave is done";
    return transition(tx, r, l.release, before, "rollout.finish", r.state_reason, bj::object{},
                      "rollout.finished", kSystemActor, now, "全部批次完成");
  }
  const std::size_t cw = static_cast<std::size_t>(r.current_wave);
  auto& w = l.waves[cw];
  const auto& spec = l.specs[cw];
  const std::string name = wave_name(r.current_wave, spec);
  std::string freeze;
  auto frozen = frozen_until(tx, spec, l.release, now, &freeze);
  if (!frozen) return frozen.error();
  auto wave_state = parse_wave_state(w.state);
  if (!wave_state) return wave_state.error();

  if (*wave_state == WaveState::kPending) {
    if (spec.needs_approval && w.approved_by.empty()) {
      w.state = to_string(WaveState::kWaitingApproval);
      if (auto s = tx.update_rollout_wave(w); !s) return s;
      r.state = to_string(RolloutState::kWaitingApproval);
      r.state_reason = name + " needs an approval by someone other than " + r.created_by;
      return transition(tx, r, l.release, before, "rollout.approval_needed", r.state_reason,
                        bj::object{{"terminals", w.terminals}}, "rollout.approval_needed",
                        kSystemActor, now,
                        "第 " + std::to_string(r.current_wave + 1) + " 批等待创建人以外的人批准");
    }
    if (*frozen) return wait_for(tx, r, name + " waits for the end of " + freeze);
    w.state = to_string(WaveState::kRunning);
    w.started = now;
    if (auto s = tx.update_rollout_wave(w); !s) return s;
    r.state_reason = name + " running";
    if (auto s =
            transition(tx, r, l.release, before, "rollout.wave_start", name + " started",
                       bj::object{{"terminals", w.terminals}}, "rollout.wave_started", kSystemActor,
                       now, "第 " + std::to_string(r.current_wave + 1) + " 批开始");
        !s)
      return s;
    wave_state = WaveState::kRunning;
  }
  if (*wave_state != WaveState::kRunning && *wave_state != WaveState::kSoaking) return ok_status();
  if (*wave_state == WaveState::kRunning && !*frozen)
    if (auto s = assign_members(tx, l, r.current_wave, &out->more); !s) return s;
  store::PhaseCounts counts;
  if (counted) {
    auto it = counted->counts.find(r.current_wave);
    if (it != counted->counts.end()) counts = it->second;
  } else {
    auto wave = tx.rollout_wave_count(r.id, r.current_wave, now - ctx.rollout_unreachable_seconds);
    if (!wave) return wave.error();
    counts = std::move(*wave);
  }
  if (auto s = sample(tx, r, r.current_wave, counts, now); !s) return s;
  const Figures f = figures_of(w, counts);
  bj::object figures = f.json();
  figures["success_threshold"] = spec.success_threshold;
  figures["error_threshold"] = spec.error_threshold;
  if (f.failed > 0 && f.failed * 100 > spec.error_threshold * f.reachable) {
    w.state = to_string(WaveState::kPaused);
    if (auto s = tx.update_rollout_wave(w); !s) return s;
    r.state = to_string(RolloutState::kPaused);
    r.state_reason = name + ": " + std::to_string(f.failed) + " of " + std::to_string(f.reachable) +
                     " reachable terminals failed (" + percent_text(f.failed, f.reachable, true) +
                     "), above the error threshold of " + std::to_string(spec.error_threshold) +
                     "%";
    return transition(tx, r, l.release, before, "rollout.pause", r.state_reason, figures,
                      "rollout.paused", kSystemActor, now,
                      "第 " + std::to_string(r.current_wave + 1) + " 批失败 " +
                          std::to_string(f.failed) + " 台（共 " + std::to_string(f.reachable) +
                          " 台可达），超过错误阈值 " + std::to_string(spec.error_threshold) +
                          "%，已暂停");
  }
  if (*frozen) return wait_for(tx, r, name + " holds during " + freeze);
  if (*wave_state == WaveState::kRunning) {
    if (f.pending > 0) return ok_status();
    if (f.reachable > 0 && f.success * 100 < spec.success_threshold * f.reachable)
      return ok_status();
    w.state = to_string(WaveState::kSoaking);
    w.soak_until = now + spec.soak_seconds;
    if (auto s = tx.update_rollout_wave(w); !s) return s;
    r.state_reason = name + " soaking until " + std::to_string(w.soak_until);
    figures["soak_until"] = w.soak_until;
    if (auto s = transition(tx, r, l.release, before, "rollout.wave_succeeded",
                            name + ": " + std::to_string(f.success) + " of " +
                                std::to_string(f.reachable) + " reachable terminals succeeded (" +
                                percent_text(f.success, f.reachable) + "), soaking for " +
                                std::to_string(spec.soak_seconds) + " s",
                            figures, "", kSystemActor, now);
        !s)
      return s;
  }
  if (now < w.soak_until) return ok_status();
  w.state = to_string(WaveState::kDone);
  w.finished = now;
  if (auto s = tx.update_rollout_wave(w); !s) return s;
  r.current_wave += 1;
  r.state_reason = name + " done";
  if (auto s = transition(tx, r, l.release, before, "rollout.wave_done", name + " done", figures,
                          "", kSystemActor, now);
      !s)
    return s;
  auto next = load(tx, r.id);
  if (!next) return next.error();
  return step_running(ctx, tx, *next, now, nullptr, out);
}

// The counts of a running rollout's members, read outside any transaction (wave -1: none).
Expected<Counted> count_before(Context& ctx, std::int64_t id, std::int64_t now) {
  Counted c;
  auto r = ctx.store.rollout(id);
  if (!r) return r.error();
  if (r->state != to_string(RolloutState::kRunning)) return c;
  auto waves = ctx.store.rollout_waves(id);
  if (!waves) return waves.error();
  const auto w = static_cast<std::size_t>(r->current_wave);
  if (w >= waves->size()) return c;
  auto counts =
      ctx.store.rollout_wave_count(id, r->current_wave, now - ctx.rollout_unreachable_seconds);
  if (!counts) return counts.error();
  c.state = r->state;
  c.reason = r->state_reason;
  c.wave_state = (*waves)[w].state;
  c.last_counts = r->last_counts;
  c.wave = r->current_wave;
  c.counts[r->current_wave] = std::move(*counts);
  return c;
}

}  // namespace

Status advance_rollouts(Context& ctx) {
  auto ids = ctx.store.rollouts_in_states(
      {to_string(RolloutState::kScheduled), to_string(RolloutState::kRunning)});
  if (!ids) return ids.error();
  Status first = ok_status();
  for (auto id : *ids) {
    Status s = ok_status();
    // A wave's members are assigned in several short transactions rather than one long one,
    // so that the terminals' own changes (feedback, registrations) run between them.
    for (int batch = 0; batch < kAssignStepsPerTick && s; ++batch) {
      const std::int64_t now = unix_now();
      auto counted = count_before(ctx, id, now);
      if (!counted) {
        s = counted.error();
        break;
      }
      StepOut out;
      s = commit_change(ctx, [&](store::Tx& tx) -> Status {
        return advance_one(ctx, tx, id, now, counted->wave < 0 ? nullptr : &*counted, &out);
      });
      if (!out.more) break;
    }
    if (!s) {
      spdlog::warn("rollout {}: {}", id, s.error().to_string());
      if (first) first = s;
    }
  }
  return first;
}

}  // namespace posfleet::domain::rollouts

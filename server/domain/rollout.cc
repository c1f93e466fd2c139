#include "server/domain/rollout.h"

#include <boost/json.hpp>

#include <algorithm>
#include <numeric>
#include <set>

#include "core/clock.h"
#include "core/json.h"
#include "server/domain/audit.h"
#include "server/domain/deployments.h"
#include "server/domain/policy_bulk.h"

namespace posfleet::domain {

namespace {

bool for_model(const store::ReleaseRecord& r, const std::string& model) {
  size_t pos = 0;
  while (pos <= r.models_csv.size()) {
    size_t end = r.models_csv.find(',', pos);
    if (end == std::string::npos) end = r.models_csv.size();
    if (r.models_csv.compare(pos, end - pos, model) == 0) return true;
    pos = end + 1;
  }
  return false;
}

// "… 45% …" in a feedback line: the terminal said how far it is.
std::optional<int> percent_in(const std::string& line) {
  for (size_t i = line.find('%'); i != std::string::npos; i = line.find('%', i + 1)) {
    size_t start = i;
    while (start > 0 && line[start - 1] >= '0' && line[start - 1] <= '9' && i - start < 3) --start;
    if (start == i) continue;
    int v = std::stoi(line.substr(start, i - start));
    if (v <= 100) return v;
  }
  return std::nullopt;
}

}  // namespace

store::UpdateState deployment_state(const store::DeploymentRecord& d) {
  return store::update_state_of(d.status, d.result);
}

Expected<Targets> resolve_targets(Context& ctx, const TargetSpec& spec,
                                  const std::string& filter_json) {
  Targets out;
  if (spec.serials) {
    if (spec.serials->empty())
      return make_error(Code::kInvalidArgument, "terminals must list at least one serial");
    if (static_cast<std::int64_t>(spec.serials->size()) > ctx.bulk_cap)
      return make_error(Code::kInvalidArgument,
                        "at most " + std::to_string(ctx.bulk_cap) +
                            " serials at once: deploy to a group or a filter instead");
    std::set<std::string> seen;
    for (const auto& serial : *spec.serials) {
      if (!seen.insert(serial).second) continue;
      auto t = terminal_in(ctx, spec.scope, serial);
      if (t)
        out.terminals.push_back(*t);
      else if (t.error().code == Code::kNotFound)
        ++out.unknown;
      else
        return t.error();
    }
    out.described = std::to_string(seen.size()) + " terminals";
    return out;
  }
  store::TerminalQuery q;
  if (!spec.group.empty()) {
    q.group = spec.group;
    out.described = "group:" + spec.group;
  } else if (spec.filter) {
    q = *spec.filter;
    out.described = "filter:" + filter_json;
  } else if (!spec.pending.empty()) {
    q.pending = spec.pending;
    out.described = "release:" + spec.pending;
  } else {
    return make_error(Code::kInvalidArgument,
                      "name the target: terminal, terminals, group or filter");
  }
  if (q.org_path.empty()) q.org_path = spec.scope.query_path();  // a filter's is within it
  auto ts = all_matching(ctx, q,
                         spec.pending.empty() ? "deploy group by group" : "cancel group by group");
  if (!ts) return ts.error();
  out.terminals = std::move(*ts);
  return out;
}

Expected<AssignOutcome> assign_many(Context& ctx, const store::ReleaseRecord& release,
                                    const Targets& targets, bool dry_run, const Actor& who,
                                    const std::string& reason) {
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  AssignOutcome out;
  out.matched = static_cast<std::int64_t>(targets.terminals.size()) + targets.unknown;
  out.skipped = {{"wrong_model", 0},
                 {"already_installed", 0},
                 {"already_open", 0},
                 {"installing", 0},
                 {"busy", 0},
                 {"other_organisation", 0},
                 {"unknown_terminal", targets.unknown}};
  const std::size_t n = targets.terminals.size();
  // Each change writes its terminals' rows in the order of their ids, as every other writer of
  // many terminals does (the servers' last_seen chunks): two of them then wait for each other
  // on PostgreSQL instead of deadlocking.
  std::vector<std::size_t> by_id(n);
  std::iota(by_id.begin(), by_id.end(), std::size_t{0});
  std::sort(by_id.begin(), by_id.end(), [&](std::size_t a, std::size_t b) {
    return targets.terminals[a].id < targets.terminals[b].id;
  });
  const std::size_t parts = std::max<std::size_t>(1, (n + kAssignPerChange - 1) / kAssignPerChange);
  for (std::size_t part = 0; part < parts; ++part) {
    const std::size_t from = part * kAssignPerChange, to = std::min(n, from + kAssignPerChange);
    AssignOutcome made;
    auto work = [&](store::Tx& tx) -> Status {
      made = AssignOutcome{};
      for (std::size_t i = from; i < to; ++i) {
        const auto& t = targets.terminals[by_id[i]];
        if (!for_model(release, t.model)) {
          ++made.skipped["wrong_model"];
          continue;
        }
        auto a = assign_to(tx, release, t, dry_run, who);
        if (!a) return a.error();
        if (!a->created) {
          ++made.skipped[a->skipped];
          continue;
        }
        ++made.created;
        if (a->replaced) ++made.replaced;
        if (!dry_run) made.ids.push_back(a->created->id);
      }
      if (dry_run) return ok_status();
      boost::json::object skipped;
      for (const auto& [why, k] : made.skipped) skipped[why] = k;
      boost::json::object after{
          {"target", targets.described}, {"created", made.created}, {"skipped", skipped}};
      if (parts > 1) after["part"] = std::to_string(part + 1) + " of " + std::to_string(parts);
      return record_audit(tx, who, "deployment.create", "release:" + release.version, "",
                          json::serialize(after), reason);
    };
    Status s = dry_run ? work(ctx.store) : commit_change(ctx, work);
    if (!s) {
      if (part == 0) return s.error();
      Error e = s.error();
      e.message = "deploying " + release.version + " stopped after " + std::to_string(out.created) +
                  " deployment(s) in " + std::to_string(part) + " of " + std::to_string(parts) +
                  " changes, which stand; deploy again to go on (their terminals are skipped): " +
                  e.message;
      return e;
    }
    out.created += made.created;
    out.replaced += made.replaced;
    for (const auto& [why, k] : made.skipped) out.skipped[why] += k;
    out.ids.insert(out.ids.end(), made.ids.begin(), made.ids.end());
  }
  return out;
}

Expected<CancelOutcome> cancel_many(Context& ctx,
                                    const std::optional<store::ReleaseRecord>& release,
                                    const Targets& targets, const Actor& who,
                                    const std::string& reason) {
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  CancelOutcome out;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    out = CancelOutcome{};
    out.matched = static_cast<std::int64_t>(targets.terminals.size()) + targets.unknown;
    out.skipped = {{"none_open", 0},
                   {"other_release", 0},
                   {"already_canceling", 0},
                   {"unknown_terminal", targets.unknown}};
    for (const auto& t : targets.terminals) {
      auto open = tx.open_deployment(t.id);
      if (!open) return open.error();
      if (!*open) {
        ++out.skipped["none_open"];
        continue;
      }
      if (release && (*open)->release_id != release->id) {
        ++out.skipped["other_release"];
        continue;
      }
      if ((*open)->status == store::DeploymentStatus::kCanceling) {
        ++out.skipped["already_canceling"];
        continue;
      }
      auto d = request_cancel(tx, (*open)->id);
      if (!d) return d.error();
      ++out.canceled;
      out.ids.push_back(d->id);
    }
    if (out.canceled == 0) return ok_status();
    boost::json::array ids;
    for (auto id : out.ids) ids.push_back(id);
    return record_audit(
        tx, who, "deployment.cancel", targets.described, "",
        json::serialize(boost::json::object{{"release", release ? release->version : std::string()},
                                            {"canceled", out.canceled},
                                            {"deployments", ids}}),
        reason);
  });
  if (!s) return s.error();
  return out;
}

Expected<AssignOutcome> assign_many(Context& ctx, const std::string& version,
                                    const TargetSpec& spec, const std::string& filter_json,
                                    bool dry_run, const Actor& who, const std::string& reason) {
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  auto release = ctx.store.release_by_version(version);
  if (!release) return release.error();
  auto targets = resolve_targets(ctx, spec, filter_json);
  if (!targets) return targets.error();
  return assign_many(ctx, *release, *targets, dry_run, who, reason);
}

Expected<CancelOutcome> cancel_many(Context& ctx, const std::string& version,
                                    const TargetSpec& spec, const std::string& filter_json,
                                    const Actor& who, const std::string& reason) {
  std::optional<store::ReleaseRecord> release;
  if (!version.empty()) {
    auto r = ctx.store.release_by_version(version);
    if (!r) return r.error();
    release = *r;
  }
  auto targets = resolve_targets(ctx, spec, filter_json);
  if (!targets) return targets.error();
  return cancel_many(ctx, release, *targets, who, reason);
}

Expected<ReleaseProgress> release_progress(Context& ctx, const store::ReleaseRecord& release,
                                           std::int64_t limit, const std::string& org_path) {
  ReleaseProgress out;
  auto counts = ctx.store.release_state_counts(release.id, org_path);
  if (!counts) return counts.error();
  out.counts = std::move(*counts);
  if (org_path.empty()) {  // the bytes are counted for the whole fleet
    auto bytes = ctx.store.release_bytes(release.id);
    if (!bytes) return bytes.error();
    out.bytes = *bytes;
  }
  auto rows = ctx.store.release_deployments(release.id, limit, org_path);
  if (!rows) return rows.error();
  for (auto& r : *rows) {
    ProgressRow p{std::move(r), store::UpdateState::kScheduled, std::nullopt};
    p.state = deployment_state(p.row.deployment);
    if (p.state == store::UpdateState::kSuccess) {
      p.percent = 100;
    } else if (p.state == store::UpdateState::kRunning) {
      auto history = ctx.store.action_history(p.row.deployment.id);
      if (!history) return history.error();
      for (auto it = history->rbegin(); it != history->rend() && !p.percent; ++it) {
        auto lines = json::parse(it->details_json);
        if (!lines || !lines->is_array()) continue;
        for (const auto& l : lines->get_array())
          if (l.is_string())
            if (auto v = percent_in(std::string(l.get_string())); v) p.percent = v;
      }
    }
    out.newest.push_back(std::move(p));
  }
  return out;
}

}  // namespace posfleet::domain

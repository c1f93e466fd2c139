#include "server/domain/rollout.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/domain/deployments.h"

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

std::string deployment_state(const store::DeploymentRecord& d) {
  if (d.status == "finished") return d.result == "success" ? "success" : "failed";
  if (d.status == "canceling") return "running";
  return d.status;
}

Expected<AssignOutcome> assign_many(Context& ctx, const store::ReleaseRecord& release,
                                    const std::vector<store::TerminalRecord>& terminals,
                                    bool dry_run, const Actor& who) {
  AssignOutcome out;
  out.matched = static_cast<std::int64_t>(terminals.size());
  for (const auto& t : terminals) {
    if (!for_model(release, t.model)) {
      ++out.skipped["wrong_model"];
      continue;
    }
    auto a = assign_to(ctx, release, t, dry_run, who);
    if (!a) return a.error();
    if (!a->created) {
      ++out.skipped[a->skipped];
      continue;
    }
    ++out.created;
    if (a->replaced) ++out.replaced;
    if (!dry_run) out.ids.push_back(a->created->id);
  }
  return out;
}

Expected<CancelOutcome> cancel_many(Context& ctx,
                                    const std::optional<store::ReleaseRecord>& release,
                                    const std::vector<store::TerminalRecord>& terminals) {
  CancelOutcome out;
  out.matched = static_cast<std::int64_t>(terminals.size());
  for (const auto& t : terminals) {
    auto open = ctx.store.open_deployment(t.id);
    if (!open) return open.error();
    if (!*open) {
      ++out.skipped["none_open"];
      continue;
    }
    if (release && (*open)->release_id != release->id) {
      ++out.skipped["other_release"];
      continue;
    }
    if ((*open)->status == "canceling") {
      ++out.skipped["already_canceling"];
      continue;
    }
    auto d = request_cancel(ctx, (*open)->id);
    if (!d && d.error().code == Code::kConflict) {  // it ended meanwhile
      ++out.skipped["none_open"];
      continue;
    }
    if (!d) return d.error();
    ++out.canceled;
    out.ids.push_back(d->id);
  }
  return out;
}

Expected<ReleaseProgress> release_progress(Context& ctx, const store::ReleaseRecord& release,
                                           std::int64_t limit) {
  ReleaseProgress out;
  auto counts = ctx.store.release_state_counts(release.id);
  if (!counts) return counts.error();
  out.counts = std::move(*counts);
  auto rows = ctx.store.release_deployments(release.id, limit);
  if (!rows) return rows.error();
  for (auto& r : *rows) {
    ProgressRow p{std::move(r), "", std::nullopt};
    p.state = deployment_state(p.row.deployment);
    if (p.state == "success") {
      p.percent = 100;
    } else if (p.state == "running") {
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

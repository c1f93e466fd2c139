// posfleet server: a staged rollout's plan, split and preview (plan.h).
// Thread-safety: stateless functions over the store.
#include "server/domain/rollouts/plan.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/policy.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/deployments.h"
#include "server/domain/freezes.h"
#include "server/domain/organisations.h"
#include "server/domain/policy.h"
#include "server/domain/terminal_view.h"
#include "server/domain/terminals.h"

namespace posfleet::domain::rollouts {

namespace bj = boost::json;

namespace {

template <typename E, std::size_t N>
Expected<E> parse_word(std::string_view text, const char* const (&words)[N], const char* what) {
  for (std::size_t i = 0; i < N; ++i)
    if (text == words[i]) return static_cast<E>(i);
  std::string all;
  for (std::size_t i = 0; i < N; ++i) all += (i ? ", " : "") + std::string(words[i]);
  return make_error(Code::kInvalidArgument, std::string(what) + " must be one of " + all);
}

constexpr const char* kRolloutStates[] = {"draft",  "scheduled", "running",  "waiting_approval",
                                          "paused", "finished",  "canceled", "stopped"};
constexpr const char* kWaveStates[] = {"pending",          "running", "soaking",
                                       "waiting_approval", "done",    "paused"};

Error invalid(const std::string& m) { return make_error(Code::kInvalidArgument, m); }

// FNV-1a: the stable order of a rollout's terminals (never std::hash, which may change).
std::uint64_t serial_hash(const std::string& serial) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : serial) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool for_model(const store::ReleaseRecord& r, const std::string& model) {
  std::size_t pos = 0;
  while (pos <= r.models_csv.size()) {
    std::size_t end = r.models_csv.find(',', pos);
    if (end == std::string::npos) end = r.models_csv.size();
    if (r.models_csv.compare(pos, end - pos, model) == 0) return true;
    pos = end + 1;
  }
  return false;
}

bj::object query_to_json(const store::TerminalQuery& q) {
  bj::object o{{"text", q.text},      {"model", q.model}, {"version", q.version},
               {"group", q.group},    {"mode", q.mode},   {"merchant", q.merchant_id},
               {"pending", q.pending}};
  if (q.state) o["state"] = store::to_string(*q.state);
  if (q.online) o["online"] = *q.online;
  if (q.retired) o["retired"] = *q.retired;
  if (!q.org_path.empty()) o["org_path"] = q.org_path;
  if (!q.health.empty()) o["health"] = q.health;
  return o;
}

Expected<store::TerminalQuery> query_from_json(const bj::object& o) {
  store::TerminalQuery q;
  q.text = json::string_or(o, "text", "");
  q.model = json::string_or(o, "model", "");
  q.version = json::string_or(o, "version", "");
  q.group = json::string_or(o, "group", "");
  q.mode = json::string_or(o, "mode", "");
  q.pending = json::string_or(o, "pending", "");
  if (auto m = json::get_int(o, "merchant")) q.merchant_id = *m;
  if (auto s = json::string_or(o, "state", ""); !s.empty()) {
    auto st = store::parse_update_state(s);
    if (!st) return st.error();
    q.state = *st;
  }
  if (const auto* v = o.if_contains("online"); v && v->is_bool()) q.online = v->get_bool();
  if (const auto* v = o.if_contains("retired"); v && v->is_bool()) q.retired = v->get_bool();
  q.org_path = json::string_or(o, "org_path", "");
  q.health = json::string_or(o, "health", "");
  return q;
}

// The terminals a target names now within the subtree at `reach` (retired ones included: the
// split says why they are out). A serial outside it is as unknown as one nobody has.
Expected<std::vector<store::TerminalRecord>> resolve(Context& ctx, store::Tx& tx,
                                                     const Target& target, const std::string& reach,
                                                     std::int64_t now) {
  std::vector<store::TerminalRecord> out;
  if (target.serials) {
    std::set<std::string> seen;
    std::map<std::int64_t, bool> inside;  // by organisation
    for (const auto& serial : *target.serials) {
      if (!seen.insert(serial).second) continue;
      auto t = tx.terminal_by_serial(ctx.tenant, serial);
      if (!t) {
        if (t.error().code != Code::kNotFound) return t.error();
        continue;
      }
      if (!inside.contains(t->org_id)) {
        auto path = organisation_path(tx, t->org_id);
        if (!path) return path.error();
        inside[t->org_id] = path->starts_with(reach);
      }
      if (inside[t->org_id]) out.push_back(std::move(*t));
    }
    return out;
  }
  store::TerminalQuery q;
  if (target.filter) {
    q = *target.filter;
    // Online: within the online window of now; not seen for N days: for that span before now.
    if (q.online)
      q.online_since =
          now - (target.offline_seconds ? target.offline_seconds : online_window_seconds(ctx));
  } else {
    q.group = target.group;
  }
  // A filter naming an organisation keeps to it within the reach; one outside it holds nothing.
  auto within = narrower(q.org_path.empty() ? std::string("/1/") : q.org_path, reach);
  if (!within) return out;
  q.org_path = *within == "/1/" ? std::string() : *within;
  // Page after page by serial: each an index seek, where an offset would walk again every
  // page before it (quadratic in the fleet).
  q.limit = 5000;
  q.offset = 0;
  for (;;) {
    auto page = tx.query_terminals(q);
    if (!page) return page.error();
    for (auto& row : *page) out.push_back(std::move(row.terminal));
    if (static_cast<std::int64_t>(page->size()) < q.limit) break;
    q.after = out.back().serial;
  }
  return out;
}

// Effective policies, computed once per group and organisation for the terminals without a policy
// of their own.
class PolicyCache {
 public:
  explicit PolicyCache(store::Tx& tx) : tx_(tx) {}
  Expected<Policy> of(const store::TerminalRecord& t) {
    if (!own_) {
      auto own = tx_.places_of_terminal_policies();
      if (!own) return own.error();
      own_ = std::move(*own);
    }
    if (own_->count(t.serial)) return effective_policy(tx_, t);
    auto it = by_group_.find({t.group, t.org_id});
    if (it != by_group_.end()) return it->second;
    auto p = effective_policy(tx_, t);
    if (!p) return p.error();
    by_group_.emplace(std::pair{t.group, t.org_id}, *p);
    return p;
  }

 private:
  store::Tx& tx_;
  std::optional<std::map<std::string, store::Store::PolicyPlace>> own_;
  std::map<std::pair<std::string, std::int64_t>, Policy> by_group_;
};

}  // namespace

const char* to_string(RolloutState s) { return kRolloutStates[static_cast<int>(s)]; }
Expected<RolloutState> parse_rollout_state(std::string_view text) {
  return parse_word<RolloutState>(text, kRolloutStates, "state");
}
bool is_ended(RolloutState s) {
  return s == RolloutState::kFinished || s == RolloutState::kCanceled ||
         s == RolloutState::kStopped;
}
const char* to_string(WaveState s) { return kWaveStates[static_cast<int>(s)]; }
Expected<WaveState> parse_wave_state(std::string_view text) {
  return parse_word<WaveState>(text, kWaveStates, "wave state");
}

bj::object WaveSpec::to_json() const {
  bj::object o;
  if (percent)
    o["percent"] = *percent;
  else
    o["group"] = group;
  o["success_threshold"] = success_threshold;
  o["error_threshold"] = error_threshold;
  o["soak_seconds"] = soak_seconds;
  o["needs_approval"] = needs_approval;
  return o;
}

Expected<WaveSpec> WaveSpec::from_json(const bj::value& v, std::size_t index) {
  const std::string where = "waves[" + std::to_string(index) + "]";
  if (!v.is_object())
    return invalid(where + " must be an object: {\"percent\": n} or {\"group\": g}");
  const auto& o = v.get_object();
  static const std::set<std::string> kFields = {
      "percent", "group", "success_threshold", "error_threshold", "soak_seconds", "needs_approval"};
  for (const auto& kv : o)
    if (!kFields.count(std::string(kv.key())))
      return invalid(where + " has the unknown field \"" + text::safe_echo(kv.key()) +
                     "\"; a wave has percent or group, success_threshold, error_threshold, "
                     "soak_seconds and needs_approval");
  WaveSpec w;
  auto number = [&](const char* key, std::int64_t lo, std::int64_t hi,
                    std::int64_t* out) -> Status {
    const auto* f = o.if_contains(key);
    if (!f) return ok_status();
    if (!f->is_int64() || f->get_int64() < lo || f->get_int64() > hi)
      return invalid(where + "." + key + " must be a whole number from " + std::to_string(lo) +
                     " to " + std::to_string(hi));
    *out = f->get_int64();
    return ok_status();
  };
  const bool has_percent = o.contains("percent"), has_group = o.contains("group");
  if (has_percent == has_group)
    return invalid(where + " must have either percent or group (not both)");
  if (has_percent) {
    std::int64_t p = 0;
    if (auto s = number("percent", 1, 100, &p); !s) return s.error();
    w.percent = static_cast<int>(p);
  } else {
    const auto& g = o.at("group");
    if (!g.is_string() || g.get_string().empty())
      return invalid(where + ".group must be a group name");
    w.group = std::string(g.get_string());
    if (auto s = text::check_field(where + ".group", w.group, limits::kGroupChars); !s)
      return s.error();
  }
  std::int64_t st = w.success_threshold, et = w.error_threshold;
  if (auto s = number("success_threshold", 0, 100, &st); !s) return s.error();
  if (auto s = number("error_threshold", 0, 100, &et); !s) return s.error();
  if (auto s = number("soak_seconds", 0, 90 * 86400, &w.soak_seconds); !s) return s.error();
  w.success_threshold = static_cast<int>(st);
  w.error_threshold = static_cast<int>(et);
  if (const auto* a = o.if_contains("needs_approval")) {
    if (!a->is_bool()) return invalid(where + ".needs_approval must be true or false");
    w.needs_approval = a->get_bool();
  }
  return w;
}

Expected<std::vector<WaveSpec>> waves_from_json(const std::string& text) {
  auto v = json::parse(text);
  if (!v || !v->is_array()) return make_error(Code::kIo, "stored rollout waves are not a list");
  std::vector<WaveSpec> out;
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    auto w = WaveSpec::from_json(v->get_array()[i], i);
    if (!w) return w.error();
    out.push_back(*w);
  }
  return out;
}

std::string waves_to_json(const std::vector<WaveSpec>& waves) {
  bj::array a;
  for (const auto& w : waves) a.push_back(w.to_json());
  return json::serialize(a);
}

std::string Target::to_json() const {
  bj::object o;
  if (serials) {
    bj::array a;
    for (const auto& s : *serials) a.push_back(bj::string(s));
    o["serials"] = std::move(a);
  } else if (filter) {
    o["filter"] = filter_json;
    o["query"] = query_to_json(*filter);
    if (offline_seconds) o["offline_seconds"] = offline_seconds;
  } else {
    o["group"] = group;
  }
  return json::serialize(o);
}

bj::value Target::shown() const {
  auto v = json::parse(to_json());
  if (!v) return nullptr;
  v->get_object().erase("query");
  return *v;
}

Expected<Target> Target::from_json(const std::string& text) {
  auto v = json::parse(text);
  if (!v || !v->is_object()) return make_error(Code::kIo, "stored rollout target is not an object");
  const auto& o = v->get_object();
  Target t;
  if (const auto* s = o.if_contains("serials"); s && s->is_array()) {
    t.serials.emplace();
    for (const auto& e : s->get_array())
      if (e.is_string()) t.serials->emplace_back(e.get_string());
  } else if (const auto* q = o.if_contains("query"); q && q->is_object()) {
    auto parsed = query_from_json(q->get_object());
    if (!parsed) return parsed.error();
    t.filter = *parsed;
    t.filter_json = o.contains("filter") ? o.at("filter") : bj::value(bj::object{});
    if (auto s = json::get_int(o, "offline_seconds"); s && *s > 0) t.offline_seconds = *s;
  } else {
    t.group = json::string_or(o, "group", "");
  }
  return t;
}

Status check_plan(const Plan& plan) {
  if (plan.release.empty()) return invalid("release must name a release version");
  if (auto s = text::check_field("release", plan.release, limits::kVersionChars); !s) return s;
  if (auto s = text::check_field("name", plan.name, kNameChars); !s) return s;
  if (!plan.target.serials && plan.target.group.empty() && !plan.target.filter)
    return invalid("target must name serials, a group or a filter");
  if (plan.target.serials) {
    if (plan.target.serials->empty())
      return invalid("target.serials must list at least one serial");
    if (plan.target.serials->size() > kMaxSerials)
      return invalid("target.serials may list at most " + std::to_string(kMaxSerials) +
                     " serials; target a group or a filter instead");
    for (const auto& s : *plan.target.serials)
      if (!valid_serial(s))
        return invalid("target.serials holds \"" + text::safe_echo(s) +
                       "\", which is no serial (1-64 of A-Z a-z 0-9 . _ -)");
  }
  if (!plan.target.group.empty())
    if (auto s = text::check_field("target.group", plan.target.group, limits::kGroupChars); !s)
      return s;
  if (plan.waves.empty()) return invalid("waves must list at least one wave");
  if (plan.waves.size() > kMaxWaves)
    return invalid("at most " + std::to_string(kMaxWaves) + " waves");
  const bool percent = plan.waves.front().percent.has_value();
  int last = 0;
  std::set<std::string> groups;
  for (std::size_t i = 0; i < plan.waves.size(); ++i) {
    const auto& w = plan.waves[i];
    if (w.percent.has_value() != percent)
      return invalid("waves must be all percentages or all groups");
    if (percent) {
      if (*w.percent <= last)
        return invalid(
            "percent waves are cumulative shares: each must be larger than the one "
            "before (e.g. 1, 10, 50, 100)");
      last = *w.percent;
    } else if (!groups.insert(w.group).second) {
      return invalid("the group " + text::safe_echo(w.group) + " is named by two waves");
    }
  }
  if (plan.offline_days < 1 || plan.offline_days > 365)
    return invalid("offline_days must be a whole number from 1 to 365");
  if (plan.start_at < 0) return invalid("start_at must be unix seconds or null");
  return check_reason(plan.reason, nullptr);
}

Expected<bool> within_rollout(store::Tx& tx, const store::RolloutRecord& r,
                              const store::TerminalRecord& t) {
  if (r.org_id == store::kRootOrganisation || r.org_id == t.org_id) return true;
  auto theirs = organisation_path(tx, r.org_id), its = organisation_path(tx, t.org_id);
  if (!theirs) return theirs.error();
  if (!its) return its.error();
  return its->starts_with(*theirs);
}

Expected<Split> split_target(Context& ctx, store::Tx& tx, const store::ReleaseRecord& release,
                             const Target& target, std::int64_t org_id,
                             const std::vector<WaveSpec>& waves, std::int64_t offline_days,
                             std::int64_t now) {
  auto reach = organisation_path(tx, org_id);
  if (!reach) return reach.error();
  auto terminals = resolve(ctx, tx, target, *reach, now);
  if (!terminals) return terminals.error();
  Split out;
  for (const char* why : {"wrong_model", "already_installed", "mode_never", "offline", "retired",
                          "busy", "other_organisation", "not_in_wave"})
    out.excluded[why] = 0;
  const bool security_due =
      release.security && release.security_deadline > 0 && now >= release.security_deadline;
  PolicyCache policies(tx);
  std::vector<std::tuple<std::uint64_t, std::string, store::TerminalRecord>> eligible;
  for (auto& t : *terminals) {
    std::string why;
    if (t.retired) {
      why = "retired";
    } else if (!for_model(release, t.model)) {
      why = "wrong_model";
    } else if (!t.installed_version.empty() && t.installed_version == release.version) {
      why = "already_installed";
    } else {
      auto p = policies.of(t);
      if (!p) return p.error();
      const std::int64_t seen = t.last_seen ? t.last_seen : t.created;
      if (p->mode == PolicyMode::kNever && !security_due) {
        why = "mode_never";
      } else if (seen < now - offline_days * 86400) {
        why = "offline";
      } else {
        auto a = assign_to(tx, release, t, /*dry_run=*/true, kSystemActor);
        if (!a) return a.error();
        if (a->skipped == "already_installed" || a->skipped == "other_organisation")
          why = a->skipped;
        else if (!a->skipped.empty())
          why = "busy";
      }
    }
    if (!why.empty()) {
      ++out.excluded[why];
      continue;
    }
    std::string serial = t.serial;  // before t is moved
    const std::uint64_t hash = serial_hash(serial);
    eligible.emplace_back(hash, std::move(serial), std::move(t));
  }
  std::sort(eligible.begin(), eligible.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  out.waves.resize(waves.size());
  const auto n = static_cast<std::int64_t>(eligible.size());
  std::int64_t from = 0;
  for (std::size_t w = 0; w < waves.size(); ++w) {
    if (waves[w].percent) {
      std::int64_t to = std::min<std::int64_t>(n, (n * *waves[w].percent + 99) / 100);
      for (std::int64_t i = from; i < to; ++i) {
        auto& t = std::get<2>(eligible[static_cast<std::size_t>(i)]);
        out.members.push_back({t.id, static_cast<std::int64_t>(w), 0, ""});
        out.waves[w].push_back(t);
      }
      from = std::max(from, to);
    }
  }
  if (!waves.empty() && !waves.front().percent) {
    for (auto& e : eligible) {
      auto& t = std::get<2>(e);
      bool placed = false;
      for (std::size_t w = 0; w < waves.size() && !placed; ++w)
        if (waves[w].group == t.group) {
          out.members.push_back({t.id, static_cast<std::int64_t>(w), 0, ""});
          out.waves[w].push_back(t);
          placed = true;
        }
      if (!placed) ++out.excluded["not_in_wave"];
    }
  } else {
    out.excluded["not_in_wave"] += n - from;
  }
  out.total = static_cast<std::int64_t>(out.members.size());
  return out;
}

Expected<std::optional<std::int64_t>> can_start_at(store::Tx& tx,
                                                   const std::vector<store::TerminalRecord>& ts,
                                                   std::int64_t now) {
  PolicyCache policies(tx);
  // Terminals share windows: each (window, zone) once.
  std::map<std::string, MaintenanceWindow> windows;
  for (const auto& t : ts) {
    auto p = policies.of(t);
    if (!p) return p.error();
    MaintenanceWindow w = p->window;
    if (!t.time_zone.empty()) w.tz = t.time_zone;
    std::string key = window_text(w) + "|" + w.tz + "|";
    for (int d : w.days) key += std::to_string(d);
    windows.emplace(key, w);
    if (windows.size() > 200) break;  // enough to know the earliest
  }
  std::optional<std::int64_t> best;
  for (const auto& [key, w] : windows) {
    for (std::int64_t t = now; t <= now + 8 * 86400; t += 60) {
      if (best && t >= *best) break;
      if (in_window(w, t)) {
        best = t == now ? now : t - t % 60;
        break;
      }
    }
  }
  return best;
}

Expected<std::optional<std::int64_t>> frozen_until(store::Tx& tx, const WaveSpec& spec,
                                                   const store::ReleaseRecord& release,
                                                   std::int64_t now, std::string* reason) {
  auto hit = freeze_for_group(tx, spec.percent ? "" : spec.group, "", release, now);
  if (!hit) return hit.error();
  if (!*hit) return std::optional<std::int64_t>();
  if (reason)
    *reason = "freeze " + std::to_string((*hit)->freeze_id) + " (" + (*hit)->from + " to " +
              (*hit)->to + "): " + (*hit)->reason;
  return std::optional<std::int64_t>((*hit)->ends);
}

Expected<Preview> preview(Context& ctx, const Plan& plan) {
  if (auto s = check_plan(plan); !s) return s.error();
  store::Tx& tx = ctx.store;
  const std::int64_t now = unix_now();
  auto release = tx.release_by_version(plan.release);
  if (!release) return release.error();
  auto stop = tx.release_stop(release->id);
  if (!stop) return stop.error();
  if (*stop)
    return make_error(Code::kReleaseStopped, "release " + plan.release + " was stopped by " +
                                                 (*stop)->by + " (" + (*stop)->reason +
                                                 "); an administrator lifts the stop first");
  auto split =
      split_target(ctx, tx, *release, plan.target, plan.org_id, plan.waves, plan.offline_days, now);
  if (!split) return split.error();
  Preview out;
  out.total = split->total;
  out.excluded = split->excluded;
  const std::int64_t from = std::max(now, plan.start_at);
  for (std::size_t i = 0; i < plan.waves.size(); ++i) {
    const auto& spec = plan.waves[i];
    WavePreview w;
    w.index = static_cast<std::int64_t>(i);
    w.terminals = static_cast<std::int64_t>(split->waves[i].size());
    if (spec.percent)
      w.percent = spec.percent;
    else
      w.groups = std::vector<std::string>{spec.group};
    auto at = can_start_at(tx, split->waves[i], from);
    if (!at) return at.error();
    w.can_start_at = *at;
    auto frozen = frozen_until(tx, spec, *release, from, nullptr);
    if (!frozen) return frozen.error();
    w.frozen_until = *frozen;
    out.waves.push_back(std::move(w));
  }
  return out;
}

}  // namespace posfleet::domain::rollouts

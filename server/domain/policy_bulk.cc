#include "server/domain/policy_bulk.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "core/json.h"
#include "server/domain/audit.h"
#include "server/domain/policy.h"

namespace posfleet::domain {

namespace bj = boost::json;

namespace {

// Terminals changed per transaction. One transaction for a whole edit of up to
// ctx.bulk_cap (10,000) terminals would hold SQLite's only write lock for
// seconds, past the 5 s other writers wait; one per terminal costs a commit
// (an fsync) each. A batch is whole: its changes, audit entries and
// notifications commit together.
constexpr std::size_t kBulkBatch = 100;

using Place = store::Store::PolicyPlace;  // a terminal's group and organisation

// Every stored patch, read once: the fleet's, each group's, each organisation's (by its path),
// each terminal's.
struct Layers {
  PolicyPatch fleet;
  std::map<std::string, PolicyPatch> groups, organisations, terminals;
  std::map<std::string, Place> place_of;  // serial → place, for terminals with a patch
  std::map<std::int64_t, std::vector<const PolicyPatch*>> chains;  // by organisation, from the top
};

Expected<PolicyPatch> parse_patch(const std::string& text) {
  auto v = json::parse(text);
  if (!v || !v->is_object()) return make_error(Code::kInternal, "a stored policy is damaged");
  return PolicyPatch::from_json(v->get_object());
}

Expected<Layers> load_layers(Context& ctx) {
  Layers l;
  auto fleet = ctx.store.policy("fleet", "");
  if (!fleet) return fleet.error();
  if (*fleet) {
    auto p = parse_patch((*fleet)->patch_json);
    if (!p) return p.error();
    l.fleet = *p;
  }
  for (const std::string scope : {"group", "organisation", "terminal"}) {
    auto rows = ctx.store.policies_of_scope(scope);
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
      auto p = parse_patch(r.patch_json);
      if (!p) return p.error();
      (scope == "group"          ? l.groups
       : scope == "organisation" ? l.organisations
                                 : l.terminals)[r.scope_key] = *p;
    }
  }
  auto places = ctx.store.places_of_terminal_policies();
  if (!places) return places.error();
  l.place_of = std::move(*places);
  return l;
}

// The organisations' patches on the chain of organisation `org_id`, from the top (policy.h).
Expected<const std::vector<const PolicyPatch*>*> chain_of(Context& ctx, Layers& l,
                                                          std::int64_t org_id) {
  if (auto it = l.chains.find(org_id); it != l.chains.end()) return &it->second;
  std::vector<const PolicyPatch*> chain;
  if (!l.organisations.empty() && org_id != store::kRootOrganisation) {
    auto o = ctx.store.organisation(org_id);
    if (!o) return o.error();
    for (auto end = o->path.find('/', 3); end != std::string::npos;
         end = o->path.find('/', end + 1))
      if (auto it = l.organisations.find(o->path.substr(0, end + 1)); it != l.organisations.end())
        chain.push_back(&it->second);
  }
  return &(l.chains[org_id] = std::move(chain));
}

const PolicyPatch* find(const std::map<std::string, PolicyPatch>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

// The effective policy of these layers; the revision is left out so that two
// results compare equal when a terminal would act the same.
Policy layered(const PolicyPatch& fleet, const PolicyPatch* group,
               const std::vector<const PolicyPatch*>& organisations, const PolicyPatch* terminal) {
  Policy p;
  fleet.apply_to(p);
  if (group) group->apply_to(p);
  for (const auto* o : organisations) o->apply_to(p);
  if (terminal) terminal->apply_to(p);
  return p;
}

bool same(const Policy& a, const Policy& b) {
  return json::serialize(a.to_json()) == json::serialize(b.to_json());
}

// A bulk edit must not move a mode an administrator locked, unless it sets a
// lock itself (an administrator locking many terminals).
bool refused_by_lock(const Policy& current, const PolicyPatch& change) {
  return current.locked && change.mode && !change.locked;
}

std::string describe(const store::TerminalQuery& q) {
  bj::object o;
  for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"q", &q.text},
                             {"model", &q.model},
                             {"version", &q.version},
                             {"group", &q.group},
                             {"mode", &q.mode}})
    if (!v->empty()) o[k] = *v;
  if (q.state) o["state"] = store::to_string(*q.state);
  if (q.online) o["online"] = *q.online;
  if (q.merchant_id) o["merchant"] = q.merchant_id;
  return json::serialize(o);
}

}  // namespace

Expected<std::vector<store::TerminalRecord>> all_matching(Context& ctx, store::TerminalQuery query,
                                                          const std::string& instead) {
  query.retired = false;  // retired terminals take no deployments and no policy
  auto total = ctx.store.count_terminals(query);
  if (!total) return total.error();
  if (*total > ctx.bulk_cap)
    return make_error(Code::kInvalidArgument, std::to_string(*total) +
                                                  " terminals match; at most " +
                                                  std::to_string(ctx.bulk_cap) +
                                                  " at once: narrow the filter or " + instead);
  std::vector<store::TerminalRecord> out;
  // Page after page by serial (each an index seek, where an offset would walk every page
  // before it again).
  query.limit = 1000;
  query.offset = 0;
  for (;;) {
    auto rows = ctx.store.query_terminals(query);
    if (!rows) return rows.error();
    for (auto& r : *rows) out.push_back(std::move(r.terminal));
    if (static_cast<std::int64_t>(rows->size()) < query.limit ||
        static_cast<std::int64_t>(out.size()) >= ctx.bulk_cap)
      break;
    query.after = out.back().serial;
  }
  return out;
}

Expected<PolicyPreview> preview_scope(Context& ctx, const std::string& scope,
                                      const std::string& key, const PolicyPatch& change) {
  if (scope != "fleet" && scope != "group" && scope != "terminal")
    return make_error(Code::kInvalidArgument,
                      "scope must be fleet, group or terminal (or send a filter)");
  if (scope != "fleet" && key.empty())
    return make_error(Code::kInvalidArgument, "name the " + scope + " in key");
  if (auto s = check_scope_change(scope, change); !s) return s.error();
  auto l = load_layers(ctx);
  if (!l) return l.error();
  PolicyPreview out;
  if (scope == "terminal") {
    auto t = ctx.store.terminal_by_serial(ctx.tenant, key);
    if (!t) return t.error();
    const PolicyPatch* group = t->group.empty() ? nullptr : find(l->groups, t->group);
    auto orgs = chain_of(ctx, *l, t->org_id);
    if (!orgs) return orgs.error();
    const PolicyPatch* own = find(l->terminals, t->serial);
    auto after = merged_patch(own ? *own : PolicyPatch{}, change);
    if (!after) return after.error();
    out.in_scope = 1;
    out.changing =
        same(layered(l->fleet, group, **orgs, own), layered(l->fleet, group, **orgs, &*after)) ? 0
                                                                                               : 1;
    return out;
  }

  auto per_place = ctx.store.terminals_per_place();
  if (!per_place) return per_place.error();
  // The new layers: either the fleet's or one group's patch changes.
  PolicyPatch new_fleet = l->fleet;
  std::map<std::string, PolicyPatch> new_groups;
  if (scope == "fleet") {
    auto f = merged_patch(l->fleet, change);
    if (!f) return f.error();
    new_fleet = *f;
  } else {
    const PolicyPatch* g = find(l->groups, key);
    auto after = merged_patch(g ? *g : PolicyPatch{}, change);
    if (!after) return after.error();
    new_groups[key] = *after;
  }
  auto covered = [&](const std::string& group) { return scope == "fleet" || group == key; };
  auto group_after = [&](const std::string& group) -> const PolicyPatch* {
    if (group.empty()) return nullptr;
    if (auto* g = find(new_groups, group)) return g;
    return find(l->groups, group);
  };
  auto group_before = [&](const std::string& group) {
    return group.empty() ? nullptr : find(l->groups, group);
  };
  // Whether a terminal of `place` with patch `own` (or none) acts otherwise after the change.
  auto changes = [&](const Place& place, const PolicyPatch* own) -> Expected<bool> {
    auto orgs = chain_of(ctx, *l, place.second);
    if (!orgs) return orgs.error();
    return !same(layered(l->fleet, group_before(place.first), **orgs, own),
                 layered(new_fleet, group_after(place.first), **orgs, own));
  };
  // Terminals with a policy of their own, one by one; the rest of each place (group and
  // organisation) at once.
  std::map<Place, std::int64_t> own_in_place;
  for (const auto& [serial, place] : l->place_of) {
    if (!covered(place.first)) continue;
    ++own_in_place[place];
    auto changed = changes(place, find(l->terminals, serial));
    if (!changed) return changed.error();
    if (*changed) ++out.changing;
  }
  for (const auto& [place, count] : *per_place) {
    if (!covered(place.first)) continue;
    out.in_scope += count;
    const std::int64_t plain = count - own_in_place[place];
    if (plain <= 0) continue;
    auto changed = changes(place, nullptr);
    if (!changed) return changed.error();
    if (*changed) out.changing += plain;
  }
  return out;
}

Expected<PolicyPreview> preview_terminals(Context& ctx, store::TerminalQuery query,
                                          const PolicyPatch& change) {
  if (auto s = check_scope_change("terminal", change); !s) return s.error();
  auto l = load_layers(ctx);
  if (!l) return l.error();
  auto terminals = all_matching(ctx, query, "use a group policy");
  if (!terminals) return terminals.error();
  PolicyPreview out;
  out.in_scope = static_cast<std::int64_t>(terminals->size());
  for (const auto& t : *terminals) {
    const PolicyPatch* group = t.group.empty() ? nullptr : find(l->groups, t.group);
    auto orgs = chain_of(ctx, *l, t.org_id);
    if (!orgs) return orgs.error();
    const PolicyPatch* own = find(l->terminals, t.serial);
    const Policy before = layered(l->fleet, group, **orgs, own);
    if (refused_by_lock(before, change)) {
      ++out.locked;
      continue;
    }
    auto after = merged_patch(own ? *own : PolicyPatch{}, change);
    if (!after) return after.error();
    if (!same(before, layered(l->fleet, group, **orgs, &*after))) ++out.changing;
  }
  return out;
}

Expected<BulkOutcome> bulk_policy(Context& ctx, store::TerminalQuery query,
                                  const PolicyPatch& change, const Actor& who,
                                  const std::string& reason) {
  if (auto s = check_scope_change("terminal", change); !s) return s.error();
  if (auto s = check_reason(reason, "say why: a reason is required for every policy change"); !s)
    return s.error();
  if (auto s = check_patch_text("terminal", "", change); !s) return s.error();
  if (change.to_json().empty())
    return make_error(Code::kInvalidArgument, "the change sets no field; choose what to change");
  auto terminals = all_matching(ctx, query, "use a group policy");
  if (!terminals) return terminals.error();
  BulkOutcome out;
  out.matched = static_cast<std::int64_t>(terminals->size());
  const std::size_t n = terminals->size();
  for (std::size_t begin = 0; begin == 0 || begin < n; begin += kBulkBatch) {
    const std::size_t end = std::min(n, begin + kBulkBatch);
    BulkOutcome batch;
    auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
      batch = BulkOutcome{};
      for (std::size_t i = begin; i < end; ++i) {
        const auto& t = (*terminals)[i];
        // The lock is checked inside the transaction, so a lock set meanwhile holds.
        auto p = change_policy_in(ctx, tx, "terminal", t.serial, change, who, reason, true);
        if (p) {
          ++batch.applied;
        } else if (p.error().code == Code::kLocked || p.error().code == Code::kNotFound) {
          ++batch.refused;  // locked, or gone since it matched: nothing of it was written
        } else {
          return p.error().with_context("terminal " + t.serial);
        }
      }
      if (end < n) return ok_status();
      // The last batch carries the summary, so it is written only if every batch was.
      return record_audit(tx, who, "policy.bulk", "filter:" + describe(query), "",
                          json::serialize(bj::object{{"patch", change.to_json()},
                                                     {"matched", out.matched},
                                                     {"applied", out.applied + batch.applied},
                                                     {"refused", out.refused + batch.refused}}),
                          reason);
    });
    if (!st)
      return st.error().with_context(std::to_string(out.applied) + " of " +
                                     std::to_string(out.matched) +
                                     " terminals changed before this failed");
    out.applied += batch.applied;
    out.refused += batch.refused;
  }
  return out;
}

}  // namespace posfleet::domain

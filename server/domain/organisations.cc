#include "server/domain/organisations.h"

#include <charconv>
#include <map>

#include "core/clock.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/policy.h"

namespace posfleet::domain {

namespace {

Error no_organisation(std::int64_t id) {
  return make_error(Code::kNotFound, "no organisation " + std::to_string(id) +
                                         "; the organisation list shows those you may use");
}

// What another reseller's terminal looks like from here: exactly what a missing one does.
Error no_terminal(const std::string& serial) {
  return make_error(Code::kNotFound, "no terminal with serial " + text::safe_echo(serial));
}

// Likewise for a user of another organisation.
Error no_user(const std::string& name) {
  return make_error(Code::kNotFound, "no user " + text::safe_echo(name));
}

}  // namespace

std::int64_t shared_by(const store::OrganisationRecord& from, const store::OrganisationRecord& to) {
  if (to.path.starts_with(from.path)) return to.id;
  if (from.path.starts_with(to.path)) return from.id;
  std::size_t common = 0;  // the end of the longest shared "/id/…/" prefix
  for (std::size_t i = 0; i < from.path.size() && i < to.path.size() && from.path[i] == to.path[i];
       ++i)
    if (from.path[i] == '/') common = i;
  const auto start = from.path.rfind('/', common == 0 ? 0 : common - 1);
  std::int64_t id = store::kRootOrganisation;
  if (start != std::string::npos && common > start + 1)
    std::from_chars(from.path.data() + start + 1, from.path.data() + common, id);
  return id;
}

std::string describe(const store::OrganisationRecord& o) {
  return o.kind + " " + std::to_string(o.id) + (o.name.empty() ? "" : " " + o.name);
}

Expected<Scope> scope_of(Context& ctx, std::int64_t org_id) {
  if (org_id == store::kRootOrganisation) return Scope{};
  auto o = ctx.store.organisation(org_id);
  if (!o) return o.error();
  return Scope{o->id, o->path};
}

Expected<store::OrganisationRecord> organisation_in(Context& ctx, const Scope& scope,
                                                    std::int64_t id) {
  auto o = ctx.store.organisation(id);
  if (!o && o.error().code == Code::kNotFound) return no_organisation(id);
  if (!o) return o.error();
  if (!scope.holds(o->path)) return no_organisation(id);
  return o;
}

Expected<std::string> organisation_path(store::Tx& tx, std::int64_t id) {
  if (id == store::kRootOrganisation) return std::string("/1/");
  auto o = tx.organisation(id);
  if (!o) return o.error();
  return o->path;
}

std::optional<std::string> narrower(const std::string& a, const std::string& b) {
  if (a.starts_with(b)) return a;
  if (b.starts_with(a)) return b;
  return std::nullopt;
}

Expected<bool> sees_release(Context& ctx, const Scope& scope, const store::ReleaseRecord& r) {
  if (scope.whole_tree() || r.org_id == store::kRootOrganisation) return true;
  auto path = organisation_path(ctx.store, r.org_id);
  if (!path) return path.error();
  return narrower(scope.path, *path).has_value();
}

Expected<store::ReleaseRecord> release_in(Context& ctx, const Scope& scope,
                                          const std::string& version) {
  const auto missing = [&] {
    return make_error(Code::kNotFound, "no release " + text::safe_echo(version));
  };
  auto r = ctx.store.release_by_version(version);
  if (!r && r.error().code == Code::kNotFound) return missing();
  if (!r) return r.error();
  auto seen = sees_release(ctx, scope, *r);
  if (!seen) return seen.error();
  if (!*seen) return missing();
  return r;
}

Expected<store::ReleaseRecord> set_release_organisation(Context& ctx, const std::string& version,
                                                        std::int64_t org_id, const Actor& who,
                                                        const std::string& reason) {
  if (auto s = check_reason(reason,
                            "say why: a reason is required to change who receives a "
                            "release");
      !s)
    return s.error();
  auto to = organisation_in(ctx, Scope{}, org_id);
  if (!to) return to.error();
  store::ReleaseRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto r = tx.release_by_version(version);
    if (!r) return r.error();
    auto from = tx.organisation(r->org_id);
    if (!from) return from.error();
    if (auto s = tx.set_release_organisation(r->id, to->id); !s) return s;
    out = *r;
    out.org_id = to->id;
    return record_audit(tx, who, "release.organisation", "release:" + version, describe(*from),
                        describe(*to), reason);
  });
  if (!st) return st.error();
  return out;
}

Expected<store::OrganisationRecord> create_organisation(Context& ctx, const Scope& scope,
                                                        const OrganisationInput& in,
                                                        const Actor& who) {
  auto bad = [](const std::string& why) { return make_error(Code::kInvalidArgument, why); };
  if (in.kind != "reseller" && in.kind != "merchant")
    return bad("kind must be reseller (代理商) or merchant (商户)");
  if (in.name.empty()) return bad("name is required");
  if (auto s = text::check_field("name", in.name, limits::kOrganisationNameChars); !s)
    return s.error();
  auto parent = organisation_in(ctx, scope, in.parent ? in.parent : scope.org_id);
  if (!parent) return parent.error();
  if (parent->kind == "merchant")
    return bad(
        "a merchant has terminals, not organisations below it; choose the reseller or "
        "the acquirer above it as the parent");
  store::OrganisationRecord rec{0, parent->id, in.kind, in.name, "", who.name, unix_now()};
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto made = tx.insert_organisation(rec);
    if (!made && made.error().code == Code::kConflict)
      return make_error(Code::kConflict, describe(*parent) + " already has an organisation named " +
                                             text::safe_echo(in.name) + "; choose another name");
    if (!made) return made.error();
    rec = *made;
    return record_audit(tx, who, "organisation.create", "organisation:" + std::to_string(rec.id),
                        "", describe(rec) + " below " + describe(*parent), "");
  });
  if (!s) return s.error();
  return rec;
}

Expected<std::vector<OrganisationView>> list_organisations(Context& ctx, const Scope& scope,
                                                           std::int64_t limit) {
  auto orgs = ctx.store.organisations_under(scope.path, limit);
  if (!orgs) return orgs.error();
  std::vector<std::int64_t> ids;
  for (const auto& o : *orgs) ids.push_back(o.id);
  auto counts = ctx.store.organisation_terminal_counts(ids);
  if (!counts) return counts.error();
  std::vector<OrganisationView> out;
  for (size_t i = 0; i < orgs->size(); ++i) out.push_back({(*orgs)[i], (*counts)[i]});
  return out;
}

Expected<bool> holds_terminal(Context& ctx, const Scope& scope, const store::TerminalRecord& t) {
  if (scope.whole_tree() || t.org_id == scope.org_id) return true;
  auto o = ctx.store.organisation(t.org_id);
  if (!o) return o.error();
  return scope.holds(o->path);
}

Expected<store::UserRecord> user_in(Context& ctx, const Scope& scope, const std::string& name) {
  auto u = ctx.store.user_by_name(name);
  if (!u && u.error().code == Code::kNotFound) return no_user(name);
  if (!u) return u.error();
  if (scope.whole_tree() || u->org_id == scope.org_id) return u;
  auto o = ctx.store.organisation(u->org_id);
  if (!o) return o.error();
  if (!scope.holds(o->path)) return no_user(name);
  return u;
}

Expected<std::vector<store::UserRecord>> users_in(Context& ctx, const Scope& scope) {
  auto all = ctx.store.list_users();
  if (!all || scope.whole_tree()) return all;
  std::map<std::int64_t, bool> held{{scope.org_id, true}};  // each organisation read once
  std::vector<store::UserRecord> out;
  for (auto& u : *all) {
    auto [it, fresh] = held.try_emplace(u.org_id, false);
    if (fresh) {
      auto o = ctx.store.organisation(u.org_id);
      if (!o && o.error().code != Code::kNotFound) return o.error();
      it->second = o && scope.holds(o->path);
    }
    if (it->second) out.push_back(std::move(u));
  }
  return out;
}

namespace {
// Whether the terminal with id `terminal_id` lies in `scope`: false for none (0) or one gone.
Expected<bool> holds_terminal_id(Context& ctx, const Scope& scope, std::int64_t terminal_id) {
  if (terminal_id <= 0) return false;
  auto t = ctx.store.terminal_by_id(terminal_id);
  if (!t && t.error().code == Code::kNotFound) return false;
  if (!t) return t.error();
  return holds_terminal(ctx, scope, *t);
}

// A record of one terminal (a deployment, a ticket), as the store found it or why not: ok when
// its terminal lies in `scope`, else `missing`, as when there is none.
template <typename Record>
Status of_terminal_in(Context& ctx, const Scope& scope, const Expected<Record>& found,
                      const std::string& missing) {
  if (!found && found.error().code == Code::kNotFound) return make_error(Code::kNotFound, missing);
  if (!found) return found.error();
  auto held = holds_terminal_id(ctx, scope, found->terminal_id);
  if (!held) return held.error();
  return *held ? ok_status() : make_error(Code::kNotFound, missing);
}
}  // namespace

Status deployment_in(Context& ctx, const Scope& scope, std::int64_t id) {
  if (scope.whole_tree()) return ok_status();
  return of_terminal_in(ctx, scope, ctx.store.deployment(id),
                        "no deployment " + std::to_string(id));
}

Status ticket_in(Context& ctx, const Scope& scope, std::int64_t id) {
  if (scope.whole_tree()) return ok_status();
  return of_terminal_in(ctx, scope, ctx.store.ticket(id), "no ticket " + std::to_string(id));
}

Status rollout_in(Context& ctx, const Scope& scope, std::int64_t id) {
  auto r = ctx.store.rollout(id);
  if (!r) return r.error();
  if (scope.whole_tree()) return ok_status();
  const auto missing = make_error(Code::kNotFound, "no rollout " + std::to_string(id));
  auto path = organisation_path(ctx.store, r->org_id);
  if (!path) return path.error();
  if (!scope.holds(*path)) return missing;
  // Nor is one of a release given away since that the scope no longer sees.
  auto release = ctx.store.release_by_id(r->release_id);
  if (!release) return release.error();
  auto seen = sees_release(ctx, scope, *release);
  if (!seen) return seen.error();
  if (!*seen) return missing;
  return ok_status();
}

namespace {
// `found`, a record with an organisation, as the store found it or why not: itself when its
// organisation lies in `scope`, else kNotFound `missing`, as when there is none.
template <typename Record>
Expected<Record> of_organisation_in(Context& ctx, const Scope& scope, Expected<Record> found,
                                    const std::string& missing) {
  if (!found && found.error().code == Code::kNotFound) return make_error(Code::kNotFound, missing);
  if (!found || scope.whole_tree() || found->org_id == scope.org_id) return found;
  auto path = organisation_path(ctx.store, found->org_id);
  if (!path) return path.error();
  if (!scope.holds(*path)) return make_error(Code::kNotFound, missing);
  return found;
}
}  // namespace

Expected<store::MerchantRecord> merchant_in(Context& ctx, const Scope& scope, std::int64_t id) {
  return of_organisation_in(ctx, scope, ctx.store.merchant(id),
                            "no merchant " + std::to_string(id));
}

Expected<store::ApplicationRecord> application_in(Context& ctx, const Scope& scope,
                                                  std::int64_t id) {
  return of_organisation_in(ctx, scope, ctx.store.application(id),
                            "no application " + std::to_string(id));
}

Expected<bool> sees_merchant(Context& ctx, const Scope& scope, std::int64_t id) {
  if (scope.whole_tree() || id <= 0) return true;
  auto m = merchant_in(ctx, scope, id);
  if (m) return true;
  if (m.error().code == Code::kNotFound) return false;
  return m.error();
}

Status verification_in(Context& ctx, const Scope& scope, std::int64_t id) {
  if (scope.whole_tree()) return ok_status();
  const std::string missing = "no verification " + std::to_string(id);
  auto v = ctx.store.verification(id);
  if (!v && v.error().code == Code::kNotFound) return make_error(Code::kNotFound, missing);
  if (!v) return v.error();
  if (auto m = merchant_in(ctx, scope, v->merchant_id); !m)
    return m.error().code == Code::kNotFound ? make_error(Code::kNotFound, missing) : m.error();
  return ok_status();
}

Expected<store::TerminalRecord> terminal_in(Context& ctx, const Scope& scope,
                                            const std::string& serial) {
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t && t.error().code == Code::kNotFound)
    return no_terminal(serial);  // any text, echoed safely
  if (!t) return t.error();
  auto held = holds_terminal(ctx, scope, *t);
  if (!held) return held.error();
  if (!*held) return no_terminal(serial);
  return t;
}

Expected<TerminalMove> move_terminal(Context& ctx, const Scope& scope, const std::string& serial,
                                     std::int64_t org_id, const Actor& who,
                                     const std::string& reason, bool may_change_locks) {
  if (auto s = check_reason(reason, "a reason is required: say why the terminal changes hands"); !s)
    return s.error();
  auto to = organisation_in(ctx, scope, org_id);
  if (!to) return to.error();
  TerminalMove out;
  out.to = *to;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto t = tx.terminal_by_serial(ctx.tenant, serial);
    if (!t) return t.error();
    auto from = tx.organisation(t->org_id);
    if (!from) return from.error();
    if (!scope.holds(from->path)) return no_terminal(serial);
    out.from = *from;
    if (!may_change_locks) {
      auto now = effective_policy(tx, *t);
      if (!now) return now.error();
      auto there = layered_policy(tx, ctx.tenant, "organisation", to->path);
      if (!there) return there.error();
      if (now->locked || there->locked)
        return make_error(Code::kLocked,
                          "the terminal's or the organisation's update mode is locked; only the "
                          "acquirer's administrators move it");
    }
    if (auto s = tx.set_terminal_organisation(t->id, to->id); !s) return s;
    t->org_id = to->id;
    out.terminal = *t;
    return record_audit_in(tx, shared_by(*from, *to), who, "terminal.organisation",
                           "terminal:" + t->serial, describe(*from), describe(*to), reason);
  });
  if (!s) return s.error();
  return out;
}

}  // namespace posfleet::domain

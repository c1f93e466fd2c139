#include "server/domain/audit.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <charconv>
#include <mutex>

#include "core/clock.h"
#include "core/fs.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"

namespace posfleet::domain {

namespace {
thread_local std::string t_address;
// The tenant of the change this thread is committing (commit_change), whose terminals an entry
// about a terminal is looked up among; null outside a change.
thread_local const std::string* t_tenant = nullptr;
std::mutex g_anchor_mu;
std::string anchor_path(const Context& ctx) { return ctx.data_dir + "/audit-head.json"; }
}  // namespace

AuditAddress::AuditAddress(std::string address) : previous_(std::move(t_address)) {
  t_address = std::move(address);
}
AuditAddress::~AuditAddress() { t_address = std::move(previous_); }
const std::string& AuditAddress::current() { return t_address; }

namespace {
// The organisation an entry belongs to: that of the terminal, user, organisation, deployment,
// ticket, rollout, merchant or application it is about, whoever acted (a reseller reads what the
// acquirer's staff or the terminal itself did to what is its own); else the actor's. A failed read
// is an error, not a guess: the organisation is hashed into an entry that is never rewritten.
Expected<std::int64_t> organisation_of(store::Tx& tx, const Actor& who, const std::string& target) {
  const auto colon = target.find(':');
  if (colon == std::string::npos) return who.organisation;
  const std::string kind = target.substr(0, colon), key = target.substr(colon + 1);
  // What a read found: its organisation, or the actor's when there is no such thing.
  auto found = [&](const auto& r, auto org_of) -> Expected<std::int64_t> {
    if (r) return org_of(*r);
    if (r.error().code == Code::kNotFound) return who.organisation;
    return r.error();
  };
  if (kind == "terminal" && t_tenant)
    return found(tx.terminal_by_serial(*t_tenant, key), [](const auto& t) { return t.org_id; });
  if (kind == "user") return found(tx.user_by_name(key), [](const auto& u) { return u.org_id; });
  if (kind == "application")
    return found(tx.application_by_number(key), [](const auto& a) { return a.org_id; });
  if (kind != "organisation" && kind != "deployment" && kind != "ticket" && kind != "rollout" &&
      kind != "merchant")
    return who.organisation;
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  if (ec != std::errc() || end != key.data() + key.size() || id <= 0) return who.organisation;
  if (kind == "organisation") return found(tx.organisation(id), [](const auto& o) { return o.id; });
  // A rollout's is the organisation that made it, whoever steers it (the engine too).
  if (kind == "rollout") return found(tx.rollout(id), [](const auto& r) { return r.org_id; });
  if (kind == "merchant") return found(tx.merchant(id), [](const auto& m) { return m.org_id; });
  // A deployment's or a ticket's is its terminal's.
  std::int64_t terminal_id = 0;
  if (kind == "deployment") {
    auto d = tx.deployment(id);
    if (!d && d.error().code != Code::kNotFound) return d.error();
    if (d) terminal_id = d->terminal_id;
  } else {
    auto k = tx.ticket(id);
    if (!k && k.error().code != Code::kNotFound) return k.error();
    if (k) terminal_id = k->terminal_id;
  }
  if (terminal_id <= 0) return who.organisation;
  return found(tx.terminal_by_id(terminal_id), [](const auto& t) { return t.org_id; });
}

Status append_entry(store::Tx& tx, std::int64_t org_id, const Actor& who, const std::string& action,
                    const std::string& target, const std::string& before, const std::string& after,
                    const std::string& reason) {
  AuditEntry e;
  e.time = unix_now();
  e.actor = who.name;
  e.actor_kind = who.kind;
  e.path = who.path;
  e.action = action;
  e.target = target;
  e.before = before;
  e.after = after;
  e.reason = reason;
  e.address = who.address.empty() ? t_address : who.address;
  e.organisation = org_id;
  auto written = tx.append_audit(e);
  if (!written) return written.error().with_context("audit entry " + action);
  return ok_status();
}
}  // namespace

Status record_audit(store::Tx& tx, const Actor& who, const std::string& action,
                    const std::string& target, const std::string& before, const std::string& after,
                    const std::string& reason) {
  auto org = organisation_of(tx, who, target);
  if (!org) return org.error().with_context("audit entry " + action);
  return append_entry(tx, *org, who, action, target, before, after, reason);
}

Status record_audit_in(store::Tx& tx, std::int64_t org_id, const Actor& who,
                       const std::string& action, const std::string& target,
                       const std::string& before, const std::string& after,
                       const std::string& reason) {
  return append_entry(tx, org_id, who, action, target, before, after, reason);
}

Status commit_change(Context& ctx, const std::function<Status(store::Tx& tx)>& work) {
  // A change inside another change joins its transaction (store.h); only the
  // outermost, once committed, may move the anchor: an inner one that moved it
  // would point past the log if the outer one then rolled back.
  thread_local int depth = 0;
  ++depth;
  const std::string* outer_tenant = t_tenant;
  t_tenant = &ctx.tenant;
  Status st = ok_status();
  try {
    st = ctx.store.transact(work);
  } catch (...) {
    --depth;
    t_tenant = outer_tenant;
    throw;
  }
  --depth;
  t_tenant = outer_tenant;
  if (!st) return st;
  if (depth > 0 || ctx.data_dir.empty()) return ok_status();
  store::AuditQuery newest;
  newest.newest_first = true;
  newest.limit = 1;
  auto last = ctx.store.query_audit(newest);
  if (!last || last->empty()) return ok_status();  // the change is committed; the anchor waits
  std::lock_guard lock(g_anchor_mu);
  // Changes may commit out of order across threads: never move the anchor back.
  AuditHead current = audit_head(ctx);
  if (last->front().id <= current.id) return ok_status();
  auto s = write_file_atomic(
      anchor_path(ctx),
      json::serialize(boost::json::object{{"id", last->front().id}, {"hash", last->front().hash}}));
  if (!s) spdlog::error("audit anchor not written: {}", s.error().message);
  return ok_status();
}

Status record_audit(Context& ctx, const Actor& who, const std::string& action,
                    const std::string& target, const std::string& before, const std::string& after,
                    const std::string& reason) {
  return commit_change(ctx, [&](store::Tx& tx) {
    return record_audit(tx, who, action, target, before, after, reason);
  });
}

Status check_reason(const std::string& reason, const char* if_missing) {
  if (if_missing && text::trim(reason).empty())
    return make_error(Code::kInvalidArgument, if_missing);
  return text::check_field("reason", reason, limits::kReasonChars, text::Lines::kMany);
}

AuditHead audit_head(Context& ctx) {
  auto text = read_file(anchor_path(ctx));
  if (!text) return {};
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return {};
  auto id = json::get_int(v->get_object(), "id");
  return {id ? *id : 0, json::string_or(v->get_object(), "hash", "")};
}

Expected<AuditVerification> verify_audit(Context& ctx) {
  // Read the anchor first: entries appended while reading only extend the chain.
  AuditVerification out{{}, audit_head(ctx)};
  std::vector<AuditEntry> entries;
  for (std::int64_t after = 0;;) {
    auto page = ctx.store.audit_entries(after, 5000);
    if (!page) return page.error();
    if (page->empty()) break;
    after = page->back().id;
    entries.insert(entries.end(), std::make_move_iterator(page->begin()),
                   std::make_move_iterator(page->end()));
  }
  out.check = verify_log(entries, out.head.id, out.head.hash);
  return out;
}

}  // namespace posfleet::domain

#include "server/domain/audit.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <mutex>

#include "core/clock.h"
#include "core/fs.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"

namespace posfleet::domain {

namespace {
thread_local std::string t_address;
std::mutex g_anchor_mu;
std::string anchor_path(const Context& ctx) { return ctx.data_dir + "/audit-head.json"; }
}  // namespace

AuditAddress::AuditAddress(std::string address) : previous_(std::move(t_address)) {
  t_address = std::move(address);
}
AuditAddress::~AuditAddress() { t_address = std::move(previous_); }
const std::string& AuditAddress::current() { return t_address; }

Status record_audit(store::Tx& tx, const Actor& who, const std::string& action,
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
  auto written = tx.append_audit(e);
  if (!written) return written.error().with_context("audit entry " + action);
  return ok_status();
}

Status commit_change(Context& ctx, const std::function<Status(store::Tx& tx)>& work) {
  // A change inside another change joins its transaction (store.h); only the
  // outermost, once committed, may move the anchor: an inner one that moved it
  // would point past the log if the outer one then rolled back.
  thread_local int depth = 0;
  ++depth;
  Status st = ok_status();
  try {
    st = ctx.store.transact(work);
  } catch (...) {
    --depth;
    throw;
  }
  --depth;
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

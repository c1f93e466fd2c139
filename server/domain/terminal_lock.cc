#include "server/domain/terminal_lock.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "core/unlock_code.h"
#include "server/domain/audit.h"
#include "server/domain/secrets.h"
#include "server/domain/support.h"

namespace posfleet::domain {

namespace {

Error not_locked(const std::string& serial) {
  return make_error(Code::kWrongState, "terminal " + serial + " is not locked");
}

bool in_force(const store::TerminalLockRecord& l) { return l.state == "locked"; }

}  // namespace

Expected<store::TerminalLockRecord> lock_terminal(Context& ctx, const Scope& scope,
                                                  const std::string& serial,
                                                  const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason, "a reason is required: say why the terminal is locked"); !s)
    return s.error();
  if (!ctx.secrets)
    return make_error(Code::kUnavailable, "the server has no key to seal the unlock code");
  auto t = terminal_in(ctx, scope, serial);
  if (!t) return t.error();
  const std::string code = new_readable_code();
  auto check = make_unlock_check(code);
  if (!check) return check.error();
  store::TerminalLockRecord rec;
  rec.terminal_id = t->id;
  rec.reason = reason;
  rec.locked_by = who.name;
  rec.locked_at = unix_now();
  rec.code_sealed = ctx.secrets->seal(code);
  rec.check_json = json::serialize(to_json(*check));
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto old = tx.terminal_lock(t->id);
    if (old && in_force(*old))
      return make_error(Code::kConflict, "terminal " + serial + " is locked already (since " +
                                             format_utc(old->locked_at) + ")");
    if (!old && old.error().code != Code::kNotFound) return old.error();
    auto id = tx.insert_terminal_lock(rec);
    if (!id) return id.error();
    rec.id = *id;
    return record_audit(tx, who, "terminal.lock", "terminal:" + serial, "", "locked", reason);
  });
  if (!s) return s.error();
  return rec;
}

Expected<store::TerminalLockRecord> release_terminal_lock(Context& ctx, const Scope& scope,
                                                          const std::string& serial,
                                                          const std::string& reason,
                                                          const Actor& who) {
  if (auto s = check_reason(reason, "a reason is required: say why the lock is lifted"); !s)
    return s.error();
  auto t = terminal_in(ctx, scope, serial);
  if (!t) return t.error();
  store::TerminalLockRecord out;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto l = tx.terminal_lock(t->id);
    if (!l && l.error().code == Code::kNotFound) return not_locked(serial);
    if (!l) return l.error();
    if (!in_force(*l)) return not_locked(serial);
    l->state = "released";
    l->ended_at = unix_now();
    l->ended_by = who.name;
    l->ended_how = "remote";
    if (auto u = tx.update_terminal_lock(*l); !u) return u;
    out = *l;
    return record_audit(tx, who, "terminal.lock_release", "terminal:" + serial, "locked",
                        "released", reason);
  });
  if (!s) return s.error();
  return out;
}

Expected<std::string> issue_unlock_code(Context& ctx, std::int64_t verification_id,
                                        const std::string& serial, const std::string& reason,
                                        const Actor& who) {
  if (auto s = check_reason(reason, "a reason is required: say why the code is given"); !s)
    return s.error();
  auto v = verified_for(ctx, verification_id, who);
  if (!v) return v.error();
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t && t.error().code != Code::kNotFound) return t.error();
  if (!t || t->merchant_id != v->merchant_id)
    return make_error(Code::kNotFound, "no terminal with serial " + text::safe_echo(serial) +
                                           " among the verified merchant's");
  if (!ctx.secrets) return make_error(Code::kUnavailable, "the server has no key to open the code");
  std::string code;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto l = tx.terminal_lock(t->id);
    if (!l && l.error().code == Code::kNotFound) return not_locked(serial);
    if (!l) return l.error();
    if (!in_force(*l)) return not_locked(serial);
    auto opened = ctx.secrets->unseal(l->code_sealed);
    if (!opened) return opened.error();
    code = *opened;
    l->code_issued_at = unix_now();
    l->code_issued_by = who.name;
    if (auto u = tx.update_terminal_lock(*l); !u) return u;
    return record_audit(tx, who, "support.unlock_code", "terminal:" + serial, "",
                        "unlock code read to the verified merchant", reason);
  });
  if (!s) return s.error();
  return code;
}

Expected<std::optional<LockNotice>> lock_notice(Context& ctx, const store::TerminalRecord& t) {
  auto l = ctx.store.terminal_lock(t.id);
  if (!l && l.error().code == Code::kNotFound) return std::optional<LockNotice>();
  if (!l) return l.error();
  if (l->state == "unlocked") return std::optional<LockNotice>();
  return std::optional<LockNotice>(
      LockNotice{l->id, in_force(*l), l->reason, l->check_json, l->locked_at});
}

Status terminal_unlocked(Context& ctx, const store::TerminalRecord& t, std::int64_t lock_id,
                         const std::string& how) {
  if (how != "code" && how != "remote")
    return make_error(Code::kInvalidArgument, "how must be code or remote");
  const Actor terminal{t.serial, "terminal", "terminal"};
  return commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto l = tx.terminal_lock(t.id);
    if (!l && l.error().code == Code::kNotFound)
      return make_error(Code::kNotFound, "no lock " + std::to_string(lock_id));
    if (!l) return l.error();
    if (l->id != lock_id) return make_error(Code::kNotFound, "no lock " + std::to_string(lock_id));
    if (l->state == "unlocked") return ok_status();  // told again: nothing more to do
    // A code only unlocks a lock in force; "remote" only a lifted one.
    if ((how == "code") != in_force(*l))
      return make_error(Code::kWrongState, "lock " + std::to_string(lock_id) + " is " + l->state);
    const std::string before = l->state;
    l->state = "unlocked";
    if (how == "code") {
      l->ended_at = unix_now();
      l->ended_by = t.serial;
      l->ended_how = "code";
    }
    l->code_sealed.clear();  // used up
    if (auto u = tx.update_terminal_lock(*l); !u) return u;
    return record_audit(tx, terminal, "terminal.unlocked", "terminal:" + t.serial, before,
                        how == "code" ? "unlocked with the code" : "unlocked (lifted remotely)",
                        "");
  });
}

Expected<store::TerminalLockRecord> terminal_lock_of(Context& ctx, const store::TerminalRecord& t) {
  return ctx.store.terminal_lock(t.id);
}

Status each_sealed_lock_code(Context& ctx, const std::function<Status(std::string&)>& f,
                             bool save) {
  auto locks = ctx.store.sealed_terminal_locks();
  if (!locks) return locks.error();
  for (auto& l : *locks) {
    if (auto s = f(l.code_sealed); !s) return s;
    if (save)
      if (auto s = ctx.store.set_terminal_lock_code(l.id, l.code_sealed); !s) return s;
  }
  return ok_status();
}

}  // namespace posfleet::domain

#include "server/domain/terminal_actions.h"

#include <algorithm>

#include "core/clock.h"
#include "core/scrub.h"
#include "core/text.h"
#include "server/domain/audit.h"

namespace posfleet::domain {

namespace {

// One of the terminal's own actions (another terminal's is as missing).
Expected<store::TerminalActionRecord> own_action(store::Tx& tx, const store::TerminalRecord& t,
                                                 std::int64_t id) {
  auto a = tx.terminal_action(id);
  if (!a) return a.error();
  if (a->terminal_id != t.id) return make_error(Code::kNotFound, "no action " + std::to_string(id));
  return a;
}

}  // namespace

Expected<store::TerminalActionRecord> request_action(Context& ctx, const Scope& scope,
                                                     const std::string& serial,
                                                     const std::string& kind,
                                                     const std::string& reason, const Actor& who) {
  if (kind != "logs" && kind != "reboot")
    return make_error(Code::kInvalidArgument, "kind must be logs or reboot");
  if (auto s = check_reason(reason, "a reason is required: say why"); !s) return s.error();
  auto t = terminal_in(ctx, scope, serial);
  if (!t) return t.error();
  store::TerminalActionRecord a;
  a.terminal_id = t->id;
  a.kind = kind;
  a.reason = reason;
  a.requested_by = who.name;
  a.requested_at = unix_now();
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto pending = tx.terminal_actions(t->id, true, kMaxPendingActions);
    if (!pending) return pending.error();
    if (static_cast<std::int64_t>(pending->size()) >= kMaxPendingActions)
      return make_error(Code::kTooManyRequests,
                        "terminal " + serial + " has 10 actions waiting; wait for it to poll");
    auto id = tx.insert_terminal_action(a);
    if (!id) return id.error();
    a.id = *id;
    return record_audit(tx, who, "terminal.action." + kind, "terminal:" + serial, "",
                        "action " + std::to_string(a.id), reason);
  });
  if (!s) return s.error();
  return a;
}

Expected<std::vector<store::TerminalActionRecord>> actions_of(Context& ctx, const Scope& scope,
                                                              const std::string& serial) {
  auto t = terminal_in(ctx, scope, serial);
  if (!t) return t.error();
  return ctx.store.terminal_actions(t->id, false, 50);
}

Expected<std::string> download_bundle(Context& ctx, const Scope& scope, const std::string& serial,
                                      std::int64_t id, const Actor& who) {
  auto t = terminal_in(ctx, scope, serial);
  if (!t) return t.error();
  std::string bundle;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto a = own_action(tx, *t, id);
    if (!a) return a.error();
    auto b = tx.action_bundle(id);
    if (!b) return b.error();
    bundle = std::move(*b);
    return record_audit(tx, who, "terminal.bundle.download", "terminal:" + serial, "",
                        "log bundle of action " + std::to_string(id), "");
  });
  if (!s) return s.error();
  return bundle;
}

Expected<std::vector<store::TerminalActionRecord>> pending_actions(Context& ctx,
                                                                   const store::TerminalRecord& t) {
  auto a = ctx.store.terminal_actions(t.id, true, kMaxPendingActions);
  if (!a) return a.error();
  std::reverse(a->begin(), a->end());
  return a;
}

Status action_finished(Context& ctx, const store::TerminalRecord& t, std::int64_t id, bool done,
                       const std::string& detail) {
  // Valid text of at most 500 characters, control characters shown as \xNN.
  const std::string line = text::safe_echo(detail, 500);
  return ctx.store.transact([&](store::Tx& tx) -> Status {
    auto a = own_action(tx, t, id);
    if (!a) return a.error();
    if (a->state != "pending") return ok_status();  // told again
    a->state = done ? "done" : "failed";
    a->done_at = unix_now();
    a->detail = scrub_sensitive(line);
    return tx.update_terminal_action(*a);
  });
}

Status bundle_uploaded(Context& ctx, const store::TerminalRecord& t, std::int64_t id,
                       const std::string& bundle) {
  if (bundle.size() > kMaxBundleBytes)
    return make_error(Code::kTooLarge, "a log bundle is at most 256 KiB");
  const std::string kept = scrub_sensitive(bundle);
  return ctx.store.transact([&](store::Tx& tx) -> Status {
    auto a = own_action(tx, t, id);
    if (!a) return a.error();
    if (a->kind != "logs")
      return make_error(Code::kWrongState, "action " + std::to_string(id) + " is not for logs");
    if (a->state != "pending")
      return make_error(Code::kWrongState, "action " + std::to_string(id) + " is " + a->state);
    if (auto s = tx.put_action_bundle(id, kept); !s) return s;
    a->state = "done";
    a->done_at = unix_now();
    a->detail = "log bundle of " + std::to_string(kept.size()) + " bytes";
    return tx.update_terminal_action(*a);
  });
}

}  // namespace posfleet::domain

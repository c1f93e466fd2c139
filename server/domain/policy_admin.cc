// posfleet server: the administrative changes beside a policy that decide what
// applies to a terminal: its group, and a security release's deadline
// (declared in policy.h).
#include "core/clock.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/policy.h"

namespace posfleet::domain {

Expected<GroupMove> move_to_group(Context& ctx, const std::string& serial, const std::string& group,
                                  const Actor& who, bool may_change_locks) {
  GroupMove out{serial, group};
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto t = tx.terminal_by_serial(ctx.tenant, serial);
    if (!t) return t.error();
    out.serial = t->serial;
    if (auto s = text::check_field("group", group, limits::kGroupChars); !s) return s;
    // Moving a terminal out of (or into) a locked group changes a lock.
    if (!may_change_locks) {
      auto before = effective_policy(tx, *t);
      if (!before) return before.error();
      bool locked = before->locked;
      if (!group.empty()) {
        auto target = scope_policy(tx, "group", group);
        if (!target) return target.error();
        locked = locked || target->locked;
      }
      if (locked)
        return make_error(
            Code::kLocked,
            "the terminal's or the group's mode is locked; only an administrator may move it");
    }
    if (auto s = tx.set_terminal_group(t->id, group); !s) return s;
    return record_audit(tx, who, "terminal.group", "terminal:" + t->serial, t->group, group, "");
  });
  if (!st) return st.error();
  return out;
}

Expected<std::int64_t> set_security_deadline(Context& ctx, const std::string& version,
                                             const std::string& deadline, const std::string& reason,
                                             const Actor& who) {
  std::int64_t out = 0;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto r = tx.release_by_version(version);
    if (!r) return r.error();
    if (!r->security)
      return make_error(Code::kInvalidArgument,
                        "release " + r->version +
                            " is not signed as security-critical; create it with --security");
    if (auto s = check_reason(reason, "say why the deadline changes: reason is required"); !s)
      return s;
    auto t = parse_utc(deadline);
    if (!t)
      return make_error(Code::kInvalidArgument,
                        "deadline must be a UTC time like 2026-12-24T00:00:00Z");
    if (auto s = tx.set_release_deadline(r->id, *t); !s) return s;
    out = *t;
    return record_audit(tx, who, "release.deadline", "release:" + r->version,
                        r->security_deadline ? format_utc(r->security_deadline) : "",
                        format_utc(*t), reason);
  });
  if (!st) return st.error();
  return out;
}

}  // namespace posfleet::domain

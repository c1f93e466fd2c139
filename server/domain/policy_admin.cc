// posfleet server: the administrative change beside a policy that decides what
// applies to a terminal: its group (declared in policy.h). A security
// release's deadline is set in releases.cc.
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

}  // namespace posfleet::domain

#include "server/domain/terminals_lifecycle.h"

#include "core/clock.h"
#include "server/domain/api_tokens.h"
#include "server/domain/audit.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

Expected<Retired> retire_terminal(Context& ctx, const std::string& serial,
                                  const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason, "say why: a reason is required (it goes into the audit log)");
      !s)
    return s.error();
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t) return t.error();
  if (t->retired) return make_error(Code::kConflict, "terminal " + serial + " is retired already");
  const auto now = unix_now();
  // A token nobody is ever shown: the column stays unique, and the old hash
  // matches nothing even before the retired flag is read.
  auto canceled = ctx.store.retire_terminal(t->id, now, reason, hash_token(new_token()));
  if (!canceled) {
    if (canceled.error().code == Code::kConflict)
      return make_error(Code::kConflict, "terminal " + serial + " is retired already");
    return canceled.error();
  }
  std::string after = "retired";
  if (*canceled) after += ", deployment " + std::to_string((*canceled)->id) + " canceled";
  // Its certificates too: a retired terminal's certificate is refused like a
  // stolen one's, whatever the terminal flag says.
  auto revoked = ctx.store.revoke_device_certs(t->id, now, "retired: " + reason);
  if (!revoked) return revoked.error();
  if (*revoked) after += ", " + std::to_string(*revoked) + " certificate(s) revoked";
  if (auto s = record_audit(ctx, who, "terminal.retire", "terminal:" + serial, "in service", after,
                            reason);
      !s)
    return s.error();
  auto now_t = ctx.store.terminal_by_id(t->id);
  if (!now_t) return now_t.error();
  return Retired{*now_t, *canceled};
}

Expected<RotatedToken> rotate_terminal_token(Context& ctx, const std::string& serial,
                                             const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t) return t.error();
  if (t->retired)
    return make_error(
        Code::kConflict,
        "terminal " + serial + " is retired; register it again to put it back in service");
  RotatedToken out{*t, new_token()};
  if (auto s = ctx.store.set_terminal_token(t->id, hash_token(out.token)); !s) return s.error();
  out.terminal.token_hash = hash_token(out.token);
  if (auto s = record_audit(ctx, who, "terminal.token_rotate", "terminal:" + serial, "",
                            "new DDI token", reason);
      !s)
    return s.error();
  return out;
}

}  // namespace posfleet::domain

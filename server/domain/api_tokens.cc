#include "server/domain/api_tokens.h"

#include <algorithm>

#include "core/clock.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

Status check_token_name(const std::string& name) {
  if (text::trim(name).empty() || text::trim(name) != name)
    return make_error(Code::kInvalidArgument,
                      "give the token a name without spaces at either end, e.g. ci-deploy; it "
                      "appears in the audit log");
  return text::check_field("name", name, limits::kTokenNameChars);
}

Expected<NewApiToken> create_api_token(Context& ctx, const std::string& name, Role role,
                                       const Actor& who, std::int64_t org_id) {
  if (auto s = check_token_name(name); !s) return s.error();
  NewApiToken out;
  out.token = new_token();
  out.record = {0, hash_token(out.token), name, to_string(role), unix_now()};
  out.record.org_id = org_id;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto id = tx.insert_api_token(out.record);
    if (!id) return id.error();
    out.record.id = *id;
    return record_audit(tx, who, "token.create", "token:" + std::to_string(*id), "",
                        name + " " + out.record.role, "");
  });
  if (!st) return st.error();
  return out;
}

Expected<std::vector<store::ApiTokenRecord>> list_api_tokens(Context& ctx) {
  return ctx.store.list_api_tokens();
}

Expected<store::ApiTokenRecord> revoke_api_token(Context& ctx, std::int64_t id, const Actor& who,
                                                 const std::string& reason) {
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  store::ApiTokenRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto all = tx.list_api_tokens();
    if (!all) return all.error();
    auto it = std::find_if(all->begin(), all->end(), [&](const auto& t) { return t.id == id; });
    if (it == all->end())
      return make_error(Code::kNotFound, "no API token " + std::to_string(id) + "; see token list");
    const auto now = unix_now();
    auto took = tx.revoke_api_token(id, now);
    if (!took) return took.error();
    if (!*took)
      return make_error(Code::kWrongState, "API token " + std::to_string(id) + " (" + it->name +
                                               ") was revoked already");
    it->revoked = now;
    out = *it;
    return record_audit(tx, who, "token.revoke", "token:" + std::to_string(id),
                        it->name + " " + it->role, "revoked", reason);
  });
  if (!st) return st.error();
  return out;
}

Expected<store::ApiTokenRecord> authenticate_api_token(Context& ctx, std::string_view token) {
  auto t = ctx.store.api_token(hash_token(token));
  if (!t) {
    if (t.error().code != Code::kUnauthorized) return t.error();
    return make_error(Code::kUnauthorized, "this API token is not known; check POSFLEET_TOKEN");
  }
  if (t->revoked)
    return make_error(Code::kUnauthorized,
                      "this API token was revoked; ask an administrator for a new one");
  const auto now = unix_now();
  if (now - t->last_used >= kTokenTouchSeconds) {
    // Best effort: a failed note of the last use must not refuse the caller.
    if (ctx.store.touch_api_token(t->id, now)) t->last_used = now;
  }
  return t;
}

}  // namespace posfleet::domain

#include "server/domain/api_tokens.h"

#include <algorithm>

#include "core/clock.h"
#include "server/domain/audit.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

bool valid_token_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

namespace {

// Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    int n = c < 0x80             ? 0
            : (c & 0xE0) == 0xC0 ? 1
            : (c & 0xF0) == 0xE0 ? 2
            : (c & 0xF8) == 0xF0 ? 3
                                 : -1;
    if (n < 0 || end - p <= n) return false;  // not a lead byte, or cut short
    unsigned cp = n == 0 ? c : c & (0x3F >> n);
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    static constexpr unsigned kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += n + 1;
  }
  return true;
}

}  // namespace

Status check_reason(const std::string& reason, bool required) {
  if (required && reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return make_error(Code::kInvalidArgument,
                      "say why: reason is required (it goes into the audit log)");
  if (reason.size() > kReasonBytes)
    return make_error(Code::kInvalidArgument,
                      "reason is at most " + std::to_string(kReasonBytes) + " bytes");
  for (unsigned char c : reason)
    if (c < 0x20 || c == 0x7F)
      return make_error(Code::kInvalidArgument, "reason must not contain control characters");
  if (!valid_utf8(reason)) return make_error(Code::kInvalidArgument, "reason must be UTF-8 text");
  return ok_status();
}

Expected<NewApiToken> create_api_token(Context& ctx, const std::string& name,
                                       const std::string& role, const Actor& who) {
  if (!valid_token_name(name))
    return make_error(Code::kInvalidArgument,
                      "a token's name must be 1-64 letters, digits, '.', '_' or '-', "
                      "e.g. ci-deploy; it appears in the audit log");
  NewApiToken out;
  out.token = new_token();
  out.record = {0, hash_token(out.token), name, role, unix_now()};
  auto id = ctx.store.insert_api_token(out.record);
  if (!id) return id.error();
  out.record.id = *id;
  if (auto s = record_audit(ctx, who, "token.create", "token:" + std::to_string(*id), "",
                            name + " " + role, "");
      !s)
    return s.error();
  return out;
}

Expected<std::vector<store::ApiTokenRecord>> list_api_tokens(Context& ctx) {
  return ctx.store.list_api_tokens();
}

Expected<store::ApiTokenRecord> revoke_api_token(Context& ctx, std::int64_t id, const Actor& who,
                                                 const std::string& reason) {
  if (auto s = check_reason(reason, false); !s) return s.error();
  auto all = ctx.store.list_api_tokens();
  if (!all) return all.error();
  auto it = std::find_if(all->begin(), all->end(), [&](const auto& t) { return t.id == id; });
  if (it == all->end())
    return make_error(Code::kNotFound, "no API token " + std::to_string(id) + "; see token list");
  const auto now = unix_now();
  auto took = ctx.store.revoke_api_token(id, now);
  if (!took) return took.error();
  if (!*took)
    return make_error(Code::kConflict, "API token " + std::to_string(id) + " (" + it->name +
                                           ") was revoked already");
  it->revoked = now;
  if (auto s = record_audit(ctx, who, "token.revoke", "token:" + std::to_string(id),
                            it->name + " " + it->role, "revoked", reason);
      !s)
    return s.error();
  return *it;
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

#include "server/domain/terminals.h"

#include "core/clock.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

bool valid_serial(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

Expected<RegisteredTerminal> register_terminal(Context& ctx, const std::string& serial, const std::string& model) {
  if (!valid_serial(serial))
    return make_error(
        Code::kInvalidArgument,
        "serial \"" + text::safe_echo(serial) + "\" must be 1-64 letters, digits, '.', '_' or '-'");
  if (model.empty() || !text::check_field("model", model, limits::kModelChars))
    return make_error(Code::kInvalidArgument, "model must be 1-64 characters of text, e.g. A920");
  RegisteredTerminal r;
  r.token = new_token();
  r.record.tenant = ctx.tenant;
  r.record.serial = serial;
  r.record.model = model;
  r.record.token_hash = hash_token(r.token);
  r.record.created = unix_now();
  auto id = ctx.store.insert_terminal(r.record);
  if (!id) {
    if (id.error().code == Code::kConflict)
      return make_error(Code::kConflict, "terminal " + serial + " is already registered");
    return id.error();
  }
  r.record.id = *id;
  return r;
}

Expected<store::TerminalRecord> authenticate_terminal(Context& ctx, const std::string& tenant,
                                                      const std::string& serial, const std::string& authorization) {
  constexpr std::string_view kScheme = "TargetToken ";
  auto denied = make_error(Code::kUnauthorized, "send \"Authorization: TargetToken <token>\" with this terminal's token");
  if (tenant != ctx.tenant || authorization.compare(0, kScheme.size(), kScheme) != 0) return denied;
  auto t = ctx.store.terminal_by_serial(tenant, serial);
  if (!t) return t.error().code == Code::kNotFound ? denied : t.error();
  if (!equal_constant_time(t->token_hash, hash_token(std::string_view(authorization).substr(kScheme.size()))))
    return denied;
  return t;
}

}  // namespace posfleet::domain

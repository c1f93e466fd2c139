#include "server/domain/terminals.h"

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/device_certs.h"
#include "server/domain/time_zones.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

bool valid_serial(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

Expected<RegisteredTerminal> register_terminal(store::Tx& tx, const std::string& tenant,
                                               const std::string& serial,
                                               const std::string& model) {
  if (!valid_serial(serial))
    return make_error(
        Code::kInvalidArgument,
        "serial \"" + text::safe_echo(serial) + "\" must be 1-64 letters, digits, '.', '_' or '-'");
  if (model.empty() || !text::check_field("model", model, limits::kModelChars))
    return make_error(Code::kInvalidArgument, "model must be 1-64 characters of text, e.g. A920");
  RegisteredTerminal r;
  r.token = new_token();
  r.record.tenant = tenant;
  r.record.serial = serial;
  r.record.model = model;
  r.record.token_hash = hash_token(r.token);
  r.record.created = unix_now();
  auto id = tx.insert_terminal(r.record);
  if (!id && id.error().code == Code::kConflict) {
    // A retired serial comes back only as a new registration (terminals_lifecycle.h).
    auto old = tx.terminal_by_serial(tenant, serial);
    if (!old) return old.error();
    if (!old->retired)
      return make_error(Code::kConflict, "terminal " + serial + " is already registered");
    auto again = tx.reregister_terminal(old->id, model, r.record.token_hash, r.record.created);
    if (!again) return again.error();
    if (!*again)
      return make_error(Code::kConflict, "terminal " + serial + " was just registered again");
    id = old->id;
    r.reregistered = true;
  }
  if (!id) return id.error();
  r.record.id = *id;
  return r;
}

Expected<RegisteredTerminal> register_terminal(Context& ctx, const std::string& serial,
                                               const std::string& model) {
  RegisteredTerminal out;
  auto s = ctx.store.transact([&](store::Tx& tx) -> Status {
    auto r = register_terminal(tx, ctx.tenant, serial, model);
    if (!r) return r.error();
    out = std::move(*r);
    return ok_status();
  });
  if (!s) return s.error();
  return out;
}

Expected<RegisteredTerminal> register_terminal_as(Context& ctx, const Actor& who,
                                                  const std::string& serial,
                                                  const std::string& model,
                                                  const std::string& time_zone) {
  if (auto s = check_zone_or_empty(time_zone); !s) return s.error();
  RegisteredTerminal out;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto r = register_terminal(tx, ctx.tenant, serial, model);
    if (!r) return r.error();
    out = std::move(*r);
    if (out.record.time_zone != time_zone) {
      if (auto s = tx.set_terminal_time_zone(out.record.id, time_zone); !s) return s;
      out.record.time_zone = time_zone;
    }
    return record_audit(tx, who, "terminal.register", "terminal:" + out.record.serial,
                        out.reregistered ? "retired" : "",
                        out.record.model + (time_zone.empty() ? "" : " " + time_zone), "");
  });
  if (!s) return s.error();
  return out;
}

namespace {

constexpr std::string_view kTokenScheme = "TargetToken ";

Error denied_terminal() {
  return make_error(Code::kUnauthorized,
                    "send \"Authorization: TargetToken <token>\" with this terminal's token "
                    "(or, where the fleet allows it, its client certificate alone)");
}

// authenticate_terminal's rules with the terminal's row read by `lookup` (a
// kNotFound from it is the same refusal as a wrong token).
template <typename Found, typename Lookup, typename RowOf>
Expected<Found> authenticate_with(Context& ctx, const std::string& tenant,
                                  const std::string& authorization, const ClientCertificate* cert,
                                  Lookup lookup, RowOf row) {
  if (tenant != ctx.tenant) return denied_terminal();
  const bool has_token = authorization.compare(0, kTokenScheme.size(), kTokenScheme) == 0;
  if (!has_token && !cert) return denied_terminal();
  auto found = lookup();
  if (!found) return found.error().code == Code::kNotFound ? denied_terminal() : found.error();
  const store::TerminalRecord& t = row(*found);
  bool by_cert = false;
  if (cert) {
    auto proves = certificate_proves(ctx, t, *cert);
    if (!proves) return proves.error();
    by_cert = *proves;
  }
  if (has_token) {
    if (!equal_constant_time(
            t.token_hash, hash_token(std::string_view(authorization).substr(kTokenScheme.size()))))
      return denied_terminal();
  } else {
    if (!by_cert) return denied_terminal();
    auto required = device_token_required(ctx);
    if (!required) return required.error();
    if (*required)
      return make_error(Code::kUnauthorized,
                        "this fleet requires the terminal's token besides its certificate: send "
                        "\"Authorization: TargetToken <token>\" too");
  }
  if (t.retired)
    return make_error(Code::kUnauthorized,
                      "this terminal was retired; its token no longer works (call support)");
  return found;
}

}  // namespace

Expected<store::TerminalRecord> authenticate_terminal(Context& ctx, const std::string& tenant,
                                                      const std::string& serial,
                                                      const std::string& authorization,
                                                      const ClientCertificate* cert) {
  return authenticate_with<store::TerminalRecord>(
      ctx, tenant, authorization, cert,
      [&] { return ctx.store.terminal_by_serial(tenant, serial); },
      [](const store::TerminalRecord& t) -> const store::TerminalRecord& { return t; });
}

Expected<store::PollingTerminal> authenticate_polling_terminal(Context& ctx,
                                                               const std::string& tenant,
                                                               const std::string& serial,
                                                               const std::string& authorization,
                                                               const ClientCertificate* cert) {
  return authenticate_with<store::PollingTerminal>(
      ctx, tenant, authorization, cert, [&] { return ctx.store.polling_terminal(tenant, serial); },
      [](const store::PollingTerminal& p) -> const store::TerminalRecord& { return p.terminal; });
}

namespace {

bool plausible_version(const std::string& v) {
  if (v.empty() || v.size() > 64) return false;
  for (char c : v)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' ||
          c == '~' || c == '-'))
      return false;
  return true;
}

}  // namespace

std::string reported_version(const boost::json::object& a) {
  // The committed slot's version is what runs; "version" is the same from
  // posfleet's agent and the first choice of a stock client.
  const std::string active = json::string_or(a, "slot_active", "");
  if (active == "a" || active == "b")
    if (auto v = json::string_or(a, "slot_" + active + "_version", ""); plausible_version(v))
      return v;
  for (const char* key :
       {"version", "sw_version", "swversion", "software_version", "firmware_version"})
    if (auto v = json::string_or(a, key, ""); plausible_version(v)) return v;
  return "";
}

Status record_attributes(Context& ctx, const store::TerminalRecord& t,
                         const boost::json::object& attributes) {
  if (auto s = ctx.store.set_terminal_attributes(t.id, json::serialize(attributes)); !s) return s;
  const std::string version = reported_version(attributes);
  if (version.empty() || version == t.installed_version) return ok_status();
  return ctx.store.set_installed_version(t.id, version);
}

Status adopt_reported_version(Context& ctx, const store::TerminalRecord& t) {
  if (!t.installed_version.empty() || t.attributes_json == "{}") return ok_status();
  auto v = json::parse(t.attributes_json);
  if (!v || !v->is_object()) return ok_status();
  const std::string version = reported_version(v->get_object());
  return version.empty() ? ok_status() : ctx.store.set_installed_version(t.id, version);
}

}  // namespace posfleet::domain

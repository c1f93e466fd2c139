#include "server/domain/device_certs.h"

#include "core/clock.h"
#include "server/domain/audit.h"

namespace posfleet::domain {

namespace {

constexpr std::int64_t kRenewEverySeconds = 60;

std::string when(std::int64_t t) { return format_utc(t); }

}  // namespace

Expected<IssuedCertificate> issue_device_certificate(Context& ctx, store::Tx& tx,
                                                     const store::TerminalRecord& t,
                                                     const std::string& csr_pem, const Actor& who) {
  if (!ctx.device_ca)
    return make_error(Code::kUnavailable,
                      "this server issues no device certificates (it has no device CA)");
  const auto now = unix_now();
  auto issued = ctx.device_ca->sign(csr_pem, t.serial, ctx.device_cert_days, now);
  if (!issued) return issued.error();
  store::DeviceCertRecord r;
  r.terminal_id = t.id;
  r.fingerprint = issued->facts.sha256;
  r.cert_serial = issued->facts.serial_hex;
  r.issued = now;
  r.not_after = issued->facts.not_after;
  if (auto id = tx.insert_device_cert(r); !id) return id.error();
  if (auto s = record_audit(
          tx, who, "terminal.certificate.issue", "terminal:" + t.serial, "",
          "certificate " + issued->facts.serial_hex + " until " + when(issued->facts.not_after),
          "");
      !s)
    return s.error();
  return issued;
}

Expected<IssuedCertificate> renew_device_certificate(Context& ctx, const store::TerminalRecord& t,
                                                     const std::string& csr_pem) {
  const Actor terminal{t.serial, "terminal", "terminal"};
  IssuedCertificate out;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto have = tx.device_certs_of(t.id);
    if (!have) return have.error();
    if (!have->empty() && have->front().issued > unix_now() - kRenewEverySeconds)
      return make_error(Code::kTooManyRequests,
                        "this terminal got a certificate less than a minute ago; use that one");
    auto issued = issue_device_certificate(ctx, tx, t, csr_pem, terminal);
    if (!issued) return issued.error();
    out = std::move(*issued);
    return ok_status();
  });
  if (!s) return s.error();
  return out;
}

Expected<std::vector<store::DeviceCertRecord>> device_certificates(Context& ctx,
                                                                   const std::string& serial) {
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t) return t.error();
  return ctx.store.device_certs_of(t->id);
}

Expected<std::int64_t> revoke_device_certificates(store::Tx& tx, std::int64_t terminal_id,
                                                  std::int64_t now, const std::string& reason) {
  return tx.revoke_device_certs(terminal_id, now, reason);
}

Expected<std::int64_t> revoke_device_certificates(Context& ctx, const std::string& serial,
                                                  const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason, "say why: a reason is required (it goes into the audit log)");
      !s)
    return s.error();
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t) return t.error();
  std::int64_t n = 0;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto r = revoke_device_certificates(tx, t->id, unix_now(), reason);
    if (!r) return r.error();
    n = *r;
    if (n == 0)
      return make_error(Code::kWrongState,
                        "terminal " + serial + " has no certificate that is not revoked already");
    return record_audit(tx, who, "terminal.certificate.revoke", "terminal:" + serial, "",
                        std::to_string(n) + " certificate(s) revoked", reason);
  });
  if (!s) return s.error();
  return n;
}

Expected<bool> device_token_required(Context& ctx) { return ctx.store.device_token_required(); }

Status set_device_token_required(Context& ctx, bool required, const std::string& reason,
                                 const Actor& who) {
  if (auto s = check_reason(reason, nullptr); !s) return s;
  return commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto before = tx.device_token_required();
    if (!before) return before.error();
    if (auto s = tx.set_device_token_required(required); !s) return s;
    const auto words = [](bool r) {
      return r ? "token required" : "token optional with a certificate";
    };
    return record_audit(tx, who, "fleet.device_auth", "fleet", words(*before), words(required),
                        reason);
  });
}

Expected<bool> certificate_proves(Context& ctx, const store::TerminalRecord& t,
                                  const ClientCertificate& cert) {
  auto c = ctx.store.device_cert_by_fingerprint(cert.sha256);
  if (!c) return c.error().code == Code::kNotFound ? Expected<bool>(false) : c.error();
  if (c->revoked)
    return make_error(Code::kCertificateRevoked,
                      "this certificate was revoked; the terminal must be enrolled again (call "
                      "support)");
  return c->terminal_id == t.id && cert.subject_cn == t.serial && c->not_after > unix_now();
}

}  // namespace posfleet::domain

// posfleet server: terminals' certificates (mutual TLS) — issuing them from a
// CSR, listing and revoking them, the fleet setting that makes the DDI token
// optional for a terminal with a certificate, and what a presented
// certificate proves.
//
// A terminal gets a certificate at enrolment (onboarding.h enroll_terminal
// with a CSR), or later by proving itself with its TargetToken (renewal, or
// migrating a terminal enrolled before certificates). Every certificate the
// device CA issues is on record by the SHA-256 of its DER form; only one on
// record, not revoked, whose subject CN is the terminal's serial, proves who a
// connection is. Revoking is final and refuses the certificate at the
// terminal's next request, even beside a valid token. Retiring a terminal
// revokes its certificates (terminals_lifecycle.h).
// Thread-safety: stateless functions over the Context's store and device CA.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/device_ca.h"

namespace posfleet::domain {

// A client certificate verified against the device CA (by the TLS listener,
// or by posfleetd for a trusted proxy's X-Client-Cert header).
struct ClientCertificate {
  std::string subject_cn;
  std::string sha256;
};

// Issues a certificate for `t` from `csr_pem` inside a change, on record and
// audited (terminal.certificate.issue) as `who`. kUnavailable without a device
// CA; kCertificateInvalid for a CSR that cannot be used (device_ca.h).
Expected<IssuedCertificate> issue_device_certificate(Context& ctx, store::Tx& tx,
                                                     const store::TerminalRecord& t,
                                                     const std::string& csr_pem, const Actor& who);

// An authenticated terminal (authenticate_terminal) asks for a certificate:
// issued in a change of its own; at most one a minute (kTooManyRequests).
Expected<IssuedCertificate> renew_device_certificate(Context& ctx, const store::TerminalRecord& t,
                                                     const std::string& csr_pem);

// A terminal's certificates, newest first. kNotFound for an unknown serial.
Expected<std::vector<store::DeviceCertRecord>> device_certificates(Context& ctx,
                                                                   const std::string& serial);

// Revokes every certificate of the terminal not revoked yet, audited as
// terminal.certificate.revoke with the reason (required). Returns how many;
// kNotFound for an unknown serial, kWrongState when none is left to revoke.
Expected<std::int64_t> revoke_device_certificates(Context& ctx, const std::string& serial,
                                                  const std::string& reason, const Actor& who);
// The same inside a change (retirement): unaudited, the caller audits.
Expected<std::int64_t> revoke_device_certificates(store::Tx& tx, std::int64_t terminal_id,
                                                  std::int64_t now, const std::string& reason);

// Whether a terminal that presents its certificate must still send its token.
Expected<bool> device_token_required(Context& ctx);
// Administrators: audited as fleet.device_auth (reason optional).
Status set_device_token_required(Context& ctx, bool required, const std::string& reason,
                                 const Actor& who);

// What `cert` proves about terminal `t`: true when it is on record for `t`,
// its CN is `t`'s serial and it has not expired; false when it proves nothing
// (another terminal's, or not issued by posfleet). kCertificateRevoked when
// the certificate was revoked, whoever it names.
Expected<bool> certificate_proves(Context& ctx, const store::TerminalRecord& t,
                                  const ClientCertificate& cert);

}  // namespace posfleet::domain

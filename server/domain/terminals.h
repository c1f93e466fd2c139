// posfleet server: terminal registration and DDI authentication.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <boost/json/object.hpp>

#include <string>

#include "core/result.h"
#include "server/domain/context.h"

namespace posfleet::domain {

struct RegisteredTerminal {
  store::TerminalRecord record;
  std::string token;          // shown once; only its hash is stored
  bool reregistered = false;  // the serial was retired and is registered anew
};

// A terminal serial: 1-64 of [A-Za-z0-9._-].
bool valid_serial(const std::string& serial);

// Serial: valid_serial(); model: 1-64 printable characters. A retired serial
// is registered anew: a new token, in service, no group, merchant, version
// or attributes carried over (its deployments, audit entries and own policy
// stay).
// Inside a change (audit.h commit_change), unaudited: the caller's change audits it.
Expected<RegisteredTerminal> register_terminal(store::Tx& tx, const std::string& tenant,
                                               const std::string& serial, const std::string& model);
// The same as a transaction of its own, unaudited (onboarding audits its approval).
Expected<RegisteredTerminal> register_terminal(Context& ctx, const std::string& serial,
                                               const std::string& model);
// POST /api/v1/terminals: registered and audited as terminal.register by `who` in one change;
// if the audit entry cannot be written, nothing is registered. `time_zone`: its own IANA zone
// ('' = its merchant's or the fleet's; time_zones.h), checked before anything is written.
Expected<RegisteredTerminal> register_terminal_as(Context& ctx, const Actor& who,
                                                  const std::string& serial,
                                                  const std::string& model,
                                                  const std::string& time_zone = "");

struct ClientCertificate;

// Checks "Authorization: TargetToken <token>" for the terminal `serial`, and
// the client certificate the connection presented, if any (device_certs.h):
// a certificate that proves the terminal stands in for the token when the
// fleet makes the token optional; a token that is sent must be right either
// way. kUnauthorized for a missing/unknown pair (one message for both, so that
// serials cannot be probed), and for a retired terminal; kCertificateRevoked
// for a revoked certificate, even beside a valid token.
Expected<store::TerminalRecord> authenticate_terminal(Context& ctx, const std::string& tenant,
                                                      const std::string& serial,
                                                      const std::string& authorization,
                                                      const ClientCertificate* cert = nullptr);
// The same check for a poll: the terminal comes with its open deployment, read
// in the same statement (store::PollingTerminal), so a poll reads the store once.
Expected<store::PollingTerminal> authenticate_polling_terminal(
    Context& ctx, const std::string& tenant, const std::string& serial,
    const std::string& authorization, const ClientCertificate* cert = nullptr);

// The version a terminal runs, from what it reports in configData — the one
// place it is derived. posfleet's agent reports its committed slot
// (slot_active and slot_<a|b>_version) and "version"; a stock client (swupdate)
// reports what its `identify` section names: "version", "sw_version",
// "swversion", "software_version" or "firmware_version", taken in that order.
// "" when none is there or the value is not 1-64 of [A-Za-z0-9._+~-].
std::string reported_version(const boost::json::object& attributes);

// Stores a terminal's configData attributes and, when they report one, its
// installed version (so the list and overview know it from the first poll).
Status record_attributes(Context& ctx, const store::TerminalRecord& t,
                         const boost::json::object& attributes);
// For a terminal whose version is unknown although it has reported
// attributes (reported before versions were read from them): takes the
// version from them once. Called on a poll; writes nothing otherwise.
Status adopt_reported_version(Context& ctx, const store::TerminalRecord& t);

}  // namespace posfleet::domain

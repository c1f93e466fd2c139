// posfleet server: terminal registration and DDI authentication.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <string>

#include "core/result.h"
#include "server/domain/context.h"

namespace posfleet::domain {

struct RegisteredTerminal {
  store::TerminalRecord record;
  std::string token;  // shown once; only its hash is stored
  bool reregistered = false;  // the serial was retired and is registered anew
};

// A terminal serial: 1-64 of [A-Za-z0-9._-].
bool valid_serial(const std::string& serial);

// Serial: valid_serial(); model: 1-64 printable characters. A retired serial
// is registered anew: a new token, in service, no group, merchant, version
// or attributes carried over (its deployments, audit entries and own policy
// stay).
Expected<RegisteredTerminal> register_terminal(Context& ctx, const std::string& serial, const std::string& model);

// Checks "Authorization: TargetToken <token>" for the terminal `serial`.
// kUnauthorized for a missing/unknown pair (one message for both, so that
// serials cannot be probed), and for a retired terminal.
Expected<store::TerminalRecord> authenticate_terminal(Context& ctx, const std::string& tenant,
                                                      const std::string& serial, const std::string& authorization);

}  // namespace posfleet::domain

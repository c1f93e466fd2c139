// posfleet server: the end of a terminal's credentials.
//
// Retirement is final: the terminal's DDI token is replaced by one nobody
// holds (its next poll gets 401), its certificates are revoked
// (device_certs.h), its open deployment is canceled, its unused
// activation codes are voided, and it is left out of deployments, roll-outs,
// bulk policy edits and the overview's counts; it stays in the list and on
// its page as retired, with its history and audit entries. There is no
// un-retire: a device put back into service is registered again
// (register_terminal on a retired serial: a new token; only the serial's
// history and its own policy, which is keyed by serial, remain).
//
// Rotation gives an in-service terminal a new DDI token, shown once; the old
// one is refused from the next request. The operator writes the new token
// into the agent's config ("token") and restarts the agent (docs/security.md).
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "server/domain/context.h"

namespace posfleet::domain {

struct Retired {
  store::TerminalRecord terminal;
  std::optional<store::DeploymentRecord> canceled;  // the open deployment it had
};
// kNotFound, kConflict when retired already, kInvalidArgument without a reason
// (audit.h check_reason).
[[nodiscard]] Expected<Retired> retire_terminal(Context& ctx, const std::string& serial,
                                                const std::string& reason, const Actor& who);

struct RotatedToken {
  store::TerminalRecord terminal;
  std::string token;  // shown once
};
// kNotFound, kConflict for a retired terminal.
[[nodiscard]] Expected<RotatedToken> rotate_terminal_token(Context& ctx, const std::string& serial,
                                                           const std::string& reason,
                                                           const Actor& who);

}  // namespace posfleet::domain

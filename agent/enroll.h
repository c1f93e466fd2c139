// posfleet agent: enrolment of a new terminal (seed §6). The activation code
// shipped with the terminal is exchanged, once, for the terminal's own DDI
// token, which is written into the config file (mode 0600), and — from the
// CSR it sends — its certificate (device_identity.h); from then on
// `posfleet-agent run` polls as this terminal, bound to its merchant.
// Thread-safety: called once from main.
#pragma once

#include <string>

#include "core/result.h"

namespace posfleet::agent {

// Reads `config_path` (server, this terminal's serial and model; a token must
// not be there yet), asks the server — which refuses a code issued for another
// serial or model — and writes the token. Errors say what to do.
Status enroll(const std::string& config_path, const std::string& code);

}  // namespace posfleet::agent

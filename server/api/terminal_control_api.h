// posfleet server: controlling a terminal from the back office (docs/terminal_lock.md):
//   GET  /api/v1/terminals/{serial}/lock           every role: its newest lock
//   POST /api/v1/terminals/{serial}/lock           administrators, release managers, support:
//                                                  lock a lost or stolen terminal, with a reason
//   POST /api/v1/terminals/{serial}/lock/release   the same roles: lift it remotely
//   GET  /api/v1/terminals/{serial}/actions        every role: actions asked of it (logs, reboot)
//   POST /api/v1/terminals/{serial}/actions        the lock's roles: ask it to collect its logs
//                                                  or reboot, with a reason
//   GET  /api/v1/terminals/{serial}/actions/{id}/bundle   the same roles: its log bundle
//   POST /api/v1/support/verifications/{id}/unlock-code   support, after the identity check:
//                                                  the code the merchant types on the terminal
// Thread-safety: stateless; handlers run on any thread.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_terminal_control_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

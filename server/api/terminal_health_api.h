// posfleet server: a terminal's health as people read it (docs/health.md):
//   GET /api/v1/terminals/{serial}/health?days=N   every role: its latest report, with the
//       conditions the fleet's filters find, and its history of the last N days (default 7),
//       oldest first
// The fleet's filters themselves are the terminal list's (`health`, `not_seen_days`:
// terminal_filter.h).
// Thread-safety: stateless; handlers run on any thread.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_terminal_health_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

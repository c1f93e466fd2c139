// posfleet server: importing terminals over HTTP (domain/terminal_import.h):
//   POST /api/v1/terminals/import   administrators and release managers: {"rows": [{"line",
//        "serial", "model", "merchant", "group", "time_zone"}], "dry_run": bool} — every bad row
//        by line and field in both languages, or all registered with their tokens (shown once).
// The console reads CSV and Excel files into rows; the CLI reads CSV.
// Thread-safety: stateless; handlers run on any thread.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_terminal_import_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

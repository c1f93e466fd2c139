// posfleet server: every route posfleetd serves, in one table — the DDI device
// API, the management API and the console's own routes. posfleetd and the
// handler tests build their router with it, so the tests see exactly the
// routes (and the 404/405 answers) that the server serves.
// Thread-safety: call once, before serving; the routes keep a reference to ctx.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet {

void add_all_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet

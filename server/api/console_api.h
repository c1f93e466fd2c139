// posfleet server: the views the console's overview and terminal pages read
// (docs/console.md): GET /api/v1/overview and GET /api/v1/terminals/{serial}.
// Both need only the read permission, like every page that shows the fleet.
// Thread-safety: handlers are stateless over the Context.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_console_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

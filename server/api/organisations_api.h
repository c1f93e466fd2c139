// posfleet server: organisations over HTTP (domain/organisations.h): GET /api/v1/organisations
// and GET /api/v1/organisations/{id} for every role, POST /api/v1/organisations for
// administrators, PUT /api/v1/terminals/{serial}/organisation for administrators and release
// managers. Each answers within the caller's subtree only; an organisation or terminal outside it
// is 404, as one that does not exist.
// Thread-safety: stateless; handlers run on any thread.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_organisations_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

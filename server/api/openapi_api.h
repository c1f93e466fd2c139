// posfleet server: the OpenAPI 3.0 description of the management API
// (/api/v1), written by hand in server/api/openapi.json and built into the
// binary (openapi_embed.cmake). Served without log-in at
// GET /api/v1/openapi.json. server/api/openapi_test.cc keeps it true to the
// router: every route, its path parameters and the roles allowed (x-roles).
// Thread-safety: immutable data.
#pragma once

#include <string_view>

#include "server/http/router.h"

namespace posfleet::api {

// The document's bytes, as committed.
std::string_view openapi_json();

void add_openapi_routes(http::Router& router);

}  // namespace posfleet::api

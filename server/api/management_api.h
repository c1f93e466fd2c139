// posfleet server: the management API under /api/v1 (docs/protocol.md), used
// by the `posfleet` CLI and the console. JSON in and out; every route but
// /healthz needs "Authorization: Bearer <token>".
// Thread-safety: handlers are stateless over the Context.
#pragma once

#include <boost/json/object.hpp>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/deployments.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_routes(http::Router& router, domain::Context& ctx);

// A deployment as the API shows it; with its DDI status history if the view has it.
boost::json::object deployment_json(const domain::DeploymentView& v);

}  // namespace posfleet::api

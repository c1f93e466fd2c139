// posfleet server: management API routes for webhooks (rollout events to a JSON receiver, a
// DingTalk or a WeCom group robot): list (admin, auditor), create, delete and test-send
// (admin). The signing secret is write-only: no answer carries it, nor the URL's query values.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_webhook_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

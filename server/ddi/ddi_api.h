// posfleet server: the device API, Eclipse hawkBit DDI v1 (docs/protocol.md).
//
// Routes under /{tenant}/controller/v1/{controllerId}: the base poll,
// deploymentBase, installedBase, feedback, cancelAction, configData and
// artifact downloads with Range. Stock DDI clients (swupdate's suricatta,
// rauc-hawkbit-updater) and posfleet-agent use exactly the same routes;
// posfleet's additions are extra JSON fields that stock clients ignore.
// Thread-safety: handlers are stateless over the Context.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::ddi {

void add_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::ddi

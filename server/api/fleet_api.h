// posfleet server: management API routes for running the fleet: update
// policy (fleet, group, terminal) with history and locks,
// groups, security deadlines and the SMS outbox; the support desk, sessions
// and users, and the audit log have their own files.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_fleet_routes(http::Router& router, domain::Context& ctx);
// API tokens and terminals' DDI tokens: create, list, revoke, retire, rotate
// (credentials_api.cc); registered by add_fleet_routes.
void add_credential_routes(http::Router& router, domain::Context& ctx);
void add_support_routes(http::Router& router, domain::Context& ctx);
void add_session_routes(http::Router& router, domain::Context& ctx);
void add_audit_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

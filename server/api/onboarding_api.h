// posfleet server: routes for applying for a terminal, reviewing applications
// and enrolling terminals (onboarding_api.cc has the list).
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_onboarding_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

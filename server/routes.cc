#include "server/routes.h"

#include "server/api/console_api.h"
#include "server/api/device_identity_api.h"
#include "server/api/fleet_api.h"
#include "server/api/freezes_api.h"
#include "server/api/management_api.h"
#include "server/api/onboarding_api.h"
#include "server/api/openapi_api.h"
#include "server/api/organisations_api.h"
#include "server/api/parameters_api.h"
#include "server/api/rollout_api.h"
#include "server/api/terminal_control_api.h"
#include "server/api/terminal_health_api.h"
#include "server/api/terminal_import_api.h"
#include "server/api/webhooks_api.h"
#include "server/ddi/ddi_api.h"

namespace posfleet {

void add_all_routes(http::Router& router, domain::Context& ctx) {
  ddi::add_routes(router, ctx);
  api::add_routes(router, ctx);
  api::add_fleet_routes(router, ctx);
  api::add_audit_routes(router, ctx);
  api::add_rollout_routes(router, ctx);
  api::add_support_routes(router, ctx);
  api::add_session_routes(router, ctx);
  api::add_onboarding_routes(router, ctx);
  api::add_console_routes(router, ctx);
  api::add_device_identity_routes(router, ctx);
  api::add_webhook_routes(router, ctx);
  api::add_freezes_routes(router, ctx);
  api::add_organisations_routes(router, ctx);
  api::add_parameters_routes(router, ctx);
  api::add_terminal_control_routes(router, ctx);
  api::add_terminal_health_routes(router, ctx);
  api::add_terminal_import_routes(router, ctx);
  api::add_openapi_routes(router);
}

}  // namespace posfleet

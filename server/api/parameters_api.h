// posfleet server: parameters over HTTP (domain/parameters.h, docs/parameters.md).
//   GET  /api/v1/parameters/templates            every role: the apps' templates
//   POST /api/v1/parameters/templates            administrators of the acquirer: a new template
//   GET  /api/v1/parameters/templates/{app}      every role
//   PUT  /api/v1/parameters/templates/{app}      administrators of the acquirer: replace it
//   GET  /api/v1/parameters/values/{app}         every role: one level's values (?level=…)
//   PUT  /api/v1/parameters/values/{app}         administrators and release managers: change
//                                                values at one level (locks: administrators)
//   POST /api/v1/parameters/preview/{app}        every role: a terminal's set after a change
//   GET  /api/v1/terminals/{serial}/parameters   every role: its sets and what it applied
// Sensitive values are never in an answer. Everything keeps to the caller's subtree.
// Thread-safety: stateless; handlers run on any thread.
#pragma once

#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_parameters_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

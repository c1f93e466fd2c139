// posfleet server: management API routes for rolling changes out to many
// terminals: policy previews and bulk policy edits by filter, deployments to
// a list of terminals, a group or a filter (with a preview), and a release's
// progress.
//
//   POST /api/v1/policy/preview      kRead    {scope, key, patch} | {filter, patch}
//                                              → {in_scope, changing, locked}
//   POST /api/v1/policy/bulk         kPolicy  {filter, patch, reason} (lock fields: kLock)
//                                              → {matched, applied, refused}
//   POST /api/v1/deployments         kDeploy  {release, terminals|group|filter}
//                                              → {release, matched, created, skipped, deployments}
//   POST /api/v1/deployments/preview kRead    the same, nothing created
//   GET  /api/v1/releases/{version}/progress?limit=N  kRead
//                                              → {release, counts, total, deployments}
#pragma once

#include <boost/json/object.hpp>

#include "server/api/api_common.h"
#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_rollout_routes(http::Router& router, domain::Context& ctx);

// POST /api/v1/deployments without "terminal": one deployment per terminal of
// the body's target; `dry_run` only counts.
http::Response deploy_many(domain::Context& ctx, const boost::json::object& body,
                           const Caller& caller, bool dry_run);

}  // namespace posfleet::api

// posfleet server: management API routes of staged rollouts (灰度发布) and the kill switch
// (server/domain/rollouts/; docs/rollouts.md). Times are unix seconds (null: not yet).
//
//   POST /api/v1/rollouts/preview         kDeploy  the create body → {total, waves, excluded}
//   POST /api/v1/rollouts                 kDeploy  {release, target, waves, offline_days,
//                                                   start_at, start, name, reason} → 201 rollout
//   GET  /api/v1/rollouts?state=&release=&limit=&offset=  kRead → {rollouts, total}
//   GET  /api/v1/rollouts/{id}            kRead    the rollout with its waves and their counts
//   GET  /api/v1/rollouts/{id}/history    kRead    {samples: [{time, wave, counts}]}
//   GET  /api/v1/rollouts/{id}/terminals?wave=&phase=&limit=&offset=  kRead
//                                                   → {terminals, total}
//   POST /api/v1/rollouts/{id}/start|pause|resume|cancel|approve|retry  kDeploy {reason}
//                                                   → the rollout (approve: not the creator)
//   POST   /api/v1/releases/{version}/stop  kRelease {reason}
//                                                   → {release, rollouts_stopped,
//                                                      deployments_canceled}
//   DELETE /api/v1/releases/{version}/stop  kAdmin   {reason}
// Bodies are strict: unknown fields are refused, text is checked (UTF-8, no control characters,
// bounded), numbers are whole and in range.
// Thread-safety: handlers are stateless.
#pragma once

#include <boost/json/array.hpp>

#include "server/api/api_common.h"
#include "server/domain/context.h"
#include "server/http/router.h"

namespace posfleet::api {

void add_rollouts_routes(http::Router& router, domain::Context& ctx);

// The overview's "stopped_releases": [{version, reason, by, at}].
Expected<boost::json::array> stopped_releases_json(domain::Context& ctx);

}  // namespace posfleet::api

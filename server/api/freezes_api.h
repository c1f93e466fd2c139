// posfleet server: the freeze calendar (封网期) and terminals' time zones over HTTP
// (domain/freezes.h, domain/time_zones.h): GET /api/v1/freezes for every role, POST and DELETE
// for administrators, PUT /api/v1/terminals/{serial}/time-zone for administrators. Each
// handler parses, calls one domain function and serializes; permissions are declared where
// registered.
// Thread-safety: stateless; handlers run on any thread.
#pragma once

#include <boost/json/object.hpp>

#include "server/domain/context.h"
#include "server/http/router.h"
#include "server/store/calendar_store.h"

namespace posfleet::api {

boost::json::object freeze_json(const store::FreezeRecord& f);
void add_freezes_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api

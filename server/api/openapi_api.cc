#include "server/api/openapi_api.h"

namespace posfleet::api {

void add_openapi_routes(http::Router& router) {
  // Public like the API's shape itself: it names routes and roles, no data.
  router.add("GET", "/api/v1/openapi.json", [](http::Request&) {
    http::Response r;
    r.body = std::string(openapi_json());
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  });
}

}  // namespace posfleet::api

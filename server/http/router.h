// posfleet server: maps method + path pattern to a handler.
//
// Patterns are '/'-separated; a segment "{name}" matches any one non-empty
// segment and is stored in Request::params. Routes marked kBlocking may touch
// the disk for longer than a query (uploads, publishing) and are run by the
// listener on a worker pool instead of the network threads.
//
// Bodies: a route's body is JSON held in memory (the listener's small limit,
// posfleetd --max-body-bytes) unless the route is added with add_streamed():
// then its body is application/octet-stream up to the upload limit, and
// `open` runs on the request head alone, before any byte of the body is read,
// to authenticate and set Request::sink (or to refuse with a response).
//
// Only browser page paths get the fallback (the console's files): never
// /api/..., /metrics or /{tenant}/controller/..., which answer 404 JSON.
//
// Measuring (GET /metrics): instrument() wraps every route's handler with one
// made by the caller, given the route's method and pattern — the pattern, not
// the path, so that /terminals/A1 and /terminals/B2 are one series. Requests
// that match no route are counted by match() (unmatched()).
// Thread-safety: build (and instrument) fully before serving; matching is
// read-only but for the unmatched counter, an atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/http/message.h"

namespace posfleet::http {

using Handler = std::function<Response(Request&)>;
// Runs on the head of a streamed request: a response refuses it, nullopt lets
// the body be read into the req.sink it set.
using BeforeBody = std::function<std::optional<Response>(Request&)>;
enum class Work { kQuick, kBlocking };
enum class BodyKind { kJson, kStream };
// Given a route's method, its pattern and its handler, the handler to run instead.
using Wrap =
    std::function<Handler(const std::string& method, const std::string& pattern, Handler handler)>;

// One registered route as its documentation (server/api/openapi.json) sees it.
struct RouteInfo {
  std::string method;
  std::string pattern;  // as registered, e.g. /api/v1/terminals/{serial}
  // The roles the route's permission check lets in (api::add_route fills it);
  // empty for a route added without one: it needs no log-in, or checks its
  // caller itself (the DDI routes).
  std::vector<std::string> roles;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, Work work = Work::kQuick,
           std::vector<std::string> roles = {});
  void add_streamed(std::string method, std::string pattern, BeforeBody open, Handler handler,
                    std::vector<std::string> roles = {});
  // Every route in the order it was added (the fallback is not a route).
  std::vector<RouteInfo> routes() const;

  struct Match {
    const Handler* handler = nullptr;
    Work work = Work::kQuick;
    BodyKind body = BodyKind::kJson;
    const BeforeBody* before_body = nullptr;
    bool path_known = false;  // a route exists for the path, with another method
  };
  // Fills req.params on success.
  Match match(Request& req) const;
  // Answers a GET of a browser page path that no route matches.
  void set_fallback(Handler handler);
  // Wraps the handlers of the routes added so far, those added later, and the
  // fallback (pattern "/{console page}").
  void instrument(Wrap wrap);
  // Requests match() found no handler for (answered 404/405 by the listener).
  std::uint64_t unmatched() const { return unmatched_.load(std::memory_order_relaxed); }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    Work work;
    BodyKind body = BodyKind::kJson;
    BeforeBody before_body;
    std::vector<std::string> roles;
  };
  std::vector<Route> routes_;
  Handler fallback_;
  Wrap wrap_;
  mutable std::atomic<std::uint64_t> unmatched_{0};
};

// The answer to a request no route takes (match() found no handler): 405
// method_not_allowed when the path has routes for other methods, else 404
// not_found.
Response unrouted(const Request& req, const Router::Match& m);

std::vector<std::string> split_path(const std::string& path);
// False for the API's, the devices' and the metrics' namespaces.
bool browser_page_path(const std::string& path);

}  // namespace posfleet::http

// posfleet server: what the management API's route files share: who is
// calling (from the bearer token), role permissions, and JSON helpers.
//
// Roles and what they may do (domain/roles.h) are enforced here, on every route.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "server/domain/context.h"
#include "server/domain/organisations.h"
#include "server/domain/roles.h"
#include "server/http/router.h"

namespace posfleet::api {

enum class Permission {
  kRead,
  kRelease,
  kDeploy,
  kTerminal,
  kPolicy,
  kLock,
  kSupport,
  kMerchant,
  kAudit,
  kAdmin,
  kOnboard,
  kControl  // lock, unlock and act on a terminal remotely: release managers and support too
};

struct Caller {
  // A person's user name, or "token:<name>" for an API token: a token acts
  // under its own name in the audit log, not its maker's.
  std::string name;
  domain::Role role = domain::Role::kAuditor;
  bool token = false;
  std::string address = {};  // client_address() of the request
  // The organisation it acts for: its subtree is all it sees (domain/organisations.h).
  domain::Scope scope = {};
  domain::Actor actor(const std::string& path = "console") const {
    return {name,
            token                            ? "token"
            : role == domain::Role::kSupport ? "support"
                                             : "user",
            path, address, scope.org_id};
  }
};

bool role_allows(domain::Role role, Permission p);
// The names of the roles role_allows() lets do `p`, admin first: what the route
// table (http::RouteInfo::roles) and the OpenAPI document's x-roles list.
std::vector<std::string> roles_allowed(Permission p);

// Who sends the request: a bearer token, or a session cookie (with the CSRF
// header on every change). kUnauthorized, or kForbidden for a CSRF failure.
Expected<Caller> authenticate(domain::Context& ctx, const http::Request& req);

using CallerHandler = http::Response (*)(domain::Context&, http::Request&, const Caller&);
// Registers `f` behind bearer-token authentication and the permission check.
void add_route(http::Router& router, domain::Context& ctx, const char* method, const char* path,
               Permission permission, CallerHandler f, http::Work work = http::Work::kQuick);
// Where an upload's body goes, chosen once the caller is known.
using UploadOpener = Expected<std::shared_ptr<http::BodySink>> (*)(domain::Context&, http::Request&,
                                                                   const Caller&);
// Registers a route whose body streams into the sink `open` returns (router.h:
// add_streamed). Authentication and the permission check run on the request
// head, before any byte of the body is read, and again before `f`.
void add_upload_route(http::Router& router, domain::Context& ctx, const char* method,
                      const char* path, Permission permission, UploadOpener open, CallerHandler f);

// The client's address: the peer's, or — when the peer is a trusted proxy
// (posfleetd --trusted-proxy) — the last address the proxy added to
// X-Forwarded-For. Rate limits count by it.
std::string client_address(const domain::Context& ctx, const http::Request& req);

Expected<boost::json::object> body_object(const http::Request& req);
// A text field of a body: absent or null = `fallback`; present and not text = kInvalidArgument
// naming it.
Expected<std::string> text_field(const boost::json::object& o, const char* key,
                                 const std::string& fallback = "");
// An id field of a body: absent or null = 0; else a positive integer, or kInvalidArgument
// "<key> must be <what> (a positive number)".
Expected<std::int64_t> id_field(const boost::json::object& o, const char* key, const char* what);
// A stored time (0: none) as the API shows it: UTC text, or null.
boost::json::value utc_or_null(std::int64_t unix_seconds);
Expected<std::int64_t> positive_id(const std::string& text, const std::string& what);
// The body of a route that gives something to another organisation of the caller's:
// {"organisation": ID, "reason": "…"} (kInvalidArgument for anything else than a positive id).
struct OrganisationChoice {
  std::int64_t organisation = 0;
  std::string reason;
};
Expected<OrganisationChoice> organisation_choice(const http::Request& req);
// A query number from lo to hi, `fallback` when empty; else kInvalidArgument naming `name`.
Expected<std::int64_t> bounded_number(const std::string& text, const std::string& name,
                                      std::int64_t fallback, std::int64_t lo, std::int64_t hi);

}  // namespace posfleet::api

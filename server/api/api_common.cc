#include "server/api/api_common.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "server/api/request_text.h"
#include "server/domain/accounts.h"
#include "server/domain/api_tokens.h"
#include "server/domain/audit.h"
#include "server/domain/tokens.h"

namespace posfleet::api {

bool role_allows(domain::Role role, Permission p) {
  using domain::Role;
  if (role == Role::kAdmin) return true;
  switch (p) {
    case Permission::kRead:
      return true;
    case Permission::kRelease:
    case Permission::kDeploy:
    case Permission::kTerminal:
    case Permission::kPolicy:
      return role == Role::kReleaseManager;
    case Permission::kControl:
      return role == Role::kReleaseManager || role == Role::kSupport;
    case Permission::kSupport:
      return role == Role::kSupport;
    case Permission::kAudit:
      return role == Role::kAuditor;
    case Permission::kLock:
    case Permission::kMerchant:
    case Permission::kOnboard:
    case Permission::kAdmin:
      return false;
  }
  return false;
}

std::vector<std::string> roles_allowed(Permission p) {
  using domain::Role;
  std::vector<std::string> out;
  for (Role r : {Role::kAdmin, Role::kReleaseManager, Role::kSupport, Role::kAuditor})
    if (role_allows(r, p)) out.emplace_back(to_string(r));
  return out;
}

namespace {
// What a session that must set up TOTP first may still do: see who it is, set
// TOTP up, log out.
bool totp_enrolment_route(const http::Request& req) {
  return req.path == "/api/v1/session" || req.path.starts_with("/api/v1/session/totp");
}

constexpr const char* kWrongCsrf = "missing or wrong X-CSRF-Token; reload the page and try again";

// A stored role that is no role (written by hand into the database) may do nothing.
Expected<Caller> caller_of(const std::string& name, const std::string& stored_role) {
  auto role = domain::parse_role(stored_role);
  if (!role)
    return make_error(Code::kForbidden,
                      name + " has the unknown role \"" + stored_role + "\"; ask an administrator");
  return Caller{name, *role};
}
}  // namespace

Expected<Caller> authenticate(domain::Context& ctx, const http::Request& req) {
  // Scripts and the CLI: a bearer token.
  const std::string auth = req.header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (auth.compare(0, kScheme.size(), kScheme) == 0) {
    auto token = domain::authenticate_api_token(ctx, std::string_view(auth).substr(kScheme.size()));
    if (!token) return token.error();
    auto caller = caller_of("token:" + token->name, token->role);
    if (caller) {
      caller->token = true;
      caller->address = client_address(ctx, req);
      auto scope = domain::scope_of(ctx, token->org_id);
      if (!scope) return scope.error();
      caller->scope = std::move(*scope);
    }
    return caller;
  }
  // People in the console: the session cookie, and for every change the
  // session's CSRF token echoed in a header a cross-site form cannot set.
  const std::string cookie = domain::session_cookie(req.header("cookie"));
  if (cookie.empty())
    return make_error(Code::kUnauthorized,
                      "log in first (or send \"Authorization: Bearer <token>\")");
  auto s = domain::session_user(ctx, cookie);
  if (!s) return s.error();
  if (req.method != "GET" &&
      !domain::equal_constant_time(req.header("x-csrf-token"), s->session.csrf))
    return make_error(Code::kForbidden, kWrongCsrf);
  // An administrator without TOTP, when the fleet requires it, may only set it up (accounts.h).
  if (auto gate = domain::totp_gate(ctx, s->user); !gate && !totp_enrolment_route(req))
    return gate.error();
  auto caller = caller_of(s->user.name, s->user.role);
  if (caller) {
    caller->address = client_address(ctx, req);
    auto scope = domain::scope_of(ctx, s->user.org_id);
    if (!scope) return scope.error();
    caller->scope = std::move(*scope);
  }
  return caller;
}

namespace {
// The caller, or the answer that refuses the request.
Expected<Caller> allowed_caller(domain::Context& ctx, const http::Request& req,
                                Permission permission, http::Response& refusal) {
  auto caller = authenticate(ctx, req);
  if (!caller) {
    // A CSRF failure keeps its own code on the wire: the console reloads on it.
    const bool csrf =
        caller.error().code == Code::kForbidden && caller.error().message == kWrongCsrf;
    refusal = csrf ? http::error_response(403, "csrf", caller.error().message)
                   : http::error_from(caller.error());
    return caller;
  }
  if (!role_allows(caller->role, permission)) {
    auto e = make_error(Code::kForbidden, std::string("your role (") + to_string(caller->role) +
                                              ") may not do this; ask an administrator");
    refusal = http::error_from(e);
    return e;
  }
  return caller;
}
}  // namespace

namespace {
// The routes that answer within the caller's subtree (organisations.h). Any other route answers
// only the acquirer's own users and tokens: a reseller's or merchant's user is refused there,
// not shown the whole fleet, until that route too learns to keep to the subtree.
bool keeps_to_subtree(std::string_view method, std::string_view path) {
  static const std::set<std::pair<std::string_view, std::string_view>> kRoutes = {
      {"GET", "/api/v1/session"},
      {"DELETE", "/api/v1/session"},
      {"POST", "/api/v1/session/totp"},
      {"POST", "/api/v1/session/totp/confirm"},
      {"GET", "/api/v1/organisations"},
      {"POST", "/api/v1/organisations"},
      {"GET", "/api/v1/organisations/{id}"},
      {"POST", "/api/v1/users"},
      {"GET", "/api/v1/terminals"},
      {"GET", "/api/v1/terminals/{serial}"},
      {"PUT", "/api/v1/terminals/{serial}/organisation"},
      {"GET", "/api/v1/parameters/templates"},
      {"POST", "/api/v1/parameters/templates"},
      {"GET", "/api/v1/parameters/templates/{app}"},
      {"PUT", "/api/v1/parameters/templates/{app}"},
      {"GET", "/api/v1/parameters/values/{app}"},
      {"PUT", "/api/v1/parameters/values/{app}"},
      {"POST", "/api/v1/parameters/preview/{app}"},
      {"GET", "/api/v1/terminals/{serial}/parameters"},
      {"GET", "/api/v1/terminals/{serial}/lock"},
      {"POST", "/api/v1/terminals/{serial}/lock"},
      {"POST", "/api/v1/terminals/{serial}/lock/release"},
      {"GET", "/api/v1/terminals/{serial}/actions"},
      {"POST", "/api/v1/terminals/import"},
      {"POST", "/api/v1/terminals/{serial}/actions"},
      {"GET", "/api/v1/terminals/{serial}/actions/{id}/bundle"},
      {"GET", "/api/v1/terminals/{serial}/health"},
      {"GET", "/api/v1/overview"},
      // Their own organisations' entries (an entry about a terminal is the terminal's).
      {"GET", "/api/v1/audit"},
      {"GET", "/api/v1/audit/export"},
      // Routes of one terminal of the subtree, which touch nothing else.
      {"PUT", "/api/v1/terminals/{serial}/group"},
      {"PUT", "/api/v1/terminals/{serial}/time-zone"},
      {"POST", "/api/v1/terminals/{serial}/retire"},
      {"POST", "/api/v1/terminals/{serial}/rotate-token"},
      {"GET", "/api/v1/terminals/{serial}/certificates"},
      {"POST", "/api/v1/terminals/{serial}/certificates/revoke"},
      // The acquirer's releases, visible down its whole tree (read; no fleet counts), deployed
      // to the subtree's terminals.
      {"GET", "/api/v1/releases"},
      {"GET", "/api/v1/releases/{version}"},
      {"GET", "/api/v1/releases/{version}/progress"},
      {"POST", "/api/v1/deployments"},
      {"POST", "/api/v1/deployments/preview"},
      {"POST", "/api/v1/deployments/cancel"},
      // Rollouts an organisation of the subtree made, of its terminals (the release's kill
      // switch stays the acquirer's).
      {"POST", "/api/v1/rollouts/preview"},
      {"POST", "/api/v1/rollouts"},
      {"GET", "/api/v1/rollouts"},
      {"GET", "/api/v1/rollouts/{id}"},
      {"GET", "/api/v1/rollouts/{id}/history"},
      {"GET", "/api/v1/rollouts/{id}/terminals"},
      {"POST", "/api/v1/rollouts/{id}/start"},
      {"POST", "/api/v1/rollouts/{id}/pause"},
      {"POST", "/api/v1/rollouts/{id}/resume"},
      {"POST", "/api/v1/rollouts/{id}/cancel"},
      {"POST", "/api/v1/rollouts/{id}/approve"},
      {"POST", "/api/v1/rollouts/{id}/retry"},
      // Deployments and support tickets of the subtree's terminals.
      {"GET", "/api/v1/deployments"},
      {"GET", "/api/v1/deployments/{id}"},
      {"POST", "/api/v1/deployments/{id}/cancel"},
      {"GET", "/api/v1/support/tickets"},
      {"GET", "/api/v1/support/tickets/{id}"},
      {"POST", "/api/v1/support/tickets/{id}/notes"},
      {"POST", "/api/v1/support/tickets/{id}/close"},
      // A terminal's own policy (the fleet's and groups' stay the acquirer's; their locks hold).
      {"GET", "/api/v1/policy"},
      {"PUT", "/api/v1/policy"},
      // Users of the subtree: anyone outside it is "no user", as one that does not exist.
      {"GET", "/api/v1/users"},
      {"PUT", "/api/v1/users/{name}"},
      {"POST", "/api/v1/users/{name}/totp/reset"},
      // Merchants and applications of the subtree's organisations, identity verifications of
      // its merchants (their {id} is checked below, before the handler).
      {"POST", "/api/v1/merchants"},
      {"GET", "/api/v1/merchants"},
      {"GET", "/api/v1/merchants/{id}"},
      {"POST", "/api/v1/merchants/{id}/terminals"},
      {"PUT", "/api/v1/merchants/{id}/time-zone"},
      {"PUT", "/api/v1/merchants/{id}/organisation"},
      {"GET", "/api/v1/applications"},
      {"GET", "/api/v1/applications/{id}"},
      {"PUT", "/api/v1/applications/{id}/organisation"},
      {"POST", "/api/v1/applications/{id}/verify"},
      {"POST", "/api/v1/applications/{id}/approve"},
      {"POST", "/api/v1/applications/{id}/reject"},
      {"POST", "/api/v1/applications/{id}/activation-codes"},
      {"POST", "/api/v1/applications/{id}/shipping"},
      {"POST", "/api/v1/support/verifications"},
      {"POST", "/api/v1/support/verifications/{id}/code"},
      {"POST", "/api/v1/support/verifications/{id}/policy"},
      {"POST", "/api/v1/support/verifications/{id}/ask-admin"},
      {"POST", "/api/v1/support/verifications/{id}/unlock-code"},
  };
  return kRoutes.contains({method, path});
}

// What a route's {id} names when that belongs to an organisation: a merchant, an application, a
// merchant's identity verification. A caller outside the acquirer must hold it.
using IdOwner = Status (*)(domain::Context&, const domain::Scope&, std::int64_t);
IdOwner id_owner(std::string_view path) {
  if (path.starts_with("/api/v1/merchants/{id}"))
    return [](domain::Context& ctx, const domain::Scope& scope, std::int64_t id) -> Status {
      if (auto m = domain::merchant_in(ctx, scope, id); !m) return m.error();
      return ok_status();
    };
  if (path.starts_with("/api/v1/applications/{id}"))
    return [](domain::Context& ctx, const domain::Scope& scope, std::int64_t id) -> Status {
      if (auto a = domain::application_in(ctx, scope, id); !a) return a.error();
      return ok_status();
    };
  if (path.starts_with("/api/v1/support/verifications/{id}")) return domain::verification_in;
  return nullptr;
}

// How a route keeps to the caller's subtree.
struct Keeping {
  bool scoped = false;      // it answers within the subtree at all
  IdOwner owner = nullptr;  // whose {id} the caller must hold
};
Keeping keeping(std::string_view method, std::string_view path) {
  return {keeps_to_subtree(method, path), id_owner(path)};
}

// A caller outside the acquirer: a route that names a terminal ({serial}), a merchant, an
// application or a verification ({id}) answers only for one of its subtree — any other is "not
// found", in the same words as one that does not exist, before the handler reads or changes
// anything — and a route not yet taught to keep to a subtree refuses it.
Status within_scope(domain::Context& ctx, const http::Request& req, const Caller& caller,
                    const Keeping& keep) {
  if (caller.scope.whole_tree()) return ok_status();
  if (auto serial = req.params.find("serial"); serial != req.params.end()) {
    auto t = domain::terminal_in(ctx, caller.scope, serial->second);
    if (!t) return t.error();
  }
  if (auto id = req.params.find("id"); keep.owner && id != req.params.end())
    if (auto n = positive_id(id->second, "id"); n)  // else the handler says what is wrong
      if (auto s = keep.owner(ctx, caller.scope, *n); !s) return s;
  if (keep.scoped) return ok_status();
  return make_error(Code::kForbidden,
                    "this is not yet open to users of a reseller or merchant organisation; ask "
                    "the acquirer's staff");
}
}  // namespace

void add_route(http::Router& router, domain::Context& ctx, const char* method, const char* path,
               Permission permission, CallerHandler f, http::Work work) {
  const Keeping scoped = keeping(method, path);
  router.add(
      method, path,
      [&ctx, f, permission, scoped](http::Request& req) -> http::Response {
        http::Response refusal;
        const domain::AuditAddress where(client_address(ctx, req));
        auto caller = allowed_caller(ctx, req, permission, refusal);
        if (!caller) return refusal;
        if (auto s = check_request_text(req); !s) return http::error_from(s.error());
        if (auto s = within_scope(ctx, req, *caller, scoped); !s)
          return http::error_from(s.error());
        return f(ctx, req, *caller);
      },
      work, roles_allowed(permission));
}

void add_upload_route(http::Router& router, domain::Context& ctx, const char* method,
                      const char* path, Permission permission, UploadOpener open, CallerHandler f) {
  const Keeping scoped = keeping(method, path);
  router.add_streamed(
      method, path,
      [&ctx, open, permission, scoped](http::Request& req) -> std::optional<http::Response> {
        http::Response refusal;
        auto caller = allowed_caller(ctx, req, permission, refusal);
        if (!caller) return refusal;
        if (auto s = check_request_text(req); !s) return http::error_from(s.error());
        if (auto s = within_scope(ctx, req, *caller, scoped); !s)
          return http::error_from(s.error());
        auto sink = open(ctx, req, *caller);
        if (!sink) return http::error_from(sink.error());
        req.sink = std::move(*sink);
        return std::nullopt;
      },
      [&ctx, f, permission, scoped](http::Request& req) -> http::Response {
        const domain::AuditAddress where(client_address(ctx, req));
        http::Response refusal;
        auto caller = allowed_caller(ctx, req, permission, refusal);
        if (!caller) return refusal;
        if (auto s = within_scope(ctx, req, *caller, scoped); !s)
          return http::error_from(s.error());
        return f(ctx, req, *caller);
      },
      roles_allowed(permission));
}

std::string client_address(const domain::Context& ctx, const http::Request& req) {
  if (std::find(ctx.trusted_proxies.begin(), ctx.trusted_proxies.end(), req.remote) ==
      ctx.trusted_proxies.end())
    return req.remote;
  const std::string forwarded = req.header("x-forwarded-for");
  auto comma = forwarded.rfind(',');
  std::string last = forwarded.substr(comma == std::string::npos ? 0 : comma + 1);
  last.erase(0, last.find_first_not_of(' '));
  last.erase(last.find_last_not_of(' ') + 1);
  // Headers may carry any bytes: only a plausible address is used (it is audited).
  if (last.empty() || !text::check_field("X-Forwarded-For", last, 64)) return req.remote;
  return last;
}

boost::json::value utc_or_null(std::int64_t t) {
  return t ? boost::json::value(format_utc(t)) : boost::json::value(nullptr);
}

Expected<boost::json::object> body_object(const http::Request& req) {
  auto v = json::parse_untrusted(req.body);
  if (!v) return v.error();
  if (!v->is_object()) return make_error(Code::kParse, "request body must be a JSON object");
  return v->get_object();
}

Expected<std::string> text_field(const boost::json::object& o, const char* key,
                                 const std::string& fallback) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return fallback;
  if (!v->is_string())
    return make_error(Code::kInvalidArgument, std::string(key) + " must be text");
  return std::string(v->get_string());
}

Expected<std::int64_t> id_field(const boost::json::object& o, const char* key, const char* what) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return 0;
  if (!v->is_int64() || v->get_int64() < 1)
    return make_error(Code::kInvalidArgument,
                      std::string(key) + " must be " + what + " (a positive number)");
  return v->get_int64();
}

Expected<OrganisationChoice> organisation_choice(const http::Request& req) {
  auto body = body_object(req);
  if (!body) return body.error();
  const auto* org = body->if_contains("organisation");
  if (!org || !org->is_int64() || org->get_int64() <= 0)
    return make_error(Code::kInvalidArgument,
                      "organisation must be the id of an organisation of yours");
  auto reason = json::optional_string(*body, "reason", "");
  if (!reason) return reason.error();
  return OrganisationChoice{org->get_int64(), std::move(*reason)};
}

Expected<std::int64_t> positive_id(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    auto v = std::stoll(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  return make_error(Code::kNotFound, "no " + what + " " + text);
}

Expected<std::int64_t> bounded_number(const std::string& text, const std::string& name,
                                      std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
  if (text.empty()) return fallback;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || v > hi) {
      v = -1;
      break;
    }
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi)
    return make_error(Code::kInvalidArgument, name + " must be a whole number from " +
                                                  std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

}  // namespace posfleet::api

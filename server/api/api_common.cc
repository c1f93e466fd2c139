#include "server/api/api_common.h"

#include <boost/json.hpp>

#include "core/json.h"
#include "server/domain/tokens.h"

namespace posfleet::api {

bool valid_role(const std::string& role) {
  return role == "admin" || role == "release_manager" || role == "support" || role == "auditor";
}

bool role_allows(const std::string& role, Permission p) {
  if (role == "admin") return true;
  switch (p) {
    case Permission::kRead: return valid_role(role);
    case Permission::kRelease:
    case Permission::kDeploy:
    case Permission::kTerminal:
    case Permission::kPolicy: return role == "release_manager";
    case Permission::kSupport: return role == "support";
    case Permission::kAudit: return role == "auditor";
    case Permission::kLock:
    case Permission::kMerchant:
    case Permission::kAdmin: return false;
  }
  return false;
}

void add_route(http::Router& router, domain::Context& ctx, const char* method, const char* path, Permission permission,
               CallerHandler f, http::Work work) {
  router.add(
      method, path,
      [&ctx, f, permission](http::Request& req) -> http::Response {
        const std::string auth = req.header("authorization");
        constexpr std::string_view kScheme = "Bearer ";
        auto token = auth.compare(0, kScheme.size(), kScheme) == 0
                         ? ctx.store.api_token(domain::hash_token(std::string_view(auth).substr(kScheme.size())))
                         : Expected<store::ApiTokenRecord>(make_error(Code::kUnauthorized, ""));
        if (!token)
          return http::error_response(401, "unauthorized",
                                      "send \"Authorization: Bearer <token>\" with a management API token");
        if (!role_allows(token->role, permission))
          return http::error_response(403, "forbidden", "your role (" + token->role + ") may not do this; ask an administrator");
        return f(ctx, req, Caller{token->name, token->role});
      },
      work);
}

Expected<boost::json::object> body_object(const http::Request& req) {
  auto v = json::parse(req.body);
  if (!v || !v->is_object()) return make_error(Code::kParse, "request body must be a JSON object");
  return v->get_object();
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

}  // namespace posfleet::api

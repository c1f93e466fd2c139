// The OpenAPI document (server/api/openapi.json) against the router posfleetd
// builds: every /api/v1 route documented with the roles its permission lets in,
// every documented operation routed, path parameters declared, $refs resolved.
// A failure names the route and what to add or fix in the document.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>

#include "core/json.h"
#include "server/api/api_common.h"
#include "server/api/openapi_api.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::api {
namespace {

namespace bj = boost::json;

constexpr const char* kDoc = "server/api/openapi.json";
const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "head", "options"};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

// As JSON, ready to paste into the document.
std::string list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
  return out + "]";
}

std::vector<std::string> path_params(const std::string& pattern) {
  std::vector<std::string> out;
  for (const auto& seg : http::split_path(pattern))
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}')
      out.push_back(seg.substr(1, seg.size() - 2));
  return out;
}

// The names of the `in: path` parameters in a parameters array.
void declared_path_params(const bj::value* params, std::set<std::string>& out) {
  if (!params || !params->is_array()) return;
  for (const auto& p : params->get_array()) {
    if (!p.is_object()) continue;
    const auto* in = p.get_object().if_contains("in");
    const auto* name = p.get_object().if_contains("name");
    if (in && in->is_string() && in->get_string() == "path" && name && name->is_string())
      out.insert(std::string(name->get_string()));
  }
}

// Every "$ref" in `v` that does not name a place in `doc`.
void unresolved_refs(const bj::value& doc, const bj::value& v, const std::string& where,
                     std::vector<std::string>& out) {
  if (v.is_array()) {
    for (const auto& x : v.get_array()) unresolved_refs(doc, x, where, out);
    return;
  }
  if (!v.is_object()) return;
  for (const auto& [k, x] : v.get_object()) {
    if (k == "$ref" && x.is_string()) {
      std::string ref(x.get_string());
      const bj::value* at = &doc;
      if (ref.rfind("#/", 0) != 0) at = nullptr;
      std::stringstream parts(ref.size() > 2 ? ref.substr(2) : "");
      for (std::string part; at && std::getline(parts, part, '/');)
        at = at->is_object() ? at->get_object().if_contains(part) : nullptr;
      if (!at) out.push_back(where + ": $ref " + ref + " names nothing in the document");
    } else {
      unresolved_refs(doc, x, where, out);
    }
  }
}

// What is wrong between the document and the route table, one line each.
std::vector<std::string> mismatches(const bj::value& doc,
                                    const std::vector<http::RouteInfo>& routes) {
  std::vector<std::string> out;
  const auto* paths = doc.is_object() ? doc.get_object().if_contains("paths") : nullptr;
  if (!paths || !paths->is_object()) return {std::string(kDoc) + " has no \"paths\" object"};
  std::set<std::pair<std::string, std::string>> routed;
  for (const auto& r : routes) {
    if (r.pattern != "/api/v1" && r.pattern.rfind("/api/v1/", 0) != 0) continue;
    const std::string method = lower(r.method), name = r.method + " " + r.pattern;
    routed.insert({r.pattern, method});
    const auto* item = paths->get_object().if_contains(r.pattern);
    const auto* op = item && item->is_object() ? item->get_object().if_contains(method) : nullptr;
    if (!op || !op->is_object()) {
      out.push_back("route " + name + " is not documented: add paths.\"" + r.pattern + "\"." +
                    method + " to " + kDoc + " with \"x-roles\": " + list(r.roles) +
                    (r.roles.empty() ? " and \"security\": []" : ""));
      continue;
    }
    const auto* xr = op->get_object().if_contains("x-roles");
    std::vector<std::string> documented;
    bool well_formed = xr && xr->is_array();
    if (well_formed)
      for (const auto& x : xr->get_array()) {
        if (!x.is_string())
          well_formed = false;
        else
          documented.emplace_back(x.get_string());
      }
    auto want = r.roles;
    std::sort(want.begin(), want.end());
    std::sort(documented.begin(), documented.end());
    if (!well_formed)
      out.push_back("route " + name + ": \"x-roles\" is missing or not a list of role names; it " +
                    "must be " + list(r.roles));
    else if (documented != want)
      out.push_back("route " + name + ": the document's x-roles " + list(documented) +
                    " differ from the roles its permission allows " + list(want));
    // A route without a role check needs no credentials: the document must say so.
    const auto* sec = op->get_object().if_contains("security");
    const bool open = sec && sec->is_array() && sec->get_array().empty();
    if (r.roles.empty() != open)
      out.push_back("route " + name +
                    (r.roles.empty() ? ": needs no log-in, so document \"security\": []"
                                     : ": checks roles, so must not say \"security\": []"));
    std::set<std::string> declared;
    declared_path_params(item->get_object().if_contains("parameters"), declared);
    declared_path_params(op->get_object().if_contains("parameters"), declared);
    auto params = path_params(r.pattern);
    for (const auto& p : params)
      if (!declared.count(p))
        out.push_back("route " + name + ": path parameter \"" + p +
                      "\" is not declared (parameters: {\"name\": \"" + p +
                      "\", \"in\": \"path\", \"required\": true})");
    for (const auto& p : declared)
      if (std::find(params.begin(), params.end(), p) == params.end())
        out.push_back("route " + name + ": declares path parameter \"" + p +
                      "\", which its path does not have");
    const auto* responses = op->get_object().if_contains("responses");
    if (!responses || !responses->is_object() || responses->get_object().empty())
      out.push_back("route " + name + ": no \"responses\"");
    if (!op->get_object().if_contains("summary"))
      out.push_back("route " + name + ": no \"summary\"");
  }
  for (const auto& [path, item] : paths->get_object()) {
    if (!item.is_object()) continue;
    for (const auto& [method, op] : item.get_object()) {
      if (!kMethods.count(std::string(method))) continue;
      if (!routed.count({std::string(path), std::string(method)}))
        out.push_back("documented operation " + std::string(method) + " " + std::string(path) +
                      " has no route in add_all_routes (server/routes.cc): remove it from " + kDoc +
                      " or add the route");
    }
  }
  unresolved_refs(doc, doc, kDoc, out);
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

class OpenApiTest : public testing::HandlerTest {};

TEST_F(OpenApiTest, DocumentIsOpenApi3) {
  auto doc = json::parse(openapi_json());
  ASSERT_TRUE(doc) << kDoc << " is not JSON: " << doc.error().message;
  ASSERT_TRUE(doc->is_object());
  const auto& o = doc->get_object();
  ASSERT_TRUE(o.contains("openapi") && o.at("openapi").is_string());
  EXPECT_EQ(std::string(o.at("openapi").get_string()).substr(0, 4), "3.0.");
  EXPECT_TRUE(o.contains("info") && o.at("info").is_object());
  EXPECT_TRUE(o.contains("paths") && o.at("paths").is_object());
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  auto doc = json::parse(openapi_json());
  ASSERT_TRUE(doc);
  auto routes = router_.routes();
  ASSERT_GT(std::count_if(routes.begin(), routes.end(),
                          [](const auto& r) { return r.pattern.rfind("/api/v1/", 0) == 0; }),
            50);
  auto wrong = mismatches(*doc, routes);
  EXPECT_TRUE(wrong.empty()) << kDoc << " does not match the router:" << joined(wrong);
}

// The properties a schema lists (through $ref and allOf); nullopt when it
// lists none (a free-form object).
std::optional<std::set<std::string>> properties(const bj::value& doc, const bj::value& schema,
                                                int depth = 0) {
  if (!schema.is_object() || depth > 8) return std::nullopt;
  const auto& o = schema.get_object();
  if (const auto* ref = o.if_contains("$ref"); ref && ref->is_string()) {
    std::string name(ref->get_string());
    name = name.substr(name.rfind('/') + 1);
    const auto* target = doc.at("components").at("schemas").get_object().if_contains(name);
    return target ? properties(doc, *target, depth + 1) : std::nullopt;
  }
  std::optional<std::set<std::string>> out;
  if (const auto* all = o.if_contains("allOf"); all && all->is_array())
    for (const auto& part : all->get_array())
      if (auto p = properties(doc, part, depth + 1)) {
        if (!out) out.emplace();
        out->insert(p->begin(), p->end());
      }
  if (const auto* props = o.if_contains("properties"); props && props->is_object()) {
    if (!out) out.emplace();
    for (const auto& kv : props->get_object()) out->insert(std::string(kv.key()));
  }
  return out;
}

// What the routes answer is what the document says they answer: every GET
// without path parameters, called as an administrator on a fresh server,
// answers only fields its documented schema lists.
TEST_F(OpenApiTest, AnswersHoldOnlyDocumentedFields) {
  auto doc = json::parse(openapi_json());
  ASSERT_TRUE(doc);
  const std::string admin = bearer("admin");
  std::vector<std::string> wrong;
  int checked = 0;
  for (const auto& [path, item] : doc->at("paths").get_object()) {
    const auto* op = item.get_object().if_contains("get");
    if (!op || path.find('{') != std::string::npos || path == "/api/v1/audit/export") continue;
    bool needs_query = false;  // a required query parameter: no answer without one
    if (const auto* params = op->as_object().if_contains("parameters");
        params && params->is_array())
      for (const auto& p : params->get_array())
        if (const auto* r = p.as_object().if_contains("required");
            r && r->is_bool() && r->get_bool())
          needs_query = true;
    if (needs_query) continue;
    auto res = send("GET", std::string(path), "", {{"authorization", admin}});
    if (res.status != 200) {
      wrong.push_back("GET " + std::string(path) + " answered " + std::to_string(res.status) +
                      ": " + res.body);
      continue;
    }
    const auto* schema = op->as_object()
                             .at("responses")
                             .at("200")
                             .at("content")
                             .at("application/json")
                             .get_object()
                             .if_contains("schema");
    auto listed = schema ? properties(*doc, *schema) : std::nullopt;
    auto body = json::parse(res.body);
    if (!listed || !body || !body->is_object()) continue;
    ++checked;
    for (const auto& kv : body->get_object())
      if (!listed->count(std::string(kv.key())))
        wrong.push_back("GET " + std::string(path) + " answers \"" + std::string(kv.key()) +
                        "\", which its 200 schema in " + kDoc + " does not list");
  }
  EXPECT_GE(checked, 10);
  EXPECT_TRUE(wrong.empty()) << joined(wrong);
}

TEST_F(OpenApiTest, IsServedWithoutLogIn) {
  auto res = send("GET", "/api/v1/openapi.json");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, std::string(openapi_json()));
}

// The check itself: it names what is missing on each side and what differs.
TEST(OpenApiCheck, NamesEveryKindOfMismatch) {
  http::Router router;
  auto h = [](http::Request&) { return http::Response{}; };
  router.add("GET", "/api/v1/things/{id}", h, http::Work::kQuick, {"admin", "auditor"});
  router.add("POST", "/api/v1/things", h, http::Work::kQuick, {"admin"});
  router.add("POST", "/api/v1/public/ping", h);
  router.add("GET", "/healthz", h);  // not under /api/v1: not the document's business
  auto doc = json::parse(R"({"openapi": "3.0.3", "paths": {
    "/api/v1/things/{id}": {"get": {"summary": "s", "x-roles": ["admin"],
                                    "responses": {"200": {"$ref": "#/components/responses/Nope"}}}},
    "/api/v1/public/ping": {"post": {"summary": "s", "x-roles": [], "responses": {"200": {}}}},
    "/api/v1/gone": {"delete": {"summary": "s", "x-roles": ["admin"], "responses": {"200": {}}}}
  }})");
  ASSERT_TRUE(doc);
  auto wrong = mismatches(*doc, router.routes());
  auto has = [&](const std::string& text) {
    return std::any_of(wrong.begin(), wrong.end(),
                       [&](const auto& l) { return l.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("route POST /api/v1/things is not documented")) << joined(wrong);
  EXPECT_TRUE(
      has(R"(x-roles ["admin"] differ from the roles its permission allows ["admin", "auditor"])"))
      << joined(wrong);
  EXPECT_TRUE(has("GET /api/v1/things/{id}: path parameter \"id\" is not declared"))
      << joined(wrong);
  EXPECT_TRUE(has("POST /api/v1/public/ping: needs no log-in, so document \"security\": []"))
      << joined(wrong);
  EXPECT_TRUE(has("documented operation delete /api/v1/gone has no route")) << joined(wrong);
  EXPECT_TRUE(has("$ref #/components/responses/Nope names nothing")) << joined(wrong);
  EXPECT_FALSE(has("/healthz")) << joined(wrong);
  EXPECT_EQ(wrong.size(), 6u) << joined(wrong);
}

TEST(OpenApiCheck, RoutesListTheRolesTheirPermissionAllows) {
  EXPECT_EQ(roles_allowed(Permission::kRead),
            (std::vector<std::string>{"admin", "release_manager", "support", "auditor"}));
  EXPECT_EQ(roles_allowed(Permission::kAudit), (std::vector<std::string>{"admin", "auditor"}));
  EXPECT_EQ(roles_allowed(Permission::kLock), (std::vector<std::string>{"admin"}));
}

}  // namespace
}  // namespace posfleet::api

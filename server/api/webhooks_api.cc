// posfleet server: the webhook routes (webhooks_api.h). Each parses, calls one domain or
// delivery function (domain/webhooks.h, webhooks/delivery.h) and serializes.
#include "server/api/webhooks_api.h"

#include <boost/json.hpp>

#include "core/json.h"
#include "server/api/api_common.h"
#include "server/domain/webhooks.h"
#include "server/webhooks/delivery.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

bj::object webhook_json(const store::WebhookRecord& w, std::int64_t pending) {
  bj::array events;
  std::size_t start = 0;
  while (start < w.events.size()) {
    auto comma = w.events.find(',', start);
    if (comma == std::string::npos) comma = w.events.size();
    if (comma > start) events.emplace_back(w.events.substr(start, comma - start));
    start = comma + 1;
  }
  bj::value last = nullptr;
  if (w.last_time > 0)
    last =
        bj::object{{"time", w.last_time},
                   {"status", w.last_status},
                   {"error", w.last_error.empty() ? bj::value(nullptr) : bj::value(w.last_error)}};
  return bj::object{{"id", w.id},
                    {"name", w.name},
                    {"url", domain::redact_url(w.url)},
                    {"format", w.format},
                    {"events", events},
                    {"has_secret", !w.secret_sealed.empty()},
                    {"created", w.created},
                    {"created_by", w.created_by},
                    {"last_delivery", last},
                    {"pending", pending}};
}

std::int64_t pending_of(domain::Context& ctx, std::int64_t id) {
  auto rows = ctx.store.webhook_rows(id, domain::kMaxPendingPerWebhook + 1);
  if (!rows) return 0;
  std::int64_t n = 0;
  for (const auto& r : *rows) n += r.state == store::OutboxState::kPending;
  return n;
}

Response list_webhooks(domain::Context& ctx, Request&, const Caller&) {
  auto ws = domain::list_webhooks(ctx);
  if (!ws) return http::error_from(ws.error());
  bj::array out;
  for (const auto& w : *ws) out.push_back(webhook_json(w, pending_of(ctx, w.id)));
  return http::json_response(200, bj::object{{"webhooks", out}});
}

Response post_webhook(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  domain::WebhookSpec spec;
  for (auto [key, out] : {std::pair{"name", &spec.name}, std::pair{"url", &spec.url},
                          std::pair{"format", &spec.format}, std::pair{"secret", &spec.secret}}) {
    const auto* v = body->if_contains(key);
    if (!v || v->is_null()) continue;
    if (!v->is_string())
      return http::error_from(
          make_error(Code::kInvalidArgument, std::string("\"") + key + "\" must be a string"));
    *out = std::string(v->get_string());
  }
  const auto* events = body->if_contains("events");
  if (!events || !events->is_array())
    return http::error_from(make_error(Code::kInvalidArgument,
                                       "\"events\" must be a list of event kinds, e.g. "
                                       "[\"rollout.paused\", \"rollout.finished\"]"));
  if (events->get_array().size() > 32)
    return http::error_from(make_error(Code::kInvalidArgument, "at most 32 events"));
  for (const auto& e : events->get_array()) {
    if (!e.is_string())
      return http::error_from(
          make_error(Code::kInvalidArgument, "each of \"events\" must be a string"));
    spec.events.emplace_back(e.get_string());
  }
  auto w = domain::create_webhook(ctx, spec, caller.actor());
  if (!w) return http::error_from(w.error());
  return http::json_response(201, webhook_json(*w, 0));
}

Response delete_webhook(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "webhook");
  if (!id) return http::error_from(id.error());
  std::string reason;
  if (!req.body.empty()) {
    auto body = body_object(req);
    if (!body) return http::error_from(body.error());
    reason = json::string_or(*body, "reason", "");
  }
  if (auto s = domain::delete_webhook(ctx, *id, caller.actor(), reason); !s)
    return http::error_from(s.error());
  return http::json_response(200, bj::object{{"id", *id}, {"deleted", true}});
}

// Body optional: {"queue": true} queues the test message like any event (202 with the outbox
// row); without it the message is POSTed now and the receiver's status answered.
Response test_webhook(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "webhook");
  if (!id) return http::error_from(id.error());
  bool queue = false;
  if (!req.body.empty()) {
    auto body = body_object(req);
    if (!body) return http::error_from(body.error());
    if (const auto* q = body->if_contains("queue"); q && q->is_bool()) queue = q->get_bool();
  }
  if (queue) {
    auto row = domain::queue_test_event(ctx, *id, caller.actor());
    if (!row) return http::error_from(row.error());
    return http::json_response(202, bj::object{{"queued", *row}});
  }
  auto status = webhooks::send_test(ctx, *id, caller.actor());
  if (!status) return http::error_from(status.error());
  return http::json_response(200, bj::object{{"status", *status}});
}

}  // namespace

void add_webhook_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  // Administrators and auditors see where events go (never the secret).
  add_route(router, ctx, "GET", "/api/v1/webhooks", P::kAudit, list_webhooks);
  // Where the server sends requests: administrators only (SSRF, docs/security.md).
  add_route(router, ctx, "POST", "/api/v1/webhooks", P::kAdmin, post_webhook);
  add_route(router, ctx, "DELETE", "/api/v1/webhooks/{id}", P::kAdmin, delete_webhook);
  // Waits for the receiver (at most 10 s): off the network threads.
  add_route(router, ctx, "POST", "/api/v1/webhooks/{id}/test", P::kAdmin, test_webhook,
            http::Work::kBlocking);
}

}  // namespace posfleet::api

// posfleet server: webhooks (webhooks.h): configuring them, and the outbox every rollout event
// goes through.
#include "server/domain/webhooks.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/secrets.h"
#include "server/webhooks/formats.h"

namespace posfleet::domain {

namespace {

std::vector<std::string> split_csv(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= csv.size()) {
    auto comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    if (comma > start) out.push_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool subscribed(const store::WebhookRecord& w, const std::string& kind) {
  auto kinds = split_csv(w.events);
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

struct UrlParts {
  std::string scheme, host, user, password, query;
};

std::optional<UrlParts> parse_url(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> h(curl_url(), curl_url_cleanup);
  if (!h || curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return {};
  UrlParts p;
  auto part = [&](CURLUPart which, std::string& out) {
    char* v = nullptr;
    if (curl_url_get(h.get(), which, &v, 0) == CURLUE_OK && v) out = v;
    curl_free(v);
  };
  part(CURLUPART_SCHEME, p.scheme);
  part(CURLUPART_HOST, p.host);
  part(CURLUPART_USER, p.user);
  part(CURLUPART_PASSWORD, p.password);
  part(CURLUPART_QUERY, p.query);
  return p;
}

bool loopback_host(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host == "localhost" || host == "[::1]" || host == "::1") return true;
  return host.rfind("127.", 0) == 0 &&
         std::all_of(host.begin(), host.end(), [](char c) { return c == '.' || std::isdigit(c); });
}

std::string csv_of(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

Status check_events(const std::vector<std::string>& events) {
  if (events.empty())
    return make_error(
        Code::kInvalidArgument,
        "give the events this webhook receives, e.g. rollout.paused,rollout.finished");
  const auto& known = webhooks::event_kinds();
  for (const auto& e : events)
    if (std::find(known.begin(), known.end(), e) == known.end())
      return make_error(
          Code::kInvalidArgument,
          "\"" + text::safe_echo(e, 40) + "\" is not an event kind; use " + csv_of(known));
  return ok_status();
}

}  // namespace

Status check_webhook_url(const std::string& url, bool allow_plain_http) {
  if (url.size() > kWebhookUrlChars)
    return make_error(Code::kInvalidArgument, "the webhook URL is longer than " +
                                                  std::to_string(kWebhookUrlChars) + " characters");
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f)
      return make_error(Code::kInvalidArgument,
                        "the webhook URL holds a space, control or non-ASCII character; "
                        "percent-encode it");
  auto p = parse_url(url);
  if (!p || p->host.empty())
    return make_error(Code::kInvalidArgument, "\"" + text::safe_echo(url, 80) +
                                                  "\" is not a URL with a host, e.g. "
                                                  "https://oapi.dingtalk.com/robot/send?…");
  if (p->scheme != "https" && p->scheme != "http")
    return make_error(Code::kInvalidArgument,
                      "a webhook URL starts with https:// (or http:// to this machine)");
  if (!p->user.empty() || !p->password.empty())
    return make_error(Code::kInvalidArgument,
                      "a webhook URL may not hold user:password@; use the signing secret");
  if (p->scheme == "http" && !allow_plain_http && !loopback_host(p->host))
    return make_error(Code::kInvalidArgument,
                      "refusing plain http:// to " + text::safe_echo(p->host, 80) +
                          ": anyone on the way could read and change the messages; use https://, "
                          "or start posfleetd with --webhook-allow-http (plain http:// is "
                          "allowed to 127.0.0.1 and localhost only)");
  return ok_status();
}

std::string redact_url(const std::string& url) {
  const auto q = url.find('?');
  if (q == std::string::npos) return url;
  std::string out = url.substr(0, q + 1);
  std::size_t i = q + 1;
  while (i < url.size()) {
    auto amp = url.find('&', i);
    if (amp == std::string::npos) amp = url.size();
    const std::string pair = url.substr(i, amp - i);
    const auto eq = pair.find('=');
    if (eq == std::string::npos) {
      out += pair;
    } else {
      const std::string value = pair.substr(eq + 1);
      out += pair.substr(0, eq + 1) + (value.size() > 4 ? value.substr(0, 4) + "…" : "…");
    }
    if (amp < url.size()) out += '&';
    i = amp + 1;
  }
  return out;
}

Status enqueue_webhook_event(store::Tx& tx, const WebhookEvent& event) {
  auto hooks = tx.list_webhooks();
  if (!hooks) return hooks.error();
  const std::int64_t now = event.time > 0 ? event.time : unix_now();
  for (const auto& w : *hooks) {
    if (!subscribed(w, event.kind)) continue;
    auto format = webhooks::format_named(w.format);
    if (!format) return format.error();
    store::WebhookOutboxRecord row;
    row.webhook_id = w.id;
    row.kind = event.kind;
    row.body = webhooks::render(*format, event);
    row.created = now;
    row.next_try = now;
    auto dropped = tx.enqueue_webhook_row(row, kMaxPendingPerWebhook);
    if (!dropped) return dropped.error();
    if (*dropped > 0)
      spdlog::warn(
          "webhook {} ({}): {} older events dropped: more than {} were waiting; is its receiver "
          "down? (posfleet webhook list)",
          w.id, text::safe_echo(w.name), *dropped, kMaxPendingPerWebhook);
  }
  return ok_status();
}

WebhookEvent test_event(const Actor& who, std::int64_t now) {
  WebhookEvent e;
  e.kind = webhooks::kTestEvent;
  e.title_zh = "测试消息：posfleet 的 webhook 已连通";
  e.title_en = "Test: posfleet's webhook reaches you";
  e.figures_json = json::serialize(boost::json::object{{"sent_by", who.name}});
  e.time = now;
  return e;
}

Expected<store::WebhookRecord> create_webhook(Context& ctx, const WebhookSpec& spec,
                                              const Actor& who) {
  if (text::trim(spec.name).empty() || text::trim(spec.name) != spec.name)
    return make_error(Code::kInvalidArgument,
                      "give the webhook a name without spaces at either end, e.g. ops-dingtalk");
  if (auto s = text::check_field("name", spec.name, kWebhookNameChars); !s) return s.error();
  auto format = webhooks::format_named(spec.format);
  if (!format) return format.error();
  if (auto s = check_webhook_url(spec.url, ctx.webhook_allow_http); !s) return s.error();
  if (auto s = check_events(spec.events); !s) return s.error();
  if (auto s = text::check_field("secret", spec.secret, kWebhookSecretChars); !s) return s.error();
  if (!spec.secret.empty() && *format == webhooks::Format::kWeCom)
    return make_error(Code::kInvalidArgument,
                      "WeCom group robots have no signing secret (their URL's key is the "
                      "secret); leave the secret out");
  if (!spec.secret.empty() && !ctx.secrets)
    return make_error(Code::kWrongState,
                      "this server has no secret key for sealing webhook secrets; start posfleetd "
                      "with a data directory");
  store::WebhookRecord w;
  w.name = spec.name;
  w.url = spec.url;
  w.format = webhooks::to_string(*format);
  w.events = csv_of(spec.events);
  w.secret_sealed = spec.secret.empty() ? "" : ctx.secrets->seal(spec.secret);
  w.created = unix_now();
  w.created_by = who.name;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto id = tx.insert_webhook(w);
    if (!id) {
      if (id.error().code == Code::kConflict)
        return make_error(Code::kConflict, "a webhook named " + spec.name +
                                               " exists already; remove it first or pick "
                                               "another name");
      return id.error();
    }
    w.id = *id;
    return record_audit(tx, who, "webhook.create", "webhook:" + std::to_string(*id), "",
                        w.name + " " + w.format + " " + redact_url(w.url) + " events " + w.events +
                            (w.secret_sealed.empty() ? "" : " (signed)"),
                        "");
  });
  if (!st) return st.error();
  return w;
}

Expected<std::vector<store::WebhookRecord>> list_webhooks(Context& ctx) {
  return ctx.store.list_webhooks();
}

Status delete_webhook(Context& ctx, std::int64_t id, const Actor& who, const std::string& reason) {
  if (auto s = check_reason(reason, nullptr); !s) return s;
  return commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto w = tx.webhook(id);
    if (!w) {
      if (w.error().code == Code::kNotFound)
        return make_error(Code::kNotFound,
                          "no webhook " + std::to_string(id) + "; see posfleet webhook list");
      return w.error();
    }
    auto gone = tx.delete_webhook(id);
    if (!gone) return gone.error();
    return record_audit(tx, who, "webhook.delete", "webhook:" + std::to_string(id),
                        w->name + " " + w->format + " " + redact_url(w->url), "deleted", reason);
  });
}

Expected<std::int64_t> queue_test_event(Context& ctx, std::int64_t id, const Actor& who) {
  std::int64_t row_id = 0;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto w = tx.webhook(id);
    if (!w) {
      if (w.error().code == Code::kNotFound)
        return make_error(Code::kNotFound,
                          "no webhook " + std::to_string(id) + "; see posfleet webhook list");
      return w.error();
    }
    auto format = webhooks::format_named(w->format);
    if (!format) return format.error();
    const auto now = unix_now();
    store::WebhookOutboxRecord row;
    row.webhook_id = id;
    row.kind = webhooks::kTestEvent;
    row.body = webhooks::render(*format, test_event(who, now));
    row.created = now;
    row.next_try = now;
    auto dropped = tx.enqueue_webhook_row(row, kMaxPendingPerWebhook);
    if (!dropped) return dropped.error();
    auto rows = tx.webhook_rows(id, 1);
    if (!rows) return rows.error();
    if (!rows->empty()) row_id = rows->front().id;
    return record_audit(tx, who, "webhook.test", "webhook:" + std::to_string(id), "",
                        "queued a test event for " + w->name, "");
  });
  if (!st) return st.error();
  return row_id;
}

}  // namespace posfleet::domain

#include "server/webhooks/delivery.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include "core/clock.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/secrets.h"
#include "server/domain/webhooks.h"
#include "server/webhooks/formats.h"

namespace posfleet::webhooks {

namespace {

struct Transfer {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  PostResult result;
  bool over = false;
  char error[CURL_ERROR_SIZE] = {};
};

// Keeps at most kMaxAnswerBytes of the answer and reads (and drops) the rest, so that a chatty
// receiver neither fills memory nor turns a delivered message into an error.
size_t keep_answer(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  const size_t room = kMaxAnswerBytes - std::min(kMaxAnswerBytes, t->result.body.size());
  if (len > room) t->over = true;
  t->result.body.append(data, std::min(len, room));
  return len;
}

void setup(Transfer& t, const PostRequest& r) {
  CURL* c = t.curl;
  curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // http:// passed domain::check_webhook_url (loopback, or allowed by the flag); nothing else,
  // and no redirect is followed.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(kPostTimeoutSeconds));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(kPostTimeoutSeconds));
  t.headers = curl_slist_append(t.headers, "Content-Type: application/json; charset=utf-8");
  t.headers = curl_slist_append(t.headers, "User-Agent: posfleetd-webhook");
  t.headers = curl_slist_append(t.headers, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, t.headers);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
}

std::string transport_error(CURLcode rc, const Transfer& t) {
  const std::string detail = t.error[0] ? text::safe_echo(t.error, 160) : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return "no answer within " + std::to_string(kPostTimeoutSeconds) + " s (" + detail + ")";
    case CURLE_PEER_FAILED_VERIFICATION:
      return "the receiver's TLS certificate is not trusted (" + detail + ")";
    case CURLE_COULDNT_CONNECT:
      return "connection refused or unreachable (" + detail + ")";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "the host name does not resolve (" + detail + ")";
    default:
      return detail;
  }
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Poster& poster_of(domain::Context& ctx) {
  static CurlPoster curl;
  return ctx.webhook_poster ? *ctx.webhook_poster : curl;
}

// The request for one row of webhook `w`: the signed URL for a DingTalk robot with a secret.
Expected<PostRequest> request_for(domain::Context& ctx, const store::WebhookRecord& w,
                                  const std::string& body, std::int64_t now_ms) {
  PostRequest r{w.url, body, ctx.webhook_allow_http};
  if (w.secret_sealed.empty() || w.format != "dingtalk") return r;
  if (!ctx.secrets)
    return make_error(Code::kWrongState, "the server has no secret key to open the signing secret");
  auto secret = ctx.secrets->unseal(w.secret_sealed);
  if (!secret)
    return make_error(Code::kWrongState,
                      "the signing secret cannot be opened (was secret.key replaced?); remove and "
                      "add the webhook again");
  r.url = dingtalk_signed_url(w.url, *secret, now_ms);
  return r;
}

}  // namespace

std::vector<PostResult> CurlPoster::post_all(const std::vector<PostRequest>& requests) {
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(),
                                                              curl_multi_cleanup);
  for (const auto& r : requests) {
    auto t = std::make_unique<Transfer>();
    t->curl = curl_easy_init();
    if (!t->curl || !multi) {
      t->result.error = "cannot start a transfer (out of memory?)";
    } else {
      setup(*t, r);
      curl_multi_add_handle(multi.get(), t->curl);
    }
    transfers.push_back(std::move(t));
  }
  if (multi) {
    int running = 0;
    do {
      if (curl_multi_perform(multi.get(), &running) != CURLM_OK) break;
      if (running) curl_multi_poll(multi.get(), nullptr, 0, 200, nullptr);
    } while (running);
    CURLMsg* msg;
    int left = 0;
    while ((msg = curl_multi_info_read(multi.get(), &left))) {
      if (msg->msg != CURLMSG_DONE) continue;
      for (auto& t : transfers) {
        if (t->curl != msg->easy_handle) continue;
        if (msg->data.result == CURLE_OK) {
          curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->result.status);
        } else {
          t->result.status = 0;
          t->result.error = transport_error(msg->data.result, *t);
        }
      }
    }
  }
  std::vector<PostResult> out;
  for (auto& t : transfers) {
    if (t->curl) {
      if (multi) curl_multi_remove_handle(multi.get(), t->curl);
      curl_easy_cleanup(t->curl);
    }
    curl_slist_free_all(t->headers);
    out.push_back(std::move(t->result));
  }
  return out;
}

std::int64_t retry_delay(std::int64_t attempts, std::int64_t retry_seconds,
                         const DeliveryOptions& o) {
  std::int64_t delay = std::max<std::int64_t>(1, retry_seconds);
  for (std::int64_t i = 1; i < attempts && delay < o.max_delay; ++i) delay *= 2;
  return std::min(delay, o.max_delay);
}

Status deliver_due(domain::Context& ctx) { return deliver_due(ctx, poster_of(ctx), unix_now()); }

Status deliver_due(domain::Context& ctx, Poster& poster, std::int64_t now,
                   const DeliveryOptions& o) {
  if (auto pruned = ctx.store.prune_webhook_rows(now - o.keep_finished); !pruned)
    return pruned.error();
  auto due = ctx.store.due_webhook_rows(now, o.batch);
  if (!due) return due.error();
  if (due->empty()) return ok_status();
  auto hooks = ctx.store.list_webhooks();
  if (!hooks) return hooks.error();
  std::map<std::int64_t, store::WebhookRecord> by_id;
  for (auto& w : *hooks) by_id[w.id] = std::move(w);

  std::vector<store::WebhookOutboxRecord> rows;
  std::vector<PostRequest> requests;
  const std::int64_t now_ms = now * 1000 + unix_ms() % 1000;
  for (const auto& row : *due) {
    auto claimed = ctx.store.claim_webhook_row(row.id, row.attempts, now + o.claim_seconds);
    if (!claimed) return claimed.error();
    if (!*claimed) continue;  // another server took it
    auto w = by_id.find(row.webhook_id);
    if (w == by_id.end()) continue;  // deleted meanwhile: its rows went with it
    auto request = request_for(ctx, w->second, row.body, now_ms);
    if (!request) {
      spdlog::warn("webhook {} ({}): event {} given up: {}", w->first,
                   text::safe_echo(w->second.name), row.id, request.error().message);
      if (auto s = ctx.store.finish_webhook_attempt(row.id, store::OutboxState::kAbandoned, now, 0,
                                                    request.error().message, now);
          !s)
        return s;
      continue;
    }
    rows.push_back(row);
    requests.push_back(std::move(*request));
  }
  if (requests.empty()) return ok_status();
  const auto results = poster.post_all(requests);
  const std::int64_t after = now;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const auto& w = by_id[row.webhook_id];
    auto format = format_named(w.format);
    const PostResult r = i < results.size() ? results[i] : PostResult{0, "", "not sent"};
    Verdict v = judge(format ? *format : Format::kJson, r.status, r.body, r.error);
    const std::int64_t attempts = row.attempts + 1;
    std::int64_t next = after;
    store::OutboxState state = store::OutboxState::kPending;
    if (v.outcome == Outcome::kDelivered) {
      state = store::OutboxState::kDelivered;
      spdlog::info("webhook {} ({}): {} delivered (HTTP {}, attempt {})", w.id,
                   text::safe_echo(w.name), row.kind, r.status, attempts);
    } else if (v.outcome == Outcome::kGiveUp) {
      state = store::OutboxState::kAbandoned;
    } else if (attempts >= o.max_attempts || after - row.created >= o.give_up_after) {
      state = store::OutboxState::kAbandoned;
      v.error += "; given up after " + std::to_string(attempts) + " attempts";
    } else {
      next = after + retry_delay(attempts, ctx.webhook_retry_seconds, o);
    }
    if (state == store::OutboxState::kAbandoned)
      spdlog::warn("webhook {} ({}): {} given up: {}", w.id, text::safe_echo(w.name), row.kind,
                   v.error);
    else if (state == store::OutboxState::kPending)
      spdlog::info("webhook {} ({}): {} not delivered ({}); attempt {} in {} s", w.id,
                   text::safe_echo(w.name), row.kind, v.error, attempts + 1, next - after);
    if (auto s = ctx.store.finish_webhook_attempt(row.id, state, next, r.status, v.error, after);
        !s)
      return s;
  }
  return ok_status();
}

Expected<long> send_test(domain::Context& ctx, std::int64_t id, const domain::Actor& who) {
  auto w = ctx.store.webhook(id);
  if (!w) {
    if (w.error().code == Code::kNotFound)
      return make_error(Code::kNotFound,
                        "no webhook " + std::to_string(id) + "; see posfleet webhook list");
    return w.error();
  }
  auto format = format_named(w->format);
  if (!format) return format.error();
  const auto now = unix_now();
  auto request = request_for(ctx, *w, render(*format, domain::test_event(who, now)), unix_ms());
  if (!request) return request.error();
  const auto results = poster_of(ctx).post_all({*request});
  const PostResult r = results.empty() ? PostResult{0, "", "not sent"} : results.front();
  const Verdict v = judge(*format, r.status, r.body, r.error);
  const bool ok = v.outcome == Outcome::kDelivered;
  if (auto s = domain::record_audit(
          ctx, who, "webhook.test", "webhook:" + std::to_string(id), "",
          ok ? "sent, HTTP " + std::to_string(r.status) : "failed: " + v.error, "");
      !s)
    return s.error();
  if (!ok)
    return make_error(Code::kWebhookFailed,
                      "the test message to " + w->name + " was not taken: " + v.error);
  return r.status;
}

}  // namespace posfleet::webhooks

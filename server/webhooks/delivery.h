// posfleet server: webhook delivery — the background job that POSTs due outbox rows
// (store/webhooks_store.h) to their webhooks, and the administrator's test send.
//
// Each run (posfleetd --webhook-ms, lease "webhooks": one server at a time) takes up to 16 due
// rows, claims each (attempts + 1, next try pushed 60 s away, so a server that dies mid-POST
// leaves the row to be tried again, not lost), POSTs them all at once and records each outcome
// (formats.h judge): delivered; retried after retry_seconds × 2^(attempts − 1), at most an hour
// apart; or abandoned — when the receiver's answer will not change (a 4xx, a robot's
// configuration errcode), after 40 attempts, or a day after the event. Delivered and abandoned
// rows are pruned after 7 days. Nothing here runs on a request thread except the test send.
//
// Every POST: TLS verified (the system's CAs), TLS 1.2 at least, no redirects followed, connect
// and whole-request timeouts of 10 s, at most 64 KiB of the answer read (the rest cut off, and
// never logged: only the status and a robot's cleaned errcode/errmsg are kept).
// Thread-safety: deliver_due from one thread at a time (the runner's); Poster implementations
// are safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"

namespace posfleet::webhooks {

struct PostRequest {
  std::string url;
  std::string body;               // JSON
  bool allow_plain_http = false;  // http:// to a host that is not loopback
};
struct PostResult {
  long status = 0;    // 0: no answer (error says why)
  std::string body;   // at most kMaxAnswerBytes
  std::string error;  // transport failure: refused, timed out, TLS
};

inline constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
inline constexpr int kPostTimeoutSeconds = 10;

// The seam: what sends the POSTs. post_all sends every request at once and returns one result
// per request, in order, within about kPostTimeoutSeconds.
class Poster {
 public:
  virtual ~Poster() = default;
  virtual std::vector<PostResult> post_all(const std::vector<PostRequest>& requests) = 0;
};

// libcurl's multi interface; stateless (handles are made per call).
class CurlPoster final : public Poster {
 public:
  std::vector<PostResult> post_all(const std::vector<PostRequest>& requests) override;
};

struct DeliveryOptions {
  std::int64_t batch = 16;
  std::int64_t claim_seconds = 60;
  std::int64_t max_attempts = 40;
  std::int64_t give_up_after = 24 * 3600;
  std::int64_t max_delay = 3600;
  std::int64_t keep_finished = 7 * 24 * 3600;
};

// The delay before attempt `attempts` + 1, after `attempts` failed ones.
std::int64_t retry_delay(std::int64_t attempts, std::int64_t retry_seconds,
                         const DeliveryOptions& o = {});

// The background job: one run at the wall clock's now with ctx.webhook_poster (or libcurl).
Status deliver_due(domain::Context& ctx);
// The same at `now` with `poster` (tests drive time).
Status deliver_due(domain::Context& ctx, Poster& poster, std::int64_t now,
                   const DeliveryOptions& o = {});

// The administrator's test send (POST /api/v1/webhooks/{id}/test): a webhook.test message,
// POSTed now on the calling thread (at most kPostTimeoutSeconds) and audited either way. The
// receiver's HTTP status when it took it; else kWebhookFailed saying what it answered.
Expected<long> send_test(domain::Context& ctx, std::int64_t id, const domain::Actor& who);

}  // namespace posfleet::webhooks

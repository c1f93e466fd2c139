// posfleet server: what a webhook sends — an event (domain/webhooks.h WebhookEvent) as the body
// of one POST in the webhook's format, and what the receiver's answer means.
//
// Formats (docs/rollouts.md § Webhooks):
//   json      {"event", "rollout_id", "release", "title_zh", "title_en", "figures": {…}, "time"}
//   dingtalk  钉钉 group robot: {"msgtype":"markdown","markdown":{"title","text"}}; with a secret,
//             the URL gains timestamp (unix ms) and sign = base64(HMAC-SHA256(secret,
//             timestamp + "\n" + secret)), URL-encoded, as DingTalk's robot security setting asks
//   wecom     企业微信 group robot: {"msgtype":"markdown","markdown":{"content"}}
// The robots' messages are Chinese first, English after. Every text that came from outside
// (release versions, names, reasons, figures) is markdown-escaped, stripped of control
// characters and bounded, so a crafted name cannot add links, headings or mentions.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "server/domain/webhooks.h"

namespace posfleet::webhooks {

enum class Format { kJson, kDingTalk, kWeCom };
const char* to_string(Format f);
// kInvalidArgument naming the three formats.
Expected<Format> format_named(const std::string& name);

// The event kinds a webhook may subscribe to (domain/webhooks.h), and webhook.test, which the
// test-send route queues.
const std::vector<std::string>& event_kinds();
inline constexpr const char* kTestEvent = "webhook.test";

// `s` with markdown's special characters backslash-escaped, control characters and line breaks
// made spaces, invalid UTF-8 replaced, at most `max_chars` characters ("…" when cut).
std::string markdown_escape(std::string_view s, std::size_t max_chars = 200);

// The request body for `event` in `format` (valid JSON, at most a few KiB: robot messages are cut
// to what the robots accept).
std::string render(Format format, const domain::WebhookEvent& event);

// DingTalk's signature of `timestamp_ms` with `secret`: base64(HMAC-SHA256(key = secret,
// message = "<timestamp_ms>\n<secret>")), not yet URL-encoded.
std::string dingtalk_sign(const std::string& secret, std::int64_t timestamp_ms);
// `url` with "timestamp=…&sign=…" (URL-encoded) appended as query parameters.
std::string dingtalk_signed_url(const std::string& url, const std::string& secret,
                                std::int64_t timestamp_ms);
// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view s);

// What an answer means for the outbox row.
enum class Outcome { kDelivered, kRetry, kGiveUp };
struct Verdict {
  Outcome outcome = Outcome::kRetry;
  std::string error;  // "" when delivered; a short clean line otherwise (never the raw body)
};
// `status` 0 means no answer came (`transport_error` says why: refused, timed out, TLS).
// json: any 2xx is delivered. dingtalk / wecom: 200 with {"errcode":0}; a rate limit or busy
// errcode (DingTalk 130101, WeCom 45009, -1) is retried, any other errcode (wrong keyword or
// signature, unknown robot, bad message) is given up: it would fail the same way again.
// Every format: no answer, 408, 425, 429 and 5xx are retried; other answers are given up.
Verdict judge(Format format, long status, std::string_view body,
              const std::string& transport_error = "");

}  // namespace posfleet::webhooks

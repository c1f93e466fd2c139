#include "server/webhooks/formats.h"

#include <sodium.h>

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"

namespace posfleet::webhooks {

namespace bj = boost::json;

namespace {
// What the robots accept: WeCom's markdown content is at most 4096 bytes; DingTalk's is larger,
// but a group message longer than this is not read anyway.
constexpr std::size_t kRobotTextBytes = 4000;
constexpr std::size_t kMaxFigures = 20;  // lines of figures shown in a robot message

bool is_markdown_special(char c) {
  switch (c) {
    case '\\':
    case '`':
    case '*':
    case '_':
    case '{':
    case '}':
    case '[':
    case ']':
    case '(':
    case ')':
    case '#':
    case '!':
    case '|':
    case '~':
    case '@':
      return true;
    default:
      return false;
  }
}

// One figure's value as one line of text (a nested value as compact JSON).
std::string figure_text(const bj::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

struct Lines {
  std::string zh, en;
};

std::string time_text(std::int64_t t) {
  std::string s = format_utc(t);  // 2026-11-10T08:00:00Z
  s[10] = ' ';
  s.pop_back();
  return s + " UTC";
}

// The robots' markdown: the Chinese part, then the English part, then the figures.
std::string robot_text(const domain::WebhookEvent& e, bool dingtalk_heading) {
  const std::string release = markdown_escape(e.release, 64);
  const std::string rollout = e.rollout_id > 0 ? "#" + std::to_string(e.rollout_id) : "—";
  std::string out;
  out += (dingtalk_heading ? "#### " : "### ") + markdown_escape(e.title_zh, 200) + "\n\n";
  if (!e.release.empty()) out += "- 发布版本：" + release + "\n";
  out += "- 灰度发布：" + rollout + "\n";
  out += "- 时间：" + time_text(e.time) + "\n\n";
  out += "**" + markdown_escape(e.title_en, 200) + "**\n\n";
  if (!e.release.empty()) out += "- Release: " + release + "\n";
  out += "- Rollout: " + rollout + "\n";
  out += "- Time: " + time_text(e.time) + "\n";
  auto figures = json::parse(e.figures_json);
  if (figures && figures->is_object() && !figures->get_object().empty()) {
    out += "\n数据 / Figures:\n";
    std::size_t n = 0;
    for (const auto& [key, value] : figures->get_object()) {
      if (++n > kMaxFigures) {
        out += "- …\n";
        break;
      }
      out +=
          "- " + markdown_escape(key, 40) + ": " + markdown_escape(figure_text(value), 200) + "\n";
    }
  }
  if (out.size() > kRobotTextBytes)
    out = std::string(text::truncate_bytes(out, kRobotTextBytes - 4)) + "\n…";
  return out;
}

bool retryable_errcode(std::int64_t code) {
  return code == -1         // WeCom and DingTalk: system busy
         || code == 130101  // DingTalk: more than 20 messages a minute
         || code == 45009   // WeCom: API frequency limit
         || code == 45033;  // WeCom: too many concurrent calls
}
}  // namespace

const char* to_string(Format f) {
  switch (f) {
    case Format::kJson:
      return "json";
    case Format::kDingTalk:
      return "dingtalk";
    case Format::kWeCom:
      return "wecom";
  }
  return "json";
}

Expected<Format> format_named(const std::string& name) {
  if (name == "json") return Format::kJson;
  if (name == "dingtalk") return Format::kDingTalk;
  if (name == "wecom") return Format::kWeCom;
  return make_error(Code::kInvalidArgument,
                    "format \"" + text::safe_echo(name, 20) +
                        "\" is not one of json, dingtalk (钉钉 group robot), wecom (企业微信 "
                        "group robot)");
}

const std::vector<std::string>& event_kinds() {
  static const std::vector<std::string> kinds = {
      "rollout.paused",  "rollout.approval_needed", "rollout.finished",    "rollout.stopped",
      "rollout.started", "rollout.wave_started",    "deployment.timed_out"};
  return kinds;
}

std::string markdown_escape(std::string_view s, std::size_t max_chars) {
  const std::string valid = text::to_valid_utf8(s);
  const std::string_view cut = text::truncate_chars(valid, max_chars);
  std::string out;
  out.reserve(cut.size() + 8);
  for (std::size_t i = 0; i < cut.size(); ++i) {
    const auto c = static_cast<unsigned char>(cut[i]);
    if (c < 0x20 || c == 0x7f) {
      out += ' ';
    } else if (c == 0xc2 && i + 1 < cut.size() && static_cast<unsigned char>(cut[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(cut[i + 1]) <= 0x9f) {
      out += ' ';  // a C1 control character
      ++i;
    } else if (c == '<') {
      out += "＜";  // WeCom reads <font> and <@user> tags; a backslash does not stop them
    } else if (c == '>') {
      out += "＞";
    } else {
      if (is_markdown_special(static_cast<char>(c))) out += '\\';
      out += static_cast<char>(c);
    }
  }
  if (cut.size() < valid.size()) out += "…";
  return out;
}

std::string render(Format format, const domain::WebhookEvent& e) {
  switch (format) {
    case Format::kJson: {
      auto figures = json::parse(e.figures_json);
      bj::object o{{"event", e.kind},
                   {"rollout_id", e.rollout_id},
                   {"release", text::to_valid_utf8(e.release)},
                   {"title_zh", text::to_valid_utf8(e.title_zh)},
                   {"title_en", text::to_valid_utf8(e.title_en)},
                   {"figures", figures && figures->is_object() ? *figures : bj::object{}},
                   {"time", e.time}};
      return json::serialize(o);
    }
    case Format::kDingTalk: {
      bj::object md{
          {"title", std::string(text::truncate_chars(text::to_valid_utf8(e.title_zh), 64))},
          {"text", robot_text(e, true)}};
      return json::serialize(bj::object{{"msgtype", "markdown"}, {"markdown", md}});
    }
    case Format::kWeCom:
      return json::serialize(bj::object{
          {"msgtype", "markdown"}, {"markdown", bj::object{{"content", robot_text(e, false)}}}});
  }
  return "{}";
}

std::string dingtalk_sign(const std::string& secret, std::int64_t timestamp_ms) {
  const std::string message = std::to_string(timestamp_ms) + "\n" + secret;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char b64[sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
  return b64;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string dingtalk_signed_url(const std::string& url, const std::string& secret,
                                std::int64_t timestamp_ms) {
  const char sep = url.find('?') == std::string::npos ? '?' : '&';
  return url + sep + "timestamp=" + std::to_string(timestamp_ms) +
         "&sign=" + url_encode(dingtalk_sign(secret, timestamp_ms));
}

Verdict judge(Format format, long status, std::string_view body,
              const std::string& transport_error) {
  if (status == 0)
    return {Outcome::kRetry,
            transport_error.empty() ? "no answer" : text::safe_echo(transport_error, 200)};
  const std::string http = "HTTP " + std::to_string(status);
  if (status == 408 || status == 425 || status == 429 || status >= 500)
    return {Outcome::kRetry, "the receiver answered " + http};
  if (status < 200 || status > 299) {
    if (status >= 300 && status < 400)
      return {Outcome::kGiveUp,
              "the receiver answered " + http + " (a redirect, not followed): give the final URL"};
    return {Outcome::kGiveUp, "the receiver answered " + http + "; check the URL"};
  }
  if (format == Format::kJson) return {Outcome::kDelivered, ""};
  // The robots answer 200 with {"errcode": 0, "errmsg": "ok"} on success.
  // At most kMaxAnswerBytes (delivery.h); errmsg is shown only through safe_echo, so a control
  // character in it does not hide the errcode.
  auto v = json::parse(body);
  if (!v || !v->is_object())
    return {Outcome::kRetry, "the robot answered " + http + " without its JSON errcode"};
  const auto& o = v->get_object();
  const auto* code = o.if_contains("errcode");
  if (!code || !code->is_int64())
    return {Outcome::kRetry, "the robot answered " + http + " without its JSON errcode"};
  const std::int64_t errcode = code->get_int64();
  if (errcode == 0) return {Outcome::kDelivered, ""};
  const std::string said = "the robot refused: errcode " + std::to_string(errcode) + " (" +
                           text::safe_echo(json::string_or(o, "errmsg", ""), 120) + ")";
  if (retryable_errcode(errcode)) return {Outcome::kRetry, said};
  return {Outcome::kGiveUp, said + "; check the robot's URL, keyword and signing secret"};
}

}  // namespace posfleet::webhooks

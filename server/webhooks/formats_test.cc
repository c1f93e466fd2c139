// Webhook formats: golden bodies of the three formats, the escaping of outside text in the
// robots' markdown, DingTalk's signature against an HMAC computed here with OpenSSL, and what
// each answer means for delivery.
#include "server/webhooks/formats.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace posfleet::webhooks {
namespace {

domain::WebhookEvent paused() {
  domain::WebhookEvent e;
  e.kind = "rollout.paused";
  e.rollout_id = 7;
  e.release = "1.2.0";
  e.title_zh = "灰度发布 #7 已按错误阈值暂停";
  e.title_en = "Rollout #7 paused by its error threshold";
  e.figures_json = R"({"wave":1,"failed":3,"error_threshold":2})";
  e.time = 1795000000;  // 2026-11-18 11:06:40 UTC
  return e;
}

TEST(WebhookFormats, GenericJsonCarriesTheEventAsIs) {
  EXPECT_EQ(render(Format::kJson, paused()),
            R"({"event":"rollout.paused","rollout_id":7,"release":"1.2.0",)"
            R"("title_zh":"灰度发布 #7 已按错误阈值暂停",)"
            R"("title_en":"Rollout #7 paused by its error threshold",)"
            R"("figures":{"wave":1,"failed":3,"error_threshold":2},"time":1795000000})");
}

TEST(WebhookFormats, WeComMarkdownIsChineseFirstThenEnglish) {
  const std::string content =
      "### 灰度发布 \\#7 已按错误阈值暂停\n\n"
      "- 发布版本：1.2.0\n"
      "- 灰度发布：#7\n"
      "- 时间：2026-11-18 11:06:40 UTC\n\n"
      "**Rollout \\#7 paused by its error threshold**\n\n"
      "- Release: 1.2.0\n"
      "- Rollout: #7\n"
      "- Time: 2026-11-18 11:06:40 UTC\n"
      "\n数据 / Figures:\n"
      "- wave: 1\n"
      "- failed: 3\n"
      "- error\\_threshold: 2\n";
  const std::string escaped = [&] {
    std::string out;
    for (char c : content) {
      if (c == '\n')
        out += "\\n";
      else if (c == '\\')
        out += "\\\\";
      else
        out += c;
    }
    return out;
  }();
  EXPECT_EQ(render(Format::kWeCom, paused()),
            R"({"msgtype":"markdown","markdown":{"content":")" + escaped + "\"}}");
}

TEST(WebhookFormats, DingTalkMarkdownHasATitleAndTheSameText) {
  const std::string body = render(Format::kDingTalk, paused());
  EXPECT_EQ(
      body.rfind(R"({"msgtype":"markdown","markdown":{"title":"灰度发布 #7 已按错误阈值暂停",)"
                 R"("text":"#### 灰度发布 \\#7 已按错误阈值暂停\n\n- 发布版本：1.2.0\n)",
                 0),
      0u)
      << body;
  EXPECT_NE(body.find(R"(**Rollout \\#7 paused by its error threshold**)"), std::string::npos);
}

TEST(WebhookFormats, OutsideTextCannotAddLinksMentionsOrHeadings) {
  EXPECT_EQ(markdown_escape("[click](http://evil) <@all> **x**\n# h"),
            "\\[click\\]\\(http://evil\\) ＜\\@all＞ \\*\\*x\\*\\* \\# h");
  EXPECT_EQ(markdown_escape(std::string("a\x01"
                                        "b\x7f"
                                        "c")),
            "a b c");
  EXPECT_EQ(markdown_escape("\xff\xfe"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFD each
  EXPECT_EQ(markdown_escape("长长长长长", 3), "长长长…");
  // A name made to break out of the robot message stays one escaped line in it.
  auto e = paused();
  e.release = "9.9.9\n\n### 全部通过 <font color=\"info\">ok</font>";
  const std::string body = render(Format::kWeCom, e);
  EXPECT_EQ(body.find("<font"), std::string::npos) << body;
  EXPECT_EQ(body.find("\\n\\n### 全部"), std::string::npos) << body;
}

TEST(WebhookFormats, RobotMessagesAreBounded) {
  auto e = paused();
  std::string figures = "{";
  for (int i = 0; i < 200; ++i)
    figures += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"" +
               std::string(300, 'x') + "\"";
  e.figures_json = figures + "}";
  EXPECT_LT(render(Format::kWeCom, e).size(), 4200u);
  EXPECT_LT(render(Format::kDingTalk, e).size(), 4300u);
}

// DingTalk's rule, computed here with OpenSSL (the code under test uses libsodium).
std::string openssl_sign(const std::string& secret, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, mac, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

TEST(WebhookFormats, DingTalkSignatureMatchesAnIndependentHmac) {
  const std::string secret = "SECxyz";
  const std::int64_t ts = 1795000000123;
  const std::string expected = openssl_sign(secret, "1795000000123\nSECxyz");
  EXPECT_EQ(expected, "lsPjDw2CsHiB7Z6d7f1DsYcGTvUwi3sLAoPZ34zuD8s=");  // and by Python's hmac
  EXPECT_EQ(dingtalk_sign(secret, ts), expected);
  EXPECT_EQ(
      dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, ts),
      "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1795000000123"
      "&sign=lsPjDw2CsHiB7Z6d7f1DsYcGTvUwi3sLAoPZ34zuD8s%3D");
  const std::string other = "SEC" + std::string(60, 'q');
  EXPECT_EQ(dingtalk_sign(other, 1), openssl_sign(other, "1\n" + other));
  EXPECT_EQ(url_encode("a+b/c=d"), "a%2Bb%2Fc%3Dd");
}

TEST(WebhookFormats, AnswersAreJudgedPerFormat) {
  struct Case {
    Format format;
    long status;
    std::string body;
    Outcome outcome;
  };
  const Case cases[] = {
      {Format::kJson, 200, "", Outcome::kDelivered},
      {Format::kJson, 204, "", Outcome::kDelivered},
      {Format::kJson, 500, "", Outcome::kRetry},
      {Format::kJson, 503, "", Outcome::kRetry},
      {Format::kJson, 429, "", Outcome::kRetry},
      {Format::kJson, 408, "", Outcome::kRetry},
      {Format::kJson, 404, "", Outcome::kGiveUp},
      {Format::kJson, 302, "", Outcome::kGiveUp},
      {Format::kJson, 0, "", Outcome::kRetry},
      {Format::kDingTalk, 200, R"({"errcode":0,"errmsg":"ok"})", Outcome::kDelivered},
      {Format::kDingTalk, 200, R"({"errcode":130101,"errmsg":"send too fast"})", Outcome::kRetry},
      {Format::kDingTalk, 200, R"({"errcode":310000,"errmsg":"sign not match"})", Outcome::kGiveUp},
      {Format::kDingTalk, 200, "<html>proxy</html>", Outcome::kRetry},
      {Format::kWeCom, 200, R"({"errcode":0,"errmsg":"ok"})", Outcome::kDelivered},
      {Format::kWeCom, 200, R"({"errcode":45009,"errmsg":"api freq out of limit"})",
       Outcome::kRetry},
      {Format::kWeCom, 200, R"({"errcode":93000,"errmsg":"invalid webhook url"})",
       Outcome::kGiveUp},
      {Format::kWeCom, 200, R"({"errcode":-1,"errmsg":"system busy"})", Outcome::kRetry},
  };
  for (const auto& c : cases) {
    const Verdict v = judge(c.format, c.status, c.body, c.status ? "" : "timed out");
    EXPECT_EQ(v.outcome, c.outcome) << to_string(c.format) << " " << c.status << " " << c.body;
    EXPECT_EQ(v.error.empty(), c.outcome == Outcome::kDelivered) << v.error;
    EXPECT_EQ(v.error.find("<html>"), std::string::npos);  // never the raw body
  }
  const Verdict v = judge(Format::kWeCom, 200, R"({"errcode":93000,"errmsg":"bad\u0007url"})");
  EXPECT_NE(v.error.find("93000"), std::string::npos);
  EXPECT_EQ(v.error.find('\x07'), std::string::npos);
}

TEST(WebhookFormats, FormatWordsAreOneToOne) {
  for (Format f : {Format::kJson, Format::kDingTalk, Format::kWeCom})
    EXPECT_EQ(*format_named(to_string(f)), f);
  EXPECT_EQ(format_named("slack").error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace posfleet::webhooks

#include "core/health.h"

#include <gtest/gtest.h>

namespace posfleet::health {
namespace {

constexpr std::int64_t kNow = 1'780'000'000;

TEST(Health, ARoundTripKeepsEveryFieldInCanonicalForm) {
  Sample s;
  s.battery = 87;
  s.charging = false;
  s.storage_free = 3'000'000'000;
  s.storage_total = 8'000'000'000;
  s.network = "cellular";
  s.signal = 64;
  s.uptime = 3600;
  s.last_sale = kNow - 60;
  s.apps = {{"os", "2.1.0"}, {"agent", "0.9.0"}};
  auto back = parse(s.to_json(), kNow);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->to_json(), s.to_json());
  EXPECT_EQ(back->apps.front().first, "agent");  // in name order
  EXPECT_EQ(s.to_json().substr(0, 28), R"({"apps":{"agent":"0.9.0","os)");
  // Nothing known is fine too: an old terminal, a sensor that failed.
  auto empty = parse("{}", kNow);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->to_json(), R"({"apps":{}})");
}

TEST(Health, TheFleetsConditionsAreReadFromTheSample) {
  Sample s;
  EXPECT_FALSE(s.low_battery() || s.low_storage() || s.weak_signal());
  s.battery = 15;
  EXPECT_TRUE(s.low_battery());
  s.charging = true;
  EXPECT_FALSE(s.low_battery()) << "on mains power a low battery is charging";
  s.storage_free = 300ull << 20;
  s.storage_total = 1ull << 30;
  EXPECT_FALSE(s.low_storage());
  s.storage_total = 4ull << 30;  // 300 MiB of 4 GiB: under 10 %
  EXPECT_TRUE(s.low_storage());
  s.storage_total.reset();
  s.storage_free = 255ull << 20;  // under 256 MiB whatever the whole
  EXPECT_TRUE(s.low_storage());
  s.signal = 19;
  EXPECT_FALSE(s.weak_signal()) << "no network kind: no judgement";
  s.network = "ethernet";
  EXPECT_FALSE(s.weak_signal());
  s.network = "wifi";
  EXPECT_TRUE(s.weak_signal());
  s.signal = 20;
  EXPECT_FALSE(s.weak_signal());
}

TEST(Health, WhatATerminalSendsIsCheckedFieldByField) {
  const std::pair<std::string, std::string> bad[] = {
      {"[]", "health must be a JSON object"},
      {"{", "health must be a JSON object"},
      {R"({"battery":101})", "health.battery must be a whole number from 0 to 100"},
      {R"({"battery":-1})", "health.battery must be a whole number from 0 to 100"},
      {R"({"battery":"full"})", "health.battery must be a whole number"},
      {R"({"battery":1.5})", "health.battery must be a whole number"},
      {R"({"signal":18446744073709551615})", "health.signal must be a whole number"},
      {R"({"storage_free":-5})", "health.storage_free must be a whole number"},
      {R"({"charging":1})", "health.charging must be true or false"},
      {R"({"network":"5g"})", "health.network must be wifi, ethernet, cellular or offline"},
      {R"({"last_sale":1780090000})", "health.last_sale must be a whole number"},
      {R"({"apps":["os"]})", "health.apps must be an object"},
      {R"({"apps":{"o s":"1"}})", "health.apps names must be"},
      {R"({"apps":{"os":""}})", "health.apps versions must be"},
      {R"({"apps":{"os":"1\u0000"}})", "health must be a JSON object"},  // a control character
      {R"({"apps":{"os":"版本"}})", "health.apps versions must be"},
      {R"({"card":"4111111111111111"})", "health has a field it does not know"},
      {"{\"battery\":50,\"\xff\":1}", "health must be a JSON object"},  // not UTF-8
  };
  for (const auto& [text, why] : bad) {
    auto r = parse(text, kNow);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << text;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << text << ": " << r.error().message;
  }
  std::string many = R"({"apps":{)";
  for (int i = 0; i < 17; ++i)
    many += (i ? "," : "") + std::string("\"a") + std::to_string(i) + "\":\"1\"";
  many += "}}";
  EXPECT_FALSE(parse(many, kNow));
  EXPECT_FALSE(parse(std::string(kMaxJsonBytes + 1, ' '), kNow));
  // The refusal never repeats a long unknown name whole, nor a control character raw.
  auto r = parse(R"({"x\u001b[31m)" + std::string(100, 'y') + R"(":1})", kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos);
  EXPECT_LT(r.error().message.size(), 150u);
}

}  // namespace
}  // namespace posfleet::health

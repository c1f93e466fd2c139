#include "core/policy.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace posfleet {
namespace {

// 2026-11-24 is a Tuesday. 14:00 UTC is 22:00 in Shanghai (UTC+8, no DST).
constexpr std::int64_t kTue14Utc = 1795528800;

TEST(Policy, LocalTimeFollowsTheZone) {
  auto sh = local_time("Asia/Shanghai", kTue14Utc);
  ASSERT_TRUE(sh);
  EXPECT_EQ(sh->weekday, 2);
  EXPECT_EQ(sh->minute, 22 * 60);
  // Berlin is on winter time (UTC+1) in November and summer time (UTC+2) in July.
  EXPECT_EQ(local_time("Europe/Berlin", kTue14Utc)->minute, 15 * 60);
  EXPECT_EQ(local_time("Europe/Berlin", *parse_utc("2026-07-07T14:00:00Z"))->minute, 16 * 60);
}

TEST(Policy, WindowsSpanningMidnightBelongToTheDayTheyStart) {
  MaintenanceWindow w;                                // 22:00-06:00 Shanghai, every day
  EXPECT_TRUE(in_window(w, kTue14Utc));               // Tue 22:00
  EXPECT_TRUE(in_window(w, kTue14Utc + 7 * 3600));    // Wed 05:00
  EXPECT_FALSE(in_window(w, kTue14Utc + 8 * 3600));   // Wed 06:00
  EXPECT_FALSE(in_window(w, kTue14Utc - 60));         // Tue 21:59
  w.days = {2};                                       // Tuesday nights only
  EXPECT_TRUE(in_window(w, kTue14Utc + 7 * 3600));    // Wed 05:00 is still Tuesday's window
  EXPECT_FALSE(in_window(w, kTue14Utc + 24 * 3600));  // Wed 22:00
  w.start_minute = w.end_minute = 0;                  // all day, Tuesdays
  EXPECT_TRUE(in_window(w, kTue14Utc - 10 * 3600));
}

TEST(Policy, DecisionTable) {
  Policy p;
  const std::int64_t inside = kTue14Utc, outside = kTue14Utc - 6 * 3600;
  struct Case {
    PolicyMode mode;
    bool never_defers;
    UpdateOffer offer;
    std::int64_t now;
    bool confirmed;
    Verdict want;
    DecisionReason reason;
  };
  using M = PolicyMode;
  using R = DecisionReason;
  const UpdateOffer plain{}, sec_due{true, outside - 1}, sec_later{true, inside + 86400};
  Case cases[] = {
      {M::kAuto, false, plain, inside, false, Verdict::kAllow, R::kInWindow},
      {M::kAuto, false, plain, outside, false, Verdict::kAskLater, R::kOutsideWindow},
      {M::kManual, false, plain, outside, false, Verdict::kAskLater, R::kAwaitingConfirmation},
      {M::kManual, false, plain, outside, true, Verdict::kAllow, R::kConfirmed},
      {M::kNever, false, plain, inside, true, Verdict::kDeny, R::kModeNever},
      {M::kNever, false, sec_later, inside, false, Verdict::kDeny, R::kModeNever},
      {M::kNever, false, sec_due, inside, false, Verdict::kAllow, R::kSecurityDeadline},
      {M::kNever, false, sec_due, outside, false, Verdict::kAskLater, R::kOutsideWindow},
      {M::kNever, true, sec_due, inside, false, Verdict::kDeny, R::kModeNever},
  };
  for (const auto& c : cases) {
    p.mode = c.mode;
    p.never_defers_security = c.never_defers;
    auto d = decide(p, c.offer, c.now, c.confirmed);
    EXPECT_EQ(d.verdict, c.want) << to_string(c.mode) << " " << to_string(c.reason);
    EXPECT_EQ(d.reason, c.reason) << to_string(c.mode) << " gave " << to_string(d.reason);
  }
}

TEST(Policy, PatchesLayerAndLocksCannotBeLiftedBelow) {
  Policy p;
  auto group = PolicyPatch::from_json(
      boost::json::object{{"mode", "manual"}, {"locked", true}, {"lock_reason", "peak season"}});
  auto terminal = PolicyPatch::from_json(boost::json::object{{"mode", "never"}, {"locked", false}});
  ASSERT_TRUE(group && terminal);
  group->apply_to(p);
  terminal->apply_to(p);
  EXPECT_EQ(p.mode,
            PolicyMode::kManual);  // a mode set below a lock (before or after it) does not count
  EXPECT_TRUE(p.locked);
  EXPECT_EQ(p.lock_reason, "peak season");

  Policy unlocked;  // without the lock the terminal's own mode wins as usual
  auto open_group = PolicyPatch::from_json(boost::json::object{{"mode", "manual"}});
  open_group->apply_to(unlocked);
  terminal->apply_to(unlocked);
  EXPECT_EQ(unlocked.mode, PolicyMode::kNever);
}

// The words are the wire format (policy JSON, DDI poll): each enumerator has
// one, it parses back, and no other word parses.
TEST(Policy, ModeAndReasonWordsRoundTrip) {
  for (auto m : {PolicyMode::kAuto, PolicyMode::kManual, PolicyMode::kNever}) {
    auto back = parse_policy_mode(to_string(m));
    ASSERT_TRUE(back) << to_string(m);
    EXPECT_EQ(*back, m);
  }
  EXPECT_STREQ(to_string(PolicyMode::kManual), "manual");
  EXPECT_EQ(parse_policy_mode("Auto").error().code, Code::kInvalidArgument);
  EXPECT_FALSE(parse_policy_mode(""));
  for (auto r : {DecisionReason::kModeNever, DecisionReason::kSecurityDeadline,
                 DecisionReason::kOutsideWindow, DecisionReason::kConfirmed,
                 DecisionReason::kAwaitingConfirmation, DecisionReason::kInWindow}) {
    auto back = parse_decision_reason(to_string(r));
    ASSERT_TRUE(back) << to_string(r);
    EXPECT_EQ(*back, r);
  }
  EXPECT_STREQ(to_string(DecisionReason::kAwaitingConfirmation), "awaiting_confirmation");
  EXPECT_FALSE(parse_decision_reason("never"));
}

TEST(Policy, JsonKeepsTheModeWord) {
  Policy p;
  p.mode = PolicyMode::kNever;
  EXPECT_EQ(p.to_json().at("mode"), "never");
  auto back = policy_from_json(p.to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mode, PolicyMode::kNever);
  PolicyPatch patch;
  patch.mode = PolicyMode::kManual;
  EXPECT_EQ(patch.to_json().at("mode"), "manual");
}

TEST(Policy, BadFieldsAreNamed) {
  for (auto bad :
       {boost::json::object{{"mode", "sometimes"}},
        boost::json::object{{"window", boost::json::object{{"start", "25:00"}}}},
        boost::json::object{{"window", boost::json::object{{"tz", "Mars/Olympus"}}}},
        boost::json::object{{"window", boost::json::object{{"days", boost::json::array{0}}}}},
        boost::json::object{{"cellular", "maybe"}}, boost::json::object{{"locked", "yes"}}}) {
    auto p = PolicyPatch::from_json(bad);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, Code::kInvalidArgument);
  }
  EXPECT_EQ(window_text(*parse_window("22:00-06:30")), "22:00-06:30");
}

}  // namespace
}  // namespace posfleet

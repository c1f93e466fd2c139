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
                 DecisionReason::kAwaitingConfirmation, DecisionReason::kInWindow,
                 DecisionReason::kFrozen}) {
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

std::int64_t utc(const char* text) { return *parse_utc(text); }

TEST(Policy, WindowsFollowDaylightSavingChanges) {
  MaintenanceWindow w;  // 22:00-06:00 every day
  w.tz = "Europe/Berlin";
  // Berlin springs forward on 2026-03-29 at 02:00 (UTC+1 → UTC+2).
  EXPECT_TRUE(in_window(w, utc("2026-03-28T21:30:00Z")));   // Sat 22:30 CET
  EXPECT_TRUE(in_window(w, utc("2026-03-29T03:30:00Z")));   // Sun 05:30 CEST
  EXPECT_FALSE(in_window(w, utc("2026-03-29T04:30:00Z")));  // Sun 06:30 CEST (05:30 in CET)
  // ... and falls back on 2026-10-25 at 03:00 (UTC+2 → UTC+1).
  EXPECT_FALSE(in_window(w, utc("2026-10-24T19:30:00Z")));  // Sat 21:30 CEST
  EXPECT_TRUE(in_window(w, utc("2026-10-25T04:30:00Z")));   // Sun 05:30 CET (06:30 in CEST)
  EXPECT_FALSE(in_window(w, utc("2026-10-25T05:00:00Z")));  // Sun 06:00 CET
  // New York: a window 01:00-04:00 on the night the clocks go forward (2026-03-08 02:00) lasts
  // two hours of real time, and is the same three local hours a week later.
  w.tz = "America/New_York";
  w.start_minute = 60;
  w.end_minute = 4 * 60;
  EXPECT_TRUE(in_window(w, utc("2026-03-08T06:30:00Z")));   // 01:30 EST
  EXPECT_TRUE(in_window(w, utc("2026-03-08T07:30:00Z")));   // 03:30 EDT
  EXPECT_FALSE(in_window(w, utc("2026-03-08T08:00:00Z")));  // 04:00 EDT
  EXPECT_FALSE(in_window(w, utc("2026-03-15T08:00:00Z")));  // 04:00 EDT
  EXPECT_TRUE(in_window(w, utc("2026-03-15T07:30:00Z")));   // 03:30 EDT
}

TEST(Policy, LocalMidnightIsTheFirstInstantOfTheDayInItsZone) {
  EXPECT_EQ(*local_midnight("America/New_York", Date{2026, 3, 8}), utc("2026-03-08T05:00:00Z"));
  EXPECT_EQ(*local_midnight("America/New_York", Date{2026, 3, 9}), utc("2026-03-09T04:00:00Z"));
  EXPECT_EQ(*local_midnight("Asia/Shanghai", Date{2026, 11, 11}), utc("2026-11-10T16:00:00Z"));
  EXPECT_EQ(*local_midnight("UTC", Date{2026, 11, 11}), utc("2026-11-11T00:00:00Z"));
  // Santiago skips midnight when it springs forward (2026-09-06 00:00 → 01:00).
  auto cl = local_midnight("America/Santiago", Date{2026, 9, 6});
  ASSERT_TRUE(cl);
  EXPECT_EQ(local_time("America/Santiago", *cl)->day, 6);
  EXPECT_EQ(local_time("America/Santiago", *cl - 1)->day, 5);
}

TEST(Policy, DatesAreRealCalendarDates) {
  EXPECT_EQ(date_text(*parse_date("from", "2028-02-29")), "2028-02-29");
  for (auto bad : {"2026-02-29", "2026-13-01", "2026-1-01", "26-11-11", "2026-11-11x",
                   "２０２６-11-11", "", "2026/11/11", "1999-01-01"}) {
    auto d = parse_date("from", bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().message, "from must be a date YYYY-MM-DD, e.g. 2026-11-11");
  }
  EXPECT_EQ(days_from_civil(Date{1970, 1, 1}), 0);
  EXPECT_EQ(days_from_civil(Date{2026, 11, 11}) - days_from_civil(Date{2026, 11, 10}), 1);
  const Date d = civil_from_days(days_from_civil(Date{2026, 12, 31}) + 1);
  EXPECT_EQ(date_text(d), "2027-01-01");
}

TEST(Policy, TimeZoneNamesAreCheckedWithoutEchoingThem) {
  EXPECT_TRUE(check_time_zone("time_zone", "Asia/Shanghai"));
  EXPECT_TRUE(check_time_zone("time_zone", "America/Argentina/Buenos_Aires"));
  EXPECT_TRUE(check_time_zone("time_zone", "Etc/GMT+8"));
  for (std::string bad :
       {std::string(""), std::string("Asia"), std::string("Mars/Olympus"),
        std::string("../../etc/passwd"), std::string("/etc/passwd"), std::string("Asia//Shanghai"),
        std::string("Asia/Shanghai\n"), std::string("亚洲/上海"), std::string(200, 'A'),
        std::string("Asia/Sh\xff")}) {
    auto s = check_time_zone("time_zone", bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, Code::kInvalidArgument);
    EXPECT_NE(s.error().message.find("time_zone"), std::string::npos);
    if (bad.size() > 3 && bad != "Asia") {  // "Asia" is in the example the error gives
      EXPECT_EQ(s.error().message.find(bad), std::string::npos) << bad;
    }
  }
}

// 2026-11-10 16:30 UTC is 2026-11-11 00:30 in Shanghai and 2026-11-10 11:30 in New York.
TEST(Policy, AFreezeHoldsEveryModeOnItsLocalDates) {
  Policy p;
  p.window.start_minute = p.window.end_minute = 0;  // always open: only the freeze holds
  p.freezes.push_back({7, "2026-11-11", "2026-11-11", "双十一", FreezeSecurityRule::kHold});
  const auto t = utc("2026-11-10T16:30:00Z");
  const UpdateOffer plain{};
  EXPECT_EQ(decide(p, plain, t, false).reason, DecisionReason::kFrozen);
  EXPECT_EQ(decide(p, plain, t, false).verdict, Verdict::kAskLater);
  ASSERT_NE(holding_freeze(p, plain, t), nullptr);
  EXPECT_EQ(holding_freeze(p, plain, t)->id, 7);
  p.mode = PolicyMode::kManual;  // a merchant's yes does not open a freeze
  EXPECT_EQ(decide(p, plain, t, true).reason, DecisionReason::kFrozen);
  p.mode = PolicyMode::kNever;  // `never` still says never
  EXPECT_EQ(decide(p, plain, t, false).reason, DecisionReason::kModeNever);
  p.mode = PolicyMode::kAuto;
  // The same instant is still 11-10 in New York, and 11-12 has begun in Shanghai 24 h later.
  p.window.tz = "America/New_York";
  EXPECT_EQ(decide(p, plain, t, false).reason, DecisionReason::kInWindow);
  EXPECT_EQ(decide(p, plain, t + 13 * 3600, false).reason, DecisionReason::kFrozen);
  p.window.tz = "Asia/Shanghai";
  EXPECT_EQ(decide(p, plain, t + 24 * 3600, false).reason, DecisionReason::kInWindow);
  EXPECT_EQ(decide(p, plain, t - 3600, false).reason, DecisionReason::kInWindow);
}

TEST(Policy, EachFreezeHasItsOwnRuleForSecurityReleases) {
  Policy p;
  p.window.start_minute = p.window.end_minute = 0;
  p.freezes.push_back({1, "2026-11-09", "2026-11-12", "", FreezeSecurityRule::kHold});
  const auto t = utc("2026-11-10T16:30:00Z");
  const UpdateOffer before{true, t + 3600}, after{true, t - 3600}, plain{};
  auto reason = [&](const UpdateOffer& o) { return decide(p, o, t, false).reason; };
  EXPECT_EQ(reason(after), DecisionReason::kFrozen);
  p.freezes[0].security = FreezeSecurityRule::kAfterDeadline;
  EXPECT_EQ(reason(before), DecisionReason::kFrozen);
  EXPECT_EQ(reason(after), DecisionReason::kInWindow);
  EXPECT_EQ(reason(plain), DecisionReason::kFrozen);
  p.freezes[0].security = FreezeSecurityRule::kAllow;
  EXPECT_EQ(reason(before), DecisionReason::kInWindow);
  EXPECT_EQ(reason(plain), DecisionReason::kFrozen);
  // Forced under `never` past the deadline: held by a freeze that holds, let by otherwise.
  p.mode = PolicyMode::kNever;
  EXPECT_EQ(reason(after), DecisionReason::kSecurityDeadline);
  p.freezes[0].security = FreezeSecurityRule::kHold;
  EXPECT_EQ(reason(after), DecisionReason::kFrozen);
  // Two freezes: the one that holds wins.
  p.mode = PolicyMode::kAuto;
  p.freezes[0].security = FreezeSecurityRule::kAllow;
  p.freezes.push_back({2, "2026-11-11", "2026-11-11", "", FreezeSecurityRule::kHold});
  EXPECT_EQ(holding_freeze(p, before, t)->id, 2);
}

TEST(Policy, FreezesTravelInThePolicyJsonAndOlderReadersIgnoreThem) {
  Policy p;
  p.freezes.push_back({3, "2027-02-05", "2027-02-12", "春节", FreezeSecurityRule::kAfterDeadline});
  const auto o = p.to_json();
  auto back = policy_from_json(o);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->freezes.size(), 1u);
  EXPECT_EQ(back->freezes[0].id, 3);
  EXPECT_EQ(back->freezes[0].to, "2027-02-12");
  EXPECT_EQ(back->freezes[0].reason, "春节");
  EXPECT_EQ(back->freezes[0].security, FreezeSecurityRule::kAfterDeadline);
  EXPECT_TRUE(PolicyPatch::from_json(o));  // a patch (an older agent's reading) skips them
  auto bad = o;
  bad["freezes"].as_array()[0].as_object()["to"] = "2027-02-30";
  EXPECT_FALSE(policy_from_json(bad));
  bad = o;
  bad["freezes"].as_array()[0].as_object()["security"] = "sometimes";
  EXPECT_FALSE(policy_from_json(bad));
  bad = o;
  bad["freezes"] = boost::json::array(kFreezesInPolicy + 1, o.at("freezes").as_array()[0]);
  EXPECT_FALSE(policy_from_json(bad));
}

}  // namespace
}  // namespace posfleet

// Tests for AgentService (agent/service.h): what the menu is offered, and the
// support-ticket queue against the server's refusals. A thread plays the
// daemon's poll loop (daemon.cc exchange_settings) with scripted answers.
#include "agent/service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>

#include "core/clock.h"
#include "core/fake_clock.h"
#include "core/hashing.h"
#include "core/json.h"
#include "core/signing.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

namespace bj = boost::json;

std::string text_of(std::size_t chars) {
  std::string s;
  for (std::size_t i = 0; i < chars; ++i) s += "打";
  return s;
}

struct Rig {
  explicit Rig(const char* name) : tmp(std::string("posfleet_svc_") + name) {
    EXPECT_TRUE(init_crypto());
    key = generate_signing_key();
    config.server = "http://fake";
    config.model = "A920";
    config.device_dir = tmp.file("device");
    config.trusted_keys = {key.pub};
  }

  SignedManifest release(const std::string& version) {
    SignedManifest sm;
    sm.manifest.version = version;
    sm.manifest.expires = unix_now() + 86400;
    sm.manifest.models = {"A920"};
    sm.manifest.components = {{"os", version, "os.img", sha256_hex("os " + version), 5}};
    sm.sign(key);
    return sm;
  }

  // The menu's view of the offer: null when nothing is shown.
  bj::value offered() { return service.handle({{"cmd", "status"}}).at("update_available"); }

  // Sends a ticket from the menu while this thread serves the polls it asks
  // for; `answer` plays the server for each ticket and says whether the loop
  // goes on to the next queued one.
  bj::object ticket(const std::string& message,
                    const std::function<bool(const std::string&)>& answer) {
    auto reply = std::async(std::launch::async, [&] {
      return service.handle({{"cmd", "ticket"}, {"message", message}});
    });
    while (reply.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
      service.wait(0);  // takes in the requests made so far
      while (auto m = service.next_ticket())
        if (!answer(*m)) break;
      service.poll_finished();
    }
    return reply.get();
  }

  std::string notice_kinds() {
    std::string kinds;
    const bj::object reply = service.handle({{"cmd", "notifications"}});
    for (const auto& n : reply.at("notifications").as_array())
      kinds += std::string(n.at("kind").as_string()) + " ";
    return kinds;
  }

  testing::TempDir tmp;
  SigningKey key;
  Config config;
  std::atomic<bool> stopping{false};
  AgentService service{config, tmp.file("terminal.json"), stopping};
};

TEST(AgentServiceTest, TheReleaseAlreadyInstalledIsNotOffered) {
  Rig rig("replay");
  const auto installed_sm = rig.release("2.1.0");
  const InstalledRelease installed{"2.1.0", manifest_sha256(installed_sm),
                                   installed_sm.manifest.components};
  // A replay of the very release installed: closed as unchanged, never shown.
  EXPECT_TRUE(rig.service.consider({7, {}, installed_sm.to_json_text()}, {}, installed));
  EXPECT_TRUE(rig.offered().is_null());
  // An older release (a downgrade the terminal refuses) is not shown either.
  EXPECT_TRUE(rig.service.consider({8, {}, rig.release("2.0.0").to_json_text()}, {}, installed));
  EXPECT_TRUE(rig.offered().is_null());
  // A newer one is.
  rig.service.consider({9, {}, rig.release("2.2.0").to_json_text()}, {}, installed);
  ASSERT_TRUE(rig.offered().is_object());
  EXPECT_EQ(rig.offered().at("version"), "2.2.0");
  // And the replay that follows takes its offer away again.
  EXPECT_TRUE(rig.service.consider({7, {}, installed_sm.to_json_text()}, {}, installed));
  EXPECT_TRUE(rig.offered().is_null());
}

TEST(AgentServiceTest, ATicketTheServerRefusesIsDroppedAndTheMerchantTold) {
  Rig rig("refused");
  ASSERT_TRUE(rig.service.load());
  int refusals = 0;
  auto r = rig.ticket("bad", [&](const std::string&) {
    ++refusals;
    rig.service.ticket_refused("support ticket: message is not allowed");
    return true;
  });
  EXPECT_EQ(r.at("ok"), false);
  EXPECT_EQ(r.at("error"), "refused");
  EXPECT_NE(std::string(r.at("message_en").as_string()).find("refused"), std::string::npos);
  EXPECT_EQ(refusals, 1);
  EXPECT_NE(rig.notice_kinds().find("ticket_refused"), std::string::npos);
  // The next ticket is not stuck behind it.
  r = rig.ticket("printer broken", [&](const std::string& m) {
    EXPECT_EQ(m, "printer broken");
    rig.service.ticket_sent(41);
    return true;
  });
  EXPECT_EQ(r.at("ticket_id"), 41);
}

TEST(AgentServiceTest, OverTheDailyQuotaTheTicketWaitsWithoutHoldingThePoll) {
  Rig rig("quota");
  ASSERT_TRUE(rig.service.load());
  auto r = rig.ticket("twenty-first", [&](const std::string&) {
    rig.service.ticket_deferred(3600);
    return false;
  });
  EXPECT_EQ(r.at("ok"), true);
  EXPECT_EQ(r.at("deferred"), true);
  EXPECT_NE(std::string(r.at("message_en").as_string()).find("60 minutes"), std::string::npos);
  EXPECT_NE(std::string(r.at("message_zh").as_string()).find("上限"), std::string::npos);
  // Until the wait is over, the loop gets no ticket to send and polls on.
  EXPECT_FALSE(rig.service.next_ticket());
  EXPECT_NE(rig.notice_kinds().find("ticket_deferred"), std::string::npos);
}

TEST(AgentServiceTest, TheMessageAndTheQueueAreBounded) {
  Rig rig("bounds");
  ASSERT_TRUE(rig.service.load());
  const auto never = [](const std::string&) { return false; };  // offline: nothing is sent
  // Counted in characters: 2000 Chinese characters (6000 bytes) are allowed, 2001 are not.
  auto r = rig.service.handle({{"cmd", "ticket"}, {"message", text_of(2001)}});
  EXPECT_EQ(r.at("ok"), false);
  EXPECT_NE(std::string(r.at("message_zh").as_string()).find("2000"), std::string::npos);
  EXPECT_EQ(rig.service.handle({{"cmd", "ticket"}, {"message", "\xff\xfe"}}).at("ok"), false);
  for (std::size_t i = 0; i < AgentService::kMaxQueuedTickets; ++i)
    EXPECT_EQ(rig.ticket(i == 0 ? text_of(2000) : "t" + std::to_string(i), never).at("queued"),
              true);
  r = rig.ticket("one too many", never);
  EXPECT_EQ(r.at("ok"), false);
  EXPECT_EQ(r.at("error"), "queue_full");
}

// The same service on a FakeClock: nothing plays the poll loop, so every
// local request that asks for a poll times out — at once, in fake time.
struct ClockRig : Rig {
  explicit ClockRig(const char* name) : Rig(name) { EXPECT_TRUE(fast.load()); }
  FakeClock clock;
  AgentService fast{config, tmp.file("terminal_fast.json"), stopping, clock};
};

TEST(AgentServiceClockTest, ADeferredTicketIsSentAgainWhenTheWaitIsOverAndNotBefore) {
  ClockRig rig("deferred");
  const auto started = std::chrono::steady_clock::now();
  auto r = rig.fast.handle({{"cmd", "ticket"}, {"message", "printer broken"}});
  EXPECT_EQ(r.at("queued"), true);  // offline: kept for the next poll
  ASSERT_EQ(rig.fast.next_ticket(), "printer broken");
  rig.fast.ticket_deferred(3600);
  EXPECT_FALSE(rig.fast.next_ticket());
  rig.clock.advance_seconds(3599);
  EXPECT_FALSE(rig.fast.next_ticket());
  rig.clock.advance_seconds(1);
  EXPECT_EQ(rig.fast.next_ticket(), "printer broken");
  // A server asking for ten days waits six hours at most.
  rig.fast.ticket_deferred(10 * 86400);
  rig.clock.advance_seconds(AgentService::kMaxTicketWaitSeconds);
  EXPECT_EQ(rig.fast.next_ticket(), "printer broken");
  rig.fast.ticket_sent(5);
  EXPECT_FALSE(rig.fast.next_ticket());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(AgentServiceClockTest, OfflineACheckSaysSoAfterItsWaitInFakeTime) {
  ClockRig rig("offline");
  const auto before = rig.clock.steady();
  const auto started = std::chrono::steady_clock::now();
  auto r = rig.fast.handle({{"cmd", "check"}});
  EXPECT_EQ(r.at("online"), false);
  EXPECT_NE(std::string(r.at("message_en").as_string()).find("Cannot reach"), std::string::npos);
  EXPECT_GE(rig.clock.steady() - before, std::chrono::seconds(15));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(AgentServiceClockTest, TheLoopsWaitEndsOnTimeOrWhenAPollIsWanted) {
  ClockRig rig("wait");
  const std::int64_t t0 = rig.clock.now();
  EXPECT_FALSE(rig.fast.wait(60));
  EXPECT_GE(rig.clock.now() - t0, 60);
  rig.fast.handle({{"cmd", "check"}});  // a request the loop has not served yet
  const std::int64_t t1 = rig.clock.now();
  EXPECT_TRUE(rig.fast.wait(60));  // returns at once: a poll is wanted
  EXPECT_EQ(rig.clock.now(), t1);
  EXPECT_FALSE(rig.fast.wait(0));  // that request is being served now
}

TEST(AgentServiceClockTest, InManualModeAnOfferWaitsForTheMerchantsConfirmation) {
  ClockRig rig("manual");
  EXPECT_EQ(rig.fast.handle({{"cmd", "set"}, {"key", "update-mode"}, {"value", "manual"}}).at("ok"),
            true);
  const Deployment d{9, {}, rig.release("2.2.0").to_json_text()};
  EXPECT_FALSE(rig.fast.consider(d, {}, std::nullopt));
  const bj::value offered = rig.fast.handle({{"cmd", "status"}}).at("update_available");
  ASSERT_TRUE(offered.is_object());
  EXPECT_EQ(offered.at("version"), "2.2.0");
  EXPECT_FALSE(rig.fast.confirmed(9));
  EXPECT_EQ(rig.fast.handle({{"cmd", "install"}}).at("ok"), true);
  ASSERT_TRUE(rig.fast.confirmed(9));
  EXPECT_EQ(*rig.fast.confirmed(9), std::vector<std::string>{"os"});
  EXPECT_TRUE(rig.fast.consider(d, {}, std::nullopt));
  // Turned off, nothing installs and the menu says why.
  rig.fast.handle({{"cmd", "set"}, {"key", "update-mode"}, {"value", "never"}});
  EXPECT_EQ(rig.fast.handle({{"cmd", "install"}}).at("error"), "policy");
}

}  // namespace
}  // namespace posfleet::agent

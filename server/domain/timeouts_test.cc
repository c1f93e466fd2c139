#include "server/domain/timeouts.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "core/testing/temp_dir.h"

#include "server/domain/deployments.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/testing/domain_fixture.h"

namespace posfleet::domain {
namespace {

using P = store::DeploymentPhase;

class TimeoutsTest : public posfleet::testing::DomainTest {
 protected:
  TimeoutsTest() : DomainTest(8) {}
  // A deployment of 2.0.0 to terminal i, put in `phase` `age` seconds before kNow (fake times:
  // phase_since written in the past).
  std::int64_t stuck(int i, P phase, std::int64_t age,
                     store::DeploymentStatus status = store::DeploymentStatus::kRunning) {
    const auto id = deploy(i);
    auto rec = read(id);
    rec.status = status;
    rec.phase = phase;
    rec.phase_since = kNow - age;
    rec.message = "downloaded 40%";
    EXPECT_TRUE(store_->update_deployment(rec));
    return id;
  }
  std::vector<AuditEntry> audit(const std::string& action) {
    store::AuditQuery q;
    auto all = *store_->query_audit(q);
    std::vector<AuditEntry> out;
    for (auto& e : all)
      if (e.action == action) out.push_back(e);
    return out;
  }

  static constexpr std::int64_t kNow = 2'000'000'000;
};

TEST_F(TimeoutsTest, DefaultsAndAnAuditedChange) {
  auto t = deployment_timeouts(*ctx_);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->waiting_seconds, 7 * 86400);
  EXPECT_EQ(t->downloading_seconds, 86400);
  EXPECT_EQ(t->installing_seconds, 7200);
  const Actor admin{"alice", "user", "console"};
  EXPECT_EQ(set_deployment_timeouts(*ctx_, {1, -1, 2}, admin, "").error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(set_deployment_timeouts(*ctx_, {kMaxTimeoutSeconds + 1, 1, 2}, admin, "").error().code,
            Code::kInvalidArgument);
  ASSERT_TRUE(set_deployment_timeouts(*ctx_, {3600, 600, 0}, admin, "the pilot stores"));
  EXPECT_EQ(deployment_timeouts(*ctx_)->downloading_seconds, 600);
  auto entries = audit("fleet.timeouts");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].actor, "alice");
  EXPECT_NE(entries[0].before.find("\"downloading_seconds\":86400"), std::string::npos);
  EXPECT_NE(entries[0].after.find("\"downloading_seconds\":600"), std::string::npos);
  EXPECT_EQ(entries[0].reason, "the pilot stores");
}

TEST_F(TimeoutsTest, EachPhaseByItsOwnLimit) {
  // Defaults: waiting 7 days, downloading 1 day, installing 2 h.
  const auto old_download = stuck(0, P::kDownloading, 86400 + 5);
  const auto young_download = stuck(1, P::kDownloading, 86400 - 5);
  const auto old_install = stuck(2, P::kInstalling, 7200 + 1);
  // Waiting for its window counts as waiting, not as stuck downloading.
  const auto waiting_two_days = stuck(3, P::kWaitingWindow, 2 * 86400);
  const auto waiting_too_long = stuck(4, P::kWaitingWindow, 8 * 86400);
  const auto never_fetched =
      stuck(5, P::kScheduled, 8 * 86400, store::DeploymentStatus::kScheduled);
  const auto canceling = stuck(6, P::kDownloading, 2 * 86400, store::DeploymentStatus::kCanceling);
  auto swept = time_out_stuck(*ctx_, kNow);
  ASSERT_TRUE(swept);
  EXPECT_EQ(swept->timed_out, 5);
  for (auto id : {old_download, old_install, waiting_too_long, never_fetched, canceling}) {
    SCOPED_TRACE(id);
    const auto d = read(id);
    EXPECT_EQ(d.status, store::DeploymentStatus::kFinished);
    EXPECT_EQ(d.result, store::DeploymentResult::kFailure);
    EXPECT_EQ(d.phase, P::kTimedOut);
    EXPECT_EQ(d.phase_since, kNow);
    EXPECT_NE(d.message.find("last feedback: \"downloaded 40%\""), std::string::npos) << d.message;
  }
  EXPECT_TRUE(read(old_download)
                  .message.starts_with("timed out: no progress in phase downloading for 1 day "
                                       "(limit 1 day); last feedback: "))
      << read(old_download).message;
  EXPECT_NE(read(old_install).message.find("phase installing for 2 h"), std::string::npos);
  EXPECT_EQ(read(young_download).phase, P::kDownloading);
  EXPECT_EQ(read(waiting_two_days).phase, P::kWaitingWindow);
  // One audit entry for the sweep, with the figures.
  auto entries = audit("deployment.timed_out");
  ASSERT_EQ(entries.size(), 1u);
  auto figures = json::parse(entries[0].after);
  ASSERT_TRUE(figures);
  EXPECT_EQ(figures->at("count").as_int64(), 5);
  EXPECT_EQ(figures->at("ids").as_array().size(), 5u);
  EXPECT_EQ(figures->at("phases").at("downloading").as_int64(), 2);
  EXPECT_EQ(entries[0].actor, "system");
  // The terminal that reports later is told the action has ended (410).
  EXPECT_EQ(record_feedback(*ctx_, terminals_[0], old_download,
                            {"proceeding", "none", {"downloaded 50%"}, 0, 5, 10})
                .error()
                .code,
            Code::kGone);
  // A second sweep finds nothing and writes no entry.
  EXPECT_EQ(time_out_stuck(*ctx_, kNow)->timed_out, 0);
  EXPECT_EQ(audit("deployment.timed_out").size(), 1u);
}

TEST_F(TimeoutsTest, ZeroIsNeverAndALaterReportRestartsNoClock) {
  ASSERT_TRUE(set_deployment_timeouts(*ctx_, {0, 0, 0}, kSystemActor, "test"));
  stuck(0, P::kDownloading, 400 * 86400);
  EXPECT_EQ(time_out_stuck(*ctx_, kNow)->timed_out, 0);
  // A report in the same phase does not restart the phase's clock: a download that keeps
  // reporting failed attempts still times out.
  ASSERT_TRUE(set_deployment_timeouts(*ctx_, {0, 600, 0}, kSystemActor, "test"));
  const auto id = stuck(1, P::kDownloading, 3600);
  ASSERT_TRUE(record_feedback(
      *ctx_, terminals_[1], id,
      {"proceeding", "none", {"phase: downloading", "download failed (network): reset"}, 0}));
  EXPECT_EQ(read(id).phase_since, kNow - 3600);
  auto swept = time_out_stuck(*ctx_, kNow);
  EXPECT_EQ(swept->timed_out, 2);  // both: the 400-day one too, now that downloading has a limit
}

TEST_F(TimeoutsTest, DurationWords) {
  EXPECT_EQ(duration_words(40), "40 s");
  EXPECT_EQ(duration_words(125), "2 min 5 s");
  EXPECT_EQ(duration_words(7200), "2 h");
  EXPECT_EQ(duration_words(7500), "2 h 5 min");
  EXPECT_EQ(duration_words(86400), "1 day");
  EXPECT_EQ(duration_words(3 * 86400 + 4 * 3600), "3 days 4 h");
}

}  // namespace
}  // namespace posfleet::domain

#include "server/domain/phases.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

#include "core/clock.h"
#include "core/testing/temp_dir.h"

#include "server/domain/deployments.h"
#include "server/domain/policy.h"
#include "server/domain/terminals.h"
#include "server/domain/timeouts.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/testing/domain_fixture.h"

namespace posfleet::domain {
namespace {

using P = store::DeploymentPhase;

Feedback fb(std::string execution, std::string result, std::vector<std::string> details,
            std::int64_t cnt = 0, std::int64_t of = 0, int code = 0) {
  return Feedback{std::move(execution), std::move(result), std::move(details), code, cnt, of};
}

struct Case {
  const char* what;
  P from;
  Feedback f;
  P to;
};

// The words posfleet's agent sends (agent/steps: progress_note, report_progress, report.cc).
TEST(Phases, TheAgentsWords) {
  const Case cases[] = {
      {"download starts", P::kDownloading,
       fb("proceeding", "none", {"phase: downloading", "downloading 3000 bytes"}), P::kDownloading},
      {"a tenth downloaded", P::kDownloading,
       fb("proceeding", "none", {"downloaded 10%"}, 300, 3000), P::kDownloading},
      {"the whole download", P::kDownloading,
       fb("proceeding", "none", {"downloaded 100%"}, 3000, 3000), P::kInstalling},
      {"offline while downloading", P::kDownloading,
       fb("proceeding", "none", {"phase: downloading", "waiting: no network"}), P::kDownloading},
      {"held for its window", P::kDownloading,
       fb("proceeding", "none",
          {"phase: waiting_window", "waiting: waiting for the maintenance window to install"}),
       P::kWaitingWindow},
      {"window opens: pre-checks passed", P::kWaitingWindow,
       fb("proceeding", "none", {"phase: installing", "pre-checks passed; installing"}),
       P::kInstalling},
      {"a sale holds the reboot", P::kInstalling,
       fb("proceeding", "none", {"phase: installing", "waiting: a payment is in progress"}),
       P::kInstalling},
      {"booted and healthy", P::kInstalling, fb("closed", "success", {"installed 2.0.0 on slot b"}),
       P::kSuccess},
      {"refused by the terminal", P::kDownloading,
       fb("closed", "failure", {"bad signature"}, 0, 0, 10), P::kFailed},
      {"rolled back", P::kInstalling,
       fb("closed", "failure",
          {"phase: rolled_back", "health check failed (rolled back to slot a)"}, 0, 0, 31),
       P::kRolledBack},
      {"canceled on the terminal", P::kDownloading, fb("canceled", "none", {}), P::kCanceled},
      // A hostile line cannot end a deployment, nor bring an ended one back.
      {"phase: success claimed", P::kScheduled, fb("proceeding", "none", {"phase: success"}),
       P::kDownloading},
      {"phase: rolled_back while proceeding", P::kInstalling,
       fb("proceeding", "none", {"phase: rolled_back"}), P::kInstalling},
      {"a late note after success", P::kSuccess,
       fb("proceeding", "none", {"phase: downloading", "downloading"}), P::kSuccess},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(next_phase(c.from, c.f), c.to);
  }
}

// A stock DDI client (swupdate's suricatta, hawkBit's words) sends no phase line.
TEST(Phases, AStockClientsWords) {
  const Case cases[] = {
      {"proceeding once fetched", P::kScheduled, fb("proceeding", "none", {"Installing Update"}),
       P::kDownloading},
      {"proceeding after the server held it", P::kWaitingWindow, fb("proceeding", "none", {}),
       P::kDownloading},
      {"downloading", P::kScheduled, fb("downloading", "none", {}), P::kDownloading},
      {"download (hawkBit's word)", P::kScheduled, fb("download", "none", {}), P::kDownloading},
      {"downloaded", P::kDownloading, fb("downloaded", "none", {}), P::kInstalling},
      {"proceeding while installing", P::kInstalling, fb("proceeding", "none", {"flashing"}),
       P::kInstalling},
      {"resumed says nothing new", P::kInstalling, fb("resumed", "none", {}), P::kInstalling},
      {"scheduled says nothing new", P::kDownloading, fb("scheduled", "none", {}), P::kDownloading},
      {"closed success", P::kInstalling, fb("closed", "success", {"Update successful"}),
       P::kSuccess},
      {"closed failure", P::kInstalling, fb("closed", "failure", {"Update failed"}), P::kFailed},
      {"closed without a result", P::kInstalling, fb("closed", "none", {}), P::kInstalling},
      {"rejected", P::kScheduled, fb("rejected", "none", {"not for this device"}), P::kDeclined},
      {"canceled", P::kDownloading, fb("canceled", "none", {}), P::kCanceled},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(next_phase(c.from, c.f), c.to);
  }
}

TEST(Phases, PhaseSinceMovesOnlyWithThePhase) {
  store::DeploymentRecord d;
  d.phase = P::kDownloading;
  d.phase_since = 100;
  move_phase(d, P::kDownloading, 200);
  EXPECT_EQ(d.phase_since, 100);
  move_phase(d, P::kInstalling, 300);
  EXPECT_EQ(d.phase, P::kInstalling);
  EXPECT_EQ(d.phase_since, 300);
}

// Through the domain's own functions, every phase is reached and phase_since is set.
class PhasesDomainTest : public posfleet::testing::DomainTest {
 protected:
  PhasesDomainTest() : DomainTest(12) {}
};

TEST_F(PhasesDomainTest, EveryPhaseIsReachable) {
  std::set<P> seen;
  auto see = [&](std::int64_t id) {
    auto d = read(id);
    EXPECT_GT(d.phase_since, 0) << store::to_string(d.phase);
    seen.insert(d.phase);
    return d.phase;
  };
  const auto& t = terminals_;
  // scheduled: assigned, not fetched.
  auto a = deploy(0);
  EXPECT_EQ(see(a), P::kScheduled);
  // downloading: fetched; installing: the whole download; success: closed.
  ASSERT_TRUE(fetch_action(*ctx_, t[0], a, false, false));
  EXPECT_EQ(see(a), P::kDownloading);
  ASSERT_TRUE(record_feedback(*ctx_, t[0], a, fb("proceeding", "none", {"downloaded 100%"}, 3, 3)));
  EXPECT_EQ(see(a), P::kInstalling);
  ASSERT_TRUE(record_feedback(*ctx_, t[0], a, fb("closed", "success", {"installed"})));
  EXPECT_EQ(see(a), P::kSuccess);
  // failed.
  auto b = deploy(1);
  ASSERT_TRUE(
      record_feedback(*ctx_, t[1], b, fb("closed", "failure", {"bad signature"}, 0, 0, 10)));
  EXPECT_EQ(see(b), P::kFailed);
  // rolled_back.
  auto c = deploy(2);
  ASSERT_TRUE(record_feedback(
      *ctx_, t[2], c,
      fb("closed", "failure", {"phase: rolled_back", "health check failed (rolled back to slot a)"},
         0, 0, 31)));
  EXPECT_EQ(see(c), P::kRolledBack);
  EXPECT_EQ(read(c).message, "health check failed (rolled back to slot a)");
  // waiting_window: the agent says it waits (the merchant's confirmation).
  auto d = deploy(3);
  ASSERT_TRUE(fetch_action(*ctx_, t[3], d, false, false));
  ASSERT_TRUE(record_feedback(
      *ctx_, t[3], d,
      fb("proceeding", "none",
         {"phase: waiting_window", "waiting: waiting for the merchant to confirm the update"})));
  EXPECT_EQ(see(d), P::kWaitingWindow);
  // … and confirmation moves it on; a denial (declined) ends another.
  ASSERT_TRUE(record_confirmation(*ctx_, t[3], d, true, {"confirmed"}));
  EXPECT_EQ(see(d), P::kDownloading);
  auto e = deploy(4);
  ASSERT_TRUE(record_confirmation(*ctx_, t[4], e, false, {"the merchant said no"}));
  EXPECT_EQ(see(e), P::kDeclined);
  // canceled: by the operator before a fetch, and on the terminal after one.
  auto f = deploy(5);
  ASSERT_TRUE(request_cancel(*ctx_, f));
  EXPECT_EQ(see(f), P::kCanceled);
  auto g = deploy(6);
  ASSERT_TRUE(fetch_action(*ctx_, t[6], g, false, false));
  ASSERT_TRUE(request_cancel(*ctx_, g));
  EXPECT_EQ(read(g).phase, P::kDownloading);  // the terminal may still be working on it
  ASSERT_TRUE(record_cancel_feedback(*ctx_, t[6], g, fb("closed", "success", {})));
  EXPECT_EQ(see(g), P::kCanceled);
  // timed_out: past its phase's limit.
  auto h = deploy(7);
  ASSERT_TRUE(time_out_stuck(*ctx_, unix_now() + 8 * 86400));
  EXPECT_EQ(see(h), P::kTimedOut);
  for (auto p : store::kAllDeploymentPhases)
    EXPECT_TRUE(seen.count(p)) << "never reached: " << store::to_string(p);
}

// A stock client outside its window (or with updates off) is held back by the server, which
// then counts it as waiting_window; fetching it later starts the download.
TEST_F(PhasesDomainTest, TheServersHoldForAStockClientIsWaitingWindow) {
  auto patch = PolicyPatch::from_json(boost::json::object{{"mode", "never"}});
  ASSERT_TRUE(patch);
  ASSERT_TRUE(change_policy(*ctx_, "fleet", "", *patch, kSystemActor, "test: hold everything"));
  auto a = deploy(0);
  auto v = poll_view(*ctx_, terminals_[0], /*posfleet_client=*/false, 0);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->offer.visible);
  EXPECT_EQ(read(a).phase, P::kWaitingWindow);
  const auto since = read(a).phase_since;
  ASSERT_TRUE(poll_view(*ctx_, terminals_[0], false, 0));  // polls again: nothing moves
  EXPECT_EQ(read(a).phase_since, since);
  auto back = PolicyPatch::from_json(boost::json::object{{"mode", "auto"}});
  ASSERT_TRUE(change_policy(*ctx_, "fleet", "", *back, kSystemActor, "test: allow again"));
  ASSERT_TRUE(fetch_action(*ctx_, terminals_[0], a, false, false));
  EXPECT_EQ(read(a).phase, P::kDownloading);
}

}  // namespace
}  // namespace posfleet::domain

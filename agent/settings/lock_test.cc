// The terminal's lock: a lock the poll brings is kept and survives a reload; a wrong code counts,
// five make the terminal wait (a restart does not reset it); the right one unlocks; a lifted lock
// unlocks; how it ended is told once the server answers, and only then is the file removed.
#include "agent/settings/lock.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "agent/ddi/fake_ddi_client.h"
#include "core/fs.h"
#include "core/signing.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

namespace bj = boost::json;

class LockDdi : public FakeDdiClient {
 public:
  std::vector<std::pair<std::int64_t, std::string>> reports;
  bool reachable = true;
  Status lock_report(std::int64_t id, const std::string& how) override {
    if (!reachable) return make_error(Code::kNetwork, "connection refused");
    reports.emplace_back(id, how);
    return ok_status();
  }
};

bj::object poll_with(const bj::value& lock) { return bj::object{{"lock", lock}}; }

TEST(TerminalLock, KeptUntilTheRightCodeAndToldOnceTheServerHears) {
  ASSERT_TRUE(init_crypto().ok());
  posfleet::testing::TempDir dir{"posfleet_lock_agent"};
  ASSERT_TRUE(make_dirs(dir.file("state")));
  const LockFile file(lock_file_path(dir.path()));
  LockDdi ddi;
  EXPECT_FALSE(terminal_locked(dir.path()));
  const std::string code = "ABCD-EFGH-JKMN";
  auto check = *make_unlock_check(code);
  sync_lock(ddi, file,
            poll_with(bj::object{{"id", 7},
                                 {"locked", true},
                                 {"reason", "报失"},
                                 {"support_phone", "95516"},
                                 {"check", to_json(check)}}));
  EXPECT_TRUE(terminal_locked(dir.path()));
  EXPECT_EQ((*file.load())->support_phone, "95516");

  std::int64_t now = 1000;
  for (int i = 1; i <= 4; ++i) {
    auto r = try_unlock(file, "2222-2222-2222", now);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, UnlockOutcome::kWrong);
    EXPECT_EQ(r->tries_left, kFreeTries - i);
  }
  auto fifth = try_unlock(file, "2222-2222-2222", now);
  EXPECT_EQ(fifth->wait_seconds, kWaitAfterWrongSeconds);
  EXPECT_EQ(try_unlock(file, code, now + 60)->outcome, UnlockOutcome::kWait)
      << "even the right code waits";
  EXPECT_TRUE(terminal_locked(dir.path()));

  ddi.reachable = false;
  EXPECT_EQ(try_unlock(file, "abcd efgh jkmn", now + kWaitAfterWrongSeconds)->outcome,
            UnlockOutcome::kUnlocked);
  EXPECT_FALSE(terminal_locked(dir.path()));
  sync_lock(ddi, file, poll_with(nullptr));
  EXPECT_TRUE(file.load() && *file.load()) << "kept until the server hears";
  ddi.reachable = true;
  sync_lock(ddi, file, poll_with(nullptr));
  ASSERT_EQ(ddi.reports.size(), 1u);
  EXPECT_EQ(ddi.reports[0], (std::pair<std::int64_t, std::string>{7, "code"}));
  EXPECT_FALSE(*file.load());
}

TEST(TerminalLock, ALiftedLockUnlocksAndAMalformedOneStillLocks) {
  ASSERT_TRUE(init_crypto().ok());
  posfleet::testing::TempDir dir{"posfleet_lock_agent"};
  ASSERT_TRUE(make_dirs(dir.file("state")));
  const LockFile file(lock_file_path(dir.path()));
  LockDdi ddi;
  // A lock without a usable check still locks: only the back office can lift it then.
  sync_lock(ddi, file, poll_with(bj::object{{"id", 9}, {"locked", true}, {"check", "nonsense"}}));
  EXPECT_TRUE(terminal_locked(dir.path()));
  EXPECT_EQ(try_unlock(file, "ABCD-EFGH-JKMN", 1)->outcome, UnlockOutcome::kWrong);
  sync_lock(ddi, file, poll_with(bj::object{{"id", 9}, {"locked", false}}));
  EXPECT_FALSE(terminal_locked(dir.path()));
  ASSERT_EQ(ddi.reports.size(), 1u);
  EXPECT_EQ(ddi.reports[0].second, "remote");
  // A broken lock file counts as locked.
  ASSERT_TRUE(write_file_atomic(lock_file_path(dir.path()), "{not json"));
  EXPECT_TRUE(terminal_locked(dir.path()));
}

}  // namespace
}  // namespace posfleet::agent

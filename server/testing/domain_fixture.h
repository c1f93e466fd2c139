// posfleet test support: the domain layer on a real SQLite store and artifact store in a temp
// dir, with `terminal_count` registered A920 terminals (PF0, PF1, …) and release 2.0.0 for
// them, so a test can assign, fetch and report without a server.
// Thread-safety: one test, one thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/testing/temp_dir.h"
#include "server/domain/context.h"
#include "server/domain/deployments.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::testing {

class DomainTest : public ::testing::Test {
 protected:
  explicit DomainTest(int terminal_count) : terminal_count_(terminal_count) {}

  void SetUp() override {
    auto opened = store::SqliteStore::open(dir_.file("db"));
    ASSERT_TRUE(opened) << opened.error().to_string();
    store_ = std::move(*opened);
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<domain::Context>(
        domain::Context{.store = *store_, .artifacts = *artifacts_});
    for (int i = 0; i < terminal_count_; ++i) {
      auto t = domain::register_terminal(*ctx_, "PF" + std::to_string(i), "A920");
      ASSERT_TRUE(t);
      terminals_.push_back(t->record);
    }
    ASSERT_TRUE(store_->put_artifact({"aa", "s1", "m5", 3}));
    store::ReleaseRecord r{
        0, "2.0.0", "{}", "A920", "k", 100, 1, false, {{0, 0, "os", "2.0.0", "os.img", "aa", 3}}};
    ASSERT_TRUE(store_->insert_release(r));
  }

  // A deployment of 2.0.0 to terminal i; 0 when refused (the test fails).
  std::int64_t deploy(int i) {
    auto d = domain::assign_release(*ctx_, "2.0.0", terminals_[i].serial);
    EXPECT_TRUE(d);
    return d ? d->id : 0;
  }
  store::DeploymentRecord read(std::int64_t id) { return *store_->deployment(id); }

  TempDir dir_{"posfleet_domain"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<domain::Context> ctx_;
  std::vector<store::TerminalRecord> terminals_;

 private:
  int terminal_count_;
};

}  // namespace posfleet::testing

// The unit of work on SQLite: a change that fails half-way leaves nothing.
// (The store conformance suite covers transact for every backend.)
#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/store/sqlite/testing/fail_writes.h"

namespace posfleet::store {
namespace {

TEST(SqliteTransact, AFailedAuditWriteUndoesTheWholeChange) {
  posfleet::testing::TempDir dir{"posfleet_tx"};
  auto store = SqliteStore::open(dir.file("db"));
  ASSERT_TRUE(store);
  ASSERT_TRUE(testing::fail_writes_to(dir.file("db"), "audit_log"));
  Status st = (*store)->transact([&](Tx& tx) -> Status {
    TerminalRecord t;
    t.tenant = "DEFAULT";
    t.serial = "PF1";
    t.model = "P1";
    if (auto id = tx.insert_terminal(t); !id) return id.error();
    AuditEntry e;
    e.action = "terminal.register";
    if (auto a = tx.append_audit(e); !a) return a.error();
    return ok_status();
  });
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("injected failure"), std::string::npos) << st.error().message;
  EXPECT_EQ((*store)->terminal_by_serial("DEFAULT", "PF1").error().code, Code::kNotFound);
  ASSERT_TRUE(testing::allow_writes_to(dir.file("db"), "audit_log"));
  AuditEntry e;
  e.action = "x";
  EXPECT_TRUE((*store)->append_audit(e));
}

}  // namespace
}  // namespace posfleet::store

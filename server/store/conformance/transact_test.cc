// Store conformance: transact, the unit of work. Writes commit together or
// not at all — on an error, a throw or a failing commit — a nested transact
// fails alone, and what is not committed is seen by no other thread.
#include <stdexcept>
#include <thread>

#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

TerminalRecord new_terminal(const std::string& serial) {
  return {0, "DEFAULT", serial, "A920", "token-" + serial, "", "{}", 1, 0, "", 0, 0, "", ""};
}

Status insert(Tx& tx, const std::string& serial) {
  auto id = tx.insert_terminal(new_terminal(serial));
  if (!id) return id.error();
  return ok_status();
}

Status audited(Tx& tx, const std::string& action) {
  AuditEntry e;
  e.action = action;
  e.actor = "amy";
  auto a = tx.append_audit(e);
  if (!a) return a.error();
  return ok_status();
}

bool exists(Store& s, const std::string& serial) {
  return s.terminal_by_serial("DEFAULT", serial).ok();
}

TEST_P(TransactConformance, EveryWriteCommitsTogether) {
  Status st = store().transact([&](Tx& tx) -> Status {
    if (auto s = insert(tx, "PF1"); !s) return s;
    if (auto s = insert(tx, "PF2"); !s) return s;
    return audited(tx, "terminal.register");
  });
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_TRUE(exists(store(), "PF1"));
  EXPECT_TRUE(exists(store(), "PF2"));
  EXPECT_EQ(store().audit_entries(0, 10)->size(), 1u);
}

TEST_P(TransactConformance, AnErrorUndoesEveryWriteAndIsReturned) {
  Status st = store().transact([&](Tx& tx) -> Status {
    if (auto s = insert(tx, "PF1"); !s) return s;
    if (auto s = audited(tx, "terminal.register"); !s) return s;
    policy("fleet", "", R"({"mode":"never"})");  // the backend's own multi-row write joins
    return make_error(Code::kWrongState, "changed my mind");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kWrongState);
  EXPECT_EQ(st.error().message, "changed my mind");
  EXPECT_FALSE(exists(store(), "PF1"));
  EXPECT_TRUE(store().audit_entries(0, 10)->empty());
  EXPECT_FALSE(store().policy("fleet", "")->has_value());
  EXPECT_TRUE(store().policy_history("fleet", "", 10)->empty());
}

TEST_P(TransactConformance, AFailingWriteInsideFailsTheWhole) {
  terminal("PF1");
  Status st = store().transact([&](Tx& tx) -> Status {
    if (auto s = insert(tx, "PF2"); !s) return s;
    return insert(tx, "PF1");  // kConflict
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kConflict);
  EXPECT_FALSE(exists(store(), "PF2"));
}

TEST_P(TransactConformance, AThrowUndoesEveryWriteAndPropagates) {
  EXPECT_THROW((void)store().transact([&](Tx& tx) -> Status {
    EXPECT_TRUE(insert(tx, "PF1"));
    EXPECT_TRUE(audited(tx, "x"));
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_FALSE(exists(store(), "PF1"));
  EXPECT_TRUE(store().audit_entries(0, 10)->empty());
  // The store is usable afterwards, in and out of a transaction.
  EXPECT_TRUE(store().transact([&](Tx& tx) { return insert(tx, "PF2"); }));
  EXPECT_TRUE(exists(store(), "PF2"));
  terminal("PF3");
}

TEST_P(TransactConformance, ANestedTransactThatFailsIsUndoneAlone) {
  Status inner = ok_status();
  Status st = store().transact([&](Tx& tx) -> Status {
    if (auto s = insert(tx, "OUTER1"); !s) return s;
    inner = store().transact([&](Tx& nested) -> Status {
      if (auto s = insert(nested, "INNER"); !s) return s;
      if (auto s = audited(nested, "inner"); !s) return s;
      return make_error(Code::kLocked, "inner refused");
    });
    return insert(tx, "OUTER2");
  });
  ASSERT_TRUE(st) << st.error().to_string();
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error().code, Code::kLocked);
  EXPECT_TRUE(exists(store(), "OUTER1"));
  EXPECT_TRUE(exists(store(), "OUTER2"));
  EXPECT_FALSE(exists(store(), "INNER"));
  EXPECT_TRUE(store().audit_entries(0, 10)->empty());
}

TEST_P(TransactConformance, ANestedTransactThatSucceedsIsUndoneWithItsOuter) {
  Status st = store().transact([&](Tx& tx) -> Status {
    if (auto s = store().transact([&](Tx& nested) { return insert(nested, "INNER"); }); !s)
      return s;
    if (auto s = insert(tx, "OUTER"); !s) return s;
    return make_error(Code::kConflict, "lost a race");
  });
  ASSERT_FALSE(st);
  EXPECT_FALSE(exists(store(), "INNER"));
  EXPECT_FALSE(exists(store(), "OUTER"));
}

TEST_P(TransactConformance, UncommittedWritesAreInvisibleToAnotherThread) {
  bool seen_inside = true, seen_audit_inside = true;
  Status st = store().transact([&](Tx& tx) -> Status {
    if (auto s = insert(tx, "PF1"); !s) return s;
    if (auto s = audited(tx, "x"); !s) return s;
    EXPECT_TRUE(tx.terminal_by_serial("DEFAULT", "PF1")) << "its own writes are seen inside";
    std::thread reader([&] {
      seen_inside = exists(store(), "PF1");
      auto entries = store().audit_entries(0, 10);
      seen_audit_inside = !entries || !entries->empty();
    });
    reader.join();
    return ok_status();
  });
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_FALSE(seen_inside);
  EXPECT_FALSE(seen_audit_inside);
  bool seen_after = false;
  std::thread reader([&] { seen_after = exists(store(), "PF1"); });
  reader.join();
  EXPECT_TRUE(seen_after);
}

TEST_P(TransactConformance, AFailingCommitUndoesEveryWriteAndIsReturned) {
  ASSERT_TRUE(harness().fail_commits_writing("audit_log"));
  Status st = store().transact([&](Tx& tx) -> Status {
    if (auto s = insert(tx, "PF1"); !s) return s;
    return audited(tx, "terminal.register");  // succeeds; the commit will not
  });
  ASSERT_FALSE(st) << "the commit failed, so must transact";
  EXPECT_FALSE(exists(store(), "PF1"));
  EXPECT_TRUE(store().audit_entries(0, 10)->empty());
  // Transactions that do not write there still commit.
  EXPECT_TRUE(store().transact([&](Tx& tx) { return insert(tx, "PF2"); }));
  EXPECT_TRUE(exists(store(), "PF2"));
}

}  // namespace
}  // namespace posfleet::store::conformance

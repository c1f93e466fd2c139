// Store conformance: the audit log — the hash chain computed on append, the
// entries in order, and the filtered view.
#include "core/audit_chain.h"
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

TEST_P(AuditConformance, AppendChainsEachEntryToTheOneBefore) {
  const auto a = audit("amy", "console", "fleet", 10);
  const auto b = audit("bob", "console", "group:north", 11);
  EXPECT_EQ(a.id, 1);
  EXPECT_EQ(a.prev_hash, kAuditGenesis);
  EXPECT_EQ(a.hash, audit_hash(a, kAuditGenesis));
  EXPECT_EQ(b.id, 2);
  EXPECT_EQ(b.prev_hash, a.hash);
  EXPECT_EQ(b.hash, audit_hash(b, a.hash));
  auto all = store().audit_entries(0, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].hash, b.hash);
  EXPECT_EQ((*all)[1].target, "group:north");
  EXPECT_TRUE(verify_log(*all, b.id, b.hash).ok);
  auto after = store().audit_entries(1, 10);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().id, 2);
  EXPECT_EQ(store().audit_entries(0, 1)->size(), 1u);
}

TEST_P(AuditConformance, TheClientAddressIsKeptAndHashed) {
  AuditEntry e;
  e.time = 10;
  e.actor = "amy";
  e.actor_kind = "user";
  e.path = "console";
  e.action = "policy.change";
  e.target = "fleet";
  e.address = "2001:db8::7";
  auto a = store().append_audit(e);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->hash, audit_hash(*a, kAuditGenesis));
  e.address = "";
  EXPECT_NE(a->hash, audit_hash(e, kAuditGenesis)) << "the address is part of the hash";
  const auto none = audit("bob", "console", "fleet", 11);  // the server's own: no address
  auto all = store().audit_entries(0, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].address, "2001:db8::7");
  EXPECT_EQ((*all)[1].address, "");
  EXPECT_TRUE(verify_log(*all, none.id, none.hash).ok);
  AuditQuery q;
  EXPECT_EQ(store().query_audit(q)->front().address, "2001:db8::7");
}

TEST_P(AuditConformance, AuditFiltersByActorPathTerminalAndTime) {
  audit("amy", "support", "terminal:PF1", 100, "support");
  audit("PF1", "terminal", "ticket:1", 200, "terminal");
  audit("bob", "console", "terminal:PF2", 300);
  audit("amy", "console", "user:carl", 400);
  auto ids = [&](AuditQuery q) {
    std::vector<std::int64_t> out;
    auto found = store().query_audit(q);
    EXPECT_TRUE(found);
    for (const auto& e : *found) out.push_back(e.id);
    return out;
  };
  AuditQuery q;
  q.actor = "amy";
  EXPECT_EQ(ids(q), (std::vector<std::int64_t>{1, 4}));
  q = {};
  q.terminal = "PF1";
  EXPECT_EQ(ids(q), (std::vector<std::int64_t>{1, 2}));
  q = {};
  q.path = "console";
  q.from = 300;
  q.to = 300;
  EXPECT_EQ(ids(q), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(*store().count_audit(q), 1);
  q = {};
  q.newest_first = true;
  q.limit = 2;
  q.offset = 1;
  EXPECT_EQ(ids(q), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(*store().count_audit(q), 4);
}

}  // namespace
}  // namespace posfleet::store::conformance

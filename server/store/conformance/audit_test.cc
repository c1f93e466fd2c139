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

// Each entry keeps its organisation, hashed; a subtree's view is its organisations' entries
// alone, counted and paged as the whole log is.
TEST_P(AuditConformance, AnOrganisationsSubtreeReadsItsOwnEntriesAlone) {
  auto east = store().insert_organisation({0, 1, "reseller", "华东代理", "", "alice", 100});
  ASSERT_TRUE(east);
  auto shop = store().insert_organisation({0, east->id, "merchant", "西湖茶馆", "", "alice", 100});
  auto west = store().insert_organisation({0, 1, "reseller", "西部代理", "", "alice", 100});
  ASSERT_TRUE(shop && west);
  auto entry = [&](std::int64_t org, std::int64_t time) {
    AuditEntry e;
    e.time = time;
    e.actor = "amy";
    e.actor_kind = "user";
    e.path = "console";
    e.action = "test.action";
    e.target = "fleet";
    e.organisation = org;
    auto a = store().append_audit(e);
    EXPECT_TRUE(a);
    return a ? a->id : 0;
  };
  const auto root = entry(1, 10), at_east = entry(east->id, 11), at_shop = entry(shop->id, 12),
             at_west = entry(west->id, 13);
  auto all = store().audit_entries(0, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[2].organisation, shop->id);
  EXPECT_TRUE(verify_log(*all, at_west, all->back().hash).ok);
  AuditQuery q;
  q.org_path = east->path;
  auto mine = store().query_audit(q);
  ASSERT_TRUE(mine);
  std::vector<std::int64_t> ids;
  for (const auto& e : *mine) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{at_east, at_shop}));
  EXPECT_EQ(*store().count_audit(q), 2);
  q.newest_first = true;
  q.limit = 1;
  EXPECT_EQ(store().query_audit(q)->front().organisation, shop->id);
  q = {};
  q.org_path = west->path;
  EXPECT_EQ(*store().count_audit(q), 1);
  q.org_path = "/1/";
  EXPECT_EQ(*store().count_audit(q), 4) << "the acquirer's subtree is the whole log";
  EXPECT_EQ(root, 1);
}

}  // namespace
}  // namespace posfleet::store::conformance

// Store conformance: the organisations area keeps the tree (each organisation's path of ids, a
// subtree as one range of paths, sibling names unique) and which organisation each terminal and
// user belongs to.
#include <numeric>

#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

OrganisationRecord org_of(std::int64_t parent, const std::string& kind, const std::string& name) {
  return OrganisationRecord{0, parent, kind, name, "", "alice", 100};
}

TEST_P(OrganisationsConformance, KeepsTheTreeAsPathsAndASubtreeAsOneRange) {
  auto root = store().organisation(kRootOrganisation);
  ASSERT_TRUE(root) << root.error().to_string();
  EXPECT_EQ(root->kind, "acquirer");
  EXPECT_EQ(root->parent_id, 0);
  EXPECT_EQ(root->path, "/1/");

  auto east = store().insert_organisation(org_of(1, "reseller", "华东代理"));
  ASSERT_TRUE(east) << east.error().to_string();
  EXPECT_EQ(east->path, "/1/" + std::to_string(east->id) + "/");
  auto west = store().insert_organisation(org_of(1, "reseller", "西部代理"));
  auto sub = store().insert_organisation(org_of(east->id, "reseller", "杭州二级"));
  auto shop = store().insert_organisation(org_of(sub->id, "merchant", "西湖茶馆"));
  ASSERT_TRUE(west && sub && shop);
  EXPECT_EQ(shop->path, sub->path + std::to_string(shop->id) + "/");
  auto again = store().organisation(shop->id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->name, "西湖茶馆");
  EXPECT_EQ(again->parent_id, sub->id);
  EXPECT_EQ(again->created_by, "alice");
  EXPECT_EQ(again->created, 100);

  // A sibling's name once; the same name elsewhere in the tree is another organisation.
  auto twin = store().insert_organisation(org_of(1, "reseller", "华东代理"));
  ASSERT_FALSE(twin);
  EXPECT_EQ(twin.error().code, Code::kConflict);
  EXPECT_TRUE(store().insert_organisation(org_of(west->id, "reseller", "华东代理")));
  EXPECT_EQ(store().insert_organisation(org_of(999999, "reseller", "x")).error().code,
            Code::kNotFound);

  auto under_east = store().organisations_under(east->path, 100);
  ASSERT_TRUE(under_east) << under_east.error().to_string();
  ASSERT_EQ(under_east->size(), 3u);
  EXPECT_EQ((*under_east)[0].id, east->id) << "itself first";
  EXPECT_EQ((*under_east)[1].id, sub->id);
  EXPECT_EQ((*under_east)[2].id, shop->id);
  EXPECT_EQ(store().organisations_under("/1/", 100)->size(), 6u);
  EXPECT_EQ(store().organisations_under("/1/", 2)->size(), 2u);
  // An id that is a prefix of another's ("/1/1/" against "/1/12/") is not its parent.
  EXPECT_EQ(subtree_end("/1/7/"), "/1/70");
}

TEST_P(OrganisationsConformance, TerminalsAndUsersBelongToOne) {
  const auto t = terminal("ORG-T1");
  auto rec = store().terminal_by_id(t);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->org_id, kRootOrganisation) << "the root until given to another";
  auto shop = store().insert_organisation(org_of(1, "merchant", "便利店"));
  ASSERT_TRUE(shop);
  ASSERT_TRUE(store().set_terminal_organisation(t, shop->id));
  EXPECT_EQ(store().terminal_by_id(t)->org_id, shop->id);
  EXPECT_EQ(store().terminal_by_serial("DEFAULT", "ORG-T1")->org_id, shop->id);
  auto counts = store().organisation_terminal_counts({kRootOrganisation, shop->id});
  ASSERT_TRUE(counts);
  EXPECT_EQ(*counts, (std::vector<std::int64_t>{0, 1}));
  // More organisations than one statement counts (2,000 resellers), in the order asked.
  std::vector<std::int64_t> many;
  for (std::int64_t i = 0; i < 600; ++i) many.push_back(100000 + i);
  many[3] = shop->id;
  many[599] = shop->id;
  many[300] = kRootOrganisation;
  auto counted = store().organisation_terminal_counts(many);
  ASSERT_TRUE(counted) << counted.error().to_string();
  ASSERT_EQ(counted->size(), 600u);
  EXPECT_EQ((*counted)[3], 1);
  EXPECT_EQ((*counted)[599], 1);
  EXPECT_EQ((*counted)[300], 0);
  EXPECT_EQ(std::accumulate(counted->begin(), counted->end(), std::int64_t{0}), 2);
  EXPECT_EQ(store().set_terminal_organisation(987654, shop->id).error().code, Code::kNotFound);

  auto zoe = store().insert_user({0, "zoe", "h1", "admin", false, 1});
  ASSERT_TRUE(zoe);
  EXPECT_EQ(*store().user_organisation(*zoe), kRootOrganisation);
  ASSERT_TRUE(store().set_user_organisation(*zoe, shop->id));
  EXPECT_EQ(*store().user_organisation(*zoe), shop->id);
  EXPECT_EQ(store().user_organisation(987654).error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::store::conformance

namespace posfleet::store::conformance {
namespace {

// A reseller's overview reads its subtree's terminals: versions and modes, online and offline,
// the outcomes of their deployments by day, and their part of a security release's pending.
TEST_P(OrganisationsConformance, ASubtreesOverviewCountsItsTerminalsAlone) {
  auto east = store().insert_organisation(org_of(1, "reseller", "华东代理"));
  auto shop = store().insert_organisation(org_of(east->id, "merchant", "西湖茶馆"));
  auto west = store().insert_organisation(org_of(1, "reseller", "西部代理"));
  ASSERT_TRUE(east && shop && west);
  const auto a = terminal("OV-1"), b = terminal("OV-2"), c = terminal("OV-3");
  ASSERT_TRUE(store().set_terminal_organisation(a, east->id));
  ASSERT_TRUE(store().set_terminal_organisation(b, shop->id));
  ASSERT_TRUE(store().set_terminal_organisation(c, west->id));
  ASSERT_TRUE(store().set_installed_version(b, "2.0.0"));
  ASSERT_TRUE(store().touch_terminal(a, 5000));
  ASSERT_TRUE(store().touch_terminal(c, 5000));
  const auto fix = release("9.9.9", /*security=*/true);
  deployment(a, fix.id, "finished", "success", 3 * 86400 + 10);
  deployment(c, fix.id, "finished", "failure", 3 * 86400 + 20);
  deployment(b, fix.id, "scheduled", "none", 3 * 86400 + 30);

  auto o = store().subtree_overview(east->path, 4000, 0, 0);
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ((o->online), 1);
  EXPECT_EQ((o->offline), 1);
  std::int64_t counted = 0;
  for (const auto& v : o->versions) counted += v.count;
  EXPECT_EQ(counted, 2);
  EXPECT_EQ(o->mode_auto, 2);
  ASSERT_EQ(o->outcomes.size(), 1u);
  EXPECT_EQ(o->outcomes[0].success, 1);
  EXPECT_EQ(o->outcomes[0].failed, 0) << "the west's failure is not the east's";
  auto whole = store().overview(4000, 0, 0);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->online, 2);
  auto theirs = store().subtree_overview(west->path, 4000, 0, 0);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->online + theirs->offline, 1);
  ASSERT_EQ(theirs->outcomes.size(), 1u);
  EXPECT_EQ(theirs->outcomes[0].failed, 1);
  // The security release's pending terminals of each subtree.
  ASSERT_EQ(o->security.size(), whole->security.size());
  if (!o->security.empty()) {
    EXPECT_EQ(o->security[0].version, "9.9.9");
    EXPECT_LE(o->security[0].pending, whole->security[0].pending);
  }
}

// A subtree's deployments and tickets are its terminals'; its terminal list keeps to it with every
// other filter beside (written for SQLite's planner as filters, db.h filter_only).
TEST_P(OrganisationsConformance, ASubtreesDeploymentsTicketsAndFilteredTerminalsAreItsOwn) {
  auto east = store().insert_organisation(org_of(1, "reseller", "华东代理"));
  auto shop = store().insert_organisation(org_of(east->id, "merchant", "西湖茶馆"));
  auto west = store().insert_organisation(org_of(1, "reseller", "西部代理"));
  ASSERT_TRUE(east && shop && west);
  const auto a = terminal("SD-1", "north", "A920"), b = terminal("SD-2", "north", "A80"),
             c = terminal("SD-3", "north", "A920");
  ASSERT_TRUE(store().set_terminal_organisation(a, east->id));
  ASSERT_TRUE(store().set_terminal_organisation(b, shop->id));
  ASSERT_TRUE(store().set_terminal_organisation(c, west->id));
  const auto r = release("7.0.0");
  const auto da = deployment(a, r.id, "finished", "success", 10);
  const auto db = deployment(b, r.id, "running", "none", 20);
  deployment(c, r.id, "finished", "failure", 30);
  for (auto [id, serial] : {std::pair{a, "SD-1"}, std::pair{c, "SD-3"}}) {
    TicketRecord t;
    t.terminal_id = id;
    t.serial = serial;
    t.message = "help";
    t.created = t.updated = 40;
    ASSERT_TRUE(store().insert_ticket(t));
  }

  DeploymentQuery dq;
  dq.org_path = east->path;
  auto ds = store().query_deployments(dq);
  ASSERT_TRUE(ds) << ds.error().to_string();
  std::vector<std::int64_t> ids;
  for (const auto& d : *ds) ids.push_back(d.id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{db, da})) << "newest first, the west's left out";
  EXPECT_EQ(*store().count_deployments(dq), 2);
  dq.status = DeploymentStatus::kFinished;
  EXPECT_EQ(*store().count_deployments(dq), 1);
  dq = {};
  dq.org_path = west->path;
  EXPECT_EQ(*store().count_deployments(dq), 1);
  EXPECT_EQ(*store().count_deployments(DeploymentQuery{}), 3);

  TicketQuery tq;
  tq.org_path = east->path;
  auto ts = store().query_tickets(tq);
  ASSERT_TRUE(ts) << ts.error().to_string();
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_EQ(ts->front().serial, "SD-1");
  EXPECT_EQ(*store().count_tickets(tq), 1);
  tq.serial = "SD-3";
  EXPECT_EQ(*store().count_tickets(tq), 0) << "a sibling's terminal has no tickets here";
  EXPECT_EQ(*store().count_tickets(TicketQuery{}), 2);

  TerminalQuery q;
  q.org_path = east->path;
  q.model = "A920";
  q.group = "north";
  auto page = store().query_terminals(q);
  ASSERT_TRUE(page) << page.error().to_string();
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().terminal.serial, "SD-1");
  EXPECT_EQ(*store().count_terminals(q), 1);
  q.model = "A80";
  EXPECT_EQ(*store().count_terminals(q), 1);
  q.model = "";
  q.pending = "7.0.0";
  EXPECT_EQ(*store().count_terminals(q), 2) << "neither runs 7.0.0 yet";
}

}  // namespace
}  // namespace posfleet::store::conformance

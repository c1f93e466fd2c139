// Organisations at the router, on a real SQLite store: the tree made by administrators, and what a
// user of one reseller learns of another: nothing (not its names, not its counts, not whether a
// terminal exists), whichever route it asks.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "server/domain/tokens.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::api {
namespace {

namespace bj = boost::json;

class OrganisationsApiTest : public testing::HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    root_ = bearer("admin");
    east_ = make_org("华东代理", "reseller");
    west_ = make_org("西部代理", "reseller");
    shop_ = make_org("西湖茶馆", "merchant", east_);
    east_admin_ = token_in(east_, "admin", "east-admin");
    west_admin_ = token_in(west_, "admin", "west-admin");
    for (const char* serial : {"T-EAST-1", "T-WEST-1", "T-ROOT-1"}) {
      store::TerminalRecord t;
      t.tenant = "DEFAULT";
      t.serial = serial;
      t.model = "A920";
      t.token_hash = std::string("h") + serial;
      t.created = unix_now();
      ASSERT_TRUE(store_->insert_terminal(t));
    }
    move("T-EAST-1", shop_, root_);
    move("T-WEST-1", west_, root_);
  }

  std::int64_t make_org(const std::string& name, const std::string& kind, std::int64_t parent = 0) {
    bj::object b{{"name", name}, {"kind", kind}};
    if (parent) b["parent"] = parent;
    auto r = send("POST", "/api/v1/organisations", bj::serialize(b), {{"authorization", root_}});
    EXPECT_EQ(r.status, 201) << r.body;
    return body_of(r).at("id").as_int64();
  }
  std::string token_in(std::int64_t org, const std::string& role, const std::string& name) {
    const std::string t = domain::new_token();
    store::ApiTokenRecord rec{0, domain::hash_token(t), name, role, unix_now()};
    rec.org_id = org;
    EXPECT_TRUE(store_->insert_api_token(rec));
    return "Bearer " + t;
  }
  http::Response move(const std::string& serial, std::int64_t org, const std::string& as) {
    auto r = send("PUT", "/api/v1/terminals/" + serial + "/organisation",
                  bj::serialize(bj::object{{"organisation", org}, {"reason", "签约"}}),
                  {{"authorization", as}}, {});
    return r;
  }
  http::Response get(const std::string& path, const std::string& as,
                     std::map<std::string, std::string> query = {}) {
    return send("GET", path, "", {{"authorization", as}}, std::move(query));
  }
  http::Response user_in(std::int64_t org, const std::string& name, const std::string& as) {
    return send("POST", "/api/v1/users",
                bj::serialize(bj::object{{"name", name},
                                         {"role", "auditor"},
                                         {"password", "a-long-enough-password"},
                                         {"organisation", org}}),
                {{"authorization", as}});
  }
  static std::string message(const http::Response& r) {
    return std::string(body_of(r).at("error").at("message").as_string());
  }

  std::string root_, east_admin_, west_admin_;
  std::int64_t east_ = 0, west_ = 0, shop_ = 0;
};

TEST_F(OrganisationsApiTest, AResellerSeesItsOwnSubtreeAndNothingElse) {
  auto mine = get("/api/v1/organisations", east_admin_);
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto mine_body = body_of(mine);
  const auto& o = mine_body.as_object();
  EXPECT_EQ(o.at("own").as_int64(), east_);
  const auto& orgs = o.at("organisations").as_array();
  ASSERT_EQ(orgs.size(), 2u);
  EXPECT_EQ(orgs[0].at("id").as_int64(), east_) << "its own first";
  EXPECT_EQ(orgs[0].at("depth").as_int64(), 1);
  EXPECT_EQ(orgs[1].at("id").as_int64(), shop_);
  EXPECT_EQ(orgs[1].at("parent").as_int64(), east_);
  EXPECT_EQ(orgs[1].at("terminals").as_int64(), 1);
  EXPECT_EQ(mine.body.find("西部"), std::string::npos) << "no sibling's name";

  auto all = get("/api/v1/organisations", root_);
  EXPECT_EQ(body_of(all).at("organisations").as_array().size(), 4u) << "the acquirer sees all";

  // Another reseller's organisation is exactly as missing as one that does not exist.
  auto sibling = get("/api/v1/organisations/" + std::to_string(west_), east_admin_);
  auto missing = get("/api/v1/organisations/999999", east_admin_);
  EXPECT_EQ(sibling.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(sibling), error_code(missing));
  EXPECT_EQ(message(sibling).substr(message(sibling).find(';')),
            message(missing).substr(message(missing).find(';')));
  EXPECT_EQ(get("/api/v1/organisations/" + std::to_string(shop_), east_admin_).status, 200);
  EXPECT_EQ(get("/api/v1/organisations/1", east_admin_).status, 404) << "not even the root";
}

TEST_F(OrganisationsApiTest, TerminalsOfAnotherResellerDoNotExistForIt) {
  auto list = get("/api/v1/terminals", east_admin_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(body_of(list).at("total").as_int64(), 1);
  EXPECT_NE(list.body.find("T-EAST-1"), std::string::npos);
  EXPECT_EQ(list.body.find("T-WEST-1"), std::string::npos);
  EXPECT_EQ(list.body.find("T-ROOT-1"), std::string::npos);
  EXPECT_EQ(body_of(get("/api/v1/terminals", root_)).at("total").as_int64(), 3);
  EXPECT_EQ(body_of(get("/api/v1/terminals", root_, {{"organisation", std::to_string(east_)}}))
                .at("total")
                .as_int64(),
            1)
      << "the acquirer narrows to one reseller's subtree";

  // By serial, on every route that names one: 404 in the words of a serial nobody has.
  auto theirs = get("/api/v1/terminals/T-WEST-1", east_admin_);
  auto nobody = get("/api/v1/terminals/T-NOBODY", east_admin_);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(error_code(theirs), error_code(nobody));
  EXPECT_EQ(message(theirs), "no terminal with serial T-WEST-1");
  EXPECT_EQ(get("/api/v1/terminals/T-EAST-1", east_admin_).status, 200);
  EXPECT_EQ(move("T-WEST-1", east_, east_admin_).status, 404) << "not theirs to take";
  EXPECT_EQ(move("T-EAST-1", west_, east_admin_).status, 404) << "nor to give away outside";
  EXPECT_EQ(move("T-EAST-1", east_, east_admin_).status, 200) << "within its own subtree";
  EXPECT_EQ(get("/api/v1/terminals", east_admin_, {{"organisation", std::to_string(west_)}}).status,
            404);

  // A route that does not yet keep to a subtree refuses a reseller's user outright, rather
  // than answer for the whole fleet.
  for (const char* path : {"/api/v1/webhooks", "/api/v1/freezes"}) {
    auto r = get(path, east_admin_);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.body.find("T-"), std::string::npos) << path;
  }
  EXPECT_EQ(get("/api/v1/overview", root_).status, 200);
}

// A reseller's overview counts its own subtree's terminals alone: their versions, modes, online
// and offline, and their deployments; the acquirer's counts the whole fleet.
TEST_F(OrganisationsApiTest, AResellersOverviewCountsItsOwnTerminalsAlone) {
  ASSERT_TRUE(store_->set_installed_version(store_->terminal_by_serial("DEFAULT", "T-EAST-1")->id,
                                            "1.2.0"));
  ASSERT_TRUE(
      store_->touch_terminal(store_->terminal_by_serial("DEFAULT", "T-WEST-1")->id, unix_now()));
  auto count = [](const bj::value& o) {
    std::int64_t n = 0;
    for (const auto& v : o.at("versions").as_array()) n += v.at("count").as_int64();
    return n;
  };
  auto east = get("/api/v1/overview", east_admin_);
  ASSERT_EQ(east.status, 200) << east.body;
  auto e = body_of(east);
  EXPECT_EQ(count(e), 1);
  EXPECT_EQ(e.at("versions").at(0).at("version"), "1.2.0");
  EXPECT_EQ(e.at("online"), 0);
  EXPECT_EQ(e.at("offline"), 1);
  EXPECT_EQ(e.at("modes").at("auto"), 1);
  auto w = body_of(get("/api/v1/overview", west_admin_));
  EXPECT_EQ(count(w), 1);
  EXPECT_EQ(w.at("online"), 1) << "its one terminal, just seen";
  auto all = body_of(get("/api/v1/overview", root_));
  EXPECT_EQ(count(all), 3);
  EXPECT_EQ(all.at("online"), 1);
}

// Every management route the server has, asked by an administrator of the other reseller with
// the sibling's terminal and organisation in its path: refused or not found, and nothing of the
// sibling in any answer; nothing of the sibling changed after. A route added later is covered
// without touching this test.
TEST_F(OrganisationsApiTest, EveryRouteKeepsASiblingsTerminalsAndNamesFromAReseller) {
  ASSERT_TRUE(store_->set_terminal_group(store_->terminal_by_serial("DEFAULT", "T-WEST-1")->id,
                                         "west-group"));
  const auto before = *store_->terminal_by_serial("DEFAULT", "T-WEST-1");
  ASSERT_EQ(user_in(west_, "west-user", root_).status, 201);
  // The west's merchant, application and verification numbered as the path's {id} (the west's
  // organisation id), so that a route naming one names the sibling's (the verification in the
  // asking token's name).
  for (std::int64_t i = 1; i <= west_; ++i)
    ASSERT_EQ(*store_->insert_merchant({0, "西部商户", "13800138009", "enc", 1, west_}), i);
  for (std::int64_t i = 1; i <= west_; ++i) {
    store::ApplicationRecord a;
    a.number = "PAWEST000" + std::to_string(i);
    a.resident_id_index = "west" + std::to_string(i);
    a.org_id = west_;
    ASSERT_EQ(*store_->insert_application(a), i);
    ASSERT_EQ(*store_->insert_verification({0, west_, "token:east-admin", "h", "verified", 0, 1,
                                            unix_now() + 600, unix_now() + 600}),
              i);
  }
  int routes = 0;
  for (const auto& r : router_.routes()) {
    if (r.roles.empty()) continue;  // the device API and the public routes: no user at all
    std::string path = r.pattern;
    bool names_terminal = false;
    for (auto [param, value] :
         {std::pair{"{serial}", std::string("T-WEST-1")}, std::pair{"{id}", std::to_string(west_)},
          std::pair{"{name}", std::string("west-user")},
          std::pair{"{version}", std::string("1.0.0")}, std::pair{"{sha256}", std::string(64, 'a')},
          std::pair{"{app}", std::string("payment")}}) {
      for (auto at = path.find(param); at != std::string::npos; at = path.find(param)) {
        // A sibling's terminal or user, named in the path: exactly as missing as none.
        names_terminal =
            names_terminal || std::string(param) == "{serial}" || std::string(param) == "{name}";
        path.replace(at, std::string(param).size(), value);
      }
    }
    // A sibling's merchant, application or verification, named by {id}: as missing as none.
    for (const char* owned : {"/api/v1/merchants/{id}", "/api/v1/applications/{id}",
                              "/api/v1/support/verifications/{id}"})
      names_terminal = names_terminal || r.pattern.starts_with(owned);
    ASSERT_EQ(path.find('{'), std::string::npos)
        << "a parameter this test does not fill: " << r.pattern;
    ++routes;
    auto res = send(r.method, path, r.method == "GET" ? "" : "{}",
                    {{"authorization", east_admin_}, {"content-type", "application/json"}});
    const std::string where = r.method + " " + r.pattern + " -> " + std::to_string(res.status);
    EXPECT_EQ(res.body.find("西部商户"), std::string::npos) << where << " " << res.body;
    EXPECT_EQ(res.body.find("PAWEST"), std::string::npos) << where << " " << res.body;
    if (names_terminal) {
      EXPECT_EQ(res.status, 404) << where << " " << res.body;
      EXPECT_EQ(res.body.find("west-group"), std::string::npos) << where;
      continue;
    }
    EXPECT_TRUE(res.status == 400 || res.status == 403 || res.status == 404 || res.status == 200 ||
                res.status == 405)
        << where << " " << res.body;
    EXPECT_EQ(res.body.find("T-WEST-1"), std::string::npos) << where << " " << res.body;
    EXPECT_EQ(res.body.find("西部代理"), std::string::npos) << where << " " << res.body;
    EXPECT_EQ(res.body.find("west-admin"), std::string::npos) << where << " " << res.body;
    EXPECT_EQ(res.body.find("west-user"), std::string::npos) << where << " " << res.body;
  }
  EXPECT_GT(routes, 80) << "the management API's routes were all asked";
  const auto after = *store_->terminal_by_serial("DEFAULT", "T-WEST-1");
  EXPECT_EQ(after.org_id, before.org_id);
  EXPECT_EQ(after.group, before.group);
  EXPECT_EQ(after.retired, before.retired);
  EXPECT_EQ(after.token_hash, before.token_hash);
  EXPECT_EQ(store_->organisation(west_)->name, "西部代理");
  EXPECT_EQ(store_->application(west_)->status, "submitted");
  EXPECT_EQ(store_->application(west_)->org_id, west_);
  EXPECT_EQ(store_->verification(west_)->attempts, 0);
  const auto west_user = *store_->user_by_name("west-user");
  EXPECT_FALSE(west_user.disabled);
  EXPECT_EQ(west_user.role, "auditor");
}

// A reseller's administrator reads and changes the users of its subtree, and no other; its
// audit log is the entries of its subtree: what its users did, and what anyone did to its
// terminals and users.
TEST_F(OrganisationsApiTest, AResellersUsersAndAuditLogAreItsSubtreesAlone) {
  ASSERT_EQ(user_in(shop_, "shop-clerk", root_).status, 201);
  ASSERT_EQ(user_in(west_, "west-clerk", root_).status, 201);
  ASSERT_EQ(user_in(east_, "east-clerk", east_admin_).status, 201);

  auto names = [&](const std::string& as) {
    std::set<std::string> out;
    auto r = get("/api/v1/users", as);
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = body_of(r);
    for (const auto& u : body.at("users").as_array())
      out.insert(std::string(u.at("name").as_string()));
    return out;
  };
  EXPECT_EQ(names(east_admin_), (std::set<std::string>{"east-clerk", "shop-clerk"}));
  EXPECT_EQ(names(west_admin_), (std::set<std::string>{"west-clerk"}));
  EXPECT_TRUE(names(root_).contains("west-clerk") && names(root_).contains("east-clerk"));

  auto put = [&](const std::string& name, const bj::object& b) {
    return send("PUT", "/api/v1/users/" + name, bj::serialize(b), {{"authorization", east_admin_}});
  };
  auto theirs = put("west-clerk", {{"disabled", true}});
  auto nobody = put("nobody-at-all", {{"disabled", true}});
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(error_code(theirs), error_code(nobody));
  EXPECT_EQ(message(theirs), "no user west-clerk");
  EXPECT_EQ(message(nobody), "no user nobody-at-all");
  EXPECT_FALSE(store_->user_by_name("west-clerk")->disabled);
  auto reset =
      send("POST", "/api/v1/users/west-clerk/totp/reset",
           bj::serialize(bj::object{{"reason", "lost phone"}}), {{"authorization", east_admin_}});
  EXPECT_EQ(reset.status, 404);
  auto own = put("shop-clerk", {{"disabled", true}});
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_TRUE(store_->user_by_name("shop-clerk")->disabled);

  // The log: the acquirer's move of T-EAST-1 (set-up) and the users above, as each subtree sees it.
  auto log = [&](const std::string& as) {
    auto r = get("/api/v1/audit", as, {{"limit", "5000"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return body_of(r);
  };
  const auto east = log(east_admin_);
  std::set<std::string> seen;
  for (const auto& e : east.at("entries").as_array()) {
    const auto org = e.at("organisation").as_int64();
    EXPECT_TRUE(org == east_ || org == shop_) << bj::serialize(e);
    seen.insert(std::string(e.at("action").as_string()) + " " +
                std::string(e.at("target").as_string()));
  }
  EXPECT_TRUE(seen.contains("terminal.organisation terminal:T-EAST-1")) << "the acquirer's move";
  EXPECT_TRUE(seen.contains("user.create user:shop-clerk")) << "the acquirer made it its user";
  EXPECT_TRUE(seen.contains("user.create user:east-clerk"));
  EXPECT_TRUE(seen.contains("user.change user:shop-clerk"));
  EXPECT_EQ(east.at("total").as_int64(),
            static_cast<std::int64_t>(east.at("entries").as_array().size()));
  EXPECT_TRUE(east.at("head").is_null()) << "the whole log's head is not a reseller's to read";
  EXPECT_FALSE(east.at("entries").at(0).as_object().contains("hash")) << "nor the chain's hashes";
  EXPECT_FALSE(east.at("entries").at(0).as_object().contains("prev_hash"));
  for (const char* word : {"west-clerk", "T-WEST-1", "西部代理", "T-ROOT-1"})
    EXPECT_EQ(bj::serialize(east).find(word), std::string::npos) << word;
  const auto all = log(root_);
  EXPECT_GT(all.at("total").as_int64(), east.at("total").as_int64());
  EXPECT_TRUE(all.at("head").is_object());
  // A filter cannot reach outside: another reseller's terminal has no entries here.
  EXPECT_EQ(
      body_of(get("/api/v1/audit", east_admin_, {{"terminal", "T-WEST-1"}})).at("total").as_int64(),
      0);

  auto csv = get("/api/v1/audit/export", east_admin_, {{"format", "csv"}});
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.body.find("user:shop-clerk"), std::string::npos);
  EXPECT_EQ(csv.body.find("west-clerk"), std::string::npos);
  EXPECT_EQ(csv.body.find("T-WEST-1"), std::string::npos);
  EXPECT_EQ(csv.body.find(all.at("head").at("hash").as_string().c_str()), std::string::npos);

  // A terminal moved from one reseller to its sibling: audited above both, so neither reads the
  // other's name; the acquirer reads both.
  ASSERT_EQ(move("T-ROOT-1", west_, root_).status, 200);
  ASSERT_EQ(move("T-ROOT-1", east_, root_).status, 200);
  EXPECT_EQ(bj::serialize(log(east_admin_)).find("西部代理"), std::string::npos);
  EXPECT_EQ(bj::serialize(log(west_admin_)).find("华东代理"), std::string::npos);
  bool seen_by_acquirer = false;
  const auto whole_log = log(root_);
  for (const auto& e : whole_log.at("entries").as_array())
    seen_by_acquirer =
        seen_by_acquirer || (e.at("target") == "terminal:T-ROOT-1" &&
                             e.at("before").as_string().find("西部代理") != bj::string::npos &&
                             e.at("after").as_string().find("华东代理") != bj::string::npos &&
                             e.at("organisation") == 1);
  EXPECT_TRUE(seen_by_acquirer);
}

// A reseller reads, cancels and notes the deployments and support tickets of its subtree's
// terminals; another reseller's are exactly as missing as none, in lists and by id.
TEST_F(OrganisationsApiTest, AResellersDeploymentsAndTicketsAreItsTerminalsAlone) {
  add_release("2.0.0");
  const auto release = store_->release_by_version("2.0.0")->id;
  std::map<std::string, std::int64_t> deployment, ticket;
  for (const char* serial : {"T-EAST-1", "T-WEST-1"}) {
    const auto t = *store_->terminal_by_serial("DEFAULT", serial);
    store::DeploymentRecord d;
    d.terminal_id = t.id;
    d.release_id = release;
    d.created = d.updated = unix_now();
    deployment[serial] = *store_->insert_deployment(d);
    store::TicketRecord k;
    k.terminal_id = t.id;
    k.serial = serial;
    k.message = std::string("help ") + serial;
    k.created = k.updated = unix_now();
    ticket[serial] = *store_->insert_ticket(k);
  }
  const auto east_support = token_in(east_, "support", "east-support");

  auto list = get("/api/v1/deployments", east_admin_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(body_of(list).at("total").as_int64(), 1);
  EXPECT_EQ(body_of(list).at("deployments").at(0).at("terminal"), "T-EAST-1");
  EXPECT_EQ(list.body.find("T-WEST-1"), std::string::npos);
  EXPECT_EQ(body_of(get("/api/v1/deployments", root_)).at("total").as_int64(), 2);
  auto by_release = get("/api/v1/deployments", east_admin_, {{"release", "2.0.0"}});
  EXPECT_EQ(body_of(by_release).at("total").as_int64(), 1);
  auto named = get("/api/v1/deployments", east_admin_, {{"terminal", "T-WEST-1"}});
  auto nobody = get("/api/v1/deployments", east_admin_, {{"terminal", "T-NOBODY"}});
  EXPECT_EQ(named.status, 404);
  EXPECT_EQ(message(named), "no terminal with serial T-WEST-1");
  EXPECT_EQ(error_code(named), error_code(nobody));

  const auto theirs = std::to_string(deployment["T-WEST-1"]);
  auto one = get("/api/v1/deployments/" + theirs, east_admin_);
  auto none = get("/api/v1/deployments/99999", east_admin_);
  EXPECT_EQ(one.status, 404);
  EXPECT_EQ(message(one), "no deployment " + theirs);
  EXPECT_EQ(error_code(one), error_code(none));
  EXPECT_EQ(
      get("/api/v1/deployments/" + std::to_string(deployment["T-EAST-1"]), east_admin_).status,
      200);
  auto cancel = send("POST", "/api/v1/deployments/" + theirs + "/cancel", "{}",
                     {{"authorization", east_admin_}});
  EXPECT_EQ(cancel.status, 404);
  EXPECT_EQ(store_->deployment(deployment["T-WEST-1"])->status,
            store::DeploymentStatus::kScheduled);

  auto queue = get("/api/v1/support/tickets", east_support);
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_EQ(body_of(queue).at("total").as_int64(), 1);
  EXPECT_EQ(queue.body.find("T-WEST-1"), std::string::npos);
  EXPECT_EQ(body_of(get("/api/v1/support/tickets", east_support, {{"serial", "T-WEST-1"}}))
                .at("total")
                .as_int64(),
            0);
  const auto their_ticket = std::to_string(ticket["T-WEST-1"]);
  auto read = get("/api/v1/support/tickets/" + their_ticket, east_support);
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(message(read), "no ticket " + their_ticket);
  for (const char* action : {"/notes", "/close"}) {
    auto r = send("POST", "/api/v1/support/tickets/" + their_ticket + action,
                  bj::serialize(bj::object{{"text", "mine?"}, {"note", "mine?"}}),
                  {{"authorization", east_support}});
    EXPECT_EQ(r.status, 404) << action;
  }
  EXPECT_EQ(store_->ticket(ticket["T-WEST-1"])->status, "open");
  EXPECT_TRUE(store_->ticket_notes(ticket["T-WEST-1"])->empty());
  auto mine = get("/api/v1/support/tickets/" + std::to_string(ticket["T-EAST-1"]), east_support);
  EXPECT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(body_of(get("/api/v1/support/tickets", root_)).at("total").as_int64(), 2);
}

// The acquirer's releases are visible down its tree; a reseller deploys one to its own terminals,
// by serial, group or filter, and cancels them in bulk, never another's.
TEST_F(OrganisationsApiTest, AResellerDeploysTheAcquirersReleasesToItsOwnTerminalsAlone) {
  add_release("3.0.0");
  for (const char* serial : {"T-EAST-1", "T-WEST-1"})
    ASSERT_TRUE(
        store_->set_terminal_group(store_->terminal_by_serial("DEFAULT", serial)->id, "north"));
  auto releases = get("/api/v1/releases", east_admin_);
  ASSERT_EQ(releases.status, 200) << releases.body;
  EXPECT_EQ(body_of(releases).at("releases").as_array().size(), 1u);
  EXPECT_EQ(get("/api/v1/releases/3.0.0", east_admin_).status, 200);
  EXPECT_EQ(body_of(get("/api/v1/releases/3.0.0/progress", east_admin_)).at("total").as_int64(), 0);

  auto post = [&](const bj::object& b, const std::string& as,
                  const std::string& path = "/api/v1/deployments") {
    return send("POST", path, bj::serialize(b), {{"authorization", as}});
  };
  auto theirs = post({{"release", "3.0.0"}, {"terminal", "T-WEST-1"}}, east_admin_);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(message(theirs), "no terminal with serial T-WEST-1");
  auto listed = post({{"release", "3.0.0"}, {"terminals", bj::array{"T-WEST-1"}}}, east_admin_,
                     "/api/v1/deployments/preview");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(body_of(listed).at("skipped").at("unknown_terminal").as_int64(), 1)
      << "a sibling's serial is unknown, as one nobody has";
  EXPECT_EQ(body_of(listed).at("created").as_int64(), 0);
  auto elsewhere = post({{"release", "3.0.0"}, {"filter", bj::object{{"organisation", west_}}}},
                        east_admin_, "/api/v1/deployments/preview");
  EXPECT_EQ(elsewhere.status, 404);
  auto group = post({{"release", "3.0.0"}, {"group", "north"}}, east_admin_);
  ASSERT_EQ(group.status, 201) << group.body;
  EXPECT_EQ(body_of(group).at("created").as_int64(), 1) << "the group's east terminal alone";
  const auto west_id = store_->terminal_by_serial("DEFAULT", "T-WEST-1")->id;
  EXPECT_FALSE(*store_->open_deployment(west_id));

  // The acquirer deploys to the west; the east's bulk cancel of the release ends its own alone.
  ASSERT_EQ(post({{"release", "3.0.0"}, {"terminal", "T-WEST-1"}}, root_).status, 201);
  auto cancel = post({{"release", "3.0.0"}, {"reason", "门店装修"}}, east_admin_,
                     "/api/v1/deployments/cancel");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(body_of(cancel).at("matched").as_int64(), 1);
  EXPECT_TRUE(*store_->open_deployment(west_id)) << "the west's deployment is left alone";
  // The release's progress counts the reseller's terminals alone, without the fleet's bytes.
  auto mine = get("/api/v1/releases/3.0.0/progress", east_admin_);
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto progress = body_of(mine);
  EXPECT_EQ(progress.at("total").as_int64(), 1) << mine.body;
  EXPECT_EQ(progress.at("counts").at("canceled").as_int64(), 1) << mine.body;
  EXPECT_EQ(mine.body.find("T-WEST-1"), std::string::npos);
  EXPECT_FALSE(progress.as_object().contains("bytes"));
  EXPECT_EQ(body_of(get("/api/v1/releases/3.0.0/progress", root_)).at("total").as_int64(), 2);
}

// A release given to an organisation is seen and received by its subtree alone (and the acquirer);
// a reseller's rollout is its own, of its own terminals, and a sibling learns nothing of either.
TEST_F(OrganisationsApiTest, AnOrganisationsReleaseAndRolloutsAreItsSubtreesAlone) {
  add_release("4.0.0");
  add_release("4.1.0");
  auto put = [&](const std::string& path, const bj::object& b, const std::string& as) {
    return send("PUT", path, bj::serialize(b), {{"authorization", as}});
  };
  auto post = [&](const std::string& path, const bj::object& b, const std::string& as) {
    return send("POST", path, bj::serialize(b), {{"authorization", as}});
  };
  // The acquirer gives 4.1.0 to the east reseller alone (a pilot).
  auto given = put("/api/v1/releases/4.1.0/organisation",
                   {{"organisation", east_}, {"reason", "华东试点"}}, root_);
  ASSERT_EQ(given.status, 200) << given.body;
  EXPECT_EQ(body_of(given).at("organisation").as_int64(), east_);
  EXPECT_EQ(put("/api/v1/releases/4.1.0/organisation", {{"organisation", east_}, {"reason", "x"}},
                east_admin_)
                .status,
            403)
      << "who receives a release is the acquirer's to say";
  EXPECT_EQ(
      put("/api/v1/releases/4.1.0/organisation", {{"organisation", "x"}, {"reason", "x"}}, root_)
          .status,
      400);
  auto versions = [&](const std::string& as) {
    std::set<std::string> out;
    const auto listed = body_of(get("/api/v1/releases", as));
    for (const auto& r : listed.at("releases").as_array())
      out.insert(std::string(r.at("version").as_string()));
    return out;
  };
  EXPECT_EQ(versions(east_admin_), (std::set<std::string>{"4.0.0", "4.1.0"}));
  EXPECT_EQ(versions(west_admin_), (std::set<std::string>{"4.0.0"}));
  EXPECT_EQ(versions(root_), (std::set<std::string>{"4.0.0", "4.1.0"}));
  auto hidden = get("/api/v1/releases/4.1.0", west_admin_);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(message(hidden), "no release 4.1.0") << "as one that does not exist";
  auto west_deploy =
      post("/api/v1/deployments", {{"release", "4.1.0"}, {"terminal", "T-WEST-1"}}, west_admin_);
  EXPECT_EQ(west_deploy.status, 404);
  EXPECT_EQ(message(west_deploy), "no release 4.1.0");
  // Even the acquirer's deployment of it reaches the east's terminals alone.
  auto outside =
      post("/api/v1/deployments", {{"release", "4.1.0"}, {"terminal", "T-WEST-1"}}, root_);
  EXPECT_EQ(outside.status, 409);
  EXPECT_EQ(message(outside),
            "release 4.1.0 is for another organisation's terminals; terminal T-WEST-1 is not one "
            "of them");
  auto all = post(
      "/api/v1/deployments/preview",
      {{"release", "4.1.0"}, {"terminals", bj::array{"T-EAST-1", "T-WEST-1", "T-ROOT-1"}}}, root_);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(body_of(all).at("created").as_int64(), 1);
  EXPECT_EQ(body_of(all).at("skipped").at("other_organisation").as_int64(), 2);

  // The east reseller's rollout of its pilot release: its terminals alone, in its list alone.
  const bj::object plan{{"release", "4.1.0"},
                        {"target", bj::object{{"filter", bj::object{{"model", "A920"}}}}},
                        {"waves", bj::array{bj::object{{"percent", 100}}}},
                        {"name", "华东试点"},
                        {"reason", "试点"}};
  auto preview = post("/api/v1/rollouts/preview", plan, east_admin_);
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(body_of(preview).at("total").as_int64(), 1) << "its one terminal of the fleet's three";
  auto made = post("/api/v1/rollouts", plan, east_admin_);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = std::to_string(body_of(made).at("id").as_int64());
  EXPECT_FALSE(body_of(made).as_object().contains("release_bytes")) << "the fleet's downloads";
  auto started = post("/api/v1/rollouts/" + id + "/start", {{"reason", "开始"}}, east_admin_);
  ASSERT_EQ(started.status, 200) << started.body;
  auto members = body_of(get("/api/v1/rollouts/" + id + "/terminals", east_admin_));
  ASSERT_EQ(members.at("total").as_int64(), 1) << bj::serialize(members);
  EXPECT_EQ(members.at("terminals").as_array()[0].at("serial"), "T-EAST-1");
  EXPECT_EQ(body_of(get("/api/v1/rollouts", east_admin_)).at("total").as_int64(), 1);
  EXPECT_EQ(body_of(get("/api/v1/rollouts", root_)).at("total").as_int64(), 1)
      << "the acquirer sees every rollout";
  auto theirs = get("/api/v1/rollouts", west_admin_);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(body_of(theirs).at("total").as_int64(), 0);
  for (const std::string& path : {"/api/v1/rollouts/" + id, "/api/v1/rollouts/" + id + "/history",
                                  "/api/v1/rollouts/" + id + "/terminals"}) {
    auto r = get(path, west_admin_);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(message(r), "no rollout " + id) << path;
  }
  auto pause = post("/api/v1/rollouts/" + id + "/pause", {{"reason", "x"}}, west_admin_);
  EXPECT_EQ(pause.status, 404);
  // The acquirer pauses it: the entry is the reseller's, as its rollout's.
  ASSERT_EQ(post("/api/v1/rollouts/" + id + "/pause", {{"reason", "收单机构暂停"}}, root_).status,
            200);
  const auto east_log = body_of(get("/api/v1/audit", east_admin_));
  bool paused = false;
  for (const auto& e : east_log.at("entries").as_array())
    paused = paused ||
             (e.at("action") == "rollout.pause" && e.at("target").as_string() == "rollout:" + id);
  EXPECT_TRUE(paused) << bj::serialize(east_log);
  const auto west_log = get("/api/v1/audit", west_admin_);
  EXPECT_EQ(west_log.body.find("rollout:" + id), std::string::npos);
  EXPECT_EQ(post("/api/v1/rollouts", plan, west_admin_).status, 404) << "it does not see 4.1.0";
  for (const char* path : {"/api/v1/rollouts", "/api/v1/deployments"}) {
    auto probe = get(path, west_admin_, {{"release", "4.1.0"}});
    EXPECT_EQ(probe.status, 404) << path << " answers for a release it does not see as for none";
    EXPECT_EQ(message(probe), "no release 4.1.0") << path;
  }
  // The west's own rollout of the fleet's release by the east's filter: nothing of the east's.
  auto cross = post("/api/v1/rollouts/preview",
                    {{"release", "4.0.0"},
                     {"target", bj::object{{"filter", bj::object{{"organisation", east_}}}}},
                     {"waves", bj::array{bj::object{{"percent", 100}}}}},
                    west_admin_);
  EXPECT_EQ(cross.status, 404) << cross.body;
  auto serials = post("/api/v1/rollouts/preview",
                      {{"release", "4.0.0"},
                       {"target", bj::object{{"serials", bj::array{"T-EAST-1", "T-WEST-1"}}}},
                       {"waves", bj::array{bj::object{{"percent", 100}}}}},
                      west_admin_);
  ASSERT_EQ(serials.status, 200) << serials.body;
  EXPECT_EQ(body_of(serials).at("total").as_int64(), 1) << "a sibling's serial counts for nothing";
  EXPECT_EQ(serials.body.find("T-EAST"), std::string::npos);
  // A rollout keeps the organisation its filter names once started (the stored target).
  auto west_only = post("/api/v1/rollouts",
                        {{"release", "4.0.0"},
                         {"target", bj::object{{"filter", bj::object{{"organisation", west_}}}}},
                         {"waves", bj::array{bj::object{{"percent", 100}}}},
                         {"start", true},
                         {"reason", "西部升级"}},
                        root_);
  ASSERT_EQ(west_only.status, 201) << west_only.body;
  auto west_members = body_of(get(
      "/api/v1/rollouts/" + std::to_string(body_of(west_only).at("id").as_int64()) + "/terminals",
      root_));
  ASSERT_EQ(west_members.at("total").as_int64(), 1) << bj::serialize(west_members);
  EXPECT_EQ(west_members.at("terminals").as_array()[0].at("serial"), "T-WEST-1");
}

// A reseller reads and sets the policy of its own terminals; the fleet's and the groups' are the
// acquirer's, and the acquirer's lock holds below it.
TEST_F(OrganisationsApiTest, AResellerSetsItsTerminalsPolicyUnderTheAcquirersLocks) {
  auto put = [&](const bj::object& b, const std::string& as) {
    return send("PUT", "/api/v1/policy", bj::serialize(b), {{"authorization", as}});
  };
  auto mine =
      put({{"terminal", "T-EAST-1"}, {"mode", "manual"}, {"reason", "商户要求"}}, east_admin_);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(body_of(mine).at("effective").at("mode"), "manual");
  EXPECT_EQ(get("/api/v1/policy", east_admin_, {{"terminal", "T-EAST-1"}}).status, 200);
  auto theirs = put({{"terminal", "T-WEST-1"}, {"mode", "never"}, {"reason", "x"}}, east_admin_);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(message(theirs), "no terminal with serial T-WEST-1");
  EXPECT_EQ(get("/api/v1/policy", east_admin_, {{"terminal", "T-WEST-1"}}).status, 404);
  EXPECT_EQ(get("/api/v1/policy", east_admin_).status, 403) << "the fleet's is the acquirer's";
  EXPECT_EQ(put({{"group", "north"}, {"mode", "never"}, {"reason", "x"}}, east_admin_).status, 403);
  EXPECT_EQ(put({{"mode", "never"}, {"reason", "x"}}, east_admin_).status, 403);

  // The acquirer locks the terminal's group: the reseller's own mode no longer counts.
  ASSERT_TRUE(
      store_->set_terminal_group(store_->terminal_by_serial("DEFAULT", "T-EAST-1")->id, "north"));
  auto lock = put({{"group", "north"},
                   {"mode", "auto"},
                   {"locked", true},
                   {"lock_reason", "安全更新"},
                   {"reason", "全网"}},
                  root_);
  ASSERT_EQ(lock.status, 200) << lock.body;
  auto now = body_of(get("/api/v1/policy", east_admin_, {{"terminal", "T-EAST-1"}}));
  EXPECT_EQ(now.at("effective").at("mode"), "auto");
  EXPECT_TRUE(now.at("effective").at("locked").as_bool());
  auto again =
      put({{"terminal", "T-EAST-1"}, {"mode", "never"}, {"reason", "商户要求"}}, east_admin_);
  EXPECT_EQ(again.status, 403) << "a parent's lock holds below it: " << again.body;
  EXPECT_EQ(error_code(again), "locked");
  EXPECT_EQ(body_of(get("/api/v1/terminals", east_admin_, {{"mode", "never"}})).at("total"), 0)
      << "the list's mode filter agrees";
  // Nor does the reseller's administrator slip out from under it, or lock or unlock anything.
  auto out = send("PUT", "/api/v1/terminals/T-EAST-1/group",
                  bj::serialize(bj::object{{"group", ""}}), {{"authorization", east_admin_}});
  EXPECT_EQ(out.status, 403) << out.body;
  EXPECT_EQ(store_->terminal_by_serial("DEFAULT", "T-EAST-1")->group, "north");
  auto unlock = put({{"terminal", "T-EAST-1"}, {"locked", false}, {"reason", "x"}}, east_admin_);
  EXPECT_EQ(unlock.status, 403);
  EXPECT_EQ(error_code(unlock), "locked") << "its own terminal's lock, but under the group's";
}

// A policy set at an organisation holds down its subtree, each organisation's under those above
// it: a reseller sets its own and its merchants' and locks its merchants', the acquirer locks the
// reseller's, and a sibling learns nothing of either.
TEST_F(OrganisationsApiTest, AnOrganisationsPolicyAndLocksHoldDownItsTree) {
  auto put = [&](const bj::object& b, const std::string& as) {
    return send("PUT", "/api/v1/policy", bj::serialize(b), {{"authorization", as}});
  };
  auto mode_of = [&](const std::string& serial) {
    auto r = get("/api/v1/policy", root_, {{"terminal", serial}});
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(body_of(r).at("effective").at("mode").as_string());
  };
  auto listed = [&](const std::string& mode) {
    return body_of(get("/api/v1/terminals", root_, {{"mode", mode}})).at("total").as_int64();
  };
  const std::string east = std::to_string(east_), shop = std::to_string(shop_);
  auto own =
      put({{"organisation", east_}, {"mode", "manual"}, {"reason", "代理商统一"}}, east_admin_);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(body_of(own).at("key").as_string(), east);
  EXPECT_EQ(mode_of("T-EAST-1"), "manual") << "the reseller's holds for its merchant's terminal";
  EXPECT_EQ(mode_of("T-WEST-1"), "auto") << "and not for a sibling's";
  EXPECT_EQ(listed("manual"), 1) << "the stored modes agree";

  auto merchant =
      put({{"organisation", shop}, {"mode", "never"}, {"reason", "商户要求"}}, east_admin_);
  ASSERT_EQ(merchant.status, 200) << merchant.body;
  EXPECT_EQ(mode_of("T-EAST-1"), "never") << "the merchant's is nearer the terminal";

  // Its own organisation's lock is the acquirer's to set; its merchant's is its own.
  auto self_lock = put(
      {{"organisation", east_}, {"locked", true}, {"lock_reason", "代理商锁定"}, {"reason", "x"}},
      east_admin_);
  EXPECT_EQ(self_lock.status, 403);
  EXPECT_EQ(message(self_lock), "your organisation's locks are set by the organisation above it");
  auto lock = put({{"organisation", shop_},
                   {"mode", "auto"},
                   {"locked", true},
                   {"lock_reason", "代理商锁定"},
                   {"reason", "安全更新"}},
                  east_admin_);
  ASSERT_EQ(lock.status, 200) << lock.body;
  ASSERT_TRUE(put({{"terminal", "T-EAST-1"}, {"mode", "manual"}, {"reason", "x"}}, root_).status ==
              200);
  EXPECT_EQ(mode_of("T-EAST-1"), "auto") << "the merchant's lock holds over the terminal's own";
  const std::string shop_admin = token_in(shop_, "admin", "shop-admin");
  auto under = put({{"organisation", shop_}, {"mode", "never"}, {"reason", "x"}}, shop_admin);
  EXPECT_EQ(under.status, 403);
  EXPECT_EQ(error_code(under), "locked");
  auto lift = put({{"organisation", shop_}, {"locked", false}, {"reason", "x"}}, shop_admin);
  EXPECT_EQ(lift.status, 403) << "the merchant's lock is its reseller's";

  // The acquirer locks the reseller: the reseller changes nothing of mode below it any more, and
  // the highest lock's mode holds.
  auto top = put({{"organisation", east_},
                  {"mode", "never"},
                  {"locked", true},
                  {"lock_reason", "收单机构锁定"},
                  {"reason", "审计"}},
                 root_);
  ASSERT_EQ(top.status, 200) << top.body;
  EXPECT_EQ(mode_of("T-EAST-1"), "never");
  EXPECT_EQ(listed("never"), 1);
  auto blocked = put({{"organisation", shop_}, {"mode", "manual"}, {"reason", "x"}}, east_admin_);
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(error_code(blocked), "locked");
  EXPECT_EQ(message(blocked),
            "the update mode here is locked above your organisation (收单机构锁定); only that "
            "organisation may change it");
  auto view = body_of(get("/api/v1/policy", east_admin_, {{"organisation", shop}}));
  EXPECT_TRUE(view.at("effective").at("locked").as_bool()) << "the lock above shows";
  EXPECT_EQ(view.at("patch").at("lock_reason"), "代理商锁定") << "its own fields";

  // A sibling: neither organisation exists for it, and their changes are not in its log.
  for (const auto& id : {east, shop}) {
    auto r = get("/api/v1/policy", west_admin_, {{"organisation", id}});
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(message(r),
              "no organisation " + id + "; the organisation list shows those you may use");
    EXPECT_EQ(put({{"organisation", id}, {"mode", "auto"}, {"reason", "x"}}, west_admin_).status,
              404);
  }
  auto locks_in_log = [&](const std::string& as) {
    const auto log = body_of(get("/api/v1/audit", as));
    int n = 0;
    for (const auto& e : log.at("entries").as_array())
      if (e.at("action") == "policy.lock") ++n;
    return n;
  };
  EXPECT_EQ(locks_in_log(west_admin_), 0);
  EXPECT_EQ(locks_in_log(east_admin_), 2) << "its merchant's lock and its own, by the acquirer";
  // What is not an organisation below the acquirer.
  for (const char* bad : {"1", "abc", "0", "-2", "99999999999999999"})
    EXPECT_EQ(get("/api/v1/policy", root_, {{"organisation", bad}}).status, 400) << bad;
  EXPECT_EQ(put({{"organisation", true}, {"mode", "never"}, {"reason", "x"}}, root_).status, 400)
      << "not taken for the fleet";
  EXPECT_EQ(mode_of("T-WEST-1"), "auto");

  // A lock the acquirer sets below the reseller is the acquirer's: the reseller neither lifts it
  // nor changes a mode under it, nor moves the terminal out from under it.
  ASSERT_EQ(put({{"organisation", east_}, {"locked", false}, {"reason", "解除"}}, root_).status,
            200);
  ASSERT_EQ(put({{"organisation", shop_},
                 {"locked", true},
                 {"lock_reason", "收单机构锁定商户"},
                 {"reason", "审计"}},
                root_)
                .status,
            200);
  auto lift_theirs =
      put({{"organisation", shop_}, {"locked", false}, {"reason", "x"}}, east_admin_);
  EXPECT_EQ(lift_theirs.status, 403);
  EXPECT_EQ(error_code(lift_theirs), "locked");
  EXPECT_EQ(
      put({{"terminal", "T-EAST-1"}, {"mode", "manual"}, {"reason", "x"}}, east_admin_).status,
      403);
  auto away = move("T-EAST-1", east_, east_admin_);
  EXPECT_EQ(away.status, 403) << away.body;
  EXPECT_EQ(error_code(away), "locked");
  EXPECT_EQ(store_->terminal_by_serial("DEFAULT", "T-EAST-1")->org_id, shop_);
  // Once the acquirer lifts it, the reseller's own locks are its own again.
  ASSERT_EQ(put({{"organisation", shop_}, {"locked", false}, {"reason", "解除"}}, root_).status,
            200);
  ASSERT_EQ(put({{"terminal", "T-EAST-1"},
                 {"locked", true},
                 {"lock_reason", "代理商锁定终端"},
                 {"reason", "x"}},
                east_admin_)
                .status,
            200);
  EXPECT_EQ(put({{"terminal", "T-EAST-1"}, {"locked", false}, {"reason", "x"}}, east_admin_).status,
            200);
}

TEST_F(OrganisationsApiTest, TheTreeIsKeptByItsRules) {
  auto post = [&](const bj::object& b, const std::string& as) {
    return send("POST", "/api/v1/organisations", bj::serialize(b), {{"authorization", as}});
  };
  // A reseller's administrator adds below itself, by default directly.
  auto sub = post({{"name", "杭州二级"}, {"kind", "reseller"}}, east_admin_);
  ASSERT_EQ(sub.status, 201) << sub.body;
  EXPECT_EQ(body_of(sub).at("parent").as_int64(), east_);
  EXPECT_EQ(body_of(sub).at("depth").as_int64(), 2);

  auto twin = post({{"name", "杭州二级"}, {"kind", "reseller"}}, east_admin_);
  EXPECT_EQ(twin.status, 409);
  auto below_shop = post({{"name", "x"}, {"kind", "merchant"}, {"parent", shop_}}, east_admin_);
  EXPECT_EQ(below_shop.status, 400) << "nothing below a merchant";
  EXPECT_EQ(post({{"name", "x"}, {"kind", "acquirer"}}, root_).status, 400);
  EXPECT_EQ(post({{"name", ""}, {"kind", "merchant"}}, root_).status, 400);
  EXPECT_EQ(post({{"name", std::string(101, 'a')}, {"kind", "merchant"}}, root_).status, 400);
  EXPECT_EQ(post({{"name", "bad\x01"}, {"kind", "merchant"}}, root_).status, 400);
  EXPECT_EQ(post({{"name", "x"}, {"kind", "merchant"}, {"parent", west_}}, east_admin_).status,
            404);
  EXPECT_EQ(post({{"name", "x"}, {"kind", "merchant"}, {"parent", "2"}}, root_).status, 400);
  EXPECT_EQ(post({{"name", "x"}, {"kind", "merchant"}}, bearer("release_manager")).status, 403);

  // Users: made in the caller's subtree only.
  auto user = [&](std::int64_t org, const std::string& as) {
    return send("POST", "/api/v1/users",
                bj::serialize(bj::object{{"name", "u" + std::to_string(org)},
                                         {"role", "auditor"},
                                         {"password", "a-long-enough-password"},
                                         {"organisation", org}}),
                {{"authorization", as}});
  };
  EXPECT_EQ(user(west_, east_admin_).status, 404);
  auto u = user(shop_, east_admin_);
  ASSERT_EQ(u.status, 201) << u.body;
  EXPECT_EQ(body_of(u).at("organisation").as_int64(), shop_);

  bool created = false, moved = false;
  store::AuditQuery q;
  q.limit = 100;
  auto entries = store_->query_audit(q);
  ASSERT_TRUE(entries);
  for (const auto& e : *entries) {
    created = created || (e.action == "organisation.create" &&
                          e.target == "organisation:" + std::to_string(east_));
    moved = moved || (e.action == "terminal.organisation" && e.target == "terminal:T-EAST-1" &&
                      e.reason == "签约");
  }
  EXPECT_TRUE(created);
  EXPECT_TRUE(moved);
}

// Merchants and applications belong to an organisation, identity verifications to their merchant's:
// a reseller's staff find, read, review and verify those of its subtree, and another's do not
// exist for them. What a reseller's support changes for a verified merchant is its own terminals'.
TEST_F(OrganisationsApiTest, AResellersMerchantsApplicationsAndVerificationsAreItsSubtreesAlone) {
  const auto east_support = token_in(east_, "support", "east-support");
  auto post = [&](const std::string& path, const bj::object& b, const std::string& as) {
    return send("POST", path, bj::serialize(b), {{"authorization", as}});
  };
  auto merchant = [&](const std::string& name, const std::string& phone, std::int64_t org) {
    auto r = post("/api/v1/merchants",
                  {{"legal_name", name},
                   {"phone", phone},
                   {"resident_id", "110101199003074471"},
                   {"organisation", org}},
                  root_);
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(body_of(r).at("organisation").as_int64(), org);
    return body_of(r).at("id").as_int64();
  };
  const auto east_m = merchant("张东", "13800138001", shop_);
  const auto west_m = merchant("李西", "13800138002", west_);
  for (auto [id, serial] : {std::pair{east_m, "T-EAST-1"}, std::pair{west_m, "T-WEST-1"},
                            std::pair{east_m, "T-ROOT-1"}})
    ASSERT_EQ(
        post("/api/v1/merchants/" + std::to_string(id) + "/terminals", {{"serial", serial}}, root_)
            .status,
        200);

  // Merchants: the search, one merchant and its changes.
  auto count = [&](const std::string& q, const std::string& as) {
    auto r = get("/api/v1/merchants", as, {{"q", q}});
    EXPECT_EQ(r.status, 200) << r.body;
    if (as != root_) {
      EXPECT_EQ(r.body.find("李西"), std::string::npos) << r.body;
    }
    return body_of(r).at("merchants").as_array().size();
  };
  EXPECT_EQ(count("张东", east_support), 1u) << "its own, by name";
  EXPECT_EQ(count("T-EAST", east_support), 1u) << "and by its terminal's serial";
  for (const char* q : {"李西", "13800138002", "T-WEST"}) {
    EXPECT_EQ(count(q, east_support), 0u) << q << ": the sibling's merchant";
    EXPECT_EQ(count(q, root_), 1u) << q;
  }
  // Its own merchant is not found by the serial of a terminal outside the subtree (a prefix
  // would spell that serial out).
  EXPECT_EQ(count("T-ROOT", east_support), 0u);
  EXPECT_EQ(count("T-ROOT", root_), 1u);
  const std::string theirs = std::to_string(west_m);
  auto one = get("/api/v1/merchants/" + theirs, east_support);
  auto none = get("/api/v1/merchants/99999", east_support);
  EXPECT_EQ(one.status, 404);
  EXPECT_EQ(message(one), "no merchant " + theirs);
  EXPECT_EQ(error_code(one), error_code(none));
  // Its own merchant shows its terminals of the subtree alone (not the acquirer's T-ROOT-1).
  auto mine = get("/api/v1/merchants/" + std::to_string(east_m), east_support);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_NE(mine.body.find("T-EAST-1"), std::string::npos);
  EXPECT_EQ(mine.body.find("T-ROOT-1"), std::string::npos);
  EXPECT_EQ(send("PUT", "/api/v1/merchants/" + theirs + "/time-zone",
                 bj::serialize(bj::object{{"time_zone", "Asia/Urumqi"}, {"reason", "x"}}),
                 {{"authorization", east_admin_}})
                .status,
            404);
  EXPECT_EQ(
      post("/api/v1/merchants/" + theirs + "/terminals", {{"serial", "T-EAST-1"}}, east_admin_)
          .status,
      404);
  auto link_theirs = post("/api/v1/merchants/" + std::to_string(east_m) + "/terminals",
                          {{"serial", "T-WEST-1"}}, east_admin_);
  EXPECT_EQ(link_theirs.status, 404);
  EXPECT_EQ(message(link_theirs), "no terminal with serial T-WEST-1");
  EXPECT_EQ(store_->terminal_by_serial("DEFAULT", "T-WEST-1")->merchant_id, west_m);
  auto made_there = post("/api/v1/merchants",
                         {{"legal_name", "王五"},
                          {"phone", "13800138003"},
                          {"resident_id", "110101199003074471"},
                          {"organisation", west_}},
                         east_admin_);
  EXPECT_EQ(made_there.status, 404);
  auto made = post(
      "/api/v1/merchants",
      {{"legal_name", "王五"}, {"phone", "13800138003"}, {"resident_id", "110101199003074471"}},
      east_admin_);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(body_of(made).at("organisation").as_int64(), east_) << "its maker's by default";
  // Giving a merchant to another organisation: within the subtree alone, with a reason.
  auto give_merchant = [&](std::int64_t id, std::int64_t org, const std::string& as) {
    return send("PUT", "/api/v1/merchants/" + std::to_string(id) + "/organisation",
                bj::serialize(bj::object{{"organisation", org}, {"reason", "换代理"}}),
                {{"authorization", as}});
  };
  const auto made_id = body_of(made).at("id").as_int64();
  EXPECT_EQ(give_merchant(west_m, east_, east_admin_).status, 404) << "not another's merchant";
  EXPECT_EQ(give_merchant(made_id, west_, east_admin_).status, 404)
      << "nor to another's organisation";
  EXPECT_EQ(give_merchant(made_id, east_, east_admin_).status, 409) << "where it is already";
  // Its terminals (none) are all its own: the east sets its time zone.
  EXPECT_EQ(send("PUT", "/api/v1/merchants/" + std::to_string(made_id) + "/time-zone",
                 bj::serialize(bj::object{{"time_zone", "Asia/Urumqi"}, {"reason", "新疆门店"}}),
                 {{"authorization", east_admin_}})
                .status,
            200);
  auto given_merchant = give_merchant(made_id, shop_, east_admin_);
  ASSERT_EQ(given_merchant.status, 200) << given_merchant.body;
  EXPECT_EQ(store_->merchant(made_id)->org_id, shop_);
  EXPECT_EQ(store_->merchant(west_m)->org_id, west_);

  // Verifications: from a terminal of the subtree, of a merchant of it.
  auto start = [&](const std::string& serial, const std::string& name, const std::string& as) {
    return post("/api/v1/support/verifications",
                {{"terminal", serial}, {"legal_name", name}, {"id_last4", "4471"}}, as);
  };
  auto sibling = start("T-WEST-1", "李西", east_support);
  EXPECT_EQ(sibling.status, 404);
  EXPECT_EQ(message(sibling), "no terminal with serial T-WEST-1");
  const auto root_support = token_in(store::kRootOrganisation, "support", "root-support");
  auto acquirers = start("T-WEST-1", "李西", root_support);
  ASSERT_EQ(acquirers.status, 201) << acquirers.body;
  const std::string their_v = std::to_string(body_of(acquirers).at("id").as_int64());
  for (const char* step : {"/code", "/policy", "/ask-admin", "/unlock-code"}) {
    auto r = post("/api/v1/support/verifications/" + their_v + step,
                  {{"code", "123456"}, {"mode", "never"}, {"reason", "x"}, {"serial", "T-WEST-1"}},
                  east_support);
    EXPECT_EQ(r.status, 404) << step << " " << r.body;
    EXPECT_EQ(message(r), "no verification " + their_v) << step;
  }
  // One of the sibling's merchant in the east's agent's name: its code is never tried.
  const auto planted = *store_->insert_verification(
      {0, west_m, "token:east-support", "h", "code_sent", 0, unix_now(), unix_now() + 300, 0});
  auto tried = post("/api/v1/support/verifications/" + std::to_string(planted) + "/code",
                    {{"code", "123456"}}, east_support);
  EXPECT_EQ(tried.status, 404) << tried.body;
  EXPECT_EQ(store_->verification(planted)->attempts, 0) << "no try was spent";
  auto own = start("T-EAST-1", "张东", east_support);
  ASSERT_EQ(own.status, 201) << own.body;
  const std::string own_v = std::to_string(body_of(own).at("id").as_int64());
  std::string code;
  {
    std::ifstream outbox(dir_.file("sms-outbox.jsonl"));
    for (std::string line; std::getline(outbox, line);)
      if (auto at = line.find("验证码 "); at != std::string::npos)
        code = line.substr(at + std::string("验证码 ").size(), 6);
  }
  ASSERT_EQ(post("/api/v1/support/verifications/" + own_v + "/code", {{"code", code}}, east_support)
                .status,
            200);
  auto changed = post("/api/v1/support/verifications/" + own_v + "/policy",
                      {{"mode", "manual"}, {"reason", "商户要求"}}, east_support);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(bj::serialize(body_of(changed).at("terminals")), R"(["T-EAST-1"])")
      << "the merchant's terminal of the acquirer stays as it was";

  // Applications: the acquirer gives one to the east, whose staff review it alone.
  auto application = [&](const std::string& number) {
    store::ApplicationRecord a;
    a.number = number;
    a.resident_id_index = number;  // one live application per resident ID: two applicants
    a.kind = "individual";
    a.legal_name = "赵六";
    a.phone = "13800138004";
    a.resident_id_enc = secrets_->seal("110101199003074471");
    a.model = "A920";
    a.created = a.updated = unix_now();
    auto id = store_->insert_application(a);
    EXPECT_TRUE(id) << id.error().to_string();
    return std::to_string(*id);
  };
  const auto given = application("PAEAST0001"), kept = application("PAROOT0001");
  auto give = [&](const std::string& id, std::int64_t org, const std::string& as) {
    return send("PUT", "/api/v1/applications/" + id + "/organisation",
                bj::serialize(bj::object{{"organisation", org}, {"reason", "华东地区"}}),
                {{"authorization", as}});
  };
  auto gave = give(given, east_, root_);
  ASSERT_EQ(gave.status, 200) << gave.body;
  EXPECT_EQ(body_of(gave).at("organisation").as_int64(), east_);
  auto listed = get("/api/v1/applications", east_admin_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(body_of(listed).at("applications").as_array().size(), 1u);
  EXPECT_EQ(listed.body.find("PAROOT0001"), std::string::npos);
  EXPECT_EQ(body_of(get("/api/v1/applications", west_admin_)).at("applications").as_array().size(),
            0u);
  auto read_kept = get("/api/v1/applications/" + kept, east_admin_);
  EXPECT_EQ(read_kept.status, 404);
  EXPECT_EQ(message(read_kept), "no application " + kept);
  for (const char* step : {"/approve", "/reject", "/verify", "/shipping", "/activation-codes"}) {
    auto r = post("/api/v1/applications/" + kept + step,
                  {{"serials", bj::array{"T-EAST-9"}},
                   {"serial", "T-EAST-9"},
                   {"reason", "x"},
                   {"carrier", "顺丰"},
                   {"tracking", "SF1"}},
                  east_admin_);
    EXPECT_EQ(r.status, 404) << step << " " << r.body;
    EXPECT_EQ(message(r), "no application " + kept) << step;
  }
  EXPECT_EQ(give(kept, east_, east_admin_).status, 404);
  EXPECT_EQ(give(given, west_, east_admin_).status, 404) << "nor to another's organisation";
  EXPECT_EQ(store_->application(std::stoll(kept))->status, "submitted");
  EXPECT_EQ(store_->application(std::stoll(given))->org_id, east_);
  auto approved = post("/api/v1/applications/" + given + "/approve",
                       {{"serials", bj::array{"T-EAST-9"}}, {"reason", "资料齐全"}}, east_admin_);
  ASSERT_EQ(approved.status, 200) << approved.body;
  const auto shipped_to = *store_->terminal_by_serial("DEFAULT", "T-EAST-9");
  EXPECT_EQ(shipped_to.org_id, east_) << "the approval's terminal is the east's";
  EXPECT_EQ(store_->merchant(shipped_to.merchant_id)->org_id, east_);
  EXPECT_EQ(give(given, shop_, east_admin_).status, 409) << "approved: its terminals move instead";
  // The acquirer's entry of giving it away is in the east's log; the west's log has none of it.
  auto east_log = get("/api/v1/audit", east_admin_);
  auto west_log = get("/api/v1/audit", west_admin_);
  EXPECT_NE(east_log.body.find("application.organisation"), std::string::npos) << east_log.body;
  EXPECT_NE(east_log.body.find("PAEAST0001"), std::string::npos);
  EXPECT_EQ(west_log.body.find("PAEAST0001"), std::string::npos);
  EXPECT_EQ(west_log.body.find("张东"), std::string::npos);

  // A merchant's time zone is every terminal's of it: the east's merchant also has the acquirer's
  // T-ROOT-1, so the east may not set it.
  auto zone = send("PUT", "/api/v1/merchants/" + std::to_string(east_m) + "/time-zone",
                   bj::serialize(bj::object{{"time_zone", "Asia/Urumqi"}, {"reason", "新疆门店"}}),
                   {{"authorization", east_admin_}});
  EXPECT_EQ(zone.status, 403) << zone.body;
  EXPECT_EQ(*store_->merchant_time_zone(east_m), "");

  // The east's terminal linked to the sibling's merchant: its page and the list name no merchant,
  // and support finds none on record for it.
  // Linked to a merchant of the east itself, T-EAST-1 (of the east's merchant organisation) is
  // found by that merchant's name within that organisation too.
  const auto east_own = merchant("赵七", "13800138005", east_);
  ASSERT_EQ(post("/api/v1/merchants/" + std::to_string(east_own) + "/terminals",
                 {{"serial", "T-EAST-1"}}, root_)
                .status,
            200);
  EXPECT_EQ(body_of(get("/api/v1/terminals", east_admin_,
                        {{"q", "赵七"}, {"organisation", std::to_string(shop_)}}))
                .at("total")
                .as_int64(),
            1);
  ASSERT_EQ(
      post("/api/v1/merchants/" + theirs + "/terminals", {{"serial", "T-EAST-1"}}, root_).status,
      200);
  auto page = get("/api/v1/terminals/T-EAST-1", east_admin_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(body_of(page).at("merchant_id").as_int64(), 0);
  EXPECT_EQ(page.body.find("李西"), std::string::npos);
  auto rows = get("/api/v1/terminals", east_admin_);
  EXPECT_NE(rows.body.find("T-EAST-1"), std::string::npos);
  EXPECT_EQ(rows.body.find("李西"), std::string::npos) << rows.body;
  EXPECT_NE(get("/api/v1/terminals", root_).body.find("李西"), std::string::npos);
  // Nor is the terminal found by that merchant's name (which would name its merchant).
  EXPECT_EQ(body_of(get("/api/v1/terminals", east_admin_, {{"q", "李西"}})).at("total").as_int64(),
            0);
  EXPECT_EQ(body_of(get("/api/v1/terminals", root_, {{"q", "李西"}})).at("total").as_int64(), 2);
  EXPECT_EQ(body_of(get("/api/v1/terminals", root_,
                        {{"q", "李西"}, {"organisation", std::to_string(east_)}}))
                .at("total")
                .as_int64(),
            1)
      << "the acquirer finds it by name within the east";
  auto by_merchant = get("/api/v1/terminals", east_admin_, {{"merchant", theirs}});
  EXPECT_EQ(by_merchant.status, 404);
  EXPECT_EQ(message(by_merchant), "no merchant " + theirs);
  EXPECT_EQ(body_of(get("/api/v1/terminals", root_, {{"merchant", theirs}})).at("total").as_int64(),
            2);
  EXPECT_NE(get("/api/v1/terminals/T-EAST-1", root_).body.find("李西"), std::string::npos);
  auto elsewhere = start("T-EAST-1", "李西", east_support);
  EXPECT_EQ(elsewhere.status, 404) << elsewhere.body;
  EXPECT_EQ(message(elsewhere), "terminal T-EAST-1 has no merchant on record");
}

}  // namespace
}  // namespace posfleet::api

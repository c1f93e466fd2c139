// Store conformance: merchants, support tickets and their notes, identity
// verifications by phone, the support desk's queue and merchant lookup.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

std::int64_t add_ticket(Store& store, const std::string& serial, const std::string& status,
                        std::int64_t terminal_id = 1) {
  auto id = store.insert_ticket({0, terminal_id, serial, "1.0.0", "{}", "hi", status, "", 10, 10});
  EXPECT_TRUE(id) << id.error().to_string();
  return id ? *id : 0;
}

TEST_P(SupportConformance, MerchantsRoundTripAndPageInIdOrder) {
  const auto a = merchant("张三便利店", "13800138000");
  const auto b = merchant("Tea House");
  auto m = store().merchant(a);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->legal_name, "张三便利店");
  EXPECT_EQ(m->phone, "13800138000");
  EXPECT_EQ(store().merchant(b + 100).error().code, Code::kNotFound);
  ASSERT_TRUE(store().set_merchant_resident_id(a, "resealed"));
  EXPECT_EQ(store().merchant(a)->resident_id_enc, "resealed");
  auto after = store().merchants_after(a, 10);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().id, b);
  EXPECT_EQ(store().merchants_after(0, 1)->front().id, a);
}

TEST_P(SupportConformance, TicketsAreListedNewestFirstAndUpdated) {
  const auto t = terminal("PF1");
  const auto a = add_ticket(store(), "PF1", "open", t);
  const auto b = add_ticket(store(), "PF1", "closed", t);
  add_ticket(store(), "PF2", "open", t + 1);
  auto open = store().list_tickets("open", 10);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->size(), 2u);
  EXPECT_EQ(store().list_tickets("", 10)->size(), 3u);
  auto of_t = store().tickets_of_terminal(t, 10);
  ASSERT_TRUE(of_t);
  ASSERT_EQ(of_t->size(), 2u);
  EXPECT_EQ((*of_t)[0].id, b);
  auto ticket = *store().ticket(a);
  ticket.status = "closed";
  ticket.note = "fixed";
  ticket.updated = 99;
  ASSERT_TRUE(store().update_ticket(ticket));
  auto back = store().ticket(a);
  EXPECT_EQ(back->status, "closed");
  EXPECT_EQ(back->note, "fixed");
  EXPECT_EQ(back->updated, 99);
  EXPECT_EQ(store().ticket(a + 100).error().code, Code::kNotFound);
}

TEST_P(SupportConformance, AVerificationCodeHasLimitedTriesAndIsVerifiedOnce) {
  const auto m = merchant("Tea House");
  VerificationRecord v;
  v.merchant_id = m;
  v.agent = "amy";
  v.code_hash = "c";
  v.created = 100;
  v.expires = 200;
  auto id = store().insert_verification(v);
  ASSERT_TRUE(id);
  EXPECT_TRUE(*store().take_code_try(*id, 2, 150));
  EXPECT_TRUE(*store().take_code_try(*id, 2, 150));
  EXPECT_FALSE(*store().take_code_try(*id, 2, 150)) << "no try left";
  EXPECT_EQ(store().verification(*id)->attempts, 2);
  EXPECT_TRUE(*store().mark_verified(*id, 500));
  EXPECT_FALSE(*store().mark_verified(*id, 600)) << "verified already";
  auto back = store().verification(*id);
  EXPECT_EQ(back->status, "verified");
  EXPECT_EQ(back->verified_until, 500);
  EXPECT_EQ(*store().count_verifications_since(m, 100), 1);
  EXPECT_EQ(*store().count_verifications_since(m, 101), 0);

  auto late = store().insert_verification(v);
  EXPECT_FALSE(*store().take_code_try(*late, 5, 200)) << "expired";
  auto failed = *store().verification(*late);
  failed.status = "failed";
  ASSERT_TRUE(store().update_verification(failed));
  EXPECT_FALSE(*store().take_code_try(*late, 5, 150)) << "not open";
  EXPECT_FALSE(*store().mark_verified(*late, 500)) << "not open";
}

TEST_P(SupportConformance, TicketQueueShowsOpenFirstAndFiltersBySerial) {
  const auto a = add_ticket(store(), "PF1", "open"), b = add_ticket(store(), "PF2", "closed"),
             c = add_ticket(store(), "PF1", "open");
  auto all = store().query_tickets({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, c);  // open, newest first
  EXPECT_EQ((*all)[1].id, a);
  EXPECT_EQ((*all)[2].id, b);  // closed last
  EXPECT_EQ(*store().count_tickets({"open", "", 0, 1}), 2);
  EXPECT_EQ(*store().count_tickets({"", "PF2", 0, 1}), 1);
  auto page = store().query_tickets({"", "", 1, 1});
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().id, a);
}

TEST_P(SupportConformance, NotesStayWithTheirTicketInOrder) {
  const auto t = add_ticket(store(), "PF1", "open"), other = add_ticket(store(), "PF2", "open");
  ASSERT_TRUE(store().insert_ticket_note({0, t, "amy", "called back", 5}));
  ASSERT_TRUE(store().insert_ticket_note({0, other, "bob", "elsewhere", 6}));
  ASSERT_TRUE(store().insert_ticket_note({0, t, "amy", "done", 7}));
  auto notes = store().ticket_notes(t);
  ASSERT_TRUE(notes);
  ASSERT_EQ(notes->size(), 2u);
  EXPECT_EQ((*notes)[0].text, "called back");
  EXPECT_EQ((*notes)[1].text, "done");
}

TEST_P(SupportConformance, MerchantLookupByNamePhoneOrSerial) {
  auto zhang = store().insert_merchant({0, "张三便利店", "13800138000", "enc", 1});
  auto li = store().insert_merchant({0, "Li 50%_Shop", "13900139000", "enc", 1});
  ASSERT_TRUE(zhang && li);
  EXPECT_TRUE(store().set_terminal_merchant(terminal("WEB0042"), *li));
  auto names = [&](const std::string& q) {
    std::vector<std::string> out;
    auto found = store().search_merchants(q, 20, "");
    EXPECT_TRUE(found);
    for (const auto& m : *found) out.push_back(m.legal_name);
    return out;
  };
  EXPECT_EQ(names("便利"), std::vector<std::string>{"张三便利店"});
  EXPECT_EQ(names("13800138000"), std::vector<std::string>{"张三便利店"});
  EXPECT_TRUE(names("1380013").empty());  // a phone matches whole, not by parts
  EXPECT_EQ(names("web00"), std::vector<std::string>{"Li 50%_Shop"});
  EXPECT_EQ(names("50%_"), std::vector<std::string>{"Li 50%_Shop"});
  EXPECT_TRUE(names("Li%Shop").empty());  // a wildcard is a character here
}

TEST_P(SupportConformance, AnOrganisationsSubtreeFindsItsMerchantsAlone) {
  auto east =
      store().insert_organisation({0, kRootOrganisation, "reseller", "east", "", "admin", 1});
  ASSERT_TRUE(east);
  auto shop = store().insert_organisation({0, east->id, "merchant", "shop", "", "admin", 1});
  ASSERT_TRUE(shop);
  auto ours = store().insert_merchant({0, "张三便利店", "13800138000", "enc", 1, shop->id});
  auto root = store().insert_merchant({0, "张三面馆", "13900139000", "enc", 1});
  ASSERT_TRUE(ours && root);
  EXPECT_EQ(store().merchant(*ours)->org_id, shop->id);
  EXPECT_EQ(store().merchant(*root)->org_id, kRootOrganisation);
  auto found = store().search_merchants("张三", 20, east->path);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, *ours);
  EXPECT_TRUE(store().search_merchants("13900139000", 20, east->path)->empty());
  EXPECT_EQ(store().search_merchants("张三", 20, "")->size(), 2u);
  EXPECT_EQ(store().merchants_after(0, 10)->front().org_id, shop->id);
}

}  // namespace
}  // namespace posfleet::store::conformance

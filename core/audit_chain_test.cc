#include "core/audit_chain.h"

#include <gtest/gtest.h>

#include "core/hashing.h"
#include "core/json.h"
#include "core/text.h"

namespace posfleet {
namespace {

// A log as the server keeps it; entry 2 holds a ticket cut inside a character,
// as servers wrote it before text was checked.
std::vector<AuditEntry> log_with_broken_text() {
  std::vector<AuditEntry> log;
  std::string prev = kAuditGenesis;
  for (int i = 1; i <= 3; ++i) {
    AuditEntry e;
    e.id = i;
    e.time = 1800000000 + i;
    e.actor = i == 2 ? "PF0001" : "admin";
    e.actor_kind = i == 2 ? "terminal" : "user";
    e.path = "api";
    e.action = i == 2 ? "ticket.open" : "policy.change";
    e.target = "terminal:PF0001";
    e.after = i == 2 ? std::string("打印机坏了\xE6\x89") : "mode=manual";
    e.prev_hash = prev;
    e.hash = audit_hash(e, prev);
    prev = e.hash;
    log.push_back(e);
  }
  return log;
}

// What `posfleet audit verify` sees: each entry as the API serializes it.
std::vector<AuditEntry> over_the_api(const std::vector<AuditEntry>& log) {
  std::vector<AuditEntry> out;
  for (const auto& e : log) {
    const std::string wire = json::serialize(e.to_json());
    EXPECT_TRUE(text::is_valid_utf8(wire)) << "entry " << e.id;
    auto v = json::parse(wire);
    EXPECT_TRUE(v) << (v ? "" : v.error().message);
    if (!v) return {};
    auto back = AuditEntry::from_json(v->get_object());
    EXPECT_TRUE(back);
    if (back) out.push_back(*back);
  }
  return out;
}

TEST(AuditChain, ServerAndApiCopiesOfABrokenTextLogAgree) {
  const auto log = log_with_broken_text();
  const auto copy = over_the_api(log);
  ASSERT_EQ(copy.size(), log.size());
  EXPECT_EQ(copy[1].after, log[1].after);  // the exact bytes came back from raw_hex

  const auto server = verify_log(log, 3, log.back().hash);
  const auto cli = verify_log(copy, 3, log.back().hash);
  EXPECT_TRUE(server.ok) << server.problem;
  EXPECT_TRUE(cli.ok) << cli.problem;
  EXPECT_EQ(server.entries, cli.entries);
  EXPECT_EQ(server.invalid_text_entries, 1);
  EXPECT_EQ(cli.first_invalid_text_id, 2);
  EXPECT_NE(cli.notice().find("not valid UTF-8"), std::string::npos);
  EXPECT_TRUE(text::is_valid_utf8(cli.notice()));
}

TEST(AuditChain, ValidEntriesCarryNoRawHex) {
  const auto log = log_with_broken_text();
  EXPECT_FALSE(log[0].to_json().contains("raw_hex"));
  EXPECT_TRUE(log[1].to_json().at("raw_hex").as_object().contains("after"));
}

TEST(AuditChain, AlteredRawBytesBreakTheChain) {
  auto log = log_with_broken_text();
  auto o = log[1].to_json();
  o["raw_hex"].as_object()["after"] = "e68993";  // a different character
  auto altered = AuditEntry::from_json(o);
  ASSERT_TRUE(altered);
  log[1] = *altered;
  const auto c = verify_log(log, 3, log.back().hash);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.first_bad_id, 2);
}

TEST(AuditChain, VerifyLogChecksTheAnchorAndEntriesAppendedAfterIt) {
  const auto log = log_with_broken_text();
  EXPECT_TRUE(verify_log(log, 2, log[1].hash).ok);  // entry 3 came after the anchor was read
  const auto cut = verify_log({log[0], log[1]}, 3, log[2].hash);
  EXPECT_FALSE(cut.ok);
  EXPECT_NE(cut.problem.find("removed from the end"), std::string::npos);
  EXPECT_FALSE(verify_log(log, 2, "0").ok);
}

TEST(AuditChain, BadRawHexIsAnErrorNotACrash) {
  auto o = log_with_broken_text()[1].to_json();
  o["raw_hex"].as_object()["after"] = "zz";
  EXPECT_FALSE(AuditEntry::from_json(o));
}

// An entry as servers wrote it before addresses were recorded: the hash of the
// old rule, spelled out here so that a change of the rule shows.
AuditEntry entry_from_before_addresses(std::int64_t id, const std::string& prev) {
  AuditEntry e;
  e.id = id;
  e.time = 1800000000 + id;
  e.actor = "admin";
  e.actor_kind = "user";
  e.path = "console";
  e.action = "policy.change";
  e.target = "fleet";
  e.prev_hash = prev;
  e.hash = sha256_hex(prev + "\n" +
                      json::canonical(boost::json::object{{"id", e.id},
                                                          {"time", e.time},
                                                          {"actor", e.actor},
                                                          {"actor_kind", e.actor_kind},
                                                          {"path", e.path},
                                                          {"action", e.action},
                                                          {"target", e.target},
                                                          {"before", ""},
                                                          {"after", ""},
                                                          {"reason", ""}}));
  return e;
}

TEST(AuditChain, OldEntriesWithoutAddressAndNewOnesWithAddressVerifyTogether) {
  std::vector<AuditEntry> log{entry_from_before_addresses(1, kAuditGenesis)};
  log.push_back(entry_from_before_addresses(2, log.back().hash));
  for (std::int64_t id = 3; id <= 4; ++id) {
    AuditEntry e = entry_from_before_addresses(id, log.back().hash);
    e.address = id == 3 ? "192.0.2.7" : "2001:db8::1";
    e.hash = audit_hash(e, e.prev_hash);
    log.push_back(e);
  }
  EXPECT_TRUE(verify_chain(log).ok) << verify_chain(log).problem;
  EXPECT_TRUE(verify_chain(over_the_api(log)).ok) << "the address survives the API's JSON";
  EXPECT_EQ(over_the_api(log)[2].address, "192.0.2.7");
  EXPECT_EQ(log[0].to_json().at("address").as_string(), "") << "always shown, empty when unknown";

  auto rewritten = log;  // someone changes where a change came from
  rewritten[2].address = "198.51.100.1";
  EXPECT_FALSE(verify_chain(rewritten).ok);
  EXPECT_EQ(verify_chain(rewritten).first_bad_id, 3);
  auto removed = log;  // or removes the address to make it look like an old entry
  removed[3].address.clear();
  EXPECT_FALSE(verify_chain(removed).ok);
  EXPECT_EQ(verify_chain(removed).first_bad_id, 4);
}

TEST(AuditChain, AnEntrysOrganisationIsHashedUnlessItIsTheAcquirers) {
  std::vector<AuditEntry> log{entry_from_before_addresses(1, kAuditGenesis)};
  AuditEntry e = entry_from_before_addresses(2, log.back().hash);
  e.organisation = 7;  // a reseller's
  e.hash = audit_hash(e, e.prev_hash);
  log.push_back(e);
  EXPECT_EQ(log[0].organisation, 1) << "entries from before organisations are the acquirer's";
  EXPECT_TRUE(verify_chain(log).ok) << verify_chain(log).problem;
  EXPECT_TRUE(verify_chain(over_the_api(log)).ok) << "the organisation survives the API's JSON";
  EXPECT_EQ(over_the_api(log)[1].organisation, 7);
  EXPECT_EQ(log[0].to_json().at("organisation").as_int64(), 1) << "always shown";

  auto moved = log;  // someone hands the entry to another organisation
  moved[1].organisation = 1;
  EXPECT_FALSE(verify_chain(moved).ok);
  EXPECT_EQ(verify_chain(moved).first_bad_id, 2);

  auto o = log[1].to_json();
  o["organisation"] = -3;
  EXPECT_FALSE(AuditEntry::from_json(o)) << "a nonsense organisation is an error, not a value";
}

}  // namespace
}  // namespace posfleet

// The terminal's parameters: a set the poll names by a new version is fetched, checked, written
// and then acknowledged; one it has is not fetched again; an acknowledgement that did not go out
// is sent after the next poll; a malformed set leaves the one on the terminal as it was.
#include "agent/settings/parameters.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "agent/ddi/fake_ddi_client.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

namespace bj = boost::json;

class ParameterDdi : public FakeDdiClient {
 public:
  std::map<std::string, bj::object> sets;
  std::vector<std::pair<std::string, std::string>> acks;
  int fetches = 0, fail_acks = 0;
  Expected<bj::object> parameters(const std::string& app) override {
    ++fetches;
    auto s = sets.find(app);
    if (s == sets.end()) return make_error(Code::kNotFound, "HTTP 404");
    return s->second;
  }
  Status parameters_applied(const std::string& app, const std::string& version) override {
    if (fail_acks > 0) {
      --fail_acks;
      return make_error(Code::kNetwork, "connection refused");
    }
    acks.emplace_back(app, version);
    return ok_status();
  }
};

bj::object set_of(const std::string& version, const bj::value& mcc) {
  return bj::object{
      {"app", "payment"},
      {"version", version},
      {"fields", bj::array{bj::object{{"key", "mcc"}, {"type", "enum"}, {"value", mcc}},
                           bj::object{{"key", "tmk"},
                                      {"type", "string"},
                                      {"sensitive", true},
                                      {"value", "0123456789ABCDEF"}},
                           bj::object{{"key", "timeout"}, {"type", "integer"}, {"value", 60}}}}};
}

bj::object poll_naming(const std::string& version) {
  return bj::object{
      {"parameters", bj::array{bj::object{{"app", "payment"}, {"version", version}}}}};
}

TEST(ParametersSync, FetchesWritesThenAcknowledgesEachNewVersionOnce) {
  posfleet::testing::TempDir dir{"posfleet_params"};
  ParameterFolder folder(dir.file("parameters"));
  ParameterDdi ddi;
  ddi.sets["payment"] = set_of("00000000000000a1", "5411");
  ddi.fail_acks = 1;
  sync_parameters(ddi, folder, poll_naming("00000000000000a1"));
  auto kept = folder.load("payment");
  ASSERT_TRUE(kept) << kept.error().to_string();
  EXPECT_EQ(kept->version, "00000000000000a1");
  EXPECT_FALSE(kept->acknowledged) << "the acknowledgement did not go out";
  ASSERT_EQ(kept->values.size(), 3u);
  EXPECT_EQ(kept->values[0].value, "5411");
  EXPECT_EQ(kept->values[2].value, "60");

  sync_parameters(ddi, folder, poll_naming("00000000000000a1"));
  EXPECT_EQ(ddi.fetches, 1) << "the set it has is not fetched again";
  ASSERT_EQ(ddi.acks.size(), 1u);
  EXPECT_EQ(ddi.acks[0].second, "00000000000000a1");
  EXPECT_TRUE(folder.load("payment")->acknowledged);
  sync_parameters(ddi, folder, poll_naming("00000000000000a1"));
  EXPECT_EQ(ddi.acks.size(), 1u) << "acknowledged once";

  // A new version: fetched and acknowledged.
  ddi.sets["payment"] = set_of("00000000000000b2", "5812");
  sync_parameters(ddi, folder, poll_naming("00000000000000b2"));
  EXPECT_EQ(folder.load("payment")->values[0].value, "5812");
  EXPECT_EQ(ddi.acks.back().second, "00000000000000b2");
}

TEST(ParametersSync, AMalformedSetLeavesTheTerminalsOwn) {
  posfleet::testing::TempDir dir{"posfleet_params"};
  ParameterFolder folder(dir.file("parameters"));
  ParameterDdi ddi;
  ddi.sets["payment"] = set_of("00000000000000a1", "5411");
  sync_parameters(ddi, folder, poll_naming("00000000000000a1"));
  for (const bj::value& bad :
       {bj::value(7), bj::value("line\nbreak"), bj::value(std::string(2000, 'x'))}) {
    ddi.sets["payment"] = set_of("00000000000000c3", bad);
    sync_parameters(ddi, folder, poll_naming("00000000000000c3"));
    EXPECT_EQ(folder.load("payment")->version, "00000000000000a1") << bj::serialize(bad);
  }
  // A poll naming nonsense fetches nothing.
  const int before = ddi.fetches;
  sync_parameters(
      ddi, folder,
      bj::object{
          {"parameters", bj::array{bj::object{{"app", "../etc"}, {"version", "00000000000000c3"}},
                                   bj::object{{"app", "payment"}, {"version", "XYZ"}}}}});
  EXPECT_EQ(ddi.fetches, before);
  auto all = folder.all();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
}

}  // namespace
}  // namespace posfleet::agent

// Store conformance: the roots area keeps each published root by version,
// refuses a version twice, and answers the latest.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

TEST_P(RootsConformance, KeepsEachVersionOnceAndAnswersTheLatest) {
  auto none = store().latest_root();
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(store().root_by_version(1).error().code, Code::kNotFound);
  ASSERT_TRUE(store().insert_root({1, "{\"one\":1}", 100, "alice"}));
  ASSERT_TRUE(store().insert_root({2, "{\"two\":2}", 200, "bob"}));
  auto dup = store().insert_root({2, "{\"other\":0}", 300, "mallory"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kConflict);
  auto latest = store().latest_root();
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ((*latest)->text, "{\"two\":2}");
  EXPECT_EQ((*latest)->published_by, "bob");
  auto one = store().root_by_version(1);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->text, "{\"one\":1}");
  EXPECT_EQ(one->published_at, 100);
}

TEST_P(RootsConformance, AFailedTransactionStoresNoRoot) {
  auto s = store().transact([](Tx& tx) -> Status {
    if (auto s = tx.insert_root({1, "{}", 1, "alice"}); !s) return s;
    return make_error(Code::kInternal, "the audit write failed");
  });
  EXPECT_FALSE(s);
  EXPECT_FALSE(store().latest_root()->has_value());
}

}  // namespace
}  // namespace posfleet::store::conformance

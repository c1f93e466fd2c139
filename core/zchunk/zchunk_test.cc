#include "core/zchunk/zchunk.h"

#include <gtest/gtest.h>

#include <random>

#include "core/fs.h"
#include "core/testing/random_bytes.h"
#include "core/testing/temp_dir.h"

namespace posfleet::zchunk {
namespace {

using testing::random_bytes;

class ZchunkTest : public ::testing::Test {
 protected:
  testing::TempDir dir{"zchunk"};
  std::string path(const std::string& name) const { return dir.path() + "/" + name; }
  void put(const std::string& name, const std::string& bytes) {
    ASSERT_TRUE(write_file_atomic(path(name), bytes));
  }
};

TEST_F(ZchunkTest, AMadeFileChecksAndItsHeaderIsItsFirstBytes) {
  const std::string image = random_bytes(3 << 20, 1);
  put("image", image);
  auto made = make(path("image"), path("image.zck"));
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_GT(made->chunks, 10u);
  auto whole = read_file(path("image.zck"));
  ASSERT_TRUE(whole);
  EXPECT_EQ(made->length, whole->size());
  auto header = read_file(path("image.zck.header"));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->size(), made->header_length);
  EXPECT_EQ(*header, whole->substr(0, made->header_length));
  auto checked = check(path("image.zck"));
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(checked->header_length, made->header_length);
}

TEST_F(ZchunkTest, ACorruptedTruncatedOrForeignFileIsRefused) {
  put("image", random_bytes(1 << 20, 2));
  ASSERT_TRUE(make(path("image"), path("image.zck")));
  auto whole = *read_file(path("image.zck"));

  std::string flipped = whole;
  flipped[whole.size() - 100] ^= 1;  // inside the last chunk's data
  put("flipped.zck", flipped);
  auto r = check(path("flipped.zck"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not match"), std::string::npos) << r.error().message;

  put("short.zck", whole.substr(0, whole.size() - 1));
  EXPECT_FALSE(check(path("short.zck")));
  put("long.zck", whole + "x");
  EXPECT_FALSE(check(path("long.zck")));
  put("header-only.zck", *read_file(path("image.zck.header")));
  EXPECT_FALSE(check(path("header-only.zck")));
  put("not.zck", random_bytes(4096, 3));
  EXPECT_FALSE(check(path("not.zck")));
  EXPECT_FALSE(check(path("missing.zck")));
}

TEST_F(ZchunkTest, AClientFetchesOnlyTheChunksItLacks) {
  const std::string old = random_bytes(4 << 20, 4);
  std::string now = old;
  for (std::size_t at : {std::size_t{100000}, std::size_t{2000000}, std::size_t{3900000}})
    for (std::size_t i = 0; i < 512; ++i) now[at + i] ^= 0x5a;
  put("old", old);
  put("new", now);
  auto made = make(path("new"), path("new.zck"));
  ASSERT_TRUE(made);

  auto same = plan_fetch(path("new"), path("new.zck"), 150);
  ASSERT_TRUE(same) << same.error().message;
  // swupdate's index of the running image leaves its last chunk open: that one is fetched.
  EXPECT_EQ(same->missing_chunks, 1u);
  EXPECT_LT(same->bytes, made->header_length + 70000);
  EXPECT_EQ(same->requests, 1u);

  auto changed = plan_fetch(path("old"), path("new.zck"), 150);
  ASSERT_TRUE(changed);
  EXPECT_GE(changed->missing_chunks, 3u);  // the three changed places
  EXPECT_LT(changed->missing_chunks * 4, changed->chunks);
  EXPECT_LT(changed->bytes * 5, made->length);  // random data: chunks do not compress
  EXPECT_EQ(changed->requests, 1u);

  auto one_each = plan_fetch(path("old"), path("new.zck"), 1);
  ASSERT_TRUE(one_each);
  EXPECT_GE(one_each->requests, 3u);

  put("other", random_bytes(4 << 20, 5));
  auto nothing_shared = plan_fetch(path("other"), path("new.zck"), 150);
  ASSERT_TRUE(nothing_shared);
  EXPECT_EQ(nothing_shared->missing_chunks, nothing_shared->chunks);
}

}  // namespace
}  // namespace posfleet::zchunk

#include "core/hashing.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace posfleet {
namespace {

TEST(Hashing, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hashing, FileDigestsAndPrefix) {
  auto path = (std::filesystem::temp_directory_path() / "posfleet_hashing_test.bin").string();
  { std::ofstream(path, std::ios::binary) << "abcdef"; }
  auto d = digest_file(path);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size, 6u);
  EXPECT_EQ(d->sha256, sha256_hex("abcdef"));
  EXPECT_EQ(d->md5, "e80b5017098950fc58aad83c8c14978e");
  EXPECT_EQ(d->sha1, "1f8ac10f23c5b5bc1167bda84b833e5c057a77d2");
  EXPECT_EQ(*sha256_file(path, 3), sha256_hex("abc"));
  std::remove(path.c_str());
  EXPECT_EQ(digest_file(path).error().code, Code::kIo);
}

TEST(Hashing, Sha256HexShape) {
  EXPECT_TRUE(is_sha256_hex(sha256_hex("x")));
  EXPECT_FALSE(is_sha256_hex("ABC"));
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'g')));
}

}  // namespace
}  // namespace posfleet

#include "server/store/artifact_store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace posfleet::store {
namespace {

namespace fs = std::filesystem;

class ArtifactStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("pf-artifacts-" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  size_t temporary_files() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(root_ / "tmp")) n += e.is_regular_file();
    return n;
  }
  fs::path root_;
};

TEST_F(ArtifactStoreTest, StreamsChunksIntoPlaceUnderTheirDigest) {
  ArtifactStore store(root_.string());
  ASSERT_TRUE(store.init());
  const std::string bytes(200000, 'x');
  const std::string sha = sha256_hex(bytes);
  auto up = store.begin(sha);
  ASSERT_TRUE(up);
  for (size_t at = 0; at < bytes.size(); at += 65536)
    ASSERT_TRUE((*up)->write(std::string_view(bytes).substr(at, 65536)));
  EXPECT_FALSE(store.contains(sha));  // nothing is in place before commit
  auto d = store.commit(**up);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->size, bytes.size());
  EXPECT_EQ(d->sha256, sha);
  EXPECT_TRUE(store.contains(sha));
  EXPECT_EQ(fs::file_size(store.path_of(sha)), bytes.size());
  up->reset();
  EXPECT_EQ(temporary_files(), 0u);
}

TEST_F(ArtifactStoreTest, RefusesBytesThatDoNotHashToTheName) {
  ArtifactStore store(root_.string());
  ASSERT_TRUE(store.init());
  const std::string sha = sha256_hex("right");
  auto up = store.begin(sha);
  ASSERT_TRUE(up);
  ASSERT_TRUE((*up)->write("wrong"));
  auto d = store.commit(**up);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Code::kHashMismatch);
  up->reset();
  EXPECT_FALSE(store.contains(sha));
  EXPECT_EQ(temporary_files(), 0u);
}

TEST_F(ArtifactStoreTest, AnAbandonedUploadLeavesNothing) {
  ArtifactStore store(root_.string());
  ASSERT_TRUE(store.init());
  {
    auto up = store.begin(sha256_hex("abc"));
    ASSERT_TRUE(up);
    ASSERT_TRUE((*up)->write("ab"));
    EXPECT_EQ(temporary_files(), 1u);
  }
  EXPECT_EQ(temporary_files(), 0u);
  EXPECT_FALSE(store.begin("not-a-digest"));
  EXPECT_FALSE(store.begin("../../etc/passwd"));
}

TEST_F(ArtifactStoreTest, InitRemovesUploadsACrashLeftBehind) {
  ArtifactStore store(root_.string());
  ASSERT_TRUE(store.init());
  {
    std::FILE* f = std::fopen((root_ / "tmp" / "left.1.2").c_str(), "w");
    std::fclose(f);
  }
  ASSERT_TRUE(store.init());
  EXPECT_EQ(temporary_files(), 0u);
}

}  // namespace
}  // namespace posfleet::store

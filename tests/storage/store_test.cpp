#include "storage/store.h"

#include <gtest/gtest.h>
#include <cstdlib>
#include <fstream>

#include "support/temp_dir.h"

namespace lake::storage {
namespace {

using lake::testing::TempDir;

std::unique_ptr<Store> OpenOrDie(const std::string& dir) {
  auto store = Store::Open(dir, {});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<std::string> Keys(const Store& store, Family family, std::string_view prefix) {
  std::vector<std::string> keys;
  EXPECT_TRUE(store
                  .ScanPrefix(family, prefix,
                              [&](std::string_view key, std::string_view) {
                                keys.emplace_back(key);
                                return true;
                              })
                  .ok());
  return keys;
}

TEST(Store, PutGetAndFamiliesAreSeparate) {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  ASSERT_TRUE(store->Put(Family::kCatalog, "k", "catalog", {}).ok());
  ASSERT_TRUE(store->Put(Family::kVectors, "k", "vectors", {.sync = true}).ok());
  EXPECT_EQ(store->Get(Family::kCatalog, "k").value(), "catalog");
  EXPECT_EQ(store->Get(Family::kVectors, "k").value(), "vectors");
  EXPECT_EQ(store->Get(Family::kChunks, "k").value(), std::nullopt);
}

TEST(Store, BatchAppliesPutsDeletesAndRangeDeletesTogether) {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  WriteBatch fill;
  for (char c = 'a'; c <= 'j'; ++c)
    fill.Put(Family::kVectors, std::string("p") + c, "v");
  ASSERT_TRUE(store->Write(fill, {}).ok());

  WriteBatch batch;
  batch.DeleteRange(Family::kVectors, "pb", "pe");  // b, c, d
  batch.Delete(Family::kVectors, "pj");
  batch.Put(Family::kVectors, "pz", "new");
  EXPECT_EQ(batch.Count(), 3u);
  ASSERT_TRUE(store->Write(batch, {}).ok());
  EXPECT_EQ(Keys(*store, Family::kVectors, "p"),
            (std::vector<std::string>{"pa", "pe", "pf", "pg", "ph", "pi", "pz"}));
}

TEST(Store, ScanStopsWhenTheVisitorSaysSo) {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  for (const char* key : {"a1", "a2", "a3", "b1"}) {
    ASSERT_TRUE(store->Put(Family::kCatalog, key, "", {}).ok());
  }
  int visited = 0;
  ASSERT_TRUE(store
                  ->Scan(Family::kCatalog, "a2", "",
                         [&](std::string_view, std::string_view) { return ++visited < 2; })
                  .ok());
  EXPECT_EQ(visited, 2);
  EXPECT_EQ(Keys(*store, Family::kCatalog, "a").size(), 3u);
}

TEST(Store, DataSurvivesCloseAndReopen) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.str());
    ASSERT_TRUE(store->Put(Family::kChunks, "chunk", "bytes", {}).ok());
  }
  auto store = OpenOrDie(dir.str());
  EXPECT_EQ(store->Get(Family::kChunks, "chunk").value(), "bytes");
  EXPECT_GT(store->LatestSequence(), 0u);
}

TEST(Store, SecondOpenInTheSameProcessIsBusy) {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  auto second = Store::Open(dir.str(), {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

TEST(Store, DirectoryHeldByAnotherProcessIsBusy) {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  const std::string command = std::string(STORE_OPEN_PROBE) + " " + dir.str() + " >/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0) << "another process could open a directory we hold";
}

TEST(Store, UncreatableDirectoryIsAnIOError) {
  TempDir dir;
  // A regular file where a directory should be: fails even for root.
  std::ofstream(dir.Sub("file")) << "x";
  auto store = Store::Open(dir.Sub("file") + "/lake", {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIOError);
  EXPECT_NE(store.status().message().find("cannot create data directory"), std::string::npos);
}

TEST(Store, MissingDirectoryWithoutCreateIsNotFound) {
  TempDir dir;
  auto store = Store::Open(dir.Sub("absent"), {.create_if_missing = false});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
}

TEST(Store, CheckpointIsAConsistentOpenableCopy) {
  TempDir dir;
  auto store = OpenOrDie(dir.Sub("live"));
  ASSERT_TRUE(store->Put(Family::kVectors, "before", "1", {}).ok());
  ASSERT_TRUE(store->Checkpoint(dir.Sub("copy")).ok());
  ASSERT_TRUE(store->Put(Family::kVectors, "after", "2", {}).ok());
  EXPECT_EQ(store->Checkpoint(dir.Sub("copy")).code(), StatusCode::kAlreadyExists);

  auto copy = OpenOrDie(dir.Sub("copy"));
  EXPECT_EQ(copy->Get(Family::kVectors, "before").value(), "1");
  EXPECT_EQ(copy->Get(Family::kVectors, "after").value(), std::nullopt);
}

}  // namespace
}  // namespace lake::storage

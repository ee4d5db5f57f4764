#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/log.h"
#include "support/sample_data.h"
#include "support/temp_dir.h"
#include "vectors/hnsw_snapshot.h"
#include "vectors/vector_engine.h"

namespace lake::vectors {
namespace {

using lake::testing::TempDir;

// Real SIFT rows: ids 0..4499 stored, 4500..4999 held back for later writes.
class IndexSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sift_ = lake::testing::LoadSift5k();
    previous_sink_ =
        SetLogSink([this](LogLevel, std::string_view line) { log_.emplace_back(line); });
    Open();
    CollectionSpec spec;
    spec.name = "sift";
    spec.dimension = 128;
    ASSERT_TRUE(engine_->CreateCollection(spec).ok());
    std::vector<VectorRecord> records;
    for (std::size_t r = 0; r < 4500; ++r)
      records.push_back(Record(std::int64_t(r), r));
    ASSERT_TRUE(engine_->Upsert("sift", records).ok());
  }
  void TearDown() override { SetLogSink(previous_sink_); }

  void Open() {
    engine_.reset();
    store_.reset();
    log_.clear();
    auto store = storage::Store::Open(dir_.str(), {});
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    auto engine = VectorEngine::Open(store_.get());
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  VectorRecord Record(std::int64_t id, std::size_t row) const {
    VectorRecord record;
    record.id = id;
    record.tenant_id = id % 2;
    record.embedding.assign(sift_.row(row), sift_.row(row) + 128);
    return record;
  }

  std::vector<std::int64_t> Ids(std::size_t row, std::size_t k = 10) const {
    auto found = engine_->Search("sift", std::span<const float>(sift_.row(row), 128), {.k = k});
    EXPECT_TRUE(found.ok());
    std::vector<std::int64_t> ids;
    for (const Neighbor& n : *found)
      ids.push_back(n.id);
    return ids;
  }

  bool Logged(std::string_view text) const {
    for (const std::string& line : log_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  std::string SnapshotFile() const {
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "indexes")) {
      if (entry.path().extension() == ".hnsw") return entry.path().string();
    }
    return {};
  }

  lake::testing::Matrix sift_;
  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<VectorEngine> engine_;
  std::vector<std::string> log_;
  LogSink previous_sink_;
};

TEST_F(IndexSnapshotTest, RestoreReplaysInsertsUpdatesAndDeletesMadeAfterTheSnapshot) {
  ASSERT_TRUE(engine_->SnapshotIndexes().ok());
  // After the snapshot: 300 inserts, 100 updates (id 0..99 get new vectors),
  // 300 deletes.
  std::vector<VectorRecord> inserts, updates;
  for (std::size_t r = 4500; r < 4800; ++r)
    inserts.push_back(Record(std::int64_t(r), r));
  for (std::size_t i = 0; i < 100; ++i)
    updates.push_back(Record(std::int64_t(i), 4800 + i));
  ASSERT_TRUE(engine_->Upsert("sift", inserts).ok());
  ASSERT_TRUE(engine_->Upsert("sift", updates).ok());
  std::vector<std::int64_t> deleted;
  for (std::int64_t id = 1000; id < 1300; ++id)
    deleted.push_back(id);
  ASSERT_EQ(engine_->Delete("sift", deleted).value(), 300u);

  Open();  // no Close(): the snapshot is older than the data
  EXPECT_TRUE(Logged("index restored from the snapshot")) << (log_.empty() ? "" : log_[0]);
  EXPECT_TRUE(Logged("400 changed rows replayed"));
  EXPECT_EQ(engine_->DescribeCollection("sift")->record_count, 4500u);

  const std::set<std::int64_t> gone(deleted.begin(), deleted.end());
  for (std::size_t row = 1000; row < 1300; row += 7) {
    for (std::int64_t id : Ids(row))
      EXPECT_FALSE(gone.contains(id)) << "deleted " << id;
  }
  for (std::size_t row = 4500; row < 4800; row += 7) {
    EXPECT_EQ(Ids(row, 1).front(), std::int64_t(row)) << "inserted after the snapshot";
  }
  for (std::size_t i = 0; i < 100; i += 7) {
    EXPECT_EQ(Ids(4800 + i, 1).front(), std::int64_t(i)) << "updated after the snapshot";
  }

  // The same answers as a fresh build from the stored vectors.
  std::vector<std::vector<std::int64_t>> restored;
  for (std::size_t row = 4900; row < 5000; ++row)
    restored.push_back(Ids(row));
  std::filesystem::remove(SnapshotFile());
  Open();
  EXPECT_TRUE(Logged("no index snapshot"));
  std::size_t same = 0, total = 0;
  for (std::size_t row = 4900; row < 5000; ++row) {
    const auto fresh = Ids(row);
    const std::set<std::int64_t> fresh_set(fresh.begin(), fresh.end());
    for (std::int64_t id : restored[row - 4900])
      same += fresh_set.count(id);
    total += fresh.size();
  }
  EXPECT_GE(double(same) / double(total), 0.97);
}

TEST_F(IndexSnapshotTest, CloseWritesASnapshotThatCoversEverything) {
  ASSERT_TRUE(engine_->Close().ok());
  Open();
  EXPECT_TRUE(Logged("0 changed rows replayed"));
  EXPECT_EQ(Ids(42, 1).front(), 42);
}

TEST_F(IndexSnapshotTest, CorruptOrTruncatedSnapshotsAreRebuiltNeverTrusted) {
  ASSERT_TRUE(engine_->Close().ok());
  const std::string file = SnapshotFile();
  ASSERT_FALSE(file.empty());
  const auto size = std::filesystem::file_size(file);
  {
    std::fstream bytes(file, std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekp(std::streamoff(size / 2));
    bytes.put('\x5a');
  }
  Open();
  EXPECT_TRUE(Logged("fails its checksum; rebuilding the index"));
  EXPECT_EQ(Ids(7, 1).front(), 7);

  ASSERT_TRUE(engine_->Close().ok());
  std::filesystem::resize_file(file, size / 3);
  Open();
  EXPECT_TRUE(Logged("rebuilding the index"));
  EXPECT_EQ(Ids(8, 1).front(), 8);
  EXPECT_EQ(ReadHnswSnapshot(file).status().code(), StatusCode::kCorruption);
}

TEST_F(IndexSnapshotTest, ASnapshotMadeWithOtherSettingsIsNotUsed) {
  ASSERT_TRUE(engine_->Close().ok());
  const std::string file = SnapshotFile();
  const std::string saved = file + ".saved";
  std::filesystem::copy_file(file, saved);
  IndexSettings smaller;
  smaller.hnsw_m = 8;
  smaller.hnsw_ef_construction = 64;
  ASSERT_TRUE(engine_->RebuildIndex("sift", smaller, 2).ok());
  std::filesystem::copy_file(saved, file, std::filesystem::copy_options::overwrite_existing);
  Open();
  EXPECT_TRUE(Logged("made with other settings"));
  EXPECT_EQ(engine_->DescribeCollection("sift")->spec.index.hnsw_m, 8);
  EXPECT_EQ(Ids(9, 1).front(), 9);
}

}  // namespace
}  // namespace lake::vectors

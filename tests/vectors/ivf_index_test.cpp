#include <gtest/gtest.h>

#include <set>

#include "support/sample_data.h"
#include "support/temp_dir.h"
#include "vectors/vector_engine.h"

namespace lake::vectors {
namespace {

// IVF through FAISS, through the engine, on real SIFT rows (the first 100
// are queries): recall against exact search, filters inside the scan,
// deletes, and training once enough rows have arrived.
class IvfIndexTest : public ::testing::TestWithParam<IndexKind> {
 protected:
  void SetUp() override {
    sift_ = lake::testing::LoadSift5k();
    auto store = storage::Store::Open(dir_.str(), {});
    store_ = std::move(store).value();
    engine_ = std::move(VectorEngine::Open(store_.get())).value();
    CollectionSpec spec;
    spec.name = "sift";
    spec.dimension = 128;
    spec.index.kind = GetParam();
    spec.index.ivf_lists = 16;
    spec.index.ivf_probes = 4;
    ASSERT_TRUE(engine_->CreateCollection(spec).ok());
  }

  void InsertRows(std::size_t begin, std::size_t end) {
    std::vector<VectorRecord> records;
    for (std::size_t r = begin; r < end; ++r) {
      VectorRecord record;
      record.id = std::int64_t(r);
      record.tenant_id = std::int64_t(r % 4);
      record.embedding.assign(sift_.row(r), sift_.row(r) + 128);
      records.push_back(std::move(record));
    }
    ASSERT_TRUE(engine_->Upsert("sift", records).ok());
  }

  double Recall(const SearchRequest& base) {
    double recall = 0;
    for (std::size_t q = 0; q < 100; ++q) {
      const std::span<const float> query(sift_.row(q), 128);
      SearchRequest indexed = base, exact = base;
      indexed.method = SearchMethod::kIndex;
      exact.method = SearchMethod::kExact;
      auto found = engine_->Search("sift", query, indexed);
      auto truth = engine_->Search("sift", query, exact);
      EXPECT_TRUE(found.ok() && truth.ok());
      EXPECT_EQ(found->size(), truth->size());
      std::set<std::int64_t> expected;
      for (const Neighbor& n : *truth)
        expected.insert(n.id);
      for (const Neighbor& n : *found)
        recall += double(expected.count(n.id)) / 1000.0;
    }
    return recall;
  }

  lake::testing::Matrix sift_;
  lake::testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<VectorEngine> engine_;
};

TEST_P(IvfIndexTest, TrainsOnceEnoughRowsArriveAndKeepsRecall) {
  InsertRows(100, 400);
  EXPECT_EQ(engine_->DescribeCollection("sift")->index_bytes, 0u) << "too few rows to train";
  InsertRows(400, 5000);
  EXPECT_GT(engine_->DescribeCollection("sift")->index_bytes, 0u);
  EXPECT_GE(Recall({.k = 10}), 0.85);
  EXPECT_GE(Recall({.k = 10, .probes = 16}), 0.97) << "probing every list is exact up to PQ";
}

TEST_P(IvfIndexTest, FiltersApplyInsideTheScanAndDeletesNeverComeBack) {
  InsertRows(100, 5000);
  EXPECT_GE(Recall({.k = 10, .tenant_id = 2, .probes = 8}), 0.9);
  std::vector<std::int64_t> deleted;
  for (std::int64_t id = 100; id < 5000; id += 3)
    deleted.push_back(id);
  ASSERT_TRUE(engine_->Delete("sift", deleted).ok());
  const std::set<std::int64_t> gone(deleted.begin(), deleted.end());
  for (std::size_t q = 100; q < 400; q += 3) {
    auto found = engine_->Search("sift", std::span<const float>(sift_.row(q), 128),
                                 {.k = 10, .tenant_id = 1, .method = SearchMethod::kIndex});
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->size(), 10u);
    for (const Neighbor& n : *found) {
      EXPECT_FALSE(gone.contains(n.id)) << n.id;
      EXPECT_EQ(n.id % 4, 1);
    }
  }
  // Re-inserting deleted rows makes them findable again.
  InsertRows(100, 103);
  auto again = engine_->Search("sift", std::span<const float>(sift_.row(100), 128),
                               {.k = 1, .probes = 16, .method = SearchMethod::kIndex});
  EXPECT_EQ(again->front().id, 100);
}

INSTANTIATE_TEST_SUITE_P(FlatAndPq, IvfIndexTest,
                         ::testing::Values(IndexKind::kIvfFlat, IndexKind::kIvfPq),
                         [](const auto& param) { return std::string(IndexKindName(param.param)); });

}  // namespace
}  // namespace lake::vectors

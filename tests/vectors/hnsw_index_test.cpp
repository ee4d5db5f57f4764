#include "vectors/hnsw_index.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "support/sample_data.h"
#include "vectors/exact_search.h"

namespace lake::vectors {
namespace {

using lake::testing::Matrix;

constexpr std::size_t kQueries = 100;
constexpr std::size_t kK = 10;

// SIFT (5,000 x 128, L2) and Cohere (1,000 x 768, cosine): the first rows
// are held-out queries, the rest is the indexed set.
struct RealSet {
  Matrix data;
  Metric metric;
};

double Recall(const std::vector<Candidate>& found, const std::vector<Candidate>& truth) {
  std::set<std::int64_t> expected;
  for (const Candidate& c : truth)
    expected.insert(c.id);
  std::size_t hits = 0;
  for (const Candidate& c : found)
    hits += expected.count(c.id);
  return truth.empty() ? 1.0 : double(hits) / double(truth.size());
}

class HnswIndexTest : public ::testing::TestWithParam<std::tuple<const char*, Codec>> {
 protected:
  void SetUp() override {
    const std::string set = std::get<0>(GetParam());
    data_ =
        set == std::string("sift") ? lake::testing::LoadSift5k() : lake::testing::LoadCohere768();
    metric_ = set == std::string("sift") ? Metric::kL2 : Metric::kCosine;
    table_ = std::make_unique<VectorTable>(std::uint32_t(data_.dimension), metric_,
                                           std::get<1>(GetParam()));
    exact_ =
        std::make_unique<VectorTable>(std::uint32_t(data_.dimension), metric_, Codec::kFloat32);
    for (std::size_t r = kQueries; r < data_.rows; ++r)
      Insert(r);
  }

  void Insert(std::size_t row) {
    const RecordKey key{std::int64_t(row), 1};
    const std::int64_t tenant = std::int64_t(row % 3);
    table_->Insert(key, tenant, data_.row(row));
    exact_->Insert(key, tenant, data_.row(row));
  }

  void Remove(std::size_t row) {
    ASSERT_TRUE(table_->Remove({std::int64_t(row), 1}).has_value());
    ASSERT_TRUE(exact_->Remove({std::int64_t(row), 1}).has_value());
  }

  std::unique_ptr<HnswIndex> Build(int threads) {
    auto index = std::make_unique<HnswIndex>(*table_, HnswParams{});
    std::vector<std::uint32_t> slots;
    for (std::uint32_t s = 0; s < table_->slot_count(); ++s) {
      if (table_->live(s)) slots.push_back(s);
    }
    index->AddParallel(slots, threads);
    return index;
  }

  // Mean recall@10 of the graph's own scores against exact float32 search.
  double MeanRecall(const HnswIndex& index, std::size_t ef, const RowFilter& filter = {}) {
    double total = 0;
    for (std::size_t q = 0; q < kQueries; ++q) {
      const auto found =
          index.Search(table_->PrepareQuery(data_.row(q)), kK, ef, SlotPredicate(*table_, filter));
      const auto truth = ExactCandidates(*exact_, exact_->PrepareQuery(data_.row(q)), kK,
                                         SlotPredicate(*exact_, filter));
      total += Recall(found, truth);
    }
    return total / kQueries;
  }

  double MinRecall() const { return std::get<1>(GetParam()) == Codec::kInt8 ? 0.85 : 0.95; }

  Matrix data_;
  Metric metric_;
  std::unique_ptr<VectorTable> table_;
  std::unique_ptr<VectorTable> exact_;
};

TEST_P(HnswIndexTest, RecallAgainstExactSearch) {
  const auto index = Build(1);
  EXPECT_EQ(index->node_count(), data_.rows - kQueries);
  EXPECT_GE(MeanRecall(*index, 64), MinRecall());
  EXPECT_GE(MeanRecall(*index, 256), MeanRecall(*index, 16));
}

TEST_P(HnswIndexTest, ParallelBuildKeepsRecall) {
  // Two threads interleave inserts differently on every run, and on 900
  // rows that moves recall by a few points: a margin that still catches a
  // broken concurrent insert (which drops recall far lower).
  const auto index = Build(2);
  EXPECT_GE(MeanRecall(*index, 64), MinRecall() - 0.08);
}

TEST_P(HnswIndexTest, FiltersAreAppliedInsideTheSearch) {
  const auto index = Build(1);  // one thread: the same graph on every run
  const RowFilter tenant{.tenant_id = 1};
  EXPECT_GE(MeanRecall(*index, 64, tenant), MinRecall() - 0.05);
  std::vector<std::int64_t> few_ids;
  for (std::size_t r = kQueries; r < data_.rows; r += 50)
    few_ids.push_back(std::int64_t(r));
  const RowFilter ids{.allowed_ids = few_ids};
  for (std::size_t q = 0; q < kQueries; ++q) {
    const auto query = table_->PrepareQuery(data_.row(q));
    const auto by_tenant = index->Search(query, kK, 64, SlotPredicate(*table_, tenant));
    ASSERT_EQ(by_tenant.size(), kK);
    for (const Candidate& c : by_tenant)
      EXPECT_EQ(table_->tenant(c.row), 1);
    const auto by_id = index->Search(query, kK, 64, SlotPredicate(*table_, ids));
    ASSERT_EQ(by_id.size(), kK) << "k rows match, so k rows must come back";
    for (const Candidate& c : by_id) {
      EXPECT_TRUE(std::binary_search(few_ids.begin(), few_ids.end(), c.id)) << c.id;
    }
  }
}

TEST_P(HnswIndexTest, TightFiltersStepOverRejectedRowsAndStillReturnK) {
  const auto index = Build(1);
  // Every 10th row passes: the walk steps over the others (two-hop).
  std::vector<std::int64_t> tenth;
  for (std::size_t r = kQueries; r < data_.rows; r += 10)
    tenth.push_back(std::int64_t(r));
  const RowFilter filter{.allowed_ids = tenth};
  EXPECT_GE(MeanRecall(*index, 64, filter), MinRecall() - 0.05);
  for (std::size_t q = 0; q < kQueries; ++q) {
    const auto found =
        index->Search(table_->PrepareQuery(data_.row(q)), kK, 64, SlotPredicate(*table_, filter));
    ASSERT_EQ(found.size(), kK);
    for (const Candidate& c : found) {
      EXPECT_TRUE(std::binary_search(tenth.begin(), tenth.end(), c.id)) << c.id;
    }
  }
}

TEST_P(HnswIndexTest, DeletedRowsNeverComeBackAndChurnKeepsRecall) {
  const auto index = Build(1);
  std::mt19937 rng(11);
  std::vector<std::size_t> rows;
  for (std::size_t r = kQueries; r < data_.rows; ++r)
    rows.push_back(r);
  std::shuffle(rows.begin(), rows.end(), rng);
  const std::size_t churn = rows.size() / 3;
  // Delete a third, then insert the same rows again: their slots are reused
  // and re-linked.
  for (std::size_t i = 0; i < churn; ++i)
    Remove(rows[i]);
  const std::set<std::int64_t> deleted(rows.begin(), rows.begin() + churn);
  for (std::size_t q = 0; q < kQueries; ++q) {
    for (const Candidate& c :
         index->Search(table_->PrepareQuery(data_.row(q)), kK, 64, SlotPredicate(*table_, {}))) {
      EXPECT_FALSE(deleted.contains(c.id)) << "deleted row " << c.id << " came back";
    }
  }
  const std::uint32_t slots = table_->slot_count();
  for (std::size_t i = 0; i < churn; ++i) {
    Insert(rows[i]);
    index->Add(*table_->Find({std::int64_t(rows[i]), 1}));
  }
  EXPECT_EQ(table_->slot_count(), slots);
  EXPECT_EQ(index->node_count(), data_.rows - kQueries);
  EXPECT_GE(MeanRecall(*index, 64), MinRecall() - 0.02);
}

INSTANTIATE_TEST_SUITE_P(RealSets, HnswIndexTest,
                         ::testing::Combine(::testing::Values("sift", "cohere"),
                                            ::testing::Values(Codec::kFloat32, Codec::kFloat16,
                                                              Codec::kInt8)),
                         [](const auto& param) {
                           return std::string(std::get<0>(param.param)) + "_" +
                                  std::string(CodecName(std::get<1>(param.param)));
                         });

TEST(HnswIndex, EmptyAndSingleNodeGraphs) {
  VectorTable table(3, Metric::kL2, Codec::kFloat32);
  HnswIndex index(table, {});
  const float v[3] = {1, 2, 3};
  EXPECT_TRUE(index.Search(table.PrepareQuery(v), 5, 10, SlotPredicate(table, {})).empty());
  index.Reserve(1);
  index.Add(table.Insert({7, 1}, 0, v));
  const auto found = index.Search(table.PrepareQuery(v), 5, 10, SlotPredicate(table, {}));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, 7);
  // Re-linking the only node (its slot reused) keeps it searchable.
  table.Remove({7, 1});
  index.Add(table.Insert({8, 1}, 0, v));
  EXPECT_EQ(index.Search(table.PrepareQuery(v), 5, 10, SlotPredicate(table, {}))[0].id, 8);
}

}  // namespace
}  // namespace lake::vectors

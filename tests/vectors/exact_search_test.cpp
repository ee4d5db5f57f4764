#include "vectors/exact_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "support/sample_data.h"

namespace lake::vectors {
namespace {

using lake::testing::Matrix;

struct Row {
  std::int64_t id;
  std::int64_t tenant;
  std::int32_t version;
  const float* values;
};

// The distance users see, in double precision.
double ReferenceDistance(Metric metric, const float* a, const float* b, std::size_t n) {
  double dot = 0, aa = 0, bb = 0, l2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    dot += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
    l2 += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  }
  switch (metric) {
    case Metric::kL2:
      return std::sqrt(l2);
    case Metric::kInnerProduct:
      return -dot;
    case Metric::kCosine:
      return (aa == 0 || bb == 0) ? 1.0 : 1.0 - dot / std::sqrt(aa * bb);
  }
  return 0;
}

std::vector<std::pair<double, std::int64_t>> ReferenceSearch(Metric metric,
                                                             const std::vector<Row>& rows,
                                                             const float* query, std::size_t n,
                                                             std::size_t k,
                                                             const RowFilter& filter) {
  std::vector<std::pair<double, std::int64_t>> all;
  for (const Row& row : rows) {
    if (filter.tenant_id && row.tenant != *filter.tenant_id) continue;
    if (filter.model_version && row.version != *filter.model_version) continue;
    all.emplace_back(ReferenceDistance(metric, query, row.values, n), row.id);
  }
  std::sort(all.begin(), all.end());
  all.resize(std::min(k, all.size()));
  return all;
}

// Ours must return the same distances position by position, and every id
// must really be at the distance reported (ids may differ only on ties).
void ExpectMatchesReference(Metric metric, const std::vector<Row>& rows,
                            const std::vector<Neighbor>& ours,
                            const std::vector<std::pair<double, std::int64_t>>& expected,
                            const float* query, std::size_t n) {
  ASSERT_EQ(ours.size(), expected.size());
  for (std::size_t j = 0; j < ours.size(); ++j) {
    const double tolerance = 1e-4 * (1.0 + std::abs(expected[j].first));
    EXPECT_NEAR(ours[j].distance, expected[j].first, tolerance) << "position " << j;
    auto row =
        std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.id == ours[j].id; });
    ASSERT_NE(row, rows.end());
    EXPECT_NEAR(ReferenceDistance(metric, query, row->values, n), ours[j].distance, tolerance);
  }
}

class ExactSearchTest : public ::testing::TestWithParam<Metric> {
 protected:
  void SetUp() override {
    data_ = lake::testing::LoadCohere768();
    table_ = std::make_unique<VectorTable>(768, GetParam(), Codec::kFloat32);
    // The first 20 rows are queries; the rest is the collection.
    for (std::size_t i = 20; i < data_.rows; ++i) {
      Row row{static_cast<std::int64_t>(i * 3), static_cast<std::int64_t>(i % 5),
              static_cast<std::int32_t>(1 + i % 2), data_.row(i)};
      rows_.push_back(row);
      table_->Insert({row.id, row.version}, row.tenant, row.values);
    }
  }
  Matrix data_;
  std::unique_ptr<VectorTable> table_;
  std::vector<Row> rows_;
};

TEST_P(ExactSearchTest, MatchesTheDoublePrecisionReferenceOnRealEmbeddings) {
  for (const RowFilter& filter :
       {RowFilter{}, RowFilter{3, std::nullopt}, RowFilter{std::nullopt, 2}, RowFilter{4, 1}}) {
    for (std::size_t q = 0; q < 20; ++q) {
      const auto ours = ExactSearch(*table_, data_.row(q), 10, filter);
      const auto expected = ReferenceSearch(GetParam(), rows_, data_.row(q), 768, 10, filter);
      ExpectMatchesReference(GetParam(), rows_, ours, expected, data_.row(q), 768);
      for (const Neighbor& n : ours) {
        const auto row = table_->Find({n.id, n.model_version});
        ASSERT_TRUE(row.has_value());
        if (filter.tenant_id) {
          EXPECT_EQ(table_->tenant(*row), *filter.tenant_id);
        }
        if (filter.model_version) {
          EXPECT_EQ(n.model_version, *filter.model_version);
        }
      }
    }
  }
}

TEST_P(ExactSearchTest, BatchReturnsTheSameAsSingleQueries) {
  const RowFilter filter{2, std::nullopt};
  std::vector<QueryVector> queries;
  for (std::size_t q = 0; q < 20; ++q)
    queries.push_back(table_->PrepareQuery(data_.row(q)));
  const auto candidates = ExactCandidatesBatch(*table_, queries, 7, SlotPredicate(*table_, filter));
  ASSERT_EQ(candidates.size(), 20u);
  for (std::size_t q = 0; q < 20; ++q) {
    const auto single = ExactSearch(*table_, data_.row(q), 7, filter);
    const auto batch_q = ToNeighbors(*table_, candidates[q]);
    ASSERT_EQ(batch_q.size(), single.size());
    for (std::size_t j = 0; j < single.size(); ++j) {
      EXPECT_EQ(batch_q[j].id, single[j].id);
      EXPECT_EQ(batch_q[j].distance, single[j].distance);
    }
  }
}

TEST_P(ExactSearchTest, FewerMatchesThanKReturnsEveryMatch) {
  table_->Insert({999'999, 1}, /*tenant=*/77, data_.row(500));
  const auto only = ExactSearch(*table_, data_.row(0), 10, {77, std::nullopt});
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].id, 999'999);
  EXPECT_TRUE(ExactSearch(*table_, data_.row(0), 10, {12345, std::nullopt}).empty());
  EXPECT_TRUE(ExactSearch(*table_, data_.row(0), 0, {}).empty());
}

TEST_P(ExactSearchTest, DeletesKeepTheTableConsistent) {
  std::mt19937 rng(5);
  std::shuffle(rows_.begin(), rows_.end(), rng);
  for (std::size_t i = 0; i < 300; ++i) {
    ASSERT_TRUE(table_->Remove({rows_.back().id, rows_.back().version}));
    rows_.pop_back();
  }
  EXPECT_FALSE(table_->Remove({-1, 1}));
  ASSERT_EQ(table_->size(), rows_.size());
  for (const Row& row : rows_) {
    const auto slot = table_->Find({row.id, row.version});
    ASSERT_TRUE(slot.has_value());
    EXPECT_EQ(table_->tenant(*slot), row.tenant);
    EXPECT_EQ(table_->key(*slot).id, row.id);
  }
  // Freed slots are reused before the table grows.
  const std::uint32_t slots = table_->slot_count();
  for (std::size_t i = 0; i < 300; ++i) {
    Row row{static_cast<std::int64_t>(100'000 + i), 0, 1, data_.row(i % 20)};
    table_->Insert({row.id, row.version}, row.tenant, row.values);
    rows_.push_back(row);
  }
  EXPECT_EQ(table_->slot_count(), slots);
  for (std::size_t q = 0; q < 5; ++q) {
    const auto ours = ExactSearch(*table_, data_.row(q), 10, {});
    ExpectMatchesReference(GetParam(), rows_, ours,
                           ReferenceSearch(GetParam(), rows_, data_.row(q), 768, 10, {}),
                           data_.row(q), 768);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryMetric, ExactSearchTest,
                         ::testing::Values(Metric::kL2, Metric::kCosine, Metric::kInnerProduct),
                         [](const auto& param) { return std::string(MetricName(param.param)); });

TEST(ExactSearch, IntegerValuedSiftDataFindsItself) {
  const Matrix sift = lake::testing::LoadSift5k();
  VectorTable table(128, Metric::kL2, Codec::kFloat32);
  for (std::size_t i = 0; i < sift.rows; ++i)
    table.Insert({std::int64_t(i), 1}, 0, sift.row(i));
  for (std::size_t q : {0u, 17u, 4999u}) {
    const auto result = ExactSearch(table, sift.row(q), 1, {});
    ASSERT_EQ(result.size(), 1u);
    EXPECT_EQ(result[0].distance, 0.f);
  }
}

}  // namespace
}  // namespace lake::vectors

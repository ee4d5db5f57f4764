// The conditions SQL pushes into searches and scans (vector_types.h,
// RecordConditions): every kind against a brute-force oracle over the same
// rows, the recall and k-rows guarantees at 50 % to 0.1 % of rows passing,
// other metrics, paging, and the field indexes across rewrites and reopens.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <random>
#include <set>

#include "common/json_syntax.h"
#include "support/temp_dir.h"
#include "vectors/metadata_tokens.h"
#include "vectors/vector_engine.h"

namespace lake::vectors {
namespace {

using lake::testing::TempDir;

TEST(MetadataTokens, NumbersPrintAndCompareAsPostgresNumericDoes) {
  EXPECT_EQ(NumericText("15"), "15");
  EXPECT_EQ(NumericText("1.50"), "1.50");
  EXPECT_EQ(NumericText("1.5e1"), "15");
  EXPECT_EQ(NumericText("1.50e1"), "15.0");
  EXPECT_EQ(NumericText("1e-2"), "0.01");
  EXPECT_EQ(NumericText("-0.0"), "0.0");
  EXPECT_EQ(NumericText("-0"), "0");
  EXPECT_EQ(NumericText("2E+3"), "2000");
  EXPECT_EQ(NumericText("-12.5e-1"), "-1.25");
  EXPECT_EQ(NumericValue("1.0"), NumericValue("1"));
  EXPECT_EQ(NumericValue("0.1e1"), NumericValue("1"));
  EXPECT_EQ(NumericValue("-0.0"), NumericValue("0"));
  EXPECT_NE(NumericValue("10"), NumericValue("1"));
  EXPECT_NE(NumericValue("-1"), NumericValue("1"));
}

TEST(MetadataTokens, ReadsTopLevelMembersAsJsonbDoes) {
  std::vector<JsonMember> members;
  ASSERT_TRUE(
      ReadJsonMembers(R"({"a": "x\u00e9\ud83d\ude00\n", "b": {"c": 1}, "a": "last"})", &members));
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].key, "a");
  EXPECT_EQ(members[0].value, "last");  // the last duplicate wins
  EXPECT_EQ(members[1].kind, JsonKind::kContainer);
  ASSERT_TRUE(ReadJsonMembers(R"({"k\"ey": "x\u00e9\ud83d\ude00\n"})", &members));
  EXPECT_EQ(members[0].key, "k\"ey");
  EXPECT_EQ(members[0].value, "x\xc3\xa9\xf0\x9f\x98\x80\n");
  EXPECT_FALSE(ReadJsonMembers("[1]", &members));
  // Equal values, equal tokens; other values, other tokens.
  const auto tokens = RowTokens(R"({"n": 1.0, "s": "gmail", "t": true})");
  const auto has = [&](std::uint64_t token) {
    return std::find(tokens.begin(), tokens.end(), token) != tokens.end();
  };
  EXPECT_TRUE(has(ContainsTokens(R"({"n": 1})")->front().back()));
  EXPECT_TRUE(has(TextTokens("n", {"1.0"}).back()));
  EXPECT_FALSE(has(TextTokens("n", {"1"}).back()));  // ->> prints 1.0
  EXPECT_TRUE(has(ContainsTokens(R"({"s": "gmail"})")->front().back()));
  EXPECT_FALSE(has(ContainsTokens(R"({"s": "drive"})")->front().back()));
  EXPECT_TRUE(has(ContainsTokens(R"({"t": true})")->front().back()));
  EXPECT_FALSE(ContainsTokens("[]").ok());
}

constexpr std::uint32_t kDim = 16;
constexpr std::int64_t kBaseTime = 1'700'000'000'000'000;

// Sources by share of rows: a 50 %, b 10 %, c 1 %, d 0.1 %, e the rest.
std::string SourceOf(std::int64_t id) {
  const std::int64_t r = id % 1000;
  if (r < 500) return "a";
  if (r < 600) return "b";
  if (r < 610) return "c";
  if (r < 611) return "d";
  return "e";
}

struct Row {
  std::int64_t id, tenant, created;
  std::string source;
  int n;
  std::vector<float> v;
};

class RecordConditionsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    engine_.reset();
    store_.reset();
    store_ = std::move(storage::Store::Open(dir_.str(), {})).value();
    engine_ = std::move(VectorEngine::Open(store_.get())).value();
  }

  // Rows with every field varied; ids shuffled against time and source.
  void Load(std::size_t count, IndexKind kind = IndexKind::kHnsw) {
    CollectionSpec spec;
    spec.name = "docs";
    spec.dimension = kDim;
    spec.metric = Metric::kL2;
    spec.model_name = "m";
    spec.index.kind = kind;
    ASSERT_TRUE(engine_->CreateCollection(spec).ok());
    std::mt19937 random(7);
    std::normal_distribution<float> normal;
    std::vector<VectorRecord> records;
    for (std::size_t i = 0; i < count; ++i) {
      Row row{std::int64_t(i) * 3 + 1,
              std::int64_t(i % 7),
              kBaseTime + std::int64_t(i) * 1000000,
              SourceOf(std::int64_t((i * 7919) % count)),
              int(i % 100),
              {}};
      for (std::uint32_t d = 0; d < kDim; ++d)
        row.v.push_back(normal(random));
      VectorRecord record;
      record.id = row.id;
      record.tenant_id = row.tenant;
      record.created_at_us = row.created;
      record.embedding = row.v;
      // n printed as 7.0 on odd rows: containment compares values, ->> texts.
      record.metadata_json = "{\"source\": \"" + row.source +
                             "\", \"n\": " + std::to_string(row.n) + (i % 2 ? ".0" : "") +
                             ", \"nested\": {\"x\": 1}}";
      records.push_back(std::move(record));
      rows_.push_back(std::move(row));
    }
    ASSERT_TRUE(engine_->Upsert("docs", records).ok());
  }

  // The k nearest passing rows by brute force.
  std::vector<std::int64_t> Oracle(const std::vector<float>& q, std::size_t k,
                                   const std::function<bool(const Row&)>& passes,
                                   Metric metric = Metric::kL2) const {
    std::vector<std::pair<float, std::int64_t>> scored;
    for (const Row& row : rows_) {
      if (!passes(row)) continue;
      float dot = 0, qq = 0, rr = 0, l2 = 0;
      for (std::uint32_t d = 0; d < kDim; ++d) {
        dot += q[d] * row.v[d];
        qq += q[d] * q[d];
        rr += row.v[d] * row.v[d];
        l2 += (q[d] - row.v[d]) * (q[d] - row.v[d]);
      }
      const float score = metric == Metric::kL2             ? l2
                          : metric == Metric::kInnerProduct ? -dot
                                                            : 1 - dot / std::sqrt(qq * rr);
      scored.emplace_back(score, row.id);
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < std::min(k, scored.size()); ++i)
      ids.push_back(scored[i].second);
    return ids;
  }

  std::vector<std::int64_t> Ids(const std::vector<float>& q, SearchRequest request) const {
    auto found = engine_->Search("docs", q, request);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    std::vector<std::int64_t> ids;
    if (found.ok()) {
      for (const Neighbor& n : *found)
        ids.push_back(n.id);
    }
    return ids;
  }

  std::vector<float> Query(int seed) const {
    std::mt19937 random(1000 + seed);
    std::normal_distribution<float> normal;
    std::vector<float> q(kDim);
    for (float& x : q)
      x = normal(random);
    return q;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<VectorEngine> engine_;
  std::vector<Row> rows_;
};

struct Case {
  const char* name;
  RecordConditions conditions;
  std::function<bool(const Row&)> passes;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (const char* source : {"a", "b", "c", "d"}) {
    RecordConditions text;
    text.metadata_texts = {{"source", {source}}};
    cases.push_back({source, text, [source](const Row& r) { return r.source == source; }});
  }
  RecordConditions in;
  in.metadata_texts = {{"source", {"c", "d"}}};
  cases.push_back(
      {"source IN (c, d)", in, [](const Row& r) { return r.source == "c" || r.source == "d"; }});
  RecordConditions contains;
  contains.metadata_contains = {R"({"source": "b", "n": 7})"};  // 7 and 7.0 both
  cases.push_back(
      {"@> b, n 7", contains, [](const Row& r) { return r.source == "b" && r.n == 7; }});
  RecordConditions text_n;
  text_n.metadata_texts = {{"n", {"8"}}};  // even rows print 8, never 8.0
  cases.push_back({"->>n = 8", text_n, [](const Row& r) { return r.n == 8; }});
  RecordConditions text_n_odd;
  text_n_odd.metadata_texts = {{"n", {"7"}}};  // odd rows print 7.0: none pass
  cases.push_back({"->>n = 7", text_n_odd, [](const Row&) { return false; }});
  RecordConditions time;
  time.created_min_us = kBaseTime + 1000 * 1000000LL;
  time.created_max_us = kBaseTime + 1100 * 1000000LL - 1;
  cases.push_back({"created range", time, [](const Row& r) {
                     return r.created >= kBaseTime + 1000 * 1000000LL &&
                            r.created < kBaseTime + 1100 * 1000000LL;
                   }});
  RecordConditions ids;
  ids.id_min = 3001;
  ids.id_max = 9000;
  cases.push_back({"id range", ids, [](const Row& r) { return r.id >= 3001 && r.id <= 9000; }});
  RecordConditions tenants;
  tenants.tenant_ids = {2, 5};
  tenants.created_min_us = kBaseTime + 500 * 1000000LL;
  cases.push_back({"tenants and time", tenants, [](const Row& r) {
                     return (r.tenant == 2 || r.tenant == 5) &&
                            r.created >= kBaseTime + 500 * 1000000LL;
                   }});
  RecordConditions nested;
  nested.metadata_contains = {R"({"nested": {"x": 1}})"};  // the engine over-matches: every row
  cases.push_back({"nested", nested, [](const Row&) { return true; }});
  return cases;
}

TEST_F(RecordConditionsTest, ExactSearchesMatchTheOracleForEveryCondition) {
  Load(3000, IndexKind::kFlat);
  for (const Case& c : Cases()) {
    for (int seed = 0; seed < 5; ++seed) {
      const auto q = Query(seed);
      EXPECT_EQ(Ids(q, {.k = 10, .dimension = kDim, .conditions = c.conditions}),
                Oracle(q, 10, c.passes))
          << c.name;
    }
  }
}

TEST_F(RecordConditionsTest, ScansReturnExactlyThePassingRows) {
  Load(3000, IndexKind::kFlat);
  for (const Case& c : Cases()) {
    std::set<std::int64_t> expected, seen;
    for (const Row& row : rows_) {
      if (c.passes(row)) expected.insert(row.id);
    }
    RecordScan scan{.limit = 500, .with_embeddings = false};
    scan.conditions = c.conditions;
    for (;;) {
      auto page = engine_->ScanRecords("docs", scan);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      if (page->empty()) break;
      for (const VectorRecord& r : *page)
        seen.insert(r.id);
      scan.after = std::pair(page->back().id, page->back().model_version);
    }
    EXPECT_EQ(seen, expected) << c.name;
  }
}

// The user_id filter's guarantees, for every other condition: recall@10
// >= 0.95 and k rows on every query at 50 %, 10 %, 1 % and 0.1 % passing.
TEST_F(RecordConditionsTest, FilteredGraphSearchKeepsRecallAndKRows) {
  Load(12000);
  double hits = 0, wanted = 0;
  for (const char* source : {"a", "b", "c", "d"}) {
    RecordConditions conditions;
    conditions.metadata_texts = {{"source", {source}}};
    const auto passes = [source](const Row& r) { return r.source == source; };
    for (int seed = 0; seed < 20; ++seed) {
      const auto q = Query(seed);
      const auto expected = Oracle(q, 10, passes);
      const auto found = Ids(q, {.k = 10, .dimension = kDim, .conditions = conditions});
      ASSERT_EQ(found.size(), expected.size()) << source;
      for (std::int64_t id : found)
        hits += std::count(expected.begin(), expected.end(), id);
      wanted += double(expected.size());
    }
    EXPECT_GE(hits / wanted, 0.95) << source;
  }
}

TEST_F(RecordConditionsTest, AnotherMetricIsAnExactScanInThatMetric) {
  Load(3000);
  RecordConditions some;
  some.metadata_texts = {{"source", {"a", "b"}}};
  for (Metric metric : {Metric::kCosine, Metric::kInnerProduct}) {
    for (int seed = 0; seed < 5; ++seed) {
      const auto q = Query(seed);
      EXPECT_EQ(Ids(q, {.k = 10, .dimension = kDim, .metric = metric}),
                Oracle(
                    q, 10, [](const Row&) { return true; }, metric));
      EXPECT_EQ(
          Ids(q, {.k = 10, .dimension = kDim, .conditions = some, .metric = metric}),
          Oracle(
              q, 10, [](const Row& r) { return r.source == "a" || r.source == "b"; }, metric));
    }
  }
}

// Pages of an ordered search, each after the last row of the one before,
// give the rows of one search for them all, in order.
TEST_F(RecordConditionsTest, PagesContinueWhereTheLastEnded) {
  Load(3000, IndexKind::kFlat);
  const auto q = Query(1);
  std::vector<std::int64_t> paged;
  SearchRequest request{.k = 7, .dimension = kDim};
  for (int page = 0; page < 6; ++page) {
    auto found = engine_->Search("docs", q, request);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->size(), 7u);
    for (const Neighbor& n : *found)
      paged.push_back(n.id);
    request.after = found->back();
    request.returned += found->size();
  }
  EXPECT_EQ(paged, Oracle(q, 42, [](const Row&) { return true; }));
}

// Through the graph too: pages never repeat a row, never go back in
// distance, and are full until the rows run out.
TEST_F(RecordConditionsTest, GraphPagesAreFullOrdered) {
  Load(12000);
  for (int seed = 0; seed < 5; ++seed) {
    const auto q = Query(seed);
    std::set<std::int64_t> seen;
    float last = -1;
    SearchRequest request{.k = 20, .dimension = kDim};
    for (int page = 0; page < 9; ++page) {  // 10,220 of the 12,000 rows
      auto found = engine_->Search("docs", q, request);
      ASSERT_TRUE(found.ok());
      ASSERT_EQ(found->size(), request.k) << "page " << page;
      for (const Neighbor& n : *found) {
        EXPECT_TRUE(seen.insert(n.id).second) << n.id;
        EXPECT_GE(n.distance, last);
        last = n.distance;
      }
      request.after = found->back();
      request.returned += found->size();
      request.k = std::min<std::size_t>(request.k * 2, 10000);
    }
  }
}

TEST_F(RecordConditionsTest, FieldIndexesFollowRewritesDeletesAndReopens) {
  Load(3000);
  RecordConditions gmail;
  gmail.metadata_contains = {R"({"source": "gmail"})"};
  const auto q = Query(2);
  EXPECT_TRUE(Ids(q, {.k = 10, .dimension = kDim, .conditions = gmail}).empty());
  // The same vector with new metadata: the vector stays, the fields change.
  VectorRecord record;
  record.id = rows_[5].id;
  record.tenant_id = rows_[5].tenant;
  record.embedding = rows_[5].v;
  record.created_at_us = kBaseTime - 5;
  record.metadata_json = R"({"source": "gmail"})";
  std::vector<VectorRecord> write{record};
  ASSERT_TRUE(engine_->Upsert("docs", write).ok());
  EXPECT_EQ(Ids(q, {.k = 10, .dimension = kDim, .conditions = gmail}),
            std::vector<std::int64_t>{record.id});
  RecordConditions old_source;
  old_source.metadata_texts = {{"source", {rows_[5].source}}};
  old_source.id_min = old_source.id_max = record.id;
  EXPECT_TRUE(Ids(q, {.k = 10, .dimension = kDim, .conditions = old_source}).empty());
  RecordConditions early;
  early.created_max_us = kBaseTime - 1;
  EXPECT_EQ(Ids(q, {.k = 10, .dimension = kDim, .conditions = early}),
            std::vector<std::int64_t>{record.id});
  for (int reopen = 0; reopen < 2; ++reopen) {  // from the snapshot, then from the rows
    ASSERT_TRUE(engine_->Close().ok());
    if (reopen == 1) std::filesystem::remove_all(dir_.str() + "/indexes");
    Open();
    EXPECT_EQ(Ids(q, {.k = 10, .dimension = kDim, .conditions = gmail}),
              std::vector<std::int64_t>{record.id});
    EXPECT_EQ(Ids(q, {.k = 10, .dimension = kDim, .conditions = early}),
              std::vector<std::int64_t>{record.id});
  }
  ASSERT_TRUE(engine_->Delete("docs", std::vector<std::int64_t>{record.id}).ok());
  EXPECT_TRUE(Ids(q, {.k = 10, .dimension = kDim, .conditions = gmail}).empty());
}

TEST_F(RecordConditionsTest, BadConditionsAreRefused) {
  Load(100, IndexKind::kFlat);
  RecordConditions bad;
  bad.metadata_contains = {"[1, 2]"};
  auto found = engine_->Search("docs", Query(0), {.k = 10, .dimension = kDim, .conditions = bad});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument) << found.status().ToString();
  RecordConditions many;
  many.tenant_ids.assign(kMaxConditionValues + 1, 1);
  found = engine_->Search("docs", Query(0), {.k = 10, .dimension = kDim, .conditions = many});
  EXPECT_FALSE(found.ok());
  if (!found.ok()) {
    EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace lake::vectors

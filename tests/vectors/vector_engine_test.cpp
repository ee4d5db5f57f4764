#include "vectors/vector_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <thread>

#include "support/sample_data.h"
#include "support/temp_dir.h"

namespace lake::vectors {
namespace {

using lake::testing::TempDir;

class VectorEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    engine_.reset();
    store_.reset();
    auto store = storage::Store::Open(dir_.str(), {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto engine = VectorEngine::Open(store_.get());
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  static CollectionSpec Spec(std::string name, std::uint32_t dimension,
                             Metric metric = Metric::kL2) {
    CollectionSpec spec;
    spec.name = std::move(name);
    spec.dimension = dimension;
    spec.metric = metric;
    spec.model_name = "test-model";
    return spec;
  }

  static VectorRecord Record(std::int64_t id, std::int64_t tenant, std::vector<float> embedding,
                             std::int32_t version = 0) {
    VectorRecord record;
    record.id = id;
    record.tenant_id = tenant;
    record.model_version = version;
    record.embedding = std::move(embedding);
    return record;
  }

  Status Upsert(std::string_view name, std::vector<VectorRecord> records) {
    return engine_->Upsert(name, records);
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<VectorEngine> engine_;
};

TEST_F(VectorEngineTest, ScanRecordsPagesThroughEveryRowInKeyOrderWithFilters) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("docs", 2)).ok());
  std::vector<VectorRecord> records;
  for (std::int64_t id = 300; id >= 1; --id)  // written out of order
    records.push_back(Record(id, id % 3, {float(id), 1}));
  records.push_back(Record(7, 1, {7, 2}, 2));  // a second model version of id 7
  ASSERT_TRUE(Upsert("docs", records).ok());
  ASSERT_TRUE(engine_->Delete("docs", std::vector<std::int64_t>{10}).ok());

  std::vector<std::pair<std::int64_t, std::int32_t>> seen;
  RecordScan scan{.limit = 64};
  for (;;) {
    auto page = engine_->ScanRecords("docs", scan);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    for (const VectorRecord& r : *page) {
      seen.emplace_back(r.id, r.model_version);
      EXPECT_EQ(r.embedding[0], float(r.id));
    }
    scan.after = seen.back();
  }
  ASSERT_EQ(seen.size(), 300u);  // 300 ids, one deleted, one with two versions
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  using Key = std::pair<std::int64_t, std::int32_t>;
  EXPECT_EQ(seen[6], Key(7, 1));
  EXPECT_EQ(seen[7], Key(7, 2));

  auto tenant =
      engine_->ScanRecords("docs", {.tenant_id = 1, .limit = 1000, .with_embeddings = false});
  ASSERT_TRUE(tenant.ok());
  EXPECT_EQ(tenant->size(), 100u);  // ids 1, 4, ..., 298 but 10, and 7's second version
  for (const VectorRecord& r : *tenant) {
    EXPECT_EQ(r.tenant_id, 1);
    EXPECT_TRUE(r.embedding.empty());
  }
  auto picked = engine_->ScanRecords("docs", {.model_version = 2, .ids = {7, 8, 10}});
  ASSERT_TRUE(picked.ok());
  ASSERT_EQ(picked->size(), 1u);
  EXPECT_EQ((*picked)[0].embedding, (std::vector<float>{7, 2}));
  EXPECT_EQ(engine_->ScanRecords("nope", {}).status().code(), StatusCode::kNotFound);
}

TEST_F(VectorEngineTest, CreateListDescribeDrop) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("text", 768, Metric::kCosine)).ok());
  ASSERT_TRUE(engine_->CreateCollection(Spec("audio", 192)).ok());
  EXPECT_EQ(engine_->CreateCollection(Spec("text", 768)).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(engine_->CreateCollection(Spec("huge", 16001)).code(), StatusCode::kInvalidArgument);

  const auto list = engine_->ListCollections();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].spec.name, "audio");
  EXPECT_EQ(list[1].spec.name, "text");
  EXPECT_EQ(list[1].spec.metric, Metric::kCosine);

  ASSERT_TRUE(Upsert("audio", {Record(1, 1, std::vector<float>(192, 0.5f))}).ok());
  auto info = engine_->DescribeCollection("audio");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->record_count, 1u);
  EXPECT_EQ(info->spec.dimension, 192u);
  EXPECT_GE(info->table_bytes, 192 * sizeof(float));

  ASSERT_TRUE(engine_->DropCollection("audio").ok());
  EXPECT_EQ(engine_->DropCollection("audio").code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->DescribeCollection("audio").status().code(), StatusCode::kNotFound);

  // A new collection of the same name starts empty, also after a reopen.
  ASSERT_TRUE(engine_->CreateCollection(Spec("audio", 192)).ok());
  Open();
  EXPECT_EQ(engine_->DescribeCollection("audio")->record_count, 0u);
  EXPECT_EQ(engine_->ListCollections().size(), 2u);
}

TEST_F(VectorEngineTest, UpsertGetDeleteAndEverythingSurvivesReopen) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("v", 3)).ok());
  VectorRecord first = Record(10, 5, {1, 2, 3});
  first.metadata_json = R"({"title":"hello"})";
  first.created_at_us = 123;
  ASSERT_TRUE(Upsert("v", {first, Record(11, 6, {4, 5, 6})}).ok());
  ASSERT_TRUE(Upsert("v", {Record(11, 6, {7, 8, 9})}).ok());  // replaces

  Open();
  auto got = engine_->Get("v", 10);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->embedding, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ((*got)->tenant_id, 5);
  EXPECT_EQ((*got)->model_version, 1);
  EXPECT_EQ((*got)->created_at_us, 123);
  EXPECT_EQ((*got)->metadata_json, R"({"title":"hello"})");
  auto replaced = engine_->Get("v", 11);
  EXPECT_EQ((*replaced)->embedding, (std::vector<float>{7, 8, 9}));
  EXPECT_GT((*replaced)->created_at_us, 1'600'000'000'000'000);  // stamped with now
  EXPECT_EQ((*replaced)->metadata_json, "{}");

  const std::vector<std::int64_t> ids = {10, 999};
  EXPECT_EQ(engine_->Delete("v", ids).value(), 1u);
  Open();
  EXPECT_FALSE(engine_->Get("v", 10)->has_value());
  EXPECT_EQ(engine_->DescribeCollection("v")->record_count, 1u);
  const std::vector<float> query = {7, 8, 9};
  auto found = engine_->Search("v", query, {.k = 5});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, 11);
  EXPECT_EQ((*found)[0].distance, 0.f);
}

TEST_F(VectorEngineTest, BadRecordsRejectTheWholeBatchAndChangeNothing) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("v", 4)).ok());
  ASSERT_TRUE(Upsert("v", {Record(1, 1, {1, 1, 1, 1})}).ok());

  Status wrong_dimension = Upsert("v", {Record(1, 1, {9, 9, 9, 9}), Record(2, 1, {1, 2, 3})});
  EXPECT_EQ(wrong_dimension.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong_dimension.message(), "record 2: expected 4 dimensions, got 3");

  Status nan = Upsert("v", {Record(3, 1, {1, std::nanf(""), 1, 1})});
  EXPECT_EQ(nan.message(), "record 3: NaN at position 1; vectors must be finite");
  Status infinite = Upsert("v", {Record(3, 1, {1, 1, 1, INFINITY})});
  EXPECT_EQ(infinite.code(), StatusCode::kInvalidArgument);
  VectorRecord bad_metadata = Record(4, 1, {1, 1, 1, 1});
  bad_metadata.metadata_json = "{not json";
  EXPECT_EQ(Upsert("v", {bad_metadata}).code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(Upsert("nope", {Record(1, 1, {1, 1, 1, 1})}).message(), "unknown collection 'nope'");

  Open();
  EXPECT_EQ(engine_->DescribeCollection("v")->record_count, 1u);
  EXPECT_EQ((*engine_->Get("v", 1).value()).embedding, (std::vector<float>{1, 1, 1, 1}));
}

TEST_F(VectorEngineTest, BadQueriesGetClearErrors) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("v", 4)).ok());
  const std::vector<float> short_query = {1, 2, 3};
  EXPECT_EQ(engine_->Search("v", short_query, {}).status().message(),
            "expected 4 dimensions per query, got 3 values");
  const std::vector<float> nan_query = {1, 2, 3, std::nanf("")};
  EXPECT_EQ(engine_->Search("v", nan_query, {}).status().code(), StatusCode::kInvalidArgument);
  const std::vector<float> query = {1, 2, 3, 4};
  EXPECT_EQ(engine_->Search("absent", query, {}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(engine_->Search("v", query, {})->empty());
}

TEST_F(VectorEngineTest, ModelVersionsCoexistAndTheActiveOneIsOneWrite) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("v", 2)).ok());
  ASSERT_TRUE(Upsert("v", {Record(1, 1, {0, 0}), Record(2, 1, {5, 5})}).ok());  // version 1
  ASSERT_TRUE(Upsert("v", {Record(1, 1, {5, 5}, 2), Record(2, 1, {0, 0}, 2)}).ok());
  const std::vector<float> origin = {0, 0};

  EXPECT_EQ((*engine_->Search("v", origin, {.k = 1}))[0].id, 1);
  EXPECT_EQ((*engine_->Search("v", origin, {.k = 1, .model_version = 2}))[0].id, 2);
  EXPECT_EQ(engine_->Search("v", origin, {.k = 10})->size(), 2u);

  ASSERT_TRUE(engine_->SetActiveModelVersion("v", 2).ok());
  Open();
  EXPECT_EQ(engine_->DescribeCollection("v")->spec.active_model_version, 2);
  EXPECT_EQ((*engine_->Search("v", origin, {.k = 1}))[0].id, 2);
  EXPECT_EQ((*engine_->Get("v", 1).value()).embedding, (std::vector<float>{5, 5}));
  EXPECT_EQ((*engine_->Get("v", 1, 1).value()).embedding, (std::vector<float>{0, 0}));

  // Rollback is the same single write.
  ASSERT_TRUE(engine_->SetActiveModelVersion("v", 1).ok());
  EXPECT_EQ((*engine_->Search("v", origin, {.k = 1}))[0].id, 1);

  // Deleting one version keeps the other; deleting the id removes all.
  const std::vector<std::int64_t> one = {1};
  EXPECT_EQ(engine_->Delete("v", one, 2).value(), 1u);
  EXPECT_TRUE(engine_->Get("v", 1, 1)->has_value());
  EXPECT_EQ(engine_->Delete("v", one).value(), 1u);
  EXPECT_FALSE(engine_->Get("v", 1, 1)->has_value());
  EXPECT_EQ(engine_->DescribeCollection("v")->record_count, 2u);  // id 2 in both versions
}

TEST_F(VectorEngineTest, TenantFilterAppliesAndReopenPreservesTenants) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("v", 768, Metric::kCosine)).ok());
  const auto data = lake::testing::LoadCohere768();
  std::vector<VectorRecord> records;
  for (std::size_t i = 0; i < data.rows; ++i) {
    records.push_back(Record(static_cast<std::int64_t>(i), static_cast<std::int64_t>(i % 4),
                             std::vector<float>(data.row(i), data.row(i) + 768)));
  }
  ASSERT_TRUE(engine_->Upsert("v", records).ok());
  Open();
  const std::span<const float> query(data.row(5), 768);
  auto unfiltered = engine_->Search("v", query, {.k = 10});
  ASSERT_TRUE(unfiltered.ok());
  EXPECT_EQ((*unfiltered)[0].id, 5);
  EXPECT_NEAR((*unfiltered)[0].distance, 0.f, 1e-6);
  auto filtered = engine_->Search("v", query, {.k = 10, .tenant_id = 2});
  ASSERT_EQ(filtered->size(), 10u);
  for (const Neighbor& n : *filtered)
    EXPECT_EQ(n.id % 4, 2);

  auto batch = engine_->SearchBatch("v", std::span<const float>(data.row(0), 768 * 3),
                                    {.k = 3, .tenant_id = 1});
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 3u);
  EXPECT_EQ((*batch)[1][0].id, 1);
}

TEST_F(VectorEngineTest, TheLargestDimensionWorks) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("wide", 16000)).ok());
  std::vector<float> a(16000, 0.25f), b(16000, -0.25f);
  ASSERT_TRUE(Upsert("wide", {Record(1, 1, a), Record(2, 1, b)}).ok());
  Open();
  auto result = engine_->Search("wide", b, {.k = 1});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)[0].id, 2);
}

TEST_F(VectorEngineTest, ConcurrentWritersAndReadersSeeConsistentCounts) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("v", 8)).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        std::vector<VectorRecord> batch = {
            Record(t * 1000 + i, t, std::vector<float>(8, float(i)))};
        EXPECT_TRUE(engine_->Upsert("v", batch).ok());
        const std::vector<float> query(8, float(i));
        EXPECT_TRUE(engine_->Search("v", query, {.k = 3}).ok());
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(engine_->DescribeCollection("v")->record_count, 400u);
  Open();
  EXPECT_EQ(engine_->DescribeCollection("v")->record_count, 400u);
}

TEST(VectorEngineCorruption, ACorruptCatalogEntryFailsOpenWithCorruption) {
  TempDir dir;
  {
    auto store = storage::Store::Open(dir.str(), {});
    ASSERT_TRUE(store.ok());
    auto engine = VectorEngine::Open(store->get());
    ASSERT_TRUE(engine.ok());
    CollectionSpec spec;
    spec.name = "v";
    spec.dimension = 2;
    ASSERT_TRUE((*engine)->CreateCollection(spec).ok());
    ASSERT_TRUE(
        (*store)->Put(storage::Family::kCatalog, "vectors/collection/v", "{\"id\":", {}).ok());
  }
  auto store = storage::Store::Open(dir.str(), {});
  ASSERT_TRUE(store.ok());
  auto engine = VectorEngine::Open(store->get());
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kCorruption);
  EXPECT_NE(engine.status().message().find("vectors/collection/v"), std::string::npos);
}

TEST(VectorEngineCorruption, ACorruptRecordFailsOpenWithCorruption) {
  TempDir dir;
  {
    auto store = storage::Store::Open(dir.str(), {});
    auto engine = VectorEngine::Open(store->get());
    CollectionSpec spec;
    spec.name = "v";
    spec.dimension = 2;
    ASSERT_TRUE((*engine)->CreateCollection(spec).ok());
    ASSERT_TRUE(
        (*store)->Put(storage::Family::kVectors, EncodeRecordKey(1, {5, 1}), "xx", {}).ok());
  }
  auto store = storage::Store::Open(dir.str(), {});
  auto engine = VectorEngine::Open(store->get());
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kCorruption);
  EXPECT_NE(engine.status().message().find("collection 'v'"), std::string::npos);
}

}  // namespace
}  // namespace lake::vectors

namespace lake::vectors {
namespace {

// Through the engine, on more rows than the exact-scan threshold so the HNSW
// index answers: every codec keeps recall@10 against exact search (the
// approximate codecs after re-ranking from the stored float32 vectors).
class EngineCodecTest : public ::testing::TestWithParam<std::tuple<Codec, bool>> {};

TEST_P(EngineCodecTest, IndexedSearchKeepsRecallAndReturnsExactDistances) {
  const auto sift = lake::testing::LoadSift5k();
  lake::testing::TempDir dir;
  auto store = storage::Store::Open(dir.str(), {});
  auto engine = VectorEngine::Open(store->get());
  CollectionSpec spec;
  spec.name = "sift";
  spec.dimension = 128;
  spec.codec = std::get<0>(GetParam());
  spec.index.hnsw_walk_int8 = std::get<1>(GetParam());
  ASSERT_TRUE((*engine)->CreateCollection(spec).ok());
  std::vector<VectorRecord> records(sift.rows - 100);
  for (std::size_t r = 100; r < sift.rows; ++r) {
    records[r - 100].id = std::int64_t(r);
    records[r - 100].tenant_id = std::int64_t(r % 2);
    records[r - 100].embedding.assign(sift.row(r), sift.row(r) + 128);
  }
  ASSERT_TRUE((*engine)->Upsert("sift", records).ok());
  double recall = 0;
  for (std::size_t q = 0; q < 100; ++q) {
    const std::span<const float> query(sift.row(q), 128);
    auto indexed = (*engine)->Search("sift", query, {.k = 10, .method = SearchMethod::kIndex});
    auto exact = (*engine)->Search("sift", query, {.k = 10, .method = SearchMethod::kExact});
    ASSERT_TRUE(indexed.ok() && exact.ok());
    ASSERT_EQ(indexed->size(), 10u);
    std::set<std::int64_t> expected;
    for (const Neighbor& n : *exact)
      expected.insert(n.id);
    for (const Neighbor& n : *indexed)
      recall += expected.count(n.id) / 1000.0;
    // Re-ranked distances are exact, whatever the codec.
    for (const Neighbor& n : *indexed) {
      const auto& stored = records[std::size_t(n.id) - 100].embedding;
      double l2 = 0;
      for (std::size_t d = 0; d < 128; ++d)
        l2 += (double(stored[d]) - query[d]) * (double(stored[d]) - query[d]);
      EXPECT_NEAR(n.distance, std::sqrt(l2), 1e-3 * (1 + std::sqrt(l2)));
    }
  }
  EXPECT_GE(recall, 0.95);
}

INSTANTIATE_TEST_SUITE_P(EveryCodec, EngineCodecTest,
                         ::testing::Combine(::testing::Values(Codec::kFloat32, Codec::kFloat16,
                                                              Codec::kInt8),
                                            ::testing::Bool()),
                         [](const auto& param) {
                           return std::string(CodecName(std::get<0>(param.param))) +
                                  (std::get<1>(param.param) ? "_walk_int8" : "_walk_stored");
                         });

}  // namespace
}  // namespace lake::vectors

namespace lake::vectors {
namespace {

TEST(VectorEngineConcurrency, SearchesGoOnWhileABatchIsInserted) {
  const auto sift = lake::testing::LoadSift5k();
  lake::testing::TempDir dir;
  auto store = storage::Store::Open(dir.str(), {});
  auto engine = std::move(VectorEngine::Open(store->get())).value();
  CollectionSpec spec;
  spec.name = "sift";
  spec.dimension = 128;
  ASSERT_TRUE(engine->CreateCollection(spec).ok());
  const auto records_of = [&](std::size_t begin, std::size_t end) {
    std::vector<VectorRecord> records;
    for (std::size_t r = begin; r < end; ++r) {
      VectorRecord record;
      record.id = std::int64_t(r);
      record.embedding.assign(sift.row(r), sift.row(r) + 128);
      records.push_back(std::move(record));
    }
    return records;
  };
  auto first = records_of(0, 1000);
  ASSERT_TRUE(engine->Upsert("sift", first).ok());

  std::atomic<bool> inserting{true};
  std::atomic<int> searches_during_insert{0};
  std::thread reader([&] {
    for (std::size_t q = 0; inserting; q = (q + 1) % 1000) {
      auto found = engine->Search("sift", std::span<const float>(sift.row(q), 128), {.k = 5});
      ASSERT_TRUE(found.ok());
      ASSERT_FALSE(found->empty());
      if (inserting) ++searches_during_insert;
    }
  });
  auto batch = records_of(1000, 5000);
  EXPECT_TRUE(engine->Upsert("sift", batch).ok());
  inserting = false;
  reader.join();
  // A batch of 4,000 HNSW inserts (a bulk load: on two threads, a slice at
  // a time) takes hundreds of milliseconds; searches must not wait for all
  // of it.
  EXPECT_GT(searches_during_insert.load(), 10);
  EXPECT_EQ(engine->DescribeCollection("sift")->record_count, 5000u);
  auto last = engine->Search("sift", std::span<const float>(sift.row(4999), 128), {.k = 1});
  EXPECT_EQ(last->front().id, 4999);

  // A bulk batch that writes an id twice: the later record wins, once.
  auto rewrite = records_of(0, 3000);
  rewrite.push_back(rewrite[5]);
  rewrite.back().embedding.assign(sift.row(4000), sift.row(4000) + 128);
  ASSERT_TRUE(engine->Upsert("sift", rewrite).ok());
  EXPECT_EQ(engine->DescribeCollection("sift")->record_count, 5000u);
  auto moved = engine->Search("sift", std::span<const float>(sift.row(4000), 128),
                              {.k = 2, .method = SearchMethod::kIndex});
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(moved->size(), 2u);
  EXPECT_EQ(std::set<std::int64_t>({(*moved)[0].id, (*moved)[1].id}),
            std::set<std::int64_t>({5, 4000}));
  auto old_place = engine->Search("sift", std::span<const float>(sift.row(5), 128),
                                  {.k = 1, .method = SearchMethod::kIndex});
  EXPECT_NE(old_place->front().id, 5) << "id 5 still found at its old vector";
}

}  // namespace
}  // namespace lake::vectors

namespace lake::vectors {
namespace {

// A write's rows become visible to searches together (issue 13): a search
// running during an upsert sees the collection as it was or as it is after,
// never part of the write, while the graph work goes on beside it.
TEST_F(VectorEngineTest, SearchesSeeAWriteWholeOrNotAtAll) {
  ASSERT_TRUE(engine_->CreateCollection(Spec("docs", 8)).ok());
  std::vector<VectorRecord> base;
  for (std::int64_t id = 0; id < 3000; ++id)
    base.push_back(Record(id, 1, std::vector<float>(8, float(id % 300))));
  ASSERT_TRUE(Upsert("docs", base).ok());
  for (std::size_t rows : {std::size_t{1500}, std::size_t{6000}}) {  // row by row, in parallel
    std::vector<VectorRecord> write;
    for (std::int64_t id = 0; id < std::int64_t(rows); ++id)
      write.push_back(Record(100000 + id, 7, std::vector<float>(8, 0.5f + float(id % 50))));
    std::atomic<bool> done{false};
    std::set<std::size_t> counts_seen, found_seen;
    std::thread reader([&] {
      while (!done) {
        counts_seen.insert(*engine_->CountTenantRows("docs", 7));
        auto found = engine_->Search("docs", std::vector<float>(8, 0.5f),
                                     {.k = 10, .dimension = 8, .tenant_id = 7});
        found_seen.insert(found->size());
      }
    });
    ASSERT_TRUE(Upsert("docs", write).ok());
    done = true;
    reader.join();
    counts_seen.insert(*engine_->CountTenantRows("docs", 7));
    for (std::size_t count : counts_seen)
      EXPECT_TRUE(count == 0 || count == rows) << "a search saw " << count << " of " << rows;
    for (std::size_t found : found_seen)
      EXPECT_TRUE(found == 0 || found == 10) << found;
    ASSERT_TRUE(engine_
                    ->Delete("docs",
                             [&] {
                               std::vector<std::int64_t> ids;
                               for (const VectorRecord& r : write)
                                 ids.push_back(r.id);
                               return ids;
                             }())
                    .ok());
  }
}

}  // namespace
}  // namespace lake::vectors

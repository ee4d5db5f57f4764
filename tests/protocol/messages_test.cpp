// The message catalogue's codec: every message round-trips with its values,
// and every truncation or corruption of an encoded message is an error,
// never a crash or a huge allocation.
#include <random>

#include <gtest/gtest.h>

#include "protocol/messages.h"

namespace lake::protocol {
namespace {

vectors::VectorRecord SampleRecord() {
  vectors::VectorRecord r;
  r.id = -42;
  r.tenant_id = 7;
  r.model_version = 2;
  r.created_at_us = 1'700'000'000'000'000;
  r.embedding = {1.5f, -0.25f, 3.0f};
  r.metadata_json = R"({"a":1})";
  return r;
}

timeseries::SeriesKey SampleKey() {
  return {9,
          "cpu",
          {{"host", "a"}, {"dc", "x"}},
          timeseries::RetentionClass::kCompliance,
          timeseries::SeriesKind::kState};
}

template <typename T>
T RoundTrip(const T& message) {
  auto decoded = Decode<T>(Encode(message));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? std::move(decoded).value() : T{};
}

// Every strict prefix and many single-byte corruptions of `message`'s
// encoding decode to an error or to some message, without crashing.
template <typename T>
void SurvivesDamage(const T& message) {
  const std::string bytes = Encode(message);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    auto decoded = Decode<T>(std::string_view(bytes).substr(0, cut));
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(decoded.status().message().rfind("malformed message: ", 0), 0u);
    }
  }
  std::mt19937 random(static_cast<unsigned>(bytes.size()));
  for (int flip = 0; flip < 200 && !bytes.empty(); ++flip) {
    std::string damaged = bytes;
    damaged[random() % damaged.size()] = static_cast<char>(random());
    (void)Decode<T>(damaged);
  }
  std::string extended = bytes + "x";
  EXPECT_FALSE(Decode<T>(extended).ok()) << "trailing bytes must be refused";
}

TEST(Messages, VectorRequestsRoundTrip) {
  CreateCollectionRequest create;
  create.spec.name = "docs";
  create.spec.dimension = 768;
  create.spec.metric = vectors::Metric::kCosine;
  create.spec.codec = vectors::Codec::kFloat16;
  create.spec.model_name = "minilm";
  create.spec.active_model_version = 3;
  create.spec.index.kind = vectors::IndexKind::kIvfPq;
  create.spec.index.ivf_lists = 321;
  create.spec.index.hnsw_walk_int8 = false;
  const auto spec = RoundTrip(create).spec;
  EXPECT_EQ(spec.name, "docs");
  EXPECT_EQ(spec.dimension, 768u);
  EXPECT_EQ(spec.metric, vectors::Metric::kCosine);
  EXPECT_EQ(spec.codec, vectors::Codec::kFloat16);
  EXPECT_EQ(spec.model_name, "minilm");
  EXPECT_EQ(spec.active_model_version, 3);
  EXPECT_EQ(spec.index.kind, vectors::IndexKind::kIvfPq);
  EXPECT_EQ(spec.index.ivf_lists, 321);
  EXPECT_FALSE(spec.index.hnsw_walk_int8);
  SurvivesDamage(create);

  const UpsertRequest upsert{"docs", {SampleRecord(), SampleRecord()}};
  const auto records = RoundTrip(upsert).records;
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].id, -42);
  EXPECT_EQ(records[1].tenant_id, 7);
  EXPECT_EQ(records[1].model_version, 2);
  EXPECT_EQ(records[1].created_at_us, 1'700'000'000'000'000);
  EXPECT_EQ(records[1].embedding, (std::vector<float>{1.5f, -0.25f, 3.0f}));
  EXPECT_EQ(records[1].metadata_json, R"({"a":1})");
  EXPECT_FALSE(RoundTrip(upsert).keep_existing);
  EXPECT_TRUE(RoundTrip(UpsertRequest{"docs", {SampleRecord()}, true}).keep_existing);
  SurvivesDamage(upsert);

  SearchRequest search{"docs", {}, {1, 2, 3, 4, 5, 6}};
  search.options = {.k = 7,
                    .dimension = 3,
                    .tenant_id = 5,
                    .model_version = 2,
                    .allowed_ids = {1, 9},
                    .ef_search = 99,
                    .probes = 4,
                    .method = vectors::SearchMethod::kExact};
  const auto decoded = RoundTrip(search);
  EXPECT_EQ(decoded.options.k, 7u);
  EXPECT_EQ(decoded.options.dimension, 3u);
  EXPECT_EQ(decoded.options.tenant_id, std::optional<std::int64_t>(5));
  EXPECT_EQ(decoded.options.allowed_ids, (std::vector<std::int64_t>{1, 9}));
  EXPECT_EQ(decoded.options.ef_search, 99u);
  EXPECT_EQ(decoded.options.probes, 4u);
  EXPECT_EQ(decoded.options.method, vectors::SearchMethod::kExact);
  EXPECT_EQ(decoded.queries.size(), 6u);
  SurvivesDamage(search);
  search.queries.pop_back();  // not whole vectors
  EXPECT_FALSE(Decode<SearchRequest>(Encode(search)).ok());

  const DeleteRequest remove{"docs", 4, {1, 2, 3}};
  EXPECT_EQ(RoundTrip(remove).model_version, std::optional<std::int32_t>(4));
  EXPECT_EQ(RoundTrip(DeleteRequest{"docs", std::nullopt, {1}}).model_version, std::nullopt);
  SurvivesDamage(remove);
  SurvivesDamage(GetRequest{"docs", 2, {5, 6}});
  ScanRecordsRequest page{"docs",
                          {.tenant_id = 3,
                           .ids = {4},
                           .after = std::pair(9, 2),
                           .limit = 50,
                           .with_embeddings = false}};
  const auto scan = RoundTrip(page).scan;
  EXPECT_EQ(scan.tenant_id, std::optional<std::int64_t>(3));
  EXPECT_EQ(scan.model_version, std::nullopt);
  EXPECT_EQ(scan.after->second, 2);
  EXPECT_EQ(scan.limit, 50u);
  EXPECT_FALSE(scan.with_embeddings);
  SurvivesDamage(page);
  SurvivesDamage(RebuildIndexRequest{"docs", {}});

  const DeleteMatchingRequest matching{"docs", page.scan};
  EXPECT_EQ(RoundTrip(matching).matching.ids, (std::vector<std::int64_t>{4}));
  SurvivesDamage(matching);
  const UpdateMetadataRequest update{"docs", page.scan, R"({"a":1})"};
  const auto updated = RoundTrip(update);
  EXPECT_EQ(updated.metadata_json, R"({"a":1})");
  EXPECT_EQ(updated.matching.tenant_id, std::optional<std::int64_t>(3));
  SurvivesDamage(update);
  EXPECT_TRUE(Decode<CommitTransactionRequest>("").ok());
  EXPECT_FALSE(Decode<BeginTransactionRequest>("x").ok()) << "trailing bytes";
  EXPECT_EQ(RoundTrip(TransactionReply{0x1234567890abull}).id, 0x1234567890abull);
  EXPECT_EQ(RoundTrip(TransactionStatusRequest{77}).id, 77u);
  SurvivesDamage(TransactionStatusRequest{77});
  EXPECT_EQ(RoundTrip(TransactionStatusReply{TransactionState::kPending}).state,
            TransactionState::kPending);
  EXPECT_FALSE(Decode<TransactionStatusReply>(std::string(1, '\x03')).ok()) << "no such state";
  const PrepareTransactionRequest prepare{"7301234567890123456", 1ull << 40};
  EXPECT_EQ(RoundTrip(prepare).coordinator, "7301234567890123456");
  EXPECT_EQ(RoundTrip(prepare).coordinator_xid, 1ull << 40);
  SurvivesDamage(prepare);
  EXPECT_TRUE(RoundTrip(ResolvePreparedRequest{9, true}).commit);
  EXPECT_EQ(RoundTrip(ResolvePreparedRequest{9, false}).id, 9u);
  SurvivesDamage(ResolvePreparedRequest{9, true});
  EXPECT_EQ(RoundTrip(ListPreparedRequest{"pg"}).coordinator, "pg");
  const auto listed = RoundTrip(PreparedReply{{{5, 500}, {6, 600}}}).transactions;
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].id, 6u);
  EXPECT_EQ(listed[1].coordinator_xid, 600u);
  SurvivesDamage(PreparedReply{{{5, 500}}});
}

TEST(Messages, VectorRepliesRoundTrip) {
  SearchReply search{{{{1, 1, 0.5f}, {2, 1, 0.75f}}, {}}};
  const auto results = RoundTrip(search).results;
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0][1].id, 2);
  EXPECT_EQ(results[0][1].distance, 0.75f);
  EXPECT_TRUE(results[1].empty());
  SurvivesDamage(search);

  vectors::CollectionInfo info;
  info.spec.name = "docs";
  info.spec.dimension = 4;
  info.record_count = 10;
  info.table_bytes = 1234;
  info.model_versions = {{1, 6}, {2, 4}};
  const auto listed = RoundTrip(CollectionsReply{{info}}).collections;
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].record_count, 10u);
  EXPECT_EQ(listed[0].table_bytes, 1234u);
  EXPECT_EQ(listed[0].model_versions.size(), 2u);
  SurvivesDamage(CollectionsReply{{info}});
  SurvivesDamage(RecordsReply{{SampleRecord()}});
}

TEST(Messages, SeriesMessagesRoundTrip) {
  const EnsureSeriesRequest ensure{{SampleKey()}};
  const auto key = RoundTrip(ensure).keys.at(0);
  EXPECT_EQ(key.tenant, 9);
  EXPECT_EQ(key.metric, "cpu");
  EXPECT_EQ(key.tags, SampleKey().tags);
  EXPECT_EQ(key.retention, timeseries::RetentionClass::kCompliance);
  EXPECT_EQ(key.kind, timeseries::SeriesKind::kState);
  SurvivesDamage(ensure);

  const WritePointsRequest write{{{3, {10, 20}, {1.5, -2.5}}, {4, {}, {}}}};
  const auto batch = RoundTrip(write).batch;
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].timestamps, (std::vector<std::int64_t>{10, 20}));
  EXPECT_EQ(batch[0].values, (std::vector<double>{1.5, -2.5}));
  SurvivesDamage(write);
  // Timestamps and values must pair up.
  EXPECT_FALSE(Decode<WritePointsRequest>(Encode(WritePointsRequest{{{3, {10}, {}}}})).ok());
  SurvivesDamage(WriteTextsRequest{{{5, {1, 2}, {"on", "off"}}}});

  EstimatePointsRequest estimate;
  estimate.filter = {.tenant = 3, .metric = "cpu", .tags = {{"host", "a"}}};
  estimate.start = -4;
  estimate.end = 40;
  const auto decoded_estimate = RoundTrip(estimate);
  EXPECT_EQ(decoded_estimate.filter.tenant, std::optional<std::int64_t>(3));
  EXPECT_EQ(decoded_estimate.filter.tags, estimate.filter.tags);
  EXPECT_EQ(decoded_estimate.filter.kind, std::nullopt);
  EXPECT_EQ(decoded_estimate.end, 40);
  SurvivesDamage(estimate);
  const auto estimated = RoundTrip(PointEstimateReply{{2, 12.5, -3, 9, true, -7, 9}}).estimate;
  EXPECT_EQ(estimated.points, 12.5);
  EXPECT_EQ(estimated.last, 9);
  EXPECT_TRUE(estimated.any);
  EXPECT_EQ(estimated.data_first, -7);

  TimeBucketRequest bucket;
  bucket.query = {.series = {1, 2},
                  .start = -5,
                  .end = 99,
                  .width = 60,
                  .origin = 7,
                  .group_by = timeseries::GroupBy::kTag,
                  .group_tag = "host",
                  .use_rollups = false};
  const auto query = RoundTrip(bucket).query;
  EXPECT_EQ(query.series, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(query.start, -5);
  EXPECT_EQ(query.origin, 7);
  EXPECT_EQ(query.group_by, timeseries::GroupBy::kTag);
  EXPECT_EQ(query.group_tag, "host");
  EXPECT_FALSE(query.use_rollups);
  SurvivesDamage(bucket);

  timeseries::BucketRow row;
  row.group = "a";
  row.bucket = 3600;
  row.aggregate = {.count = 3,
                   .sum = 6,
                   .m2 = 2,
                   .min = 1,
                   .max = 3,
                   .first_ts = 1,
                   .first = 1,
                   .last_ts = 3,
                   .last = 3};
  row.first_text = "x";
  const auto rows = RoundTrip(BucketsReply{{row}}).rows;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].aggregate.count, 3u);
  EXPECT_EQ(rows[0].aggregate.last_ts, 3);
  EXPECT_EQ(rows[0].first_text, "x");
  SurvivesDamage(BucketsReply{{row}});

  const LastPointsReply last{{timeseries::Point{5, 2.5}, std::nullopt}};
  const auto points = RoundTrip(last).points;
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0]->value, 2.5);
  EXPECT_FALSE(points[1].has_value());
  SurvivesDamage(last);

  timeseries::SeriesScan scan;
  scan.series = 8;
  scan.timestamps = {1, 2};
  scan.values = {0.5, 0.25};
  SurvivesDamage(ScanReply{{scan}});
  SurvivesDamage(SeriesInfosReply{{{8, SampleKey()}}});
  SurvivesDamage(ScanRequest{{1, 2}, 0, 10});
  SurvivesDamage(FindSeriesRequest{{1, "cpu", {{"host", "a"}}}});
  const auto broad =
      RoundTrip(FindSeriesRequest{{std::nullopt, std::nullopt, {}, timeseries::SeriesKind::kEvent}})
          .filter;
  EXPECT_FALSE(broad.tenant.has_value());
  EXPECT_FALSE(broad.metric.has_value());
  EXPECT_EQ(broad.kind, timeseries::SeriesKind::kEvent);

  SetRetentionRequest retention;
  retention.settings.standard.minute = 123;
  EXPECT_EQ(RoundTrip(retention).settings.standard.minute, 123);
  SurvivesDamage(retention);
}

TEST(Messages, CountsBeyondThePayloadAreRefusedBeforeAllocating) {
  std::string payload;
  ByteWriter out(&payload);
  out.Varint(std::uint64_t{1} << 62);  // a packed array "this long"
  auto ids = Decode<SeriesIdsReply>(payload);
  ASSERT_FALSE(ids.ok());
  EXPECT_NE(ids.status().message().find("longer than the payload"), std::string::npos);
  auto records = Decode<RecordsReply>(payload);
  EXPECT_FALSE(records.ok());
}

TEST(Messages, NamesCoverTheCatalogue) {
  EXPECT_EQ(MessageName(static_cast<std::uint16_t>(MessageType::kSearch)), "search");
  EXPECT_EQ(MessageName(static_cast<std::uint16_t>(MessageType::kApplyRetention)),
            "apply_retention");
  EXPECT_TRUE(IsKnownMessage(static_cast<std::uint16_t>(MessageType::kTimeBucket)));
  EXPECT_FALSE(IsKnownMessage(999));
  EXPECT_EQ(MessageName(0), "unknown");
}

}  // namespace
}  // namespace lake::protocol

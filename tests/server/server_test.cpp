// lake-server end to end, as a child process: every request kind through the
// socket, tenant scoping, malformed and pipelined frames, slow and idle
// clients, restarts, graceful stops, checkpoints.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "common/byte_buffer.h"
#include "protocol/session.h"
#include "support/raw_connection.h"
#include "support/temp_dir.h"
#include "support/test_server.h"

namespace lake {
namespace {

using namespace protocol;
using testing::RawConnection;
using testing::TempDir;
using testing::TestServer;

constexpr std::uint32_t kDim = 16;

std::vector<float> Vector(std::int64_t seed) {
  std::mt19937 random(static_cast<unsigned>(seed));
  std::normal_distribution<float> normal;
  std::vector<float> v(kDim);
  for (float& x : v)
    x = normal(random);
  return v;
}

vectors::VectorRecord Record(std::int64_t id, std::int64_t tenant) {
  vectors::VectorRecord r;
  r.id = id;
  r.tenant_id = tenant;
  r.embedding = Vector(id);
  r.metadata_json = R"({"n":)" + std::to_string(id) + "}";
  return r;
}

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SearchRequest Search(const std::vector<float>& query, std::size_t k) {
  return SearchRequest{"docs", {.k = k, .dimension = kDim}, query};
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()) << server_.log(); }

  void CreateDocs() {
    auto admin = server_.Connect();
    CreateCollectionRequest create;
    create.spec.name = "docs";
    create.spec.dimension = kDim;
    ASSERT_TRUE(admin->Call(create).ok());
  }
  std::string NewToken(std::int64_t tenant) {
    auto reply = server_.Connect()->Call(CreateTokenRequest{tenant});
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? reply->text : "";
  }

  TempDir dir_;
  TestServer server_{LAKE_SERVER_BINARY, dir_.Sub("lake")};
};

TEST_F(ServerTest, VectorsRoundTripThroughTheSocket) {
  CreateDocs();
  auto admin = server_.Connect();
  UpsertRequest upsert{"docs", {}};
  for (std::int64_t id = 1; id <= 200; ++id)
    upsert.records.push_back(Record(id, id % 2));
  ASSERT_TRUE(admin->Call(upsert).ok());

  auto got = admin->Call(GetRequest{"docs", 0, {7, 9999}});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->records.size(), 1u);
  EXPECT_EQ(got->records[0].embedding, Vector(7));
  EXPECT_EQ(got->records[0].metadata_json, R"({"n":7})");

  auto found = admin->Call(Search(Vector(42), 5));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->results.size(), 1u);
  EXPECT_EQ(found->results[0].front().id, 42);
  EXPECT_NEAR(found->results[0].front().distance, 0.0f, 1e-4);

  // Batch search: two queries in one request, and a tenant filter.
  SearchRequest batch = Search(Vector(10), 3);
  const std::vector<float> second = Vector(11);
  batch.queries.insert(batch.queries.end(), second.begin(), second.end());
  batch.options.tenant_id = 0;
  auto batched = admin->Call(batch);
  ASSERT_TRUE(batched.ok());
  ASSERT_EQ(batched->results.size(), 2u);
  EXPECT_EQ(batched->results[0].front().id, 10);
  for (const auto& hits : batched->results)
    for (const auto& hit : hits)
      EXPECT_EQ(hit.id % 2, 0) << "the tenant filter let another tenant's row through";

  auto removed = admin->Call(DeleteRequest{"docs", std::nullopt, {7, 8, 9999}});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->count, 2u);

  auto listed = admin->Call(ListCollectionsRequest{"docs"});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->collections[0].record_count, 198u);
}

TEST_F(ServerTest, TransactionsApplyAllTheirWritesAtCommitOrNone) {
  CreateDocs();
  auto admin = server_.Connect();
  UpsertRequest seed{"docs", {}};
  for (std::int64_t id = 1; id <= 10; ++id)
    seed.records.push_back(Record(id, id % 2));
  ASSERT_TRUE(admin->Call(seed).ok());
  auto series = admin->Call(EnsureSeriesRequest{{{0, "tx", {}}}});
  ASSERT_TRUE(series.ok());
  const std::uint64_t id = series->ids[0];
  const std::int64_t now = NowMicros();

  // A transaction with nothing staged commits nothing.
  auto writer = server_.Connect();
  ASSERT_TRUE(writer->Call(BeginTransactionRequest{}).ok());
  auto empty = writer->Call(CommitTransactionRequest{});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->count, 0u);

  // Staged: nothing is visible before the commit, not even to the writer.
  ASSERT_TRUE(writer->Call(BeginTransactionRequest{}).ok());
  EXPECT_FALSE(writer->Call(BeginTransactionRequest{}).ok()) << "nested begin";
  UpsertRequest more{"docs", {Record(11, 1), Record(12, 0)}};
  ASSERT_TRUE(writer->Call(more).ok());
  ASSERT_TRUE(writer->Call(WritePointsRequest{{{id, {now, now + 1}, {1.0, 2.0}}}}).ok());
  ASSERT_TRUE(writer->Call(DeleteMatchingRequest{"docs", {.tenant_id = 1}}).ok());
  UpdateMetadataRequest tag{"docs", {}, R"({"tagged":true})"};
  tag.matching.ids = {2, 12};
  ASSERT_TRUE(writer->Call(tag).ok());
  // A bad write fails when sent and is not staged; the rest stay.
  UpsertRequest bad{"docs", {Record(13, 0)}};
  bad.records[0].embedding.pop_back();
  EXPECT_EQ(writer->Call(bad).status().message(), "record 13: expected " + std::to_string(kDim) +
                                                      " dimensions, got " +
                                                      std::to_string(kDim - 1));
  EXPECT_EQ(admin->Call(GetRequest{"docs", 0, {11, 12}})->records.size(), 0u);
  EXPECT_EQ(writer->Call(ScanRequest{{id}, 0, INT64_MAX})->series[0].timestamps.size(), 0u);
  EXPECT_EQ(admin->Call(ListCollectionsRequest{"docs"})->collections[0].record_count, 10u);

  auto committed = writer->Call(CommitTransactionRequest{});
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->count, 4u);
  // In order: 11 (tenant 1) was inserted, then every tenant-1 row deleted.
  auto left = admin->Call(GetRequest{"docs", 0, {1, 2, 3, 11, 12}});
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->records.size(), 2u);
  EXPECT_EQ(left->records[0].id, 2);
  EXPECT_EQ(left->records[0].metadata_json, R"({"tagged":true})");
  EXPECT_EQ(left->records[1].id, 12);
  EXPECT_EQ(left->records[1].metadata_json, R"({"tagged":true})");
  EXPECT_EQ(admin->Call(ScanRequest{{id}, 0, INT64_MAX})->series[0].timestamps.size(), 2u);
  EXPECT_FALSE(writer->Call(CommitTransactionRequest{}).ok()) << "a commit with no transaction";

  // Upserts into one collection commit as one engine write.
  ASSERT_TRUE(writer->Call(BeginTransactionRequest{}).ok());
  ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(15, 0), Record(16, 0)}}).ok());
  ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(16, 2), Record(17, 0)}}).ok());
  EXPECT_EQ(writer->Call(CommitTransactionRequest{})->count, 2u);
  auto loaded = admin->Call(GetRequest{"docs", 0, {15, 16, 17}});
  ASSERT_EQ(loaded->records.size(), 3u);
  EXPECT_EQ(loaded->records[1].tenant_id, 2) << "the later write of id 16 wins";

  // Abort, and a dropped connection, discard what was staged.
  ASSERT_TRUE(writer->Call(BeginTransactionRequest{}).ok());
  ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(20, 0)}}).ok());
  ASSERT_TRUE(writer->Call(AbortTransactionRequest{}).ok());
  {
    auto dropped = server_.Connect();
    ASSERT_TRUE(dropped->Call(BeginTransactionRequest{}).ok());
    ASSERT_TRUE(dropped->Call(UpsertRequest{"docs", {Record(21, 0)}}).ok());
  }
  EXPECT_EQ(admin->Call(GetRequest{"docs", 0, {20, 21}})->records.size(), 0u);

  // A tenant's transaction is scoped like its plain writes.
  auto tenant = server_.Connect(NewToken(7));
  ASSERT_TRUE(tenant->Call(BeginTransactionRequest{}).ok());
  EXPECT_EQ(tenant->Call(WritePointsRequest{{{id, {now}, {1.0}}}}).status().message(),
            "unknown series " + std::to_string(id));
  ASSERT_TRUE(tenant->Call(UpsertRequest{"docs", {Record(30, 0), Record(31, 0)}}).ok());
  ASSERT_TRUE(tenant->Call(DeleteMatchingRequest{"docs", {}}).ok());
  ASSERT_TRUE(tenant->Call(UpsertRequest{"docs", {Record(32, 0)}}).ok());
  ASSERT_TRUE(tenant->Call(CommitTransactionRequest{}).ok());
  auto mine = admin->Call(ScanRecordsRequest{"docs", {.tenant_id = 7}});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->records.size(), 1u);
  EXPECT_EQ(mine->records[0].id, 32);
  EXPECT_EQ(admin->Call(ListCollectionsRequest{"docs"})->collections[0].record_count, 10u)
      << "the tenant's delete reached other tenants' rows";
}

// Two-phase commit: a prepared transaction's writes are kept, invisible,
// beyond its connection and a kill -9, until it is resolved; resolving is
// idempotent; only its owner (or the admin) sees and resolves it.
TEST_F(ServerTest, PreparedTransactionsOutliveTheConnectionAndACrashUntilResolved) {
  CreateDocs();
  const auto present = [&](std::int64_t id) {
    auto got = server_.Connect()->Call(GetRequest{"docs", 0, {id}});
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() && !got->records.empty();
  };
  std::uint64_t committed = 0, aborted = 0;
  {
    auto writer = server_.Connect();
    ASSERT_TRUE(writer->Call(BeginTransactionRequest{}).ok());
    ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(1, 0)}}).ok());
    ASSERT_TRUE(writer->Call(DeleteRequest{"docs", std::nullopt, {7}}).ok());  // an intent
    auto prepared = writer->Call(PrepareTransactionRequest{"pg-a", 100});
    ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
    committed = prepared->id;
    EXPECT_FALSE(writer->Call(CommitTransactionRequest{}).ok()) << "prepared, not open";
    ASSERT_TRUE(writer->Call(BeginTransactionRequest{}).ok());
    ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(2, 0)}}).ok());
    aborted = writer->Call(PrepareTransactionRequest{"pg-a", 101})->id;
  }
  EXPECT_FALSE(present(1));
  EXPECT_EQ(server_.Connect()->Call(TransactionStatusRequest{committed})->state,
            TransactionState::kPending);
  server_.Kill();
  ASSERT_TRUE(server_.Start()) << server_.log();
  auto admin = server_.Connect();
  auto listed = admin->Call(ListPreparedRequest{"pg-a"});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->transactions.size(), 2u);
  EXPECT_EQ(listed->transactions[0].id, committed);
  EXPECT_EQ(listed->transactions[0].coordinator_xid, 100u);
  EXPECT_EQ(listed->transactions[1].coordinator_xid, 101u);
  EXPECT_TRUE(admin->Call(ListPreparedRequest{"pg-b"})->transactions.empty());
  EXPECT_TRUE(server_.Connect(NewToken(1))->Call(ListPreparedRequest{"pg-a"})->transactions.empty())
      << "a tenant sees only its own";
  EXPECT_FALSE(present(1));

  auto resolved = admin->Call(ResolvePreparedRequest{committed, true});
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->count, 2u);
  EXPECT_TRUE(present(1));
  EXPECT_EQ(admin->Call(TransactionStatusRequest{committed})->state, TransactionState::kCommitted);
  EXPECT_EQ(admin->Call(ResolvePreparedRequest{committed, true})->count, 0u) << "idempotent";
  EXPECT_EQ(admin->Call(ResolvePreparedRequest{committed, false}).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(admin->Call(ResolvePreparedRequest{aborted, false}).ok());
  EXPECT_FALSE(present(2));
  EXPECT_TRUE(admin->Call(ResolvePreparedRequest{aborted, false}).ok()) << "idempotent";
  EXPECT_EQ(admin->Call(ResolvePreparedRequest{aborted, true}).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(admin->Call(ListPreparedRequest{"pg-a"})->transactions.empty());
  // A tenant resolves only its own.
  auto mine = server_.Connect(NewToken(3));
  ASSERT_TRUE(mine->Call(BeginTransactionRequest{}).ok());
  ASSERT_TRUE(mine->Call(UpsertRequest{"docs", {Record(30, 3)}}).ok());
  const std::uint64_t tenants = mine->Call(PrepareTransactionRequest{"pg-a", 102})->id;
  EXPECT_FALSE(server_.Connect(NewToken(4))->Call(ResolvePreparedRequest{tenants, true}).ok());
  EXPECT_FALSE(present(30));
  EXPECT_EQ(mine->Call(ResolvePreparedRequest{tenants, true})->count, 1u);
  EXPECT_TRUE(present(30));
}

TEST_F(ServerTest, TransactionStatusTellsWhatBecameOfATransaction) {
  CreateDocs();
  auto writer = server_.Connect();
  auto asker = server_.Connect();
  const auto state = [&](Session& session, std::uint64_t id) {
    auto reply = session.Call(TransactionStatusRequest{id});
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? reply->state : TransactionState::kAborted;
  };
  // Open, then committed; the record survives a restart.
  auto begun = writer->Call(BeginTransactionRequest{});
  ASSERT_TRUE(begun.ok());
  const std::uint64_t committed = begun->id;
  EXPECT_EQ(state(*asker, committed), TransactionState::kPending);
  ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(1, 0)}}).ok());
  ASSERT_TRUE(writer->Call(CommitTransactionRequest{}).ok());
  EXPECT_EQ(state(*asker, committed), TransactionState::kCommitted);
  // Every commit path writes its record: nothing staged, an intent (writes
  // of two kinds), and upserts applied together.
  std::vector<std::uint64_t> ids;
  for (int path = 0; path < 3; ++path) {
    auto next = writer->Call(BeginTransactionRequest{});
    ASSERT_TRUE(next.ok());
    EXPECT_GT(next->id, committed);
    ids.push_back(next->id);
    if (path >= 1) {
      ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(2, 0)}}).ok());
    }
    if (path == 1) {
      ASSERT_TRUE(writer->Call(DeleteRequest{"docs", std::nullopt, {1}}).ok());
    }
    if (path == 2) {
      ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(3, 0)}}).ok());
    }
    ASSERT_TRUE(writer->Call(CommitTransactionRequest{}).ok());
    EXPECT_EQ(state(*asker, ids.back()), TransactionState::kCommitted) << "path " << path;
  }
  // Aborted, and dropped with its connection.
  const std::uint64_t aborted = writer->Call(BeginTransactionRequest{})->id;
  ASSERT_TRUE(writer->Call(UpsertRequest{"docs", {Record(4, 0)}}).ok());
  ASSERT_TRUE(writer->Call(AbortTransactionRequest{}).ok());
  EXPECT_EQ(state(*asker, aborted), TransactionState::kAborted);
  auto leaver = server_.Connect();
  const std::uint64_t dropped = leaver->Call(BeginTransactionRequest{})->id;
  ASSERT_TRUE(leaver->Call(UpsertRequest{"docs", {Record(5, 0)}}).ok());
  EXPECT_EQ(state(*asker, dropped), TransactionState::kPending);
  leaver.reset();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (state(*asker, dropped) == TransactionState::kPending &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(state(*asker, dropped), TransactionState::kAborted);
  EXPECT_EQ(state(*asker, 12345), TransactionState::kAborted) << "an id never given";
  // A tenant learns of its own transactions only.
  auto mine = server_.Connect(NewToken(1));
  auto other = server_.Connect(NewToken(2));
  const std::uint64_t tenants = mine->Call(BeginTransactionRequest{})->id;
  EXPECT_EQ(state(*other, tenants), TransactionState::kAborted);
  EXPECT_EQ(state(*mine, tenants), TransactionState::kPending);
  ASSERT_TRUE(mine->Call(CommitTransactionRequest{}).ok());
  EXPECT_EQ(state(*other, tenants), TransactionState::kAborted);
  EXPECT_EQ(state(*mine, tenants), TransactionState::kCommitted);
  EXPECT_EQ(state(*other, committed), TransactionState::kAborted) << "the admin's";

  writer.reset();
  asker.reset();
  mine.reset();
  other.reset();
  EXPECT_EQ(server_.Stop(), 0);
  ASSERT_TRUE(server_.Start()) << server_.log();
  auto after = server_.Connect();
  EXPECT_EQ(state(*after, committed), TransactionState::kCommitted);
  for (std::uint64_t id : ids)
    EXPECT_EQ(state(*after, id), TransactionState::kCommitted);
  EXPECT_EQ(state(*after, dropped), TransactionState::kAborted);
}

TEST_F(ServerTest, BadInputGetsClearErrors) {
  CreateDocs();
  auto admin = server_.Connect();
  SearchRequest wrong = Search(std::vector<float>(kDim - 1, 0.5f), 3);
  wrong.options.dimension = kDim - 1;
  auto answer = admin->Call(wrong);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().message(), "expected 16 dimensions, got 15");

  vectors::VectorRecord nan = Record(1, 0);
  nan.embedding[3] = std::nanf("");
  auto upserted = admin->Call(UpsertRequest{"docs", {Record(2, 0), nan}});
  ASSERT_FALSE(upserted.ok());
  EXPECT_EQ(upserted.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(admin->Call(GetRequest{"docs", 0, {2}})->records.empty())
      << "a rejected batch must change nothing";

  auto unknown = admin->Call(Search(Vector(1), 3));
  ASSERT_TRUE(unknown.ok());
  unknown = admin->Call(SearchRequest{"nope", {.k = 3, .dimension = kDim}, Vector(1)});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  // The connection is still good after errors.
  EXPECT_TRUE(admin->Call(PingRequest{}).ok());
}

TEST_F(ServerTest, TimeSeriesThroughTheSocket) {
  auto admin = server_.Connect();
  const std::int64_t hour = 3'600'000'000;
  const std::int64_t start = (NowMicros() / hour - 48) * hour;
  auto ids =
      admin->Call(EnsureSeriesRequest{{{5, "cpu", {{"host", "a"}}}, {5, "cpu", {{"host", "b"}}}}});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->ids.size(), 2u);
  WritePointsRequest write;
  for (std::uint64_t id : ids->ids) {
    PointColumns columns{id, {}, {}};
    for (int i = 0; i < 48 * 60; ++i) {
      columns.timestamps.push_back(start + i * 60'000'000LL);
      columns.values.push_back(static_cast<double>(i % 60) + static_cast<double>(id));
    }
    write.batch.push_back(columns);
  }
  ASSERT_TRUE(admin->Call(write).ok());

  auto found = admin->Call(FindSeriesRequest{{5, "cpu", {{"host", "b"}}}});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->series.size(), 1u);
  EXPECT_EQ(found->series[0].id, ids->ids[1]);

  TimeBucketRequest bucket;
  bucket.query = {.series = ids->ids,
                  .start = start,
                  .end = start + 48 * hour,
                  .width = hour,
                  .group_by = timeseries::GroupBy::kAll};
  auto rows = admin->Call(bucket);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->rows.size(), 48u);
  EXPECT_EQ(rows->rows[0].aggregate.count, 120u);
  EXPECT_DOUBLE_EQ(rows->rows[0].aggregate.min, static_cast<double>(ids->ids[0]));

  auto scan = admin->Call(ScanRequest{{ids->ids[0]}, start, start + hour});
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->series[0].timestamps.size(), 60u);
  EXPECT_EQ(scan->series[0].values[59], 59.0 + static_cast<double>(ids->ids[0]));

  auto last = admin->Call(LastPointRequest{{ids->ids[1]}});
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->points[0].has_value());
  EXPECT_EQ(last->points[0]->timestamp, start + (48 * 60 - 1) * 60'000'000LL);

  ASSERT_TRUE(admin->Call(DeleteRangeRequest{{ids->ids[0]}, start, start + hour}).ok());
  scan = admin->Call(ScanRequest{{ids->ids[0]}, start, start + 2 * hour});
  EXPECT_EQ(scan->series[0].timestamps.size(), 60u);

  // Events travel as texts.
  auto event = admin->Call(EnsureSeriesRequest{
      {{5, "deploys", {}, timeseries::RetentionClass::kStandard, timeseries::SeriesKind::kEvent}}});
  ASSERT_TRUE(event.ok());
  ASSERT_TRUE(
      admin->Call(WriteTextsRequest{{{event->ids[0], {start, start + 1}, {"v1", "v2"}}}}).ok());
  auto texts = admin->Call(ScanRequest{event->ids, start, start + 2});
  ASSERT_TRUE(texts.ok());
  EXPECT_EQ(texts->series[0].texts, (std::vector<std::string>{"v1", "v2"}));

  auto retention = admin->Call(GetRetentionRequest{});
  ASSERT_TRUE(retention.ok());
  retention->settings.standard.minute = 400 * 24 * hour;
  ASSERT_TRUE(admin->Call(SetRetentionRequest{retention->settings}).ok());
  EXPECT_EQ(admin->Call(GetRetentionRequest{})->settings.standard.minute, 400 * 24 * hour);
}

TEST_F(ServerTest, TenantsSeeOnlyTheirOwnRows) {
  CreateDocs();
  auto a = server_.Connect(NewToken(1));
  auto b = server_.Connect(NewToken(2));
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a->identity().admin);
  EXPECT_EQ(a->identity().tenant, 1);

  // Rows that name no tenant (0) are stamped as their writer's; a row that
  // names another tenant fails the batch.
  UpsertRequest a_rows{"docs", {}};
  for (std::int64_t id = 1; id <= 100; ++id)
    a_rows.records.push_back(Record(id, id == 50 ? 2 : 0));
  EXPECT_EQ(a->Call(a_rows).status().message(),
            "id 50 is for tenant 2: a tenant writes only its own rows");
  a_rows.records[49].tenant_id = 1;
  ASSERT_TRUE(a->Call(a_rows).ok());
  UpsertRequest b_rows{"docs", {}};
  for (std::int64_t id = 101; id <= 150; ++id)
    b_rows.records.push_back(Record(id, 0));
  ASSERT_TRUE(b->Call(b_rows).ok());

  // b's search returns only b's rows; one that asks for tenant 1 returns
  // nothing (not b's own rows), and is still checked.
  SearchRequest probe = Search(Vector(5), 20);
  auto hits = b->Call(probe);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->results[0].size(), 20u);
  for (const auto& hit : hits->results[0])
    EXPECT_GT(hit.id, 100);
  probe.options.tenant_id = 1;
  hits = b->Call(probe);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->results.size(), 1u);
  EXPECT_TRUE(hits->results[0].empty());
  probe.options.dimension = 15;
  EXPECT_EQ(b->Call(probe).status().code(), StatusCode::kInvalidArgument);
  // Asking for a's ids by id list gives nothing either.
  probe = Search(Vector(5), 20);
  probe.options.allowed_ids = {1, 2, 3};
  EXPECT_TRUE(b->Call(probe)->results[0].empty());

  // Get and delete of another tenant's ids act as if they did not exist.
  EXPECT_TRUE(b->Call(GetRequest{"docs", 0, {1, 2}})->records.empty());
  EXPECT_EQ(b->Call(DeleteRequest{"docs", std::nullopt, {1, 2, 3}})->count, 0u);
  EXPECT_EQ(a->Call(GetRequest{"docs", 0, {1, 2, 3}})->records.size(), 3u);
  EXPECT_EQ(a->Call(GetRequest{"docs", 0, {1}})->records[0].tenant_id, 1);
  // Overwriting another tenant's id is refused, and changes nothing.
  auto overwrite = b->Call(UpsertRequest{"docs", {Record(1, 0)}});
  EXPECT_EQ(overwrite.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a->Call(GetRequest{"docs", 0, {1}})->records[0].embedding, Vector(1));

  // A scan sees b's rows only; one that asks for tenant 1 sees nothing.
  auto scanned = b->Call(ScanRecordsRequest{"docs", {.limit = 1000}});
  ASSERT_TRUE(scanned.ok());
  EXPECT_EQ(scanned->records.size(), 50u);
  for (const auto& record : scanned->records)
    EXPECT_EQ(record.tenant_id, 2);
  scanned = b->Call(ScanRecordsRequest{"docs", {.tenant_id = 1, .limit = 1000}});
  ASSERT_TRUE(scanned.ok());
  EXPECT_TRUE(scanned->records.empty());
  // Changes that name tenant 1 change nothing, of a's rows or of b's.
  EXPECT_EQ(b->Call(UpdateMetadataRequest{"docs", {.tenant_id = 1}, R"({"by":"b"})"})->count, 0u);
  EXPECT_EQ(b->Call(DeleteMatchingRequest{"docs", {.tenant_id = 1}})->count, 0u);
  EXPECT_EQ(b->Call(DeleteMatchingRequest{"nowhere", {.tenant_id = 1}}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(a->Call(ListCollectionsRequest{"docs"})->collections[0].record_count, 100u);
  EXPECT_EQ(b->Call(ListCollectionsRequest{"docs"})->collections[0].record_count, 50u);
  EXPECT_EQ(b->Call(GetRequest{"docs", 0, {101}})->records[0].metadata_json, R"({"n":101})");
  EXPECT_EQ(a->Call(GetRequest{"docs", 0, {1}})->records[0].metadata_json, R"({"n":1})");

  // Counts are per tenant; catalog, stats and tokens are admin-only.
  EXPECT_EQ(a->Call(ListCollectionsRequest{"docs"})->collections[0].record_count, 100u);
  EXPECT_EQ(b->Call(ListCollectionsRequest{})->collections[0].record_count, 50u);
  EXPECT_EQ(b->Call(StatsRequest{}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(b->Call(CreateTokenRequest{1}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(b->Call(DropCollectionRequest{"docs"}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(b->Call(CheckpointRequest{"/tmp/x"}).status().code(), StatusCode::kPermissionDenied);

  // Series: a's series are unknown to b, with the message a missing one gets.
  EXPECT_EQ(a->Call(EnsureSeriesRequest{{{2, "steps", {}}}}).status().code(),
            StatusCode::kPermissionDenied);
  auto a_series = a->Call(EnsureSeriesRequest{{{0, "steps", {}}}});
  ASSERT_TRUE(a_series.ok());
  const std::uint64_t id = a_series->ids[0];
  const std::int64_t now = NowMicros();
  ASSERT_TRUE(a->Call(WritePointsRequest{{{id, {now}, {1.0}}}}).ok());
  EXPECT_EQ(a->Call(DescribeSeriesRequest{{id}})->series[0].key.tenant, 1);
  // b has a "steps" series of its own; asking for tenant 1's finds nothing.
  const std::uint64_t b_id = b->Call(EnsureSeriesRequest{{{2, "steps", {}}}})->ids[0];
  ASSERT_TRUE(b->Call(WritePointsRequest{{{b_id, {now, now + 1}, {5.0, 6.0}}}}).ok());
  EXPECT_TRUE(b->Call(FindSeriesRequest{{1, "steps", {}}})->series.empty());
  EXPECT_EQ(b->Call(FindSeriesRequest{{2, "steps", {}}})->series.size(), 1u);
  EXPECT_EQ(b->Call(FindSeriesRequest{{std::nullopt, std::nullopt, {}}})->series.size(), 1u)
      << "a tenant's search of every series finds only its own";
  EXPECT_EQ(a->Call(FindSeriesRequest{{}})->series.size(), 1u);
  // Planner estimates count only the caller's own points.
  EXPECT_EQ(a->Call(EstimatePointsRequest{{}, INT64_MIN, INT64_MAX})->estimate.points, 1.0);
  const auto b_estimate = b->Call(EstimatePointsRequest{{1, "steps", {}}, INT64_MIN, INT64_MAX});
  ASSERT_TRUE(b_estimate.ok());
  EXPECT_EQ(b_estimate->estimate.series, 0u);
  EXPECT_EQ(b_estimate->estimate.points, 0.0);
  const std::string unknown = "unknown series " + std::to_string(id);
  EXPECT_EQ(b->Call(DescribeSeriesRequest{{id}}).status().message(), unknown);
  EXPECT_EQ(b->Call(ScanRequest{{id}, 0, INT64_MAX}).status().message(), unknown);
  EXPECT_EQ(b->Call(LastPointRequest{{id}}).status().message(), unknown);
  TimeBucketRequest bucket;
  bucket.query = {.series = {id}, .start = 0, .end = INT64_MAX / 2};
  EXPECT_EQ(b->Call(bucket).status().message(), unknown);
  EXPECT_EQ(b->Call(WritePointsRequest{{{id, {now + 1}, {9.0}}}}).status().message(), unknown);
  EXPECT_EQ(b->Call(DeleteRangeRequest{{id}, 0, INT64_MAX}).status().message(), unknown);
  EXPECT_EQ(b->Call(DescribeSeriesRequest{{id + 1000}}).status().message(),
            "unknown series " + std::to_string(id + 1000));
  auto still = a->Call(ScanRequest{{id}, 0, INT64_MAX});
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->series[0].values, std::vector<double>{1.0});
}

TEST_F(ServerTest, RacingTenantsNeverSeeEachOther) {
  CreateDocs();
  const std::string tokens[2] = {NewToken(11), NewToken(12)};
  std::atomic<bool> stop{false};
  std::atomic<int> leaks{0}, failures{0}, searches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const int tenant = t % 2;
      auto session = Session::Open(server_.client_options(), tokens[tenant]);
      if (!session.ok()) {
        ++failures;
        return;
      }
      auto ensured = (*session)->Call(EnsureSeriesRequest{{{0, "m", {{"t", std::to_string(t)}}}}});
      if (!ensured.ok()) ++failures;
      // Tenant 0 owns ids below 1,000,000, tenant 1 the ones above.
      std::int64_t next = tenant * 1'000'000 + t * 100'000 + 1;
      for (int round = 0; !stop && round < 400; ++round) {
        UpsertRequest upsert{"docs", {}};
        for (int i = 0; i < 10; ++i)
          upsert.records.push_back(Record(next++, 0));
        if (!(*session)->Call(upsert).ok()) ++failures;
        auto hits = (*session)->Call(Search(Vector(round), 10));
        if (!hits.ok()) {
          ++failures;
          continue;
        }
        ++searches;
        for (const auto& hit : hits->results[0])
          if ((hit.id >= 1'000'000) != (tenant == 1)) ++leaks;
        auto series = (*session)->Call(FindSeriesRequest{{0, "m", {}}});
        if (!series.ok()) ++failures;
        for (const auto& info : series->series)
          if (std::stoi(*timeseries::FindTag(info.key.tags, "t")) % 2 != tenant) ++leaks;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(leaks, 0);
  EXPECT_GT(searches, 20);
}

std::string Frame16(std::uint32_t length, std::uint16_t type, std::uint16_t flags,
                    std::uint64_t id) {
  std::string header;
  ByteWriter out(&header);
  out.Fixed(length);
  out.Fixed(type);
  out.Fixed(flags);
  out.Fixed(id);
  return header;
}

TEST_F(ServerTest, MalformedFramesGetErrorsAndNothingElseBreaks) {
  const std::string auth = EncodeFrame(static_cast<std::uint16_t>(MessageType::kAuthenticate), 1,
                                       Encode(AuthenticateRequest{server_.admin_token()}));
  {  // Not our protocol: closed without an answer.
    RawConnection c(server_.socket_path());
    c.Send("GET / HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(c.Closed());
  }
  {  // Another version: an error frame, then the close.
    RawConnection c(server_.socket_path());
    c.Send(EncodeHello(99));
    auto error = c.Next();
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->type, kErrorType);
    EXPECT_NE(DecodeStatus(error->payload).message().find("version 1, not 99"), std::string::npos);
    EXPECT_FALSE(c.Next().has_value());
  }
  {  // Requests before authentication are refused; the connection stays.
    RawConnection c(server_.socket_path());
    ASSERT_EQ(c.Greet(), EncodeHello());
    c.Send(EncodeFrame(static_cast<std::uint16_t>(MessageType::kStats), 7, ""));
    auto refused = c.Next();
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->request_id, 7u);
    EXPECT_EQ(DecodeStatus(refused->payload).code(), StatusCode::kPermissionDenied);
    // Unknown types and malformed payloads are errors for that request only.
    c.Send(auth);
    ASSERT_EQ(c.Next()->type, static_cast<std::uint16_t>(MessageType::kAuthenticate));
    c.Send(EncodeFrame(999, 8, "x"));
    auto unknown = c.Next();
    EXPECT_EQ(DecodeStatus(unknown->payload).message(), "unknown message type 999");
    c.Send(EncodeFrame(static_cast<std::uint16_t>(MessageType::kSearch), 9, "\x05garbage"));
    auto malformed = c.Next();
    EXPECT_EQ(DecodeStatus(malformed->payload).code(), StatusCode::kInvalidArgument);
    // A list count far beyond the payload is refused before any allocation.
    std::string huge;
    ByteWriter(&huge).Varint(std::uint64_t{1} << 60);
    c.Send(EncodeFrame(static_cast<std::uint16_t>(MessageType::kUpsert), 10,
                       "\x04"
                       "docs" +
                           huge));
    EXPECT_EQ(DecodeStatus(c.Next()->payload).code(), StatusCode::kInvalidArgument);
    // Pipelined requests with ids in any order are answered in request order.
    for (std::uint64_t id : {50, 20, 90})
      c.Send(EncodeFrame(static_cast<std::uint16_t>(MessageType::kPing), id, ""));
    for (std::uint64_t id : {50, 20, 90}) {
      auto pong = c.Next();
      ASSERT_TRUE(pong.has_value());
      EXPECT_EQ(pong->request_id, id);
      EXPECT_EQ(pong->type, static_cast<std::uint16_t>(MessageType::kPing));
    }
  }
  {  // An oversized frame: an error, then the close, before the payload arrives.
    RawConnection c(server_.socket_path());
    c.Greet();
    c.Send(Frame16(300u << 20, static_cast<std::uint16_t>(MessageType::kPing), 0, 1));
    auto error = c.Next();
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->type, kErrorType);
    EXPECT_FALSE(c.Next().has_value());
  }
  {  // Reserved flags set: the same.
    RawConnection c(server_.socket_path());
    c.Greet();
    c.Send(Frame16(0, static_cast<std::uint16_t>(MessageType::kPing), 4, 1));
    EXPECT_EQ(c.Next()->type, kErrorType);
    EXPECT_FALSE(c.Next().has_value());
  }
  {  // A truncated frame and a hang-up: the server just drops the connection.
    RawConnection c(server_.socket_path());
    c.Greet();
    c.Send(Frame16(1000, static_cast<std::uint16_t>(MessageType::kPing), 0, 1) + "abc");
  }
  {  // A wrong token closes the connection after its error.
    RawConnection c(server_.socket_path());
    c.Greet();
    c.Send(EncodeFrame(static_cast<std::uint16_t>(MessageType::kAuthenticate), 1,
                       Encode(AuthenticateRequest{"lake_wrong"})));
    EXPECT_EQ(DecodeStatus(c.Next()->payload).code(), StatusCode::kPermissionDenied);
    EXPECT_FALSE(c.Next().has_value());
  }
  // After all that, the server serves as before.
  EXPECT_TRUE(server_.Connect()->Call(PingRequest{}).ok());
}

TEST_F(ServerTest, AClientThatStopsReadingStallsNobodyElse) {
  CreateDocs();
  auto admin = server_.Connect();
  UpsertRequest upsert{"docs", {}};
  for (std::int64_t id = 1; id <= 2000; ++id)
    upsert.records.push_back(Record(id, 0));
  ASSERT_TRUE(admin->Call(upsert).ok());

  // A client pipelines big answers and never reads them.
  RawConnection greedy(server_.socket_path());
  greedy.Greet();
  greedy.Send(EncodeFrame(static_cast<std::uint16_t>(MessageType::kAuthenticate), 1,
                          Encode(AuthenticateRequest{server_.admin_token()})));
  const std::string get_all = Encode(GetRequest{"docs", 0, [] {
                                                  std::vector<std::int64_t> ids;
                                                  for (std::int64_t id = 1; id <= 2000; ++id)
                                                    ids.push_back(id);
                                                  return ids;
                                                }()});
  std::string burst;
  for (std::uint64_t id = 2; id < 1000; ++id)
    burst += EncodeFrame(static_cast<std::uint16_t>(MessageType::kGet), id, get_all);
  // About 200 MB of answers it never reads: the server buffers some, then
  // stops reading this connection, so the sender blocks.
  std::size_t accepted = 0;
  std::thread sender([&] { accepted = greedy.SendUpTo(burst); });

  // Everyone else is answered promptly meanwhile.
  auto other = server_.Connect();
  for (int i = 0; i < 50; ++i) {
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(other->Call(Search(Vector(i), 5)).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  }
  sender.join();
  EXPECT_LT(accepted, burst.size()) << "the server kept reading a client that never reads";
  EXPECT_TRUE(server_.Connect()->Call(PingRequest{}).ok());
}

TEST(ServerTcp, ListensOnLoopbackWhenAsked) {
  TempDir dir;
  TestServer server(LAKE_SERVER_BINARY, dir.Sub("lake"), {"--tcp-port", "0"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string log = server.log();
  const std::size_t at = log.find(" and 127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << log;
  ClientOptions tcp;
  tcp.host = "127.0.0.1";
  tcp.port = static_cast<std::uint16_t>(std::stoi(log.substr(at + 15)));
  auto session = Session::Open(tcp, server.admin_token());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_TRUE((*session)->Call(PingRequest{}).ok());
  EXPECT_EQ(server.Stop(), 0);
}

TEST(ServerIdle, IdleConnectionsAreClosed) {
  TempDir dir;
  TestServer server(LAKE_SERVER_BINARY, dir.Sub("lake"), {"--idle-timeout", "0.5"});
  ASSERT_TRUE(server.Start()) << server.log();
  auto session = server.Connect();
  ASSERT_TRUE(session->Call(PingRequest{}).ok());
  EXPECT_TRUE(session->connected());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(session->connected()) << "the hang-up is seen before any request is sent";
  auto late = session->Call(PingRequest{});
  EXPECT_EQ(late.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(server.Connect()->Call(PingRequest{}).ok());
}

TEST_F(ServerTest, ClientsGetAClearErrorWhenTheServerDiesAndReconnectAfterARestart) {
  CreateDocs();
  auto admin = server_.Connect();
  ASSERT_TRUE(admin->Call(UpsertRequest{"docs", {Record(1, 0)}}).ok());
  server_.Kill();
  auto dead = admin->Call(PingRequest{});
  ASSERT_FALSE(dead.ok());
  EXPECT_EQ(dead.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(admin->connected());
  auto refused = Session::Open(server_.client_options(), server_.admin_token());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("cannot connect to lake-server"), std::string::npos);

  ASSERT_TRUE(server_.Start()) << server_.log();
  auto again = server_.Connect();
  auto got = again->Call(GetRequest{"docs", 0, {1}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->records.size(), 1u);
}

TEST_F(ServerTest, ASecondServerOnTheSameDirectoryIsRefused) {
  TestServer second(LAKE_SERVER_BINARY, dir_.Sub("lake"), {"--socket", dir_.Sub("other.sock")});
  EXPECT_FALSE(second.Start());
  EXPECT_NE(second.log().find("is in use by another lake process"), std::string::npos)
      << second.log();
  EXPECT_TRUE(server_.Connect()->Call(PingRequest{}).ok());
}

TEST_F(ServerTest, SigtermStopsCleanlyAndTheNextStartLoadsTheSnapshot) {
  CreateDocs();
  auto admin = server_.Connect();
  UpsertRequest upsert{"docs", {}};
  for (std::int64_t id = 1; id <= 300; ++id)
    upsert.records.push_back(Record(id, 0));
  ASSERT_TRUE(admin->Call(upsert).ok());
  EXPECT_EQ(server_.Stop(), 0);
  EXPECT_NE(server_.log().find("stopped cleanly"), std::string::npos) << server_.log();
  EXPECT_FALSE(std::filesystem::exists(server_.socket_path()));
  ASSERT_TRUE(server_.Start()) << server_.log();
  EXPECT_EQ(server_.log().find("no index snapshot"), std::string::npos)
      << "the restart rebuilt the index instead of loading its snapshot:\n"
      << server_.log();
  EXPECT_NE(server_.log().find("1 collections (300 vectors)"), std::string::npos) << server_.log();
  auto hits = server_.Connect()->Call(Search(Vector(77), 1));
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->results[0][0].id, 77);
}

TEST_F(ServerTest, CheckpointOfARunningServerRestoresToThatMoment) {
  CreateDocs();
  auto admin = server_.Connect();
  ASSERT_TRUE(admin->Call(UpsertRequest{"docs", {Record(1, 0), Record(2, 0)}}).ok());
  const std::string backup = dir_.Sub("backup");
  ASSERT_TRUE(admin->Call(CheckpointRequest{backup}).ok());
  EXPECT_EQ(admin->Call(CheckpointRequest{backup}).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(admin->Call(UpsertRequest{"docs", {Record(3, 0)}}).ok());

  TestServer restored(LAKE_SERVER_BINARY, backup);
  ASSERT_TRUE(restored.Start()) << restored.log();
  auto session = restored.Connect();
  auto got = session->Call(GetRequest{"docs", 0, {1, 2, 3}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->records.size(), 2u);
  EXPECT_EQ(restored.Stop(), 0);
}

}  // namespace
}  // namespace lake

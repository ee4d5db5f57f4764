// kill -9 of lake-server during heavy writes from several clients, four
// times: after each restart every acknowledged write (vectors and points)
// is there with its exact value, and a write that was in flight when the
// server died is there whole or not at all; so is a transaction of several
// writes (vectors and points) whose commit was in flight.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "protocol/session.h"
#include "support/temp_dir.h"
#include "support/test_server.h"

namespace lake {
namespace {

using namespace protocol;

constexpr std::uint32_t kDim = 32;
constexpr int kRecordsPerBatch = 25;
constexpr int kPointWriters = 2;
constexpr int kSeriesPerWriter = 10;
constexpr int kPointsPerSeries = 400;  // per batch

// Deterministic, well spread values (a hash of id and position).
float ValueOf(std::int64_t id, std::uint32_t i) {
  return static_cast<float>(Mix64(static_cast<std::uint64_t>(id) * 64 + i) % 100003) / 1000.0f;
}
double PointValue(std::uint64_t series, std::int64_t t) {
  return static_cast<double>((series * 7919 + static_cast<std::uint64_t>(t) / 1000) % 1000003) /
         7.0;
}

struct Batch {
  std::vector<std::int64_t> ids;      // vectors
  std::vector<std::uint64_t> series;  // points: these series, timestamps [first, first + n)
  std::int64_t first = 0;
  std::uint64_t transaction = 0;  // its id, for a transaction's writes
};

struct Ledger {
  std::mutex mutex;
  std::vector<Batch> acknowledged;
  std::vector<Batch> in_flight;  // unanswered when the server died
  void Add(Batch batch, bool acked) {
    std::lock_guard lock(mutex);
    (acked ? acknowledged : in_flight).push_back(std::move(batch));
  }
};

// An upsert of kRecordsPerBatch records from `first_id`, noted in `batch`.
UpsertRequest UpsertOf(std::int64_t first_id, Batch* batch) {
  UpsertRequest upsert{"docs", {}};
  for (std::int64_t i = first_id; i < first_id + kRecordsPerBatch; ++i) {
    vectors::VectorRecord record;
    record.id = i;
    for (std::uint32_t d = 0; d < kDim; ++d)
      record.embedding.push_back(ValueOf(i, d));
    upsert.records.push_back(std::move(record));
    batch->ids.push_back(i);
  }
  return upsert;
}

void WriteVectors(const ClientOptions& options, const std::string& token, std::int64_t first_id,
                  Ledger& ledger) {
  auto session = Session::Open(options, token);
  if (!session.ok()) return;
  for (std::int64_t id = first_id;; id += kRecordsPerBatch) {
    Batch batch;
    const bool acked = (*session)->Call(UpsertOf(id, &batch)).ok();
    ledger.Add(std::move(batch), acked);
    if (!acked) return;
  }
}

void WritePoints(const ClientOptions& options, const std::string& token,
                 std::vector<std::uint64_t> series, std::int64_t start, Ledger& ledger) {
  auto session = Session::Open(options, token);
  if (!session.ok()) return;
  for (std::int64_t first = start;; first += kPointsPerSeries * 1'000'000LL) {
    WritePointsRequest write;
    for (std::uint64_t id : series) {
      PointColumns columns{id, {}, {}};
      for (int i = 0; i < kPointsPerSeries; ++i) {
        const std::int64_t t = first + i * 1'000'000LL;
        columns.timestamps.push_back(t);
        columns.values.push_back(PointValue(id, t));
      }
      write.batch.push_back(std::move(columns));
    }
    const bool acked = (*session)->Call(write).ok();
    ledger.Add({{}, series, first}, acked);
    if (!acked) return;
  }
}

// Transactions of four writes: two upserts of vectors, two of points.
void WriteTransactions(const ClientOptions& options, const std::string& token,
                       std::int64_t first_id, std::vector<std::uint64_t> series, std::int64_t start,
                       Ledger& ledger) {
  auto session = Session::Open(options, token);
  if (!session.ok()) return;
  std::int64_t id = first_id;
  for (std::int64_t first = start;; first += kPointsPerSeries * 1'000'000LL) {
    Batch batch{{}, series, first};
    auto begun = (*session)->Call(BeginTransactionRequest{});
    bool acked = begun.ok();
    if (acked) batch.transaction = begun->id;
    for (int half = 0; half < 2 && acked; ++half, id += kRecordsPerBatch) {
      const UpsertRequest upsert = UpsertOf(id, &batch);
      WritePointsRequest write;
      for (std::size_t s = half; s < series.size(); s += 2) {
        PointColumns columns{series[s], {}, {}};
        for (int i = 0; i < kPointsPerSeries; ++i) {
          const std::int64_t t = first + i * 1'000'000LL;
          columns.timestamps.push_back(t);
          columns.values.push_back(PointValue(series[s], t));
        }
        write.batch.push_back(std::move(columns));
      }
      acked = (*session)->Call(upsert).ok() && (*session)->Call(write).ok();
    }
    const bool committed = acked && (*session)->Call(CommitTransactionRequest{}).ok();
    ledger.Add(std::move(batch), committed);
    if (!committed) return;
  }
}

std::size_t WholeSize(const Batch& batch) {
  return batch.ids.size() + batch.series.size() * std::size_t{kPointsPerSeries};
}

// How many of the batch's writes the server holds; fails on a wrong value.
std::size_t CountPresent(Session& session, const Batch& batch) {
  std::size_t present = 0;
  if (!batch.ids.empty()) {
    auto got = session.Call(GetRequest{"docs", 0, batch.ids});
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return 0;
    for (const auto& record : got->records) {
      for (std::uint32_t d = 0; d < kDim; ++d)
        EXPECT_EQ(record.embedding[d], ValueOf(record.id, d)) << "record " << record.id;
      ++present;
    }
  }
  if (batch.series.empty()) return present;
  const std::int64_t end = batch.first + kPointsPerSeries * 1'000'000LL;
  auto scan = session.Call(ScanRequest{batch.series, batch.first, end});
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  if (!scan.ok()) return 0;
  for (const auto& s : scan->series) {
    for (std::size_t i = 0; i < s.timestamps.size(); ++i)
      EXPECT_EQ(s.values[i], PointValue(s.series, s.timestamps[i]));
    present += s.timestamps.size();
  }
  return present;
}

TEST(ServerCrash, KillNineDuringHeavyWritesLosesNoAcknowledgedWrite) {
  testing::TempDir dir;
  testing::TestServer server(LAKE_SERVER_BINARY, dir.Sub("lake"));
  ASSERT_TRUE(server.Start()) << server.log();
  auto admin = server.Connect();
  CreateCollectionRequest create;
  create.spec.name = "docs";
  create.spec.dimension = kDim;
  ASSERT_TRUE(admin->Call(create).ok());
  EnsureSeriesRequest ensure;
  for (int i = 0; i < (kPointWriters + 1) * kSeriesPerWriter; ++i)
    ensure.keys.push_back({1, "load", {{"n", std::to_string(i)}}});
  auto series = admin->Call(ensure);
  ASSERT_TRUE(series.ok());
  const std::string token = server.admin_token();
  const std::int64_t day_ago = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count() -
                               24LL * 3600 * 1'000'000;

  Ledger ledger;
  std::mt19937 random(20261128);
  for (int round = 0; round < 4; ++round) {
    std::vector<std::thread> writers;
    writers.emplace_back(WriteVectors, server.client_options(), token,
                         std::int64_t{round} * 10'000'000, std::ref(ledger));
    for (int w = 0; w < kPointWriters; ++w) {
      std::vector<std::uint64_t> mine(series->ids.begin() + w * kSeriesPerWriter,
                                      series->ids.begin() + (w + 1) * kSeriesPerWriter);
      // Each round writes a later hour range of its own.
      writers.emplace_back(WritePoints, server.client_options(), token, mine,
                           day_ago + round * 3'600'000'000LL * 4, std::ref(ledger));
    }
    std::vector<std::uint64_t> transactional(series->ids.end() - kSeriesPerWriter,
                                             series->ids.end());
    writers.emplace_back(WriteTransactions, server.client_options(), token,
                         std::int64_t{round} * 10'000'000 + 5'000'000, transactional,
                         day_ago + round * 3'600'000'000LL * 4, std::ref(ledger));
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + random() % 900));
    server.Kill();
    for (auto& writer : writers)
      writer.join();
    ASSERT_TRUE(server.Start()) << server.log();

    auto session = server.Connect();
    std::size_t acked_batches = 0;
    for (const Batch& batch : ledger.acknowledged) {
      ASSERT_EQ(CountPresent(*session, batch), WholeSize(batch))
          << "an acknowledged batch lost writes";
      ++acked_batches;
    }
    std::size_t open_transactions = 0, committed_transactions = 0;
    for (const Batch& batch : ledger.in_flight) {
      const std::size_t whole = WholeSize(batch);
      const std::size_t present = CountPresent(*session, batch);
      EXPECT_TRUE(present == 0 || present == whole)
          << "a batch in flight at the kill is half there: " << present << " of " << whole;
      if (batch.transaction != 0) {
        // What lake-server says of the transaction is what is there.
        auto status = session->Call(TransactionStatusRequest{batch.transaction});
        ASSERT_TRUE(status.ok()) << status.status().ToString();
        EXPECT_EQ(status->state == TransactionState::kCommitted, present == whole)
            << "transaction_status disagrees with the data: " << present << " of " << whole;
        EXPECT_NE(status->state, TransactionState::kPending) << "open across a restart";
        ++open_transactions;
        committed_transactions += status->state == TransactionState::kCommitted ? 1 : 0;
      }
    }
    EXPECT_GT(acked_batches, 10u) << "round " << round << " wrote too little to mean anything";
    std::size_t in_flight_present = 0;
    for (const Batch& batch : ledger.in_flight)
      in_flight_present += CountPresent(*session, batch) > 0 ? 1 : 0;
    std::size_t transactions = 0;
    for (const Batch& batch : ledger.acknowledged)
      transactions += !batch.ids.empty() && !batch.series.empty() ? 1 : 0;
    std::printf(
        "round %d: %zu acknowledged batches (%zu of them transactions of 4 writes) all there; "
        "%zu in flight at the kill, %zu of them whole, the rest absent; of those, %zu "
        "transactions, %zu committed by transaction_status (and whole)\n",
        round, acked_batches, transactions, ledger.in_flight.size(), in_flight_present,
        open_transactions, committed_transactions);
    // The index answers for the vectors it recovered.
    const Batch& some = ledger.acknowledged.front();
    if (!some.ids.empty()) {
      std::vector<float> query;
      for (std::uint32_t d = 0; d < kDim; ++d)
        query.push_back(ValueOf(some.ids[0], d));
      auto hits = session->Call(SearchRequest{"docs", {.k = 1, .dimension = kDim}, query});
      ASSERT_TRUE(hits.ok());
      EXPECT_EQ(hits->results[0][0].id, some.ids[0]);
      EXPECT_EQ(hits->results[0][0].distance, 0.0f);
    }
    std::lock_guard lock(ledger.mutex);
    // Settled: whatever is there now is there for good.
    for (Batch& batch : ledger.in_flight) {
      if (CountPresent(*session, batch) > 0) ledger.acknowledged.push_back(std::move(batch));
    }
    ledger.in_flight.clear();
  }
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace lake

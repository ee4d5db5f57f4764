// server_bench: what the socket costs. The same kNN queries and the same
// time-series writes, through lake-server (a child process, Unix socket) and
// in-process on the engine, in one run:
//   * kNN (k=10) on wordnet-768 at 1, 2, 4, 8 and 16 concurrent clients, one
//     query per request, and batched (32 queries per request): queries/s,
//     p50 and p99 latency;
//   * TSBS-style ingest (1,000 series, 10 s interval, 60 intervals per
//     series per write) from 1 and 2 clients: points/s.
// The in-process side opens the directory the server wrote (after its clean
// stop), so both search the same index.
//
//   server_bench --data DIR --work DIR --out FILE [--seconds S] [--days D]
//                [--rows N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_report.h"
#include "datasets/fvecs.h"
#include "launcher/server_process.h"
#include "protocol/session.h"
#include "storage/store.h"
#include "timeseries/timeseries_engine.h"
#include "vectors/vector_engine.h"

namespace lake::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kCollection = "bench768";
constexpr const char* kDataset = "wordnet-768";
constexpr std::size_t kK = 10;
constexpr std::size_t kBatch = 32;
constexpr int kClientCounts[] = {1, 2, 4, 8, 16};
constexpr int kSeries = 1000;
constexpr std::int64_t kInterval = 10'000'000;  // 10 s
constexpr int kIntervalsPerWrite = 60;

struct Options {
  std::string data = "build/datasets";
  std::string work = "build/bench-work";
  std::string out = "bench-results/server.json";
  double seconds = 3;
  int days = 2;
  std::size_t rows = 0;  // 0: all
};

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "server_bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}
template <typename T>
T Must(Result<T> result, const std::string& what) {
  if (!result.ok()) Die(what, result.status());
  return std::move(result).value();
}
void Must(const Status& status, const std::string& what) {
  if (!status.ok()) Die(what, status);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Load {
  double requests_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// `clients` threads call `request(client, i)` (i counts that client's calls)
// for `seconds`; every call's latency is kept.
Load RunLoad(int clients, double seconds, const std::function<void(int, std::size_t)>& request) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto started = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (std::size_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const auto t0 = Clock::now();
        request(c, i);
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads)
    t.join();
  const double elapsed = Seconds(started);
  std::vector<double> all;
  for (auto& l : latencies)
    all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Load load;
  load.requests_per_s = double(all.size()) / elapsed;
  load.p50_ms = all[all.size() / 2];
  load.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return load;
}

std::vector<float> QueryBlock(const datasets::FloatMatrix& queries, std::size_t first,
                              std::size_t count) {
  std::vector<float> block;
  for (std::size_t q = 0; q < count; ++q) {
    const float* row = queries.row((first + q) % queries.rows);
    block.insert(block.end(), row, row + queries.dimension);
  }
  return block;
}

// Runs the kNN levels with `search(client, first_query, count)`; adds rows.
void KnnLevels(const std::string& system, const Options& options,
               const std::function<void(int, std::size_t, std::size_t)>& search,
               std::vector<Load>& single, Load& batched, BenchReport& report) {
  for (int clients : kClientCounts) {
    const Load load =
        RunLoad(clients, options.seconds, [&](int c, std::size_t i) { search(c, i * 97 + c, 1); });
    single.push_back(load);
    const std::vector<std::pair<std::string, std::string>> params = {
        {"clients", std::to_string(clients)}, {"queries_per_request", "1"}, {"k", "10"}};
    report.Add({system, kDataset, params, "knn_qps", load.requests_per_s, "queries/s"});
    report.Add({system, kDataset, params, "p50_latency", load.p50_ms, "ms"});
    report.Add({system, kDataset, params, "p99_latency", load.p99_ms, "ms"});
  }
  batched = RunLoad(2, options.seconds,
                    [&](int c, std::size_t i) { search(c, i * kBatch + c * 500, kBatch); });
  const std::vector<std::pair<std::string, std::string>> params = {
      {"clients", "2"}, {"queries_per_request", std::to_string(kBatch)}, {"k", "10"}};
  report.Add({system, kDataset, params, "knn_qps", batched.requests_per_s * kBatch, "queries/s"});
  report.Add({system, kDataset, params, "p50_latency", batched.p50_ms, "ms"});
  report.Add({system, kDataset, params, "p99_latency", batched.p99_ms, "ms"});
}

// The points of series `s` for intervals [step, step + count), ending now.
void FillPoints(int s, std::int64_t first_time, std::int64_t step, int count,
                std::vector<std::int64_t>& ts, std::vector<double>& values) {
  ts.clear();
  values.clear();
  std::mt19937_64 random(std::uint64_t(s) * 7919 + std::uint64_t(step));
  double value = double(s % 100);
  for (int k = 0; k < count; ++k) {
    ts.push_back(first_time + (step + k) * kInterval);
    value = std::clamp(value + double(int(random() % 11) - 5), 0.0, 100.0);
    values.push_back(value);
  }
}

// Writes every series' `steps` intervals with `clients` writers, each owning
// a share of the series; `write(client, batch)`; returns points/s.
double Ingest(int clients, std::int64_t steps, std::int64_t first_time,
              const std::vector<std::uint64_t>& ids,
              const std::function<void(int, std::vector<protocol::PointColumns>&)>& write) {
  const auto started = Clock::now();
  std::vector<std::thread> writers;
  for (int c = 0; c < clients; ++c) {
    writers.emplace_back([&, c] {
      std::vector<protocol::PointColumns> batch;
      for (int s = c; s < kSeries; s += clients)
        batch.push_back({ids[s], {}, {}});
      for (std::int64_t step = 0; step < steps; step += kIntervalsPerWrite) {
        const int count = int(std::min<std::int64_t>(kIntervalsPerWrite, steps - step));
        for (std::size_t b = 0; b < batch.size(); ++b)
          FillPoints(c + int(b) * clients, first_time, step, count, batch[b].timestamps,
                     batch[b].values);
        write(c, batch);
      }
    });
  }
  for (auto& w : writers)
    w.join();
  return double(kSeries) * double(steps) / Seconds(started);
}

timeseries::SeriesKey KeyOf(int s) {
  return {.tenant = 1,
          .metric = "cpu_" + std::to_string(s % 10),
          .tags = {{"hostname", "host_" + std::to_string(s / 10)}}};
}

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Run(const Options& options) {
  namespace fs = std::filesystem;
  auto base = Must(datasets::ReadFvecs(options.data + "/" + kDataset + ".base.fvecs"), "base");
  const auto queries =
      Must(datasets::ReadFvecs(options.data + "/" + kDataset + ".query.fvecs"), "queries");
  const std::size_t rows = options.rows ? std::min(options.rows, base.rows) : base.rows;
  const std::uint32_t dim = std::uint32_t(base.dimension);
  const std::string vectors_dir = options.work + "/server-bench/vectors";
  const std::string ts_socket_dir = options.work + "/server-bench/ts-socket";
  const std::string ts_local_dir = options.work + "/server-bench/ts-inprocess";
  fs::remove_all(options.work + "/server-bench");
  fs::create_directories(options.work + "/server-bench");
  BenchReport report;
  const std::int64_t steps = std::int64_t(options.days) * 86400 * 1'000'000 / kInterval;
  const std::int64_t first_time = (NowMicros() / kInterval - steps) * kInterval;
  const std::string ingest_dataset = "tsbs-cpu-" + std::to_string(kSeries) + "-series";

  // Through the socket: load, search, stop (which snapshots the index).
  std::vector<Load> socket_single;
  Load socket_batched;
  std::vector<std::vector<std::int64_t>> socket_answers(queries.rows);
  {
    launcher::ServerProcess server(LAKE_SERVER_BINARY, vectors_dir);
    if (!server.Start()) Die("lake-server did not start", Status::Internal(server.log()));
    auto admin = Must(server.Connect(), "connect");
    protocol::CreateCollectionRequest create;
    create.spec.name = kCollection;
    create.spec.dimension = dim;
    Must(admin->Call(create).status(), "create collection");
    const auto load_started = Clock::now();
    for (std::size_t begin = 0; begin < rows; begin += 1000) {
      protocol::UpsertRequest upsert{kCollection, {}};
      for (std::size_t r = begin; r < std::min(rows, begin + 1000); ++r) {
        vectors::VectorRecord record;
        record.id = std::int64_t(r);
        record.embedding.assign(base.row(r), base.row(r) + dim);
        upsert.records.push_back(std::move(record));
      }
      Must(admin->Call(upsert).status(), "upsert");
    }
    const double load_seconds = Seconds(load_started);
    report.Add({"lake-socket",
                kDataset,
                {{"rows", std::to_string(rows)}, {"batch", "1000"}},
                "upsert_and_index_rate",
                double(rows) / load_seconds,
                "vectors/s"});
    std::printf("loaded %zu vectors through the socket in %.1f s\n", rows, load_seconds);

    std::vector<std::unique_ptr<protocol::Session>> sessions;
    for (int c = 0; c < 16; ++c)
      sessions.push_back(Must(server.Connect(), "connect"));
    for (std::size_t q = 0; q < queries.rows; ++q) {
      auto reply = Must(sessions[0]->Call(protocol::SearchRequest{
                            kCollection, {.k = kK, .dimension = dim}, QueryBlock(queries, q, 1)}),
                        "search");
      for (const auto& n : reply.results[0])
        socket_answers[q].push_back(n.id);
    }
    KnnLevels(
        "lake-socket", options,
        [&](int c, std::size_t first, std::size_t count) {
          Must(sessions[c]
                   ->Call(protocol::SearchRequest{
                       kCollection, {.k = kK, .dimension = dim}, QueryBlock(queries, first, count)})
                   .status(),
               "search");
        },
        socket_single, socket_batched, report);
    sessions.clear();
    if (server.Stop() != 0) Die("lake-server did not stop cleanly", Status::Internal(server.log()));
  }

  // The same through the socket for points, on a fresh directory.
  double socket_ingest[2];
  for (int clients : {1, 2}) {
    fs::remove_all(ts_socket_dir);
    launcher::ServerProcess server(LAKE_SERVER_BINARY, ts_socket_dir);
    if (!server.Start()) Die("lake-server did not start", Status::Internal(server.log()));
    auto admin = Must(server.Connect(), "connect");
    protocol::EnsureSeriesRequest ensure;
    for (int s = 0; s < kSeries; ++s)
      ensure.keys.push_back(KeyOf(s));
    const auto ids = Must(admin->Call(ensure), "ensure series").ids;
    std::vector<std::unique_ptr<protocol::Session>> sessions;
    for (int c = 0; c < clients; ++c)
      sessions.push_back(Must(server.Connect(), "connect"));
    socket_ingest[clients - 1] =
        Ingest(clients, steps, first_time, ids, [&](int c, std::vector<protocol::PointColumns>& b) {
          protocol::WritePointsRequest write;
          write.batch = b;
          Must(sessions[c]->Call(write).status(), "write points");
        });
    Must(admin->Call(protocol::FlushRequest{}).status(), "flush");
    server.Stop();
  }

  // In-process, on the directory the server left.
  std::vector<Load> local_single;
  Load local_batched;
  std::size_t same_answers = 0;
  {
    auto store = Must(storage::Store::Open(vectors_dir, {}), "open store");
    auto engine = Must(vectors::VectorEngine::Open(store.get()), "open engine");
    for (std::size_t q = 0; q < queries.rows; ++q) {
      auto hits = Must(engine->Search(kCollection, QueryBlock(queries, q, 1), {.k = kK}), "search");
      std::vector<std::int64_t> ids;
      for (const auto& n : hits)
        ids.push_back(n.id);
      same_answers += ids == socket_answers[q] ? 1 : 0;
    }
    KnnLevels(
        "lake-inprocess", options,
        [&](int, std::size_t first, std::size_t count) {
          Must(engine->SearchBatch(kCollection, QueryBlock(queries, first, count), {.k = kK})
                   .status(),
               "search");
        },
        local_single, local_batched, report);
  }
  double local_ingest[2];
  for (int clients : {1, 2}) {
    fs::remove_all(ts_local_dir);
    auto store = Must(storage::Store::Open(ts_local_dir, {}), "open store");
    auto engine = Must(timeseries::TimeSeriesEngine::Open(store.get(), {}), "open engine");
    std::vector<std::uint64_t> ids;
    for (int s = 0; s < kSeries; ++s)
      ids.push_back(Must(engine->EnsureSeries(KeyOf(s)), "ensure series"));
    local_ingest[clients - 1] =
        Ingest(clients, steps, first_time, ids, [&](int, std::vector<protocol::PointColumns>& b) {
          std::vector<timeseries::SeriesPoints> parts;
          for (const auto& columns : b)
            parts.push_back({columns.series, columns.timestamps, columns.values});
          Must(engine->Write(parts), "write points");
        });
    Must(engine->Flush(), "flush");
  }

  // Ratios: socket over in-process.
  for (std::size_t i = 0; i < std::size(kClientCounts); ++i) {
    const std::vector<std::pair<std::string, std::string>> params = {
        {"clients", std::to_string(kClientCounts[i])}, {"queries_per_request", "1"}};
    report.Add({"lake-socket", kDataset, params, "qps_vs_inprocess",
                socket_single[i].requests_per_s / local_single[i].requests_per_s, "x"});
    report.Add({"lake-socket", kDataset, params, "p99_over_p50",
                socket_single[i].p99_ms / socket_single[i].p50_ms, "x"});
  }
  report.Add({"lake-socket",
              kDataset,
              {{"clients", "2"}, {"queries_per_request", std::to_string(kBatch)}},
              "qps_vs_inprocess",
              socket_batched.requests_per_s / local_batched.requests_per_s,
              "x"});
  report.Add({"lake-socket",
              kDataset,
              {{"queries", std::to_string(queries.rows)}},
              "same_top10_as_inprocess",
              double(same_answers) / double(queries.rows),
              "share"});
  for (int clients : {1, 2}) {
    const std::vector<std::pair<std::string, std::string>> params = {
        {"clients", std::to_string(clients)},
        {"series", std::to_string(kSeries)},
        {"points", std::to_string(std::int64_t(kSeries) * steps)},
        {"points_per_request", std::to_string(kSeries / clients * kIntervalsPerWrite)}};
    report.Add({"lake-socket", ingest_dataset, params, "ingest_rate", socket_ingest[clients - 1],
                "points/s"});
    report.Add({"lake-inprocess", ingest_dataset, params, "ingest_rate", local_ingest[clients - 1],
                "points/s"});
    report.Add({"lake-socket", ingest_dataset, params, "ingest_vs_inprocess",
                socket_ingest[clients - 1] / local_ingest[clients - 1], "x"});
  }
  fs::remove_all(options.work + "/server-bench");
  return report.Finish(options.out);
}

}  // namespace
}  // namespace lake::bench

int main(int argc, char** argv) {
  lake::bench::Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--data")
      options.data = value;
    else if (flag == "--work")
      options.work = value;
    else if (flag == "--out")
      options.out = value;
    else if (flag == "--seconds")
      options.seconds = std::atof(value);
    else if (flag == "--days")
      options.days = std::atoi(value);
    else if (flag == "--rows")
      options.rows = std::size_t(std::atoll(value));
    else {
      std::fprintf(stderr, "server_bench: unknown flag %s\n", flag.c_str());
      return 64;
    }
  }
  return lake::bench::Run(options);
}

// sql_bench: the lake as users reach it, through SQL (libpq, prepared
// statements), next to lake-server directly and hnswlib in-process, in one
// run (tools/lake bench sql starts PostgreSQL 15 and lake-server for it):
//   * loading wordnet-768 (116,659 x 768) with COPY into a vector foreign
//     table, the HNSW index built on the way, vs hnswlib building alone on
//     one thread;
//   * kNN k=10 through SQL at 1 and 4 clients vs lake-server directly vs
//     hnswlib in-process at the same recall@10: queries/s, p50, p99;
//   * COPY of points into timeseries.metrics;
//   * an hourly time_bucket over one series' month, SQL vs lake-server;
//   * the latest points (ORDER BY ts DESC LIMIT n), newest first vs a Sort.
//
//   sql_bench --data DIR --pg-host DIR --pg-port N --lake-socket PATH
//             --lake-token T --out FILE [--seconds S]
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "bench_report.h"
#include "datasets/fvecs.h"
#include "hnswlib_baseline.h"
#include "protocol/session.h"
#include "sql_client.h"

namespace lake::bench {
namespace {

constexpr const char* kDataset = "wordnet-768";
constexpr std::size_t kK = 10;

struct Options {
  std::string data = "build/datasets";
  std::string pg_host;
  std::string pg_port;
  std::string lake_socket;
  std::string lake_token;
  std::string out = "bench-results/sql.json";
  double seconds = 5;
};

int Run(const Options& o) {
  const auto base = datasets::ReadFvecs(o.data + "/" + kDataset + ".base.fvecs");
  const auto queries = datasets::ReadFvecs(o.data + "/" + kDataset + ".query.fvecs");
  if (!base.ok() || !queries.ok()) Die("cannot read the wordnet-768 data in " + o.data);
  const std::size_t dim = base->dimension, rows = base->rows, nq = queries->rows;
  BenchReport report;
  protocol::ClientOptions lake_options;
  lake_options.socket_path = o.lake_socket;
  lake_options.io_timeout = std::chrono::minutes(10);
  auto admin = protocol::Session::Open(lake_options, o.lake_token);
  if (!admin.ok()) Die("lake-server: " + admin.status().ToString());

  // Load through SQL: COPY into a vector foreign table, index built as the
  // rows arrive at commit.
  protocol::CreateCollectionRequest create;
  create.spec.name = "bench768";
  create.spec.dimension = std::uint32_t(dim);
  if (!(*admin)->Call(create).ok()) Die("create collection");
  PGconn* conn = Connect(o.pg_host, o.pg_port);
  Exec(conn, "SET client_min_messages = warning");
  Exec(conn, "CREATE FOREIGN TABLE IF NOT EXISTS bench768 (id bigint, embedding lake.vector(" +
                 std::to_string(dim) + ")) SERVER lake OPTIONS (collection 'bench768')");
  const double load_seconds = Copy(
      conn, "COPY bench768 (id, embedding) FROM STDIN", rows, [&](std::size_t r, std::string& b) {
        b += std::to_string(r) + '\t' + VectorText(base->row(r), dim) + '\n';
      });
  const std::vector<std::pair<std::string, std::string>> load_params = {
      {"rows", std::to_string(rows)}, {"m", "16"}, {"ef_construction", "128"}};
  report.Add({"lake-sql", kDataset, load_params, "copy_and_index_time", load_seconds, "s"});
  std::printf("COPY of %zu embeddings with the index: %.1f s\n", rows, load_seconds);
  std::fflush(stdout);

  // hnswlib, one thread, same parameters.
  const auto build_started = Clock::now();
  HnswlibIndex hnswlib(dim, rows, 16, 128);
  hnswlib.Add(base->values.data(), rows, 1);
  const double hnswlib_build = Seconds(build_started);
  report.Add({"hnswlib", kDataset, load_params, "build_time_1_thread", hnswlib_build, "s"});
  report.Add({"lake-sql", kDataset, load_params, "load_vs_hnswlib_build",
              hnswlib_build / load_seconds, "x"});

  // Ground truth: exact search in lake-server.
  std::vector<std::vector<std::int64_t>> truth(nq), via_sql(nq), via_lake(nq);
  for (std::size_t q = 0; q < nq; ++q) {
    protocol::SearchRequest exact{
        "bench768",
        {.k = kK, .dimension = std::uint32_t(dim), .method = vectors::SearchMethod::kExact},
        std::vector<float>(queries->row(q), queries->row(q) + dim)};
    auto hits = (*admin)->Call(exact);
    if (!hits.ok()) Die("exact search: " + hits.status().ToString());
    for (const auto& n : hits->results[0])
      truth[q].push_back(n.id);
  }

  // Through SQL: prepared statements, one connection per client.
  std::vector<std::string> query_text(nq);
  for (std::size_t q = 0; q < nq; ++q)
    query_text[q] = VectorText(queries->row(q), dim);
  const char* knn_sql = "SELECT id FROM bench768 ORDER BY embedding <-> $1::lake.vector LIMIT 10";
  std::vector<PGconn*> sql_clients;
  for (int c = 0; c < 4; ++c) {
    sql_clients.push_back(Connect(o.pg_host, o.pg_port));
    Exec(sql_clients.back(), "SET plan_cache_mode = force_generic_plan");
    PGresult* prepared = PQprepare(sql_clients.back(), "knn", knn_sql, 1, nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) Die(PQerrorMessage(sql_clients.back()));
    PQclear(prepared);
  }
  const auto sql_knn = [&](int c, std::size_t q, std::vector<std::int64_t>* ids) {
    const char* params[] = {query_text[q % nq].c_str()};
    PGresult* result = PQexecPrepared(sql_clients[c], "knn", 1, params, nullptr, nullptr, 0);
    if (PQresultStatus(result) != PGRES_TUPLES_OK) Die(PQerrorMessage(sql_clients[c]));
    if (ids != nullptr) {
      for (int r = 0; r < PQntuples(result); ++r)
        ids->push_back(std::strtoll(PQgetvalue(result, r, 0), nullptr, 10));
    }
    PQclear(result);
  };
  for (std::size_t q = 0; q < nq; ++q)
    sql_knn(0, q, &via_sql[q]);
  const double sql_recall = Recall(via_sql, truth, kK);

  // Directly on lake-server, same queries.
  std::vector<std::unique_ptr<protocol::Session>> lake_clients;
  for (int c = 0; c < 4; ++c)
    lake_clients.push_back(std::move(protocol::Session::Open(lake_options, o.lake_token).value()));
  const auto lake_knn = [&](int c, std::size_t q, std::vector<std::int64_t>* ids) {
    protocol::SearchRequest search{
        "bench768",
        {.k = kK, .dimension = std::uint32_t(dim)},
        std::vector<float>(queries->row(q % nq), queries->row(q % nq) + dim)};
    auto hits = lake_clients[c]->Call(search);
    if (!hits.ok()) Die(hits.status().ToString());
    if (ids != nullptr) {
      for (const auto& n : hits->results[0])
        ids->push_back(n.id);
    }
  };
  for (std::size_t q = 0; q < nq; ++q)
    lake_knn(0, q, &via_lake[q]);
  const double lake_recall = Recall(via_lake, truth, kK);

  // hnswlib at the same recall: the smallest ef that reaches lake's.
  std::size_t ef = 10;
  double hnswlib_recall = 0;
  for (; ef <= 800; ef += ef < 100 ? 2 : 10) {
    hnswlib.SetEf(ef);
    std::vector<std::vector<std::int64_t>> found(nq);
    for (std::size_t q = 0; q < nq; ++q)
      found[q] = hnswlib.Search(queries->row(q), kK);
    hnswlib_recall = Recall(found, truth, kK);
    if (hnswlib_recall >= sql_recall) break;
  }
  hnswlib.SetEf(ef);

  for (int clients : {1, 4}) {
    const std::vector<std::pair<std::string, std::string>> params = {
        {"clients", std::to_string(clients)}, {"k", "10"}};
    const Load sql =
        RunLoad(clients, o.seconds, [&](int c, std::size_t q) { sql_knn(c, q, nullptr); });
    const Load lake =
        RunLoad(clients, o.seconds, [&](int c, std::size_t q) { lake_knn(c, q, nullptr); });
    const Load hn = RunLoad(clients, o.seconds, [&](int, std::size_t q) {
      (void)hnswlib.Search(queries->row(q % nq), kK);
    });
    for (const auto& [system, load, recall] :
         {std::tuple{"lake-sql", sql, sql_recall}, std::tuple{"lake-server", lake, lake_recall},
          std::tuple{"hnswlib", hn, hnswlib_recall}}) {
      auto p = params;
      if (std::string(system) == "hnswlib") p.emplace_back("ef", std::to_string(ef));
      report.Add({system, kDataset, p, "knn_qps", load.qps, "queries/s"});
      report.Add({system, kDataset, p, "p50_latency", load.p50_ms, "ms"});
      report.Add({system, kDataset, p, "p99_latency", load.p99_ms, "ms"});
      report.Add({system, kDataset, p, "recall_at_10", recall, "share"});
    }
    report.Add({"lake-sql", kDataset, params, "qps_vs_hnswlib", sql.qps / hn.qps, "x"});
  }

  // Points through COPY: 10 series x 28 days (inside the 30-day raw
  // retention), one point a minute.
  const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  const std::int64_t first_s = (now_s / 86400 - 28) * 86400;
  constexpr int kSeries = 10;
  constexpr std::size_t kDays = 28;
  constexpr std::size_t kPerSeries = kDays * 1440;
  const double points_seconds =
      Copy(conn, "COPY timeseries.metrics (user_id, metric, tags, ts, value) FROM STDIN",
           kSeries * kPerSeries, [&](std::size_t r, std::string& b) {
             const std::size_t s = r / kPerSeries, i = r % kPerSeries;
             const std::time_t t = static_cast<std::time_t>(first_s + std::int64_t(i) * 60);
             std::tm utc{};
             gmtime_r(&t, &utc);
             char ts[32], line[160];
             std::strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S+00", &utc);
             std::snprintf(line, sizeof(line), "1\tbench_cpu\t{\"host\": \"h%zu\"}\t%s\t%.2f\n", s,
                           ts, double((i * 7 + s) % 1000) / 10);
             b += line;
           });
  const std::vector<std::pair<std::string, std::string>> point_params = {
      {"series", std::to_string(kSeries)}, {"points", std::to_string(kSeries * kPerSeries)}};
  report.Add({"lake-sql", "minutely-28d", point_params, "copy_points_rate",
              double(kSeries * kPerSeries) / points_seconds, "rows/s"});

  // An hourly time_bucket over one series' month: SQL vs lake-server.
  char range[200];
  std::snprintf(range, sizeof(range), "to_timestamp(%lld) AND ts < to_timestamp(%lld)",
                static_cast<long long>(first_s), static_cast<long long>(first_s + kDays * 86400));
  const std::string bucket_sql =
      std::string(
          "SELECT time_bucket('1 hour', ts), count(*), avg(value), min(value), max(value) "
          "FROM timeseries.metrics WHERE metric = 'bench_cpu' AND tags @> '{\"host\": \"h0\"}' "
          "AND ts >= ") +
      range + " GROUP BY 1";
  const Load sql_bucket = RunLoad(1, o.seconds, [&](int, std::size_t) {
    PGresult* result = PQexec(conn, bucket_sql.c_str());
    if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != int(kDays * 24))
      Die("time_bucket through SQL: " + std::string(PQerrorMessage(conn)));
    PQclear(result);
  });
  auto series = (*admin)->Call(protocol::FindSeriesRequest{{1, "bench_cpu", {{"host", "h0"}}}});
  if (!series.ok() || series->series.empty()) Die("the bench series is missing");
  protocol::TimeBucketRequest direct;
  direct.query = {.series = {series->series[0].id},
                  .start = first_s * 1000000,
                  .end = (first_s + std::int64_t(kDays) * 86400) * 1000000,
                  .width = 3600LL * 1000000,
                  .origin = 946857600LL * 1000000,
                  .group_by = timeseries::GroupBy::kAll};
  const Load lake_bucket = RunLoad(1, o.seconds, [&](int, std::size_t) {
    auto buckets = (*admin)->Call(direct);
    if (!buckets.ok() || buckets->rows.size() != kDays * 24) Die("time_bucket on lake-server");
  });
  const std::vector<std::pair<std::string, std::string>> bucket_params = {
      {"points", std::to_string(kPerSeries)}, {"buckets", std::to_string(kDays * 24)}};
  report.Add(
      {"lake-sql", "minutely-28d", bucket_params, "hourly_bucket_p50", sql_bucket.p50_ms, "ms"});
  report.Add({"lake-server", "minutely-28d", bucket_params, "hourly_bucket_p50", lake_bucket.p50_ms,
              "ms"});
  // The latest point of one series (a LATERAL lastpoint's inner query) and
  // the latest 10 of all: newest first, vs PostgreSQL sorting every point.
  for (const auto& [name, where, limit] :
       {std::tuple{"latest point of a series", "tags @> '{\"host\": \"h3\"}'", 1},
        std::tuple{"latest 10 points of 10 series", "true", 10}}) {
    const std::string pushed = std::string(
                                   "SELECT ts, value FROM timeseries.metrics WHERE "
                                   "metric = 'bench_cpu' AND ") +
                               where + " ORDER BY ts DESC LIMIT " + std::to_string(limit);
    const std::string sorted = std::string(
                                   "SELECT ts, value FROM (SELECT * FROM "
                                   "timeseries.metrics WHERE metric = 'bench_cpu' AND ") +
                               where + " OFFSET 0) t ORDER BY ts DESC LIMIT " +
                               std::to_string(limit);
    const auto timed = [&](const std::string& sql, double seconds) {
      return RunLoad(1, seconds, [&](int, std::size_t) {
        PGresult* result = PQexec(conn, sql.c_str());
        if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != limit)
          Die("newest first: " + std::string(PQerrorMessage(conn)));
        PQclear(result);
      });
    };
    const Load newest = timed(pushed, o.seconds), scan = timed(sorted, o.seconds / 2);
    const std::vector<std::pair<std::string, std::string>> params = {{"query", name}};
    report.Add({"lake-sql", "minutely-28d", params, "p50_latency", newest.p50_ms, "ms"});
    report.Add({"postgres-scan-sort", "minutely-28d", params, "p50_latency", scan.p50_ms, "ms"});
  }
  PQfinish(conn);
  for (PGconn* c : sql_clients)
    PQfinish(c);
  return report.Finish(o.out);
}

}  // namespace
}  // namespace lake::bench

int main(int argc, char** argv) {
  lake::bench::Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--data")
      o.data = value;
    else if (flag == "--pg-host")
      o.pg_host = value;
    else if (flag == "--pg-port")
      o.pg_port = value;
    else if (flag == "--lake-socket")
      o.lake_socket = value;
    else if (flag == "--lake-token")
      o.lake_token = value;
    else if (flag == "--out")
      o.out = value;
    else if (flag == "--seconds")
      o.seconds = std::atof(value.c_str());
    else {
      std::fprintf(stderr, "sql_bench: unknown flag %s\n", flag.c_str());
      return 64;
    }
  }
  return lake::bench::Run(o);
}

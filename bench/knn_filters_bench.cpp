// knn_filters_bench: kNN with the conditions users write, through SQL, on
// wordnet-192 (116,659 x 192, the `tools/lake up` collection's size):
// created_at ranges (the seed's temporal similarity search), metadata
// containment at 50 %, 10 %, 1 % and 0.1 % of rows, a condition the engine
// cannot evaluate (pages in distance order), and an operator of another
// metric than the collection's (an exact scan in lake-server). Each is
// timed as lake plans it and as PostgreSQL runs it without pushdown (the
// condition hidden as `(...) IS TRUE` in an `OFFSET 0` subquery: every row
// shipped, filtered and sorted in PostgreSQL, as before this was built), with
// recall@10 against lake-server's exact search and the share of queries
// that got all k rows. `tools/lake bench knn_filters` starts PostgreSQL and
// lake-server for it.
//
//   knn_filters_bench --data DIR --pg-host DIR --pg-port N --lake-socket PATH
//                     --lake-token T --out FILE [--seconds S]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "bench_report.h"
#include "datasets/fvecs.h"
#include "protocol/session.h"
#include "sql_client.h"

namespace lake::bench {
namespace {

constexpr const char* kDataset = "wordnet-192";
constexpr std::size_t kK = 10;
// created_at: one row a minute back from the load, so the last day holds
// 1,440 rows (1.2 %).
constexpr std::int64_t kMinute = 60'000'000;

struct Options {
  std::string data = "build/datasets";
  std::string pg_host, pg_port, lake_socket, lake_token;
  std::string out = "bench-results/knn_filters.json";
  double seconds = 5;
};

// Sources by share of rows: a 50 %, b 10 %, c 1 %, d 0.1 %, e the rest.
const char* SourceOf(std::size_t row) {
  const std::size_t r = (row * 7919) % 1000;
  return r < 500 ? "a" : r < 600 ? "b" : r < 610 ? "c" : r < 611 ? "d" : "e";
}

struct Case {
  std::string name;
  std::string where;  // SQL, $2 unused
  std::string order;  // the distance operator
  vectors::RecordConditions conditions;
  std::optional<vectors::Metric> metric;
};

int Run(const Options& o) {
  const auto base = datasets::ReadFvecs(o.data + "/" + kDataset + ".base.fvecs");
  const auto queries = datasets::ReadFvecs(o.data + "/" + kDataset + ".query.fvecs");
  if (!base.ok() || !queries.ok()) Die("cannot read the wordnet-192 data in " + o.data);
  const std::size_t dim = base->dimension, rows = base->rows;
  const std::size_t nq = std::min<std::size_t>(queries->rows, 200);
  protocol::ClientOptions lake_options;
  lake_options.socket_path = o.lake_socket;
  lake_options.io_timeout = std::chrono::minutes(10);
  auto admin = protocol::Session::Open(lake_options, o.lake_token);
  if (!admin.ok()) Die("lake-server: " + admin.status().ToString());
  protocol::CreateCollectionRequest create;
  create.spec.name = "filtered192";
  create.spec.dimension = std::uint32_t(dim);
  if (!(*admin)->Call(create).ok()) Die("create collection");

  PGconn* conn = Connect(o.pg_host, o.pg_port);
  Exec(conn, "SET client_min_messages = warning");
  Exec(conn,
       "CREATE FOREIGN TABLE filtered192 (id bigint, user_id bigint, model_version int, "
       "embedding lake.vector(" +
           std::to_string(dim) +
           "), metadata jsonb, created_at timestamptz) SERVER lake OPTIONS (collection "
           "'filtered192')");
  const std::int64_t loaded_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  const double load_seconds =
      Copy(conn, "COPY filtered192 (id, user_id, embedding, metadata, created_at) FROM STDIN", rows,
           [&](std::size_t r, std::string& b) {
             const std::int64_t created = loaded_us - std::int64_t(r) * kMinute;
             const std::time_t seconds = static_cast<std::time_t>(created / 1000000);
             std::tm utc{};
             gmtime_r(&seconds, &utc);
             char stamp[48];
             const std::size_t n = std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &utc);
             std::snprintf(stamp + n, sizeof(stamp) - n, ".%06lld+00",
                           static_cast<long long>(created % 1000000));
             b += std::to_string(r) + '\t' + std::to_string(r % 100) + '\t' +
                  VectorText(base->row(r), dim) + "\t{\"source\": \"" + SourceOf(r) + "\"}\t" +
                  stamp + '\n';
           });
  std::printf("COPY of %zu rows with metadata and created_at: %.1f s\n", rows, load_seconds);

  std::vector<Case> cases;
  {
    Case recent{"created_at in the last day", "created_at > now() - interval '1 day'", "<->"};
    recent.conditions.created_min_us = loaded_us - 86400LL * 1000000 + 1;
    cases.push_back(recent);
    for (const auto& [source, share] : std::vector<std::pair<std::string, std::string>>{
             {"a", "50%"}, {"b", "10%"}, {"c", "1%"}, {"d", "0.1%"}}) {
      Case c{"metadata @> at " + share, "metadata @> '{\"source\": \"" + source + "\"}'", "<->"};
      c.conditions.metadata_contains = {"{\"source\": \"" + source + "\"}"};
      cases.push_back(c);
    }
    Case local{"(metadata->>'source') || '' = 'b' (not pushable, 10%)",
               "(metadata->>'source') || '' = 'b'", "<->"};
    local.conditions.metadata_contains = {"{\"source\": \"b\"}"};
    cases.push_back(local);
    Case cosine{"<=> on an l2 collection", "true", "<=>"};
    cosine.metric = vectors::Metric::kCosine;
    cases.push_back(cosine);
  }

  BenchReport report;
  for (const Case& c : cases) {
    // Ground truth: lake-server's exact search with the same conditions.
    std::vector<std::vector<std::int64_t>> truth(nq), found(nq);
    for (std::size_t q = 0; q < nq; ++q) {
      vectors::SearchRequest exact{.k = kK,
                                   .dimension = std::uint32_t(dim),
                                   .conditions = c.conditions,
                                   .metric = c.metric,
                                   .method = vectors::SearchMethod::kExact};
      auto hits = (*admin)->Call(protocol::SearchRequest{
          "filtered192", exact, std::vector<float>(queries->row(q), queries->row(q) + dim)});
      if (!hits.ok()) Die("exact search: " + hits.status().ToString());
      for (const auto& n : hits->results[0])
        truth[q].push_back(n.id);
    }
    const std::string pushed = "SELECT id FROM filtered192 WHERE " + c.where +
                               " ORDER BY embedding " + c.order + " $1::lake.vector LIMIT 10";
    // Without lake's help: the condition hidden from the wrapper (IS TRUE),
    // every row shipped, filtered and sorted by PostgreSQL.
    const std::string unpushed = "SELECT id FROM (SELECT * FROM filtered192 WHERE (" + c.where +
                                 ") IS TRUE OFFSET 0) t ORDER BY embedding " + c.order +
                                 " $1::lake.vector LIMIT 10";
    std::size_t full = 0;
    const auto run = [&](const std::string& sql, const char* name, std::size_t q,
                         std::vector<std::int64_t>* ids) {
      const std::string v = VectorText(queries->row(q % nq), dim);
      const char* params[] = {v.c_str()};
      PGresult* result = PQexecParams(conn, sql.c_str(), 1, nullptr, params, nullptr, nullptr, 0);
      if (PQresultStatus(result) != PGRES_TUPLES_OK)
        Die(std::string(name) + ": " + PQerrorMessage(conn));
      if (ids != nullptr) {
        for (int r = 0; r < PQntuples(result); ++r)
          ids->push_back(std::strtoll(PQgetvalue(result, r, 0), nullptr, 10));
      }
      PQclear(result);
    };
    for (std::size_t q = 0; q < nq; ++q) {
      run(pushed, "pushed", q, &found[q]);
      full += found[q].size() == truth[q].size() ? 1 : 0;
    }
    const Load lake =
        RunLoad(1, o.seconds, [&](int, std::size_t q) { run(pushed, "pushed", q, nullptr); });
    const Load scan = RunLoad(1, o.seconds / 2,
                              [&](int, std::size_t q) { run(unpushed, "unpushed", q, nullptr); });
    const std::vector<std::pair<std::string, std::string>> params = {{"query", c.name},
                                                                     {"k", "10"}};
    report.Add({"lake-sql", kDataset, params, "p50_latency", lake.p50_ms, "ms"});
    report.Add({"lake-sql", kDataset, params, "knn_qps", lake.qps, "queries/s"});
    report.Add({"lake-sql", kDataset, params, "recall_at_10", Recall(found, truth, kK), "share"});
    report.Add(
        {"lake-sql", kDataset, params, "queries_with_k_rows", double(full) / double(nq), "share"});
    report.Add({"postgres-scan-sort", kDataset, params, "p50_latency", scan.p50_ms, "ms"});
    report.Add(
        {"lake-sql", kDataset, params, "speedup_vs_scan_sort", scan.p50_ms / lake.p50_ms, "x"});
  }
  PQfinish(conn);
  return report.Finish(o.out);
}

}  // namespace
}  // namespace lake::bench

int main(int argc, char** argv) {
  lake::bench::Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
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
      std::fprintf(stderr, "knn_filters_bench: unknown flag %s\n", flag.c_str());
      return 64;
    }
  }
  return lake::bench::Run(o);
}

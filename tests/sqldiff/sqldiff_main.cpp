// sqldiff: the differential SQL tester. It loads the same rows into lake
// foreign tables (schema diff) and into native heap twins (schema twin),
// then runs generated queries on both and compares the answers; and, on the
// lake alone, SQLancer's ternary logic partitioning (WHERE p, NOT p and
// p IS NULL partition the rows) and the non-optimizing reference (the same
// query with nothing pushed down). Writes run in transactions with
// savepoints on both twins, and the tables are compared after each. A part
// of the queries runs as two tenants, each against a twin that row-level
// security limits to its rows. Each difference is printed reduced.
//
//   sqldiff --host DIR --port N --lake-socket PATH --lake-token T
//           [--seed S] [--queries N] [--seconds S] [--max-differences N]
// Exits 1 when answers differ, 2 when it cannot run.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "compare.h"
#include "dataset.h"
#include "pg_client.h"
#include "query_gen.h"

namespace lake::sqldiff {
namespace {

struct Options {
  std::string host, port, lake_socket, lake_token;
  std::uint64_t seed = 1;
  long queries = 5000;
  double seconds = 0;  // > 0: run until then instead of a count
  int max_differences = 5;
  double slow_seconds = 2;  // statements slower than this are printed
};

const Tables kLake = {{"docs", "diff.docs"},       {"docs_cos", "diff.docs_cos"},
                      {"metrics", "diff.metrics"}, {"events", "diff.events"},
                      {"m1h", "diff.metrics_1h"},  {"hosts", "twin.hosts"}};
const Tables kHeap = {{"docs", "twin.docs"},       {"docs_cos", "twin.docs_cos"},
                      {"metrics", "twin.metrics"}, {"events", "twin.events"},
                      {"m1h", "twin.metrics_1h"},  {"hosts", "twin.hosts"}};
// Nothing pushed down: each lake table read whole behind OFFSET 0.
const Tables kUnpushed = {{"docs", "(SELECT * FROM diff.docs OFFSET 0)"},
                          {"docs_cos", "(SELECT * FROM diff.docs_cos OFFSET 0)"},
                          {"metrics", "(SELECT * FROM diff.metrics OFFSET 0)"},
                          {"events", "(SELECT * FROM diff.events OFFSET 0)"},
                          {"m1h", "(SELECT * FROM diff.metrics_1h OFFSET 0)"},
                          {"hosts", "twin.hosts"}};
const char* const kTenants[] = {"diff_u1", "diff_u2"};

class Tester {
 public:
  Tester(const Options& o, const std::string& conninfo)
      : options_(o),
        lake_(conninfo),
        heap_(conninfo),
        data_(MakeDataset(o.seed, 400, 150)),
        generator_(o.seed * 7919 + 1, data_) {}

  void Setup();
  int Run();

 private:
  // Runs `sql` on `client`; after an error, leaves the session clean.
  Answer Ask(PgClient& client, const std::string& sql, const char* role = nullptr);
  std::string Compare(const Query& q, const Pred& where, const Tables& expected_tables,
                      PgClient& expected_client, const Tables& actual_tables,
                      PgClient& actual_client, const char* role, Answer* expected, Answer* actual);
  void Check(const Query& q, const Tables& expected_tables, PgClient& expected_client,
             const Tables& actual_tables, PgClient& actual_client, const char* oracle,
             const char* role = nullptr);
  void Partitions(const Query& q);
  void Robustness(const Query& q);
  void WriteTransaction();
  void CompareTables(const char* when);
  void Report(const std::string& oracle, const std::string& sql_expected,
              const std::string& sql_actual, const std::string& why, const Answer& expected,
              const Answer& actual);

  Options options_;
  PgClient lake_, heap_;
  Dataset data_;
  QueryGenerator generator_;
  std::mt19937_64 rng_{options_.seed ^ 0x5eed};
  long queries_ = 0, statements_ = 0, differences_ = 0, writes_ = 0;
  std::int64_t next_id_ = 100000, next_time_ = (kEpochStart + 40 * 86400) * 1000000LL;
  bool diverged_ = false;
  std::string write_log_;  // the last write transaction, for the report
};

void Tester::Setup() {
  PgClient& c = lake_;
  c.MustRun("SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS lake_fdw");
  c.MustRun("DROP SCHEMA IF EXISTS diff CASCADE; DROP SCHEMA IF EXISTS twin CASCADE");
  c.MustRun(
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = 'lake') "
      "THEN CREATE SERVER lake FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket " +
      Quote(options_.lake_socket) +
      "); CREATE USER MAPPING FOR CURRENT_USER SERVER lake OPTIONS (token " +
      Quote(options_.lake_token) + "); END IF; END $$");
  c.MustRun(
      "CREATE SCHEMA diff; CREATE SCHEMA twin;"
      "CREATE FOREIGN TABLE diff.docs (id bigint, user_id bigint, model_version int, embedding "
      "lake.vector(4), metadata jsonb, created_at timestamptz) SERVER lake OPTIONS (collection "
      "'diff_docs');"
      "CREATE FOREIGN TABLE diff.docs_cos (id bigint, user_id bigint, model_version int, embedding "
      "lake.vector(4), metadata jsonb, created_at timestamptz) SERVER lake OPTIONS (collection "
      "'diff_docs_cos');"
      "CREATE FOREIGN TABLE diff.metrics (user_id bigint, metric text, tags jsonb, ts timestamptz, "
      "value float8) SERVER lake OPTIONS (series 'metrics');"
      "CREATE FOREIGN TABLE diff.events (user_id bigint, metric text, tags jsonb, ts timestamptz, "
      "value text) SERVER lake OPTIONS (series 'events');"
      "CREATE FOREIGN TABLE diff.metrics_1h (user_id bigint, metric text, tags jsonb, bucket "
      "timestamptz, count bigint, sum float8, min float8, max float8, avg float8, first float8, "
      "last float8) SERVER lake OPTIONS (series 'metrics', rollup '1 hour');"
      "CREATE TABLE twin.docs (id bigint PRIMARY KEY, user_id bigint, model_version int, "
      "embedding lake.vector(4), metadata jsonb, created_at timestamptz);"
      "CREATE TABLE twin.metrics (user_id bigint, metric text, tags jsonb, ts timestamptz, value "
      "float8);"
      "CREATE TABLE twin.events (user_id bigint, metric text, tags jsonb, ts timestamptz, value "
      "text);"
      "CREATE VIEW twin.metrics_1h AS SELECT user_id, metric, tags, lake.time_bucket('1 hour', ts) "
      "AS bucket, count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, "
      "avg(value) AS avg, lake.first(value, ts) AS first, lake.last(value, ts) AS last FROM "
      "twin.metrics GROUP BY 1, 2, 3, 4;"
      "CREATE TABLE twin.hosts (host text, region text, user_id bigint);"
      "INSERT INTO twin.hosts VALUES ('h0', 'eu', 1), ('h1', 'eu', 2), ('h2', 'us', 1), "
      "('h3', 'us', 3), ('h1', 'ap', 1)");
  c.MustRun("CREATE TABLE twin.docs_cos (LIKE twin.docs INCLUDING ALL)");
  for (const char* table : {"diff.docs", "diff.docs_cos", "twin.docs", "twin.docs_cos"})
    c.MustRun("BEGIN; " + InsertDocs(table, data_.docs) + "; COMMIT");
  for (const char* table : {"diff.metrics", "twin.metrics"})
    c.MustRun("BEGIN; " + InsertPoints(table, data_.metrics) + "; COMMIT");
  for (const char* table : {"diff.events", "twin.events"})
    c.MustRun("BEGIN; " + InsertPoints(table, data_.events) + "; COMMIT");
  // Two tenants: lake-server scopes their tokens; the twins, row-level
  // security on the same rule.
  c.MustRun(
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'diff_u1') THEN "
      "PERFORM lake.create_user(1, 'diff_u1'); PERFORM lake.create_user(2, 'diff_u2'); "
      "END IF; END $$");
  c.MustRun(
      "CREATE TABLE twin.tenants (role name, user_id bigint);"
      "INSERT INTO twin.tenants VALUES ('diff_u1', 1), ('diff_u2', 2);"
      "GRANT USAGE ON SCHEMA diff, twin TO diff_u1, diff_u2;"
      "GRANT SELECT ON ALL TABLES IN SCHEMA diff, twin TO diff_u1, diff_u2");
  for (const char* table : {"twin.docs", "twin.docs_cos", "twin.metrics", "twin.events"}) {
    c.MustRun(std::string("ALTER TABLE ") + table +
              " ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON " + table +
              " USING (user_id = (SELECT t.user_id FROM twin.tenants t WHERE t.role = "
              "current_user))");
  }
  c.MustRun("ALTER VIEW twin.metrics_1h SET (security_invoker = true)");
  for (PgClient* client : {&lake_, &heap_})
    client->MustRun(
        "SET search_path = public, lake; SET timezone = 'UTC'; SET extra_float_digits = 1");
  std::set<std::string> series;
  for (const PointRow& p : data_.metrics)
    series.insert(std::to_string(p.user_id) + p.metric + p.tags);
  std::printf("sqldiff: data of seed %llu: %zu records, %zu points in %zu series, %zu events\n",
              static_cast<unsigned long long>(options_.seed), data_.docs.size(),
              data_.metrics.size(), series.size(), data_.events.size());
}

Answer Tester::Ask(PgClient& client, const std::string& sql, const char* role) {
  ++statements_;
  const auto started = std::chrono::steady_clock::now();
  Answer answer = client.Run(role != nullptr ? "SET ROLE " + std::string(role) + "; " + sql : sql);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (seconds > options_.slow_seconds)
    std::printf("sqldiff: slow (%.1f s): %s\n", seconds, sql.substr(0, 400).c_str());
  if (!answer.ok || role != nullptr) {
    client.Run("ROLLBACK");
    client.Run("DEALLOCATE ALL; RESET plan_cache_mode; RESET statement_timeout; RESET ROLE");
  }
  return answer;
}

std::string Tester::Compare(const Query& q, const Pred& where, const Tables& expected_tables,
                            PgClient& expected_client, const Tables& actual_tables,
                            PgClient& actual_client, const char* role, Answer* expected,
                            Answer* actual) {
  *expected = Ask(expected_client, Render(q, expected_tables, where), role);
  *actual = Ask(actual_client, Render(q, actual_tables, where), role);
  std::string why = Difference(*expected, *actual, q.compare,
                               q.distances ? kDistanceTolerance : kAggregateTolerance);
  return why;
}

void Tester::Check(const Query& q, const Tables& expected_tables, PgClient& expected_client,
                   const Tables& actual_tables, PgClient& actual_client, const char* oracle,
                   const char* role) {
  Answer expected, actual;
  std::string why = Compare(q, q.where, expected_tables, expected_client, actual_tables,
                            actual_client, role, &expected, &actual);
  if (why.empty()) return;
  // Reduce: simplify the WHERE tree while the answers still differ.
  Pred where = q.where;
  // Candidates: every node replaced by one of its children, or by true,
  // each tried on a copy of the tree (node n of its depth-first order).
  const auto nodes = [](Pred* root) {
    std::vector<Pred*> order, stack = {root};
    while (!stack.empty()) {
      Pred* node = stack.back();
      stack.pop_back();
      order.push_back(node);
      for (Pred& child : node->children)
        stack.push_back(&child);
    }
    return order;
  };
  for (int round = 0; round < 40; ++round) {
    std::vector<std::pair<std::size_t, int>> edits;  // node, child (-1: true)
    const std::vector<Pred*> order = nodes(&where);
    for (std::size_t n = 0; n < order.size(); ++n) {
      for (std::size_t c = 0; c < order[n]->children.size(); ++c)
        edits.emplace_back(n, int(c));
      if (order[n]->kind == Pred::kAtom && order[n]->atom != "true") edits.emplace_back(n, -1);
    }
    bool reduced = false;
    for (const auto& [n, c] : edits) {
      Pred trial = where;
      Pred* node = nodes(&trial)[n];
      if (c >= 0) {
        Pred child = node->children[std::size_t(c)];
        *node = std::move(child);
      } else {
        *node = Pred{};
        node->atom = "true";
      }
      Answer e, a;
      std::string still = Compare(q, trial, expected_tables, expected_client, actual_tables,
                                  actual_client, role, &e, &a);
      if (!still.empty()) {
        why = still;
        expected = e;
        actual = a;
        where = std::move(trial);
        reduced = true;
        break;
      }
    }
    if (!reduced) break;
  }
  Report(std::string(oracle) + (role ? std::string(" as ") + role : "") + ", " + q.family,
         Render(q, expected_tables, where), Render(q, actual_tables, where), why, expected, actual);
}

// Ternary logic partitioning on the lake: the rows of WHERE true are those
// of WHERE p, WHERE NOT p and WHERE (p) IS NULL together.
void Tester::Partitions(const Query& q) {
  Query whole = q, parts = q;
  whole.where = Pred{};
  whole.where.atom = "true";
  const std::string p = q.where.Sql();
  const std::string part = q.shape;
  parts.shape = "(" + part + ") UNION ALL (" + part + ") UNION ALL (" + part + ")";
  // Each {where} of the union is one partition.
  std::string sql = parts.shape;
  const std::string conditions[] = {p, "NOT (" + p + ")", "(" + p + ") IS NULL"};
  for (const std::string& condition : conditions) {
    const std::size_t at = sql.find("{where}");
    sql.replace(at, 7, condition);
  }
  parts.shape = sql;
  Answer expected = Ask(lake_, Render(whole, kLake));
  Answer actual = Ask(lake_, Render(parts, kLake));
  const std::string why = Difference(expected, actual, CompareAs::kMultiset);
  if (!why.empty())
    Report("partitions (TLP), " + q.family, Render(whole, kLake), Render(parts, kLake), why,
           expected, actual);
}

// EXPLAIN ANALYZE runs the query; a statement timeout cancels it or lets it
// finish; the session answers afterwards either way.
void Tester::Robustness(const Query& q) {
  if (q.cursor || !q.param_type.empty()) return;  // they bring statements of their own
  const Answer explained = Ask(
      lake_, "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + Render(q, kLake));
  if (!explained.ok) {
    const Answer plain = Ask(lake_, Render(q, kLake));  // a query that fails fails explained too
    if (plain.ok || plain.sqlstate != explained.sqlstate)
      Report("EXPLAIN ANALYZE, " + q.family, "", Render(q, kLake), "EXPLAIN ANALYZE failed", plain,
             explained);
  }
  // SET LOCAL: gone with the transaction, whatever the timeout cancels.
  const Answer timed =
      Ask(lake_, "BEGIN; SET LOCAL statement_timeout = '1ms'; " + Render(q, kLake) + "; COMMIT");
  if (!timed.ok && timed.sqlstate != "57014") {
    const Answer plain = Ask(lake_, Render(q, kLake));
    if (plain.ok || plain.sqlstate != timed.sqlstate)
      Report("statement_timeout, " + q.family, "", Render(q, kLake),
             "a timed-out query failed with another error than 57014", plain, timed);
  }
  const Answer alive = Ask(lake_, "SELECT count(*) FROM diff.docs WHERE id = 1");
  if (!alive.ok) Report("after a cancel", "", "", "the session no longer answers", Answer{}, alive);
}

void Tester::WriteTransaction() {
  ++writes_;
  const auto below = [&](std::uint64_t n) { return rng_() % n; };
  const auto statement = [&](std::string* lake, std::string* heap) {
    switch (below(5)) {
      case 0: {  // new ids, or existing ones (replaced)
        std::vector<DocRow> rows;
        for (std::uint64_t i = 0, n = 1 + below(3); i < n; ++i) {
          DocRow row = data_.docs[below(data_.docs.size())];
          if (below(3) != 0) row.id = next_id_++;
          row.user_id = 1 + std::int64_t(below(kUsers));
          row.metadata = "{\"n\": " + std::to_string(below(100)) + ", \"w\": true}";
          rows.push_back(row);
        }
        if (below(3) == 0) {  // keep the existing records, on both sides
          *lake = InsertDocs("diff.docs", rows) + " ON CONFLICT DO NOTHING";
          *heap = InsertDocs("twin.docs", rows) + " ON CONFLICT DO NOTHING";
          return;
        }
        *lake = InsertDocs("diff.docs", rows);  // a lake INSERT replaces: the twin upserts
        *heap = InsertDocs("twin.docs", rows) +
                " ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, model_version = "
                "excluded.model_version, embedding = excluded.embedding, metadata = "
                "excluded.metadata, created_at = excluded.created_at";
        return;
      }
      case 1: {
        const std::string ids =
            std::to_string(1 + below(450)) + ", " + std::to_string(1 + below(450));
        const std::string where = below(2) ? " WHERE d.id IN (" + ids + ")"
                                           : " WHERE d.user_id = " + std::to_string(1 + below(3)) +
                                                 " AND d.id = " + std::to_string(1 + below(450));
        *lake = "DELETE FROM diff.docs d" + where;
        *heap = "DELETE FROM twin.docs d" + where;
        return;
      }
      case 2: {
        const std::string set =
            " SET metadata = '{\"tag\": \"t9\", \"n\": " + std::to_string(below(100)) +
            "}' WHERE d.id IN (" + std::to_string(1 + below(450)) + ", " +
            std::to_string(1 + below(450)) + ")";
        *lake = "UPDATE diff.docs d" + set;
        *heap = "UPDATE twin.docs d" + set;
        return;
      }
      case 3: {
        std::vector<PointRow> points;
        for (std::uint64_t i = 0, n = 1 + below(5); i < n; ++i) {
          PointRow p = data_.metrics[below(data_.metrics.size())];
          p.ts = next_time_;
          next_time_ += 1000000 + std::int64_t(below(1000));
          p.value = std::to_string(int(below(100)));
          points.push_back(p);
        }
        *lake = InsertPoints("diff.metrics", points);
        *heap = InsertPoints("twin.metrics", points);
        return;
      }
      default: {
        const std::int64_t from = (kEpochStart + std::int64_t(below(86400))) * 1000000;
        const std::string where = " WHERE m.metric = '" + std::string(below(2) ? "cpu" : "mem") +
                                  "' AND m.ts >= " + TimestampLiteral(from) + " AND m.ts < " +
                                  TimestampLiteral(from + std::int64_t(below(3600)) * 1000000);
        *lake = "DELETE FROM diff.metrics m" + where;
        *heap = "DELETE FROM twin.metrics m" + where;
        return;
      }
    }
  };
  write_log_ = "BEGIN;\n";
  lake_.Run("BEGIN");
  heap_.Run("BEGIN");
  for (std::uint64_t i = 0, n = 1 + below(4); i < n; ++i) {
    const bool savepoint = below(3) == 0;
    if (savepoint) {
      write_log_ += "SAVEPOINT s;\n";
      lake_.Run("SAVEPOINT s");
      heap_.Run("SAVEPOINT s");
    }
    std::string lake_sql, heap_sql;
    statement(&lake_sql, &heap_sql);
    write_log_ += lake_sql + ";\n";
    ++statements_;
    const Answer l = lake_.Run(lake_sql), h = heap_.Run(heap_sql);
    if (l.ok != h.ok) {
      Report("writes", heap_sql, lake_sql, "one side failed", h, l);
      diverged_ = true;
    }
    if (savepoint && below(2) == 0) {
      write_log_ += "ROLLBACK TO SAVEPOINT s;\n";
      lake_.Run("ROLLBACK TO SAVEPOINT s");
      heap_.Run("ROLLBACK TO SAVEPOINT s");
    }
  }
  const bool commit = below(5) != 0;
  write_log_ += commit ? "COMMIT;" : "ROLLBACK;";
  const Answer l = lake_.Run(commit ? "COMMIT" : "ROLLBACK");
  const Answer h = heap_.Run(commit ? "COMMIT" : "ROLLBACK");
  if (l.ok != h.ok) {
    Report("writes", "COMMIT", "COMMIT", "one side failed to commit", h, l);
    diverged_ = true;
  }
  CompareTables("after a write transaction");
}

void Tester::CompareTables(const char* when) {
  const std::string docs =
      "SELECT id, user_id, model_version, embedding, metadata, created_at "
      "FROM %s ORDER BY id";
  const std::string points = "SELECT user_id, metric, tags, ts, value FROM %s ORDER BY ts, user_id";
  for (const auto& [shape, lake, heap] : {std::tuple{docs, "diff.docs", "twin.docs"},
                                          std::tuple{points, "diff.metrics", "twin.metrics"}}) {
    char lake_sql[256], heap_sql[256];
    std::snprintf(lake_sql, sizeof(lake_sql), shape.c_str(), lake);
    std::snprintf(heap_sql, sizeof(heap_sql), shape.c_str(), heap);
    const Answer l = Ask(lake_, lake_sql), h = Ask(heap_, heap_sql);
    const std::string why = Difference(h, l, CompareAs::kOrdered);
    if (!why.empty()) {
      Report(std::string("tables ") + when + ", the last write transaction:\n" + write_log_,
             heap_sql, lake_sql, why, h, l);
      diverged_ = true;
    }
  }
}

void Tester::Report(const std::string& oracle, const std::string& sql_expected,
                    const std::string& sql_actual, const std::string& why, const Answer& expected,
                    const Answer& actual) {
  ++differences_;
  if (differences_ > options_.max_differences) return;
  std::printf("\n=== difference %ld (%s) after %ld queries, seed %llu\n%s\n", differences_,
              oracle.c_str(), queries_, static_cast<unsigned long long>(options_.seed),
              why.c_str());
  if (!sql_expected.empty()) std::printf("-- expected from:\n%s;\n", sql_expected.c_str());
  std::printf("%s", Show(expected).c_str());
  if (!sql_actual.empty()) std::printf("-- lake:\n%s;\n", sql_actual.c_str());
  std::printf("%s", Show(actual).c_str());
  std::fflush(stdout);
}

int Tester::Run() {
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  while (!diverged_ &&
         (options_.seconds > 0 ? elapsed() < options_.seconds : queries_ < options_.queries)) {
    const Query q = generator_.Next();
    ++queries_;
    Check(q, kHeap, heap_, kLake, lake_, "heap twin");
    if (queries_ % 3 == 0) Check(q, kLake, lake_, kUnpushed, lake_, "pushdown off vs on");
    if (q.partitionable && q.param_type.empty() && queries_ % 2 == 0) Partitions(q);
    if (queries_ % 7 == 0) Check(q, kHeap, heap_, kLake, lake_, "tenant", kTenants[queries_ % 2]);
    if (queries_ % 97 == 0) Robustness(q);
    if (queries_ % 151 == 0) WriteTransaction();
  }
  CompareTables("at the end");
  std::printf(
      "sqldiff: seed %llu: %ld queries (%ld statements, %ld write transactions) in %.1f s, "
      "%ld differences\n",
      static_cast<unsigned long long>(options_.seed), queries_, statements_, writes_, elapsed(),
      differences_);
  return differences_ == 0 ? 0 : 1;
}

}  // namespace
}  // namespace lake::sqldiff

int main(int argc, char** argv) {
  lake::sqldiff::Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--host")
      o.host = value;
    else if (flag == "--port")
      o.port = value;
    else if (flag == "--lake-socket")
      o.lake_socket = value;
    else if (flag == "--lake-token")
      o.lake_token = value;
    else if (flag == "--seed")
      o.seed = std::stoull(value);
    else if (flag == "--queries")
      o.queries = std::stol(value);
    else if (flag == "--seconds")
      o.seconds = std::stod(value);
    else if (flag == "--max-differences")
      o.max_differences = std::stoi(value);
    else {
      std::fprintf(stderr, "sqldiff: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (o.host.empty() || o.port.empty() || o.lake_socket.empty() || o.lake_token.empty()) {
    std::fprintf(stderr,
                 "usage: sqldiff --host DIR --port N --lake-socket PATH --lake-token T "
                 "[--seed S] [--queries N] [--seconds S]\n");
    return 2;
  }
  const std::string conninfo =
      "host=" + o.host + " port=" + o.port + " user=postgres dbname=postgres";
  lake::sqldiff::Tester tester(o, conninfo);
  tester.Setup();
  return tester.Run();
}

#include "query_gen.h"

#include <cstdio>

namespace lake::sqldiff {
namespace {

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

const std::vector<std::string> kWidths = {"1 minute",   "5 minutes", "15 minutes", "1 hour",
                                          "90 minutes", "1 day",     "1 week"};
const std::vector<std::string> kAggregates = {"count(*)",
                                              "count(m.value)",
                                              "sum(m.value)",
                                              "min(m.value)",
                                              "max(m.value)",
                                              "avg(m.value)",
                                              "stddev(m.value)",
                                              "lake.first(m.value, m.ts)",
                                              "lake.last(m.value, m.ts)"};

}  // namespace

std::string Pred::Sql() const {
  switch (kind) {
    case kAtom:
      return atom;
    case kNot:
      return "NOT (" + children[0].Sql() + ")";
    case kAnd:
    case kOr: {
      std::string sql = "(";
      for (std::size_t i = 0; i < children.size(); ++i)
        sql += (i ? (kind == kAnd ? " AND " : " OR ") : "") + children[i].Sql();
      return sql + ")";
    }
  }
  return "true";
}

int Pred::Size() const {
  int size = 1;
  for (const Pred& child : children)
    size += child.Size();
  return size;
}

std::string Render(const Query& query, const Tables& tables, const Pred& where) {
  std::string sql = Replace(query.shape, "{where}", where.Sql());
  for (const auto& [name, table] : tables)
    sql = Replace(sql, "{" + name + "}", table);
  if (query.cursor) {
    sql = "BEGIN; DECLARE diff_cursor SCROLL CURSOR FOR " + sql +
          "; FETCH 3 FROM diff_cursor; FETCH BACKWARD 2 FROM diff_cursor; FETCH ALL FROM "
          "diff_cursor; COMMIT";
  }
  if (!query.param_type.empty()) {
    sql = std::string("SET plan_cache_mode = ") +
          (query.generic_plan ? "force_generic_plan" : "force_custom_plan") +
          "; PREPARE diff_statement(" + query.param_type + ") AS " + sql +
          "; EXECUTE diff_statement(" + query.param_value +
          "); DEALLOCATE diff_statement; RESET plan_cache_mode";
  }
  return sql;
}

std::string Render(const Query& query, const Tables& tables) {
  return Render(query, tables, query.where);
}

QueryGenerator::QueryGenerator(std::uint64_t seed, const Dataset& data) : rng_(seed), data_(data) {}

std::vector<std::string> QueryGenerator::Families() {
  return {"vector rows",         "vector full rows",
          "vector aggregate",    "vector group by",
          "vector order/limit",  "kNN l2",
          "kNN cosine",          "vector distinct",
          "vector window",       "vector self join",
          "vector x heap join",  "vector anti join",
          "vector CTE union",    "LATERAL kNN",
          "series rows",         "series aggregate",
          "time_bucket",         "lastpoint DISTINCT ON",
          "series newest first", "LATERAL lastpoint",
          "series order/limit",  "events",
          "rollup rows",         "series x heap join",
          "series window"};
}

std::string QueryGenerator::Id() {
  return std::to_string(1 + Below(data_.docs.size() + 5));
}
std::string QueryGenerator::User() {
  return std::to_string(Below(kUsers + 2));
}
std::string QueryGenerator::Time() {
  // Within the data's first two days, mostly; now and then an exact point.
  if (!data_.point_times.empty() && Chance(15)) return TimestampLiteral(Pick(data_.point_times));
  return TimestampLiteral((kEpochStart + std::int64_t(Below(2 * 86400))) * 1000000 +
                          std::int64_t(Below(1000000)));
}
std::string QueryGenerator::QueryVector() {
  if (Chance(30)) return Quote(VectorLiteral(Pick(data_.docs).embedding));
  float v[kDimension];
  for (float& x : v)
    x = static_cast<float>(static_cast<int>(Below(2001)) - 1000) / 1000.0f;
  return Quote(VectorLiteral(v));
}

std::string QueryGenerator::DocAtom() {
  switch (Below(22)) {
    case 0:
      return "d.id = " + Id();
    case 1:
      return "d.id IN (" + Id() + ", " + Id() + ", " + Id() + ")";
    case 2:
      return "d.id < " + Id();
    case 3:
      return "d.id BETWEEN " + Id() + " AND " + Id();
    case 4:
      return "d.id = (SELECT " + Id() + "::bigint)";
    case 5:
      return Chance(50) ? "d.id = NULL" : "d.id IN (" + Id() + ", NULL)";
    case 6:
      return "d.user_id = " + User();
    case 7:
      return "d.user_id <> " + User();
    case 8:
      return "d.user_id = (SELECT " + User() + "::bigint)";
    case 9:
      return "d.user_id IN (" + User() + ", " + User() + ")";
    case 10:
      return Chance(70) ? "d.model_version = 1" : "d.model_version = " + std::to_string(Below(3));
    case 11:
      return "d.metadata->>'tag' = 't" + std::to_string(Below(6)) + "'";
    case 12:
      return "d.metadata @> '{\"tag\": \"t" + std::to_string(Below(5)) + "\"}'";
    case 13:
      return "(d.metadata->>'n')::int > " + std::to_string(Below(100));
    case 14:
      return Chance(50) ? "d.metadata ? 'flag'" : "(d.metadata->>'flag')::boolean";
    case 15:
      return "d.created_at > " + TimestampLiteral((kEpochStart + Below(30 * 86400)) * 1000000);
    case 16:
      return "d.created_at <= " + TimestampLiteral((kEpochStart + Below(30 * 86400)) * 1000000);
    case 17: {
      char radius[16];
      std::snprintf(radius, sizeof(radius), "%.2f", 0.5 + double(Below(150)) / 100);
      return "d.embedding <-> " + QueryVector() + " < " + radius;
    }
    case 18:
      return "d.user_id = (SELECT min(h.user_id) FROM {hosts} h WHERE h.host = 'h" +
             std::to_string(Below(4)) + "')";
    case 19:
      return "EXISTS (SELECT 1 FROM {docs} e WHERE e.id = d.id + 1 AND e.user_id = d.user_id)";
    case 20:
      return "d.id IN (SELECT e.id FROM {docs} e WHERE e.user_id = " + User() + ")";
    default:
      return "d.user_id IS NOT NULL";
  }
}

std::string QueryGenerator::SeriesAtom(const std::string& t) {
  static const std::vector<std::string> metrics = {"'cpu'", "'mem'", "'disk'", "'none'"};
  switch (Below(19)) {
    case 0:
      return "m.user_id = " + User();
    case 1:
      return "m.user_id IN (" + User() + ", " + User() + ")";
    case 2:
      return "m.metric = " + Pick(metrics);
    case 3:
      return "m.metric IN (" + Pick(metrics) + ", " + Pick(metrics) + ")";
    case 4:
      return "m.metric = (SELECT " + Pick(metrics) + "::text)";
    case 5:
      return "m.metric <> " + Pick(metrics);
    case 6:
      return "m.tags @> '{\"host\": \"h" + std::to_string(Below(4)) + "\"}'";
    case 7:
      return "m.tags @> '{\"dc\": \"" + std::string(Chance(50) ? "east" : "west") + "\"}'";
    case 8:
      return "m.tags->>'dc' = '" + std::string(Chance(50) ? "east" : "west") + "'";
    case 9:
      return Chance(60)   ? "m.tags ? 'dc'"
             : Chance(50) ? "m.tags @> '{\"n\": 1}'"
                          : "m.tags @> '{}'";
    case 10:
      return t + " >= " + Time();
    case 11:
      return t + " < " + Time();
    case 12:
      return t + " > " + Time();
    case 13:
      return t + " <= " + Time();
    case 14:
      return t + " BETWEEN " + Time() + " AND " + Time();
    case 15:
      return t + " = " + Time();
    case 16:
      return t == "m.ts" ? "m.value > " + std::to_string(int(Below(100)) - 50)
                         : "m.count > " + std::to_string(Below(40));
    case 17:
      return Chance(50) ? "m.metric = NULL" : t + " > NULL::timestamptz";
    default:
      return t + " >= " + Time() + " AND " + t + " < " + Time();
  }
}

Pred QueryGenerator::Tree(int depth, bool series, const std::string& time_column) {
  Pred pred;
  if (depth == 0 || Chance(45)) {
    pred.atom = series ? SeriesAtom(time_column) : DocAtom();
    return pred;
  }
  const int kind = int(Below(10));
  if (kind < 6) {
    pred.kind = Pred::kAnd;
  } else if (kind < 9) {
    pred.kind = Pred::kOr;
  } else {
    pred.kind = Pred::kNot;
    pred.children.push_back(Tree(depth - 1, series, time_column));
    return pred;
  }
  const int children = 2 + int(Below(2));
  for (int i = 0; i < children; ++i)
    pred.children.push_back(Tree(depth - 1, series, time_column));
  return pred;
}

void QueryGenerator::MaybeParameter(Query* query, bool series) {
  if (!Chance(15)) return;
  Pred atom;
  if (series) {
    query->param_type = Chance(50) ? "text" : "timestamptz";
    if (query->param_type == "text") {
      atom.atom = "m.metric = $1";
      query->param_value = Chance(50) ? "'cpu'" : "'mem'";
    } else {
      atom.atom = "m.ts >= $1";
      query->param_value = Time();
    }
  } else {
    query->param_type = "bigint";
    atom.atom = Chance(50) ? "d.user_id = $1" : "d.id <> $1";
    query->param_value = Chance(10) ? "NULL" : User();
  }
  query->generic_plan = Chance(50);
  Pred both;
  both.kind = Pred::kAnd;
  both.children = {atom, query->where};
  query->where = both;
}

Query QueryGenerator::DocsQuery() {
  Query q;
  q.where = Tree(2, false);
  const std::string limit = " LIMIT " + std::to_string(1 + Below(12)) +
                            (Chance(30) ? " OFFSET " + std::to_string(Below(5)) : "");
  switch (Below(14)) {
    case 0:
      q = {"vector rows", "SELECT d.id, d.user_id FROM {docs} d WHERE {where}", q.where};
      q.partitionable = true;
      break;
    case 1:
      q = {"vector full rows", "SELECT * FROM {docs} d WHERE {where}", q.where};
      q.partitionable = true;
      break;
    case 2:
      q = {"vector aggregate",
           "SELECT count(*), sum(d.id), min(d.created_at), max(d.user_id) FROM {docs} d WHERE "
           "{where}",
           q.where};
      break;
    case 3:
      q = {"vector group by",
           "SELECT d.user_id, count(*), avg(d.id) FROM {docs} d WHERE {where} GROUP BY d.user_id" +
               std::string(Chance(40) ? " HAVING count(*) > " + std::to_string(Below(60)) : ""),
           q.where};
      break;
    case 4:
      q = {"vector order/limit",
           "SELECT d.id, d.metadata FROM {docs} d WHERE {where} ORDER BY d.id" +
               std::string(Chance(40) ? " DESC" : "") + limit,
           q.where, CompareAs::kOrdered};
      q.cursor = Chance(25);
      break;
    case 5:
    case 6: {
      // The collection's own metric, or another one (an exact scan).
      const bool cosine = Below(2) == 1;
      static const std::vector<std::string> operators = {" <-> ", " <=> ", " <#> "};
      const std::string v = QueryVector();
      const std::string op = Chance(70) ? operators[cosine ? 1 : 0] : Pick(operators);
      q = {cosine ? "kNN cosine" : "kNN l2",
           "SELECT d.id, d.embedding" + op + v + " AS distance FROM " +
               (cosine ? "{docs_cos}" : "{docs}") + " d WHERE {where} ORDER BY d.embedding" + op +
               v + " LIMIT " + std::to_string(1 + Below(15)),
           q.where, CompareAs::kKnn};
      q.distances = true;
      // Mostly conditions the engine applies inside the search; the rest
      // (the random tree) page in distance order through PostgreSQL's check.
      if (Chance(60)) {
        const std::string time = TimestampLiteral((kEpochStart + Below(30 * 86400)) * 1000000);
        const std::vector<std::string> atoms = {
            "d.user_id = " + User(),
            "d.id IN (" + Id() + ", " + Id() + ", " + Id() + ", " + Id() + ")",
            "d.user_id IN (" + User() + ", " + User() + ")",
            "d.model_version IN (1, 2)",
            "d.id > " + Id(),
            "d.created_at > " + time,
            "d.created_at BETWEEN " + time + " AND " + time + " + interval '5 days'",
            "d.metadata @> '{\"tag\": \"t" + std::to_string(Below(5)) + "\"}'",
            "d.metadata->>'tag' IN ('t" + std::to_string(Below(6)) + "', 't" +
                std::to_string(Below(6)) + "')",
            "d.metadata @> '{\"n\": " + std::to_string(Below(100)) + "}'",
            "true"};
        q.where = Pred{};
        q.where.atom = Pick(atoms);
        if (Chance(30)) q.where.atom += " AND " + Pick(atoms);
      }
      break;
    }
    case 7:
      q = {"vector distinct", "SELECT DISTINCT d.user_id FROM {docs} d WHERE {where}", q.where};
      break;
    case 8:
      q = {"vector window",
           "SELECT d.id, row_number() OVER (PARTITION BY d.user_id ORDER BY d.id) FROM {docs} d "
           "WHERE {where}",
           q.where};
      break;
    case 9:
      q = {"vector self join",
           "SELECT a.id, d.id FROM {docs} a JOIN {docs} d ON d.id = a.id + 1 WHERE {where}",
           q.where};
      break;
    case 10:
      q = {
          "vector x heap join",
          "SELECT d.id, h.host FROM {docs} d JOIN {hosts} h ON h.user_id = d.user_id WHERE {where}",
          q.where};
      break;
    case 11:
      q = {"vector anti join",
           "SELECT d.id FROM {docs} d WHERE {where} AND NOT EXISTS (SELECT 1 FROM {docs} e WHERE "
           "e.id = d.id * 2)",
           q.where};
      break;
    case 12:
      q = {"vector CTE union",
           "WITH c AS (SELECT d.id, d.user_id FROM {docs} d WHERE {where}) SELECT id FROM c WHERE "
           "user_id = 1 UNION SELECT id FROM c WHERE id < " +
               Id(),
           q.where};
      break;
    default:
      q = {"LATERAL kNN",
           "SELECT q.id, n.distance FROM (SELECT d.id, d.embedding FROM {docs} d WHERE {where} "
           "ORDER BY d.id LIMIT 3) q CROSS JOIN LATERAL (SELECT e.embedding <-> q.embedding AS "
           "distance FROM {docs} e ORDER BY e.embedding <-> q.embedding LIMIT " +
               std::to_string(1 + Below(4)) + ") n",
           q.where};
      q.distances = true;
      break;
  }
  MaybeParameter(&q, false);
  return q;
}

Query QueryGenerator::SeriesQuery() {
  Query q;
  q.where = Tree(2, true);
  switch (Below(11)) {
    case 0:
      q = {"series rows",
           "SELECT m.user_id, m.metric, m.tags, m.ts, m.value FROM {metrics} m WHERE {where}",
           q.where};
      q.partitionable = true;
      break;
    case 1:
      q = {"series aggregate",
           "SELECT count(*), sum(m.value), min(m.ts), max(m.value), avg(m.value) FROM {metrics} m "
           "WHERE {where}",
           q.where};
      break;
    case 2:
    case 3: {
      const std::string width = Pick(kWidths);
      const std::string bucket = "time_bucket('" + width + "', m.ts" +
                                 (Chance(25) ? ", '2026-01-01 00:07:00+00'" : "") + ")";
      std::string columns = bucket + " AS b", group = "1";
      int n = 1;
      if (Chance(40)) columns += ", m.metric", group += ", " + std::to_string(++n);
      if (Chance(30)) columns += ", m.tags->>'host' AS host", group += ", " + std::to_string(++n);
      const int aggregates = 1 + int(Below(4));
      for (int i = 0; i < aggregates; ++i)
        columns += ", " + Pick(kAggregates);
      std::string sql = "SELECT " + columns + " FROM {metrics} m WHERE {where} GROUP BY " + group;
      if (Chance(25)) sql += " HAVING count(*) > " + std::to_string(Below(10));
      q = {"time_bucket", sql, q.where};
      if (Chance(30)) {
        q.shape += " ORDER BY " + group + " LIMIT " + std::to_string(1 + Below(20));
        q.compare = CompareAs::kOrdered;
      }
      break;
    }
    case 4:
      q = {"lastpoint DISTINCT ON",
           "SELECT DISTINCT ON (m.user_id, m.metric, m.tags) m.user_id, m.metric, m.tags, m.ts, "
           "m.value FROM {metrics} m WHERE {where} ORDER BY m.user_id, m.metric, m.tags, m.ts DESC",
           q.where, CompareAs::kOrdered};
      break;
    case 5:
      q = {"LATERAL lastpoint",
           "SELECT s.metric, l.ts, l.value FROM (VALUES ('cpu'), ('mem'), ('disk'), ('none')) "
           "s(metric) CROSS JOIN LATERAL (SELECT m.ts, m.value FROM {metrics} m WHERE m.metric = "
           "s.metric AND {where} ORDER BY m.ts DESC LIMIT 1) l",
           q.where};
      break;
    case 6:
      if (Chance(40)) {  // newest first (the times only: rows tied in time come in any order)
        q = {"series newest first",
             "SELECT m.ts FROM {metrics} m WHERE {where} ORDER BY m.ts DESC LIMIT " +
                 std::to_string(1 + Below(300)) + (Chance(30) ? " OFFSET 3" : ""),
             q.where, CompareAs::kOrdered};
        break;
      }
      q = {"series order/limit",
           "SELECT m.ts, m.value FROM {metrics} m WHERE {where} ORDER BY m.ts, m.user_id LIMIT " +
               std::to_string(1 + Below(30)) + (Chance(30) ? " OFFSET 3" : ""),
           q.where, CompareAs::kOrdered};
      q.cursor = Chance(25);
      break;
    case 7:
      q = {"events",
           Chance(50)
               ? "SELECT m.metric, count(*), min(m.value), max(m.value) FROM {events} m "
                 "WHERE {where} GROUP BY 1"
               : "SELECT m.user_id, m.metric, m.tags, m.ts, m.value FROM {events} m WHERE {where}",
           q.where};
      break;
    case 8:
      q = {"rollup rows",
           "SELECT m.user_id, m.metric, m.tags, m.bucket, m.count, m.sum, m.min, m.max, m.avg, "
           "m.first, m.last FROM {m1h} m WHERE {where}",
           Tree(2, true, "m.bucket")};
      break;
    case 9:
      q = {"series x heap join",
           "SELECT h.region, count(*), sum(m.value) FROM {metrics} m JOIN {hosts} h ON h.host = "
           "m.tags->>'host' AND h.user_id = m.user_id WHERE {where} GROUP BY 1",
           q.where};
      break;
    default:
      q = {"series window",
           "SELECT m.metric, m.ts, m.value - lag(m.value) OVER (PARTITION BY m.user_id, m.metric, "
           "m.tags ORDER BY m.ts) FROM {metrics} m WHERE {where}",
           q.where};
      break;
  }
  if (q.family != "rollup rows") MaybeParameter(&q, true);
  return q;
}

Query QueryGenerator::Next() {
  return Chance(50) ? DocsQuery() : SeriesQuery();
}

}  // namespace lake::sqldiff

// Random queries for the differential tester. A query is a shape (SQL with
// table placeholders and {where}) and a WHERE tree, so a query that differs
// can be reduced by simplifying the tree. Placeholders: {docs} and
// {docs_cos} (vector tables, l2 and cosine), {metrics}, {events}, {m1h}
// (the hourly rollup of metrics), {hosts} (a heap table on both sides).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "compare.h"
#include "dataset.h"

namespace lake::sqldiff {

struct Pred {
  enum Kind { kAtom, kAnd, kOr, kNot } kind = kAtom;
  std::string atom;  // kAtom: a condition
  std::vector<Pred> children;
  std::string Sql() const;
  int Size() const;
};

struct Query {
  std::string family;  // what kind of query, for the report
  std::string shape;   // SQL with placeholders and {where}
  Pred where;
  CompareAs compare = CompareAs::kMultiset;
  bool distances = false;  // compares engine float32 distances: a looser tolerance
  // Ternary logic partitioning applies: the shape is a plain row query, so
  // WHERE p, WHERE NOT p and WHERE p IS NULL partition WHERE true.
  bool partitionable = false;
  // Run as a prepared statement with $1 of this type bound to this value.
  std::string param_type, param_value;
  bool generic_plan = false;
  bool cursor = false;  // fetched through a SCROLL cursor, forward and back
};

// The table names a query is rendered with.
using Tables = std::map<std::string, std::string>;

// The SQL to run for `query` on `tables` (prepared statement and cursor
// wrapping included); `where` replaces the query's own WHERE tree.
std::string Render(const Query& query, const Tables& tables, const Pred& where);
std::string Render(const Query& query, const Tables& tables);

class QueryGenerator {
 public:
  QueryGenerator(std::uint64_t seed, const Dataset& data);
  Query Next();
  // The families Next draws from, for docs/testing.md.
  static std::vector<std::string> Families();

 private:
  std::uint64_t Below(std::uint64_t n) { return rng_() % n; }
  bool Chance(int percent) { return int(Below(100)) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }
  std::string DocAtom();
  std::string SeriesAtom(const std::string& time_column);
  Pred Tree(int depth, bool series, const std::string& time_column = "m.ts");
  std::string Id();
  std::string User();
  std::string Time();
  std::string QueryVector();
  Query DocsQuery();
  Query SeriesQuery();
  void MaybeParameter(Query* query, bool series);

  std::mt19937_64 rng_;
  const Dataset& data_;
};

}  // namespace lake::sqldiff

// The rows the differential tester loads twice: into lake foreign tables
// (schema diff) and into native heap twins (schema twin) with the same
// columns, generated deterministically from a seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lake::sqldiff {

inline constexpr int kDimension = 4;
inline constexpr int kUsers = 3;  // user ids 1..kUsers
// Points and records lie in January 2026 (Unix seconds of its start).
inline constexpr std::int64_t kEpochStart = 1767225600;

struct DocRow {
  std::int64_t id;
  std::int64_t user_id;
  float embedding[kDimension];
  std::string metadata;     // JSON object text
  std::int64_t created_at;  // Unix seconds
};

struct PointRow {
  std::int64_t user_id;
  std::string metric;
  std::string tags;   // JSON object of strings
  std::int64_t ts;    // Unix microseconds
  std::string value;  // float8 text for metrics, any text for events
};

struct Dataset {
  std::vector<DocRow> docs;
  std::vector<PointRow> metrics;
  std::vector<PointRow> events;
  // Timestamps that are a point's exact time (for ts = c conditions).
  std::vector<std::int64_t> point_times;
};

Dataset MakeDataset(std::uint64_t seed, std::size_t docs, std::size_t points_per_series);

// SQL text of values, as both twins read them.
std::string VectorLiteral(const float* v);
std::string TimestampLiteral(std::int64_t unix_micros);  // 'YYYY-MM-DD HH:MM:SS.ffffff+00'
std::string Quote(const std::string& text);              // a SQL string literal

// The INSERT of `docs` into `table` (lake or twin: same columns).
std::string InsertDocs(const std::string& table, const std::vector<DocRow>& docs);
std::string InsertPoints(const std::string& table, const std::vector<PointRow>& points);

}  // namespace lake::sqldiff

#include "dataset.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace lake::sqldiff {
namespace {

const char* const kMetrics[] = {"cpu", "mem", "disk"};
const char* const kHosts[] = {"h0", "h1", "h2", "h3"};
const char* const kEvents[] = {"deploy", "alert"};

// A float with three decimals, so its text form is short and exact enough.
float Coordinate(std::mt19937_64& rng) {
  return static_cast<float>(static_cast<int>(rng() % 2001) - 1000) / 1000.0f;
}

}  // namespace

Dataset MakeDataset(std::uint64_t seed, std::size_t docs, std::size_t points_per_series) {
  std::mt19937_64 rng(seed);
  Dataset data;
  for (std::size_t i = 0; i < docs; ++i) {
    DocRow row;
    row.id = static_cast<std::int64_t>(i + 1);
    row.user_id = 1 + static_cast<std::int64_t>(rng() % kUsers);
    for (float& x : row.embedding)
      x = Coordinate(rng);
    const int tag = static_cast<int>(rng() % 6);  // 5: no tag
    std::string metadata = "{";
    if (tag < 5) metadata += "\"tag\": \"t" + std::to_string(tag) + "\", ";
    if (rng() % 4 == 0)
      metadata += std::string("\"flag\": ") + (rng() % 2 ? "true" : "false") + ", ";
    metadata += "\"n\": " + std::to_string(static_cast<int>(rng() % 100)) + "}";
    row.metadata = metadata;
    row.created_at = kEpochStart + static_cast<std::int64_t>(rng() % (30 * 86400));
    data.docs.push_back(row);
  }
  // Series: every user x metric x host, with a dc tag on most; one point a
  // minute from a start of their own, each with a jitter below a minute.
  // Each series' times end in its own microsecond, so no two points of
  // different series share a time (first/last of a bucket are unique).
  std::int64_t series = 0;
  for (std::int64_t user = 1; user <= kUsers; ++user) {
    for (const char* metric : kMetrics) {
      for (int h = 0; h < 4; ++h) {
        if (rng() % 3 == 0) continue;  // not every host reports every metric
        ++series;
        std::string tags = std::string("{\"host\": \"") + kHosts[h] + "\"";
        if (h != 3) tags += std::string(", \"dc\": \"") + (h % 2 ? "west" : "east") + "\"";
        tags += "}";
        const std::int64_t start = kEpochStart * 1000000 + std::int64_t(rng() % 600) * 60000000;
        for (std::size_t p = 0; p < points_per_series; ++p) {
          PointRow row{user, metric, tags, 0, ""};
          row.ts = start + std::int64_t(p) * 60000000 + std::int64_t(rng() % 59000) * 1000 + series;
          char value[32];
          std::snprintf(value, sizeof(value), "%.2f", double(rng() % 20001) / 100.0 - 50.0);
          row.value = value;
          data.metrics.push_back(row);
          if (rng() % 16 == 0) data.point_times.push_back(row.ts);
        }
      }
    }
    for (const char* kind : kEvents) {
      ++series;
      const std::int64_t start = kEpochStart * 1000000 + std::int64_t(rng() % 600) * 60000000;
      for (std::size_t p = 0; p < points_per_series / 4; ++p) {
        PointRow row{user, kind, "{\"host\": \"h" + std::to_string(rng() % 2) + "\"}", 0, ""};
        row.ts = start + std::int64_t(p) * 240000000 + std::int64_t(rng() % 59000) * 1000 + series;
        row.value = std::string(kind) + " #" + std::to_string(rng() % 7);
        data.events.push_back(row);
      }
    }
  }
  return data;
}

std::string VectorLiteral(const float* v) {
  std::string text = "[";
  for (int i = 0; i < kDimension; ++i) {
    char value[24];
    std::snprintf(value, sizeof(value), "%s%.3f", i ? "," : "", double(v[i]));
    text += value;
  }
  return text + "]";
}

std::string TimestampLiteral(std::int64_t unix_micros) {
  const std::time_t seconds = static_cast<std::time_t>(std::floor(double(unix_micros) / 1e6));
  const std::int64_t micros = unix_micros - std::int64_t(seconds) * 1000000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[48];
  std::snprintf(text, sizeof(text), "'%04d-%02d-%02d %02d:%02d:%02d.%06lld+00'", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return text;
}

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string InsertDocs(const std::string& table, const std::vector<DocRow>& docs) {
  std::string sql = "INSERT INTO " + table +
                    " (id, user_id, model_version, embedding, metadata, created_at) VALUES ";
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const DocRow& d = docs[i];
    sql += (i ? ", (" : "(") + std::to_string(d.id) + ", " + std::to_string(d.user_id) + ", 1, " +
           Quote(VectorLiteral(d.embedding)) + ", " + Quote(d.metadata) + ", " +
           TimestampLiteral(d.created_at * 1000000) + ")";
  }
  return sql;
}

std::string InsertPoints(const std::string& table, const std::vector<PointRow>& points) {
  std::string sql = "INSERT INTO " + table + " (user_id, metric, tags, ts, value) VALUES ";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PointRow& p = points[i];
    sql += (i ? ", (" : "(") + std::to_string(p.user_id) + ", " + Quote(p.metric) + ", " +
           Quote(p.tags) + ", " + TimestampLiteral(p.ts) + ", " + Quote(p.value) + ")";
  }
  return sql;
}

}  // namespace lake::sqldiff

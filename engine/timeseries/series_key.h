// A series is tenant + metric name + tags (sorted key/value pairs): that
// identity maps to a stable series id. Its kind says what a point holds: a
// float64 (metrics) or a short text (events: a payload per timestamp;
// states: a value that holds until it changes). The retention class decides
// how long its data is kept (compliance data for years, the rest for the
// defaults).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lake::timeseries {

enum class RetentionClass : std::uint8_t { kStandard = 0, kCompliance = 1 };
enum class SeriesKind : std::uint8_t { kMetric = 0, kEvent = 1, kState = 2 };
inline constexpr int kRetentionClassCount = 2;

using Tags = std::vector<std::pair<std::string, std::string>>;

struct SeriesKey {
  std::int64_t tenant = 0;
  std::string metric;
  Tags tags;
  RetentionClass retention = RetentionClass::kStandard;
  SeriesKind kind = SeriesKind::kMetric;
};

std::string_view SeriesKindName(SeriesKind kind);

// Sorts the tags and checks names: a non-empty metric and tag names, no NUL
// bytes, no tag named twice, at most 256 bytes per name or value and 64 tags.
Status NormaliseSeriesKey(SeriesKey* key);

// Tenant, metric and tags as one string: equal for equal identities.
std::string IdentityOf(const SeriesKey& key);

std::string EncodeSeriesKey(const SeriesKey& key);
Result<SeriesKey> DecodeSeriesKey(std::string_view bytes);

// The value of tag `name`, or nullptr.
const std::string* FindTag(const Tags& tags, std::string_view name);

}  // namespace lake::timeseries

#include "timeseries/series_key.h"

#include <algorithm>

#include "common/byte_buffer.h"

namespace lake::timeseries {

namespace {

constexpr std::size_t kMaxNameBytes = 256;
constexpr std::size_t kMaxTags = 64;

Status CheckName(const std::string& name, const char* what) {
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " must not be empty");
  if (name.size() > kMaxNameBytes)
    return Status::InvalidArgument(std::string(what) + " longer than 256 bytes");
  if (name.find('\0') != std::string::npos)
    return Status::InvalidArgument(std::string(what) + " contains a NUL byte");
  return Status::Ok();
}

void WriteString(ByteWriter& out, const std::string& s) {
  out.Varint(s.size());
  out.Bytes(s.data(), s.size());
}

Status ReadString(ByteReader& in, std::string* s) {
  std::uint64_t size;
  LAKE_RETURN_IF_ERROR(in.Varint(&size));
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(size, &data));
  s->assign(data, size);
  return Status::Ok();
}

}  // namespace

Status NormaliseSeriesKey(SeriesKey* key) {
  LAKE_RETURN_IF_ERROR(CheckName(key->metric, "metric name"));
  if (key->tags.size() > kMaxTags) return Status::InvalidArgument("more than 64 tags");
  if (key->retention != RetentionClass::kStandard && key->retention != RetentionClass::kCompliance)
    return Status::InvalidArgument("unknown retention class");
  if (key->kind != SeriesKind::kMetric && key->kind != SeriesKind::kEvent &&
      key->kind != SeriesKind::kState)
    return Status::InvalidArgument("unknown series kind");
  std::sort(key->tags.begin(), key->tags.end());
  for (std::size_t i = 0; i < key->tags.size(); ++i) {
    LAKE_RETURN_IF_ERROR(CheckName(key->tags[i].first, "tag name"));
    if (key->tags[i].second.size() > kMaxNameBytes ||
        key->tags[i].second.find('\0') != std::string::npos)
      return Status::InvalidArgument("tag " + key->tags[i].first +
                                     ": value longer than 256 bytes or with a NUL byte");
    if (i > 0 && key->tags[i].first == key->tags[i - 1].first)
      return Status::InvalidArgument("tag " + key->tags[i].first + " given twice");
  }
  return Status::Ok();
}

std::string IdentityOf(const SeriesKey& key) {
  std::string identity = std::to_string(key.tenant);
  identity += '\0';
  identity += key.metric;
  for (const auto& [name, value] : key.tags) {
    identity += '\0';
    identity += name;
    identity += '\0';
    identity += value;
  }
  return identity;
}

std::string EncodeSeriesKey(const SeriesKey& key) {
  std::string bytes;
  ByteWriter out(&bytes);
  out.Fixed(key.tenant);
  out.Fixed(static_cast<std::uint8_t>(key.retention));
  out.Fixed(static_cast<std::uint8_t>(key.kind));
  WriteString(out, key.metric);
  out.Varint(key.tags.size());
  for (const auto& [name, value] : key.tags) {
    WriteString(out, name);
    WriteString(out, value);
  }
  return bytes;
}

Result<SeriesKey> DecodeSeriesKey(std::string_view bytes) {
  ByteReader in(bytes);
  SeriesKey key;
  std::uint8_t retention, kind;
  std::uint64_t tags;
  LAKE_RETURN_IF_ERROR(in.Fixed(&key.tenant));
  LAKE_RETURN_IF_ERROR(in.Fixed(&retention));
  LAKE_RETURN_IF_ERROR(in.Fixed(&kind));
  LAKE_RETURN_IF_ERROR(ReadString(in, &key.metric));
  LAKE_RETURN_IF_ERROR(in.Varint(&tags));
  if (tags > kMaxTags) return Status::Corruption("series: too many tags");
  key.retention = static_cast<RetentionClass>(retention);
  key.kind = static_cast<SeriesKind>(kind);
  key.tags.resize(tags);
  for (auto& [name, value] : key.tags) {
    LAKE_RETURN_IF_ERROR(ReadString(in, &name));
    LAKE_RETURN_IF_ERROR(ReadString(in, &value));
  }
  if (in.remaining() != 0) return Status::Corruption("series: trailing bytes");
  return key;
}

std::string_view SeriesKindName(SeriesKind kind) {
  switch (kind) {
    case SeriesKind::kMetric:
      return "metric";
    case SeriesKind::kEvent:
      return "event";
    case SeriesKind::kState:
      return "state";
  }
  return "unknown";
}

const std::string* FindTag(const Tags& tags, std::string_view name) {
  for (const auto& [tag, value] : tags) {
    if (tag == name) return &value;
  }
  return nullptr;
}

}  // namespace lake::timeseries

#include "timeseries/rollup_block.h"

#include "common/byte_buffer.h"
#include "timeseries/gorilla_codec.h"

namespace lake::timeseries {

namespace {

constexpr double Aggregate::*kFloatColumns[] = {&Aggregate::sum,   &Aggregate::m2,
                                                &Aggregate::min,   &Aggregate::max,
                                                &Aggregate::first, &Aggregate::last};

}  // namespace

std::int64_t BlockWidth(Level level) {
  switch (level) {
    case Level::kRaw:
    case Level::kMinute:
      return kMicrosPerHour;
    case Level::kHour:
      return kMicrosPerDay;
    case Level::kDay:
      return 32 * kMicrosPerDay;
  }
  return kMicrosPerHour;
}

std::string EncodeRollupBlock(std::span<const UnitAggregate> units, Level level,
                              std::int64_t block_start) {
  const std::int64_t unit = LevelWidth(level);
  std::string bytes;
  ByteWriter out(&bytes);
  out.Varint(units.size());
  for (const UnitAggregate& u : units)
    out.Varint(static_cast<std::uint64_t>((u.start - block_start) / unit));
  for (const UnitAggregate& u : units)
    out.Varint(u.aggregate.count);
  for (const UnitAggregate& u : units)
    out.Varint(static_cast<std::uint64_t>(u.aggregate.first_ts - u.start));
  for (const UnitAggregate& u : units)
    out.Varint(static_cast<std::uint64_t>(u.aggregate.last_ts - u.start));
  std::vector<double> column(units.size());
  for (auto field : kFloatColumns) {
    for (std::size_t i = 0; i < units.size(); ++i)
      column[i] = units[i].aggregate.*field;
    EncodeGorilla(column, out);
  }
  return bytes;
}

Status DecodeRollupBlock(std::string_view bytes, Level level, std::int64_t block_start,
                         std::vector<UnitAggregate>* out) {
  const std::int64_t unit = LevelWidth(level);
  const auto slots = static_cast<std::uint64_t>(BlockWidth(level) / unit);
  const Status corrupt = Status::Corruption("rollup: bad block");
  ByteReader in(bytes);
  std::uint64_t n;
  LAKE_RETURN_IF_ERROR(in.Varint(&n));
  if (n == 0 || n > slots) return corrupt;
  std::vector<UnitAggregate> units(n);
  std::uint64_t previous_slot = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t slot;
    LAKE_RETURN_IF_ERROR(in.Varint(&slot));
    if (slot >= slots || (i > 0 && slot <= previous_slot)) return corrupt;
    previous_slot = slot;
    units[i].start = block_start + static_cast<std::int64_t>(slot) * unit;
  }
  for (auto& u : units) {
    LAKE_RETURN_IF_ERROR(in.Varint(&u.aggregate.count));
    if (u.aggregate.count == 0) return corrupt;
  }
  for (std::int64_t Aggregate::*field : {&Aggregate::first_ts, &Aggregate::last_ts}) {
    for (auto& u : units) {
      std::uint64_t offset;
      LAKE_RETURN_IF_ERROR(in.Varint(&offset));
      if (offset >= static_cast<std::uint64_t>(unit)) return corrupt;
      u.aggregate.*field = u.start + static_cast<std::int64_t>(offset);
    }
  }
  std::vector<double> column(n);
  for (auto field : kFloatColumns) {
    LAKE_RETURN_IF_ERROR(DecodeGorilla(in, column));
    for (std::size_t i = 0; i < n; ++i)
      units[i].aggregate.*field = column[i];
  }
  if (in.remaining() != 0) return corrupt;
  out->insert(out->end(), units.begin(), units.end());
  return Status::Ok();
}

}  // namespace lake::timeseries

// Rollup buckets of one series, stored a block at a time: an hour of minute
// buckets, a day of hour buckets, 32 days of day buckets per RocksDB value,
// column by column (slots, counts and timestamp offsets as varints, the six
// float columns as Gorilla streams: cheap to write on every seal, and
// repeated minima, maxima and last values cost a bit). A bucket costs a
// dozen bytes or so instead of a 72-byte record plus a key.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "timeseries/reduction.h"
#include "timeseries/ts_keys.h"

namespace lake::timeseries {

// The span of one block of `level` buckets: a divisor of its partition, and
// for minutes and hours exactly one bucket of the next level.
std::int64_t BlockWidth(Level level);

// `units`: time-ordered buckets of `level` inside the block at `block_start`.
std::string EncodeRollupBlock(std::span<const UnitAggregate> units, Level level,
                              std::int64_t block_start);
Status DecodeRollupBlock(std::string_view bytes, Level level, std::int64_t block_start,
                         std::vector<UnitAggregate>* out);

}  // namespace lake::timeseries

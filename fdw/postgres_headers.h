// PostgreSQL's server headers, for C++: they are C, so every declaration
// (and PG_FUNCTION_INFO_V1, PG_MODULE_MAGIC) must have C linkage.
//
// The rule of the wrapper's code: a function that can raise a PostgreSQL
// error (ereport, palloc, any fmgr call) owns no C++ object with a
// destructor in the frame the error would longjmp across. C++ state lives
// behind ReportExceptions (pg_boundary.h) or in memory contexts.
#pragma once

#include <cstdint>

extern "C" {
#include "postgres.h"  // must come first

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

namespace lake::fdw {

// Microseconds from the Unix epoch (the engine's) to PostgreSQL's
// (2000-01-01), the offset between their timestamps.
inline constexpr std::int64_t kPostgresEpochMicros = 946684800LL * 1000000;

// A finite timestamptz as the engine's Unix microseconds; false for an
// infinity or a time in PostgreSQL's last years, which lie beyond int64 in
// Unix microseconds.
inline bool ToUnixMicros(TimestampTz ts, std::int64_t* unix_micros) {
  return !TIMESTAMP_NOT_FINITE(ts) &&
         !__builtin_add_overflow(ts, kPostgresEpochMicros, unix_micros);
}

// A value of a timestamptz column written to lake-server (`what` names it):
// within 2^61 us of 1970 (years 71,000 BC to 75,000 AD), so that bucket
// arithmetic on stored times never overflows.
inline std::int64_t WrittenUnixMicros(TimestampTz ts, const char* what) {
  constexpr std::int64_t kFar = std::int64_t{1} << 61;
  std::int64_t unix_micros = 0;
  if (!ToUnixMicros(ts, &unix_micros) || unix_micros >= kFar || unix_micros <= -kFar)
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("lake: %s must be a finite time before the year 75000", what)));
  return unix_micros;
}

}  // namespace lake::fdw

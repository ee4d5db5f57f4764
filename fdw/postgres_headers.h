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

}  // namespace lake::fdw

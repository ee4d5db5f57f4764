// time_bucket(interval, timestamptz [, origin]) and the timestamp variant,
// with TimescaleDB's meaning: buckets of a fixed width (days and time) are
// aligned to the origin, by default Monday 2000-01-03 00:00 UTC; buckets of
// whole months are aligned to the origin's month, by default January 2000.
// Computed in UTC (timestamptz and timestamp alike are microseconds here).
#include "postgres_headers.h"

extern "C" {
#include "common/int.h"
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "utils/datetime.h"
}

namespace lake::fdw {
namespace {

// 2000-01-03 and 2000-01-01 relative to PostgreSQL's epoch (2000-01-01).
constexpr TimestampTz kDefaultOrigin = 2 * USECS_PER_DAY;
constexpr TimestampTz kDefaultMonthOrigin = 0;

Timestamp FloorDiv(Timestamp value, Timestamp width) {
  Timestamp quotient = value / width;
  if (value % width != 0 && ((value < 0) != (width < 0))) --quotient;
  return quotient;
}

Timestamp BucketMonths(int months, Timestamp ts, Timestamp origin) {
  struct pg_tm tm;
  fsec_t fsec;
  if (timestamp2tm(ts, nullptr, &tm, &fsec, nullptr, nullptr) != 0)
    ereport(ERROR,
            (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
  struct pg_tm origin_tm;
  if (timestamp2tm(origin, nullptr, &origin_tm, &fsec, nullptr, nullptr) != 0)
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("origin out of range")));
  const long since_origin = (tm.tm_year - origin_tm.tm_year) * 12L + (tm.tm_mon - origin_tm.tm_mon);
  const long start =
      origin_tm.tm_year * 12L + (origin_tm.tm_mon - 1) + FloorDiv(since_origin, months) * months;
  struct pg_tm bucket = {};
  bucket.tm_year = static_cast<int>(FloorDiv(start, 12));
  bucket.tm_mon = static_cast<int>(start - FloorDiv(start, 12) * 12) + 1;
  bucket.tm_mday = 1;
  Timestamp result;
  if (tm2timestamp(&bucket, 0, nullptr, &result) != 0)
    ereport(ERROR,
            (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
  return result;
}

Timestamp Bucket(const Interval* width, Timestamp ts, bool has_origin, Timestamp origin) {
  if (has_origin && TIMESTAMP_NOT_FINITE(origin))
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid origin value: infinity"),
             errhint("The origin of time_bucket must be a finite time.")));
  if (TIMESTAMP_NOT_FINITE(ts)) return ts;
  if (width->month != 0) {
    if (width->day != 0 || width->time != 0)
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("month intervals cannot have day or time component")));
    if (width->month < 0)
      ereport(ERROR,
              (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("period must be greater than 0")));
    return BucketMonths(width->month, ts, has_origin ? origin : kDefaultMonthOrigin);
  }
  const Timestamp period = width->day * USECS_PER_DAY + width->time;
  if (period <= 0)
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("period must be greater than 0")));
  const Timestamp offset = (has_origin ? origin : kDefaultOrigin) % period;
  Timestamp shifted;
  if (pg_sub_s64_overflow(ts, offset, &shifted))
    ereport(ERROR,
            (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
  return FloorDiv(shifted, period) * period + offset;
}

// The start of `date` as a timestamp (no time zone).
Timestamp Midnight(DateADT date) {
  Timestamp result;
  if (pg_mul_s64_overflow(date, USECS_PER_DAY, &result))
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("date out of range for timestamp")));
  return result;
}

}  // namespace
}  // namespace lake::fdw

extern "C" {

PG_FUNCTION_INFO_V1(time_bucket_timestamptz);
Datum time_bucket_timestamptz(PG_FUNCTION_ARGS) {
  const bool has_origin = PG_NARGS() > 2 && !PG_ARGISNULL(2);
  PG_RETURN_TIMESTAMPTZ(lake::fdw::Bucket(PG_GETARG_INTERVAL_P(0), PG_GETARG_TIMESTAMPTZ(1),
                                          has_origin, has_origin ? PG_GETARG_TIMESTAMPTZ(2) : 0));
}

PG_FUNCTION_INFO_V1(time_bucket_timestamp);
Datum time_bucket_timestamp(PG_FUNCTION_ARGS) {
  const bool has_origin = PG_NARGS() > 2 && !PG_ARGISNULL(2);
  PG_RETURN_TIMESTAMP(lake::fdw::Bucket(PG_GETARG_INTERVAL_P(0), PG_GETARG_TIMESTAMP(1), has_origin,
                                        has_origin ? PG_GETARG_TIMESTAMP(2) : 0));
}

PG_FUNCTION_INFO_V1(time_bucket_date);
Datum time_bucket_date(PG_FUNCTION_ARGS) {
  const Interval* width = PG_GETARG_INTERVAL_P(0);
  if (width->time != 0)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("interval must not have sub-day precision"),
                    errhint("A date is bucketed by whole days or months.")));
  const bool has_origin = PG_NARGS() > 2 && !PG_ARGISNULL(2);
  if (has_origin && DATE_NOT_FINITE(PG_GETARG_DATEADT(2)))
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid origin value: infinity"),
             errhint("The origin of time_bucket must be a finite date.")));
  const DateADT date = PG_GETARG_DATEADT(1);
  if (DATE_NOT_FINITE(date)) PG_RETURN_DATEADT(date);
  // Days since 2000-01-01 as a timestamp at midnight: no time zone.
  const Timestamp bucket =
      lake::fdw::Bucket(width, lake::fdw::Midnight(date), has_origin,
                        has_origin ? lake::fdw::Midnight(PG_GETARG_DATEADT(2)) : 0);
  PG_RETURN_DATEADT(static_cast<DateADT>(lake::fdw::FloorDiv(bucket, USECS_PER_DAY)));
}

}  // extern "C"

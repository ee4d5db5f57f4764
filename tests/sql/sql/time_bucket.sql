-- time_bucket with TimescaleDB's meaning: fixed widths aligned to Monday
-- 2000-01-03 UTC (or an origin), months aligned to January 2000.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS lake_fdw;
RESET client_min_messages;
SET search_path = public, lake;
SET timezone = 'UTC';

SELECT time_bucket('1 hour', '2026-11-28 13:47:12.5+00'::timestamptz);
SELECT time_bucket('15 minutes', '2026-11-28 13:47:12+00'::timestamptz);
SELECT time_bucket('1 day', '2026-11-28 13:47:12+00'::timestamptz);
-- A week starts on Monday (2026-11-23), as in TimescaleDB.
SELECT time_bucket('7 days', '2026-11-28 13:47:12+00'::timestamptz);
SELECT time_bucket('1 week', '2026-11-28 13:47:12+00'::timestamptz);
SELECT time_bucket('1 month', '2026-11-28 13:47:12+00'::timestamptz);
SELECT time_bucket('3 months', '2026-11-28 13:47:12+00'::timestamptz);
SELECT time_bucket('1 year', '2026-11-28 13:47:12+00'::timestamptz);
-- Before the epoch and at bucket edges.
SELECT time_bucket('1 hour', '1999-12-31 23:59:59.999999+00'::timestamptz);
SELECT time_bucket('1 hour', '2026-11-28 13:00:00+00'::timestamptz);
SELECT time_bucket('1 month', '1999-11-15 00:00:00+00'::timestamptz);
-- With an origin.
SELECT time_bucket('1 hour', '2026-11-28 13:47:12+00'::timestamptz, '2026-01-01 00:30:00+00');
SELECT time_bucket('1 day', '2026-11-28 13:47:12+00'::timestamptz, '2026-11-28 18:00:00+00');
SELECT time_bucket('2 months', '2026-11-28 13:47:12+00'::timestamptz, '2026-02-01 00:00:00+00');
-- Timestamps without time zone, and the time zone of the session does not move buckets.
SELECT time_bucket('1 hour', '2026-11-28 13:47:12'::timestamp);
SET timezone = 'America/New_York';
SELECT time_bucket('1 day', '2026-11-28 13:47:12+00'::timestamptz);
SET timezone = 'UTC';
-- Infinity stays infinity; bad widths are refused.
SELECT time_bucket('1 hour', 'infinity'::timestamptz);
SELECT time_bucket('0 seconds', now());
SELECT time_bucket('-1 hour', now());
SELECT time_bucket('1 month 2 days', now());
-- Used like any function: grouping rows.
SELECT time_bucket('1 hour', ts) AS hour, count(*), avg(v)
  FROM (SELECT '2026-11-28 00:00+00'::timestamptz + i * interval '10 minutes' AS ts, i AS v
          FROM generate_series(0, 17) i) t
 GROUP BY 1 ORDER BY 1;

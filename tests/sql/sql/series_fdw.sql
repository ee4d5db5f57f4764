-- Time-series foreign tables through lake-server: a row per point; user_id,
-- metric, tags @> and ts ranges choose series and time in the engine, and
-- time_bucket aggregates run there too; each pushed query is checked against
-- the same query aggregated by PostgreSQL (behind OFFSET 0).
CREATE SCHEMA timeseries;
CREATE FOREIGN TABLE timeseries.metrics (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value double precision
) SERVER lake OPTIONS (series 'metrics');
CREATE FOREIGN TABLE timeseries.events (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value text
) SERVER lake OPTIONS (series 'events');
SET search_path = public, lake;
SET timezone = 'UTC';

SELECT count(*), min(ts), max(ts), sum(value) FROM timeseries.metrics;
SELECT user_id, metric, tags, count(*) FROM timeseries.metrics GROUP BY 1, 2, 3 ORDER BY 1, tags::text;

-- Conditions that choose series and time go to the engine.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT ts, value FROM timeseries.metrics
   WHERE user_id = 1 AND metric = 'cpu' AND tags @> '{"host": "a"}'
     AND ts >= '2026-01-01 01:00+00' AND ts < '2026-01-01 02:00+00';
SELECT ts, value FROM timeseries.metrics
 WHERE user_id = 1 AND metric = 'cpu' AND tags @> '{"host": "a"}'
   AND ts >= '2026-01-01 01:00+00' AND ts < '2026-01-01 02:00+00' ORDER BY ts;
SELECT count(*) FROM timeseries.metrics WHERE ts BETWEEN '2026-01-02 00:00+00' AND '2026-01-02 00:10+00';
SELECT count(*) FROM timeseries.metrics WHERE '2026-01-02 23:50+00' <= ts;
SELECT count(*) FROM timeseries.metrics WHERE tags @> '{"dc": "east"}';
SELECT count(*) FROM timeseries.metrics WHERE tags @> '{"dc": 1}';
SELECT count(*) FROM timeseries.metrics WHERE metric = 'nope';
SELECT count(*) FROM timeseries.metrics WHERE ts = '2026-01-01 00:00+00';
-- Others are evaluated locally.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT count(*) FROM timeseries.metrics WHERE value > 10 AND tags->>'host' = 'b';
SELECT count(*) FROM timeseries.metrics WHERE value > 10 AND tags->>'host' = 'b';

-- time_bucket GROUP BY is one engine request: no point comes back.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT time_bucket('1 hour', ts) AS hour, count(*), avg(value), min(value), max(value)
  FROM timeseries.metrics
 WHERE metric = 'cpu' AND tags @> '{"host": "a"}' AND ts < '2026-01-01 03:00+00'
 GROUP BY 1 ORDER BY 1;
SELECT time_bucket('1 hour', ts) AS hour, count(*), avg(value), min(value), max(value)
  FROM timeseries.metrics
 WHERE metric = 'cpu' AND tags @> '{"host": "a"}' AND ts < '2026-01-01 03:00+00'
 GROUP BY 1 ORDER BY 1;
-- The same computed by PostgreSQL over the points (a subquery hides it).
SELECT time_bucket('1 hour', ts) AS hour, count(*), avg(value), min(value), max(value)
  FROM (SELECT * FROM timeseries.metrics
         WHERE metric = 'cpu' AND tags @> '{"host": "a"}' AND ts < '2026-01-01 03:00+00'
        OFFSET 0) points
 GROUP BY 1 ORDER BY 1;
-- Grouped by a tag, with expressions over the aggregates and stddev.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT tags->>'host' AS host, time_bucket('1 day', ts) AS day, count(value), sum(value),
       round(stddev(value)::numeric, 4) AS sd
  FROM timeseries.metrics GROUP BY 1, 2 ORDER BY 1, 2;
SELECT tags->>'host' AS host, time_bucket('1 day', ts) AS day, count(value), sum(value),
       round(stddev(value)::numeric, 4) AS sd
  FROM timeseries.metrics GROUP BY 1, 2 ORDER BY 1, 2;
SELECT tags->>'host' AS host, time_bucket('1 day', ts) AS day, count(value), sum(value),
       round(stddev(value)::numeric, 4) AS sd
  FROM (SELECT * FROM timeseries.metrics OFFSET 0) points GROUP BY 1, 2 ORDER BY 1, 2;
-- Grouped by metric (over several series each), pushed too: a second metric
-- in three series (one without the dc tag) for the time of these queries.
INSERT INTO timeseries.metrics
SELECT 1, 'mem', tags::jsonb, '2026-01-01 00:00+00'::timestamptz + n * interval '7 hours', n * k
  FROM (VALUES ('{"host": "a", "dc": "east"}', 1), ('{"host": "b", "dc": "west"}', 2),
               ('{"host": "c"}', 3)) AS s(tags, k), generate_series(0, 6) AS n;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT metric, time_bucket('1 day', ts), count(*), avg(value), round(stddev(value)::numeric, 4),
       min(value), max(value), first(value, ts), last(value, ts)
  FROM timeseries.metrics WHERE user_id = 1 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT metric, time_bucket('1 day', ts), count(*), avg(value), round(stddev(value)::numeric, 4),
       min(value), max(value), first(value, ts), last(value, ts)
  FROM timeseries.metrics WHERE user_id = 1 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT metric, time_bucket('1 day', ts), count(*), avg(value), round(stddev(value)::numeric, 4),
       min(value), max(value), first(value, ts), last(value, ts)
  FROM (SELECT * FROM timeseries.metrics WHERE user_id = 1 OFFSET 0) p GROUP BY 1, 2 ORDER BY 1, 2;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT metric, tags->>'dc' AS dc, time_bucket('1 day', ts), count(*), sum(value)
  FROM timeseries.metrics GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT metric, tags->>'dc' AS dc, time_bucket('1 day', ts), count(*), sum(value)
  FROM timeseries.metrics GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT metric, tags->>'dc' AS dc, time_bucket('1 day', ts), count(*), sum(value)
  FROM (SELECT * FROM timeseries.metrics OFFSET 0) p GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
DELETE FROM timeseries.metrics WHERE metric = 'mem';
SELECT count(*) FROM timeseries.metrics WHERE metric = 'mem';

-- first(value, ts) and last(value, ts), as TimescaleDB's, pushed too.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT time_bucket('1 hour', ts), first(value, ts), last(value, ts) FROM timeseries.metrics
 WHERE tags @> '{"host": "b"}' AND ts < '2026-01-01 02:00+00' GROUP BY 1 ORDER BY 1;
SELECT time_bucket('1 hour', ts), first(value, ts), last(value, ts) FROM timeseries.metrics
 WHERE tags @> '{"host": "b"}' AND ts < '2026-01-01 02:00+00' GROUP BY 1 ORDER BY 1;
SELECT time_bucket('1 hour', ts), first(value, ts), last(value, ts)
  FROM (SELECT * FROM timeseries.metrics
         WHERE tags @> '{"host": "b"}' AND ts < '2026-01-01 02:00+00' OFFSET 0) p
 GROUP BY 1 ORDER BY 1;
-- Weeks start on Monday, and an origin moves the buckets, as computed locally.
SELECT time_bucket('7 days', ts), count(*) FROM timeseries.metrics GROUP BY 1 ORDER BY 1;
SELECT time_bucket('1 day', ts, '2026-01-01 12:00+00'), count(*) FROM timeseries.metrics
 GROUP BY 1 ORDER BY 1;
SELECT time_bucket('1 day', ts, '2026-01-01 12:00+00'), count(*)
  FROM (SELECT * FROM timeseries.metrics OFFSET 0) p GROUP BY 1 ORDER BY 1;
-- What the engine cannot do stays in PostgreSQL: months, a filter on values.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT time_bucket('1 month', ts), count(*) FROM timeseries.metrics GROUP BY 1;
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT time_bucket('1 hour', ts), count(*) FROM timeseries.metrics WHERE value > 5 GROUP BY 1;

-- Rollup tables: a row per series and bucket, from the engine's rollups.
CREATE FOREIGN TABLE timeseries.metrics_1h (
  user_id bigint, metric text, tags jsonb, bucket timestamptz, count bigint,
  sum double precision, min double precision, max double precision, avg double precision,
  first double precision, last double precision
) SERVER lake OPTIONS (series 'metrics', rollup '1 hour');
CREATE FOREIGN TABLE timeseries.metrics_1d (
  user_id bigint, metric text, tags jsonb, bucket timestamptz, count bigint
) SERVER lake OPTIONS (series 'metrics', rollup '1 day');
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT bucket, count, avg FROM timeseries.metrics_1h
   WHERE tags @> '{"host": "a"}' AND bucket >= '2026-01-01 01:00+00' AND bucket < '2026-01-01 03:00+00';
SELECT bucket, count, sum, min, max, avg, first, last FROM timeseries.metrics_1h
 WHERE tags @> '{"host": "a"}' AND bucket >= '2026-01-01 00:30+00' AND bucket < '2026-01-01 03:00+00'
 ORDER BY bucket;
-- The same from the points, aggregated here.
SELECT time_bucket('1 hour', ts) AS bucket, count(*), sum(value), min(value), max(value), avg(value),
       (array_agg(value ORDER BY ts))[1] AS first, (array_agg(value ORDER BY ts DESC))[1] AS last
  FROM (SELECT * FROM timeseries.metrics WHERE tags @> '{"host": "a"}' OFFSET 0) p
 WHERE ts >= '2026-01-01 01:00+00' AND ts < '2026-01-01 03:00+00' GROUP BY 1 ORDER BY 1;
SELECT user_id, tags->>'host' AS host, bucket, count FROM timeseries.metrics_1d ORDER BY 2, 3;
DELETE FROM timeseries.metrics_1h WHERE user_id = 1;
CREATE FOREIGN TABLE timeseries.metrics_1w (bucket timestamptz) SERVER lake
  OPTIONS (series 'metrics', rollup '1 week');
SELECT * FROM timeseries.metrics_1w;

-- Row estimates come from the engine's statistics (chunk headers and heads):
-- exact for whole series, pro rata for a cut range, buckets for a rollup,
-- a row per bucket and group for an aggregate; the planner sees them.
SELECT estimated_rows('SELECT * FROM timeseries.metrics') AS estimated,
       (SELECT count(*) FROM timeseries.metrics) AS actual;
SELECT estimated_rows($q$SELECT * FROM timeseries.metrics WHERE tags @> '{"host": "b"}'$q$) AS estimated,
       (SELECT count(*) FROM timeseries.metrics WHERE tags @> '{"host": "b"}') AS actual;
SELECT estimated_rows($q$SELECT * FROM timeseries.metrics
   WHERE ts >= '2026-01-01 06:00+00' AND ts < '2026-01-01 12:00+00'$q$) AS estimated,
       (SELECT count(*) FROM timeseries.metrics
         WHERE ts >= '2026-01-01 06:00+00' AND ts < '2026-01-01 12:00+00') AS actual;
SELECT estimated_rows($q$SELECT * FROM timeseries.metrics WHERE metric = 'nope'$q$) AS estimated;
SELECT estimated_rows('SELECT * FROM timeseries.metrics_1d') AS estimated,
       (SELECT count(*) FROM timeseries.metrics_1d) AS actual;
SELECT estimated_rows($q$SELECT tags->>'host', time_bucket('1 hour', ts), count(*)
   FROM timeseries.metrics GROUP BY 1, 2$q$) AS estimated,
       (SELECT count(*) FROM (SELECT tags->>'host', time_bucket('1 hour', ts), count(*)
          FROM timeseries.metrics GROUP BY 1, 2) g) AS actual;

-- Events carry texts.
SELECT ts, value FROM timeseries.events WHERE metric = 'deploy' ORDER BY ts;

-- Errors.
CREATE FOREIGN TABLE timeseries.odd (user_id bigint, colour text) SERVER lake OPTIONS (series 'metrics');
SELECT * FROM timeseries.odd;
CREATE FOREIGN TABLE timeseries.bad_kind (ts timestamptz) SERVER lake OPTIONS (series 'logs');
SELECT * FROM timeseries.bad_kind;
CREATE FOREIGN TABLE timeseries.text_value (value text) SERVER lake OPTIONS (series 'metrics');
SELECT * FROM timeseries.text_value;
CREATE FOREIGN TABLE timeseries.no_options (value text) SERVER lake;
SELECT * FROM timeseries.no_options;
DROP SCHEMA timeseries CASCADE;

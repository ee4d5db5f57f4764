-- What issue 12 saw besides parameters (params.sql): vector ||, time_bucket
-- of a date, INSERT ... ON CONFLICT, SQLSTATEs of engine errors, options and
-- columns checked when declared, inserts that bypass column types, extreme
-- timestamps and valid jsonb metadata.
CREATE SCHEMA t;
SET search_path = public, lake;
SET timezone = 'UTC';

-- || concatenates vectors, as pgvector's; the dimension limit holds.
SELECT '[1,2,3]'::vector || '[4,5]'::vector AS joined;
SELECT vector_dims(array_fill(1, ARRAY[8000])::vector || array_fill(1, ARRAY[8000])::vector);
SELECT array_fill(1, ARRAY[8000])::vector || array_fill(1, ARRAY[8001])::vector;

-- A date is bucketed as a date, in no time zone.
SET timezone = 'Europe/Berlin';
SELECT time_bucket('1 day', date '2018-09-17') AS day,
       time_bucket('1 week', date '2018-09-17') AS week,
       time_bucket('1 month', date '2018-09-17') AS month,
       time_bucket('2 days', date '2018-09-17', date '2018-09-16') AS from_origin;
SELECT time_bucket('1 hour', date '2018-09-17');
SELECT time_bucket('1 day', 'infinity'::date);
SET timezone = 'UTC';
-- An infinite origin is refused, not turned into a finite bucket.
SELECT time_bucket('1 hour', timestamptz '2026-01-01 10:30', 'infinity');

-- INSERT ... ON CONFLICT DO NOTHING keeps the existing record and counts
-- only new rows, as on a heap table with a key; DO UPDATE is refused.
CREATE FOREIGN TABLE t.docs (id bigint, user_id bigint, embedding vector(3), metadata jsonb)
  SERVER lake OPTIONS (collection 'writable');
CREATE TEMP TABLE docs_heap (id bigint PRIMARY KEY, user_id bigint, embedding vector(3),
  metadata jsonb);
BEGIN;
INSERT INTO t.docs VALUES (1, 1, '[1,2,3]', '{"v": "first"}');
COMMIT;
INSERT INTO docs_heap VALUES (1, 1, '[1,2,3]', '{"v": "first"}');
BEGIN;
INSERT INTO t.docs VALUES (1, 1, '[9,9,9]', '{"v": "second"}'), (2, 1, '[2,2,2]', '{"v": "new"}'),
  (2, 1, '[3,3,3]', '{"v": "repeated"}') ON CONFLICT DO NOTHING;
COMMIT;
INSERT INTO docs_heap VALUES (1, 1, '[9,9,9]', '{"v": "second"}'), (2, 1, '[2,2,2]', '{"v": "new"}'),
  (2, 1, '[3,3,3]', '{"v": "repeated"}') ON CONFLICT DO NOTHING;
SELECT id, embedding, metadata FROM t.docs WHERE id IN (1, 2) ORDER BY id;
SELECT id, embedding, metadata FROM docs_heap ORDER BY id;
-- The count PostgreSQL reports (GET DIAGNOSTICS sees the command's rows).
DO $$ DECLARE n bigint; BEGIN
  INSERT INTO t.docs VALUES (2, 1, '[4,4,4]', '{}'), (3, 1, '[3,3,3]', '{}') ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS n = ROW_COUNT;
  RAISE NOTICE 'inserted %', n;
END $$;
SELECT id, embedding FROM t.docs WHERE id IN (1, 2, 3) ORDER BY id;
INSERT INTO t.docs VALUES (1, 1, '[1,2,3]', '{}') ON CONFLICT (id) DO UPDATE SET metadata = '{}';
BEGIN;
DELETE FROM t.docs WHERE id IN (1, 2, 3);
COMMIT;

-- Engine errors carry a SQLSTATE of their kind.
\set VERBOSITY sqlstate
CREATE FOREIGN TABLE t.missing (id bigint) SERVER lake OPTIONS (collection 'no_such');
SELECT * FROM t.missing;
INSERT INTO t.docs (id, embedding) VALUES (2, '[1,2]');
SELECT 1 FROM t.docs ORDER BY embedding <-> '[1,2]' LIMIT 1;
\set VERBOSITY default

-- Options are checked when declared.
CREATE SERVER t_both FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket '/tmp/x.sock', host '127.0.0.1', port '7000');
CREATE SERVER t_relative FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket 'lake.sock');
CREATE SERVER t_empty FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket '');
CREATE SERVER t_host FOREIGN DATA WRAPPER lake_fdw OPTIONS (host '127.0.0.1');
CREATE SERVER t_ok FOREIGN DATA WRAPPER lake_fdw OPTIONS (host '127.0.0.1', port '7000');
ALTER SERVER t_ok OPTIONS (ADD socket '/tmp/lake.sock');
DROP SERVER t_ok;
CREATE FOREIGN TABLE t.both (id bigint) SERVER lake OPTIONS (collection 'docs', series 'metrics');
CREATE FOREIGN TABLE t.two_hours (user_id bigint) SERVER lake OPTIONS (series 'metrics', rollup '2 hours');
CREATE FOREIGN TABLE t.event_rollup (user_id bigint) SERVER lake OPTIONS (series 'events', rollup '1 hour');
CREATE FOREIGN TABLE t.empty_name (id bigint) SERVER lake OPTIONS (collection '');
-- ... and so are the columns: names and types the collection or series gives.
CREATE FOREIGN TABLE t.b20 (id text, embedding bytea) SERVER lake OPTIONS (collection 'writable');
CREATE FOREIGN TABLE t.points (user_id bigint, metric text, ts timestamp, value float8)
  SERVER lake OPTIONS (series 'metrics');
CREATE FOREIGN TABLE t.late (id bigint) SERVER lake OPTIONS (collection 'writable');
ALTER FOREIGN TABLE t.late ADD COLUMN embedding bytea;
ALTER FOREIGN TABLE t.late ADD COLUMN embedding vector(3);
-- A table altered after the check is checked again by an insert.
\d t.late

-- Timestamps at and past the ends of the range.
CREATE FOREIGN TABLE t.metrics (user_id bigint, metric text, tags jsonb, ts timestamptz,
                                 value float8) SERVER lake OPTIONS (series 'metrics');
SELECT count(*) FROM t.metrics WHERE ts < '294276-01-01';
SELECT count(*) FROM t.metrics WHERE ts < 'infinity';
SELECT count(*) FROM t.metrics WHERE ts > '-infinity' AND ts <= 'infinity';
SELECT count(*) FROM t.metrics WHERE ts > 'infinity';
SELECT count(*) FROM t.metrics WHERE ts >= '4713-01-01 BC';
-- A point at an infinite time, or beyond the engine's range, is refused.
INSERT INTO t.metrics VALUES (1, 'cpu', '{}', 'infinity', 1);
INSERT INTO t.metrics VALUES (1, 'cpu', '{}', '294270-01-01', 1);

-- Valid jsonb metadata is accepted, numbers beyond double included.
BEGIN;
INSERT INTO t.docs VALUES (50, 1, '[1,1,1]', '{"n": 1e400, "s": "x"}');
COMMIT;
SELECT metadata->>'s' AS s, (metadata->>'n')::numeric > 1e399 AS big FROM t.docs WHERE id = 50;
BEGIN;
DELETE FROM t.docs WHERE id = 50;
COMMIT;

-- Two deletes (or updates) of one table in one transaction both apply: they
-- were queued as one, the later replacing the earlier (found by sqldiff).
BEGIN;
INSERT INTO t.docs VALUES (60, 1, '[1,1,1]', '{}'), (61, 1, '[1,1,2]', '{}'), (62, 1, '[1,1,3]', '{}');
COMMIT;
BEGIN;
DELETE FROM t.docs WHERE id = 60;
DELETE FROM t.docs WHERE id = 61;
UPDATE t.docs SET metadata = '{"a": 1}' WHERE id = 62;
UPDATE t.docs SET metadata = '{"b": 2}' WHERE id = 60;
COMMIT;
SELECT id, metadata FROM t.docs WHERE id IN (60, 61, 62) ORDER BY id;
BEGIN;
DELETE FROM t.docs WHERE id = 62;
COMMIT;

-- first and last of buckets over several series are the earliest and the
-- latest point's, as PostgreSQL aggregates them (found by sqldiff: the
-- engine took the last series' values).
SELECT count(*) AS differing FROM (
  (SELECT time_bucket('1 hour', ts) AS b, first(value, ts), last(value, ts), count(*)
     FROM t.metrics GROUP BY 1)
  EXCEPT
  (SELECT time_bucket('1 hour', ts), first(value, ts), last(value, ts), count(*)
     FROM (SELECT * FROM t.metrics OFFSET 0) s GROUP BY 1)) d;
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT time_bucket('1 hour', ts) AS b, first(value, ts), last(value, ts) FROM t.metrics GROUP BY 1;
-- A pushed aggregate has no local check: conditions that contradict each
-- other, or tags no series can have, match nothing (found by sqldiff: the
-- later condition replaced the earlier).
SELECT time_bucket('1 day', ts), count(*) FROM t.metrics
 WHERE tags @> '{"host": "a"}' AND tags @> '{"host": "b"}' GROUP BY 1;
SELECT time_bucket('1 day', ts), count(*) FROM t.metrics
 WHERE metric = 'cpu' AND metric = 'mem' GROUP BY 1;
SELECT time_bucket('1 day', ts), count(*) FROM t.metrics WHERE user_id = 1 AND user_id = 2 GROUP BY 1;
SELECT time_bucket('1 day', ts), count(*) FROM t.metrics WHERE tags @> '{"n": 1}' GROUP BY 1;
SELECT time_bucket('1 day', ts), count(*) FROM t.metrics WHERE tags @> '["a"]' GROUP BY 1;
SELECT time_bucket('1 day', ts), count(*) FROM t.metrics
 WHERE tags @> '{"host": "a"}' AND tags @> '{"dc": "east"}' GROUP BY 1 ORDER BY 1;
SELECT time_bucket('1 day', ts), count(*) FROM (SELECT * FROM t.metrics OFFSET 0) m
 WHERE tags @> '{"host": "a"}' AND tags @> '{"dc": "east"}' GROUP BY 1 ORDER BY 1;

-- Conditions on id are ANDed too: a DELETE of id 60 AND id IN (61, 62)
-- deletes nothing (found in review: the ids were united).
BEGIN;
INSERT INTO t.docs VALUES (60, 1, '[1,1,1]', '{}'), (61, 1, '[1,1,2]', '{}');
COMMIT;
BEGIN;
DELETE FROM t.docs WHERE id = 60 AND id IN (61, 62);
COMMIT;
SELECT id FROM t.docs WHERE id IN (60, 61) ORDER BY id;
SELECT id FROM t.docs WHERE id = 60 AND id = ANY ('{60, 61}') ORDER BY embedding <-> '[1,1,2]' LIMIT 1;
BEGIN;
DELETE FROM t.docs WHERE id IN (60, 61);
COMMIT;
-- An empty time range deletes nothing, and the COMMIT goes through.
BEGIN;
DELETE FROM t.metrics WHERE metric = 'cpu' AND ts >= '2026-01-02' AND ts < '2026-01-01';
COMMIT;
SELECT count(*) FROM t.metrics;
-- Rows a partitioned table routes to a lake partition take ON CONFLICT too;
-- a time-series table (points have no key) refuses it.
CREATE TABLE t.routed (id bigint, user_id bigint, embedding vector(3), metadata jsonb)
  PARTITION BY RANGE (id);
CREATE FOREIGN TABLE t.routed_lake PARTITION OF t.routed FOR VALUES FROM (0) TO (1000)
  SERVER lake OPTIONS (collection 'writable');
INSERT INTO t.routed VALUES (70, 1, '[1,2,3]', '{}') ON CONFLICT DO NOTHING;
SELECT id FROM t.routed;
BEGIN;
DELETE FROM t.routed_lake WHERE id = 70;
COMMIT;
INSERT INTO t.metrics VALUES (1, 'cpu', '{}', '2026-01-01', 1) ON CONFLICT DO NOTHING;
-- A server needs a place to reach lake-server.
CREATE SERVER t_nowhere FOREIGN DATA WRAPPER lake_fdw;
-- A rollup condition at the very end of the time range still reads every bucket.
CREATE FOREIGN TABLE t.metrics_1d (user_id bigint, metric text, tags jsonb, bucket timestamptz,
  count bigint) SERVER lake OPTIONS (series 'metrics', rollup '1 day');
SELECT sum(count) FROM t.metrics_1d WHERE bucket < '294247-01-10 02:00+00';
SELECT sum(count) FROM t.metrics_1d WHERE bucket < 'infinity';

-- Pushed integers of any width (found by a helper: int4[] arrays were read
-- as int8, a NULL array crashed the planner, a bigint model version was
-- truncated and a DELETE removed another version's records).
CREATE FOREIGN TABLE t.versions (id bigint, model_version int, embedding vector(3))
  SERVER lake OPTIONS (collection 'writable');
BEGIN;
INSERT INTO t.versions VALUES (90, 1, '[1,1,1]'), (91, 1, '[1,1,2]');
COMMIT;
SELECT id FROM t.versions WHERE id = ANY (ARRAY[90, 91]::int[]) ORDER BY id;
SELECT id FROM t.versions WHERE id = ANY ('{90}'::int2[]);
SELECT count(*) FROM t.versions WHERE id = ANY (NULL::bigint[]);
EXPLAIN (COSTS OFF) SELECT count(*) FROM t.versions WHERE id = ANY (NULL::bigint[]);
BEGIN;
DELETE FROM t.versions WHERE model_version = 4294967297::bigint;
COMMIT;
SELECT count(*) FROM t.versions WHERE id IN (90, 91);
BEGIN;
DELETE FROM t.versions WHERE id = ANY ('{90,91}'::int[]);
COMMIT;
SELECT count(*) FROM t.versions WHERE id IN (90, 91);

DROP SCHEMA t CASCADE;

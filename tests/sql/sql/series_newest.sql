-- ORDER BY ts DESC LIMIT n on a table of points: windows of time back
-- from the newest point, so the latest points cost what they are, not
-- the history. Each answer is checked against a heap table's.
SET search_path = public, lake;
SET timezone = 'UTC';
CREATE FOREIGN TABLE newest_points (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value double precision
) SERVER lake OPTIONS (series 'metrics');
CREATE TABLE heap_points AS SELECT * FROM newest_points;

-- The same query over both ($T); rows tied in ts may come in any order,
-- so their times are compared.
CREATE FUNCTION same_newest(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  lake_ts timestamptz[];
  heap_ts timestamptz[];
BEGIN
  EXECUTE format('SELECT array_agg(ts) FROM (%s) t', replace(q, '$T', 'newest_points'))
    INTO lake_ts;
  EXECUTE format('SELECT array_agg(ts) FROM (%s) t', replace(q, '$T', 'heap_points'))
    INTO heap_ts;
  IF lake_ts IS DISTINCT FROM heap_ts THEN
    RAISE NOTICE '% gives % on lake, % on a heap table', q, lake_ts, heap_ts;
  END IF;
  RETURN lake_ts IS NOT DISTINCT FROM heap_ts;
END $$;

SELECT count(*) AS queries, count(*) FILTER (WHERE same_newest(q)) AS same FROM (VALUES
  ($$SELECT ts, value FROM $T WHERE metric = 'cpu' AND tags @> '{"host": "a"}' ORDER BY ts DESC LIMIT 1$$),
  ($$SELECT ts, value FROM $T WHERE metric = 'cpu' AND tags @> '{"host": "a"}' ORDER BY ts DESC LIMIT 5$$),
  ($$SELECT ts, value FROM $T WHERE metric = 'cpu' AND tags @> '{"host": "b"}' ORDER BY ts DESC LIMIT 250$$),
  ($$SELECT ts, value FROM $T WHERE metric = 'cpu' AND tags @> '{"host": "a"}' ORDER BY ts DESC LIMIT 100000$$),
  ($$SELECT ts FROM $T ORDER BY ts DESC LIMIT 7$$),
  ($$SELECT ts FROM $T WHERE user_id = 2 ORDER BY ts DESC LIMIT 3 OFFSET 2$$),
  ($$SELECT ts, value FROM $T WHERE ts < '2026-01-02' AND metric = 'cpu' ORDER BY ts DESC LIMIT 4$$),
  ($$SELECT ts, value FROM $T WHERE ts >= '2026-01-02 23:00' AND ts < '2026-01-02 23:30' ORDER BY ts DESC LIMIT 40$$),
  ($$SELECT ts, value FROM $T WHERE value > 100 ORDER BY ts DESC LIMIT 3$$),
  ($$SELECT ts, value FROM $T WHERE value::int % 97 = 0 ORDER BY ts DESC LIMIT 3$$),
  ($$SELECT ts, value FROM $T WHERE metric = 'none' ORDER BY ts DESC LIMIT 3$$),
  ($$SELECT ts, value FROM $T WHERE ts > '2030-01-01' ORDER BY ts DESC LIMIT 3$$)
) v(q);

-- One request per window; EXPLAIN names it.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT ts, value FROM newest_points WHERE metric = 'cpu' ORDER BY ts DESC LIMIT 5;
-- The latest point of each host, per outer row (the LATERAL lastpoint).
SELECT h, l.ts, l.value, h.ts IS NOT DISTINCT FROM l.ts AND h.value IS NOT DISTINCT FROM l.value AS same
  FROM (SELECT host AS h,
               (SELECT ts FROM heap_points WHERE tags @> jsonb_build_object('host', host)
                 ORDER BY ts DESC LIMIT 1) AS ts,
               (SELECT value FROM heap_points WHERE tags @> jsonb_build_object('host', host)
                 ORDER BY ts DESC LIMIT 1) AS value
          FROM unnest(ARRAY['a', 'b', 'c', 'zz']) host) h
  LEFT JOIN LATERAL (SELECT ts, value FROM newest_points
                      WHERE tags @> jsonb_build_object('host', h.h)
                      ORDER BY ts DESC LIMIT 1) l ON true
 ORDER BY h;
-- A prepared statement reads its parameters when it runs.
PREPARE newest(text, int) AS SELECT ts, value FROM newest_points
 WHERE metric = 'cpu' AND tags @> jsonb_build_object('host', $1) ORDER BY ts DESC LIMIT $2;
EXECUTE newest('a', 2);
EXECUTE newest('c', 3);
SELECT ts, value FROM heap_points WHERE metric = 'cpu' AND tags @> '{"host": "c"}'
 ORDER BY ts DESC LIMIT 3;

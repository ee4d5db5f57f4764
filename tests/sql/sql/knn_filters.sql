-- Conditions on every column pushed into kNN searches and scans, each
-- checked against PostgreSQL's own answer over the same rows in a heap
-- table; EXPLAIN shows what lake-server does.
SET search_path = public, lake;
CREATE FOREIGN TABLE filtered (
  id bigint, user_id bigint, model_version int, embedding lake.vector(4), metadata jsonb,
  created_at timestamptz
) SERVER lake OPTIONS (collection 'filtered');
-- 400 rows: five sources, numbers written as 3 and 3.0, booleans, nulls,
-- nested values, a unique word, an hour apart from January 2026.
INSERT INTO filtered (id, user_id, embedding, metadata, created_at)
SELECT i, i % 7,
       ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7 + 1), cos(i * 2.1)]::real[],
       jsonb_build_object(
         'source', (ARRAY['a', 'b', 'c', 'd', 'e'])[1 + i % 5],
         'n', CASE WHEN i % 2 = 0 THEN to_jsonb(i % 10) ELSE to_jsonb((i % 10)::numeric(4, 1)) END,
         'flag', i % 3 = 0,
         'opt', CASE WHEN i % 4 = 0 THEN 'null'::jsonb ELSE to_jsonb('v' || i % 4) END,
         'nested', jsonb_build_object('x', i % 2),
         'word', 'w' || i),
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 hour'
  FROM generate_series(1, 400) i;
CREATE TABLE heap AS SELECT * FROM filtered;

-- The same query over both tables ($T), ids in the order returned; a
-- difference is a NOTICE naming the query.
CREATE FUNCTION same(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  lake_ids bigint[];
  heap_ids bigint[];
BEGIN
  EXECUTE format('SELECT array_agg(id) FROM (%s) t', replace(q, '$T', 'filtered')) INTO lake_ids;
  EXECUTE format('SELECT array_agg(id) FROM (%s) t', replace(q, '$T', 'heap')) INTO heap_ids;
  IF lake_ids IS DISTINCT FROM heap_ids THEN
    RAISE NOTICE '% gives % on lake, % on a heap table', q, lake_ids, heap_ids;
  END IF;
  RETURN lake_ids IS NOT DISTINCT FROM heap_ids;
END $$;

-- kNN with each condition, and with several.
SELECT count(*) AS queries, count(*) FILTER (WHERE same(q)) AS same FROM (VALUES
  ($$SELECT id FROM $T WHERE created_at > '2026-01-10' ORDER BY embedding <-> '[0.5,0.5,0,0]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE created_at >= '2026-01-02 01:00+00' AND created_at < '2026-01-03' ORDER BY embedding <-> '[0.5,0.5,0,0]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE created_at BETWEEN '2026-01-05' AND '2026-01-06' ORDER BY embedding <-> '[0,1,0,1]' LIMIT 50$$),
  ($$SELECT id FROM $T WHERE created_at = '2026-01-01 07:00+00' ORDER BY embedding <-> '[0,1,0,1]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE created_at <= '-infinity' ORDER BY embedding <-> '[0,1,0,1]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE created_at < 'infinity' ORDER BY embedding <-> '[0,1,0,1]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE metadata->>'source' = 'c' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'source' IN ('a', 'd') ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '{"source": "b"}' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '{"n": 3}' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '{"n": 4.00}' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'n' = '3' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'n' = '3.0' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '{"flag": true, "source": "a"}' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'flag' = 'false' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '{"opt": null}' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'opt' = 'v1' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '{"nested": {"x": 1}}' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'nested' = '{"x": 0}' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '{}' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '[]' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'missing' = 'x' ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE user_id IN (1, 3) ORDER BY embedding <-> '[0,0,1,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE user_id IN (1, 3) AND user_id = ANY ('{3,4}') ORDER BY embedding <-> '[0,0,1,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE model_version IN (1, 2) ORDER BY embedding <-> '[0,0,1,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE id > 300 ORDER BY embedding <-> '[0,0,1,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE 50 >= id ORDER BY embedding <-> '[0,0,1,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE id BETWEEN 100 AND 120 ORDER BY embedding <-> '[0,0,1,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE id > 9223372036854775807 ORDER BY embedding <-> '[0,0,1,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE id < -9223372036854775808 OR id = 5 ORDER BY embedding <-> '[0,0,1,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE user_id = 2 AND created_at > '2026-01-05' AND metadata @> '{"source": "e"}' ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE metadata->>'word' LIKE 'w1%' ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE metadata->>'word' LIKE 'w39%' AND user_id IN (0, 1, 2) ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE metadata->>'word' = 'w7' ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5$$),
  ($$SELECT id FROM $T WHERE length(metadata->>'word') = 4 ORDER BY embedding <-> '[0,0,0,1]' LIMIT 100 OFFSET 60$$),
  ($$SELECT id FROM $T WHERE metadata->>'source' = 'a' COLLATE "C" ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id, embedding <-> '[1,0,0,0]' FROM $T WHERE id = 1 AND id = 2 ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'source' = 'a' AND metadata->>'source' = 'b' AND NOT id IN (SELECT 1) ORDER BY embedding <-> '[1,0,0,0]' LIMIT 10$$)
) v(q);

-- Another metric than the collection's (l2), with and without filters.
SELECT count(*) AS queries, count(*) FILTER (WHERE same(q)) AS same FROM (VALUES
  ($$SELECT id FROM $T ORDER BY embedding <=> '[1,2,3,4]' LIMIT 10$$),
  ($$SELECT id FROM $T ORDER BY embedding <#> '[1,2,3,4]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata @> '{"source": "d"}' ORDER BY embedding <=> '[1,2,3,4]' LIMIT 10$$),
  ($$SELECT id FROM $T WHERE metadata->>'word' LIKE 'w2%' ORDER BY embedding <#> '[1,2,3,4]' LIMIT 10$$)
) v(q);

-- Scans with the same conditions.
SELECT count(*) AS queries, count(*) FILTER (WHERE same(q)) AS same FROM (VALUES
  ($$SELECT id FROM $T WHERE created_at >= '2026-01-16' ORDER BY id$$),
  ($$SELECT id FROM $T WHERE metadata @> '{"source": "c", "n": 2}' ORDER BY id$$),
  ($$SELECT id FROM $T WHERE metadata->>'n' IN ('5', '7.0') ORDER BY id$$),
  ($$SELECT id FROM $T WHERE user_id IN (6) AND id <= 100 ORDER BY id$$)
) v(q);

-- What lake-server does: one filtered search, no Sort, no row beyond k.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM filtered
 WHERE created_at > now() - interval '1 day' ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM filtered
 WHERE user_id IN (1, 2) AND id BETWEEN 10 AND 20 AND model_version = ANY ('{1}')
 ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM filtered
 WHERE metadata @> '{"source": "b"}' AND metadata->>'opt' IN ('v1', 'v2')
 ORDER BY embedding <=> '[0,0,0,1]' LIMIT 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM filtered
 WHERE metadata->>'word' LIKE 'w1%' ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5;
-- Under a collation that is not byte equality, text equality stays local.
CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM filtered
 WHERE metadata->>'source' = 'A' COLLATE case_blind ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5;
SELECT same($$SELECT id FROM $T WHERE metadata->>'source' = 'A' COLLATE case_blind
             ORDER BY embedding <-> '[0,0,0,1]' LIMIT 5$$);

-- Parameters are read when the scan runs, and again for each execution.
PREPARE recent(timestamptz, text) AS SELECT id FROM filtered
 WHERE created_at >= $1 AND metadata->>'source' = $2 ORDER BY embedding <-> '[0,0,0,1]' LIMIT 3;
EXECUTE recent('2026-01-16', 'a');
EXECUTE recent('2026-01-02', 'b');
SELECT id FROM heap WHERE created_at >= '2026-01-02' AND metadata->>'source' = 'b'
 ORDER BY embedding <-> '[0,0,0,1]' LIMIT 3;
-- An outer row's value (LATERAL) changes the condition per row.
SELECT s, (SELECT array_agg(id) FROM (SELECT id FROM filtered WHERE metadata->>'source' = s
            ORDER BY embedding <-> '[0,0,0,1]' LIMIT 2) t) AS lake,
       (SELECT array_agg(id) FROM (SELECT id FROM heap WHERE metadata->>'source' = s
            ORDER BY embedding <-> '[0,0,0,1]' LIMIT 2) t) AS heap
  FROM unnest(ARRAY['a', 'e', 'z']) s;

-- DELETE by exact conditions (a retention sweep by created_at) goes to
-- lake-server; metadata conditions, which the engine may over-match, do not.
EXPLAIN (VERBOSE, COSTS OFF)
  DELETE FROM filtered WHERE created_at < '2026-01-10' AND user_id IN (1, 2);
DELETE FROM filtered WHERE created_at < '2026-01-10' AND user_id IN (1, 2);
DELETE FROM heap WHERE created_at < '2026-01-10' AND user_id IN (1, 2);
SELECT count(*), same($$SELECT id FROM $T ORDER BY id$$) FROM filtered;
DELETE FROM filtered WHERE metadata @> '{"source": "d", "n": 3}';
DELETE FROM filtered;

-- Pushed values that are parameters: initplans, prepared statements'
-- parameters, outer references of correlated and LATERAL subqueries. They
-- are evaluated when the scan runs and again on ReScan, never at plan or
-- begin time; every answer here is compared with the same query over a
-- heap copy of the rows (issue 12: these crashed the backend or answered
-- wrong).
CREATE SCHEMA p;
CREATE FOREIGN TABLE p.docs (
  id bigint, user_id bigint, model_version int, embedding lake.vector(3), metadata jsonb,
  created_at timestamptz
) SERVER lake OPTIONS (collection 'docs');
CREATE FOREIGN TABLE p.metrics (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value double precision
) SERVER lake OPTIONS (series 'metrics');
CREATE FOREIGN TABLE p.metrics_1h (
  user_id bigint, metric text, tags jsonb, bucket timestamptz, count bigint, sum float8,
  min float8, max float8, avg float8, first float8, last float8
) SERVER lake OPTIONS (series 'metrics', rollup '1 hour');
SET search_path = public, lake;
SET timezone = 'UTC';
CREATE TEMP TABLE docs_heap AS SELECT id, user_id, model_version, embedding, metadata FROM p.docs;
CREATE TEMP TABLE metrics_heap AS SELECT * FROM p.metrics;
SELECT count(*) FROM docs_heap;
SELECT count(*) FROM metrics_heap;

-- The query vector from an uncorrelated subquery (an initplan): pgvector's
-- "neighbours of a row".
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM p.docs ORDER BY embedding <-> (SELECT embedding FROM p.docs WHERE id = 3) LIMIT 3;
SELECT id FROM p.docs ORDER BY embedding <-> (SELECT embedding FROM p.docs WHERE id = 3), id LIMIT 3;
SELECT id FROM docs_heap ORDER BY embedding <-> (SELECT embedding FROM docs_heap WHERE id = 3), id LIMIT 3;
SELECT id FROM p.docs ORDER BY embedding <-> (SELECT embedding FROM docs_heap WHERE id = 3) LIMIT 3;
-- A NULL query vector orders nothing: LIMIT rows come, with NULL distances.
SELECT count(*), count(d) FROM (
  SELECT embedding <-> (SELECT embedding FROM p.docs WHERE id = -1) AS d FROM p.docs
   ORDER BY embedding <-> (SELECT embedding FROM p.docs WHERE id = -1) LIMIT 3) s;

-- LATERAL kNN: a query vector per outer row.
SELECT q.id, n.id AS neighbour FROM (SELECT id, embedding FROM p.docs WHERE id IN (3, 12)) q
 CROSS JOIN LATERAL (SELECT id FROM p.docs ORDER BY embedding <-> q.embedding LIMIT 3) n
 ORDER BY 1, 2;
SELECT q.id, n.id AS neighbour FROM (SELECT id, embedding FROM docs_heap WHERE id IN (3, 12)) q
 CROSS JOIN LATERAL (SELECT id FROM docs_heap ORDER BY embedding <-> q.embedding LIMIT 3) n
 ORDER BY 1, 2;

-- Filters from initplans.
SELECT id FROM p.docs WHERE id = (SELECT 7);
SELECT count(*) FROM p.docs WHERE user_id = (SELECT 1);
SELECT count(*) FROM docs_heap WHERE user_id = (SELECT 1);
SELECT count(*) FROM p.docs WHERE id = ANY (ARRAY(SELECT g::bigint FROM generate_series(2, 6) g));
SELECT count(*) FROM p.docs WHERE id = (SELECT NULL::bigint);

-- Correlated subqueries: a new value for each outer row (ReScan).
SELECT q.id, (SELECT n.id FROM p.docs n WHERE n.id = q.id + 1) AS next
  FROM p.docs q WHERE q.id IN (10, 15, 20) ORDER BY 1;
SELECT q.id, (SELECT count(*) FROM p.docs n WHERE n.user_id = q.user_id) AS same_user
  FROM p.docs q WHERE q.id IN (1, 2, 3) ORDER BY 1;
SELECT q.id, (SELECT count(*) FROM docs_heap n WHERE n.user_id = q.user_id) AS same_user
  FROM docs_heap q WHERE q.id IN (1, 2, 3) ORDER BY 1;
-- The same id asked twice in a row: the second ReScan changes nothing.
SELECT q.x, (SELECT n.id FROM p.docs n WHERE n.id = q.x) FROM (VALUES (4), (4), (5)) q(x);
-- A nested loop with the foreign scan inside: parameterised by the outer row.
SET enable_hashjoin = off; SET enable_mergejoin = off;
SELECT a.x, b.id FROM (VALUES (1::bigint), (2), (99)) a(x)
  LEFT JOIN LATERAL (SELECT id FROM p.docs WHERE id = a.x) b ON true ORDER BY 1;
RESET enable_hashjoin; RESET enable_mergejoin;

-- Prepared statements, custom and generic plans.
PREPARE by_user(bigint) AS SELECT count(*) FROM p.docs WHERE user_id = $1;
SET plan_cache_mode = force_generic_plan;
EXECUTE by_user(1);
EXECUTE by_user(2);
SET plan_cache_mode = force_custom_plan;
EXECUTE by_user(1);
RESET plan_cache_mode;
PREPARE knn(lake.vector) AS SELECT id FROM p.docs ORDER BY embedding <-> $1, id LIMIT 2;
SET plan_cache_mode = force_generic_plan;
EXECUTE knn('[1,1,7]');
EXECUTE knn('[3,3,10]');
RESET plan_cache_mode;

-- Time series: a metric from an initplan, LATERAL lastpoint, correlated.
SELECT count(*) FROM p.metrics WHERE metric = (SELECT 'cpu');
SELECT count(*) FROM metrics_heap WHERE metric = (SELECT 'cpu');
SELECT s.metric, l.ts, l.value FROM (SELECT DISTINCT metric FROM metrics_heap) s
 CROSS JOIN LATERAL (SELECT ts, value FROM p.metrics m WHERE m.metric = s.metric
                      ORDER BY ts DESC LIMIT 1) l ORDER BY 1;
SELECT s.metric, l.ts, l.value FROM (SELECT DISTINCT metric FROM metrics_heap) s
 CROSS JOIN LATERAL (SELECT ts, value FROM metrics_heap m WHERE m.metric = s.metric
                      ORDER BY ts DESC LIMIT 1) l ORDER BY 1;
SELECT u.user_id, (SELECT count(*) FROM p.metrics m WHERE m.user_id = u.user_id
                      AND m.ts < (SELECT min(ts) + interval '1 hour' FROM metrics_heap)) AS n
  FROM (VALUES (1::bigint), (2), (3)) u(user_id) ORDER BY 1;
SELECT u.user_id, (SELECT count(*) FROM metrics_heap m WHERE m.user_id = u.user_id
                      AND m.ts < (SELECT min(ts) + interval '1 hour' FROM metrics_heap)) AS n
  FROM (VALUES (1::bigint), (2), (3)) u(user_id) ORDER BY 1;
-- A pushed time_bucket aggregate with a correlated metric.
SELECT s.metric, (SELECT count(*) FROM (SELECT time_bucket('1 hour', ts) b, avg(value)
                    FROM p.metrics m WHERE m.metric = s.metric GROUP BY 1) g) AS buckets
  FROM (VALUES ('cpu'), ('mem'), ('none')) s(metric) ORDER BY 1;
SELECT s.metric, (SELECT count(*) FROM (SELECT time_bucket('1 hour', ts) b, avg(value)
                    FROM metrics_heap m WHERE m.metric = s.metric GROUP BY 1) g) AS buckets
  FROM (VALUES ('cpu'), ('mem'), ('none')) s(metric) ORDER BY 1;
-- Rollup rows with a parameter.
SELECT s.metric, (SELECT sum(count) FROM p.metrics_1h r WHERE r.metric = s.metric) AS points
  FROM (VALUES ('cpu'), ('mem')) s(metric) ORDER BY 1;
SELECT metric, count(*) FROM metrics_heap GROUP BY 1 ORDER BY 1;

-- A DELETE whose condition is an initplan (direct modify).
BEGIN;
DELETE FROM p.docs WHERE id = (SELECT 5);
ROLLBACK;
DROP SCHEMA p CASCADE;

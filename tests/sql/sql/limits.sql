-- Requests that once killed or stalled lake-server (issue 13), through SQL:
-- absurd LIMITs and OFFSETs answer like a heap table, unbounded time ranges
-- over rollups and aggregates answer at once, create_user refuses user ids
-- that are no user, and lake-server keeps serving after all of it.
CREATE SCHEMA l;
CREATE FOREIGN TABLE l.docs (
  id bigint, user_id bigint, model_version int, embedding lake.vector(3), metadata jsonb,
  created_at timestamptz
) SERVER lake OPTIONS (collection 'docs');
CREATE FOREIGN TABLE l.metrics (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value double precision
) SERVER lake OPTIONS (series 'metrics');
CREATE FOREIGN TABLE l.metrics_1m (
  user_id bigint, metric text, tags jsonb, bucket timestamptz, count bigint, sum float8,
  min float8, max float8, avg float8, first float8, last float8
) SERVER lake OPTIONS (series 'metrics', rollup '1 minute');
SET search_path = public, lake;
CREATE TABLE l.docs_heap AS SELECT id, embedding FROM l.docs;

-- Huge LIMITs and OFFSETs: the same rows as the heap copy.
SELECT (SELECT array_agg(id) FROM (SELECT id FROM l.docs
          ORDER BY embedding <-> '[1,0,0]', id LIMIT 1000000000000) f)
     = (SELECT array_agg(id) FROM (SELECT id FROM l.docs_heap
          ORDER BY embedding <-> '[1,0,0]', id LIMIT 1000000000000) h) AS same_huge_limit;
SELECT count(*) FROM (SELECT id FROM l.docs ORDER BY embedding <-> '[1,0,0]'
                       LIMIT 9223372036854775807) f;
SELECT id FROM l.docs ORDER BY embedding <-> '[1,0,0]' LIMIT 2 OFFSET 9223372036854775806;

-- No bounds, one bound, absurd bounds: answered from the data there is.
SELECT count(*) > 0 AS has_rows FROM l.metrics_1m;
SELECT count(*) FROM l.metrics_1m WHERE bucket > '294276-12-31 23:59:59+00';
SELECT count(*) FROM l.metrics WHERE ts < '4713-01-01 00:00:00+00 BC';
SELECT (SELECT count(*) FROM l.metrics) = (SELECT sum(count) FROM l.metrics_1m) AS rollups_cover_points;

-- statement_timeout reaches lake-server as the request's deadline; the
-- connection and the lake go on.
SET statement_timeout = '5s';
SELECT count(*) > 0 AS answered FROM l.metrics;
RESET statement_timeout;

-- User ids at or below 0 are no user.
SELECT lake.create_user(0);
SELECT lake.create_user(-5);

-- A token made in a transaction that rolls back is revoked: it does not
-- outlive the role and mapping that would have held it.
BEGIN;
SELECT lake.create_tenant_token('lake', 43) AS orphan \gset
ROLLBACK;
CREATE ROLE limits_probe;
CREATE USER MAPPING FOR limits_probe SERVER lake OPTIONS (token :'orphan');
GRANT USAGE ON SCHEMA l, lake TO limits_probe;
GRANT SELECT ON l.docs TO limits_probe;
SET ROLE limits_probe;
SELECT count(*) FROM l.docs;
RESET ROLE;
DROP USER MAPPING FOR limits_probe SERVER lake;
REVOKE ALL ON l.docs FROM limits_probe;
REVOKE ALL ON SCHEMA l, lake FROM limits_probe;
DROP ROLE limits_probe;

SELECT count(*) > 0 AS still_serving FROM l.docs;
DROP SCHEMA l CASCADE;

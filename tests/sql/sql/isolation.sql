-- Tenant isolation: each user's role reaches lake-server with its own
-- tenant token (lake.create_user), and the server scopes every request to
-- that tenant. No SQL the user writes sees another user's rows.
SET client_min_messages = warning;
CREATE SCHEMA vectors;
CREATE SCHEMA timeseries;
CREATE FOREIGN TABLE vectors.docs (id bigint, user_id bigint, embedding lake.vector(3), metadata jsonb)
  SERVER lake OPTIONS (collection 'docs');
CREATE FOREIGN TABLE timeseries.metrics (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value double precision
) SERVER lake OPTIONS (series 'metrics');
SELECT lake.create_user(1, 'alice'), lake.create_user(2, 'bob');
RESET client_min_messages;
SET timezone = 'UTC';

-- The admin sees everyone.
SELECT user_id, count(*) FROM vectors.docs GROUP BY 1 ORDER BY 1;

SET ROLE alice;
SET search_path = public, lake;
SELECT count(*), min(user_id), max(user_id) FROM vectors.docs;
SELECT count(*) FROM vectors.docs WHERE user_id = 2;
SELECT id FROM vectors.docs WHERE id IN (1, 2, 3);
SELECT id, user_id FROM vectors.docs ORDER BY embedding <-> '[1,1,7]' LIMIT 3;
SELECT id FROM vectors.docs WHERE user_id = 2 ORDER BY embedding <-> '[1,1,7]' LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM vectors.docs ORDER BY embedding <-> '[1,1,7]' LIMIT 3;
SELECT DISTINCT user_id, tags->>'host' AS host FROM timeseries.metrics ORDER BY 2;
SELECT count(*) FROM timeseries.metrics WHERE user_id = 2;
-- Joins, subqueries, CTEs, temporary views, functions, aggregates.
SELECT count(*) FROM vectors.docs d JOIN timeseries.metrics m ON m.user_id <> d.user_id;
SELECT (SELECT count(*) FROM vectors.docs WHERE user_id = 2) AS others_docs,
       (SELECT count(*) FROM timeseries.metrics WHERE user_id = 2) AS others_points;
WITH everything AS (SELECT * FROM vectors.docs) SELECT count(DISTINCT user_id) FROM everything;
CREATE TEMP VIEW all_docs AS SELECT * FROM vectors.docs;
SELECT count(*), max(user_id) FROM all_docs;
DO $$ DECLARE n bigint; BEGIN
  SELECT count(*) INTO n FROM vectors.docs WHERE user_id <> 1;
  RAISE NOTICE 'rows of others: %', n;
END $$;
-- The planner's row estimates come from lake-server, scoped like the rows:
-- alice's plans count her points only.
SELECT estimated_rows('SELECT * FROM timeseries.metrics') AS estimated,
       (SELECT count(*) FROM timeseries.metrics) AS hers;
SELECT estimated_rows('SELECT * FROM vectors.docs') AS estimated,
       (SELECT count(*) FROM vectors.docs) AS hers;
-- Another user's id reads as absent, through the id lookup and with a local filter.
SELECT id FROM vectors.docs WHERE id = 1;
SELECT count(*) FROM vectors.docs WHERE id = 1 AND metadata IS NOT NULL;
-- Writes reach only her rows: another user's rows are not there to change
-- or delete (not even her own are touched by a filter naming bob), a row
-- naming another user is refused, and one naming nobody is hers.
UPDATE vectors.docs SET metadata = '{"by": "alice"}' WHERE id = 1;
UPDATE vectors.docs SET metadata = '{"by": "alice"}' WHERE user_id = 2;
DELETE FROM vectors.docs WHERE id = 1;
DELETE FROM vectors.docs WHERE user_id = 2;
DELETE FROM timeseries.metrics WHERE user_id = 2;
INSERT INTO vectors.docs (id, user_id, embedding) VALUES (900, 2, '[9,9,9]');
INSERT INTO timeseries.metrics VALUES (2, 'cpu', '{"host": "b1"}', now(), 1);
INSERT INTO vectors.docs (id, embedding) VALUES (901, '[9,9,9]');
SELECT id, user_id FROM vectors.docs WHERE id >= 900;
SELECT count(*) FROM vectors.docs WHERE metadata->>'by' = 'alice';
-- The token and the mapping are out of reach, and so is minting tokens.
SELECT srvname, usename, umoptions FROM pg_user_mappings WHERE usename = 'alice';
ALTER USER MAPPING FOR alice SERVER lake OPTIONS (SET token 'lake_x');
CREATE USER MAPPING FOR bob SERVER lake OPTIONS (token 'lake_x');
CREATE FOREIGN TABLE public.sneaky (id bigint) SERVER lake OPTIONS (collection 'docs');
CREATE FOREIGN TABLE pg_temp.sneaky (id bigint) SERVER lake OPTIONS (collection 'docs');
SELECT lake.create_tenant_token('lake', 2);
SELECT lake.create_user(3);
RESET ROLE;

SET ROLE bob;
SELECT count(*), min(user_id), max(user_id) FROM vectors.docs;
SELECT DISTINCT user_id, tags->>'host' AS host FROM timeseries.metrics ORDER BY 2;
RESET ROLE;

-- The admin sees every row as it was, with alice's new one.
SELECT user_id, count(*) FROM vectors.docs GROUP BY 1 ORDER BY 1;
SELECT id, metadata FROM vectors.docs WHERE id = 1;
SELECT user_id, count(*) FROM timeseries.metrics GROUP BY 1 ORDER BY 1;
DELETE FROM vectors.docs WHERE id = 901;

SET client_min_messages = warning;
DROP SCHEMA vectors, timeseries CASCADE;
DROP USER MAPPING FOR alice SERVER lake;
DROP USER MAPPING FOR bob SERVER lake;
DROP OWNED BY alice, bob;
DROP ROLE alice, bob;

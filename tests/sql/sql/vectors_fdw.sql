-- Vector foreign tables through lake-server: scans, filters pushed to the
-- engine, kNN pushdown (checked by EXPLAIN and against the plan without
-- it), prepared statements, and the errors.
CREATE SCHEMA vectors;
CREATE FOREIGN TABLE vectors.docs (
  id bigint, user_id bigint, model_version int, embedding lake.vector(3), metadata jsonb,
  created_at timestamptz
) SERVER lake OPTIONS (collection 'docs');
CREATE FOREIGN TABLE vectors.docs_cosine (id bigint, user_id bigint, embedding lake.vector(3))
  SERVER lake OPTIONS (collection 'docs_cosine');
SET search_path = public, lake;

-- Scans.
SELECT count(*), sum(id), min(user_id), max(user_id) FROM vectors.docs;
SELECT id, user_id, model_version, embedding, metadata, created_at > now() - interval '1 day' AS recent
  FROM vectors.docs WHERE id <= 4 ORDER BY id;

-- Filters on id, user_id and model_version go to the engine.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM vectors.docs WHERE id IN (3, 5, 99);
SELECT id, embedding FROM vectors.docs WHERE id IN (3, 5, 99) ORDER BY id;
SELECT id FROM vectors.docs WHERE id = 7;
SELECT id FROM vectors.docs WHERE id = NULL;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM vectors.docs WHERE user_id = 1 AND model_version = 1;
SELECT array_agg(id ORDER BY id) FROM vectors.docs WHERE user_id = 1 AND model_version = 1;
-- Metadata conditions narrow the scan in the engine; PostgreSQL checks again.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM vectors.docs WHERE user_id = 2 AND metadata->>'tag' = 't1';
SELECT array_agg(id ORDER BY id) FROM vectors.docs WHERE user_id = 2 AND metadata->>'tag' = 't1';
SELECT array_agg(id ORDER BY id) FROM vectors.docs WHERE user_id = 2 OR id = 2;

-- kNN: ORDER BY embedding <op> value LIMIT k is one engine search.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM vectors.docs ORDER BY embedding <-> '[3,3,3]' LIMIT 5;
SELECT id, round((embedding <-> '[3,3,3]')::numeric, 4) AS distance
  FROM vectors.docs ORDER BY embedding <-> '[3,3,3]' LIMIT 5;
-- The engine's distance stands in for the expression (a scan column, in
-- double parentheses), also inside other expressions; no embedding travels.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id, round((embedding <-> '[3,3,3]')::numeric, 4) AS distance
  FROM vectors.docs ORDER BY embedding <-> '[3,3,3]' LIMIT 5;
-- The embedding itself comes back when the query asks for it.
SELECT id, embedding FROM vectors.docs ORDER BY embedding <-> '[3,3,3]' LIMIT 2;
-- The same without pushdown (a subquery hides the ORDER BY from the scan).
SELECT id, round((embedding <-> '[3,3,3]')::numeric, 4) AS distance
  FROM (SELECT * FROM vectors.docs OFFSET 0) t ORDER BY embedding <-> '[3,3,3]' LIMIT 5;
-- With pushed filters the search filters inside the walk.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM vectors.docs WHERE user_id = 1 ORDER BY embedding <-> '[3,3,3]' LIMIT 3;
SELECT id FROM vectors.docs WHERE user_id = 1 ORDER BY embedding <-> '[3,3,3]' LIMIT 3;
SELECT id FROM (SELECT * FROM vectors.docs WHERE user_id = 1 OFFSET 0) t
 ORDER BY embedding <-> '[3,3,3]' LIMIT 3;
SELECT id FROM vectors.docs WHERE id IN (1, 2, 3, 20) ORDER BY embedding <-> '[20,0,0]' LIMIT 2;
-- A condition the engine may over-match (metadata) or cannot apply: rows
-- come in distance order, a page at a time, until the recheck passes k.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM vectors.docs WHERE metadata->>'tag' = 't1' ORDER BY embedding <-> '[3,3,3]' LIMIT 3;
SELECT id FROM vectors.docs WHERE metadata->>'tag' = 't1' ORDER BY embedding <-> '[3,3,3]' LIMIT 3;
-- Cosine collections answer <=>; an operator of another metric is an exact
-- scan in lake-server.
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM vectors.docs_cosine ORDER BY embedding <=> '[1,0,0]' LIMIT 3;
SELECT id FROM vectors.docs_cosine ORDER BY embedding <=> '[1,0,0]' LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM vectors.docs_cosine ORDER BY embedding <-> '[1,0,0]' LIMIT 3;
-- Only the ids are needed: no row fetch, no embeddings over the wire.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM vectors.docs ORDER BY embedding <-> '[1,1,1]' LIMIT 1;
SET lake.ef_search = 200;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM vectors.docs ORDER BY embedding <-> '[1,1,1]' LIMIT 1;
SELECT id FROM vectors.docs ORDER BY embedding <-> '[1,1,1]' LIMIT 1;
RESET lake.ef_search;

-- Prepared statements: the query vector and the user as parameters.
SET plan_cache_mode = force_generic_plan;
PREPARE knn(lake.vector, bigint) AS
  SELECT id FROM vectors.docs WHERE user_id = $2 ORDER BY embedding <-> $1 LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE knn('[3,3,3]', 1);
EXECUTE knn('[3,3,3]', 1);
EXECUTE knn('[20,0,0]', 2);
DEALLOCATE knn;
RESET plan_cache_mode;

-- Errors.
SELECT id FROM vectors.docs ORDER BY embedding <-> '[1,2]' LIMIT 3;
CREATE FOREIGN TABLE vectors.missing (id bigint) SERVER lake OPTIONS (collection 'missing');
SELECT * FROM vectors.missing;
CREATE FOREIGN TABLE vectors.odd (id bigint, color text) SERVER lake OPTIONS (collection 'docs');
SELECT * FROM vectors.odd;
CREATE FOREIGN TABLE vectors.wrong_type (id int) SERVER lake OPTIONS (collection 'docs');
SELECT * FROM vectors.wrong_type;
CREATE SERVER bad FOREIGN DATA WRAPPER lake_fdw OPTIONS (bogus 'x');
CREATE SERVER bad FOREIGN DATA WRAPPER lake_fdw OPTIONS (host '127.0.0.1', port '99999');
CREATE SERVER nowhere FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket '/nonexistent/lake.sock');
CREATE USER MAPPING FOR CURRENT_USER SERVER nowhere OPTIONS (token 'x');
CREATE FOREIGN TABLE vectors.nowhere (id bigint) SERVER nowhere OPTIONS (collection 'docs');
SELECT * FROM vectors.nowhere;
CREATE SERVER unmapped FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket '/nonexistent/lake.sock');
CREATE FOREIGN TABLE vectors.unmapped (id bigint) SERVER unmapped OPTIONS (collection 'docs');
SELECT * FROM vectors.unmapped;
DO $$ BEGIN
  EXECUTE format('CREATE SERVER wrong_token FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket %L)',
                 current_setting('regress.lake_socket'));
END $$;
CREATE USER MAPPING FOR CURRENT_USER SERVER wrong_token OPTIONS (token 'lake_wrong');
CREATE FOREIGN TABLE vectors.wrong_token (id bigint) SERVER wrong_token OPTIONS (collection 'docs');
SELECT * FROM vectors.wrong_token;
DROP SCHEMA vectors CASCADE;
DROP SERVER nowhere, unmapped, wrong_token CASCADE;

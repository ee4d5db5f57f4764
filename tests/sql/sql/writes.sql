-- INSERT, COPY, UPDATE and DELETE on lake foreign tables: applied at
-- commit, all or nothing, dropped on rollback (savepoints too), stamped with
-- a tenant's own user id.
SET client_min_messages = warning;
RESET client_min_messages;
SET timezone = 'UTC';
SET search_path = public, lake;
CREATE SCHEMA w;
CREATE FOREIGN TABLE w.docs (
  id bigint, user_id bigint, model_version int, embedding lake.vector(3), metadata jsonb,
  created_at timestamptz
) SERVER lake OPTIONS (collection 'writable');
CREATE FOREIGN TABLE w.loose (id bigint, embedding lake.vector) SERVER lake
  OPTIONS (collection 'writable');
CREATE FOREIGN TABLE w.metrics (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value double precision
) SERVER lake OPTIONS (series 'metrics');
CREATE FOREIGN TABLE w.events (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value text
) SERVER lake OPTIONS (series 'events');

-- Applied at commit; the transaction does not see its own rows.
BEGIN;
INSERT INTO w.docs (id, user_id, embedding, metadata)
  VALUES (1, 5, '[1,0,0]', '{"a": 1}'), (2, 5, '[0,1,0]', NULL);
SELECT count(*) AS visible_before_commit FROM w.docs;
COMMIT;
SELECT id, user_id, model_version, embedding, metadata, created_at > now() - interval '1 hour' AS recent
  FROM w.docs ORDER BY id;
INSERT INTO w.docs (id, user_id, embedding, created_at)
  VALUES (3, 5, '[0,0,1]', '2026-01-01 12:00+00');
SELECT id, created_at FROM w.docs WHERE id = 3;

-- Rollback and savepoints.
BEGIN;
INSERT INTO w.docs (id, user_id, embedding) VALUES (10, 5, '[1,1,0]');
ROLLBACK;
BEGIN;
INSERT INTO w.docs (id, user_id, embedding) VALUES (11, 5, '[1,1,1]');
SAVEPOINT s1;
INSERT INTO w.docs (id, user_id, embedding) VALUES (12, 5, '[1,1,2]');
SAVEPOINT s2;
INSERT INTO w.docs (id, user_id, embedding) VALUES (13, 5, '[1,1,3]');
ROLLBACK TO s1;
INSERT INTO w.docs (id, user_id, embedding) VALUES (14, 5, '[1,1,4]');
COMMIT;
SELECT array_agg(id ORDER BY id) FROM w.docs;

-- A row the engine refuses fails the commit, and nothing of it lands.
BEGIN;
INSERT INTO w.docs (id, user_id, embedding) VALUES (20, 5, '[2,0,0]');
INSERT INTO w.loose (id, embedding) VALUES (21, '[2,0]');
COMMIT;
SELECT array_agg(id ORDER BY id) FROM w.docs;

-- batch_size: an insert sends its rows to lake-server in batches while it
-- runs, and lake-server stages them until the commit. A refused row then
-- fails the INSERT itself; what was staged is dropped with the rollback.
CREATE FOREIGN TABLE w.docs_b2 (id bigint, user_id bigint, embedding lake.vector(3))
  SERVER lake OPTIONS (collection 'writable', batch_size '2');
CREATE FOREIGN TABLE w.loose_b2 (id bigint, embedding lake.vector) SERVER lake
  OPTIONS (collection 'writable', batch_size '2');
BEGIN;
INSERT INTO w.docs (id, user_id, embedding) VALUES (22, 5, '[2,2,0]');
INSERT INTO w.loose_b2 (id, embedding) SELECT 23 + n, '[2,0]' FROM generate_series(0, 3) n;
COMMIT;
SELECT count(*) AS landed FROM w.docs WHERE id = 22;
BEGIN;
INSERT INTO w.docs_b2 SELECT 50 + n, 5, ARRAY[5, n, 0]::real[]::lake.vector FROM generate_series(0, 4) n;
SELECT count(*) AS visible_before_commit FROM w.docs WHERE id BETWEEN 50 AND 54;
ROLLBACK;
SELECT count(*) AS after_rollback FROM w.docs WHERE id BETWEEN 50 AND 54;
-- Inside a savepoint nothing is sent, so rolling it back drops its rows.
BEGIN;
INSERT INTO w.docs_b2 SELECT 50 + n, 5, ARRAY[5, n, 0]::real[]::lake.vector FROM generate_series(0, 2) n;
SAVEPOINT s;
INSERT INTO w.docs_b2 SELECT 53 + n, 5, ARRAY[5, n, 1]::real[]::lake.vector FROM generate_series(0, 2) n;
ROLLBACK TO s;
COMMIT;
SELECT array_agg(id ORDER BY id) FROM w.docs WHERE id BETWEEN 50 AND 60;
ALTER FOREIGN TABLE w.docs_b2 OPTIONS (SET batch_size '0');
DELETE FROM w.docs WHERE id IN (50, 51, 52);

-- An id written again is replaced (upsert).
INSERT INTO w.docs (id, user_id, embedding, metadata) VALUES (2, 5, '[0,2,0]', '{"v": 2}');
SELECT id, embedding, metadata FROM w.docs WHERE id = 2;

-- COPY FROM, then a kNN over what it loaded.
COPY w.docs (id, user_id, embedding) FROM STDIN;
30	6	[3,0,0]
31	6	[3,1,0]
32	6	[3,2,0]
\.
SELECT id FROM w.docs WHERE user_id = 6 ORDER BY embedding <-> '[3,2,1]' LIMIT 2;

-- Points and events.
BEGIN;
INSERT INTO w.metrics VALUES
  (5, 'written', '{"k": "v"}', '2026-02-01 00:00+00', 1.5),
  (5, 'written', '{"k": "v"}', '2026-02-01 00:01+00', 2.5),
  (5, 'written', '{"k": "w"}', '2026-02-01 00:00+00', 9);
COMMIT;
COPY w.metrics (user_id, metric, tags, ts, value) FROM STDIN;
5	written	{"k": "v"}	2026-02-01 00:02:00+00	3.5
\.
INSERT INTO w.events VALUES (5, 'written_event', '{}', '2026-02-01 00:00+00', 'started');
SELECT tags, ts, value FROM w.metrics WHERE metric = 'written' ORDER BY tags::text, ts;
SELECT time_bucket('1 hour', ts), count(*), sum(value) FROM w.metrics
 WHERE metric = 'written' AND tags @> '{"k": "v"}' GROUP BY 1;
SELECT ts, value FROM w.events WHERE metric = 'written_event';
INSERT INTO w.metrics VALUES (5, 'written', '{"k": 1}', '2026-02-01 00:00+00', 1);
INSERT INTO w.metrics (user_id, metric, ts) VALUES (5, 'written', now());

-- DELETE goes to the engine whole when it applies every condition; like
-- the inserts it lands at commit (and the count comes from the engine).
EXPLAIN (VERBOSE, COSTS OFF) DELETE FROM w.docs WHERE id IN (11, 14);
BEGIN;
DELETE FROM w.docs WHERE id IN (11, 14, 99);
SELECT array_agg(id ORDER BY id) AS before_commit FROM w.docs;
COMMIT;
SELECT array_agg(id ORDER BY id) FROM w.docs;
BEGIN;
DELETE FROM w.docs WHERE user_id = 6;
ROLLBACK;
SELECT count(*) FROM w.docs WHERE user_id = 6;
DELETE FROM w.docs WHERE user_id = 6 AND id = 30;
SELECT array_agg(id ORDER BY id) FROM w.docs WHERE user_id = 6;
-- Insert then delete in one transaction: applied in that order.
BEGIN;
INSERT INTO w.docs (id, user_id, embedding) VALUES (40, 5, '[4,0,0]');
DELETE FROM w.docs WHERE id = 40;
INSERT INTO w.docs (id, user_id, embedding) VALUES (41, 5, '[4,1,0]');
COMMIT;
SELECT array_agg(id ORDER BY id) FROM w.docs WHERE id >= 40;
-- A condition the engine cannot apply: refused, nothing deleted.
DELETE FROM w.docs WHERE metadata->>'v' = '2';
-- UPDATE of metadata: also whole in the engine, at commit; the vectors stay.
EXPLAIN (VERBOSE, COSTS OFF) UPDATE w.docs SET metadata = '{"tag": "x"}' WHERE id IN (2, 3);
BEGIN;
UPDATE w.docs SET metadata = '{"tag": "x"}' WHERE id IN (2, 3);
SELECT id, metadata AS before_commit FROM w.docs WHERE id IN (2, 3) ORDER BY id;
COMMIT;
SELECT id, user_id, embedding, metadata, created_at = '2026-01-01 12:00+00' AS kept_created_at
  FROM w.docs WHERE id IN (2, 3) ORDER BY id;
UPDATE w.docs SET metadata = NULL WHERE user_id = 6;
SELECT id, metadata FROM w.docs WHERE user_id = 6 ORDER BY id;
UPDATE w.docs SET embedding = '[9,9,9]' WHERE id = 2;
UPDATE w.docs SET metadata = jsonb_build_object('id', id) WHERE id = 2;

-- Time-series range deletes never read a point.
EXPLAIN (VERBOSE, COSTS OFF)
  DELETE FROM w.metrics WHERE metric = 'written' AND tags @> '{"k": "v"}'
     AND ts >= '2026-02-01 00:01+00' AND ts < '2026-02-01 00:02+00';
DELETE FROM w.metrics WHERE metric = 'written' AND tags @> '{"k": "v"}'
   AND ts >= '2026-02-01 00:01+00' AND ts < '2026-02-01 00:02+00';
SELECT tags, ts, value FROM w.metrics WHERE metric = 'written' ORDER BY tags::text, ts;
-- Points inserted earlier in the transaction are deleted too.
BEGIN;
INSERT INTO w.metrics VALUES (5, 'written', '{"k": "new"}', '2026-02-02 00:00+00', 7);
DELETE FROM w.metrics WHERE metric = 'written' AND user_id = 5;
INSERT INTO w.metrics VALUES (5, 'written', '{"k": "new"}', '2026-02-03 00:00+00', 8);
COMMIT;
SELECT tags, ts, value FROM w.metrics WHERE metric = 'written';
DELETE FROM w.metrics WHERE metric = 'written' AND value > 1;

-- A tenant writes rows of its own only: one naming another user id is
-- refused, one naming none is its own.
SET client_min_messages = warning;
SELECT lake.create_user(9, 'carol');
RESET client_min_messages;
GRANT USAGE ON SCHEMA w TO carol;
GRANT SELECT, INSERT ON w.docs TO carol;
SET ROLE carol;
INSERT INTO w.docs (id, user_id, embedding) VALUES (50, 5, '[5,5,5]');
INSERT INTO w.docs (id, embedding) VALUES (50, '[5,5,5]');
SELECT id, user_id FROM w.docs;
INSERT INTO w.docs (id, user_id, embedding) VALUES (1, 9, '[9,9,9]');
RESET ROLE;
SELECT id, user_id, embedding FROM w.docs WHERE id IN (1, 50) ORDER BY id;

SET client_min_messages = warning;
DROP SCHEMA w CASCADE;
DROP USER MAPPING FOR carol SERVER lake;
DROP OWNED BY carol;
DROP ROLE carol;

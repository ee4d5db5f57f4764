-- lake-server stops answering: a cancel (here a statement timeout) ends the
-- wait at once. lake-server dies under a backend that has a session open:
-- the next query fails with a clear error, the backend lives on, and once
-- the server is back the same backend reconnects; a transaction that
-- lost its server fails its commit, and one whose commit lost its answer
-- asks the server what became of it, or says the outcome is unknown.
-- (Run last: it restarts the server.)
SET client_min_messages = warning;
RESET client_min_messages;
CREATE FOREIGN TABLE docs_here (id bigint) SERVER lake OPTIONS (collection 'docs');
-- The errors' details vary (a broken pipe or a closed connection, the
-- socket's temporary path): the test prints their kind.
CREATE FUNCTION try_count() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT count(*)::text FROM docs_here);
EXCEPTION WHEN OTHERS THEN
  RETURN 'error: ' || substring(SQLERRM from '^lake: [^:]*');
END $$;
SELECT try_count();
\! "$LAKE_REGRESS_PAUSE_SERVER"
SET statement_timeout = '300ms';
SELECT count(*) FROM docs_here;
DO $$ DECLARE started timestamptz := clock_timestamp(); BEGIN
  PERFORM count(*) FROM docs_here;
EXCEPTION WHEN query_canceled THEN
  RAISE NOTICE 'cancelled within 5 s (the request would wait 30 s): %',
    clock_timestamp() - started < interval '5 seconds';
END $$;
RESET statement_timeout;
\! "$LAKE_REGRESS_RESUME_SERVER"
SELECT try_count();
\! "$LAKE_REGRESS_KILL_SERVER"
SELECT try_count();
SELECT try_count();
SELECT 'the backend is alive' AS still;
\! "$LAKE_REGRESS_START_SERVER"
SELECT try_count();
-- A server that restarts in the middle of a transaction has lost what the
-- transaction had sent it: the commit fails, and nothing of it lands.
CREATE FOREIGN TABLE points_here (metric text, ts timestamptz, value float8) SERVER lake
  OPTIONS (series 'metrics', batch_size '1');
BEGIN;
INSERT INTO points_here VALUES ('lost', '2026-03-01 00:00+00', 1), ('lost', '2026-03-01 00:01+00', 2);
\! "$LAKE_REGRESS_KILL_SERVER"
\! "$LAKE_REGRESS_START_SERVER"
\set VERBOSITY sqlstate
COMMIT;
\set VERBOSITY default
SELECT substring(:'LAST_ERROR_MESSAGE' from '^[^:]*: [^:]*') AS commit_error;
SELECT count(*) AS landed FROM points_here WHERE metric = 'lost';
-- A server that dies before it answered the commit's prepare: PostgreSQL
-- decides, and aborts the transaction; lake-server, restarted, has nothing
-- of it (or aborts what it prepared when the next session asks it).
BEGIN;
INSERT INTO points_here VALUES ('dropped', '2026-03-01 00:00+00', 1);
\! "$LAKE_REGRESS_PAUSE_SERVER"
\! (sleep 1; "$LAKE_REGRESS_KILL_SERVER"; "$LAKE_REGRESS_START_SERVER") >/dev/null 2>&1 &
\set VERBOSITY sqlstate
COMMIT;
\set VERBOSITY default
SELECT substring(:'LAST_ERROR_MESSAGE' from '^[^:]*: [^:]*') AS commit_error;
\! "$LAKE_REGRESS_WAIT_SERVER"
SELECT count(*) AS landed FROM points_here WHERE metric = 'dropped';
-- A server that stays down: the COMMIT fails, as not applied.
BEGIN;
INSERT INTO points_here VALUES ('unknown', '2026-03-01 00:00+00', 1);
\! "$LAKE_REGRESS_PAUSE_SERVER"
\! (sleep 1; "$LAKE_REGRESS_KILL_SERVER") >/dev/null 2>&1 &
\set VERBOSITY sqlstate
COMMIT;
\set VERBOSITY default
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate,
       substring(:'LAST_ERROR_MESSAGE' from '^[^:]*: [^:]*') AS commit_error;
\! "$LAKE_REGRESS_START_SERVER"
SELECT count(*) AS landed FROM points_here WHERE metric = 'unknown';
-- PREPARE TRANSACTION of lake writes is refused (lake-server takes part in
-- PostgreSQL's own commit instead).
BEGIN;
INSERT INTO points_here VALUES ('prepared', '2026-03-01 00:00+00', 1);
PREPARE TRANSACTION 'lake_test';
SELECT count(*) AS landed FROM points_here WHERE metric = 'prepared';
DROP FUNCTION try_count();
DROP FOREIGN TABLE docs_here, points_here;

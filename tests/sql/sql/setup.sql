-- Helpers the other SQL tests share (run_sql_tests.sh runs this first).
-- The extension, the server and the admin's mapping, for the tests that
-- run after this one (the isolation specs make their own).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS lake_fdw;
RESET client_min_messages;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = 'lake') THEN
    EXECUTE format('CREATE SERVER lake FOREIGN DATA WRAPPER lake_fdw OPTIONS (socket %L)',
                   current_setting('regress.lake_socket'));
    EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER lake OPTIONS (token %L)',
                   current_setting('regress.lake_token'));
  END IF;
END $$;
-- The planner's row estimate of a query's top plan node.
CREATE FUNCTION public.estimated_rows(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
  RETURN (plan->0->'Plan'->>'Plan Rows')::bigint;
END $$;

-- Helpers the other SQL tests share (run_sql_tests.sh runs this first).
-- The planner's row estimate of a query's top plan node.
CREATE FUNCTION public.estimated_rows(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
  RETURN (plan->0->'Plan'->>'Plan Rows')::bigint;
END $$;

-- lake_fdw keeps everything in its own schema `lake`, so a database can also
-- have pgvector (whose type and functions live in public). pgvector is not
-- packaged for Debian 12, so a stand-in defines the same names in public.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS lake_fdw;
RESET client_min_messages;
CREATE DOMAIN public.vector AS real[];
CREATE FUNCTION public.l2_distance(public.vector, public.vector) RETURNS float8
  LANGUAGE sql AS $$ SELECT -1.0::float8 $$;
CREATE OPERATOR public.<-> (LEFTARG = public.vector, RIGHTARG = public.vector,
                            PROCEDURE = public.l2_distance);

-- Nothing of ours landed in public.
SELECT count(*) AS lake_objects_in_public FROM pg_depend d
  JOIN pg_extension e ON d.refobjid = e.oid AND e.extname = 'lake_fdw'
  JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE p.pronamespace = 'public'::regnamespace;

-- Qualified names reach ours whatever the search path.
SET search_path = public;
SELECT '[3,4]'::lake.vector OPERATOR(lake.<->) '[0,0]'::lake.vector AS ours,
       lake.l2_distance('[3,4]', '[0,0]') AS ours_by_name,
       '{3,4}'::public.vector <-> '{0,0}'::public.vector AS theirs;
-- With lake first, the bare names are ours.
SET search_path = lake, public;
SELECT '[3,4]'::vector <-> '[0,0]' AS ours, pg_typeof('[1]'::vector) AS type;
RESET search_path;
DROP OPERATOR public.<-> (public.vector, public.vector);
DROP FUNCTION public.l2_distance(public.vector, public.vector);
DROP DOMAIN public.vector;

-- lake_fdw 0.1: the vector type (pgvector's text form and operators, in
-- the extension's own schema `lake`, so pgvector can live beside it) and
-- time_bucket (TimescaleDB's meaning).
\echo Use "CREATE EXTENSION lake_fdw" to load this file. \quit

-- vector(n)

CREATE TYPE vector;

CREATE FUNCTION vector_in(cstring, oid, integer) RETURNS vector
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_out(vector) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_typmod_in(cstring[]) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_recv(internal, oid, integer) RETURNS vector
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_send(vector) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE vector (
  INPUT = vector_in,
  OUTPUT = vector_out,
  TYPMOD_IN = vector_typmod_in,
  RECEIVE = vector_recv,
  SEND = vector_send,
  STORAGE = external
);

-- Casts: the length coercion of vector(n), and arrays both ways.

CREATE FUNCTION vector(vector, integer, boolean) RETURNS vector
  AS 'MODULE_PATHNAME', 'vector_coerce' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (vector AS vector) WITH FUNCTION vector(vector, integer, boolean) AS IMPLICIT;

CREATE FUNCTION array_to_vector(integer[], integer, boolean) RETURNS vector
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(real[], integer, boolean) RETURNS vector
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(double precision[], integer, boolean) RETURNS vector
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(numeric[], integer, boolean) RETURNS vector
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (integer[] AS vector) WITH FUNCTION array_to_vector(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (real[] AS vector) WITH FUNCTION array_to_vector(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (double precision[] AS vector) WITH FUNCTION array_to_vector(double precision[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (numeric[] AS vector) WITH FUNCTION array_to_vector(numeric[], integer, boolean) AS ASSIGNMENT;

CREATE FUNCTION vector_to_float4(vector, integer, boolean) RETURNS real[]
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_to_float8(vector, integer, boolean) RETURNS double precision[]
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (vector AS real[]) WITH FUNCTION vector_to_float4(vector, integer, boolean) AS IMPLICIT;
CREATE CAST (vector AS double precision[]) WITH FUNCTION vector_to_float8(vector, integer, boolean) AS ASSIGNMENT;

-- Distances and measures.

CREATE FUNCTION l2_distance(vector, vector) RETURNS double precision
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION inner_product(vector, vector) RETURNS double precision
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cosine_distance(vector, vector) RETURNS double precision
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_negative_inner_product(vector, vector) RETURNS double precision
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_dims(vector) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_norm(vector) RETURNS double precision
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_concat(vector, vector) RETURNS vector
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR || (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_concat);

CREATE OPERATOR <-> (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = l2_distance,
                     COMMUTATOR = '<->');
CREATE OPERATOR <#> (LEFTARG = vector, RIGHTARG = vector,
                     PROCEDURE = vector_negative_inner_product, COMMUTATOR = '<#>');
CREATE OPERATOR <=> (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = cosine_distance,
                     COMMUTATOR = '<=>');

-- Comparisons (element by element), so vectors can be sorted, grouped and
-- made distinct.

CREATE FUNCTION vector_lt(vector, vector) RETURNS bool
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_le(vector, vector) RETURNS bool
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_eq(vector, vector) RETURNS bool
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_ne(vector, vector) RETURNS bool
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_ge(vector, vector) RETURNS bool
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_gt(vector, vector) RETURNS bool
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_cmp(vector, vector) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR < (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_lt,
                   COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_le,
                    COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR = (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_eq,
                   COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR <> (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_ne,
                    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR >= (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_ge,
                    COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
CREATE OPERATOR > (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_gt,
                   COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);

CREATE OPERATOR CLASS vector_ops DEFAULT FOR TYPE vector USING btree AS
  OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
  FUNCTION 1 vector_cmp(vector, vector);

-- time_bucket(width, ts [, origin])

CREATE FUNCTION time_bucket(interval, timestamptz) RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'time_bucket_timestamptz' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION time_bucket(interval, timestamptz, timestamptz) RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'time_bucket_timestamptz' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION time_bucket(interval, timestamp) RETURNS timestamp
  AS 'MODULE_PATHNAME', 'time_bucket_timestamp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION time_bucket(interval, timestamp, timestamp) RETURNS timestamp
  AS 'MODULE_PATHNAME', 'time_bucket_timestamp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- A date stays a date (never read in the session's time zone); the width
-- is whole days or months.
CREATE FUNCTION time_bucket(interval, date) RETURNS date
  AS 'MODULE_PATHNAME', 'time_bucket_date' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION time_bucket(interval, date, date) RETURNS date
  AS 'MODULE_PATHNAME', 'time_bucket_date' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The foreign data wrapper. Servers take `socket` (lake-server's Unix
-- socket) or `host` and `port`; user mappings take `token`; foreign tables
-- take `collection` (vectors) or `series` (time series).

CREATE FUNCTION lake_fdw_handler() RETURNS fdw_handler
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
CREATE FUNCTION lake_fdw_validator(text[], oid) RETURNS void
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
CREATE FOREIGN DATA WRAPPER lake_fdw HANDLER lake_fdw_handler VALIDATOR lake_fdw_validator;

-- A foreign table's columns are checked when it is declared or altered
-- (names and types, as its collection or series gives them), not at first
-- use; inserts and scans check them again.
CREATE FUNCTION check_foreign_table(regclass) RETURNS void
  AS 'MODULE_PATHNAME', 'lake_check_foreign_table' LANGUAGE C STRICT;
CREATE FUNCTION check_declared_foreign_tables() RETURNS event_trigger
  LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
  declared oid;
BEGIN
  FOR declared IN
    SELECT DISTINCT c.objid FROM pg_event_trigger_ddl_commands() c
      JOIN pg_foreign_table t ON t.ftrelid = c.objid
      JOIN pg_foreign_server s ON s.oid = t.ftserver
      JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
     WHERE c.classid = 'pg_class'::regclass AND w.fdwname = 'lake_fdw'
  LOOP
    PERFORM lake.check_foreign_table(declared);
  END LOOP;
END $$;
CREATE EVENT TRIGGER lake_check_foreign_tables ON ddl_command_end
  WHEN TAG IN ('CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE', 'ALTER TABLE')
  EXECUTE FUNCTION check_declared_foreign_tables();

-- Users. Each PostgreSQL role reaches lake-server through its own user
-- mapping and tenant token; lake-server scopes every request of a tenant
-- token to its tenant. A user's role gets no USAGE on the foreign server, so
-- it can neither see its token nor edit mappings.

CREATE FUNCTION create_tenant_token(server name, user_id bigint) RETURNS text
  AS 'MODULE_PATHNAME', 'lake_create_tenant_token' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION create_tenant_token(name, bigint) FROM PUBLIC;

-- 'committed', 'pending' or 'aborted': what became of the transaction a
-- COMMIT named when it said its outcome was unknown (lake-server was
-- down). Anyone may ask; lake-server answers a tenant of its own only.
CREATE FUNCTION transaction_status(server name, id bigint) RETURNS text
  AS 'MODULE_PATHNAME', 'lake_transaction_status' LANGUAGE C STRICT VOLATILE;

-- A login role for `user_id`, mapped to a new tenant token on `server`,
-- that reads and writes the vectors and timeseries schemas: lake-server
-- scopes each of its requests to its tenant, so it reads and changes its
-- own rows only, and the rows it writes are its own. Run by a role
-- whose own mapping carries the admin token and that may create roles.
CREATE FUNCTION create_user(user_id bigint, role_name name DEFAULT NULL,
                            server name DEFAULT 'lake') RETURNS name
LANGUAGE plpgsql AS $$
DECLARE
  r name := coalesce(role_name, ('lake_user_' || user_id)::name);
  token text;
  s text;
BEGIN
  IF user_id <= 0 THEN
    RAISE EXCEPTION 'lake: a user id must be above 0, not %', user_id
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'user id 0 stands for rows written without a user';
  END IF;
  -- The token is made last (it is revoked again if the transaction
  -- aborts, but a failure before it then costs lake-server nothing).
  EXECUTE format('CREATE ROLE %I LOGIN', r);
  token := @extschema@.create_tenant_token(server, user_id);
  EXECUTE format('CREATE USER MAPPING FOR %I SERVER %I OPTIONS (token %L)', r, server, token);
  EXECUTE format('GRANT USAGE ON SCHEMA @extschema@ TO %I', r);
  FOREACH s IN ARRAY ARRAY['vectors', 'timeseries'] LOOP
    IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s) THEN
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, r);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, r);
    END IF;
  END LOOP;
  RETURN r;
END $$;
REVOKE ALL ON FUNCTION create_user(bigint, name, name) FROM PUBLIC;

-- first(value, ts) and last(value, ts): the value at the earliest and the
-- latest time, as TimescaleDB's (time_bucket GROUP BY pushes them down).

CREATE TYPE first_last_state AS (value double precision, ts timestamptz);
CREATE FUNCTION first_transition(state first_last_state, value double precision, ts timestamptz)
  RETURNS first_last_state LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ts IS NULL THEN state
              WHEN state IS NULL OR ts < (state).ts THEN ROW(value, ts)::@extschema@.first_last_state
              ELSE state END
$$;
CREATE FUNCTION last_transition(state first_last_state, value double precision, ts timestamptz)
  RETURNS first_last_state LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ts IS NULL THEN state
              WHEN state IS NULL OR ts >= (state).ts THEN ROW(value, ts)::@extschema@.first_last_state
              ELSE state END
$$;
CREATE FUNCTION first_last_value(state first_last_state) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (state).value $$;
CREATE AGGREGATE first(double precision, timestamptz) (
  SFUNC = first_transition, STYPE = first_last_state, FINALFUNC = first_last_value);
CREATE AGGREGATE last(double precision, timestamptz) (
  SFUNC = last_transition, STYPE = first_last_state, FINALFUNC = first_last_value);

-- The lake's six schemas, applied by `tools/lake up` to the database `lake`
-- after CREATE EXTENSION lake_fdw and the server `lake` with the admin's
-- user mapping. Idempotent.
--
-- Native tables (user_data, imports, analytics, archive) live in
-- PostgreSQL; vectors (and, next, timeseries) are foreign tables on
-- lake-server.

SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS user_data;
CREATE SCHEMA IF NOT EXISTS imports;
CREATE SCHEMA IF NOT EXISTS analytics;
CREATE SCHEMA IF NOT EXISTS archive;
CREATE SCHEMA IF NOT EXISTS vectors;
CREATE SCHEMA IF NOT EXISTS timeseries;

-- user_data: one row per user; row-level security keeps each user to
-- their own rows (the application sets lake.user_id).
CREATE TABLE IF NOT EXISTS user_data.profiles (
  user_id bigint PRIMARY KEY,
  display_name text NOT NULL,
  email text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS user_data.preferences (
  user_id bigint NOT NULL REFERENCES user_data.profiles ON DELETE CASCADE,
  name text NOT NULL,
  value jsonb NOT NULL,
  PRIMARY KEY (user_id, name)
);
ALTER TABLE user_data.profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_data.preferences ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_rows ON user_data.profiles;
CREATE POLICY own_rows ON user_data.profiles
  USING (user_id = nullif(current_setting('lake.user_id', true), '')::bigint);
DROP POLICY IF EXISTS own_rows ON user_data.preferences;
CREATE POLICY own_rows ON user_data.preferences
  USING (user_id = nullif(current_setting('lake.user_id', true), '')::bigint);

-- imports: bulk import jobs (e.g. a Google Takeout archive) and what they
-- found wrong.
CREATE TABLE IF NOT EXISTS imports.jobs (
  job_id bigserial PRIMARY KEY,
  user_id bigint NOT NULL,
  source text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'done', 'failed')),
  rows_loaded bigint NOT NULL DEFAULT 0,
  started_at timestamptz,
  finished_at timestamptz
);
CREATE TABLE IF NOT EXISTS imports.errors (
  job_id bigint NOT NULL REFERENCES imports.jobs ON DELETE CASCADE,
  line bigint,
  message text NOT NULL
);

-- archive: compliance and access logs.
CREATE TABLE IF NOT EXISTS archive.access_log (
  at timestamptz NOT NULL DEFAULT now(),
  role name NOT NULL DEFAULT current_user,
  user_id bigint,
  action text NOT NULL,
  detail jsonb
);

-- vectors: the three standard collections (created on lake-server by
-- `tools/lake up` when missing).
CREATE FOREIGN TABLE IF NOT EXISTS vectors.text_embeddings (
  id bigint, user_id bigint, model_version int, embedding lake.vector(768), metadata jsonb,
  created_at timestamptz
) SERVER lake OPTIONS (collection 'text_embeddings');
CREATE FOREIGN TABLE IF NOT EXISTS vectors.image_embeddings (
  id bigint, user_id bigint, model_version int, embedding lake.vector(512), metadata jsonb,
  created_at timestamptz
) SERVER lake OPTIONS (collection 'image_embeddings');
CREATE FOREIGN TABLE IF NOT EXISTS vectors.audio_embeddings (
  id bigint, user_id bigint, model_version int, embedding lake.vector(192), metadata jsonb,
  created_at timestamptz
) SERVER lake OPTIONS (collection 'audio_embeddings');

-- timeseries: a row per point; user_id, metric, tags @> and ts ranges
-- choose the series and the time range in lake-server.
CREATE FOREIGN TABLE IF NOT EXISTS timeseries.metrics (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value double precision
) SERVER lake OPTIONS (series 'metrics');
CREATE FOREIGN TABLE IF NOT EXISTS timeseries.events (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value text
) SERVER lake OPTIONS (series 'events');
CREATE FOREIGN TABLE IF NOT EXISTS timeseries.states (
  user_id bigint, metric text, tags jsonb, ts timestamptz, value text
) SERVER lake OPTIONS (series 'states');

-- The rollups (1-minute, 1-hour, 1-day buckets per series, kept by the
-- engine as points arrive): a row per series and bucket.
CREATE FOREIGN TABLE IF NOT EXISTS timeseries.metrics_1m (
  user_id bigint, metric text, tags jsonb, bucket timestamptz, count bigint,
  sum double precision, min double precision, max double precision, avg double precision,
  first double precision, last double precision
) SERVER lake OPTIONS (series 'metrics', rollup '1 minute');
CREATE FOREIGN TABLE IF NOT EXISTS timeseries.metrics_1h (
  user_id bigint, metric text, tags jsonb, bucket timestamptz, count bigint,
  sum double precision, min double precision, max double precision, avg double precision,
  first double precision, last double precision
) SERVER lake OPTIONS (series 'metrics', rollup '1 hour');
CREATE FOREIGN TABLE IF NOT EXISTS timeseries.metrics_1d (
  user_id bigint, metric text, tags jsonb, bucket timestamptz, count bigint,
  sum double precision, min double precision, max double precision, avg double precision,
  first double precision, last double precision
) SERVER lake OPTIONS (series 'metrics', rollup '1 day');

-- analytics: views over the rest.
CREATE OR REPLACE VIEW analytics.import_summary AS
  SELECT user_id, source, count(*) AS jobs, sum(rows_loaded) AS rows_loaded,
         max(finished_at) AS last_finished
    FROM imports.jobs GROUP BY user_id, source;

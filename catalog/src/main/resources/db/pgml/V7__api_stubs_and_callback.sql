-- The API's functions as PostgreSQL objects (issue 15, item 6; docs/decisions/0026). Statements
-- sent through the sidecar never reach them: the sidecar serves every call it finds. They are for
-- what PostgreSQL evaluates on its own: views, generated columns, DEFAULTs, SQL and PL/pgSQL
-- functions, triggers, DO blocks, and clients connected to PostgreSQL directly.
--
-- * PostgresML's signatures, argument names, defaults, volatility and result columns, so the DDL
--   of PostgresML's guides is accepted as written (a generated column needs an IMMUTABLE
--   function) and `\df pgml.*` lists the API. PARALLEL RESTRICTED where PostgresML says SAFE:
--   a call back must come from the session's own process.
-- * Each stub calls the sidecar back over dblink when the database has a foreign server named
--   `pgml_sidecar` (README, "Calls PostgreSQL evaluates"): the call runs on the sidecar as the role
--   of the caller's user mapping, in the callback connection's own transaction.
-- * Without one, a call fails with SQLSTATE 0A000 naming the sidecar, with a hint on both remedies.
-- * A database with PostgresML's own extension installed keeps its functions: nothing is created.

-- Rows of `call` (a statement for the sidecar) read back over the session's dblink connection,
-- typed by `columns`. The connection is opened on first use and marks itself, so a call the sidecar
-- relayed back to PostgreSQL fails instead of calling back again; one lost since (the sidecar
-- restarted) is opened again once.
CREATE OR REPLACE FUNCTION pgml.sidecar_callback(function_name text, call text, columns text) RETURNS SETOF record
    LANGUAGE plpgsql VOLATILE
    AS $body$
DECLARE
    dblink_schema name;
    connected boolean;
    query text;
BEGIN
    IF current_setting('pgml_sidecar.in_callback', true) = 'on' THEN
        RAISE EXCEPTION USING ERRCODE = '0A000',
            MESSAGE = format('pgml-sidecar relayed %s() back to PostgreSQL instead of serving it', function_name),
            HINT = 'Run the statement through the sidecar''s port.';
    END IF;
    SELECT n.nspname INTO dblink_schema
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'dblink';
    IF dblink_schema IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server WHERE srvname = 'pgml_sidecar') THEN
        RAISE EXCEPTION USING ERRCODE = '0A000',
            MESSAGE = format('%s() is served by pgml-sidecar, not by PostgreSQL itself', function_name),
            HINT = 'Send the statement through the sidecar''s port, or let PostgreSQL call the sidecar back: '
                || 'CREATE EXTENSION dblink; CREATE SERVER pgml_sidecar FOREIGN DATA WRAPPER dblink_fdw '
                || 'OPTIONS (host ''<sidecar host>'', port ''<sidecar port>'', dbname ''<this database>''); '
                || 'CREATE USER MAPPING FOR <role> SERVER pgml_sidecar OPTIONS (user ''<role>'', password ''<password>'').';
    END IF;
    EXECUTE format('SELECT coalesce(%L = ANY (%I.dblink_get_connections()), false)', 'pgml_sidecar', dblink_schema)
       INTO connected;
    IF NOT connected THEN
        PERFORM pgml.sidecar_callback_connect(dblink_schema);
    END IF;
    query := format('SELECT * FROM %I.dblink(%L, %L) AS t(%s)', dblink_schema, 'pgml_sidecar', call, columns);
    BEGIN
        RETURN QUERY EXECUTE query;
    EXCEPTION WHEN connection_exception THEN
        EXECUTE format('SELECT %I.dblink_disconnect(%L)', dblink_schema, 'pgml_sidecar');
        PERFORM pgml.sidecar_callback_connect(dblink_schema);
        RETURN QUERY EXECUTE query;
    END;
END
$body$;

CREATE OR REPLACE FUNCTION pgml.sidecar_callback_connect(dblink_schema name) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $body$
BEGIN
    EXECUTE format('SELECT %I.dblink_connect(%L, %L)', dblink_schema, 'pgml_sidecar', 'pgml_sidecar');
    EXECUTE format('SELECT %I.dblink_exec(%L, %L)', dblink_schema, 'pgml_sidecar', 'SET pgml_sidecar.in_callback = on');
END
$body$;

DO $stubs$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pgml') THEN
        RETURN;
    END IF;

    CREATE OR REPLACE FUNCTION pgml.version() RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT r FROM pgml.sidecar_callback('pgml.version', 'SELECT pgml.version()', 'r text') AS t(r text) $fn$;

    -- predict: one overload per feature array type, as PostgresML
    CREATE OR REPLACE FUNCTION pgml.predict(project_name text, features real[]) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict',
            format('SELECT pgml.predict(%L, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict(project_name text, features double precision[]) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict',
            format('SELECT pgml.predict(%L, %L::double precision[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict(project_name text, features smallint[]) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict',
            format('SELECT pgml.predict(%L, %L::smallint[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict(project_name text, features integer[]) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict',
            format('SELECT pgml.predict(%L, %L::integer[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict(project_name text, features bigint[]) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict',
            format('SELECT pgml.predict(%L, %L::bigint[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict(project_name text, features boolean[]) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict',
            format('SELECT pgml.predict(%L, %L::boolean[])', $1, $2), 'r text') AS t(r text) $fn$;
    -- not in PostgresML (which has predict(text, anyelement)): ARRAY[1.5, 2.0] is numeric[], for which the
    -- overloads above would be ambiguous
    CREATE OR REPLACE FUNCTION pgml.predict(project_name text, features numeric[]) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict',
            format('SELECT pgml.predict(%L, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict(model_id bigint, features real[]) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict',
            format('SELECT pgml.predict(%s::bigint, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;

    CREATE OR REPLACE FUNCTION pgml.predict_proba(project_name text, features real[]) RETURNS real[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real[] FROM pgml.sidecar_callback('pgml.predict_proba',
            format('SELECT pgml.predict_proba(%L, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict_proba(model_id bigint, features real[]) RETURNS real[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real[] FROM pgml.sidecar_callback('pgml.predict_proba',
            format('SELECT pgml.predict_proba(%s::bigint, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict_joint(project_name text, features real[]) RETURNS real[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real[] FROM pgml.sidecar_callback('pgml.predict_joint',
            format('SELECT pgml.predict_joint(%L, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict_joint(model_id bigint, features real[]) RETURNS real[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real[] FROM pgml.sidecar_callback('pgml.predict_joint',
            format('SELECT pgml.predict_joint(%s::bigint, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.predict_batch(project_name text, features real[]) RETURNS SETOF real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real FROM pgml.sidecar_callback('pgml.predict_batch',
            format('SELECT * FROM pgml.predict_batch(%L, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;
    -- PostgresML's model-id overload returns an array, not a set
    CREATE OR REPLACE FUNCTION pgml.predict_batch(model_id bigint, features real[]) RETURNS real[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT array_agg(r::real) FROM pgml.sidecar_callback('pgml.predict_batch',
            format('SELECT * FROM pgml.predict_batch(%s::bigint, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.decompose(project_name text, vector real[]) RETURNS real[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
        AS $fn$ SELECT r::real[] FROM pgml.sidecar_callback('pgml.decompose',
            format('SELECT pgml.decompose(%L, %L::real[])', $1, $2), 'r text') AS t(r text) $fn$;

    CREATE OR REPLACE FUNCTION pgml.embed(transformer text, text text, kwargs jsonb DEFAULT '{}') RETURNS real[]
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT r::real[] FROM pgml.sidecar_callback('pgml.embed',
            format('SELECT pgml.embed(%L, %L, %L::jsonb)', $1, $2, $3), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.embed(transformer text, inputs text[], kwargs jsonb DEFAULT '{}') RETURNS SETOF real[]
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT r::real[] FROM pgml.sidecar_callback('pgml.embed',
            format('SELECT * FROM pgml.embed(%L, %L::text[], %L::jsonb)', $1, $2, $3), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.rank(transformer text, query text, documents text[], kwargs jsonb DEFAULT '{}')
        RETURNS TABLE (corpus_id bigint, score double precision, text text)
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.rank',
            format('SELECT * FROM pgml.rank(%L, %L, %L::text[], %L::jsonb)', $1, $2, $3, $4),
            'corpus_id bigint, score double precision, text text') AS t(corpus_id bigint, score double precision, text text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.chunk(splitter text, text text, kwargs jsonb DEFAULT '{}')
        RETURNS TABLE (chunk_index bigint, chunk text)
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.chunk',
            format('SELECT * FROM pgml.chunk(%L, %L, %L::jsonb)', $1, $2, $3),
            'chunk_index bigint, chunk text') AS t(chunk_index bigint, chunk text) $fn$;

    CREATE OR REPLACE FUNCTION pgml.transform(task jsonb, args jsonb DEFAULT '{}', inputs text[] DEFAULT ARRAY[]::text[],
            cache boolean DEFAULT false) RETURNS jsonb
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT r::jsonb FROM pgml.sidecar_callback('pgml.transform',
            format('SELECT pgml.transform(task => %L::jsonb, args => %L::jsonb, inputs => %L::text[], cache => %L::boolean)',
                $1, $2, $3, $4), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.transform(task text, args jsonb DEFAULT '{}', inputs text[] DEFAULT ARRAY[]::text[],
            cache boolean DEFAULT false) RETURNS jsonb
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT r::jsonb FROM pgml.sidecar_callback('pgml.transform',
            format('SELECT pgml.transform(task => %L, args => %L::jsonb, inputs => %L::text[], cache => %L::boolean)',
                $1, $2, $3, $4), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.generate(project_name text, inputs text, config jsonb DEFAULT '{}') RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT r FROM pgml.sidecar_callback('pgml.generate',
            format('SELECT pgml.generate(%L, %L, %L::jsonb)', $1, $2, $3), 'r text') AS t(r text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.generate(project_name text, inputs text[], config jsonb DEFAULT '{}') RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED
        AS $fn$ SELECT r::text[] FROM pgml.sidecar_callback('pgml.generate',
            format('SELECT pgml.generate(%L, %L::text[], %L::jsonb)', $1, $2, $3), 'r text') AS t(r text) $fn$;

    -- training and the registry: called back in the callback connection's own transaction
    CREATE OR REPLACE FUNCTION pgml.train(project_name text, task text DEFAULT NULL, relation_name text DEFAULT NULL,
            y_column_name text DEFAULT NULL, algorithm pgml.algorithm DEFAULT 'linear', hyperparams jsonb DEFAULT '{}',
            search pgml.search DEFAULT NULL, search_params jsonb DEFAULT '{}', search_args jsonb DEFAULT '{}',
            test_size real DEFAULT 0.25, test_sampling pgml.sampling DEFAULT 'stratified', runtime pgml.runtime DEFAULT NULL,
            automatic_deploy boolean DEFAULT true, materialize_snapshot boolean DEFAULT false, preprocess jsonb DEFAULT '{}')
        RETURNS TABLE (project text, task text, algorithm text, deployed boolean)
        LANGUAGE sql VOLATILE PARALLEL UNSAFE
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.train',
            format('SELECT * FROM pgml.train(%L, task => %L, relation_name => %L, y_column_name => %L, algorithm => %L, '
                || 'hyperparams => %L::jsonb, search => %L, search_params => %L::jsonb, search_args => %L::jsonb, '
                || 'test_size => %L::real, test_sampling => %L, runtime => %L, automatic_deploy => %L::boolean, '
                || 'materialize_snapshot => %L::boolean, preprocess => %L::jsonb)',
                $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15),
            'project text, task text, algorithm text, deployed boolean')
            AS t(project text, task text, algorithm text, deployed boolean) $fn$;
    CREATE OR REPLACE FUNCTION pgml.train_joint(project_name text, task text DEFAULT NULL, relation_name text DEFAULT NULL,
            y_column_name text[] DEFAULT NULL, algorithm pgml.algorithm DEFAULT 'linear', hyperparams jsonb DEFAULT '{}',
            search pgml.search DEFAULT NULL, search_params jsonb DEFAULT '{}', search_args jsonb DEFAULT '{}',
            test_size real DEFAULT 0.25, test_sampling pgml.sampling DEFAULT 'stratified', runtime pgml.runtime DEFAULT NULL,
            automatic_deploy boolean DEFAULT true, materialize_snapshot boolean DEFAULT false, preprocess jsonb DEFAULT '{}')
        RETURNS TABLE (project text, task text, algorithm text, deployed boolean)
        LANGUAGE sql VOLATILE PARALLEL UNSAFE
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.train_joint',
            format('SELECT * FROM pgml.train_joint(%L, task => %L, relation_name => %L, y_column_name => %L::text[], '
                || 'algorithm => %L, hyperparams => %L::jsonb, search => %L, search_params => %L::jsonb, '
                || 'search_args => %L::jsonb, test_size => %L::real, test_sampling => %L, runtime => %L, '
                || 'automatic_deploy => %L::boolean, materialize_snapshot => %L::boolean, preprocess => %L::jsonb)',
                $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15),
            'project text, task text, algorithm text, deployed boolean')
            AS t(project text, task text, algorithm text, deployed boolean) $fn$;
    CREATE OR REPLACE FUNCTION pgml.deploy(model_id bigint) RETURNS TABLE (project text, strategy text, algorithm text)
        LANGUAGE sql VOLATILE PARALLEL UNSAFE
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.deploy', format('SELECT * FROM pgml.deploy(%s::bigint)', $1),
            'project text, strategy text, algorithm text') AS t(project text, strategy text, algorithm text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.deploy(project_name text, strategy pgml.strategy, algorithm pgml.algorithm DEFAULT NULL)
        RETURNS TABLE (project text, strategy text, algorithm text)
        LANGUAGE sql VOLATILE PARALLEL UNSAFE
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.deploy',
            format('SELECT * FROM pgml.deploy(%L, %L, %L)', $1, $2, $3),
            'project text, strategy text, algorithm text') AS t(project text, strategy text, algorithm text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.snapshot(relation_name text, y_column_name text, test_size real DEFAULT 0.25,
            test_sampling pgml.sampling DEFAULT 'stratified', preprocess jsonb DEFAULT '{}')
        RETURNS TABLE (relation text, y_column_name text)
        LANGUAGE sql VOLATILE PARALLEL UNSAFE
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.snapshot',
            format('SELECT * FROM pgml.snapshot(%L, %L, test_size => %L::real, test_sampling => %L, preprocess => %L::jsonb)',
                $1, $2, $3, $4, $5), 'relation text, y_column_name text') AS t(relation text, y_column_name text) $fn$;
    CREATE OR REPLACE FUNCTION pgml.load_dataset(source text, subset text DEFAULT NULL, "limit" bigint DEFAULT NULL,
            kwargs jsonb DEFAULT '{}') RETURNS TABLE (table_name text, rows bigint)
        LANGUAGE sql VOLATILE PARALLEL UNSAFE
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.load_dataset',
            format('SELECT * FROM pgml.load_dataset(%L, subset => %L, "limit" => %L::bigint, kwargs => %L::jsonb)',
                $1, $2, $3, $4), 'table_name text, rows bigint') AS t(table_name text, rows bigint) $fn$;
    CREATE OR REPLACE FUNCTION pgml.tune(project_name text, task text DEFAULT NULL, relation_name text DEFAULT NULL,
            y_column_name text DEFAULT NULL, model_name text DEFAULT NULL, hyperparams jsonb DEFAULT '{}',
            test_size real DEFAULT 0.25, test_sampling pgml.sampling DEFAULT 'stratified',
            automatic_deploy boolean DEFAULT true, materialize_snapshot boolean DEFAULT false)
        RETURNS TABLE (status text, task text, algorithm text, deployed boolean)
        LANGUAGE sql VOLATILE PARALLEL UNSAFE
        AS $fn$ SELECT * FROM pgml.sidecar_callback('pgml.tune',
            format('SELECT * FROM pgml.tune(%L, task => %L, relation_name => %L, y_column_name => %L, model_name => %L, '
                || 'hyperparams => %L::jsonb, test_size => %L::real, test_sampling => %L, automatic_deploy => %L::boolean, '
                || 'materialize_snapshot => %L::boolean)', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10),
            'status text, task text, algorithm text, deployed boolean')
            AS t(status text, task text, algorithm text, deployed boolean) $fn$;
END
$stubs$;

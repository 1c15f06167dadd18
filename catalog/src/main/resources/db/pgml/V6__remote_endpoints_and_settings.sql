-- Settings of Azure's azure_ai extension (azure_ai.set_setting / get_setting), kept in the database
-- so every sidecar replica sees them. Values are encrypted by the sidecar (AES-GCM, key from its
-- configuration) before they reach PostgreSQL. Only members of azure_ai_settings_manager may read or
-- write the table, checked by PostgreSQL on the caller's own session.
CREATE SCHEMA IF NOT EXISTS azure_ai;
CREATE SCHEMA IF NOT EXISTS azure_ml;
GRANT USAGE ON SCHEMA azure_ai TO PUBLIC;
GRANT USAGE ON SCHEMA azure_ml TO PUBLIC;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'azure_ai_settings_manager') THEN
        CREATE ROLE azure_ai_settings_manager NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'could not create role azure_ai_settings_manager: %', SQLERRM;
END;
$$;

CREATE TABLE IF NOT EXISTS azure_ai.sidecar_settings (
    key TEXT PRIMARY KEY,
    value BYTEA NOT NULL,
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp(),
    updated_by NAME NOT NULL DEFAULT current_user
);
REVOKE ALL ON azure_ai.sidecar_settings FROM PUBLIC;

DO $$
BEGIN
    GRANT SELECT, INSERT, UPDATE, DELETE ON azure_ai.sidecar_settings TO azure_ai_settings_manager;
EXCEPTION WHEN undefined_object THEN
    RAISE WARNING 'role azure_ai_settings_manager is missing; only the table owner can manage settings';
END;
$$;

-- What azure_ml.invoke and remote models need on behalf of any caller: the encrypted value only,
-- which nobody without the sidecar's key can read.
CREATE OR REPLACE FUNCTION azure_ai.sidecar_encrypted_setting(setting_key text) RETURNS bytea
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT value FROM azure_ai.sidecar_settings WHERE key = setting_key $$;
REVOKE ALL ON FUNCTION azure_ai.sidecar_encrypted_setting(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION azure_ai.sidecar_encrypted_setting(text) TO PUBLIC;

-- Remote model endpoints usable by name wherever pgml.embed takes a model.
CREATE TABLE IF NOT EXISTS pgml.remote_models (
    name TEXT PRIMARY KEY,
    provider TEXT NOT NULL CHECK (provider IN ('openai', 'azure_openai', 'azure_ml', 'kserve')),
    url TEXT NOT NULL,
    model TEXT,
    deployment TEXT,
    api_version TEXT,
    key_setting TEXT,
    max_batch_size INTEGER NOT NULL DEFAULT 100 CHECK (max_batch_size > 0),
    max_concurrency INTEGER NOT NULL DEFAULT 16 CHECK (max_concurrency > 0),
    requests_per_second DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (requests_per_second >= 0),
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp()
);
GRANT SELECT ON pgml.remote_models TO PUBLIC;

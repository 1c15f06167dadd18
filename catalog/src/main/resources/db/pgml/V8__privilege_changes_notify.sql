-- Sidecars cache which model a project serves per login role (migration V5). GRANT and REVOKE on the
-- registry's tables, and row-level security policies, change who may read those answers without
-- touching a row, so they notify the same channel: every sidecar forgets its cached answers at commit
-- and the next predict asks PostgreSQL again on the caller's session (issue 18, decision 0029b).
-- Event triggers need a superuser; without one the five-minute expiry of the cache remains the bound.
-- Role membership (GRANT role TO role) fires no event trigger: that too is bounded by the expiry.
CREATE OR REPLACE FUNCTION pgml.sidecar_notify_privileges() RETURNS event_trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('pgml_sidecar_deployments', 'privileges');
END;
$$;

DO $$
BEGIN
    DROP EVENT TRIGGER IF EXISTS pgml_sidecar_privileges;
    CREATE EVENT TRIGGER pgml_sidecar_privileges ON ddl_command_end
        WHEN TAG IN ('GRANT', 'REVOKE', 'ALTER DEFAULT PRIVILEGES', 'CREATE POLICY', 'ALTER POLICY', 'DROP POLICY', 'ALTER TABLE')
        EXECUTE FUNCTION pgml.sidecar_notify_privileges();
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'pgml-sidecar: not a superuser, so GRANT/REVOKE do not reach the sidecars'' deployment cache at once (it expires within five minutes)';
END;
$$;

-- Sidecars cache which model each project serves; any change to the registry tables that decide it
-- (whoever makes it: pgml.deploy through any sidecar, a manual INSERT, a DELETE) notifies them at
-- commit so they forget the cached answers.
CREATE OR REPLACE FUNCTION pgml.sidecar_notify_deployments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('pgml_sidecar_deployments', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['deployments', 'projects', 'models'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON pgml.%I', t || '_sidecar_notify', t);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pgml.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION pgml.sidecar_notify_deployments()', t || '_sidecar_notify', t);
    END LOOP;
END;
$$;

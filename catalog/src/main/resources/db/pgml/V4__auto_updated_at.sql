-- pgml.auto_updated_at(tbl): PostgresML's helper that keeps a table's updated_at column current
-- with the pgml.set_updated_at() trigger function.
CREATE OR REPLACE FUNCTION pgml.auto_updated_at(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    bare_name text := (SELECT c.relname FROM pg_class c WHERE c.oid = tbl);
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', bare_name || '_auto_updated_at', tbl);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION pgml.set_updated_at()',
                   bare_name || '_auto_updated_at', tbl);
END;
$$;

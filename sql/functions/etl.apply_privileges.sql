-- etl.apply_privileges — Makes siyu_writer the owner of every schema, table, view, sequence and function of etl, …
-- requires: functions/dw.date_key_of.sql
--
-- siyu_writer owns every object of etl, staging, dw and kpi; bi_reader reads dw and kpi
-- (not dw.customer_identity.id_value) and nothing in etl or staging. Idempotent: 0008 calls
-- it first, and `siyu migrate` again after every migrate that applied anything, so neither
-- a migration nor a script needs to hand its objects over itself. Default privileges cover
-- tables and views created later in dw and kpi by the migrating role and by siyu_writer;
-- they are per database, like everything here.
CREATE OR REPLACE FUNCTION etl.apply_privileges() RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    writer oid := 'siyu_writer'::regrole;
    o      record;
BEGIN
    -- Ownership: schemas first (the new owner of a table needs CREATE on its schema).
    FOR o IN SELECT n.nspname
             FROM pg_namespace n
             WHERE n.nspname IN ('etl', 'staging', 'dw', 'kpi') AND n.nspowner <> writer
    LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO siyu_writer', o.nspname);
    END LOOP;

    -- Relations, partitions included, and standalone composite types (a function's row type);
    -- identity/serial sequences follow their table.
    FOR o IN SELECT n.nspname, c.relname, c.relkind
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('etl', 'staging', 'dw', 'kpi')
               AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
               AND c.relowner <> writer
               AND NOT (c.relkind = 'S' AND EXISTS (
                        SELECT FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
             ORDER BY c.oid
    LOOP
        EXECUTE format('ALTER %s %I.%I OWNER TO siyu_writer',
                       CASE o.relkind WHEN 'v' THEN 'VIEW'
                                      WHEN 'm' THEN 'MATERIALIZED VIEW'
                                      WHEN 'f' THEN 'FOREIGN TABLE'
                                      WHEN 'S' THEN 'SEQUENCE'
                                      WHEN 'c' THEN 'TYPE'
                                      ELSE 'TABLE' END,
                       o.nspname, o.relname);
    END LOOP;

    -- Functions and procedures (SECURITY DEFINER ones then run as siyu_writer).
    FOR o IN SELECT p.oid::regprocedure AS sig, p.prokind
             FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname IN ('etl', 'staging', 'dw', 'kpi') AND p.proowner <> writer
               AND p.prokind IN ('f', 'p')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO siyu_writer', o.sig);
    END LOOP;

    -- bi_reader: nothing in etl and staging.
    REVOKE ALL ON SCHEMA etl, staging FROM PUBLIC, bi_reader;
    REVOKE ALL ON ALL TABLES IN SCHEMA etl, staging FROM PUBLIC, bi_reader;
    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA etl FROM PUBLIC, bi_reader;

    -- bi_reader: reads dw and kpi.
    GRANT USAGE ON SCHEMA dw, kpi TO bi_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA dw, kpi TO bi_reader;

    -- ... except dw.customer_identity.id_value (phone hashes, buyer ids).
    REVOKE SELECT ON dw.customer_identity FROM PUBLIC, bi_reader;
    REVOKE SELECT (id_value) ON dw.customer_identity FROM PUBLIC, bi_reader;
    GRANT SELECT (id_type, platform, display_value, customer_key, first_seen_at)
        ON dw.customer_identity TO bi_reader;

    -- kpi views call dw.date_key_of(), so the reader must be allowed to execute it.
    REVOKE EXECUTE ON FUNCTION dw.date_key_of(timestamptz) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION dw.date_key_of(timestamptz) TO bi_reader;

    -- Tables and views created later in dw and kpi, by the migrating role or by the writer
    -- (e.g. new partitions made by etl.ensure_fact_partitions).
    ALTER DEFAULT PRIVILEGES IN SCHEMA dw, kpi GRANT SELECT ON TABLES TO bi_reader;
    ALTER DEFAULT PRIVILEGES FOR ROLE siyu_writer IN SCHEMA dw, kpi
        GRANT SELECT ON TABLES TO bi_reader;
    -- (Per-schema default privileges cannot take PUBLIC's EXECUTE on functions away;
    -- PUBLIC has no USAGE on etl, so etl functions stay unreachable anyway.)
END
$$;
COMMENT ON FUNCTION etl.apply_privileges() IS
    'Makes siyu_writer the owner of every schema, table, view, sequence and function of etl, staging, dw and kpi, and grants bi_reader SELECT on dw and kpi (column-restricted on dw.customer_identity, never id_value) and nothing on etl or staging; idempotent, run by the migrating role';

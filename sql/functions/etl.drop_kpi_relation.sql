-- etl.drop_kpi_relation — Drops a kpi materialized view, table or view, whichever the name is now (CASCADE)
--
-- A kpi/ script that turned a materialized view into a table that kpi.refresh() maintains
-- (sql/README.md) must drop either: the materialized view of a warehouse built before the
-- change, the table of one built after it. DROP MATERIALIZED VIEW IF EXISTS fails on a table.
-- The same for one that became a plain view on such tables (kpi.customer_value).
CREATE OR REPLACE FUNCTION etl.drop_kpi_relation(p_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning  -- not the NOTICEs of the cascade
AS $fn$
BEGIN
    CASE (SELECT relkind FROM pg_class WHERE oid = to_regclass(p_name))
        WHEN 'm' THEN EXECUTE format('DROP MATERIALIZED VIEW %s CASCADE', p_name);
        WHEN 'r' THEN EXECUTE format('DROP TABLE %s CASCADE', p_name);
        WHEN 'v' THEN EXECUTE format('DROP VIEW %s CASCADE', p_name);   -- one that became a plain view
        ELSE NULL;
    END CASE;
END
$fn$;
REVOKE ALL ON FUNCTION etl.drop_kpi_relation(text) FROM PUBLIC;
COMMENT ON FUNCTION etl.drop_kpi_relation(text) IS
  'Drops the materialized view, the table or the view p_name (CASCADE), whichever it is; nothing when it does not exist. '
  'For the kpi/ scripts of the materialized views that became tables kept by kpi.refresh() or views on them.';

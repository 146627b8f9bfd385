-- kpi.is_empty — Whether a table or materialized view has no rows (reads at most one)
CREATE OR REPLACE FUNCTION kpi.is_empty(p_relation regclass)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_empty boolean;
BEGIN
    EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s)', p_relation) INTO v_empty;
    RETURN v_empty;
END
$fn$;
COMMENT ON FUNCTION kpi.is_empty(regclass) IS
  'true when the table or materialized view p_relation has no rows (one row read at most): what kpi.refresh() and its helpers '
  'check before a first fill.';

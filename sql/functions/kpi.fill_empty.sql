-- kpi.fill_empty — Fills an empty kpi table from a query, its indexes built once the rows are in
-- requires: functions/kpi.is_empty.sql
--
-- A kept kpi table's first fill after a big load writes every row at once (kpi.qualifying_order:
-- 850k rows at 1M orders). Each row inserted into an indexed table is also a descent into
-- each index, a random one for a key the rows do not arrive sorted by, and a WAL record per
-- index entry: the indexes cost more than the rows (kpi.qualifying_order 5.2 s with its two,
-- 1.6 s without, 1.1 s to build both afterwards; docs/performance.md). So the indexes and the
-- constraints they back are dropped, the rows inserted, and both built again from their
-- definitions, under the same names. A constraint or index something depends on (a view that
-- groups by the key relies on it being unique) is kept and maintained row by row.
--
-- Dropping an index locks the table ACCESS EXCLUSIVE until the caller's transaction ends:
-- readers of the table (and of the views on it) wait instead of reading it empty. The caller
-- decides when that is worth it (kpi.refresh_by_customer: a first fill after a big load).
CREATE OR REPLACE FUNCTION kpi.fill_empty(p_table regclass, p_rows text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET maintenance_work_mem = '256MB'  -- each index sorted in memory (1.9M keys of kpi.customer_periods)
AS $fn$
DECLARE
    r       record;
    v_drop  text[] := '{}';
    v_build text[] := '{}';   -- in the order the indexes were created
    v_sql   text;
    v_n     bigint;
BEGIN
    IF NOT kpi.is_empty(p_table) THEN
        RAISE EXCEPTION 'kpi.fill_empty: % is not empty', p_table;
    END IF;
    FOR r IN
        SELECT i.indexrelid::regclass AS index_name, ic.relname AS index_relname, c.conname,
               pg_get_indexdef(i.indexrelid) AS index_def,
               CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' END AS constraint_kind
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
          LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
         WHERE i.indrelid = p_table
           -- a primary key or unique constraint is built again on its index (USING INDEX keeps
           -- the index's storage parameters, which the constraint's definition does not
           -- show); one that cannot be (deferrable, an exclusion) is kept
           AND (c.oid IS NULL OR (c.contype IN ('p', 'u') AND NOT c.condeferrable))
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE (d.refclassid, d.refobjid) IN (('pg_constraint'::regclass, c.oid),
                                                                 ('pg_class'::regclass, i.indexrelid))
                              AND d.deptype = 'n')
         ORDER BY i.indexrelid
    LOOP
        v_build := v_build || r.index_def;
        IF r.conname IS NULL THEN
            v_drop := v_drop || format('DROP INDEX %s', r.index_name);
        ELSE
            v_drop := v_drop || format('ALTER TABLE %s DROP CONSTRAINT %I', p_table, r.conname);
            v_build := v_build || format('ALTER TABLE %s ADD CONSTRAINT %I %s USING INDEX %I',
                                         p_table, r.conname, r.constraint_kind, r.index_relname);
        END IF;
    END LOOP;
    FOREACH v_sql IN ARRAY v_drop LOOP
        EXECUTE v_sql;
    END LOOP;
    EXECUTE format('INSERT INTO %s %s', p_table, p_rows);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    FOREACH v_sql IN ARRAY v_build LOOP
        EXECUTE v_sql;
    END LOOP;
    RETURN v_n;
END
$fn$;
REVOKE ALL ON FUNCTION kpi.fill_empty(regclass, text) FROM PUBLIC;
COMMENT ON FUNCTION kpi.fill_empty(regclass, text) IS
  'Fills the empty table p_table with the rows of the query p_rows (INSERT INTO p_table p_rows), its indexes and the '
  'constraints they back dropped first and built again afterwards from their definitions, under the same names (a '
  'constraint or index something depends on is kept). Locks the table ACCESS EXCLUSIVE until the transaction ends. Returns '
  'the rows inserted.';

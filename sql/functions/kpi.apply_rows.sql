-- kpi.apply_rows — Makes a kpi table's rows in a scope equal to freshly computed ones by a keyed diff
-- requires: functions/etl.probe_by_key.sql functions/kpi.is_empty.sql
--
-- The kpi tables that kpi.refresh() maintains instead of refreshing a materialized view
-- (kpi.qualifying_order) are brought up to date with this diff on their key, not rebuilt:
-- DELETE the rows of the scope that are no longer computed, UPDATE those whose columns
-- differ, INSERT the new ones. Readers are never locked out (row locks only, the old rows
-- stay visible until commit), and what did not change is not written. REFRESH …
-- CONCURRENTLY does the same diff, but first checks the new rows for duplicates by sorting
-- them twice on their whole-row image — most of its time on a big view (docs/performance.md).
-- The key may be several columns (p_key name[]: the per-period tables are keyed on their
-- period and scope); the one-column form below serves kpi.qualifying_order.
CREATE OR REPLACE FUNCTION kpi.apply_rows(p_target regclass, p_fresh regclass, p_key name[],
                                          p_scope regclass DEFAULT NULL, p_scope_key name DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_cols   text;
    v_fresh  text;
    v_old    text;
    v_scope  text := 'true';
    v_match  text;   -- n (fresh) and t (target) have the same key
    v_n      bigint;
    v_total  bigint := 0;
    v_probe  boolean;  -- few fresh rows against a big target: the diff goes by index probes
    v_probe_scope boolean := false;  -- … and so does the DELETE, by an index led by the scope key
BEGIN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
           string_agg('n.' || quote_ident(a.attname), ', ' ORDER BY a.attnum),
           string_agg('t.' || quote_ident(a.attname), ', ' ORDER BY a.attnum)
      INTO v_cols, v_fresh, v_old
      FROM pg_attribute a
     WHERE a.attrelid = p_target AND a.attnum > 0 AND NOT a.attisdropped;
    SELECT string_agg(format('n.%1$I = t.%1$I', k), ' AND ') INTO v_match FROM unnest(p_key) k;
    -- An empty target gets the fresh rows in one INSERT: nothing to compare with, and the
    -- anti-join below against a table whose statistics say empty (never analyzed with rows:
    -- a kpi table created on an empty warehouse, then the first load) is planned as a nested
    -- loop scanning the target once per fresh row, a target that grows as the INSERT writes
    -- it: quadratic (kpi.customer_rfm after a first load of 300k orders: 122 s, not 0.2).
    IF kpi.is_empty(p_target) THEN
        EXECUTE format('INSERT INTO %1$s (%2$s) SELECT %2$s FROM %3$s', p_target, v_cols, p_fresh);
        GET DIAGNOSTICS v_n = ROW_COUNT;
        RETURN v_n;
    END IF;
    -- the fresh rows were just written: without statistics the joins below could be planned
    -- as if there were none (a nested loop over thousands of them)
    EXECUTE format('ANALYZE %s', p_fresh);
    IF p_scope IS NOT NULL THEN
        EXECUTE format('ANALYZE %s', p_scope);
        v_scope := format('t.%1$I IN (SELECT s.%1$I FROM %2$s s)', p_scope_key, p_scope);
    END IF;
    -- A nightly's fresh rows are a few per cent of the target: hashing the whole target (the
    -- planner's choice) makes the diff cost what the table is, index probes what changed
    -- (etl.probe_by_key; the target's statistics are fresh: kpi.refresh() analyzes each
    -- table after its refresh). The fresh rows get an index on the key for the DELETE's
    -- anti-join: a nested loop between two tables without one would be quadratic.
    v_probe := (SELECT reltuples FROM pg_class WHERE oid = p_fresh) * 10
               < (SELECT reltuples FROM pg_class WHERE oid = p_target);
    IF v_probe THEN
        EXECUTE format('CREATE INDEX ON %s (%s)', p_fresh,
                       (SELECT string_agg(quote_ident(k), ', ') FROM unnest(p_key) k));
        v_probe_scope := p_scope IS NOT NULL AND EXISTS (
            SELECT 1 FROM pg_index i
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = p_target AND a.attname = p_scope_key);
    END IF;

    PERFORM etl.probe_by_key(v_probe_scope);
    EXECUTE format('DELETE FROM %1$s t WHERE %2$s AND NOT EXISTS (SELECT 1 FROM %3$s n WHERE %4$s)',
                   p_target, v_scope, p_fresh, v_match);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_total := v_total + v_n;
    PERFORM etl.probe_by_key(v_probe);
    EXECUTE format('UPDATE %1$s t SET (%2$s) = ROW(%3$s) FROM %4$s n WHERE %5$s '
                   'AND ROW(%6$s) IS DISTINCT FROM ROW(%3$s)',
                   p_target, v_cols, v_fresh, p_fresh, v_match, v_old);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_total := v_total + v_n;
    EXECUTE format('INSERT INTO %1$s (%2$s) SELECT %3$s FROM %4$s n '
                   'WHERE NOT EXISTS (SELECT 1 FROM %1$s t WHERE %5$s)',
                   p_target, v_cols, v_fresh, p_fresh, v_match);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    PERFORM etl.probe_by_key(false);
    RETURN v_total + v_n;
END
$fn$;
REVOKE ALL ON FUNCTION kpi.apply_rows(regclass, regclass, name[], regclass, name) FROM PUBLIC;
COMMENT ON FUNCTION kpi.apply_rows(regclass, regclass, name[], regclass, name) IS
  'Keyed diff used by kpi.refresh() for the kpi tables it maintains: makes the rows of p_target in a scope equal to the '
  'rows of p_fresh (same columns), matched on the unique key p_key (its columns, not null) — deletes the scope''s rows p_fresh lacks, updates '
  'those whose columns differ, inserts the new ones (all of them, in one INSERT, when the target is empty). The scope is the '
  'rows whose p_scope_key is in table p_scope, or the whole table when p_scope is NULL. Returns the number of rows deleted, '
  'updated and inserted.';

CREATE OR REPLACE FUNCTION kpi.apply_rows(p_target regclass, p_fresh regclass, p_key name,
                                          p_scope regclass DEFAULT NULL, p_scope_key name DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
BEGIN ATOMIC
    SELECT kpi.apply_rows(p_target, p_fresh, ARRAY[p_key], p_scope, p_scope_key);
END;
REVOKE ALL ON FUNCTION kpi.apply_rows(regclass, regclass, name, regclass, name) FROM PUBLIC;
COMMENT ON FUNCTION kpi.apply_rows(regclass, regclass, name, regclass, name) IS
  'kpi.apply_rows(p_target, p_fresh, ARRAY[p_key], p_scope, p_scope_key): the keyed diff on one unique column.';

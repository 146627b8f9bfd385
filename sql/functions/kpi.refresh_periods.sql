-- kpi.refresh_periods — Brings a per-period kpi table up to date for the periods a change touched
-- requires: functions/kpi.apply_rows.sql functions/kpi.touched_periods.sql functions/dw.date_of_key.sql
--
-- The per-period aggregates (kpi.sales_daily, kpi.sales_monthly, ...) are tables that
-- kpi.refresh() maintains instead of materialized views (sql/README.md): each T has
-- kpi.T_of(periods), its rows for some periods (a period named by the date key yyyymmdd of
-- its first day; all periods when NULL), and kpi.T_refresh(), which calls this with the
-- business dates of payment of the orders changed since its last refresh. A period's rows
-- depend only on the orders of that period (and the end of observation), so the periods
-- kpi.touched_periods names are computed again and written as a keyed diff (kpi.apply_rows)
-- scoped to them — a period that no longer has rows loses them — and the others stay.
CREATE OR REPLACE FUNCTION kpi.refresh_periods(p_target regclass, p_key name[], p_grain text, p_dates date[])
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning  -- not the NOTICEs of DROP TABLE IF EXISTS
AS $fn$
DECLARE
    v_of      text := (SELECT format('kpi.%I', c.relname || '_of') FROM pg_class c WHERE c.oid = p_target);
    v_period  name := p_key[cardinality(p_key)];
    v_scope_cols text := (SELECT string_agg(quote_ident(c), ', ') FROM unnest(p_key[:cardinality(p_key) - 1]) c);
    v_scope   text := (SELECT string_agg(format('n.%1$I = t.%1$I', c), ' AND ') FROM unnest(p_key[:cardinality(p_key) - 1]) c);
    v_periods bigint[];
    v_moved   boolean;
    v_most    boolean;  -- the change touched most of the periods stored
BEGIN
    -- One refresh at a time, as REFRESH … CONCURRENTLY takes it: two diffs at once would both
    -- insert the same new rows. Readers (ACCESS SHARE) are not blocked.
    EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', p_target);
    DROP TABLE IF EXISTS period_fresh, period_scope;
    EXECUTE format('CREATE TEMP TABLE period_fresh ON COMMIT DROP AS SELECT * FROM %s LIMIT 0', p_target);
    v_periods := kpi.touched_periods(p_target, v_period, p_grain, p_dates);
    IF v_periods IS NOT NULL THEN
        -- (the period list goes in as an EXECUTE parameter: planned as a constant)
        EXECUTE format('CREATE TEMP TABLE period_scope ON COMMIT DROP AS '
                       'SELECT dw.date_of_key(k) AS %I '
                       '  FROM unnest($1) k', v_period) USING v_periods;
        -- When the change names most of the periods the table holds (a nightly's changed
        -- orders spread over the whole history), computing every period and keeping those of
        -- the scope costs less than asking for them (the span, its filters, the scopes'
        -- earlier rows): 1.25 → 0.9 s for kpi.sales_daily at 1M orders. T_of(NULL)
        -- restricted to some periods is T_of of them, by contract.
        EXECUTE format('SELECT cardinality($1) * 2 > count(DISTINCT %I) FROM %s', v_period, p_target)
           USING v_periods INTO v_most;
        IF v_most THEN
            EXECUTE format('INSERT INTO period_fresh SELECT n.* FROM %s(NULL) n JOIN period_scope USING (%I)',
                           v_of, v_period);
        ELSE
            EXECUTE format('INSERT INTO period_fresh SELECT * FROM %s($1)', v_of) USING v_periods;
        END IF;
        -- A scope runs from its first period: one that appeared (a new shop's first sale), or
        -- whose first period moved earlier (a computed row before it) or later (its first
        -- period touched and no longer computed), gains or loses the rows of periods nothing
        -- touched. Then every period is computed again.
        EXECUTE format($q$
            WITH firsts AS (SELECT %1$s, min(%2$I) AS first FROM %3$s GROUP BY %1$s)
            SELECT EXISTS (SELECT 1 FROM period_fresh n LEFT JOIN firsts t ON %4$s
                            WHERE t.first IS NULL OR n.%2$I < t.first)
                OR EXISTS (SELECT 1 FROM firsts t JOIN period_scope s ON s.%2$I = t.first
                            WHERE NOT EXISTS (SELECT 1 FROM period_fresh n WHERE %4$s AND n.%2$I = t.first))
            $q$, v_scope_cols, v_period, p_target, v_scope) INTO v_moved;
        IF NOT v_moved THEN
            PERFORM kpi.apply_rows(p_target, 'period_fresh', p_key, 'period_scope', v_period);
            RETURN 'incremental';
        END IF;
        TRUNCATE period_fresh;
    END IF;
    EXECUTE format('INSERT INTO period_fresh SELECT * FROM %s(NULL)', v_of);
    PERFORM kpi.apply_rows(p_target, 'period_fresh', p_key);
    RETURN 'full';
END
$fn$;
REVOKE ALL ON FUNCTION kpi.refresh_periods(regclass, name[], text, date[]) FROM PUBLIC;
COMMENT ON FUNCTION kpi.refresh_periods(regclass, name[], text, date[]) IS
  'Brings the per-period kpi table p_target (unique key p_key: the columns naming a scope, then the date column of the period''s '
  'first day; periods of grain p_grain) up to date after the orders paid on the business dates p_dates changed: computes '
  'again the rows of the periods kpi.touched_periods names with kpi.<table>_of(periods) and writes the difference to those '
  'periods'' rows (kpi.apply_rows): method ''incremental''. Every period (method ''full'') when kpi.touched_periods says so '
  '(p_dates NULL, the table empty) or a scope''s first period moved (or a scope appeared). Holds an EXCLUSIVE lock on the table '
  '(readers are not blocked, a second refresh waits).';

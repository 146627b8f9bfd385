-- kpi.refresh_by_customer — Brings a kpi table kept per customer up to date: the changed customers' rows recomputed, the difference written
-- requires: functions/kpi.change_claim.sql functions/kpi.changed_customers.sql functions/kpi.apply_rows.sql
-- requires: functions/kpi.fill_empty.sql functions/kpi.big_change_window.sql functions/kpi.is_empty.sql
--
-- The one refresh of the kpi tables that kpi.refresh() maintains instead of materialized
-- views, whose rows depend only on each customer's qualifying orders (kpi.qualifying_order,
-- kpi.customer_orders, kpi.first_purchase): a table T with its rows' function
-- kpi.T_of(bigint[]) (the rows of some customers, all when NULL) and a column customer_key.
-- Claims T's window of the change record (kpi.change_claim, in the caller's transaction),
-- recomputes the customers kpi.changed_customers names plus p_extra (what the change record
-- cannot know, e.g. private-domain flags) and writes the difference on p_key
-- (kpi.apply_rows). An empty table is filled in one INSERT; a table without a mark (the
-- facts were truncated, no orders before or now) is recomputed whole and diffed: method
-- 'full'. Holds an EXCLUSIVE lock on T (readers are not blocked; a second refresh waits):
-- two diffs at once would both insert the same new rows. The key may be several columns
-- (kpi.customer_periods: customer and period); the one-column form below serves the others.
CREATE OR REPLACE FUNCTION kpi.refresh_by_customer(p_table regclass, p_key name[], p_extra bigint[] DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning  -- not the NOTICEs of DROP TABLE IF EXISTS
AS $fn$
DECLARE
    w       record;
    v_of    text := format('kpi.%I', (SELECT relname FROM pg_class WHERE oid = p_table) || '_of');
    v_keys  bigint[];
BEGIN
    EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', p_table);
    SELECT * INTO w FROM kpi.change_claim(p_table::text);
    DROP TABLE IF EXISTS rc_touched, rc_fresh;
    EXECUTE format('CREATE TEMP TABLE rc_fresh ON COMMIT DROP AS SELECT * FROM %s LIMIT 0', p_table);
    IF kpi.is_empty(p_table) THEN
        -- nothing to compare with (and its statistics may say empty: an anti-join against
        -- it would be planned as a scan of the growing table per row). After a big load (its
        -- changes are this window) the rows go in before the indexes are built: readers of
        -- the table wait for this transaction instead of reading it empty.
        IF kpi.big_change_window(w.since_change, w.until_change) THEN
            PERFORM kpi.fill_empty(p_table, format('SELECT * FROM %s(NULL)', v_of));
        ELSE
            EXECUTE format('INSERT INTO %s SELECT * FROM %s(NULL)', p_table, v_of);
        END IF;
        RETURN 'full';
    END IF;
    IF w.since_change IS NULL OR (w.since_end IS NULL) <> (w.until_end IS NULL) THEN
        EXECUTE format('INSERT INTO rc_fresh SELECT * FROM %s(NULL)', v_of);
        PERFORM kpi.apply_rows(p_table, 'rc_fresh', p_key);
        RETURN 'full';
    END IF;
    CREATE TEMP TABLE rc_touched ON COMMIT DROP AS
    SELECT kpi.changed_customers(w.since_change, w.until_change, w.since_end, w.until_end) AS customer_key
    UNION
    SELECT unnest(p_extra);
    SELECT array_agg(customer_key) INTO v_keys FROM rc_touched;
    IF v_keys IS NOT NULL THEN
        -- the key list as a parameter: planned as a constant, a long list is hashed
        EXECUTE format('INSERT INTO rc_fresh SELECT * FROM %s($1)', v_of) USING v_keys;
        PERFORM kpi.apply_rows(p_table, 'rc_fresh', p_key, 'rc_touched', 'customer_key');
    END IF;
    RETURN 'incremental';
END
$fn$;
REVOKE ALL ON FUNCTION kpi.refresh_by_customer(regclass, name[], bigint[]) FROM PUBLIC;
COMMENT ON FUNCTION kpi.refresh_by_customer(regclass, name[], bigint[]) IS
  'Brings a kpi table kept per customer (rows from kpi.T_of(bigint[]), a customer_key column) up to date for kpi.refresh(): '
  'recomputes the customers whose qualifying orders changed since its mark in the change record (kpi.change_claim, '
  'kpi.changed_customers) and those in p_extra, and writes the difference on the key columns p_key (kpi.apply_rows), holding an '
  'EXCLUSIVE lock on the table. All rows when the table is empty or has no mark (method ''full''). Returns ''incremental'' or ''full''.';

CREATE OR REPLACE FUNCTION kpi.refresh_by_customer(p_table regclass, p_key name, p_extra bigint[] DEFAULT NULL)
RETURNS text
LANGUAGE sql
BEGIN ATOMIC
    SELECT kpi.refresh_by_customer(p_table, ARRAY[p_key], p_extra);
END;
REVOKE ALL ON FUNCTION kpi.refresh_by_customer(regclass, name, bigint[]) FROM PUBLIC;
COMMENT ON FUNCTION kpi.refresh_by_customer(regclass, name, bigint[]) IS
  'kpi.refresh_by_customer(p_table, ARRAY[p_key], p_extra): the refresh of a kpi table kept per customer, keyed on one column.';

-- kpi.fact_change_record — Records in etl.fact_change the customers and payment dates every statement on dw.fact_order wrote
-- requires: functions/dw.date_key_of.sql
--
-- The change record of the incremental KPI refresh (docs/performance.md, "The change
-- record"). Statement triggers with transition tables, not hooks in the writers: every
-- writer of the facts is recorded — etl.merge_orders (an updated order is deleted and
-- inserted again: its old customer and date come from the delete), dw.merge_customers (an
-- order moved to the surviving customer: the old and the new customer), the resequences, a
-- migration, a test fixture editing rows by hand — and none can forget to say what it
-- changed. One row per distinct (customer_key, paid_date_key) of the rows a statement
-- touched, old values and new, under one change_id per statement: a nightly merge of 40k
-- orders writes about 80k rows, a full load one per order. The change_id is taken inside
-- the INSERT, after its lock on etl.fact_change: kpi.change_claim's lock then guarantees
-- that every change_id up to the sequence's last value is committed or gone.
-- paid_date_key as kpi.qualifying_fact reads it (computed from paid_at on the rows of old
-- versions that lack it). A TRUNCATE of the facts deletes every consumer's mark: each
-- refreshes in full next time. Writes into a partition directly (not through
-- dw.fact_order) are not recorded: no siyu code does that.
CREATE OR REPLACE FUNCTION kpi.fact_change_record()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM etl.change_mark;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO etl.fact_change (change_id, customer_key, paid_date_key)
        SELECT (SELECT nextval('etl.fact_change_id')), customer_key, paid_date_key
          FROM (SELECT DISTINCT customer_key, coalesce(paid_date_key, dw.date_key_of(paid_at)) AS paid_date_key
                  FROM new_rows) n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO etl.fact_change (change_id, customer_key, paid_date_key)
        SELECT (SELECT nextval('etl.fact_change_id')), customer_key, paid_date_key
          FROM (SELECT DISTINCT customer_key, coalesce(paid_date_key, dw.date_key_of(paid_at)) AS paid_date_key
                  FROM old_rows) o;
    ELSE  -- UPDATE: the old values and the new
        INSERT INTO etl.fact_change (change_id, customer_key, paid_date_key)
        SELECT (SELECT nextval('etl.fact_change_id')), customer_key, paid_date_key
          FROM (SELECT customer_key, coalesce(paid_date_key, dw.date_key_of(paid_at)) AS paid_date_key FROM old_rows
                UNION
                SELECT customer_key, coalesce(paid_date_key, dw.date_key_of(paid_at)) FROM new_rows) u;
    END IF;
    RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION kpi.fact_change_record() FROM PUBLIC;
COMMENT ON FUNCTION kpi.fact_change_record() IS
  'Trigger function of dw.fact_order (statement level, transition tables): records in etl.fact_change, under one new '
  'change_id, the distinct (customer_key, paid_date_key) of the rows the statement inserted, deleted or updated (old and '
  'new values); on TRUNCATE deletes every etl.change_mark, so that every consumer refreshes in full.';

CREATE OR REPLACE TRIGGER fact_order_change_insert AFTER INSERT ON dw.fact_order
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.fact_change_record();
CREATE OR REPLACE TRIGGER fact_order_change_update AFTER UPDATE ON dw.fact_order
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.fact_change_record();
CREATE OR REPLACE TRIGGER fact_order_change_delete AFTER DELETE ON dw.fact_order
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.fact_change_record();
CREATE OR REPLACE TRIGGER fact_order_change_truncate AFTER TRUNCATE ON dw.fact_order
    FOR EACH STATEMENT EXECUTE FUNCTION kpi.fact_change_record();

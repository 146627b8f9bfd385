-- 120_kpi_incremental.sql — kpi.refresh() keeps kpi.qualifying_order (and the per-customer tables
-- built on it: kpi.customer_orders, kpi.customer_rfm, kpi.first_purchase, kpi.customer_periods) by recomputing only
-- the customers whose orders changed (kpi.refresh_by_customer), as the change record
-- (etl.fact_change, written by triggers on dw.fact_order; read through kpi.change_claim) names
-- them. After every kind of change a nightly run makes, every table must equal a recomputation
-- from scratch row for row: a change the detection misses leaves a stale row here and fails
-- the step that made it. Then the change record itself: what it names, and that a consumer
-- that did not run, a refresh that rolled back, or a truncate of the facts loses nothing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(73);

\ir 100_kpi_fixture.psql

-- rows of the kpi tables kpi.refresh() maintains (kpi.qualifying_order, kpi.customer_orders,
-- kpi.customer_rfm, kpi.first_purchase, kpi.customer_periods: every table T with a kpi.T_refresh()) that a
-- recomputation from scratch (kpi.T_of(NULL)) does not give, plus the reverse (EXCEPT ALL:
-- duplicates count); kpi.customer_value and kpi.at_risk are computed from them
CREATE FUNCTION pg_temp.stale_rows() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t text;
    n bigint;
    total bigint := 0;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'kpi'::regnamespace AND c.relkind = 'r'
                AND to_regprocedure(format('kpi.%I()', c.relname || '_refresh')) IS NOT NULL LOOP
        EXECUTE format('SELECT (SELECT count(*) FROM (SELECT * FROM kpi.%1$I EXCEPT ALL SELECT * FROM kpi.%2$I(NULL)) a)
                             + (SELECT count(*) FROM (SELECT * FROM kpi.%2$I(NULL) EXCEPT ALL SELECT * FROM kpi.%1$I) b)',
                       t, t || '_of') INTO n;
        IF n > 0 THEN
            RAISE NOTICE 'stale: kpi.% (% rows)', t, n;
        END IF;
        total := total + n;
    END LOOP;
    RETURN total;
END
$$;
SELECT is((SELECT count(*) FROM pg_class WHERE relnamespace = 'kpi'::regnamespace AND relkind = 'r'
              AND relname IN ('qualifying_order', 'customer_orders', 'customer_rfm', 'first_purchase', 'customer_periods')), 5::bigint,
          'the tables compared after every step are there');
-- kpi.refresh(), then the method it used for the table
CREATE FUNCTION pg_temp.refresh() RETURNS text LANGUAGE sql AS $$
    SELECT method FROM kpi.refresh() WHERE matview = 'kpi.qualifying_order'
$$;
CREATE FUNCTION pg_temp.add_order(p_key bigint, p_customer bigint, p_paid timestamptz, p_fen bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO dw.order_identity (order_key, channel_key, order_no, created_at, source_version) OVERRIDING SYSTEM VALUE
    VALUES (p_key, 1, 'N' || p_key, p_paid, p_paid);
    INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status, order_date_key, paid_date_key,
                               gross_fen, discount_fen, shipping_fen, paid_fen, refund_fen, item_count, line_count,
                               is_qualifying, order_seq, is_first_order, source_version, run_id)
    VALUES (p_key, p_paid, p_customer, 1, p_paid, 'paid', dw.date_key_of(p_paid), dw.date_key_of(p_paid),
            p_fen, 0, 0, p_fen, 0, 1, 1, true, NULL, false, p_paid, 1);
$$;

SELECT is(pg_temp.refresh(), 'full', 'the first refresh fills the empty table from scratch');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and it equals the recomputation');
SELECT is(pg_temp.refresh(), 'incremental', 'a refresh without changes is incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and changes nothing');
SELECT ok(EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'ExclusiveLock'
                     AND relation = 'kpi.qualifying_order'::regclass),
          'the refresh holds an EXCLUSIVE lock on the table until commit: a second refresh waits, readers do not');

-- the changes no consumer has read yet (after the least mark), as "customer/date" texts
CREATE FUNCTION pg_temp.unread() RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(x ORDER BY x)
      FROM (SELECT DISTINCT coalesce(customer_key::text, 'guest') || '/' || coalesce(paid_date_key::text, 'unpaid') AS x
              FROM etl.fact_change WHERE change_id > (SELECT min(change_id) FROM etl.change_mark)) c
$$;
SELECT is(pg_temp.unread(), NULL, 'the change record: nothing unread after a refresh (kpi.refresh() pruned what was read)');

-- 1. a customer merge (C9 → C1 through a shared unionid: O3 moves, C9 is deleted)
\ir 100_kpi_fixture_merge.psql
SELECT is(pg_temp.unread(), '{1/20240210,9/20240210}', 'merge: the change record names the old customer and the new');
SELECT is(pg_temp.refresh(), 'incremental', 'merge: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, 'merge: C1 owns O1–O3, C9 is gone, as recomputed');
SELECT results_eq($$SELECT order_key, order_seq FROM kpi.qualifying_order WHERE customer_key = 1 ORDER BY 2$$,
                  $$VALUES (1::bigint, 1), (2, 2), (3, 3)$$, 'merge: O3 is C1''s third order');

-- 2. a new order before C6's first one: O9 becomes C6's second order
SELECT pg_temp.add_order(101, 6, '2024-03-01 09:00+08', 3300);
SELECT is(pg_temp.refresh(), 'incremental', 'new order: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, 'new order: inserted, and the later order renumbered');

-- 3. a changed order (new amount) and 4. a partial refund
UPDATE dw.fact_order SET paid_fen = 9800, gross_fen = 9800 WHERE order_key = 10;
UPDATE dw.fact_order SET refund_fen = 500 WHERE order_key = 13;
SELECT is(pg_temp.refresh(), 'incremental', 'changed amounts: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, 'changed amount and partial refund are in the rows');

-- 5. a full refund: O12 leaves the qualifying set, O13 becomes C7's first order
UPDATE dw.fact_order SET status = 'refunded', refund_fen = paid_fen, is_qualifying = false WHERE order_key = 12;
SELECT is(pg_temp.refresh(), 'incremental', 'full refund: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, 'full refund: the order is deleted, the next one renumbered');

-- 6. an order moving to another customer (O14: C5 → C6): both customers change
UPDATE dw.fact_order SET customer_key = 6 WHERE order_key = 14;
SELECT is(pg_temp.unread(), (SELECT ARRAY['5/' || paid_date_key, '6/' || paid_date_key] FROM dw.fact_order WHERE order_key = 14),
          'order moved: the change record names both customers on the order''s date');
SELECT is(pg_temp.refresh(), 'incremental', 'order moved: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, 'order moved: the new customer has it, the old one no more');

-- 6b. an order reloaded the way etl.merge_orders updates one — deleted and inserted again —,
--     now with another buyer (O4: C2 → C8): the delete names the old customer, whose O5
--     becomes the first order
CREATE TEMP TABLE reloaded AS SELECT * FROM dw.fact_order WHERE order_key = 4;
UPDATE reloaded SET customer_key = 8;
DELETE FROM dw.fact_order WHERE order_key = 4;
INSERT INTO dw.fact_order SELECT * FROM reloaded;
SELECT is(pg_temp.refresh(), 'incremental', 'order reloaded for another buyer: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, 'order reloaded for another buyer: C8 has it, C2 no more and O5 is its first order');

-- 7. the end of observation moves: an order paid after it is left out until it covers it, and
--    again when it moves back
SELECT pg_temp.add_order(102, 2, '2024-07-05 10:00+08', 4400);
SELECT is(pg_temp.refresh(), 'incremental', 'order after the end of observation: incremental');
SELECT is((SELECT count(*) FROM kpi.qualifying_order WHERE order_key = 102), 0::bigint,
          '… and it is not there');
UPDATE etl.watermark SET value = '2024-07-31 12:00+08' WHERE entity = 'orders';
SELECT is(pg_temp.refresh(), 'incremental', 'end of observation moved on: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, 'end of observation moved on: the order it now covers is in');
UPDATE etl.watermark SET value = '2024-06-30 12:00+08' WHERE entity = 'orders';
SELECT is(pg_temp.refresh(), 'incremental', 'end of observation moved back: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, 'end of observation moved back: the order is out again');

-- 8. the private domain: C6 is added by S2 on 02-01 (O9 and the new O101 were paid inside it),
--    then the relationship is gone again (both back outside)
INSERT INTO dw.fact_contact (contact_key, staff_key, customer_key, added_at, add_way, state, removed_at, removed_by)
OVERRIDING SYSTEM VALUE VALUES (99, 2, 6, '2024-02-01 09:00+08', 1, 'shop', NULL, NULL);
INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key, time_is_exact, removed_by, origin)
VALUES (2, 6, 'add', '2024-02-01 09:00+08', 20240201, true, NULL, 'snapshot');
SELECT is(pg_temp.refresh(), 'incremental', 'customer enters the private domain: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and the flags of their orders follow');
SELECT ok((SELECT bool_and(in_private_domain) FROM kpi.qualifying_order WHERE customer_key = 6),
          '… C6''s orders are all in the private domain now');
DELETE FROM dw.fact_contact_event WHERE customer_key = 6;
DELETE FROM dw.fact_contact WHERE contact_key = 99;
SELECT is(pg_temp.refresh(), 'incremental', 'customer leaves the pool again: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and the flags follow back');

-- 8a. WeCom interactions alone (no order changes, so the change record names nobody): C3 joins
--     G1 on 03-12 and C7 ends their relationship on 03-14 (a customer-side delete), both days
--     without any other interaction; then both facts are gone again
INSERT INTO dw.fact_group_member (group_key, member_type, customer_key, staff_key, joined_at, join_scene, left_at)
VALUES (1, 'customer', 3, NULL, '2024-03-12 12:00+08', 1, NULL);
INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key, time_is_exact, removed_by, origin)
VALUES (1, 7, 'remove', '2024-03-14 15:00+08', 20240314, true, 'customer', 'callback');
SELECT is(pg_temp.refresh(), 'incremental', 'a group join and a customer-side delete: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and the interaction days and their sums equal their recomputation');
SELECT results_eq($$SELECT date_key, dau FROM kpi.active_customers WHERE date_key IN (20240312, 20240314) ORDER BY 1$$,
                  $$VALUES (20240312, 1::bigint), (20240314, 1::bigint)$$,
                  '… and kpi.active_customers counts C3 on 03-12 and C7 on 03-14');
DELETE FROM dw.fact_group_member WHERE customer_key = 3 AND joined_at = '2024-03-12 12:00+08';
DELETE FROM dw.fact_contact_event WHERE customer_key = 7 AND event_type = 'remove';
SELECT is(pg_temp.refresh(), 'incremental', 'both facts gone: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and the days are gone from the kept rows and their sums');
SELECT results_eq($$SELECT date_key, dau FROM kpi.active_customers WHERE date_key IN (20240312, 20240314) ORDER BY 1$$,
                  $$VALUES (20240312, 0::bigint), (20240314, 0::bigint)$$,
                  '… and from kpi.active_customers');

-- 8b. the sales tables (kpi.refresh_periods) read the change record too: only the dates it
--     names are computed again; a shop renamed is on every row of its scope, and
--     dw.dim_channel is not in the record, so every period is
CREATE FUNCTION pg_temp.sales_methods() RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(matview || ' ' || method, ', ' ORDER BY matview) FROM kpi.refresh()
     WHERE matview IN ('kpi.sales_daily', 'kpi.sales_monthly')
$$;
UPDATE dw.fact_order SET refund_fen = 500 WHERE order_key = 13;
SELECT is(pg_temp.sales_methods(), 'kpi.sales_daily incremental, kpi.sales_monthly incremental',
          'a refund: the sales tables compute again the dates the change record names');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and equal their recomputation');
UPDATE dw.dim_channel SET shop_name = shop_name || ' (renamed)' WHERE channel_key = 1;
SELECT is(pg_temp.sales_methods(), 'kpi.sales_daily full, kpi.sales_monthly full',
          'a shop renamed: the sales tables compute every period again');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and carry the new name');

-- 9. the change record's marks: a refresh that rolls back leaves its mark where it was, so
--    the next one still sees the change
UPDATE dw.fact_order SET refund_fen = 700 WHERE order_key = 13;
SAVEPOINT before_refresh;
SELECT is(pg_temp.refresh(), 'incremental', 'a refresh that will roll back: incremental');
ROLLBACK TO SAVEPOINT before_refresh;
SELECT isnt(pg_temp.stale_rows(), 0::bigint, '… rolled back: the table is stale again');
SELECT is(pg_temp.refresh(), 'incremental', 'the next refresh: incremental');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and it sees the change the rolled-back one had read');

-- 10. a consumer that did not run keeps what it has not read (kpi.active_customers, which does
--     not read the change record, stands for a second consumer: kpi.change_prune keeps the
--     marks of existing relations only)
SELECT is((SELECT since_change FROM kpi.change_claim('kpi.active_customers')), NULL::bigint,
          'a consumer without a mark is told to refresh in full');
UPDATE dw.fact_order SET refund_fen = 800 WHERE order_key = 13;
SELECT is(pg_temp.refresh(), 'incremental', 'a refresh that the second consumer is not part of');
SELECT is((SELECT array_agg(DISTINCT c.customer_key) FROM kpi.change_claim('kpi.active_customers') w
             JOIN etl.fact_change c ON c.change_id > w.since_change AND c.change_id <= w.until_change),
          '{7}'::bigint[], '… the second consumer still reads the change it did not see');
DELETE FROM etl.change_mark WHERE consumer = 'kpi.active_customers';

-- 10b. the first fill after a big load (more rows in its window of the change record than
--      kpi.big_change_window's 10,000) builds each table's indexes after its rows
--      (kpi.fill_empty): the same rows, the same indexes under the same names, built anew.
--      As after the first load of a warehouse: no mark yet (a TRUNCATE of the facts deletes
--      them), the kept tables empty, the change record holding the load.
-- the indexes of some tables, as they are now
CREATE FUNCTION pg_temp.indexes_of(p_tables regclass[])
RETURNS TABLE (index_oid oid, index_name text, index_def text) LANGUAGE sql AS $$
    SELECT i.indexrelid, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
      FROM pg_index i WHERE i.indrelid = ANY (p_tables)
$$;
CREATE TEMP TABLE kept_tables AS
SELECT ARRAY['kpi.qualifying_order', 'kpi.customer_orders', 'kpi.customer_rfm', 'kpi.first_purchase',
             'kpi.customer_periods']::regclass[] AS tables;
CREATE TEMP TABLE kept_index AS SELECT * FROM pg_temp.indexes_of((SELECT tables FROM kept_tables));
TRUNCATE kpi.qualifying_order, kpi.customer_orders, kpi.customer_rfm, kpi.first_purchase, kpi.customer_periods;
DELETE FROM etl.change_mark;
INSERT INTO etl.fact_change (change_id, customer_key, paid_date_key)
SELECT n.id, NULL, NULL FROM (SELECT nextval('etl.fact_change_id') AS id) n CROSS JOIN generate_series(1, 10001);
-- (a view that stays empty, beside the fixture's, which all have rows)
CREATE MATERIALIZED VIEW kpi.empty_probe AS SELECT order_key FROM kpi.qualifying_order WHERE paid_fen < 0;
CREATE UNIQUE INDEX ON kpi.empty_probe (order_key);
CREATE TEMP TABLE empty_before AS
SELECT 'kpi.' || c.relname AS matview FROM pg_class c
 WHERE c.relnamespace = 'kpi'::regnamespace AND c.relkind = 'm' AND kpi.is_empty(c.oid::regclass);
CREATE TEMP TABLE big_refresh AS SELECT matview, method FROM kpi.refresh();
SELECT is((SELECT method FROM big_refresh WHERE matview = 'kpi.qualifying_order'), 'full', 'a first fill after a big load: full');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and it equals the recomputation');
SELECT set_eq($$SELECT matview FROM big_refresh WHERE method = 'plain'$$, $$SELECT matview FROM empty_before$$,
              '… the materialized views that were empty refreshed plainly, the others CONCURRENTLY');
SELECT ok((SELECT count(*) FROM empty_before) > 0 AND EXISTS (SELECT 1 FROM big_refresh WHERE method = 'concurrently'),
          '… (there were both kinds)');
SELECT set_eq($$SELECT index_name, index_def FROM pg_temp.indexes_of((SELECT tables FROM kept_tables))$$,
              $$SELECT index_name, index_def FROM kept_index$$,
              '… the tables have the same indexes under the same names');
SELECT is((SELECT count(*) FROM kept_index k JOIN pg_index i ON i.indexrelid = k.index_oid), 0::bigint,
          '… every one of them built anew after the rows');
SELECT ok(EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'AccessExclusiveLock'
                     AND relation = 'kpi.qualifying_order'::regclass),
          '… holding the table ACCESS EXCLUSIVE to the end of the transaction: readers wait, they never see it empty');
SELECT is((SELECT count(*) FROM etl.fact_change), 0::bigint, '… and the change record read by every consumer is pruned');
-- a big load after the first (a nightly of 10,001 changes): a view that stays empty is not
-- locked by it (the WeCom views of a warehouse that loads only orders)
INSERT INTO etl.fact_change (change_id, customer_key, paid_date_key)
SELECT n.id, NULL, NULL FROM (SELECT nextval('etl.fact_change_id') AS id) n CROSS JOIN generate_series(1, 10001);
SELECT is((SELECT array_agg(DISTINCT r.method) FROM kpi.refresh() r JOIN empty_before e USING (matview)), '{concurrently}',
          'a big load after the first: the empty views are diffed CONCURRENTLY, their readers never wait');
DROP MATERIALIZED VIEW kpi.empty_probe;

-- kpi.fill_empty on its own: an index something depends on is kept (a view grouping by the
-- key relies on its uniqueness), the others built again; a table with rows is refused
CREATE TABLE kpi.fill_probe (k bigint NOT NULL, v text, CONSTRAINT fill_probe_pk PRIMARY KEY (k));
CREATE INDEX fill_probe_v ON kpi.fill_probe (v) WHERE v IS NOT NULL;
CREATE TABLE kpi.fill_probe_free (k bigint NOT NULL, CONSTRAINT fill_probe_free_pk PRIMARY KEY (k) WITH (fillfactor = 70));
CREATE VIEW kpi.fill_probe_by_key AS SELECT k, v FROM kpi.fill_probe GROUP BY k;
CREATE TEMP TABLE probe_index AS SELECT * FROM pg_temp.indexes_of('{kpi.fill_probe,kpi.fill_probe_free}');
SELECT is(kpi.fill_empty('kpi.fill_probe', $$SELECT g, 'v' || g FROM generate_series(1, 3) g$$), 3::bigint,
          'fill_empty: returns the rows inserted');
SELECT is(kpi.fill_empty('kpi.fill_probe_free', 'VALUES (1), (2)'), 2::bigint, 'fill_empty: a second table');
SELECT results_eq($$SELECT k, v FROM kpi.fill_probe_by_key ORDER BY k$$, $$VALUES (1::bigint, 'v1'), (2, 'v2'), (3, 'v3')$$,
                  'fill_empty: the rows are in');
SELECT set_eq($$SELECT index_name, index_def FROM pg_temp.indexes_of('{kpi.fill_probe,kpi.fill_probe_free}')$$,
              $$SELECT index_name, index_def FROM probe_index$$,
              'fill_empty: the same indexes, their predicates and storage parameters included');
SELECT results_eq($$SELECT p.index_name, i.indexrelid IS NOT NULL FROM probe_index p
                      LEFT JOIN pg_index i ON i.indexrelid = p.index_oid ORDER BY 1$$,
                  $$VALUES ('kpi.fill_probe_free_pk', false), ('kpi.fill_probe_pk', true), ('kpi.fill_probe_v', false)$$,
                  'fill_empty: the key a view depends on kept, the other indexes built anew');
SELECT is((SELECT array_agg(conname || ' ' || contype::text ORDER BY conname) FROM pg_constraint
            WHERE conrelid IN ('kpi.fill_probe'::regclass, 'kpi.fill_probe_free'::regclass) AND contype = 'p'),
          '{"fill_probe_free_pk p","fill_probe_pk p"}', 'fill_empty: both primary keys are constraints again');
SELECT throws_ok($$SELECT kpi.fill_empty('kpi.fill_probe', 'VALUES (4, NULL)')$$, 'P0001',
                 'kpi.fill_empty: kpi.fill_probe is not empty', 'fill_empty: a table with rows is refused');
DROP VIEW kpi.fill_probe_by_key;
DROP TABLE kpi.fill_probe, kpi.fill_probe_free;

-- 11. a TRUNCATE of the facts deletes every mark: the next refresh is full and empties the table
TRUNCATE dw.fact_order;
SELECT is((SELECT count(*) FROM etl.change_mark), 0::bigint, 'truncate of the facts: every mark is gone');
SELECT is(pg_temp.refresh(), 'full', '… the next refresh is full');
SELECT is(pg_temp.stale_rows(), 0::bigint, '… and the table is empty, as recomputed');

-- kpi.refresh() analyzes a refreshed relation only when its statistics are stale
-- (kpi.statistics_stale: never gathered, or more than 50 + a tenth of its rows written in this
-- transaction); dw.dim_date was filled by the migrations, outside this transaction
CREATE TEMP TABLE never_analyzed AS SELECT 1 AS x;
SELECT is(kpi.statistics_stale('never_analyzed'), true, 'statistics_stale: statistics never gathered');
ANALYZE dw.dim_date;
SELECT is(kpi.statistics_stale('dw.dim_date'), false, 'statistics_stale: just analyzed, nothing written since');
UPDATE dw.dim_date SET is_weekend = is_weekend
 WHERE date_key IN (SELECT date_key FROM dw.dim_date ORDER BY date_key LIMIT 50 + (SELECT reltuples::int / 10 FROM pg_class WHERE oid = 'dw.dim_date'::regclass));
SELECT is(kpi.statistics_stale('dw.dim_date'), false, 'statistics_stale: 50 + a tenth of the rows written: still fresh');
UPDATE dw.dim_date SET is_weekend = is_weekend WHERE date_key = (SELECT min(date_key) FROM dw.dim_date);
SELECT is(kpi.statistics_stale('dw.dim_date'), true, 'statistics_stale: one row more: stale');

SELECT * FROM finish();
ROLLBACK;

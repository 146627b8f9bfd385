-- 121_kpi_periods.sql — the per-period kpi tables (kpi.sales_daily, kpi.sales_monthly) are kept
-- by computing again only the periods a change touched (kpi.refresh_periods, kpi.touched_periods).
-- After every kind of change a nightly run makes, each table must equal a recomputation from
-- scratch (kpi.T_of(NULL)) row for row: a touched period the rules miss leaves a stale row
-- here and fails the step that made it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(35);

\ir 100_kpi_fixture.psql

-- the maintained per-period tables: name, key, grain
CREATE TEMP TABLE period_table (name regclass, key name[], grain text);
INSERT INTO period_table VALUES
    ('kpi.sales_daily', '{dimension,dimension_value,date}', 'day'),
    ('kpi.sales_monthly', '{dimension,dimension_value,month_start}', 'month');

-- rows of the table that a recomputation does not give, plus the reverse (EXCEPT ALL: duplicates count)
CREATE FUNCTION pg_temp.stale_rows(p_table regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT (SELECT count(*) FROM (SELECT * FROM %1$s EXCEPT ALL SELECT * FROM %2$s(NULL)) a)'
                   '     + (SELECT count(*) FROM (SELECT * FROM %2$s(NULL) EXCEPT ALL SELECT * FROM %1$s) b)',
                   p_table, p_table::text || '_of') INTO n;
    RETURN n;
END
$$;
-- brings every table up to date after a change of the orders paid on p_dates (their old and
-- new business dates of payment, as the change record names them); returns the methods used,
-- each once, in alphabetical order
CREATE FUNCTION pg_temp.refresh(p_dates date[]) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(DISTINCT m, ',') FROM (SELECT kpi.refresh_periods(name, key, grain, p_dates) FROM period_table) x (m)
$$;
CREATE FUNCTION pg_temp.all_stale() RETURNS bigint LANGUAGE sql AS $$
    SELECT sum(pg_temp.stale_rows(name))::bigint FROM period_table
$$;
CREATE FUNCTION pg_temp.add_order(p_key bigint, p_customer bigint, p_channel int, p_paid timestamptz, p_fen bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO dw.order_identity (order_key, channel_key, order_no, created_at, source_version) OVERRIDING SYSTEM VALUE
    VALUES (p_key, p_channel, 'N' || p_key, p_paid, p_paid);
    INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status, order_date_key, paid_date_key,
                               gross_fen, discount_fen, shipping_fen, paid_fen, refund_fen, item_count, line_count,
                               is_qualifying, order_seq, is_first_order, source_version, run_id)
    VALUES (p_key, p_paid, p_customer, p_channel, p_paid, 'paid', dw.date_key_of(p_paid), dw.date_key_of(p_paid),
            p_fen, 0, 0, p_fen, 0, 1, 1, true, NULL, false, p_paid, 1);
$$;

SELECT is(pg_temp.refresh(NULL), 'full', 'the first refresh of the fixture computes every period');
SELECT is(pg_temp.all_stale(), 0::bigint, '… and equals the recomputation');
SELECT is(pg_temp.refresh('{}'), 'incremental', 'a refresh without changes is incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, '… and changes nothing');
SELECT is(kpi.touched_periods('kpi.sales_monthly', 'month_start', 'month', '{}'), '{20240601}',
          'without changes only the period of the end of observation is computed again');
SELECT ok(EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'ExclusiveLock'
                     AND relation = 'kpi.sales_daily'::regclass),
          'the refresh holds an EXCLUSIVE lock on the table until commit: a second refresh waits, readers do not');

-- 1. a customer merge (C9 → C1, as through a shared phone): O3 (paid 02-10) changes customer
\ir 100_kpi_fixture_merge.psql
SELECT is(pg_temp.refresh('{2024-02-10}'), 'incremental', 'merge: incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, 'merge: as recomputed');

-- 2. new orders: one on a day with sales (03-01), one in April, which had none
SELECT pg_temp.add_order(101, 6, 1, '2024-03-01 09:00+08', 3300);
SELECT pg_temp.add_order(102, 2, 2, '2024-04-15 09:00+08', 4100);
SELECT is(pg_temp.refresh('{2024-03-01,2024-04-15}'), 'incremental', 'new orders: incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, 'new orders: in their day and month');
SELECT is((SELECT paid_orders FROM kpi.sales_monthly WHERE dimension = 'total' AND month_start = '2024-04-01'), 1::bigint,
          '… April has its order');

-- 3. changed orders: a new amount (O10, 03-20), a partial refund (O13, 02-20), a full refund
--    (O5, 03-01), a cancellation after payment (O9, 03-03)
UPDATE dw.fact_order SET paid_fen = 9800, gross_fen = 9800 WHERE order_key = 10;
UPDATE dw.fact_order SET refund_fen = 500 WHERE order_key = 13;
UPDATE dw.fact_order SET status = 'refunded', refund_fen = paid_fen, is_qualifying = false WHERE order_key = 5;
UPDATE dw.fact_order SET status = 'cancelled', is_qualifying = false WHERE order_key = 9;
SELECT is(pg_temp.refresh('{2024-03-20,2024-02-20,2024-03-01,2024-03-03}'), 'incremental', 'changed orders: incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, 'changed, refunded and cancelled orders are in their periods');

-- 4. an order moving to another customer and to another day and month (O14: C5 05-10 → C6 06-02)
UPDATE dw.fact_order SET customer_key = 6, paid_at = '2024-06-02 10:00+08', paid_date_key = 20240602 WHERE order_key = 14;
SELECT is(pg_temp.refresh('{2024-05-10,2024-06-02}'), 'incremental', 'order moved: incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, 'order moved: it left its old day and month for the new ones');

-- 5. the first sale of a scope moves (O1, taobao''s first, 01-05 → 01-07): the zero rows
--    between the old and the new first day go, which no date of the change names
UPDATE dw.fact_order SET paid_at = '2024-01-07 12:05+08', paid_date_key = 20240107 WHERE order_key = 1;
SELECT is(pg_temp.refresh('{2024-01-05,2024-01-07}'), 'full,incremental',
          'first sale moved: every day computed again (full), January only (incremental: the first month stays)');
SELECT is(pg_temp.all_stale(), 0::bigint, 'first sale moved: as recomputed');
SELECT is((SELECT min(date) FROM kpi.sales_daily WHERE dimension_value = 'taobao'), '2024-01-07'::date,
          '… taobao starts on 01-07');

-- 6. a new shop's first sale: its scope has rows up to the end of observation, in days no
--    date of the change names
INSERT INTO dw.dim_channel (channel_key, platform, shop_id, shop_name) OVERRIDING SYSTEM VALUE
VALUES (3, 'youzan', 'yz2', '有赞二店');
SELECT pg_temp.add_order(103, 5, 3, '2024-05-20 09:00+08', 1800);
SELECT is(pg_temp.refresh('{2024-05-20}'), 'full', 'new shop: full');
SELECT is(pg_temp.all_stale(), 0::bigint, 'new shop: as recomputed');
SELECT is((SELECT count(*) FROM kpi.sales_daily WHERE dimension_value = 'youzan/yz2'), 42::bigint,
          '… with a row for every day from 05-20 to 06-30');

-- 7. the end of observation moves on across a month: an order paid after it (07-05) is left
--    out until the end covers it; June becomes complete, July appears
SELECT pg_temp.add_order(104, 2, 1, '2024-07-05 10:00+08', 4400);
SELECT is(pg_temp.refresh('{2024-07-05}'), 'incremental', 'order after the end of observation: incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, '… and it is not counted');
UPDATE etl.watermark SET value = '2024-07-31 12:00+08' WHERE entity IN ('orders', 'snapshot');
SELECT is(pg_temp.refresh('{}'), 'incremental', 'end of observation moved on: incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, 'end of observation moved on: the days and month up to it are there');
SELECT results_eq($$SELECT month_start, is_complete, paid_orders FROM kpi.sales_monthly
                     WHERE dimension = 'total' AND month_start >= '2024-06-01' ORDER BY 1$$,
                  $$VALUES ('2024-06-01'::date, true, 1::bigint), ('2024-07-01', false, 1)$$,
                  '… June is complete, July partial with the order of 07-05');
UPDATE etl.watermark SET value = '2024-07-02 12:00+08' WHERE entity IN ('orders', 'snapshot');
SELECT is(pg_temp.refresh('{}'), 'incremental', 'end of observation moved back: incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, 'end of observation moved back: the days after it are gone');

-- 8. a refresh given too few dates leaves the table stale: what makes the steps above able to fail
UPDATE dw.fact_order SET refund_fen = 300 WHERE order_key = 11;
SELECT is(pg_temp.refresh('{}'), 'incremental', 'a change the refresh is not told of …');
SELECT ok(pg_temp.all_stale() > 0, '… is not in the tables');
SELECT is(pg_temp.refresh('{2024-03-05}'), 'incremental', '… and is once its date is named');
SELECT is(pg_temp.all_stale(), 0::bigint, '… then the tables equal the recomputation');

-- 9. a change naming most of the periods stored (a nightly spread over the whole history):
--    every period is computed and the named ones kept (kpi.refresh_periods). No scope's first
--    period is named, so that keeping the wrong rows cannot hide behind the full recomputation
--    a touched first period can lead to.
UPDATE dw.fact_order SET refund_fen = 500 WHERE order_key = 11;
CREATE TEMP TABLE most_dates AS
SELECT array_agg(DISTINCT date ORDER BY date) AS dates
  FROM kpi.sales_daily
 WHERE date_trunc('month', date) NOT IN (SELECT date_trunc('month', min(date)) FROM kpi.sales_daily
                                          GROUP BY dimension, dimension_value);
SELECT ok((SELECT cardinality(dates) * 2 > (SELECT count(DISTINCT date) FROM kpi.sales_daily) FROM most_dates)
          AND (SELECT count(DISTINCT date_trunc('month', d)) * 2 > (SELECT count(DISTINCT month_start) FROM kpi.sales_monthly)
                 FROM most_dates, unnest(dates) d),
          'most of the days and months are named, no scope''s first month');
SELECT is(pg_temp.refresh((SELECT dates FROM most_dates)), 'incremental', 'most periods named: incremental');
SELECT is(pg_temp.all_stale(), 0::bigint, 'most periods named: the tables equal the recomputation');

SELECT * FROM finish();
ROLLBACK;

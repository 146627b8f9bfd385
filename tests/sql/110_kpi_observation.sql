-- 110_kpi_observation.sql — the rules of issue #15 on a warehouse built by hand: the end of
-- observation (the earliest nightly source's watermark, never the wall clock) bounds every
-- KPI; N-day repurchase needs a later business day and quotes an overall row over observable
-- customers only; cohort cells after the end are NULL; the partial period is flagged;
-- retention 7/30/90 counts a customer deleted and added again by the instant.
--
-- Times are Asia/Shanghai. Sources: shop_a (orders watermark 06-30 12:00), shop_b (07-31), wecom
-- (snapshot 06-30 12:00): the end of observation is 2024-06-30 12:00 for orders and WeCom.
--   A  paid 01-10 10:00 and 01-10 15:00 (two orders, one day)     — not a 30-day repurchase
--   B  paid 01-10 11:00 and 01-25 11:00                          — a 30-day repurchase
--   C  paid 06-20 10:00                                          — d1 + 30 after the end: outside the overall row
--   D  paid 07-15 10:00 (shop_b, after the end)                  — not counted anywhere
--   R  added by S1 03-01 10:00, deleted 03-21 10:00 (day 20), added again 04-10 10:00 (day 40)
--   Q  added by S1 06-25 10:00                                   — 7 days later is after the end
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(25);

INSERT INTO etl.setting (key, value) VALUES ('timezone', 'Asia/Shanghai')
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
DO $$ BEGIN PERFORM etl.ensure_fact_partitions('2024-01-01 00:00+08', '2024-08-31 00:00+08'); END $$;

INSERT INTO dw.dim_staff (staff_key, userid, name) OVERRIDING SYSTEM VALUE VALUES (1, 'zhangsan', '张三');
INSERT INTO dw.dim_channel (channel_key, platform, shop_id, shop_name) OVERRIDING SYSTEM VALUE VALUES
    (1, 'taobao', 'a', 'shop a'), (2, 'youzan', 'b', 'shop b');
INSERT INTO dw.dim_customer (customer_key, first_seen_at) OVERRIDING SYSTEM VALUE VALUES
    (1, '2024-01-10 10:00+08'), (2, '2024-01-10 11:00+08'), (3, '2024-06-20 10:00+08'),
    (4, '2024-07-15 10:00+08'), (5, '2024-03-01 10:00+08'), (6, '2024-06-25 10:00+08');

CREATE FUNCTION pg_temp.paid(k bigint, customer bigint, channel int, at timestamptz, fen bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO dw.order_identity (order_key, channel_key, order_no, created_at, source_version)
    OVERRIDING SYSTEM VALUE VALUES (k, channel, 'N' || k, at, at);
    INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status, order_date_key,
                               paid_date_key, gross_fen, discount_fen, shipping_fen, paid_fen, refund_fen, item_count,
                               line_count, is_qualifying, order_seq, is_first_order, source_version, run_id)
    VALUES (k, at, customer, channel, at, 'completed', dw.date_key_of(at), dw.date_key_of(at), fen, 0, 0, fen, 0, 1, 1,
            true, NULL, false, at, 1);
$$;
SELECT pg_temp.paid(1, 1, 1, '2024-01-10 10:00+08', 1000), pg_temp.paid(2, 1, 1, '2024-01-10 15:00+08', 1000),
       pg_temp.paid(3, 2, 1, '2024-01-10 11:00+08', 1000), pg_temp.paid(4, 2, 1, '2024-01-25 11:00+08', 1000),
       pg_temp.paid(5, 3, 1, '2024-06-20 10:00+08', 1000), pg_temp.paid(6, 4, 2, '2024-07-15 10:00+08', 1000);

INSERT INTO dw.fact_contact (staff_key, customer_key, added_at, state) VALUES
    (1, 5, '2024-04-10 10:00+08', 'live'), (1, 6, '2024-06-25 10:00+08', 'live');
INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key, time_is_exact, removed_by, origin) VALUES
    (1, 5, 'add',    '2024-03-01 10:00+08', 20240301, true, NULL,       'callback'),
    (1, 5, 'remove', '2024-03-21 10:00+08', 20240321, true, 'customer', 'callback'),
    (1, 5, 'add',    '2024-04-10 10:00+08', 20240410, true, NULL,       'callback'),
    (1, 6, 'add',    '2024-06-25 10:00+08', 20240625, true, NULL,       'callback');

INSERT INTO etl.watermark (source, entity, value) VALUES
    ('shop_a', 'orders', '2024-06-30 12:00+08'), ('shop_b', 'orders', '2024-07-31 00:00+08'),
    ('wecom', 'snapshot', '2024-06-30 12:00+08');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- ---------------------------------------------------------------------------------------------
-- the end of observation
-- ---------------------------------------------------------------------------------------------
SELECT is(kpi.end_of_observation('orders'), '2024-06-30 12:00+08'::timestamptz,
          'orders: the earliest source watermark (shop_a before shop_b)');
SELECT is(kpi.end_of_observation('wecom'), '2024-06-30 12:00+08'::timestamptz, 'wecom: the snapshot watermark');
SELECT is((SELECT count(*)::int FROM kpi.qualifying_order WHERE customer_key = 4), 0,
          'an order paid after the end of observation is not counted');
SELECT results_eq($$SELECT max(month_start), bool_or(is_complete) FILTER (WHERE month_start = '2024-06-01')
                      FROM kpi.sales_monthly WHERE dimension = 'total'$$,
                  $$VALUES ('2024-06-01'::date, false)$$,
                  'sales end with the month of the end of observation, flagged partial (not complete)');
SELECT is((SELECT max(date) FROM kpi.growth_daily WHERE dimension = 'total'), '2024-06-30'::date,
          'growth ends on the day of the end of observation, not today: never the wall clock');

-- ---------------------------------------------------------------------------------------------
-- N-day repurchase: a later business day, and the overall row
-- ---------------------------------------------------------------------------------------------
SELECT results_eq($$SELECT cohort_customers, repurchased_customers, repurchase_rate, window_elapsed
                      FROM kpi.repurchase_window WHERE cohort_month = '2024-01-01' AND segment = 'all' AND window_days = 30$$,
                  $$VALUES (2::bigint, 1::bigint, 0.5::numeric, true)$$,
                  'January: A bought twice on one day (no repurchase), B again on 01-25 (a repurchase)');
SELECT results_eq($$SELECT cohort_customers, repurchased_customers, window_elapsed
                      FROM kpi.repurchase_window WHERE cohort_month = '2024-06-01' AND segment = 'all' AND window_days = 30$$,
                  $$VALUES (1::bigint, 0::bigint, false)$$,
                  'June: the cohort row keeps C, its window not elapsed');
SELECT results_eq($$SELECT cohort_customers, repurchased_customers, repurchase_rate, window_elapsed, observed_until
                      FROM kpi.repurchase_window WHERE cohort_month IS NULL AND segment = 'all' AND window_days = 30$$,
                  $$VALUES (2::bigint, 1::bigint, 0.5::numeric, true, '2024-06-30'::date)$$,
                  'overall 30 days: C (first seen 10 days before the end) is outside the denominator');
SELECT is((SELECT count(*)::int FROM kpi.repurchase_window WHERE cohort_month IS NULL),
          9, 'one overall row per segment and N');

-- ---------------------------------------------------------------------------------------------
-- cohort retention: NULL after the end, the partial month flagged
-- ---------------------------------------------------------------------------------------------
SELECT results_eq($$SELECT months_since_first, active_customers, retention_rate, is_complete, is_partial
                      FROM kpi.cohort_retention WHERE cohort_month = '2024-06-01' ORDER BY 1 LIMIT 2$$,
                  $$VALUES (0, 1::bigint, 1::numeric, false, true), (1, NULL::bigint, NULL::numeric, false, false)$$,
                  'the June cohort: June partial, July (after the end) NULL, not 0 %');
SELECT is((SELECT max(months_since_first) FROM kpi.cohort_retention WHERE cohort_month = '2024-01-01'), 5,
          'January runs to June, the month of the end of observation');
SELECT is((SELECT count(*)::int FROM kpi.cohort_retention WHERE cohort_month = '2024-01-01' AND retention_rate IS NULL), 0,
          'January: every month up to the end is observed');

-- ---------------------------------------------------------------------------------------------
-- retention 7/30/90 of new private-domain customers
-- ---------------------------------------------------------------------------------------------
SELECT results_eq($$SELECT horizon_days, new_customers, retained_customers, retention_rate
                      FROM kpi.retention WHERE grain = 'month' AND period_start = '2024-03-01' AND dimension = 'total'
                     ORDER BY 1$$,
                  $$VALUES (7, 1::bigint, 1::bigint, 1::numeric), (30, 1::bigint, 0::bigint, 0::numeric),
                           (90, 1::bigint, 1::bigint, 1::numeric)$$,
                  'R, deleted on day 20 and added again on day 40: retained at 7 and 90 days, not at 30');
SELECT results_eq($$SELECT dimension, dimension_value, new_customers FROM kpi.retention
                     WHERE grain = 'month' AND period_start = '2024-03-01' AND horizon_days = 7 ORDER BY 1$$,
                  $$VALUES ('staff', 'zhangsan', 1::bigint), ('state', 'live', 1::bigint), ('total', 'all', 1::bigint)$$,
                  'by total, staff and channel code, counting customers');
SELECT results_eq($$SELECT horizon_days, new_customers, retained_customers, retention_rate, horizon_elapsed
                      FROM kpi.retention WHERE grain = 'day' AND period_start = '2024-06-25' AND dimension = 'total'
                     ORDER BY 1$$,
                  $$VALUES (7, 1::bigint, NULL::bigint, NULL::numeric, false), (30, 1::bigint, NULL, NULL, false),
                           (90, 1::bigint, NULL, NULL, false)$$,
                  'Q, added 5 days before the end: every horizon NULL (not observed)');
SELECT is((SELECT count(*)::int FROM kpi.retention WHERE grain = 'week' AND dimension = 'total' AND horizon_days = 7), 2,
          'weekly cohorts: the weeks with an entry');
SELECT is((SELECT is_complete FROM kpi.retention WHERE grain = 'month' AND period_start = '2024-06-01'
              AND dimension = 'total' AND horizon_days = 7), false, 'the June cohort is still open');

-- ---------------------------------------------------------------------------------------------
-- shop_a observed further (its next file, or an export imported with --as-of 07-05): the end
-- moves with the earliest source; still never the wall clock
-- ---------------------------------------------------------------------------------------------
UPDATE etl.watermark SET value = '2024-07-05 00:00+08' WHERE source = 'shop_a';
SELECT results_eq($$SELECT source, kind, observed_until FROM kpi.observation ORDER BY 1$$,
                  $$VALUES ('shop_a', 'orders', '2024-07-05 00:00+08'::timestamptz),
                           ('shop_b', 'orders', '2024-07-31 00:00+08'::timestamptz),
                           ('wecom', 'wecom', '2024-06-30 12:00+08'::timestamptz)$$,
                  'kpi.observation: each source''s watermark');
SELECT is(kpi.end_of_observation('orders'), '2024-07-05 00:00+08'::timestamptz, 'orders now end at shop_a''s new watermark');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT max(month_start) FROM kpi.sales_monthly WHERE dimension = 'total'), '2024-07-01'::date,
          'sales run to July now');
SELECT is((SELECT count(*)::int FROM kpi.qualifying_order WHERE customer_key = 4), 0,
          'D (07-15) is still after the end');

-- ---------------------------------------------------------------------------------------------
-- shop_a only ever loaded by siyu import (a one-off export), shop_b by siyu run every night:
-- the nightly source bounds the KPIs; without a nightly source, the imported ones do
-- ---------------------------------------------------------------------------------------------
WITH r AS (INSERT INTO etl.run (command, status) VALUES ('import', 'succeeded') RETURNING run_id)
INSERT INTO etl.run_source (run_id, source, status) SELECT run_id, 'shop_a', 'succeeded' FROM r;
WITH r AS (INSERT INTO etl.run (command, status) VALUES ('run', 'succeeded') RETURNING run_id)
INSERT INTO etl.run_source (run_id, source, status) SELECT run_id, 'shop_b', 'succeeded' FROM r;
SELECT results_eq($$SELECT source, nightly FROM kpi.observation WHERE kind = 'orders' ORDER BY 1$$,
                  $$VALUES ('shop_a', false), ('shop_b', true)$$,
                  'kpi.observation.nightly: loaded by siyu run or not');
SELECT is(kpi.end_of_observation('orders'), '2024-07-31 00:00+08'::timestamptz,
          'an old export imported once does not hold the KPIs back: the nightly shop_b bounds them');
DELETE FROM etl.run_source WHERE source = 'shop_b';
SELECT is(kpi.end_of_observation('orders'), '2024-07-05 00:00+08'::timestamptz,
          'no nightly source: the earliest imported one bounds them');

DELETE FROM etl.watermark;
SELECT is(kpi.end_of_observation('orders'), '2024-07-15 10:00+08'::timestamptz,
          'without any source recorded: the newest time in the order facts');

SELECT * FROM finish();
ROLLBACK;

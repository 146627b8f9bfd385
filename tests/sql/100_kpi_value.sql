-- 100_kpi_value.sql — kpi.customer_value (RFM) and kpi.conversion against the hand-made fixture
-- (tests/sql/100_kpi_fixture.psql: read its header first).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(14);

\ir 100_kpi_fixture.psql
\ir 100_kpi_fixture_merge.psql
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- ---------------------------------------------------------------------------------------------
-- customer_value
-- ---------------------------------------------------------------------------------------------
-- customers with ≥ 1 qualifying order: C1, C2, C5, C6, C7 (C3: refunded + cancelled only; C4, C8: none; C9 merged)
--   C1: O1 10000, O2 5000 − 2000, O3 8000 → 3 orders, paid 23000, refund 2000, net 21000, aov 7000; last 02-10
--   C2: O4 3000, O5 4000 → 2, 7000, aov 3500; last 03-01
--   C5: O10 9900, O14 1200 → 2, 11100, aov 5550; last 05-10
--   C6: O9 7000 → 1, 7000, aov 7000; last 03-03
--   C7: O12 2000, O13 2500 → 2, 4500, aov 2250; last 02-20
-- R: by recency descending (oldest last order first): C1 02-10 → 1, C7 02-20 → 2, C2 03-01 → 3, C6 03-03 → 4, C5 05-10 → 5
-- F: by (orders, key): C6 (1) → 1, C2 (2) → 2, C5 (2) → 3, C7 (2) → 4, C1 (3) → 5   (ties 2/2/2 split by key)
-- M: by (net, key): C7 4500 → 1, C2 7000 → 2, C6 7000 → 3 (tie broken by key), C5 11100 → 4, C1 21000 → 5
-- segments (score >= 3 is high): C1 R1 F5 M5 = low-high-high 重要保持; C2 R3 F2 M2 = high-low-low 一般发展;
--   C5 R5 F3 M4 = high-high-high 重要价值; C6 R4 F1 M3 = high-low-high 重要发展; C7 R2 F4 M1 = low-high-low 一般保持
SELECT results_eq(
    $$SELECT customer_key, first_order_date, last_order_date, orders, paid_fen, refund_fen, net_paid_fen, net_paid_yuan,
             aov_fen, aov_yuan, recency_days, r_score, f_score, m_score, rfm_code, segment_code, segment_cn, segment_en,
             in_private_domain
        FROM kpi.customer_value ORDER BY customer_key$$,
    $$VALUES (1::bigint, '2024-01-05'::date, '2024-02-10'::date, 3::bigint, 23000::bigint, 2000::bigint, 21000::bigint, 210.00::numeric(14,2),
              7000::bigint, 70.00::numeric(14,2), '2024-06-30'::date - '2024-02-10'::date, 1, 5, 5,
              '155'::text, 'important_retain'::text, '重要保持'::text, 'Important retention'::text, true),
             (2, '2024-01-31', '2024-03-01', 2, 7000, 0, 7000, 70.00, 3500, 35.00, '2024-06-30'::date - '2024-03-01'::date,
              3, 2, 2, '322', 'general_develop', '一般发展', 'General development', true),
             (5, '2024-03-20', '2024-05-10', 2, 11100, 0, 11100, 111.00, 5550, 55.50, '2024-06-30'::date - '2024-05-10'::date,
              5, 3, 4, '534', 'important_value', '重要价值', 'Important value', true),
             (6, '2024-03-03', '2024-03-03', 1, 7000, 0, 7000, 70.00, 7000, 70.00, '2024-06-30'::date - '2024-03-03'::date,
              4, 1, 3, '413', 'important_develop', '重要发展', 'Important development', false),
             (7, '2024-01-08', '2024-02-20', 2, 4500, 0, 4500, 45.00, 2250, 22.50, '2024-06-30'::date - '2024-02-20'::date,
              2, 4, 1, '241', 'general_retain', '一般保持', 'General retention', true)$$,
    'customer_value: orders, LTV, AOV, RFM scores and segment for the 5 buyers (hand-computed)');
SELECT is((SELECT first_contact_at FROM kpi.customer_value WHERE customer_key = 2), '2024-01-05 11:00+08'::timestamptz,
          'first_contact_at keeps C2''s first relationship, before the delete and re-add');
SELECT is((SELECT snapshot_date FROM kpi.customer_value LIMIT 1), '2024-06-30'::date,
          'scores are as of the end of observation (06-30), not of the refresh date');

-- quintiles hold ~20 % even when nearly everyone has F = 1: 95 more one-order customers → 100 customers,
-- 96 with F = 1. ntile(5) over (value, customer_key) gives exactly 20 per score.
INSERT INTO dw.dim_customer (customer_key, first_seen_at) OVERRIDING SYSTEM VALUE
SELECT 1000 + i, '2024-04-01 00:00+08' FROM generate_series(1, 95) i;
INSERT INTO dw.order_identity (order_key, channel_key, order_no, created_at, source_version) OVERRIDING SYSTEM VALUE
SELECT 1000 + i, 1, 'B' || i, timestamptz '2024-04-01 10:00+08' + (i % 30) * interval '1 day', '2024-06-01 00:00+08'
  FROM generate_series(1, 95) i;
INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status, order_date_key, paid_date_key,
                           gross_fen, discount_fen, shipping_fen, paid_fen, refund_fen, item_count, line_count,
                           is_qualifying, order_seq, is_first_order, source_version, run_id)
SELECT 1000 + i, t, 1000 + i, 1, t, 'completed', dw.date_key_of(t), dw.date_key_of(t), 1000 + i, 0, 0, 1000 + i, 0, 1, 1,
       true, 1, true, '2024-06-01 00:00+08', 1
  FROM generate_series(1, 95) i, LATERAL (SELECT timestamptz '2024-04-01 10:00+08' + (i % 30) * interval '1 day' AS t) x;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT results_eq(
    $$SELECT s, (SELECT count(*) FROM kpi.customer_value WHERE r_score = s), (SELECT count(*) FROM kpi.customer_value WHERE f_score = s),
             (SELECT count(*) FROM kpi.customer_value WHERE m_score = s)
        FROM generate_series(1, 5) s ORDER BY s$$,
    $$VALUES (1, 20::bigint, 20::bigint, 20::bigint), (2, 20, 20, 20), (3, 20, 20, 20), (4, 20, 20, 20), (5, 20, 20, 20)$$,
    '100 customers, 96 of them with F = 1: every R, F and M score holds exactly 20');
SELECT is((SELECT count(*) FROM kpi.customer_value WHERE orders = 1 AND f_score = 5), 16::bigint,
          'F = 1 customers fill F scores 1–4 (80) and 16 places of score 5 by customer_key; the 4 repeat buyers are on top');
SELECT is((SELECT f_score FROM kpi.customer_value WHERE customer_key = 1), 5, 'C1 (3 orders) keeps F = 5');
SELECT is((SELECT count(*) FROM kpi.customer_value WHERE segment_code IS NULL OR segment_cn IS NULL OR segment_en IS NULL),
          0::bigint, 'every customer gets a named segment');

-- ---------------------------------------------------------------------------------------------
-- conversion
-- ---------------------------------------------------------------------------------------------
DELETE FROM dw.fact_order WHERE order_key > 1000;
-- first ever relationship of each customer (month, staff, code):
--   C1 01-05 zhangsan live1 (R2 with lisi in Feb is a second relationship: not counted again)
--   C2 01-05 zhangsan live1 (first span, before the delete; the re-add is not counted again)
--   C7 01-10 zhangsan live2   C3 02-01 00:30 lisi live2 (Jan 31 in UTC)   C4 02-15 lisi (none)   C5 03-10 zhangsan live1
-- first qualifying order vs add:
--   C1 O1 01-05 12:05 after the add 10:00, 0 days → converted;  C2 O4 01-31, 26 days → converted
--   C7 O12 01-08 before the add 01-10 → prior buyer, not converted;  C3, C4 no qualifying order;  C5 O10 03-20, 10 days → converted
-- Jan: added 3, prior 1, converted 2 → 2 ÷ 3 = 0.666667; non-buyers 2 ÷ (3 − 1) = 1; avg days (0 + 26) ÷ 2 = 13.00
-- Feb: added 2, converted 0 → 0, non-buyer 0 ÷ 2 = 0; avg NULL
-- Mar: added 1, converted 1 → 1; avg 10.00.  Apr: added 0 → rates NULL
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT results_eq(
    $$SELECT month_start, added_customers, prior_buyers, converted_customers, conversion_rate, non_buyer_conversion_rate,
             avg_days_to_first_order, window_elapsed
        FROM kpi.conversion WHERE dimension = 'total' AND month_start < '2024-05-01' ORDER BY 1$$,
    $$VALUES ('2024-01-01'::date, 3::bigint, 1::bigint, 2::bigint, 0.666667::numeric, 1::numeric, 13.00::numeric, true),
             ('2024-02-01', 2, 0, 0, 0, 0, NULL, true),
             ('2024-03-01', 1, 0, 1, 1, 1, 10.00, true),
             ('2024-04-01', 0, 0, 0, NULL, NULL, NULL, true)$$,
    'conversion total by month (hand-computed; zero added → NULL)');
-- by staff: zhangsan Jan C1, C2, C7 / Mar C5; lisi Feb C3, C4 (C1 is zhangsan's, first touch)
-- by code: live1 Jan C1, C2 (2 ÷ 2) / Mar C5; live2 Jan C7 (prior buyer: non-buyer rate 0 ÷ 0 → NULL) / Feb C3;
--          (none) Feb C4
SELECT results_eq(
    $$SELECT dimension, dimension_value, dimension_label, month_start, added_customers, prior_buyers, converted_customers,
             conversion_rate, non_buyer_conversion_rate
        FROM kpi.conversion WHERE dimension <> 'total' AND added_customers > 0 ORDER BY 1, 2, 4$$,
    $$VALUES ('staff'::text, 'lisi'::text, '李四'::text, '2024-02-01'::date, 2::bigint, 0::bigint, 0::bigint, 0::numeric, 0::numeric),
             ('staff', 'zhangsan', '张三', '2024-01-01', 3, 1, 2, 0.666667, 1),
             ('staff', 'zhangsan', '张三', '2024-03-01', 1, 0, 1, 1, 1),
             ('state', '(none)', '(none)', '2024-02-01', 1, 0, 0, 0, 0),
             ('state', 'live1', 'live1', '2024-01-01', 2, 0, 2, 1, 1),
             ('state', 'live1', 'live1', '2024-03-01', 1, 0, 1, 1, 1),
             ('state', 'live2', 'live2', '2024-01-01', 1, 1, 0, 0, NULL),
             ('state', 'live2', 'live2', '2024-02-01', 1, 0, 0, 0, 0)$$,
    'conversion by staff and channel code (first touch)');
SELECT is((SELECT count(*) FROM (
             SELECT month_start FROM kpi.conversion GROUP BY month_start
             HAVING sum(added_customers) FILTER (WHERE dimension = 'staff') <> sum(added_customers) FILTER (WHERE dimension = 'total')
                 OR sum(added_customers) FILTER (WHERE dimension = 'state') <> sum(added_customers) FILTER (WHERE dimension = 'total')
                 OR sum(converted_customers) FILTER (WHERE dimension = 'staff') <> sum(converted_customers) FILTER (WHERE dimension = 'total')
                 OR sum(converted_customers) FILTER (WHERE dimension = 'state') <> sum(converted_customers) FILTER (WHERE dimension = 'total')) x),
          0::bigint, 'staff rows and state rows each add up to the total (each customer once)');
-- the 30-day edge: C8 is added by lisi on 2024-04-01 10:00 and first buys 2024-05-01 09:00 (30 days by date,
-- 29 d 23 h by the clock) → converted; C10 is added 2024-04-01 10:00 and first buys 2024-05-02 → 31 days → not.
INSERT INTO dw.dim_customer (customer_key, first_seen_at) OVERRIDING SYSTEM VALUE VALUES (10, '2024-04-01 10:00+08');
INSERT INTO dw.fact_contact (contact_key, staff_key, customer_key, added_at, state) OVERRIDING SYSTEM VALUE VALUES
    (8, 2, 8,  '2024-04-01 10:00+08', 'live2'),
    (9, 2, 10, '2024-04-01 10:00+08', 'live2');
INSERT INTO dw.order_identity (order_key, channel_key, order_no, created_at, source_version) OVERRIDING SYSTEM VALUE VALUES
    (20, 2, 'Y20', '2024-05-01 09:00+08', '2024-05-01 09:00+08'),
    (21, 2, 'Y21', '2024-05-02 09:00+08', '2024-05-02 09:00+08');
INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status, order_date_key, paid_date_key,
                           gross_fen, discount_fen, shipping_fen, paid_fen, refund_fen, item_count, line_count,
                           is_qualifying, order_seq, is_first_order, source_version, run_id) VALUES
    (20, '2024-05-01 09:00+08', 8,  2, '2024-05-01 09:00+08', 'paid', 20240501, 20240501, 800, 0, 0, 800, 0, 1, 1, true, 1, true, '2024-05-01 09:00+08', 1),
    (21, '2024-05-02 09:00+08', 10, 2, '2024-05-02 09:00+08', 'paid', 20240502, 20240502, 800, 0, 0, 800, 0, 1, 1, true, 1, true, '2024-05-02 09:00+08', 1);
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
-- April: added C8, C10 = 2, converted C8 = 1 → 0.5, avg 30.00
SELECT results_eq(
    $$SELECT added_customers, converted_customers, conversion_rate, avg_days_to_first_order
        FROM kpi.conversion WHERE dimension = 'total' AND month_start = '2024-04-01'$$,
    $$VALUES (2::bigint, 1::bigint, 0.5::numeric, 30.00::numeric)$$,
    '30 days after the add converts, 31 does not');
-- the first order of C2 (O4) is refunded after a refresh: O5 (03-01, 56 days after 01-05) becomes the first
-- → C2 no longer converted within 30 days; Jan 1 ÷ 3, avg 0.00
UPDATE dw.fact_order SET status = 'refunded', refund_fen = 3000, is_qualifying = false, order_seq = NULL WHERE order_key = 4;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT results_eq(
    $$SELECT converted_customers, conversion_rate, avg_days_to_first_order
        FROM kpi.conversion WHERE dimension = 'total' AND month_start = '2024-01-01'$$,
    $$VALUES (1::bigint, 0.333333::numeric, 0.00::numeric)$$,
    'refunding C2''s first order moves its first purchase beyond 30 days');
SELECT results_eq($$SELECT max(month_start), bool_or(window_elapsed) FILTER (WHERE month_start = '2024-06-01'),
                          bool_and(window_elapsed) FILTER (WHERE month_start = '2024-05-01')
                     FROM kpi.conversion WHERE dimension = 'total'$$,
                  $$VALUES ('2024-06-01'::date, false, true)$$,
                  'conversion runs to the month of the end of observation (06-30): June''s 30 days have not elapsed, May''s have (05-31 + 30 <= 06-30)');

DELETE FROM dw.fact_contact_event; DELETE FROM dw.fact_contact; DELETE FROM dw.fact_order;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT count(*) FROM kpi.conversion) + (SELECT count(*) FROM kpi.customer_value), 0::bigint,
          'empty warehouse: conversion and customer_value are empty, no error');

SELECT * FROM finish();
ROLLBACK;

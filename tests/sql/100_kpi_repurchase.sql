-- 100_kpi_repurchase.sql — kpi.qualifying_order, kpi.repurchase_period, kpi.private_domain_lift,
-- kpi.repurchase_window, kpi.cohort_retention against the hand-made fixture, before and after the
-- customer merge C9 → C1 (tests/sql/100_kpi_fixture.psql: read its header first).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(28);

\ir 100_kpi_fixture.psql
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- ---------------------------------------------------------------------------------------------
-- before the merge: C9 is a separate customer with O3 (02-10)
-- ---------------------------------------------------------------------------------------------
-- Feb buyers: C9 (O3, a first purchase), C7 (O13, bought in Jan) → returning 1 ÷ 2 = 0.5, new 1
SELECT results_eq(
    $$SELECT buyers, new_buyers, returning_buyers, returning_customer_rate FROM kpi.repurchase_period
       WHERE period_type = 'month' AND period_start = '2024-02-01'$$,
    $$VALUES (2::bigint, 1::bigint, 1::bigint, 0.5::numeric)$$,
    'before the merge: February has one new buyer (C9)');
-- Q1 buyers: C1 (O1, O2), C2 (O4, O5), C5 (O10), C6 (O9), C7 (O12, O13), C9 (O3) = 6; repeat C1, C2, C7 = 3 → 0.5
SELECT results_eq(
    $$SELECT buyers, repeat_buyers, repurchase_rate FROM kpi.repurchase_period
       WHERE period_type = 'quarter' AND period_start = '2024-01-01'$$,
    $$VALUES (6::bigint, 3::bigint, 0.5::numeric)$$,
    'before the merge: Q1 has 6 buyers, 3 repeat');
SELECT is((SELECT cohort_customers FROM kpi.repurchase_window
            WHERE cohort_month = '2024-02-01' AND segment = 'all' AND window_days = 30), 1::bigint,
          'before the merge: C9 makes a February cohort of 1');

\ir 100_kpi_fixture_merge.psql
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- ---------------------------------------------------------------------------------------------
-- after the merge: C1 owns O1, O2, O3
-- ---------------------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT order_key, order_seq, in_private_domain FROM kpi.qualifying_order WHERE customer_key = 1 ORDER BY order_seq$$,
    $$VALUES (1::bigint, 1, true), (2::bigint, 2, true), (3::bigint, 3, true)$$,
    'after the merge C1 has 3 qualifying orders, O3 now the 3rd and inside the private domain');
SELECT is((SELECT count(*) FROM kpi.qualifying_order WHERE customer_key = 9), 0::bigint,
          'the merged-away key appears nowhere');
-- qualifying orders of identified customers: O1 O2 O3 O4 O5 O9 O10 O12 O13 O14 = 10
-- (O6 refunded, O7 cancelled, O8 unpaid are not qualifying; O11 is a guest order)
SELECT is((SELECT count(*) FROM kpi.qualifying_order), 10::bigint, '10 qualifying orders of identified customers');
-- O4: C2 had deleted S1 on 01-20 and came back 02-03 → outside at 01-31 23:35; O12: C7 added on 01-10 → outside on 01-08
SELECT results_eq(
    $$SELECT order_key FROM kpi.qualifying_order WHERE NOT in_private_domain ORDER BY 1$$,
    $$VALUES (4::bigint), (9::bigint), (12::bigint)$$,
    'orders paid outside the private domain: O4 (between C2''s delete and re-add), O9 (C6, never added), O12 (before the add)');

-- ---------------------------------------------------------------------------------------------
-- repurchase_period
-- ---------------------------------------------------------------------------------------------
-- month  buyers (orders)                 repeat rate    orders net    aov          new returning        next month
-- Jan    C1 (O1,O2) C2 (O4) C7 (O12) = 3  1     1/3     4  18000  18000/4=4500  3   0   → 0           C1, C7 buy in Feb: 2/3
-- Feb    C1 (O3) C7 (O13) = 2             0     0       2  10500  5250          0   2   → 1           none in Mar: 0
-- Mar    C2 (O5) C6 (O9) C5 (O10) = 3     0     0       3  20900  20900/3=6967  2   1 (C2) → 1/3      none in Apr: 0
-- Apr    nobody                           0     NULL    0  0      NULL          0   0   → NULL        NULL (no buyers)
-- May    C5 (O14) = 1                     0     0       1  1200   1200          0   1   → 1           none in Jun: 0
-- net: Jan 10000 + 3000 + 3000 + 2000 = 18000 (O2 5000 − 2000 refunded); Mar 4000 + 7000 + 9900 = 20900
SELECT results_eq(
    $$SELECT period_start, buyers, repeat_buyers, repurchase_rate, orders, net_sales_fen, aov_fen, new_buyers,
             returning_buyers, returning_customer_rate, retained_next_period, next_period_retention_rate
        FROM kpi.repurchase_period WHERE period_type = 'month' AND period_start < '2024-06-01' ORDER BY 1$$,
    $$VALUES ('2024-01-01'::date, 3::bigint, 1::bigint, 0.333333::numeric, 4::bigint, 18000::bigint, 4500::bigint, 3::bigint,
              0::bigint, 0::numeric, 2::bigint, 0.666667::numeric),
             ('2024-02-01', 2, 0, 0, 2, 10500, 5250, 0, 2, 1, 0, 0),
             ('2024-03-01', 3, 0, 0, 3, 20900, 6967, 2, 1, 0.333333, 0, 0),
             ('2024-04-01', 0, 0, NULL, 0, 0, NULL, 0, 0, NULL, 0, NULL),
             ('2024-05-01', 1, 0, 0, 1, 1200, 1200, 0, 1, 1, 0, 0)$$,
    'repurchase_period monthly Jan–May 2024 (hand-computed; April: zero buyers → NULL rates)');
-- Q1: C1 (3 orders), C2 (O4 Jan + O5 Mar = 2), C5 (1), C6 (1), C7 (2) = 5 buyers, repeat C1, C2, C7 = 3 → 0.6,
--     orders 9, orders per buyer 9 ÷ 5 = 1.8; Q2 buyers: C5 (O14) → retained 1 ÷ 5 = 0.2
-- 2024: same 5 buyers, C5 now has 2 orders → repeat 4 → 0.8, orders 10
SELECT results_eq(
    $$SELECT period_type, period_start, period_end, buyers, repeat_buyers, repurchase_rate, orders, orders_per_buyer,
             retained_next_period, next_period_retention_rate
        FROM kpi.repurchase_period WHERE period_type IN ('quarter', 'year') AND period_start IN ('2024-01-01', '2024-04-01')
       ORDER BY 1, 2$$,
    $$VALUES ('quarter'::text, '2024-01-01'::date, '2024-03-31'::date, 5::bigint, 3::bigint, 0.6::numeric, 9::bigint, 1.8::numeric,
              1::bigint, 0.2::numeric),
             ('quarter', '2024-04-01', '2024-06-30', 1, 0, 0, 1, 1, NULL, NULL),
             ('year', '2024-01-01', '2024-12-31', 5, 4, 0.8, 10, 2, NULL, NULL)$$,
    'repurchase_period by quarter and year (Q3 and 2025 start after the end of observation: retention NULL)');
-- two orders on one day count as a repurchase (orders, not days): C6 buys again on 03-03
INSERT INTO dw.order_identity (order_key, channel_key, order_no, created_at, source_version) OVERRIDING SYSTEM VALUE
VALUES (15, 1, 'T15', '2024-03-03 18:00+08', '2024-03-03 18:01+08');
INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status, order_date_key, paid_date_key,
                           gross_fen, discount_fen, shipping_fen, paid_fen, refund_fen, item_count, line_count,
                           is_qualifying, order_seq, is_first_order, source_version, run_id)
VALUES (15, '2024-03-03 18:00+08', 6, 1, '2024-03-03 18:01+08', 'paid', 20240303, 20240303, 500, 0, 0, 500, 0, 1, 1,
        true, 2, false, '2024-03-03 18:01+08', 1);
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
-- March: C6 now has O9 and O15 on the same day → repeat 1 of 3 buyers
SELECT results_eq(
    $$SELECT buyers, repeat_buyers, repurchase_rate FROM kpi.repurchase_period
       WHERE period_type = 'month' AND period_start = '2024-03-01'$$,
    $$VALUES (3::bigint, 1::bigint, 0.333333::numeric)$$,
    'a second order on the same day makes a repeat buyer (orders are counted, not days)');
SELECT is((SELECT repurchased_customers FROM kpi.repurchase_window
            WHERE cohort_month = '2024-03-01' AND segment = 'all' AND window_days = 30), 0::bigint,
          '... but not an N-day repurchase: that needs a later business day (d1 < d <= d1 + N)');
DELETE FROM dw.fact_order WHERE order_key = 15;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- ---------------------------------------------------------------------------------------------
-- private_domain_lift
-- ---------------------------------------------------------------------------------------------
-- A buyer's side = in the pool at the payment of their first qualifying order of the month.
-- Jan: inside C1 (O1 12:05, added 10:00) with O1, O2 → 1 buyer, repeat 1 → 1.0, aov (10000 + 3000) ÷ 2 = 6500,
--      retained in Feb 1 ÷ 1;  outside C2 (O4: between delete and re-add), C7 (O12: before the add) → 2 buyers,
--      repeat 0 → 0, aov (3000 + 2000) ÷ 2 = 2500, retained C7 ÷ 2 = 0.5.  lift 1 − 0 = 1, ratio 1 ÷ 0 → NULL
-- Feb: inside C1 (O3), C7 (O13) = 2, outside none → outside rates NULL, lift NULL
-- Mar: inside C2 (O5), C5 (O10) = 2, aov (4000 + 9900) ÷ 2 = 6950, returning C2 → 0.5; outside C6 (O9) = 1
SELECT results_eq(
    $$SELECT period_start, pd_buyers, pd_repeat_buyers, pd_repurchase_rate, pd_aov_fen, pd_returning_customer_rate,
             pd_next_period_retention_rate, outside_buyers, outside_repeat_buyers, outside_repurchase_rate, outside_aov_fen,
             outside_next_period_retention_rate, repurchase_rate_lift, repurchase_rate_ratio
        FROM kpi.private_domain_lift WHERE period_type = 'month' AND period_start < '2024-04-01' ORDER BY 1$$,
    $$VALUES ('2024-01-01'::date, 1::bigint, 1::bigint, 1::numeric, 6500::bigint, 0::numeric, 1::numeric,
              2::bigint, 0::bigint, 0::numeric, 2500::bigint, 0.5::numeric, 1::numeric, NULL::numeric),
             ('2024-02-01', 2, 0, 0, 5250, 1, 0, 0, 0, NULL, NULL, NULL, NULL, NULL),
             ('2024-03-01', 2, 0, 0, 6950, 0.5, 0, 1, 0, 0, 7000, 0, 0, NULL)$$,
    'private_domain_lift monthly (each buyer on one side, point-in-time membership)');
-- Q1: the side of a buyer's FIRST order of the quarter: inside C1 (O1), C5 (O10); outside C2 (O4, though O5 is
-- inside), C7 (O12, though O13 is inside), C6 (O9)
SELECT results_eq(
    $$SELECT pd_buyers, outside_buyers FROM kpi.private_domain_lift WHERE period_type = 'quarter' AND period_start = '2024-01-01'$$,
    $$VALUES (2::bigint, 3::bigint)$$,
    'private_domain_lift Q1: each buyer on the side of their first order of the quarter, not of a later one');
SELECT is((SELECT count(*) FROM kpi.private_domain_lift l JOIN kpi.repurchase_period p USING (period_type, period_start)
            WHERE l.pd_buyers + l.outside_buyers <> p.buyers), 0::bigint,
          'inside + outside buyers = all buyers in every period (no double counting)');

-- ---------------------------------------------------------------------------------------------
-- repurchase_window (30/60/90 days by first-order cohort month)
-- ---------------------------------------------------------------------------------------------
-- Jan cohort: C1 (1st 01-05, 2nd 01-20: 15 days), C2 (01-31 → 03-01: 30 days in leap-year 2024, inside 30),
--             C7 (01-08 → 02-20: 43 days) → 30 d: C1, C2 = 2 ÷ 3; 60 d and 90 d: 3 ÷ 3
-- Mar cohort: C6 (03-03, no 2nd), C5 (03-20 → 05-10: 51 days) → 30 d: 0 ÷ 2; 60 d, 90 d: 1 ÷ 2
-- Feb: no first purchase after the merge → no cohort row
-- segments (at the 1st order): Jan inside C1 / outside C2, C7; Mar inside C5 / outside C6
SELECT results_eq(
    $$SELECT cohort_month, segment, window_days, cohort_customers, repurchased_customers, repurchase_rate, window_elapsed
        FROM kpi.repurchase_window WHERE cohort_month IS NOT NULL ORDER BY cohort_month, segment, window_days$$,
    $$VALUES ('2024-01-01'::date, 'all'::text, 30, 3::bigint, 2::bigint, 0.666667::numeric, true),
             ('2024-01-01', 'all', 60, 3, 3, 1, true),
             ('2024-01-01', 'all', 90, 3, 3, 1, true),
             ('2024-01-01', 'outside', 30, 2, 1, 0.5, true),
             ('2024-01-01', 'outside', 60, 2, 2, 1, true),
             ('2024-01-01', 'outside', 90, 2, 2, 1, true),
             ('2024-01-01', 'private_domain', 30, 1, 1, 1, true),
             ('2024-01-01', 'private_domain', 60, 1, 1, 1, true),
             ('2024-01-01', 'private_domain', 90, 1, 1, 1, true),
             ('2024-03-01', 'all', 30, 2, 0, 0, true),
             ('2024-03-01', 'all', 60, 2, 1, 0.5, true),
             ('2024-03-01', 'all', 90, 2, 1, 0.5, true),
             ('2024-03-01', 'outside', 30, 1, 0, 0, true),
             ('2024-03-01', 'outside', 60, 1, 0, 0, true),
             ('2024-03-01', 'outside', 90, 1, 0, 0, true),
             ('2024-03-01', 'private_domain', 30, 1, 0, 0, true),
             ('2024-03-01', 'private_domain', 60, 1, 1, 1, true),
             ('2024-03-01', 'private_domain', 90, 1, 1, 1, true)$$,
    'repurchase_window (hand-computed; 30 days inclusive)');
-- overall rows: every first purchase + N is on or before the end (06-30; C5 03-20 + 90 = 06-18), so all 5
-- customers are in each denominator: 30 d C1, C2 = 2 ÷ 5; 60 and 90 d C1, C2, C7, C5 = 4 ÷ 5
SELECT results_eq(
    $$SELECT segment, window_days, cohort_customers, repurchased_customers, repurchase_rate, window_elapsed
        FROM kpi.repurchase_window WHERE cohort_month IS NULL ORDER BY segment, window_days$$,
    $$VALUES ('all'::text, 30, 5::bigint, 2::bigint, 0.4::numeric, true), ('all', 60, 5, 4, 0.8, true),
             ('all', 90, 5, 4, 0.8, true),
             ('outside', 30, 3, 1, 0.333333, true), ('outside', 60, 3, 2, 0.666667, true), ('outside', 90, 3, 2, 0.666667, true),
             ('private_domain', 30, 2, 1, 0.5, true), ('private_domain', 60, 2, 2, 1, true), ('private_domain', 90, 2, 2, 1, true)$$,
    'repurchase_window overall rows (cohort_month NULL), one per segment and N');

-- ---------------------------------------------------------------------------------------------
-- cohort_retention
-- ---------------------------------------------------------------------------------------------
-- Jan cohort {C1, C2, C7}: Jan 3/3; Feb C1, C7 = 2/3; Mar C2 = 1/3; Apr, May 0
-- Mar cohort {C5, C6}: Mar 2/2; Apr 0; May C5 = 1/2
SELECT results_eq(
    $$SELECT cohort_month, months_since_first, activity_month, cohort_customers, active_customers, retention_rate
        FROM kpi.cohort_retention WHERE activity_month < '2024-06-01' ORDER BY 1, 2$$,
    $$VALUES ('2024-01-01'::date, 0, '2024-01-01'::date, 3::bigint, 3::bigint, 1::numeric),
             ('2024-01-01', 1, '2024-02-01', 3, 2, 0.666667),
             ('2024-01-01', 2, '2024-03-01', 3, 1, 0.333333),
             ('2024-01-01', 3, '2024-04-01', 3, 0, 0),
             ('2024-01-01', 4, '2024-05-01', 3, 0, 0),
             ('2024-03-01', 0, '2024-03-01', 2, 2, 1),
             ('2024-03-01', 1, '2024-04-01', 2, 0, 0),
             ('2024-03-01', 2, '2024-05-01', 2, 1, 0.5)$$,
    'cohort_retention Jan–May 2024');
SELECT is((SELECT max(activity_month) FROM kpi.cohort_retention WHERE cohort_month = '2024-01-01'),
          '2024-06-01'::date, 'the oldest cohort runs to the month of the end of observation, not to today');

-- ---------------------------------------------------------------------------------------------
-- an order refunded after a refresh changes repurchase at the next refresh
-- ---------------------------------------------------------------------------------------------
-- O5 (C2's 2nd order, 03-01) is refunded in full.
UPDATE dw.fact_order SET status = 'refunded', refund_fen = 4000, is_qualifying = false, order_seq = NULL,
                         source_version = '2024-03-15 00:00+08' WHERE order_key = 5;
SELECT is((SELECT repurchased_customers FROM kpi.repurchase_window
            WHERE cohort_month = '2024-01-01' AND segment = 'all' AND window_days = 30), 2::bigint,
          'before the refresh: still 2 repurchased within 30 days');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
-- Jan cohort 30 d: C1 only → 1 ÷ 3; 90 d: C1, C7 → 2 ÷ 3. Q1: C2 has 1 order → repeat C1, C7 = 2 of 5 → 0.4.
-- March buyers: C5, C6 = 2, returning none → 0.
SELECT results_eq(
    $$SELECT window_days, repurchased_customers, repurchase_rate FROM kpi.repurchase_window
       WHERE cohort_month = '2024-01-01' AND segment = 'all' ORDER BY window_days$$,
    $$VALUES (30, 1::bigint, 0.333333::numeric), (60, 2, 0.666667), (90, 2, 0.666667)$$,
    'after the refresh: C2 has no 2nd order any more');
SELECT results_eq(
    $$SELECT period_type, buyers, repeat_buyers, repurchase_rate FROM kpi.repurchase_period
       WHERE (period_type, period_start) IN (('quarter', '2024-01-01'), ('month', '2024-03-01')) ORDER BY 1$$,
    $$VALUES ('month'::text, 2::bigint, 0::bigint, 0::numeric), ('quarter', 5, 2, 0.4)$$,
    'after the refresh: Q1 repeat 2 of 5, March 2 buyers');
SELECT is((SELECT returning_customer_rate FROM kpi.repurchase_period WHERE period_type = 'month' AND period_start = '2024-03-01'),
          0::numeric, 'after the refresh: nobody returning in March');

-- ---------------------------------------------------------------------------------------------
-- windows not yet elapsed, and an empty warehouse
-- ---------------------------------------------------------------------------------------------
-- C8 (never bought) buys on 06-20, in the month of the end of observation (06-30 12:00): a cohort
-- whose windows cannot have elapsed; and again after the end, which nothing counts
INSERT INTO dw.order_identity (order_key, channel_key, order_no, created_at, source_version) OVERRIDING SYSTEM VALUE
VALUES (16, 1, 'T16', '2024-06-20 10:00+08', '2024-06-20 10:00+08'), (17, 1, 'T17', '2024-06-30 13:00+08', '2024-06-30 13:00+08');
INSERT INTO dw.fact_order (order_key, created_at, customer_key, channel_key, paid_at, status, order_date_key, paid_date_key,
                           gross_fen, discount_fen, shipping_fen, paid_fen, refund_fen, item_count, line_count,
                           is_qualifying, order_seq, is_first_order, source_version, run_id)
VALUES (16, '2024-06-20 10:00+08', 8, 1, '2024-06-20 10:00+08', 'paid', 20240620, 20240620, 100, 0, 0, 100, 0, 1, 1,
        true, 1, true, '2024-06-20 10:00+08', 1),
       (17, '2024-06-30 13:00+08', 8, 1, '2024-06-30 13:00+08', 'paid', 20240630, 20240630, 100, 0, 0, 100, 0, 1, 1,
        true, 2, false, '2024-06-30 13:00+08', 1);
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT count(*) FROM kpi.repurchase_window WHERE cohort_month = '2024-06-01' AND NOT window_elapsed), 9::bigint,
          'the June cohort: all 3 segments × 3 windows not elapsed');
SELECT results_eq(
    $$SELECT retained_next_period, next_period_retention_rate, next_period_complete, is_complete FROM kpi.repurchase_period
       WHERE period_type = 'month' AND period_start = '2024-06-01'$$,
    $$VALUES (NULL::bigint, NULL::numeric, false, false)$$,
    'June, the month of the end of observation: next-month retention NULL (July not observed), not complete');
SELECT is((SELECT orders FROM kpi.repurchase_period WHERE period_type = 'month' AND period_start = '2024-06-01'), 1::bigint,
          'the order paid after the end of observation (06-30 13:00) is not counted');
SELECT is((SELECT cohort_customers FROM kpi.repurchase_window
            WHERE cohort_month = '2024-06-01' AND segment = 'private_domain' AND window_days = 30), 0::bigint,
          'an empty segment of a cohort has 0 customers …');
SELECT is((SELECT repurchase_rate FROM kpi.repurchase_window
            WHERE cohort_month = '2024-06-01' AND segment = 'private_domain' AND window_days = 30), NULL::numeric,
          '… and a NULL rate');
DELETE FROM dw.fact_order;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT count(*) FROM kpi.repurchase_period), 0::bigint, 'no orders: repurchase views are empty, no error');

SELECT * FROM finish();
ROLLBACK;

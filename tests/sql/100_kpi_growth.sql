-- 100_kpi_growth.sql — kpi.relationship_span, kpi.pool_membership, kpi.growth_daily/_weekly/_monthly
-- against the hand-made fixture (tests/sql/100_kpi_fixture.psql: read its header first).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(33);

\ir 100_kpi_fixture.psql
\ir 100_kpi_fixture_merge.psql
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- ---------------------------------------------------------------------------------------------
-- relationship spans: the re-add keeps its history
-- ---------------------------------------------------------------------------------------------
-- R3 (S1–C2): fact_contact only holds the re-add (02-03), the events add the first span
-- [01-05 11:00, 01-20 15:00) ended by the customer → 2 spans, not 1.
SELECT results_eq(
    $$SELECT span_no, started_at, ended_at, ended_by FROM kpi.relationship_span
       WHERE staff_key = 1 AND customer_key = 2 ORDER BY span_no$$,
    $$VALUES (1, '2024-01-05 11:00+08'::timestamptz, '2024-01-20 15:00+08'::timestamptz, 'customer'::text),
             (2, '2024-02-03 10:00+08'::timestamptz, NULL::timestamptz, NULL::text)$$,
    'a re-add opens span 2 and keeps span 1 with the customer-side delete');
-- R6 has a snapshot row and no events; R5 is add + delete at 14:00 / 18:00 on 02-15.
-- 7 relationships, R3 twice → 8 spans.
SELECT is((SELECT count(*) FROM kpi.relationship_span), 8::bigint,
          '8 spans = 7 relationships + 1 re-add (event-less snapshot rows included)');

-- ---------------------------------------------------------------------------------------------
-- monthly, total: customers, not relationship rows
-- ---------------------------------------------------------------------------------------------
-- Jan: new C1 (01-05), C2 (01-05), C7 (01-10) = 3; lost C2 (deletes S1 01-20) = 1;
--      net 3 − 1 = 2; pool 0 → 2; churn = 1 ÷ 0 → NULL (zero denominator).
-- Feb: new C3 (02-01 00:30), C4 (02-15) = 2; reactivated C2 (re-add 02-03) = 1; lost C4 (02-15 18:00) = 1;
--      net 2 + 1 − 1 = 2; pool 2 → 4; churn = 1 ÷ 2 = 0.5. (R2 adds C1 to S2 on 02-10: C1 already in → not new.)
-- Mar: new C5 (03-10) = 1; R2 removed 03-05 but C1 keeps S1 → not lost; pool 4 → 5; churn 0 ÷ 4 = 0.
-- Apr: nothing; pool 5 → 5, churn 0 ÷ 5 = 0.
-- Group (customers in ≥ 1 customer group): Jan C1 (01-06), C2 (01-08) join → 2, end 2;
--      Feb C8 joins 02-01, C3 joins and quits 02-02, C2 quits 02-20, C1 joins G2 02-11 (already in G1: not new)
--      → new 2, lost 2, end 2 + 2 − 2 = 2; Mar G2 dismissed 03-15, C1 still in G1 → lost 0, end 2.
SELECT results_eq(
    $$SELECT month_start, new_customers, reactivated_customers, lost_customers, net_growth, pool_start, pool_end,
             churn_rate, new_group_members, lost_group_members, group_members_end
        FROM kpi.growth_monthly WHERE dimension = 'total' AND month_start < '2024-05-01' ORDER BY month_start$$,
    $$VALUES ('2024-01-01'::date, 3::bigint, 0::bigint, 1::bigint, 2::bigint, 0::bigint, 2::bigint, NULL::numeric, 2::bigint, 0::bigint, 2::bigint),
             ('2024-02-01', 2, 1, 1, 2, 2, 4, 0.5, 2, 2, 2),
             ('2024-03-01', 1, 0, 0, 1, 4, 5, 0, 0, 0, 2),
             ('2024-04-01', 0, 0, 0, 0, 5, 5, 0, 0, 0, 2)$$,
    'growth_monthly total Jan–Apr 2024 (hand-computed)');

-- pool at the end of 02-29: customers C1, C2, C3, C7 = 4, while active relationship rows are
-- R1, R2, R3, R4, R7 = 5 (C1 has two staff members) — counting rows would say 5.
SELECT is((SELECT pool_end FROM kpi.growth_daily WHERE dimension = 'total' AND date_key = 20240229), 4::bigint,
          'pool counts distinct customers (4), not relationship rows (5)');
SELECT is((SELECT count(*) FROM kpi.relationship_span
            WHERE started_at <= '2024-02-29 23:59:59+08' AND (ended_at IS NULL OR ended_at > '2024-02-29 23:59:59+08')),
          5::bigint, '... while 5 relationship rows are active that night');
-- group members at the end of 02-11: C1 (G1 and G2), C2, C8 = 3 customers for 4 membership rows
SELECT is((SELECT group_members_end FROM kpi.growth_daily WHERE dimension = 'total' AND date_key = 20240211), 3::bigint,
          'a customer in two groups counts once in group_members_end');

-- ---------------------------------------------------------------------------------------------
-- daily: time zone, add-then-delete, days without events
-- ---------------------------------------------------------------------------------------------
-- C3 was added 2024-02-01 00:30 Shanghai = 2024-01-31 16:30 UTC: a Feb 1 customer, not Jan 31.
SELECT is((SELECT new_customers FROM kpi.growth_daily WHERE dimension = 'total' AND date_key = 20240131), 0::bigint,
          'nobody new on 01-31 (C3''s UTC date)');
SELECT is((SELECT new_customers FROM kpi.growth_daily WHERE dimension = 'total' AND date_key = 20240201), 1::bigint,
          'C3 is new on 02-01, its Shanghai date');
-- C4 added 14:00, deleted 18:00 on 02-15: counted in new AND lost, pool 4 → 4, churn 1 ÷ 4 = 0.25
SELECT results_eq(
    $$SELECT new_customers, lost_customers, net_growth, pool_start, pool_end, churn_rate
        FROM kpi.growth_daily WHERE dimension = 'total' AND date_key = 20240215$$,
    $$VALUES (1::bigint, 1::bigint, 0::bigint, 4::bigint, 4::bigint, 0.25::numeric)$$,
    'an add and a delete on the same day are both counted (nothing vanishes)');
-- 01-07: no event; still a row, pool carried from 01-06 (C1, C2 = 2)
SELECT results_eq(
    $$SELECT new_customers, lost_customers, pool_start, pool_end, churn_rate FROM kpi.growth_daily
       WHERE dimension = 'total' AND date_key = 20240107$$,
    $$VALUES (0::bigint, 0::bigint, 2::bigint, 2::bigint, 0::numeric)$$,
    'a day without events has a row, pool carried over');
SELECT is((SELECT min(date_key) FROM kpi.growth_daily WHERE dimension = 'total'), 20240105,
          'total series starts at the first event (01-05)');
SELECT is((SELECT max(date_key) FROM kpi.growth_daily WHERE dimension = 'total'), 20240630,
          'series runs to the end of observation (06-30), not to today');
SELECT is((SELECT count(*) FROM kpi.growth_daily
            WHERE dimension = 'total' AND date_key BETWEEN 20240101 AND 20240131), 27::bigint,
          'January rows: 01-05 .. 01-31 = 27 days, one each');
SELECT is((SELECT count(*) FROM kpi.growth_daily
            WHERE pool_end <> pool_start + new_customers + reactivated_customers - lost_customers), 0::bigint,
          'daily identity: pool_end = pool_start + new + reactivated − lost on every row');
SELECT is((SELECT count(*) FROM (
             SELECT pool_start, lag(pool_end) OVER (PARTITION BY dimension, dimension_value ORDER BY date_key) AS prev
               FROM kpi.growth_daily) x WHERE prev IS NOT NULL AND prev <> pool_start), 0::bigint,
          'daily pool_start = previous day''s pool_end');
SELECT is((SELECT count(*) FROM kpi.growth_daily WHERE pool_start = 0 AND churn_rate IS NOT NULL), 0::bigint,
          'churn_rate is NULL whenever pool_start is 0');

-- ---------------------------------------------------------------------------------------------
-- by staff and by channel code (state)
-- ---------------------------------------------------------------------------------------------
-- zhangsan (S1): Jan new C1, C2, C7 = 3, lost C2 = 1, 0 → 2; Feb C2 re-added = 1 reactivated, 2 → 3;
--   Mar new C5, 3 → 4. Groups he owns (G1): Jan C1, C2 → 2; Feb C8 joins, C2 quits → new 1, lost 1, end 2.
-- lisi (S2): first event 02-01 (no Jan row); Feb new C3, C1 (02-10, new *to lisi*), C4 = 3, lost C4 = 1, 0 → 2;
--   Mar lost C1 (lisi deletes 03-05) = 1, 2 → 1, churn 1 ÷ 2 = 0.5.
--   G2: Feb C3 joins+quits, C1 joins → new 2, lost 1, end 1; Mar dismissed 03-15 → C1 lost, end 0.
SELECT results_eq(
    $$SELECT dimension_value, dimension_label, month_start, new_customers, reactivated_customers, lost_customers,
             pool_start, pool_end, churn_rate, new_group_members, lost_group_members, group_members_end
        FROM kpi.growth_monthly WHERE dimension = 'staff' AND month_start < '2024-04-01'
       ORDER BY dimension_value, month_start$$,
    $$VALUES ('lisi'::text, '李四'::text, '2024-02-01'::date, 3::bigint, 0::bigint, 1::bigint, 0::bigint, 2::bigint, NULL::numeric, 2::bigint, 1::bigint, 1::bigint),
             ('lisi', '李四', '2024-03-01', 0, 0, 1, 2, 1, 0.5, 0, 1, 0),
             ('zhangsan', '张三', '2024-01-01', 3, 0, 1, 0, 2, NULL, 2, 0, 2),
             ('zhangsan', '张三', '2024-02-01', 0, 1, 0, 2, 3, 0, 1, 1, 2),
             ('zhangsan', '张三', '2024-03-01', 1, 0, 0, 3, 4, 0, 0, 0, 2)$$,
    'growth_monthly by staff (per-staff scope)');
SELECT is((SELECT staff_key FROM kpi.growth_monthly WHERE dimension = 'staff' AND dimension_value = 'lisi' LIMIT 1), 2,
          'staff rows carry staff_key');
-- channel codes, end of March: live1 = C1 (R1), C2 (R3), C5 (R6) = 3; live2 = C3, C7 = 2;
-- shop = C1 via R2, removed 03-05 → 0 (lost 1, churn 1 ÷ 1 = 1); (none) = C4 added+removed 02-15 → 0
SELECT results_eq(
    $$SELECT dimension_value, new_customers, reactivated_customers, lost_customers, pool_start, pool_end, churn_rate,
             new_group_members
        FROM kpi.growth_monthly WHERE dimension = 'state' AND month_start = '2024-03-01' ORDER BY dimension_value$$,
    $$VALUES ('(none)'::text, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, NULL::numeric, NULL::bigint),
             ('live1', 1, 0, 0, 2, 3, 0, NULL),
             ('live2', 0, 0, 0, 2, 2, 0, NULL),
             ('shop',  0, 0, 1, 1, 0, 1, NULL)$$,
    'growth_monthly by channel code, March (group columns NULL: groups have no code)');
-- staff rows do not add up to the total: Feb new 0 (zhangsan) + 3 (lisi) = 3 ≠ 2
SELECT is((SELECT sum(new_customers) FROM kpi.growth_monthly WHERE dimension = 'staff' AND month_start = '2024-02-01'),
          3::numeric, 'staff rows count per staff scope (3), the total counts customers once (2)');

-- ---------------------------------------------------------------------------------------------
-- weekly (ISO weeks)
-- ---------------------------------------------------------------------------------------------
-- 2024-W05 = Mon 01-29 .. Sun 02-04: C3 new 02-01, C2 reactivated 02-03; pool 2 → 4, churn 0 ÷ 2 = 0.
-- groups: C8 joins 02-01, C3 joins and quits 02-02 → new 2, lost 1, end 2 + 2 − 1 = 3.
SELECT results_eq(
    $$SELECT week_start, week_end, new_customers, reactivated_customers, lost_customers, pool_start, pool_end, churn_rate,
             new_group_members, lost_group_members, group_members_end
        FROM kpi.growth_weekly WHERE dimension = 'total' AND iso_year = 2024 AND iso_week = 5$$,
    $$VALUES ('2024-01-29'::date, '2024-02-04'::date, 1::bigint, 1::bigint, 0::bigint, 2::bigint, 4::bigint, 0::numeric,
              2::bigint, 1::bigint, 3::bigint)$$,
    'growth_weekly 2024-W05 spans the month boundary');
-- W01 = 01-01 .. 01-07, series starts 01-05: C1, C2 new, pool 0 → 2, churn NULL (0 at start)
-- W03 = 01-15 .. 01-21: C2 lost 01-20, pool 3 → 2, churn 1 ÷ 3 = 0.333333
SELECT results_eq(
    $$SELECT iso_week::int, new_customers, lost_customers, pool_start, pool_end, churn_rate
        FROM kpi.growth_weekly WHERE dimension = 'total' AND iso_year = 2024 AND iso_week IN (1, 3) ORDER BY iso_week$$,
    $$VALUES (1, 2::bigint, 0::bigint, 0::bigint, 2::bigint, NULL::numeric),
             (3, 0, 1, 3, 2, 0.333333)$$,
    'growth_weekly W01 (zero pool at start → NULL churn) and W03');
SELECT is((SELECT count(*) FROM kpi.growth_weekly w
            WHERE w.pool_end <> w.pool_start + w.new_customers + w.reactivated_customers - w.lost_customers), 0::bigint,
          'weekly identity holds on every row');
SELECT is((SELECT count(*) FROM kpi.growth_monthly m
            WHERE m.pool_end <> m.pool_start + m.new_customers + m.reactivated_customers - m.lost_customers), 0::bigint,
          'monthly identity holds on every row');
SELECT ok((SELECT bool_and(is_complete) FROM kpi.growth_monthly WHERE month_start < '2024-06-01'),
          'months before the end of observation are complete');
SELECT ok((SELECT NOT is_complete FROM kpi.growth_monthly WHERE dimension = 'total' AND month_start = '2024-06-01'),
          'the month of the end of observation is partial (not complete)');

-- ---------------------------------------------------------------------------------------------
-- history is not rewritten; the view follows the facts after a refresh
-- ---------------------------------------------------------------------------------------------
-- S1 deletes C7 on 2024-04-10: the pipeline updates fact_contact and records the event.
UPDATE dw.fact_contact SET removed_at = '2024-04-10 09:00+08', removed_by = 'staff' WHERE staff_key = 1 AND customer_key = 7;
INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key, time_is_exact, removed_by, origin)
VALUES (1, 7, 'remove', '2024-04-10 09:00+08', 20240410, false, 'staff', 'snapshot');
SELECT is((SELECT pool_end FROM kpi.growth_monthly WHERE dimension = 'total' AND month_start = '2024-04-01'), 5::bigint,
          'before the refresh April still shows the old pool (5)');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
-- April: lost C7 → 5 − 1 = 4, churn 1 ÷ 5 = 0.2; Jan .. Mar unchanged (2, 4, 5)
SELECT results_eq(
    $$SELECT month_start, lost_customers, pool_end, churn_rate FROM kpi.growth_monthly
       WHERE dimension = 'total' AND month_start < '2024-05-01' ORDER BY month_start$$,
    $$VALUES ('2024-01-01'::date, 1::bigint, 2::bigint, NULL::numeric),
             ('2024-02-01', 1, 4, 0.5),
             ('2024-03-01', 0, 5, 0),
             ('2024-04-01', 1, 4, 0.2)$$,
    'a churn in April changes April only: past pools are as-of, not rewritten');
-- zhangsan in April: 4 → 3, live2 in April: 2 → 1 (C7's code)
SELECT is((SELECT pool_end FROM kpi.growth_monthly WHERE dimension = 'staff' AND dimension_value = 'zhangsan'
            AND month_start = '2024-04-01'), 3::bigint, 'zhangsan April pool 4 − 1 = 3');
SELECT is((SELECT pool_end FROM kpi.growth_monthly WHERE dimension = 'state' AND dimension_value = 'live2'
            AND month_start = '2024-04-01'), 1::bigint, 'live2 April pool 2 − 1 = 1');
-- C7 comes back on 2024-04-20 (added again by S1): reactivated, not new
UPDATE dw.fact_contact SET added_at = '2024-04-20 09:00+08', removed_at = NULL, removed_by = NULL
 WHERE staff_key = 1 AND customer_key = 7;
INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key, time_is_exact, origin)
VALUES (1, 7, 'add', '2024-04-20 09:00+08', 20240420, true, 'callback');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
-- C7's first span [01-10, 04-10) now lives only in the events: it must still count
SELECT results_eq(
    $$SELECT month_start, new_customers, reactivated_customers, lost_customers, pool_end FROM kpi.growth_monthly
       WHERE dimension = 'total' AND month_start IN ('2024-01-01', '2024-04-01') ORDER BY month_start$$,
    $$VALUES ('2024-01-01'::date, 3::bigint, 0::bigint, 1::bigint, 2::bigint),
             ('2024-04-01', 0, 1, 1, 5)$$,
    're-add of C7 in April: Jan unchanged (3 new), April 1 lost + 1 reactivated, pool back to 5');
SELECT is((SELECT count(*) FROM kpi.pool_membership WHERE pool = 'contact' AND dimension = 'total' AND customer_key = 7),
          2::bigint, 'C7 has two memberships in the pool');

-- ---------------------------------------------------------------------------------------------
-- empty warehouse: no rows, no division errors
-- ---------------------------------------------------------------------------------------------
DELETE FROM dw.fact_contact_event; DELETE FROM dw.fact_contact; DELETE FROM dw.fact_group_member;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT count(*) FROM kpi.growth_monthly), 0::bigint, 'no relationships: growth views are empty, no error');

SELECT * FROM finish();
ROLLBACK;

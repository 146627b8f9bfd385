-- 410_actions_at_risk.sql — kpi.at_risk: valuable customers past their own typical gap between
-- purchases (≥ 3 purchase days) or the population's for their purchase days. Dates are relative
-- to today (R is measured at the end of observation: the orders' watermark, set to now); helpers
-- in 400_actions_helpers.psql.
--
--   B1 (11) buys 100, 90, 80, 70 days ago   own gaps 10, 10, 10 → median 10; R 70 → at risk (own, 60 over)
--            WeCom: zhao added 20 days ago (its last interaction)
--   B2 (12) 60, 40, 20                      own gaps 20, 20 → 20; R 20 = 20 → not at risk (not past it)
--   B3 (13) two orders 30 days ago          1 purchase day (same day: one occasion); population after 1 day:
--            gaps day 1 → 2 of B1 10, B2 20, B4 5, B5 2 → median 7.5; R 30 → at risk (22.5 over)
--            joined G1 3 days ago (its last interaction), no relationship
--   B4 (14) 50, 45                          2 days; population after 2 days: day 2 → 3 of B1 10, B2 20 → 15;
--            R 45 → at risk (30 over); no WeCom
--   B5 (15) 12, 10                          2 days, 15; R 10 → not at risk
--   B6 (16) 5                               1 day, 7.5; R 5 → not at risk
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(7);

\ir 400_actions_helpers.psql
-- siyu migrate wrote the configuration's [actions] and audiences: the test sets its own
DELETE FROM etl.setting WHERE key IN ('care_steps', 'at_risk_segments');
DELETE FROM etl.audience;
SELECT pg_temp.customer(k, CASE WHEN k = 11 THEN 'wmB1' END, CASE WHEN k = 11 THEN '张伟' END)
  FROM generate_series(11, 16) k;
SELECT pg_temp.buy(k * 100 + n, k, 1, pg_temp.days_ago(d) + (n || ' minutes')::interval, 10000)
  FROM (VALUES (11, 1, 100), (11, 2, 90), (11, 3, 80), (11, 4, 70),
               (12, 1, 60), (12, 2, 40), (12, 3, 20),
               (13, 1, 30), (13, 2, 30),
               (14, 1, 50), (14, 2, 45),
               (15, 1, 12), (15, 2, 10),
               (16, 1, 5)) AS o (k, n, d);
SELECT pg_temp.contact(1, 11, pg_temp.days_ago(20), '张先生'),
       pg_temp.member(1, 13, pg_temp.days_ago(3));
-- the orders are observed up to now (a nightly run's watermark): R is measured at the end of
-- observation (kpi.customer_value.snapshot_date, docs/kpi.md), here today
INSERT INTO etl.watermark (source, entity, value) VALUES ('fixture_shop', 'orders', now());
INSERT INTO etl.setting (key, value) VALUES ('at_risk_segments',
    'important_value,important_develop,important_retain,important_winback,general_value,general_develop,general_retain,general_winback');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

SELECT results_eq(
    $$SELECT customer_key, orders, purchase_days, recency_days, typical_gap_days, gap_basis, overdue_days
        FROM kpi.at_risk ORDER BY customer_key$$,
    $$VALUES (11::bigint, 4::bigint, 4, 70, 10.0, 'own'::text, 60.0),
             (13, 2, 1, 30, 7.5, 'population', 22.5),
             (14, 2, 2, 45, 15.0, 'population', 30.0)$$,
    'at risk: B1 by its own median gap, B3 and B4 by the population''s for their purchase days; B2 (R = gap), B5, B6 not');
SELECT results_eq(
    $$SELECT customer_key, last_order_date, net_paid_fen, net_paid_yuan, last_interaction, last_interaction_at,
             staff_userid, remark, relationship_active, in_private_domain
        FROM kpi.at_risk ORDER BY customer_key$$,
    $$VALUES (11::bigint, kpi.business_date() - 70, 40000::bigint, 400.00::numeric(14,2), 'wecom add'::text,
              pg_temp.days_ago(20), 'zhao'::text, '张先生'::text, true, true),
             (13, kpi.business_date() - 30, 20000, 200.00, 'group join', pg_temp.days_ago(3), NULL, NULL, false, false),
             (14, kpi.business_date() - 45, 20000, 200.00, 'order', pg_temp.days_ago(45) + interval '2 minutes',
              NULL, NULL, false, false)$$,
    'with the owner, the total paid and the last interaction (a WeCom add, a group join, else the last order)');
SELECT is((SELECT snapshot_date FROM kpi.at_risk LIMIT 1), kpi.business_date(), 'measured at the end of observation (the orders'' watermark: today)');

-- only the configured segments: keep B4's
SELECT segment_code AS b4_segment FROM kpi.customer_value WHERE customer_key = 14 \gset
CREATE TEMP TABLE everyone AS SELECT a.customer_key, v.segment_code FROM kpi.at_risk a JOIN kpi.customer_value v USING (customer_key);
UPDATE etl.setting SET value = :'b4_segment' WHERE key = 'at_risk_segments';
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT set_eq('SELECT customer_key FROM kpi.at_risk',
              format('SELECT customer_key FROM everyone WHERE segment_code = %L', :'b4_segment'),
              'at_risk_segments = B4''s segment: only the at-risk customers of that segment');
SELECT ok((SELECT bool_and(segment_code = :'b4_segment') FROM kpi.at_risk) AND (SELECT count(*) FROM kpi.at_risk) >= 1,
          '… every row is of that segment');

-- the default: the four important_* (M high) segments
DELETE FROM etl.setting WHERE key = 'at_risk_segments';
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT count(*) FROM kpi.at_risk WHERE segment_code NOT LIKE 'important%'), 0::bigint,
          'by default only the important_* segments');

SET LOCAL ROLE bi_reader;
SELECT count(*) AS n FROM kpi.at_risk \gset bi_
RESET ROLE;
SELECT ok(:bi_n >= 0, 'bi_reader reads kpi.at_risk');

SELECT * FROM finish();
ROLLBACK;

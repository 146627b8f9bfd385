-- 400_actions_care.sql — the first-purchase care list (kpi.care_list, kpi.care_due,
-- kpi.customer_owner) against tests/sql/400_actions_fixture.psql (read its header first).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(16);

\ir 400_actions_fixture.psql
-- siyu migrate wrote the configuration's [actions] and audiences: the test sets its own
DELETE FROM etl.setting WHERE key IN ('care_steps', 'at_risk_segments');
DELETE FROM etl.audience;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- care: the list of the day in list_day (set with UPDATE list_day SET d = ...)
CREATE TEMP TABLE list_day (d date);
INSERT INTO list_day VALUES (NULL);
CREATE TEMP VIEW care AS
SELECT list_date, step, customer_key, status, action, staff_userid, relationship_active, repurchased_on
  FROM kpi.care_list((SELECT d FROM list_day));

-- the owner rule: an active relationship first, the earliest added; else the latest ended
SELECT results_eq(
    $$SELECT customer_key, staff_userid, staff_name, external_userid, customer_name, remark, relationship_active,
             ended_by, active_relationships, in_private_domain, groups, in_group, ever_in_group
        FROM kpi.customer_owner ORDER BY customer_key$$,
    $$VALUES (1::bigint, 'zhao'::text, '赵一'::text, 'wmA1'::text, '王小花'::text, '王女士 13912345678'::text, true, NULL::text, 2, true,
              '{老客福利群}'::text[], true, true),
             (2, 'zhao', '赵一', 'wmA2', '李雷', '李先生', false, 'customer', 0, false, '{}', false, false),
             (6, 'qian', '钱二', 'wmA6', '韩梅梅', NULL, true, NULL, 1, true, '{}', false, false),
             (7, 'zhao', '赵一', 'wmA7', '林涛', NULL, true, NULL, 1, true, '{}', false, true)$$,
    'customer_owner: A1 owned by zhao (added first, both active); A2 by zhao (ended last, by the customer)');

-- day 1 after the first qualifying order, on its business day: A1 paid 01-31 00:30 Shanghai (UTC 01-30)
UPDATE list_day SET d = '2026-01-31';
SELECT is_empty('SELECT * FROM care', '01-31: nobody (A1 paid 01-30 in UTC, 01-31 in Shanghai: day 0, not day 1)');
UPDATE list_day SET d = '2026-02-01';
SELECT results_eq('SELECT step, customer_key, status, action, staff_userid, relationship_active FROM care',
    $$VALUES (1, 1::bigint, 'due'::text, 'care'::text, 'zhao'::text, true),
             (1, 2, 'due', 're-add', 'zhao', false)$$,
    '02-01: day 1 of A1 and A2 (first orders 01-31 00:30 and 23:50); A2 deleted zhao: flagged, to re-add');
SELECT results_eq(
    $$SELECT first_order_no, platform, shop_name, first_paid_date, first_paid_fen, first_paid_yuan, groups, in_private_domain
        FROM kpi.care_list('2026-02-01') WHERE customer_key = 1$$,
    $$VALUES ('NO101'::text, 'taobao'::text, '山野天猫旗舰店'::text, '2026-01-31'::date, 9900::bigint, 99.00::numeric, '{老客福利群}'::text[], true)$$,
    'the first order is the first qualifying one, with its shop, and A1''s groups');
SELECT results_eq(
    $$SELECT ended_by, relationship_ended_at FROM kpi.care_list('2026-02-01') WHERE customer_key = 2$$,
    $$VALUES ('customer'::text, '2026-02-02 12:00+08'::timestamptz)$$,
    'A2''s row says who ended the relationship and when');
UPDATE list_day SET d = '2026-02-02';
SELECT results_eq('SELECT step, customer_key, status, action, staff_userid, relationship_active FROM care',
    $$VALUES (1, 3::bigint, 'due'::text, 'invite'::text, NULL::text, false)$$,
    '02-02: day 1 of A3, outside the private domain (no WeCom relationship): invite');
UPDATE list_day SET d = '2026-02-07';
SELECT results_eq('SELECT step, customer_key, status, repurchased_on FROM care',
    $$VALUES (7, 1::bigint, 'due'::text, NULL::date), (7, 2, 'due', NULL)$$,
    '02-07: day 7 of A1 and A2; A2''s repurchase of 02-10 has not happened yet');
UPDATE list_day SET d = '2026-02-15';
SELECT results_eq('SELECT step, customer_key, status, action, repurchased_on FROM care ORDER BY step, customer_key',
    $$VALUES (1, 4::bigint, 'due'::text, 'invite'::text, NULL::date),
             (15, 1, 'due', 'care', NULL),
             (15, 2, 'done', 'none', '2026-02-10')$$,
    '02-15: A2 bought again before day 15 (done); A1''s second order on day 0 is no repurchase; A4''s first qualifying order is 02-14 (the cancelled one does not count)');
-- across the end of February (28 days in 2026): day 30 of 01-31 is 03-02
UPDATE list_day SET d = '2026-03-01';
SELECT results_eq('SELECT step, customer_key FROM care', $$VALUES (15, 4::bigint)$$,
                  '03-01: only A4''s day 15 (A1''s day 30 in UTC dates would fall here)');
UPDATE list_day SET d = '2026-03-02';
SELECT results_eq('SELECT step, customer_key, status FROM care',
    $$VALUES (30, 1::bigint, 'due'::text), (30, 2, 'done')$$, '03-02: day 30 of A1 (due) and A2 (done)');

-- the steps come from [actions] care_steps (etl.setting)
INSERT INTO etl.setting (key, value) VALUES ('care_steps', '2,10');
SELECT is(kpi.action_setting('care_steps'), '2,10', 'kpi.action_setting reads the configured steps');
UPDATE list_day SET d = '2026-02-02';
SELECT results_eq('SELECT step, customer_key FROM care', $$VALUES (2, 1::bigint), (2, 2)$$,
                  'care_steps = 2,10: 02-02 is day 2 of A1 and A2, no longer day 1 of A3');
DELETE FROM etl.setting WHERE key = 'care_steps';
SELECT is(kpi.action_setting('care_steps'), '1,3,7,15,30', 'default steps 1, 3, 7, 15, 30');
SELECT is(kpi.action_setting('timezone'), NULL, 'kpi.action_setting answers only for the action settings');

-- today's list
SELECT results_eq('SELECT list_date, step, customer_key, status, action FROM kpi.care_due',
    $$VALUES (kpi.business_date(), 3, 5::bigint, 'due'::text, 'invite'::text)$$,
    'kpi.care_due is today''s list: A5 paid 3 business days ago');

-- a BI reader reads the list
SET LOCAL ROLE bi_reader;
SELECT count(*) AS n FROM kpi.care_list('2026-02-01') \gset bi_
SELECT count(*) AS due FROM kpi.care_due \gset bi_
RESET ROLE;
SELECT is(:bi_n + :bi_due, 3, 'bi_reader reads kpi.care_list and kpi.care_due');

SELECT * FROM finish();
ROLLBACK;

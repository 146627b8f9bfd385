-- 420_actions_audience.sql — audiences (etl.audience) and their members (kpi.audience_members,
-- kpi.audience) against tests/sql/400_actions_fixture.psql (read its header first).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(16);

\ir 400_actions_fixture.psql
-- siyu migrate wrote the configuration's [actions] and audiences: the test sets its own
DELETE FROM etl.setting WHERE key IN ('care_steps', 'at_risk_segments');
DELETE FROM etl.audience;

-- "Tmall buyers tagged A类 who never joined a group", defined once
INSERT INTO etl.audience (name, title, platforms, tags, in_group, push_tag) VALUES
    ('tmall_a_nogroup', '天猫A类未进群', '{taobao}', '{A类}', 'never', '天猫A类未进群');
INSERT INTO etl.audience (name, min_orders) VALUES ('repeat', 2);
INSERT INTO etl.audience (name, min_paid_fen) VALUES ('big', 10000);
INSERT INTO etl.audience (name, first_order_month) VALUES ('feb', '2026-02-01');
INSERT INTO etl.audience (name, in_group) VALUES ('in_group_now', 'yes');
INSERT INTO etl.audience (name, states) VALUES ('live', '{live_618,live_1111}');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

CREATE TEMP VIEW members AS
SELECT audience, array_agg(customer_key ORDER BY customer_key) AS customers
  FROM kpi.audience_members GROUP BY audience;

SELECT is((SELECT customers FROM members WHERE audience = 'tmall_a_nogroup'), '{6}'::bigint[],
          'tmall_a_nogroup: A6 (A1 is in a group, A7 was in one, A2''s tagged relationship ended, A3 bought on Youzan only)');
SELECT results_eq(
    $$SELECT staff_userid, external_userid, customer_name, relationship_active, orders, net_paid_fen, net_paid_yuan,
             first_order_month
        FROM kpi.audience_members WHERE audience = 'tmall_a_nogroup'$$,
    $$VALUES ('qian'::text, 'wmA6'::text, '韩梅梅'::text, true, 1::bigint, 12800::bigint, 128.00::numeric(14,2),
              '2026-02-01'::date)$$,
    'a member comes with its owner relationship (what siyu push tags) and its numbers');
SELECT is((SELECT customers FROM members WHERE audience = 'repeat'), '{1,2}'::bigint[], 'min_orders 2: A1, A2');
SELECT is((SELECT customers FROM members WHERE audience = 'big'), '{1,6}'::bigint[],
          'min_paid 100 yuan: A1 (118.90 over two orders), A6 (128.00)');
SELECT is((SELECT customers FROM members WHERE audience = 'feb'), '{3,4,6,7}'::bigint[],
          'first_order_month 2026-02: A3, A4 (its 01-31 order was cancelled), A6, A7');
SELECT is((SELECT customers FROM members WHERE audience = 'in_group_now'), '{1}'::bigint[], 'in_group yes: A1');
SELECT is((SELECT customers FROM members WHERE audience = 'live'), '{6}'::bigint[], 'state live_618 or live_1111: A6');

-- a changed definition takes effect at the next refresh, not before
UPDATE etl.audience SET in_group = 'no' WHERE name = 'tmall_a_nogroup';
SELECT is((SELECT customers FROM members WHERE audience = 'tmall_a_nogroup'), '{6}'::bigint[],
          'in_group changed to no: the members stay as refreshed …');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT customers FROM members WHERE audience = 'tmall_a_nogroup'), '{6,7}'::bigint[],
          '… and after the next refresh A7 (left its group) is a member too');
-- so does a change of the data
SELECT pg_temp.member(2, 6, '2026-03-01 12:00+08');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT customers FROM members WHERE audience = 'tmall_a_nogroup'), '{7}'::bigint[],
          'A6 joined a group: gone from the audience after the refresh');

SELECT results_eq(
    $$SELECT name, title, tags, platforms, in_group, push_tag, members, reachable_members FROM kpi.audience WHERE name = 'tmall_a_nogroup'$$,
    $$VALUES ('tmall_a_nogroup'::text, '天猫A类未进群'::text, '{A类}'::text[], '{taobao}'::text[], 'no'::text,
              '天猫A类未进群'::text, 1::bigint, 1::bigint)$$,
    'kpi.audience: the definition with its member counts');
SELECT throws_ok($$INSERT INTO etl.audience (name, message) VALUES ('nomsg', 'hi')$$, '23514', NULL,
                 'a message needs a push_tag');

-- A refresh on a later business date rewrites no member whose row did not change: the date
-- they are as of is one row apart (kpi.audience_refreshed), not in every member row. The zones
-- are 25 hours apart, so their business dates differ whenever the test runs; a row rewritten
-- by REFRESH … CONCURRENTLY gets a new ctid.
UPDATE etl.setting SET value = 'Pacific/Pago_Pago' WHERE key = 'timezone';
REFRESH MATERIALIZED VIEW CONCURRENTLY kpi.audience_refreshed;
REFRESH MATERIALIZED VIEW CONCURRENTLY kpi.audience_member_rows;
CREATE TEMP TABLE member_before AS
SELECT m.audience, m.customer_key, m.ctid::text AS tid, r.refreshed_on FROM kpi.audience_member_rows m, kpi.audience_refreshed r;
UPDATE etl.setting SET value = 'Pacific/Kiritimati' WHERE key = 'timezone';
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT ok((SELECT DISTINCT refreshed_on FROM kpi.audience_members) > (SELECT DISTINCT refreshed_on FROM member_before),
          'refreshed_on moves with the business date of the refresh');
SELECT is((SELECT count(*)::int FROM member_before b
             JOIN kpi.audience_member_rows m ON (m.audience, m.customer_key) = (b.audience, b.customer_key)
            WHERE m.ctid::text <> b.tid), 0,
          'a refresh on a later day writes none of the unchanged members again');
SELECT is((SELECT count(*)::int FROM member_before), (SELECT count(*)::int FROM kpi.audience_members),
          'the same members');
UPDATE etl.setting SET value = 'Asia/Shanghai' WHERE key = 'timezone';

SET LOCAL ROLE bi_reader;
SELECT count(*) AS n FROM kpi.audience WHERE members > 0 \gset bi_
RESET ROLE;
SELECT is(:bi_n, 6, 'bi_reader reads kpi.audience (definitions kept in etl) and the members');

SELECT * FROM finish();
ROLLBACK;

-- 100_kpi_engagement.sql — kpi.engagement_daily / _monthly and kpi.active_customers against the
-- hand-made fixture (tests/sql/100_kpi_fixture.psql: read its header first).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(19);

\ir 100_kpi_fixture.psql
\ir 100_kpi_fixture_merge.psql
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- ---------------------------------------------------------------------------------------------
-- engagement_daily
-- ---------------------------------------------------------------------------------------------
-- 02-01, by staff:
--   lisi:     30 chats, 90 msgs, reply 60 % → 0.6, 9 min; negative 0 ÷ pool at start of 02-01 = 0 (C3 comes at
--             00:30) → NULL; groups 0 ÷ 1 = 0 active, 0 ÷ 2 = 0 speak
--   wangwu:   0 chats (day without chats): reply and minutes NULL; no customers → negative rate 0 ÷ 0 → NULL; no group stats
--   zhangsan: 10 chats, 50 msgs, 0.8, 5 min; negative 1 ÷ pool 2 (C1, C7: C2 left 01-20) = 0.5;
--             groups 1 ÷ 1 = 1, speak 2 ÷ 3 = 0.666667
-- total: chats 10 + 30 + 0 = 40; messages 140; reply = (0.8×10 + 0.6×30) ÷ 40 = 26 ÷ 40 = 0.65
--   (the unweighted mean of 80 % and 60 % would be 0.70); minutes = (5×10 + 9×30) ÷ 40 = 320 ÷ 40 = 8.00;
--   negative 1 ÷ (2 + 0 + 0) = 0.5; group active (1 + 0) ÷ (1 + 1) = 0.5; speak (2 + 0) ÷ (3 + 2) = 0.4
SELECT results_eq(
    $$SELECT dimension_value, staff_with_stats, chat_cnt, message_cnt, reply_base_chats, replied_chats, reply_rate,
             avg_first_reply_minutes, negative_feedback_cnt, contact_pool_start, negative_feedback_rate,
             group_chat_total, group_chat_has_msg, group_active_rate, group_member_total, group_member_has_msg,
             member_speak_rate
        FROM kpi.engagement_daily WHERE date_key = 20240201 ORDER BY dimension, dimension_value$$,
    $$VALUES ('lisi'::text, 1::bigint, 30::bigint, 90::bigint, 30::bigint, 18.0000::numeric(16,4), 0.6::numeric, 9.00::numeric,
              0::bigint, 0::bigint, NULL::numeric, 1::bigint, 0::bigint, 0::numeric, 2::bigint, 0::bigint, 0::numeric),
             ('wangwu', 1, 0, 0, 0, 0.0000, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
             ('zhangsan', 1, 10, 50, 10, 8.0000, 0.8, 5.00, 1, 2, 0.5, 1, 1, 1, 3, 2, 0.666667),
             ('all', 3, 40, 140, 40, 26.0000, 0.65, 8.00, 1, 2, 0.5, 2, 1, 0.5, 5, 2, 0.4)$$,
    'engagement_daily 2024-02-01 by staff and total (reply rate weighted by chats)');
SELECT isnt((SELECT reply_rate FROM kpi.engagement_daily WHERE dimension = 'total' AND date_key = 20240201),
            (SELECT avg(reply_percentage) / 100 FROM dw.fact_staff_daily WHERE date_key = 20240201),
            'the total reply rate is not the unweighted average of the staff percentages');
-- 02-02: zhangsan 0 chats (NULL reply/min), negative 0 ÷ 2 = 0; lisi 5 chats 100 % 2 min, negative 1 ÷ 1 (C3) = 1,
--   groups 1 ÷ 1, speak 1 ÷ 3; total: reply 5 ÷ 5 = 1 (the day without chats weighs 0), 2.00 min,
--   negative 1 ÷ (2 + 1) = 0.333333
SELECT results_eq(
    $$SELECT dimension_value, chat_cnt, reply_rate, avg_first_reply_minutes, negative_feedback_rate, group_active_rate,
             member_speak_rate
        FROM kpi.engagement_daily WHERE date_key = 20240202 ORDER BY dimension, dimension_value$$,
    $$VALUES ('lisi'::text, 5::bigint, 1::numeric, 2.00::numeric, 1::numeric, 1::numeric, 0.333333::numeric),
             ('zhangsan', 0, NULL, NULL, 0, NULL, NULL),
             ('all', 5, 1, 2.00, 0.333333, 1, 0.333333)$$,
    'engagement_daily 2024-02-02: a staff member without chats has NULL rates and does not dilute the total');
SELECT is((SELECT count(*) FROM kpi.engagement_daily WHERE date_key NOT IN (20240201, 20240202)), 0::bigint,
          'no rows for days without statistics');

-- ---------------------------------------------------------------------------------------------
-- engagement_monthly (February)
-- ---------------------------------------------------------------------------------------------
-- total: chats 40 + 5 = 45; messages 140 + 20 = 160; reply = (8 + 18 + 5) ÷ 45 = 31 ÷ 45 = 0.688889
--   (the mean of the daily rates 0.65 and 1 would be 0.825; of the three percentages 0.8);
--   minutes = (50 + 270 + 10) ÷ 45 = 330 ÷ 45 = 7.33; negative 1 + 1 = 2 ÷ pools at 02-01 00:00 (zhangsan 2,
--   lisi 0, wangwu 0) = 2 → 1.0; group active (1 + 0 + 1) ÷ (1 + 1 + 1) = 0.666667; speak (2 + 0 + 1) ÷ (3 + 2 + 3) = 0.375
-- lisi: reply (18 + 5) ÷ 35 = 0.657143, minutes (270 + 10) ÷ 35 = 8.00, negative 1 ÷ 0 → NULL,
--   active (0 + 1) ÷ 2 = 0.5, speak (0 + 1) ÷ (2 + 3) = 0.2
SELECT results_eq(
    $$SELECT dimension_value, staff_with_stats, stat_days, chat_cnt, message_cnt, reply_rate, avg_first_reply_minutes,
             negative_feedback_cnt, contact_pool_start, negative_feedback_rate, group_active_rate, member_speak_rate, group_msg_total
        FROM kpi.engagement_monthly WHERE month_start = '2024-02-01' ORDER BY dimension, dimension_value$$,
    $$VALUES ('lisi'::text, 1::bigint, 2::bigint, 35::bigint, 110::bigint, 0.657143::numeric, 8.00::numeric, 1::bigint, 0::bigint,
              NULL::numeric, 0.5::numeric, 0.2::numeric, 4::bigint),
             ('wangwu', 1, 1, 0, 0, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL),
             ('zhangsan', 1, 2, 10, 50, 0.8, 5.00, 1, 2, 0.5, 1, 0.666667, 15),
             ('all', 3, 5, 45, 160, 0.688889, 7.33, 2, 2, 1, 0.666667, 0.375, 19)$$,
    'engagement_monthly February 2024 (weighted by chats, ratios of sums)');
-- a BI tool re-aggregating the daily rows with the component columns gets the monthly rate
SELECT is((SELECT round(sum(replied_chats) / sum(reply_base_chats), 6) FROM kpi.engagement_daily
            WHERE dimension = 'total' AND date_key BETWEEN 20240201 AND 20240229),
          (SELECT reply_rate FROM kpi.engagement_monthly WHERE dimension = 'total' AND month_start = '2024-02-01'),
          'Σ replied_chats ÷ Σ reply_base_chats of the days = the monthly reply rate');

-- ---------------------------------------------------------------------------------------------
-- active_customers
-- ---------------------------------------------------------------------------------------------
-- Interactions (customer: business dates):
--   C1: 01-05 (R1 add, O1), 01-06 (joins G1), 01-20 (O2), 02-10 (R2 add, O3 after the merge), 02-11 (joins G2)
--   C2: 01-05 (add), 01-08 (joins G1), 01-20 (deletes S1 — the customer's action), 01-31 (O4), 02-03 (re-add), 03-01 (O5)
--   C3: 02-01 (add 00:30), 02-02 (joins G2) — O6 refunded and O7 cancelled are not qualifying
--   C4: 02-15 (add and delete)    C5: 03-10 (add), 03-20 (O10), 05-10 (O14)    C6: 03-03 (O9; O8 unpaid)
--   C7: 01-08 (O12), 01-10 (add), 02-20 (O13)    C8: 02-01 (joins G1 00:10)
--   not interactions: S2 deleting C1 on 03-05 (staff side), the guest order O11 on 03-05
SELECT results_eq(
    $$SELECT date_key, dau, wau_7d, mau_30d, stickiness_rate FROM kpi.active_customers
       WHERE date_key IN (20240105, 20240107, 20240108, 20240131, 20240201, 20240229, 20240301, 20240305)
       ORDER BY date_key$$,
    $$VALUES -- 01-05: C1, C2; stickiness 2 ÷ 2
             (20240105, 2::bigint, 2::bigint, 2::bigint, 1::numeric),
             -- 01-07: nobody; 7 days 01-01..01-07 = C1, C2; 0 ÷ 2 = 0
             (20240107, 0, 2, 2, 0),
             -- 01-08: C2 (G1), C7 (O12); 7 days 01-02..01-08 = C1, C2, C7; 2 ÷ 3
             (20240108, 2, 3, 3, 0.666667),
             -- 01-31: C2 (O4); 7 days 01-25..01-31 = C2; 30 days 01-02..01-31 = C1, C2, C7; 1 ÷ 3
             (20240131, 1, 1, 3, 0.333333),
             -- 02-01: C3, C8 (both just after midnight Shanghai, 01-31 in UTC); 7 days 01-26..02-01 = C2, C3, C8;
             -- 30 days 01-03..02-01 = C1, C2, C7, C3, C8 = 5; 2 ÷ 5
             (20240201, 2, 3, 5, 0.4),
             -- 02-29: nobody; 7 days 02-23..02-29 = none; 30 days 01-31..02-29 = C1, C2, C3, C4, C7, C8 = 6
             (20240229, 0, 0, 6, 0),
             -- 03-01: C2 (O5 paid 00:05); 7 days 02-24..03-01 = C2; 30 days 01-31..03-01 = the same 6; 1 ÷ 6
             (20240301, 1, 1, 6, 0.166667),
             -- 03-05: the staff-side delete and the guest order are not customer interactions → 0;
             -- 7 days 02-28..03-05 = C2, C6 (03-03); 30 days 02-05..03-05 = C1 (02-10, 02-11), C2, C4, C6, C7 (02-20) = 5
             (20240305, 0, 2, 5, 0)$$,
    'DAU / rolling WAU / rolling MAU / stickiness on chosen days (hand-computed)');
-- C5's last interaction is 05-10: covered by the 30-day window through 06-08, not on 06-09
SELECT results_eq(
    $$SELECT date_key, mau_30d, stickiness_rate FROM kpi.active_customers WHERE date_key IN (20240608, 20240609) ORDER BY 1$$,
    $$VALUES (20240608, 1::bigint, 0::numeric), (20240609, 0, NULL)$$,
    'window edge: 05-10 + 29 days is the last day counted; MAU 0 → stickiness NULL');
SELECT is((SELECT dau FROM kpi.active_customers WHERE date_key = 20240215), 1::bigint,
          'C4 added and deleting on 02-15 is one active customer');
-- calendar periods: Jan = C1, C2, C7 = 3; Feb = C1, C2, C3, C4, C7, C8 = 6; Mar = C1? no (03-05 was staff) →
--   C2 (03-01), C5 (03-10, 03-20), C6 (03-03) = 3; ISO W05 (01-29..02-04) = C2 (01-31, 02-03), C3, C8 = 3
SELECT results_eq(
    $$SELECT DISTINCT month_start, month_active_customers FROM kpi.active_customers
       WHERE month_start < '2024-06-01' ORDER BY 1$$,
    $$VALUES ('2024-01-01'::date, 3::bigint), ('2024-02-01', 6), ('2024-03-01', 3), ('2024-04-01', 0), ('2024-05-01', 1)$$,
    'calendar-month active customers (one value per month, repeated on its days)');
SELECT is((SELECT DISTINCT week_active_customers FROM kpi.active_customers WHERE week_start = '2024-01-29'), 3::bigint,
          'ISO week 2024-W05 active customers (same value on each of its days)');
SELECT is((SELECT min(date_key) FROM kpi.active_customers), 20240105, 'series starts at the first interaction');
SELECT is((SELECT max(date_key) FROM kpi.active_customers), 20240630,
          'series runs to the end of observation (06-30), not to today');
-- cross-check the rolling windows against a brute-force count on every day of 2024-01..06
SELECT is((SELECT count(*) FROM kpi.active_customers a
            CROSS JOIN LATERAL (
                  SELECT count(DISTINCT x.customer_key) FILTER (WHERE x.d = a.date)    AS dau,
                         count(DISTINCT x.customer_key) FILTER (WHERE x.d > a.date - 7) AS wau,
                         count(DISTINCT x.customer_key)                                  AS mau
                    FROM (SELECT customer_key, to_date(date_key::text, 'YYYYMMDD') AS d FROM (
                            SELECT customer_key, paid_date_key AS date_key FROM dw.fact_order
                             WHERE is_qualifying AND customer_key IS NOT NULL
                            UNION ALL SELECT customer_key, dw.date_key_of(added_at) FROM dw.fact_contact
                            UNION ALL SELECT customer_key, date_key FROM dw.fact_contact_event
                             WHERE event_type = 'add' OR removed_by = 'customer'
                            UNION ALL SELECT customer_key, dw.date_key_of(joined_at) FROM dw.fact_group_member
                             WHERE member_type = 'customer') u) x
                   WHERE x.d BETWEEN a.date - 29 AND a.date) b
            WHERE a.date_key BETWEEN 20240101 AND 20240630
              AND (a.dau, a.wau_7d, a.mau_30d) IS DISTINCT FROM (b.dau, b.wau, b.mau)), 0::bigint,
          'DAU and rolling WAU/MAU equal a brute-force distinct count on every day of H1 2024');

-- the refund of an order removes the interaction at the next refresh: O9 (C6, 03-03) refunded
UPDATE dw.fact_order SET status = 'refunded', refund_fen = 7000, is_qualifying = false, order_seq = NULL WHERE order_key = 9;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT results_eq(
    $$SELECT dau, month_active_customers FROM kpi.active_customers WHERE date_key = 20240303$$,
    $$VALUES (0::bigint, 2::bigint)$$,
    'after O9 is refunded C6 is no longer active on 03-03 (March: C2, C5 = 2)');

-- ---------------------------------------------------------------------------------------------
-- zero denominators on empty statistics
-- ---------------------------------------------------------------------------------------------
INSERT INTO dw.fact_staff_daily (staff_key, date_key, chat_cnt, message_cnt, reply_percentage, avg_reply_time_minutes,
                                 negative_feedback_cnt, new_apply_cnt, new_contact_cnt)
VALUES (3, 20240301, 0, 0, NULL, NULL, 0, 0, 0);
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT results_eq(
    $$SELECT chat_cnt, reply_rate, avg_first_reply_minutes, negative_feedback_rate, group_active_rate, member_speak_rate
        FROM kpi.engagement_monthly WHERE dimension = 'total' AND month_start = '2024-03-01'$$,
    $$VALUES (0::bigint, NULL::numeric, NULL::numeric, NULL::numeric, NULL::numeric, NULL::numeric)$$,
    'a month with only a chat-less day: every rate NULL, no division error');
SELECT is((SELECT count(*) FROM kpi.engagement_daily WHERE date_key = 20240301), 2::bigint,
          'that day has a staff row and a total row');
DELETE FROM dw.fact_staff_daily; DELETE FROM dw.fact_group_daily;
DELETE FROM dw.fact_order; DELETE FROM dw.fact_contact_event; DELETE FROM dw.fact_contact; DELETE FROM dw.fact_group_member;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT count(*) FROM kpi.engagement_monthly), 0::bigint, 'no statistics: engagement views are empty');
SELECT is((SELECT count(*) FROM kpi.active_customers), 0::bigint, 'no interactions: active_customers is empty');

SELECT * FROM finish();
ROLLBACK;

-- 100_kpi_sales.sql — kpi.sales_daily / kpi.sales_monthly against the hand-made fixture
-- (tests/sql/100_kpi_fixture.psql: read its header first).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(20);

\ir 100_kpi_fixture.psql
\ir 100_kpi_fixture_merge.psql
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset

-- ---------------------------------------------------------------------------------------------
-- monthly, total
-- ---------------------------------------------------------------------------------------------
-- Jan (paid dates in Jan): O1 10000, O2 5000 (refund 2000), O4 3000 (01-31 23:35), O12 2000
--   paid_orders 4; gmv 10000+5000+3000+2000 = 20000; refund 2000; net 18000; refund_rate 2000 ÷ 20000 = 0.1;
--   refunded_orders 1 (O2), 1 ÷ 4 = 0.25; qualifying 4, sales 18000; buyers C1, C2, C7 = 3;
--   aov 18000 ÷ 4 = 4500; per buyer 18000 ÷ 3 = 6000
-- Feb: O3 8000, O6 6000 (fully refunded: refund 6000, not qualifying), O13 2500 — O5 is paid 03-01, O7 never paid
--   paid_orders 3; gmv 16500; refund 6000; net 10500; refund_rate 6000 ÷ 16500 = 0.363636…;
--   refunded 1 ÷ 3 = 0.333333; qualifying O3, O13 = 2, sales 8000 + 2500 = 10500; buyers C1 (O3 after the merge), C7 = 2;
--   aov 10500 ÷ 2 = 5250; per buyer 5250
-- Mar: O5 4000 (paid 03-01 00:05 Shanghai), O9 7000, O10 9900, O11 1000 (guest) — O8 unpaid
--   paid_orders 4; gmv 21900; refund 0, rate 0; qualifying 4, sales 21900; buyers C2, C6, C5 = 3 (guest not a buyer);
--   guest_orders 1; aov 21900 ÷ 4 = 5475; per buyer (4000 + 7000 + 9900) ÷ 3 = 20900 ÷ 3 = 6966.67 → 6967
-- Apr: no paid order → zeros, and every rate/average NULL (zero denominators)
-- May: O14 1200
SELECT results_eq(
    $$SELECT month_start, paid_orders, gmv_fen, refund_fen, net_sales_fen, refund_rate, refunded_orders, refunded_order_rate,
             qualifying_orders, qualifying_sales_fen, buyers, guest_orders, aov_fen, sales_per_buyer_fen
        FROM kpi.sales_monthly WHERE dimension = 'total' AND month_start < '2024-06-01' ORDER BY month_start$$,
    $$VALUES ('2024-01-01'::date, 4::bigint, 20000::bigint, 2000::bigint, 18000::bigint, 0.1::numeric, 1::bigint, 0.25::numeric,
              4::bigint, 18000::bigint, 3::bigint, 0::bigint, 4500::bigint, 6000::bigint),
             ('2024-02-01', 3, 16500, 6000, 10500, 0.363636, 1, 0.333333, 2, 10500, 2, 0, 5250, 5250),
             ('2024-03-01', 4, 21900, 0, 21900, 0, 0, 0, 4, 21900, 3, 1, 5475, 6967),
             ('2024-04-01', 0, 0, 0, 0, NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL),
             ('2024-05-01', 1, 1200, 0, 1200, 0, 0, 0, 1, 1200, 1, 0, 1200, 1200)$$,
    'sales_monthly total Jan–May 2024 (hand-computed)');
-- yuan twins: 20000 fen = 200.00, 4500 fen = 45.00, 6967 fen = 69.67
SELECT results_eq(
    $$SELECT month_start, gmv_yuan, refund_yuan, net_sales_yuan, qualifying_sales_yuan, aov_yuan, sales_per_buyer_yuan
        FROM kpi.sales_monthly WHERE dimension = 'total' AND month_start IN ('2024-01-01', '2024-03-01') ORDER BY 1$$,
    $$VALUES ('2024-01-01'::date, 200.00::numeric(14,2), 20.00::numeric(14,2), 180.00::numeric(14,2), 180.00::numeric(14,2),
              45.00::numeric(14,2), 60.00::numeric(14,2)),
             ('2024-03-01', 219.00, 0.00, 219.00, 219.00, 54.75, 69.67)$$,
    'yuan columns are the fen columns ÷ 100, numeric(14,2)');
SELECT is((SELECT count(*) FROM kpi.sales_monthly
            WHERE gmv_yuan * 100 <> gmv_fen OR refund_yuan * 100 <> refund_fen OR net_sales_yuan * 100 <> net_sales_fen
               OR qualifying_sales_yuan * 100 <> qualifying_sales_fen OR aov_yuan * 100 <> aov_fen
               OR sales_per_buyer_yuan * 100 <> sales_per_buyer_fen), 0::bigint,
          'every monthly yuan column equals its fen column to the fen');
SELECT is((SELECT count(*) FROM kpi.sales_daily
            WHERE gmv_yuan * 100 <> gmv_fen OR net_sales_yuan * 100 <> net_sales_fen OR aov_yuan * 100 <> aov_fen),
          0::bigint, 'every daily yuan column equals its fen column to the fen');

-- ---------------------------------------------------------------------------------------------
-- by channel / platform, no double counting
-- ---------------------------------------------------------------------------------------------
-- Jan: tb1 = O1 10000 + O4 3000 = 13000, buyers C1, C2; yz1 = O2 5000 (refund 2000) + O12 2000 = 7000,
--   refund_rate 2000 ÷ 7000 = 0.285714…, qualifying sales 3000 + 2000 = 5000, buyers C1, C7.
--   C1 bought in both shops: 2 + 2 = 4 channel buyers, 3 total buyers.
SELECT results_eq(
    $$SELECT dimension_value, dimension_label, platform, channel_key, paid_orders, gmv_fen, refund_fen, refund_rate,
             qualifying_sales_fen, buyers, aov_fen
        FROM kpi.sales_monthly WHERE dimension = 'channel' AND month_start = '2024-01-01' ORDER BY dimension_value$$,
    $$VALUES ('taobao/tb1'::text, '淘宝旗舰店'::text, 'taobao'::text, 1, 2::bigint, 13000::bigint, 0::bigint, 0::numeric,
              13000::bigint, 2::bigint, 6500::bigint),
             ('youzan/yz1', '有赞微商城', 'youzan', 2, 2, 7000, 2000, 0.285714, 5000, 2, 2500)$$,
    'sales_monthly by channel, January');
SELECT is((SELECT count(*) FROM (
             SELECT month_start FROM kpi.sales_monthly
              GROUP BY month_start
             HAVING sum(gmv_fen) FILTER (WHERE dimension = 'channel') <> sum(gmv_fen) FILTER (WHERE dimension = 'total')
                 OR sum(gmv_fen) FILTER (WHERE dimension = 'platform') <> sum(gmv_fen) FILTER (WHERE dimension = 'total')
                 OR sum(refund_fen) FILTER (WHERE dimension = 'channel') <> sum(refund_fen) FILTER (WHERE dimension = 'total')
                 OR sum(paid_orders) FILTER (WHERE dimension = 'channel') <> sum(paid_orders) FILTER (WHERE dimension = 'total')) x),
          0::bigint, 'money and order counts of the channels add up to the total every month');
SELECT is((SELECT sum(buyers) FROM kpi.sales_monthly WHERE dimension = 'channel' AND month_start = '2024-01-01'), 4::numeric,
          'January channel buyers 2 + 2 = 4 (C1 in both shops) …');
SELECT is((SELECT buyers FROM kpi.sales_monthly WHERE dimension = 'total' AND month_start = '2024-01-01'), 3::bigint,
          '… and the total counts C1 once: 3');
-- all paid orders: 14 orders − O7 (cancelled unpaid) − O8 (unpaid) = 12; gmv 20000 + 16500 + 21900 + 1200 = 59600
SELECT results_eq(
    $$SELECT sum(paid_orders), sum(gmv_fen) FROM kpi.sales_daily WHERE dimension = 'total'$$,
    $$VALUES (12::numeric, 59600::numeric)$$,
    'never-paid orders (cancelled O7, unpaid O8) are not sales; the other 12 are, once');

-- ---------------------------------------------------------------------------------------------
-- daily: business time zone
-- ---------------------------------------------------------------------------------------------
-- O4 paid 2024-01-31 23:35 Shanghai (15:35 UTC): Jan 31. O5 paid 2024-03-01 00:05 Shanghai = 02-29 16:05 UTC:
-- March 1, not Feb 29 (a UTC date would move 4000 fen into February).
SELECT results_eq(
    $$SELECT date_key, paid_orders, gmv_fen, qualifying_orders FROM kpi.sales_daily
       WHERE dimension = 'total' AND date_key IN (20240131, 20240229, 20240301) ORDER BY date_key$$,
    $$VALUES (20240131, 1::bigint, 3000::bigint, 1::bigint), (20240229, 0, 0, 0), (20240301, 1, 4000, 1)$$,
    'orders at 23:35 and 00:05 Shanghai land on their Shanghai dates');
SELECT results_eq(
    $$SELECT refund_rate, aov_fen, sales_per_buyer_fen, refunded_order_rate FROM kpi.sales_daily
       WHERE dimension = 'total' AND date_key = 20240229$$,
    $$VALUES (NULL::numeric, NULL::bigint, NULL::bigint, NULL::numeric)$$,
    'a day without sales: rates and averages NULL, not a division error');
-- 02-05: O6 paid 6000 and fully refunded: gmv 6000, refund 6000, refund_rate 1, no qualifying order
SELECT results_eq(
    $$SELECT paid_orders, gmv_fen, refund_fen, net_sales_fen, refund_rate, qualifying_orders, buyers, aov_fen
        FROM kpi.sales_daily WHERE dimension = 'total' AND date_key = 20240205$$,
    $$VALUES (1::bigint, 6000::bigint, 6000::bigint, 0::bigint, 1::numeric, 0::bigint, 0::bigint, NULL::bigint)$$,
    'a fully refunded order: in gmv and refunds, not a qualifying order');
-- 01-20: O2 5000 partially refunded 2000: qualifying, sales 3000
SELECT results_eq(
    $$SELECT gmv_fen, refund_fen, qualifying_orders, qualifying_sales_fen, aov_fen, refund_rate
        FROM kpi.sales_daily WHERE dimension = 'channel' AND dimension_value = 'youzan/yz1' AND date_key = 20240120$$,
    $$VALUES (5000::bigint, 2000::bigint, 1::bigint, 3000::bigint, 3000::bigint, 0.4::numeric)$$,
    'a partially refunded order stays qualifying with its net amount (5000 − 2000 = 3000), refund_rate 0.4');
SELECT is((SELECT min(date_key) FROM kpi.sales_daily WHERE dimension = 'channel' AND dimension_value = 'youzan/yz1'),
          20240108, 'a channel''s series starts at its first paid order (O12, 01-08)');
SELECT is((SELECT max(date_key) FROM kpi.sales_daily WHERE dimension = 'total'), 20240630,
          'daily series runs to the end of observation (06-30), not to today');
SELECT is((SELECT count(*) FROM kpi.sales_daily WHERE dimension = 'total' AND date_key BETWEEN 20240201 AND 20240229),
          29::bigint, 'February 2024 has 29 daily rows (dense, leap year)');

-- ---------------------------------------------------------------------------------------------
-- an order updated after a refresh
-- ---------------------------------------------------------------------------------------------
-- O9 (C6, 7000, paid 03-03) is refunded in full; the loader writes the new version.
UPDATE dw.fact_order SET status = 'refunded', refund_fen = 7000, is_qualifying = false, order_seq = NULL,
                         is_first_order = false, source_version = '2024-03-10 00:00+08'
 WHERE order_key = 9;
SELECT is((SELECT qualifying_orders FROM kpi.sales_monthly WHERE dimension = 'total' AND month_start = '2024-03-01'),
          4::bigint, 'before the refresh March still shows 4 qualifying orders');
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
-- Mar after: paid_orders 4, gmv 21900 (unchanged: still paid in March); refund 7000, rate 7000 ÷ 21900 = 0.319635…;
--   refunded 1 ÷ 4 = 0.25; qualifying O5, O10, O11 = 3, sales 4000 + 9900 + 1000 = 14900; buyers C2, C5 = 2;
--   aov 14900 ÷ 3 = 4966.67 → 4967; per buyer (4000 + 9900) ÷ 2 = 6950
SELECT results_eq(
    $$SELECT paid_orders, gmv_fen, refund_fen, net_sales_fen, refund_rate, refunded_order_rate, qualifying_orders,
             qualifying_sales_fen, buyers, aov_fen, sales_per_buyer_fen
        FROM kpi.sales_monthly WHERE dimension = 'total' AND month_start = '2024-03-01'$$,
    $$VALUES (4::bigint, 21900::bigint, 7000::bigint, 14900::bigint, 0.319635::numeric, 0.25::numeric, 3::bigint,
              14900::bigint, 2::bigint, 4967::bigint, 6950::bigint)$$,
    'after refresh March reflects the refund of O9');
SELECT results_eq(
    $$SELECT qualifying_orders, buyers, refund_fen FROM kpi.sales_daily WHERE dimension = 'total' AND date_key = 20240303$$,
    $$VALUES (0::bigint, 0::bigint, 7000::bigint)$$,
    'and so does 03-03 in sales_daily');

-- ---------------------------------------------------------------------------------------------
-- empty warehouse
-- ---------------------------------------------------------------------------------------------
DELETE FROM dw.fact_order;
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT count(*) FROM kpi.sales_monthly), 0::bigint, 'no orders: sales views are empty, no error');

SELECT * FROM finish();
ROLLBACK;

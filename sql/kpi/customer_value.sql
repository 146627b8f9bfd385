-- kpi/customer_value.sql — per-customer value and RFM segment: kpi.customer_value
-- requires: kpi/customer_orders.sql kpi/customer_score.sql kpi/pool_membership.sql functions/kpi.business_date.sql functions/etl.drop_kpi_relation.sql

-- A plain view: what depends only on each customer's orders is kept in kpi.customer_orders,
-- the quintiles over all customers in kpi.customer_score (both maintained by kpi.refresh());
-- what depends on the end of observation (snapshot_date, recency_days) is computed here at
-- read time, from the end of observation kpi.customer_orders was last brought up to (its
-- mark in etl.change_mark), so that the rows stay as of the last refresh.
-- the materialized view of earlier versions, or this view
SELECT etl.drop_kpi_relation('kpi.customer_value');
CREATE VIEW kpi.customer_value AS
WITH pd AS (
    SELECT customer_key,
           min(entered_at)                 AS first_contact_at,
           bool_or(left_at IS NULL)        AS in_private_domain
      FROM kpi.pool_membership
     WHERE pool = 'contact' AND dimension = 'total'
     GROUP BY customer_key
), b AS (
    SELECT kpi.business_date(m.end_of_observation) AS eoo_date
      FROM etl.change_mark m WHERE m.consumer = 'kpi.customer_orders'
)
SELECT x.customer_key,
       x.first_order_at,
       x.last_order_at,
       x.first_order_date,
       x.last_order_date,
       x.orders,
       x.paid_fen,
       x.paid_yuan,
       x.refund_fen,
       x.refund_yuan,
       x.net_paid_fen,
       x.net_paid_yuan,
       round(x.net_paid_fen::numeric / x.orders)::bigint                AS aov_fen,
       (round(x.net_paid_fen::numeric / x.orders) / 100.0)::numeric(14,2) AS aov_yuan,
       b.eoo_date                                                       AS snapshot_date,
       b.eoo_date - x.last_order_date                                   AS recency_days,
       sc.r_score,
       sc.f_score,
       sc.m_score,
       sc.r_score::text || sc.f_score::text || sc.m_score::text         AS rfm_code,
       seg.segment_code,
       seg.segment_cn,
       seg.segment_en,
       pd.first_contact_at,
       coalesce(pd.in_private_domain, false)                            AS in_private_domain
  FROM kpi.customer_orders x
  JOIN kpi.customer_score sc USING (customer_key)
  LEFT JOIN b ON true
  LEFT JOIN pd USING (customer_key)
  JOIN (VALUES
        (true,  true,  true,  'important_value',   '重要价值', 'Important value'),
        (true,  false, true,  'important_develop', '重要发展', 'Important development'),
        (false, true,  true,  'important_retain',  '重要保持', 'Important retention'),
        (false, false, true,  'important_winback', '重要挽留', 'Important win-back'),
        (true,  true,  false, 'general_value',     '一般价值', 'General value'),
        (true,  false, false, 'general_develop',   '一般发展', 'General development'),
        (false, true,  false, 'general_retain',    '一般保持', 'General retention'),
        (false, false, false, 'general_winback',   '一般挽留', 'General win-back')
       ) AS seg (r_high, f_high, m_high, segment_code, segment_cn, segment_en)
    ON seg.r_high = (sc.r_score >= 3) AND seg.f_high = (sc.f_score >= 3) AND seg.m_high = (sc.m_score >= 3);

COMMENT ON VIEW kpi.customer_value IS
  'Customer value and RFM segment. Grain: one row per identified customer with ≥ 1 qualifying order '
  '(dw.fact_order.is_qualifying: paid, not cancelled, not fully refunded); customers without one (contacts who never bought) '
  'and guest orders are not here. Merged customers appear once, under the surviving key, with all their orders. '
  'first/last order = first/last qualifying payment; orders = F = number of qualifying orders; net_paid (historic LTV) = '
  'M = Σ (paid_fen − refund_fen) over them (partial refunds netted); aov = net_paid ÷ orders, rounded to the fen. '
  'snapshot_date = business date of the end of observation (kpi.end_of_observation(''orders''), never the wall clock); recency_days = R = snapshot_date − last_order_date. Scores 1–5 are '
  'quintiles by ntile(5) over all rows of this view, ordered by (value, customer_key): R by recency_days descending (most '
  'recent = 5), F by orders, M by net_paid (highest = 5); equal values are split by customer_key (the lower key gets the '
  'lower score), so each score holds ~20 % of customers even when most have F = 1. Segment: the common 8-class RFM scheme '
  'on whether each score is >= 3 (high) — R high F high M high 重要价值 / R high F low M high 重要发展 / R low F high M high '
  '重要保持 / R low F low M high 重要挽留 / the same with M low: 一般价值 / 一般发展 / 一般保持 / 一般挽留.';
COMMENT ON COLUMN kpi.customer_value.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.customer_value.first_order_at IS 'Payment time of the first qualifying order.';
COMMENT ON COLUMN kpi.customer_value.last_order_at IS 'Payment time of the last qualifying order.';
COMMENT ON COLUMN kpi.customer_value.first_order_date IS 'Business date of the first qualifying payment.';
COMMENT ON COLUMN kpi.customer_value.last_order_date IS 'Business date of the last qualifying payment.';
COMMENT ON COLUMN kpi.customer_value.orders IS 'Qualifying orders (F).';
COMMENT ON COLUMN kpi.customer_value.paid_fen IS 'Σ paid_fen of the qualifying orders, fen, before refunds.';
COMMENT ON COLUMN kpi.customer_value.paid_yuan IS 'paid_fen in yuan.';
COMMENT ON COLUMN kpi.customer_value.refund_fen IS 'Σ refund_fen of the qualifying orders (partial refunds), fen.';
COMMENT ON COLUMN kpi.customer_value.refund_yuan IS 'refund_fen in yuan.';
COMMENT ON COLUMN kpi.customer_value.net_paid_fen IS 'paid_fen − refund_fen: total paid, historic LTV (M), fen.';
COMMENT ON COLUMN kpi.customer_value.net_paid_yuan IS 'net_paid_fen in yuan.';
COMMENT ON COLUMN kpi.customer_value.aov_fen IS 'net_paid_fen ÷ orders (average order value), rounded to the fen.';
COMMENT ON COLUMN kpi.customer_value.aov_yuan IS 'aov_fen in yuan.';
COMMENT ON COLUMN kpi.customer_value.snapshot_date IS 'Business date the scores were computed for: the end of observation of the orders.';
COMMENT ON COLUMN kpi.customer_value.recency_days IS 'snapshot_date − last_order_date, days (R).';
COMMENT ON COLUMN kpi.customer_value.r_score IS 'Recency quintile 1–5 (5 = most recent), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_value.f_score IS 'Frequency quintile 1–5 (5 = most orders), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_value.m_score IS 'Monetary quintile 1–5 (5 = highest net_paid), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_value.rfm_code IS 'r_score, f_score, m_score as three digits, e.g. ''535''.';
COMMENT ON COLUMN kpi.customer_value.segment_code IS 'Segment id: important_value, important_develop, important_retain, important_winback, general_value, general_develop, general_retain, general_winback.';
COMMENT ON COLUMN kpi.customer_value.segment_cn IS 'Segment name in Chinese: 重要价值 / 重要发展 / 重要保持 / 重要挽留 / 一般价值 / 一般发展 / 一般保持 / 一般挽留.';
COMMENT ON COLUMN kpi.customer_value.segment_en IS 'Segment name in English (Important value, …, General win-back).';
COMMENT ON COLUMN kpi.customer_value.first_contact_at IS 'When the customer first entered the private domain (first WeCom relationship); NULL if never.';
COMMENT ON COLUMN kpi.customer_value.in_private_domain IS 'true when the customer has an active WeCom relationship in the warehouse''s latest WeCom snapshot.';

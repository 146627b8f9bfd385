-- kpi/customer_value.sql — per-customer value and RFM segment: kpi.customer_value
-- requires: kpi/customer_rfm.sql functions/kpi.business_date.sql functions/etl.comment_columns_like.sql functions/etl.drop_kpi_relation.sql

-- A plain view: what depends only on each customer's orders is kept in kpi.customer_orders,
-- the quintiles over all customers and the rest in kpi.customer_rfm (both maintained by
-- kpi.refresh()); what depends on the end of observation (snapshot_date, recency_days) is
-- computed here at read time, from the end of observation kpi.customer_orders was last
-- brought up to (its mark in etl.change_mark), so that the rows stay as of the last refresh.
-- the materialized view of earlier versions, or this view
SELECT etl.drop_kpi_relation('kpi.customer_value');
CREATE VIEW kpi.customer_value AS
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
       x.aov_fen,
       x.aov_yuan,
       b.eoo_date                     AS snapshot_date,
       b.eoo_date - x.last_order_date AS recency_days,
       x.r_score,
       x.f_score,
       x.m_score,
       x.rfm_code,
       x.segment_code,
       x.segment_cn,
       x.segment_en,
       x.first_contact_at,
       x.in_private_domain
  FROM kpi.customer_rfm x
  LEFT JOIN (SELECT kpi.business_date(m.end_of_observation) AS eoo_date
               FROM etl.change_mark m WHERE m.consumer = 'kpi.customer_orders') b ON true;

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
COMMENT ON COLUMN kpi.customer_value.snapshot_date IS 'Business date the scores were computed for: the end of observation of the orders.';
COMMENT ON COLUMN kpi.customer_value.recency_days IS 'snapshot_date − last_order_date, days (R).';
SELECT etl.comment_columns_like('kpi.customer_value', 'kpi.customer_rfm');   -- the columns it takes from there

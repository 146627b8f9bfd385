-- kpi/qualifying_order.sql — the building block of the repurchase and value views: kpi.qualifying_order
-- requires: kpi/pool_membership.sql
--
-- Common rules (stated in every comment):
--   * an order counts when dw.fact_order.is_qualifying (paid, not cancelled, not fully
--     refunded) and it has a customer (guest orders cannot repurchase: left out);
--   * its period is its business date of payment (paid_date_key);
--   * repurchase counts ORDERS, not distinct days: two orders on one day are a repurchase;
--   * "in the private domain" = the customer had an active WeCom relationship (any staff)
--     at the moment of payment, from kpi.pool_membership (point in time).

DROP MATERIALIZED VIEW IF EXISTS kpi.qualifying_order CASCADE;
CREATE MATERIALIZED VIEW kpi.qualifying_order AS
WITH o AS (
    SELECT f.order_key, f.customer_key, f.channel_key, f.paid_at,
           coalesce(f.paid_date_key, dw.date_key_of(f.paid_at)) AS paid_date_key,
           f.paid_fen, f.refund_fen
      FROM dw.fact_order f
     WHERE f.is_qualifying AND f.customer_key IS NOT NULL
       AND f.paid_at <= (SELECT kpi.end_of_observation('orders'))
)
SELECT o.order_key,
       o.customer_key,
       o.channel_key,
       o.paid_at,
       o.paid_date_key,
       d.date                                        AS paid_date,
       d.month_start                                 AS paid_month,
       o.paid_fen,
       (o.paid_fen / 100.0)::numeric(14,2)           AS paid_yuan,
       o.refund_fen,
       (o.refund_fen / 100.0)::numeric(14,2)         AS refund_yuan,
       o.paid_fen - o.refund_fen                     AS net_paid_fen,
       ((o.paid_fen - o.refund_fen) / 100.0)::numeric(14,2) AS net_paid_yuan,
       row_number() OVER (PARTITION BY o.customer_key ORDER BY o.paid_at, o.order_key)::int AS order_seq,
       EXISTS (SELECT 1 FROM kpi.pool_membership m
                WHERE m.pool = 'contact' AND m.dimension = 'total' AND m.customer_key = o.customer_key
                  AND m.entered_at <= o.paid_at AND (m.left_at IS NULL OR m.left_at > o.paid_at)) AS in_private_domain
  FROM o
  JOIN dw.dim_date d ON d.date_key = o.paid_date_key;

CREATE UNIQUE INDEX qualifying_order_uq ON kpi.qualifying_order (order_key);
CREATE INDEX qualifying_order_customer ON kpi.qualifying_order (customer_key, order_seq);

COMMENT ON MATERIALIZED VIEW kpi.qualifying_order IS
  'Building block of the repurchase and value views. Grain: one row per qualifying order of an identified customer '
  '(dw.fact_order.is_qualifying: paid, not cancelled, not fully refunded; guest orders without customer_key are left out). '
  'order_seq is recomputed here from the current facts (n-th qualifying order of the customer by paid_at, then order_key), so '
  'it follows refunds and customer merges at the next refresh. in_private_domain = the customer had an active WeCom '
  'relationship with any staff member at paid_at (kpi.pool_membership, point in time).';
COMMENT ON COLUMN kpi.qualifying_order.order_key IS 'Order (dw.order_identity / dw.fact_order).';
COMMENT ON COLUMN kpi.qualifying_order.customer_key IS 'Customer, after merges.';
COMMENT ON COLUMN kpi.qualifying_order.channel_key IS 'Shop the order was placed in (dw.dim_channel).';
COMMENT ON COLUMN kpi.qualifying_order.paid_at IS 'Payment time.';
COMMENT ON COLUMN kpi.qualifying_order.paid_date_key IS 'Business date of payment, yyyymmdd.';
COMMENT ON COLUMN kpi.qualifying_order.paid_date IS 'Business date of payment.';
COMMENT ON COLUMN kpi.qualifying_order.paid_month IS 'First day of the month of paid_date.';
COMMENT ON COLUMN kpi.qualifying_order.paid_fen IS 'Amount paid, fen (incl. shipping).';
COMMENT ON COLUMN kpi.qualifying_order.refund_fen IS 'Amount refunded so far, fen (partial refunds of a qualifying order).';
COMMENT ON COLUMN kpi.qualifying_order.net_paid_fen IS 'paid_fen − refund_fen, fen.';
COMMENT ON COLUMN kpi.qualifying_order.paid_yuan IS 'paid_fen in yuan.';
COMMENT ON COLUMN kpi.qualifying_order.refund_yuan IS 'refund_fen in yuan.';
COMMENT ON COLUMN kpi.qualifying_order.net_paid_yuan IS 'net_paid_fen in yuan.';
COMMENT ON COLUMN kpi.qualifying_order.order_seq IS 'n-th qualifying order of the customer (1 = first purchase), by paid_at then order_key.';
COMMENT ON COLUMN kpi.qualifying_order.in_private_domain IS 'true when the customer had an active WeCom relationship at paid_at.';

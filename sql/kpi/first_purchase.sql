-- kpi/first_purchase.sql — each customer's first qualifying order and the day they bought
-- again: kpi.first_purchase, the base of the first-purchase care list (kpi.care_list)
-- requires: kpi/qualifying_order.sql
--
-- "Bought again" follows the N-day repurchase rule (docs/kpi.md): a qualifying order on a
-- later business day; a second order on the first day is the same purchase occasion.
DROP MATERIALIZED VIEW IF EXISTS kpi.first_purchase CASCADE;
CREATE MATERIALIZED VIEW kpi.first_purchase AS
SELECT q.customer_key,
       q.order_key,
       q.channel_key,
       q.paid_at,
       q.paid_date,
       q.paid_fen,
       (q.paid_fen / 100.0)::numeric(14,2)                        AS paid_yuan,
       (SELECT min(r.paid_date) FROM kpi.qualifying_order r
         WHERE r.customer_key = q.customer_key AND r.paid_date > q.paid_date) AS repurchased_on
  FROM kpi.qualifying_order q
 WHERE q.order_seq = 1;

CREATE UNIQUE INDEX first_purchase_uq ON kpi.first_purchase (customer_key);
CREATE INDEX first_purchase_paid_date ON kpi.first_purchase (paid_date);

COMMENT ON MATERIALIZED VIEW kpi.first_purchase IS
  'Building block of the first-purchase care list (kpi.care_list). Grain: one row per customer with a qualifying order '
  '(paid, not cancelled, not fully refunded; guest orders left out): their first one (kpi.qualifying_order.order_seq = 1) and '
  'repurchased_on, the first later business day with another qualifying order (a second order on the first day is the same '
  'purchase occasion, not a repurchase).';
COMMENT ON COLUMN kpi.first_purchase.customer_key IS 'Customer, after merges.';
COMMENT ON COLUMN kpi.first_purchase.order_key IS 'The first qualifying order (dw.fact_order).';
COMMENT ON COLUMN kpi.first_purchase.channel_key IS 'Shop of the first order (dw.dim_channel).';
COMMENT ON COLUMN kpi.first_purchase.paid_at IS 'Payment time of the first order.';
COMMENT ON COLUMN kpi.first_purchase.paid_date IS 'Business date of that payment: day 0 of the care steps.';
COMMENT ON COLUMN kpi.first_purchase.paid_fen IS 'Amount paid for the first order, fen.';
COMMENT ON COLUMN kpi.first_purchase.paid_yuan IS 'paid_fen in yuan.';
COMMENT ON COLUMN kpi.first_purchase.repurchased_on IS 'First later business day with another qualifying order; NULL = not bought again yet.';

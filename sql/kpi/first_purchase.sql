-- kpi/first_purchase.sql — each customer's first qualifying order and the day they bought
-- again: kpi.first_purchase, the base of the first-purchase care list (kpi.care_list)
-- requires: kpi/qualifying_order.sql functions/kpi.refresh_by_customer.sql functions/kpi.change_claim.sql functions/etl.drop_kpi_relation.sql
--
-- "Bought again" follows the N-day repurchase rule (docs/kpi.md): a qualifying order on a
-- later business day; a second order on the first day is the same purchase occasion.
--
-- A table kept by kpi.refresh() (kpi.first_purchase_refresh: the rows of the customers whose
-- orders changed recomputed, the difference written), not a materialized view refreshed whole.
-- the materialized view of earlier versions, or this table
SELECT etl.drop_kpi_relation('kpi.first_purchase');
CREATE TABLE kpi.first_purchase (
    customer_key   bigint NOT NULL,
    order_key      bigint NOT NULL,
    channel_key    integer,
    paid_at        timestamptz,
    paid_date      date,
    paid_fen       bigint,
    paid_yuan      numeric(14,2),
    repurchased_on date,
    CONSTRAINT first_purchase_uq PRIMARY KEY (customer_key)
);
CREATE INDEX first_purchase_paid_date ON kpi.first_purchase (paid_date);

CREATE OR REPLACE FUNCTION kpi.first_purchase_of(p_customers bigint[])
RETURNS SETOF kpi.first_purchase
LANGUAGE sql STABLE
BEGIN ATOMIC
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
     WHERE q.order_seq = 1
       AND (p_customers IS NULL OR q.customer_key = ANY (p_customers));
END;
COMMENT ON FUNCTION kpi.first_purchase_of(bigint[]) IS
  'The rows of kpi.first_purchase of the customers in p_customers, all when NULL: what kpi.first_purchase_refresh() writes.';

CREATE OR REPLACE FUNCTION kpi.first_purchase_refresh()
RETURNS text
LANGUAGE sql
BEGIN ATOMIC
    SELECT kpi.refresh_by_customer('kpi.first_purchase', 'customer_key');
END;
REVOKE ALL ON FUNCTION kpi.first_purchase_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.first_purchase_refresh() IS
  'Brings kpi.first_purchase up to date for kpi.refresh() (kpi.refresh_by_customer: the rows of the customers whose '
  'qualifying orders changed since its mark in the change record recomputed, the difference written). Returns ''incremental'' or ''full''.';

-- filled now (the table is empty: one INSERT), its mark at the change record's head
SELECT kpi.first_purchase_refresh();
ANALYZE kpi.first_purchase;

COMMENT ON TABLE kpi.first_purchase IS
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

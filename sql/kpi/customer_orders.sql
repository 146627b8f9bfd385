-- kpi/customer_orders.sql — what each customer's qualifying orders add up to: kpi.customer_orders
-- requires: kpi/qualifying_order.sql functions/kpi.refresh_by_customer.sql functions/kpi.change_claim.sql
--
-- The part of kpi.customer_value and kpi.at_risk that depends only on a customer's own
-- qualifying orders — sums, counts, first and last, the gaps between purchase days — kept
-- as a table by kpi.refresh() (kpi.customer_orders_refresh: the changed customers' rows
-- recomputed, the difference written), so that a nightly run recomputes the customers it
-- touched, not all of them. What depends on the end of observation (recency) or on all
-- customers (the RFM quintiles: kpi.customer_rfm) is computed on top of it.
DROP TABLE IF EXISTS kpi.customer_orders CASCADE;
CREATE TABLE kpi.customer_orders (
    customer_key     bigint      NOT NULL,
    first_order_at   timestamptz NOT NULL,
    last_order_at    timestamptz NOT NULL,
    first_order_date date        NOT NULL,
    last_order_date  date        NOT NULL,
    orders           bigint      NOT NULL,
    paid_fen         bigint      NOT NULL,
    paid_yuan        numeric(14,2) NOT NULL,
    refund_fen       bigint      NOT NULL,
    refund_yuan      numeric(14,2) NOT NULL,
    net_paid_fen     bigint      NOT NULL,
    net_paid_yuan    numeric(14,2) NOT NULL,
    purchase_days    integer     NOT NULL,
    median_gap_days  double precision,
    gap_to_second    integer,
    gap_to_third     integer,
    platforms        text[]      NOT NULL,
    CONSTRAINT customer_orders_uq PRIMARY KEY (customer_key)
);

-- The rows for some customers (all when NULL); SQL-standard, so that kpi.refresh() orders
-- the table after kpi.qualifying_order (pg_depend). Purchases are business days with a
-- qualifying order (two orders on one day are one purchase occasion, docs/kpi.md).
CREATE OR REPLACE FUNCTION kpi.customer_orders_of(p_customers bigint[])
RETURNS SETOF kpi.customer_orders
LANGUAGE sql STABLE
BEGIN ATOMIC
    WITH o AS (
        SELECT q.customer_key, q.channel_key, q.paid_at, q.paid_date, q.paid_fen, q.refund_fen, q.net_paid_fen
          FROM kpi.qualifying_order q
         WHERE p_customers IS NULL OR q.customer_key = ANY (p_customers)
    ), c AS (
        SELECT customer_key, min(paid_at) AS first_order_at, max(paid_at) AS last_order_at,
               min(paid_date) AS first_order_date, max(paid_date) AS last_order_date,
               count(*) AS orders, sum(paid_fen) AS paid_fen, sum(refund_fen) AS refund_fen,
               sum(net_paid_fen) AS net_paid_fen
          FROM o GROUP BY customer_key
    ), gaps AS (        -- the gap ending at purchase day n (n ≥ 2; NULL for the first)
        SELECT customer_key, row_number() OVER w AS n, paid_date - lag(paid_date) OVER w AS gap
          FROM (SELECT DISTINCT customer_key, paid_date FROM o) d
        WINDOW w AS (PARTITION BY customer_key ORDER BY paid_date)
    ), g AS (
        SELECT customer_key, count(*) AS purchase_days,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median_gap_days,
               min(gap) FILTER (WHERE n = 2) AS gap_to_second,
               min(gap) FILTER (WHERE n = 3) AS gap_to_third
          FROM gaps GROUP BY customer_key
    ), pl AS (          -- the platforms they bought on (a channel's platform never changes)
        SELECT o.customer_key, array_agg(DISTINCT ch.platform ORDER BY ch.platform) AS platforms
          FROM o JOIN dw.dim_channel ch USING (channel_key)
         GROUP BY o.customer_key
    )
    SELECT c.customer_key, c.first_order_at, c.last_order_at, c.first_order_date, c.last_order_date,
           c.orders,
           c.paid_fen::bigint, (c.paid_fen / 100.0)::numeric(14,2),
           c.refund_fen::bigint, (c.refund_fen / 100.0)::numeric(14,2),
           c.net_paid_fen::bigint, (c.net_paid_fen / 100.0)::numeric(14,2),
           g.purchase_days::int, g.median_gap_days, g.gap_to_second, g.gap_to_third, pl.platforms
      FROM c JOIN g USING (customer_key) JOIN pl USING (customer_key);
END;
COMMENT ON FUNCTION kpi.customer_orders_of(bigint[]) IS
  'The rows of kpi.customer_orders of the customers in p_customers, all when NULL: what kpi.customer_orders_refresh() writes.';

CREATE OR REPLACE FUNCTION kpi.customer_orders_refresh()
RETURNS text
LANGUAGE sql
BEGIN ATOMIC
    SELECT kpi.refresh_by_customer('kpi.customer_orders', 'customer_key');
END;
REVOKE ALL ON FUNCTION kpi.customer_orders_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.customer_orders_refresh() IS
  'Brings kpi.customer_orders up to date for kpi.refresh() (kpi.refresh_by_customer: the rows of the customers whose '
  'qualifying orders changed since its mark in the change record recomputed, the difference written). Returns ''incremental'' or ''full''.';

-- filled now (the table is empty: one INSERT), its mark at the change record's head
SELECT kpi.customer_orders_refresh();
ANALYZE kpi.customer_orders;

COMMENT ON TABLE kpi.customer_orders IS
  'Building block of kpi.customer_value and kpi.at_risk. Grain: one row per identified customer with ≥ 1 qualifying order '
  '(kpi.qualifying_order: paid, not cancelled, not fully refunded, up to the end of observation): what their qualifying '
  'orders add up to. Kept by kpi.refresh(): only the customers whose orders changed are recomputed.';
COMMENT ON COLUMN kpi.customer_orders.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.customer_orders.first_order_at IS 'Payment time of the first qualifying order.';
COMMENT ON COLUMN kpi.customer_orders.last_order_at IS 'Payment time of the last qualifying order.';
COMMENT ON COLUMN kpi.customer_orders.first_order_date IS 'Business date of the first qualifying payment.';
COMMENT ON COLUMN kpi.customer_orders.last_order_date IS 'Business date of the last qualifying payment.';
COMMENT ON COLUMN kpi.customer_orders.orders IS 'Qualifying orders (F).';
COMMENT ON COLUMN kpi.customer_orders.paid_fen IS 'Σ paid_fen of the qualifying orders, fen, before refunds.';
COMMENT ON COLUMN kpi.customer_orders.paid_yuan IS 'paid_fen in yuan.';
COMMENT ON COLUMN kpi.customer_orders.refund_yuan IS 'refund_fen in yuan.';
COMMENT ON COLUMN kpi.customer_orders.net_paid_yuan IS 'net_paid_fen in yuan.';
COMMENT ON COLUMN kpi.customer_orders.refund_fen IS 'Σ refund_fen of the qualifying orders (partial refunds), fen.';
COMMENT ON COLUMN kpi.customer_orders.net_paid_fen IS 'paid_fen − refund_fen: total paid, historic LTV (M), fen.';
COMMENT ON COLUMN kpi.customer_orders.purchase_days IS 'Business days with a qualifying order (purchase occasions).';
COMMENT ON COLUMN kpi.customer_orders.median_gap_days IS 'Median of the days between consecutive purchase days; NULL with one purchase day.';
COMMENT ON COLUMN kpi.customer_orders.gap_to_second IS 'Days from the first purchase day to the second; NULL with one.';
COMMENT ON COLUMN kpi.customer_orders.platforms IS 'The platforms (dw.dim_channel.platform) of the qualifying orders, sorted, each once.';
COMMENT ON COLUMN kpi.customer_orders.gap_to_third IS 'Days from the second purchase day to the third; NULL with fewer than three.';

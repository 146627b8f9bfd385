-- kpi/qualifying_order.sql — the building block of the repurchase and value views: kpi.qualifying_order
-- requires: kpi/pool_membership.sql functions/kpi.apply_rows.sql functions/kpi.end_of_observation.sql functions/etl.drop_kpi_relation.sql
-- requires: functions/kpi.change_claim.sql functions/kpi.refresh_by_customer.sql
--
-- Common rules (stated in every comment):
--   * an order counts when dw.fact_order.is_qualifying (paid, not cancelled, not fully
--     refunded) and it has a customer (guest orders cannot repurchase: left out);
--   * its period is its business date of payment (paid_date_key);
--   * repurchase counts ORDERS, not distinct days: two orders on one day are a repurchase;
--   * "in the private domain" = the customer had an active WeCom relationship (any staff)
--     at the moment of payment, from kpi.pool_membership (point in time).

-- A table, not a materialized view: kpi.refresh() keeps it up to date with
-- kpi.qualifying_order_refresh(), which recomputes only the customers whose qualifying orders
-- (or private-domain flags) changed since the last refresh — the change record
-- (etl.fact_change, functions/kpi.change_claim.sql) says which — and writes only the rows that
-- differ (kpi.apply_rows). REFRESH … CONCURRENTLY of one row per order spent most of its time checking
-- the whole view for duplicates (docs/performance.md, "The KPI refresh").

-- the materialized view of earlier versions, or this table
SELECT etl.drop_kpi_relation('kpi.qualifying_order');
DROP FUNCTION IF EXISTS kpi.qualifying_fact(bigint[]) CASCADE;
CREATE TABLE kpi.qualifying_order (
    order_key         bigint NOT NULL,
    customer_key      bigint NOT NULL,
    channel_key       integer,
    paid_at           timestamptz,
    paid_date_key     integer,
    paid_date         date,
    paid_month        date,
    paid_fen          bigint,
    paid_yuan         numeric(14,2),
    refund_fen        bigint,
    refund_yuan       numeric(14,2),
    net_paid_fen      bigint,
    net_paid_yuan     numeric(14,2),
    order_seq         integer,
    in_private_domain boolean,
    CONSTRAINT qualifying_order_uq PRIMARY KEY (order_key)
);
CREATE INDEX qualifying_order_customer ON kpi.qualifying_order (customer_key, order_seq);
-- the customers with an order in the private domain, which kpi.qualifying_order_refresh()
-- looks up every night: found without reading the table (without WeCom there are none, and a
-- scan of 850k rows for none took 0.4 s a night at 1M orders)
CREATE INDEX qualifying_order_private ON kpi.qualifying_order (customer_key) WHERE in_private_domain;

-- The qualifying orders of the fact table, before any KPI rule of this view: what a change
-- of the facts is detected on (kpi.qualifying_order_refresh) and what the rows are made of.
CREATE FUNCTION kpi.qualifying_fact(p_customers bigint[])
RETURNS TABLE (order_key bigint, customer_key bigint, channel_key integer, paid_at timestamptz,
               paid_date_key integer, paid_fen bigint, refund_fen bigint)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT f.order_key, f.customer_key, f.channel_key, f.paid_at,
           coalesce(f.paid_date_key, dw.date_key_of(f.paid_at)),
           f.paid_fen, f.refund_fen
      FROM dw.fact_order f
     WHERE f.is_qualifying AND f.customer_key IS NOT NULL
       -- a hashed subplan, not = ANY (array): with the array a constant, the planner
       -- estimated its selectivity in each of ~300 monthly partitions (4 s of planning for
       -- 38k customers at 1M orders), and a semi-join was planned as an index probe per
       -- customer and partition (20 s); this reads the partitions once (docs/performance.md)
       AND (p_customers IS NULL OR f.customer_key IN (SELECT unnest(p_customers)))
       AND f.paid_at <= (SELECT kpi.end_of_observation('orders'));
END;
COMMENT ON FUNCTION kpi.qualifying_fact(bigint[]) IS
  'The qualifying orders of identified customers up to the end of observation as dw.fact_order holds them (paid_date_key '
  'computed when missing): the input of kpi.qualifying_order, for the customers in p_customers (all when NULL).';

-- The rows of kpi.qualifying_order for some customers (all when NULL). A SQL-standard body,
-- so that PostgreSQL records what it reads: kpi.refresh() orders the table after those
-- relations (kpi.pool_membership) from these dependencies.
CREATE FUNCTION kpi.qualifying_order_of(p_customers bigint[])
RETURNS SETOF kpi.qualifying_order
LANGUAGE sql STABLE
BEGIN ATOMIC
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
           -- the point-in-time probe only for a customer ever in the contact pool (pool): run
           -- for every order, the correlated probe was half the time of the whole (2.1 of
           -- 4.1 s at 1M orders without WeCom; docs/performance.md)
           (pool.customer_key IS NOT NULL
            AND EXISTS (SELECT 1 FROM kpi.pool_membership m
                         WHERE m.pool = 'contact' AND m.dimension = 'total' AND m.customer_key = o.customer_key
                           AND m.entered_at <= o.paid_at AND (m.left_at IS NULL OR m.left_at > o.paid_at))) AS in_private_domain
      FROM kpi.qualifying_fact(p_customers) o
      JOIN dw.dim_date d ON d.date_key = o.paid_date_key
      LEFT JOIN (SELECT DISTINCT p.customer_key FROM kpi.pool_membership p
                  WHERE p.pool = 'contact' AND p.dimension = 'total') pool ON pool.customer_key = o.customer_key;
END;
COMMENT ON FUNCTION kpi.qualifying_order_of(bigint[]) IS
  'The rows of kpi.qualifying_order (order_seq and in_private_domain computed) of the customers in p_customers, all when '
  'NULL: what kpi.qualifying_order_refresh() writes.';

CREATE OR REPLACE FUNCTION kpi.qualifying_order_refresh()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_flagged bigint[];
    v_changed bigint[];
BEGIN
    -- Besides the customers whose orders changed (kpi.refresh_by_customer: the change
    -- record, the moved end of observation), those whose private-domain flag of some order
    -- changed: only a customer in the contact pool now or flagged before can have one, and
    -- only their orders are recomputed to see. order_seq is a function of a customer's
    -- orders, so it is right once they are. (Before the lock the table's rows are what the
    -- last refresh wrote: a second refresh waits for the first to commit, below.)
    LOCK TABLE kpi.qualifying_order IN EXCLUSIVE MODE;
    SELECT array_agg(customer_key) INTO v_flagged
      FROM (SELECT m.customer_key FROM kpi.pool_membership m WHERE m.pool = 'contact' AND m.dimension = 'total'
            UNION
            SELECT s.customer_key FROM kpi.qualifying_order s WHERE s.in_private_domain) x;
    IF v_flagged IS NOT NULL THEN
        -- the key list as a parameter: planned as a constant, a long list is hashed
        EXECUTE $q$
        SELECT array_agg(DISTINCT q.customer_key)
          FROM kpi.qualifying_order_of($1) q
          JOIN kpi.qualifying_order s ON s.order_key = q.order_key
         WHERE s.in_private_domain IS DISTINCT FROM q.in_private_domain
        $q$ INTO v_changed USING v_flagged;
    END IF;
    RETURN kpi.refresh_by_customer('kpi.qualifying_order', 'order_key', v_changed);
END
$fn$;
REVOKE ALL ON FUNCTION kpi.qualifying_order_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.qualifying_order_refresh() IS
  'Brings kpi.qualifying_order up to date for kpi.refresh(): kpi.refresh_by_customer recomputes the rows of the customers '
  'the change record (etl.fact_change, read through kpi.change_claim) names since the last refresh and of those whose '
  'orders the moved end of observation includes or excludes, plus those whose private-domain flag changed (found here), '
  'and writes the difference (kpi.apply_rows), holding an EXCLUSIVE lock on the table (readers are not blocked, a second '
  'refresh waits). All rows when the table is empty or has no mark (method ''full''). Returns ''incremental'' or ''full''.';

-- filled now (the table is empty: one INSERT), its mark at the change record's head (a mark
-- left by an earlier version of the table would make its next refresh miss what changed before)
SELECT kpi.qualifying_order_refresh();
ANALYZE kpi.qualifying_order;

COMMENT ON TABLE kpi.qualifying_order IS
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

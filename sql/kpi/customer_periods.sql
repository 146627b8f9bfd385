-- kpi/customer_periods.sql — each customer's calendar periods with a qualifying order:
-- kpi.customer_periods, the base of kpi.repurchase_by_segment and kpi.cohort_retention
-- requires: kpi/qualifying_order.sql functions/kpi.refresh_by_customer.sql functions/kpi.change_claim.sql
--
-- The per-customer half of the period views: a customer's orders of one month, quarter or
-- year, whether they had bought in an earlier period of that type and whether they buy in the
-- next one. All of it depends only on the customer's own qualifying orders, so kpi.refresh()
-- keeps it per customer (kpi.customer_periods_refresh: the changed customers' rows
-- recomputed, the difference written) and the views only add the rows up: a nightly run no
-- longer groups and sorts every qualifying order three times (docs/performance.md). The
-- private-domain flag is not here: it changes with WeCom relationships, which the change
-- record of the facts does not see; the views read it from the period's first order
-- (kpi.qualifying_order by customer and order_seq), which kpi.refresh() keeps right.
DROP TABLE IF EXISTS kpi.customer_periods CASCADE;
CREATE TABLE kpi.customer_periods (
    customer_key  bigint   NOT NULL,
    period_months smallint NOT NULL,
    period_start  date     NOT NULL,
    orders        bigint   NOT NULL,
    net_fen       bigint   NOT NULL,
    net_yuan      numeric(14,2) NOT NULL,
    first_seq     integer  NOT NULL,
    first_period  date     NOT NULL,
    is_returning  boolean  NOT NULL,
    bought_next   boolean  NOT NULL,
    CONSTRAINT customer_periods_uq PRIMARY KEY (customer_key, period_months, period_start)
);

-- The rows for some customers (all when NULL); SQL-standard, so that kpi.refresh() orders
-- the table after kpi.qualifying_order (pg_depend).
CREATE OR REPLACE FUNCTION kpi.customer_periods_of(p_customers bigint[])
RETURNS SETOF kpi.customer_periods
LANGUAGE sql STABLE
BEGIN ATOMIC
    WITH q AS (
        SELECT customer_key, paid_month, net_paid_fen, order_seq
          FROM kpi.qualifying_order
         WHERE p_customers IS NULL OR customer_key = ANY (p_customers)
    ), cp AS (      -- one row per (period type, customer, period)
        SELECT p.period_months, q.customer_key,
               CASE p.period_months WHEN 1 THEN q.paid_month
                                    WHEN 3 THEN date_trunc('quarter', q.paid_month::timestamp)::date
                                    ELSE date_trunc('year', q.paid_month::timestamp)::date END AS period_start,
               count(*) AS orders, sum(q.net_paid_fen) AS net_fen, min(q.order_seq) AS first_seq
          FROM q CROSS JOIN (VALUES (1::smallint), (3::smallint), (12::smallint)) AS p (period_months)
         -- grouped in the windows' order (customer, period type, period): the groups come
         -- out sorted for them, and the customer index feeds the grouping with an
         -- incremental sort (PostgreSQL 15 does not reorder GROUP BY keys itself; in the
         -- order (type, customer, period) the first fill sorted 2.5M rows and then the
         -- 1.9M groups again: 9.8 -> 6.0 s at 1M orders, docs/performance.md)
         GROUP BY 2, 1, 3
    )
    SELECT cp.customer_key, cp.period_months, cp.period_start, cp.orders,
           cp.net_fen::bigint, (cp.net_fen / 100.0)::numeric(14,2), cp.first_seq,
           first_value(cp.period_start) OVER w,   -- one sort of the periods serves the three windows
           -- periods nest, so a customer who bought in an earlier period of this type had
           -- their first purchase before this one
           lag(cp.period_start) OVER w IS NOT NULL,
           coalesce(lead(cp.period_start) OVER w
                    = (cp.period_start + make_interval(months => cp.period_months))::date, false)
      FROM cp
    WINDOW w AS (PARTITION BY cp.customer_key, cp.period_months ORDER BY cp.period_start);
END;
COMMENT ON FUNCTION kpi.customer_periods_of(bigint[]) IS
  'The rows of kpi.customer_periods of the customers in p_customers, all when NULL: what kpi.customer_periods_refresh() writes.';

-- Without hash aggregation: grouping every customer's orders into periods (1.9M groups at 1M
-- orders, the first fill) was planned as a hash table, which spilled, then sorted again for
-- the windows; sorted input (the customer index, sorted within each customer) streams to
-- both: the first fill 9.6 → 7.7 s at 1M, a nightly's the same (docs/performance.md).
CREATE OR REPLACE FUNCTION kpi.customer_periods_refresh()
RETURNS text
LANGUAGE sql
SET enable_hashagg = off
BEGIN ATOMIC
    SELECT kpi.refresh_by_customer('kpi.customer_periods', ARRAY['customer_key', 'period_months', 'period_start']::name[]);
END;
REVOKE ALL ON FUNCTION kpi.customer_periods_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.customer_periods_refresh() IS
  'Brings kpi.customer_periods up to date for kpi.refresh() (kpi.refresh_by_customer: the rows of the customers whose '
  'qualifying orders changed since its mark in the change record recomputed, the difference written). Returns ''incremental'' or ''full''.';

-- filled now (the table is empty: one INSERT), its mark at the change record's head
SELECT kpi.customer_periods_refresh();
ANALYZE kpi.customer_periods;

COMMENT ON TABLE kpi.customer_periods IS
  'Building block of kpi.repurchase_by_segment and kpi.cohort_retention. Grain: one row per (customer, period type, period) '
  'with ≥ 1 qualifying order (kpi.qualifying_order: identified customers, business dates of payment, up to the end of '
  'observation). Kept by kpi.refresh(): only the customers whose orders changed are recomputed.';
COMMENT ON COLUMN kpi.customer_periods.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.customer_periods.period_months IS 'Period type: 1 month, 3 quarter, 12 year (calendar periods of business dates).';
COMMENT ON COLUMN kpi.customer_periods.period_start IS 'First day of the period.';
COMMENT ON COLUMN kpi.customer_periods.orders IS 'The customer''s qualifying orders paid in the period.';
COMMENT ON COLUMN kpi.customer_periods.net_fen IS 'Σ net_paid_fen (paid − refunded) of those orders, fen.';
COMMENT ON COLUMN kpi.customer_periods.net_yuan IS 'net_fen in yuan.';
COMMENT ON COLUMN kpi.customer_periods.first_seq IS 'order_seq of the period''s first qualifying order (kpi.qualifying_order: its private-domain flag puts the buyer in a segment).';
COMMENT ON COLUMN kpi.customer_periods.first_period IS 'First day of the customer''s first period of this type with a qualifying order (for months: their cohort).';
COMMENT ON COLUMN kpi.customer_periods.is_returning IS 'true when the customer bought in an earlier period of this type.';
COMMENT ON COLUMN kpi.customer_periods.bought_next IS 'true when the customer bought in the next period of this type.';

-- kpi/customer_score.sql — every customer's RFM quintiles, ranked once a refresh: kpi.customer_score
-- requires: kpi/customer_orders.sql functions/kpi.fill_empty.sql functions/etl.drop_kpi_relation.sql
--
-- The quintiles rank every customer (one changed customer can move others across a
-- boundary), so they are computed whole each refresh: three sorts of narrow rows of the kept
-- kpi.customer_orders, no order read. Kept here, and written whole (no diff: nearly every
-- rank moves when any does), so that kpi.customer_rfm_refresh() finds the customers whose
-- scores moved and computes their rows from it, instead of ranking everyone twice (1.4 s
-- each at 1M orders: docs/performance.md).
SELECT etl.drop_kpi_relation('kpi.customer_score');
CREATE TABLE kpi.customer_score (
    customer_key bigint  NOT NULL,
    r_score      integer NOT NULL,
    f_score      integer NOT NULL,
    m_score      integer NOT NULL,
    CONSTRAINT customer_score_uq PRIMARY KEY (customer_key)
);

-- Every customer's quintiles: over customers with ≥ 1 qualifying order, ties broken by
-- customer_key so the buckets stay ~20 % each even when most customers have F = 1.
CREATE OR REPLACE FUNCTION kpi.customer_score_of(p_customers bigint[])
RETURNS SETOF kpi.customer_score
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.customer_key, s.r_score, s.f_score, s.m_score
      FROM (SELECT c.customer_key,
                   ntile(5) OVER (ORDER BY c.last_order_date, c.customer_key)::int AS r_score,
                   ntile(5) OVER (ORDER BY c.orders, c.customer_key)::int          AS f_score,
                   ntile(5) OVER (ORDER BY c.net_paid_fen, c.customer_key)::int    AS m_score
              FROM kpi.customer_orders c) s
     WHERE p_customers IS NULL OR s.customer_key = ANY (p_customers);
END;
COMMENT ON FUNCTION kpi.customer_score_of(bigint[]) IS
  'The RFM quintiles (1–5) of the customers in p_customers (all when NULL), ranked over every customer of '
  'kpi.customer_orders, ties by customer_key: the rows of kpi.customer_score.';

CREATE OR REPLACE FUNCTION kpi.customer_score_refresh()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- Written whole: its readers (kpi.customer_rfm_refresh, in the same refresh) wait for the
    -- commit, as the table's own readers would, instead of reading it empty.
    TRUNCATE kpi.customer_score;
    PERFORM kpi.fill_empty('kpi.customer_score', 'SELECT * FROM kpi.customer_score_of(NULL)');
    RETURN 'full';
END
$fn$;
REVOKE ALL ON FUNCTION kpi.customer_score_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.customer_score_refresh() IS
  'Brings kpi.customer_score up to date for kpi.refresh(): ranks every customer again and writes the table whole '
  '(kpi.fill_empty after a TRUNCATE; readers wait for the commit). Returns ''full''.';

SELECT kpi.customer_score_refresh();
ANALYZE kpi.customer_score;

COMMENT ON TABLE kpi.customer_score IS
  'Building block of kpi.customer_rfm. Grain: one row per customer of kpi.customer_orders (≥ 1 qualifying order). Scores are '
  'quintiles by ntile(5) over all of them, ordered by (value, customer_key): R by last_order_date (most recent = 5; the order '
  'of recency_days descending), F by orders, M by net_paid_fen (highest = 5). Ranked again whole by every kpi.refresh().';
COMMENT ON COLUMN kpi.customer_score.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.customer_score.r_score IS 'Recency quintile 1–5 (5 = most recent), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_score.f_score IS 'Frequency quintile 1–5 (5 = most orders), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_score.m_score IS 'Monetary quintile 1–5 (5 = highest net_paid), ties by customer_key.';

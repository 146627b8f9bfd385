-- kpi/customer_score.sql — the RFM quintiles of every customer: kpi.customer_score
-- requires: kpi/customer_orders.sql functions/kpi.apply_rows.sql
--
-- The scores of kpi.customer_value rank every customer, so one changed customer can move
-- others across a quintile boundary: kpi.customer_score_refresh() ranks them all again
-- (three sorts of narrow rows) and writes only the rows whose scores moved (kpi.apply_rows).
-- R ranks by last_order_date ascending: the same order as recency_days descending at any
-- end of observation, which is why the scores do not change when only it moves.
DROP TABLE IF EXISTS kpi.customer_score CASCADE;
CREATE TABLE kpi.customer_score (
    customer_key bigint  NOT NULL,
    r_score      integer NOT NULL,
    f_score      integer NOT NULL,
    m_score      integer NOT NULL,
    CONSTRAINT customer_score_uq PRIMARY KEY (customer_key)
);

CREATE FUNCTION kpi.customer_score_of(p_customers bigint[])
RETURNS SETOF kpi.customer_score
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.customer_key, s.r_score, s.f_score, s.m_score
      FROM (SELECT c.customer_key,
                   -- ties broken by customer_key so the buckets stay ~20 % each even when
                   -- most customers have F = 1
                   ntile(5) OVER (ORDER BY c.last_order_date, c.customer_key)::int AS r_score,
                   ntile(5) OVER (ORDER BY c.orders, c.customer_key)::int          AS f_score,
                   ntile(5) OVER (ORDER BY c.net_paid_fen, c.customer_key)::int    AS m_score
              FROM kpi.customer_orders c) s
     WHERE p_customers IS NULL OR s.customer_key = ANY (p_customers);
END;
COMMENT ON FUNCTION kpi.customer_score_of(bigint[]) IS
  'The rows of kpi.customer_score (quintiles over all customers) of the customers in p_customers, all when NULL.';

CREATE FUNCTION kpi.customer_score_refresh()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning  -- not the NOTICEs of DROP TABLE IF EXISTS
AS $fn$
BEGIN
    LOCK TABLE kpi.customer_score IN EXCLUSIVE MODE;  -- one diff at a time; readers are not blocked
    DROP TABLE IF EXISTS cs_fresh;
    CREATE TEMP TABLE cs_fresh ON COMMIT DROP AS SELECT * FROM kpi.customer_score_of(NULL);
    PERFORM kpi.apply_rows('kpi.customer_score', 'cs_fresh', 'customer_key');
    RETURN 'full';
END
$fn$;
REVOKE ALL ON FUNCTION kpi.customer_score_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.customer_score_refresh() IS
  'Brings kpi.customer_score up to date for kpi.refresh(): ranks every customer of kpi.customer_orders again and writes the '
  'rows whose scores differ (kpi.apply_rows). Returns ''full''.';

INSERT INTO kpi.customer_score SELECT * FROM kpi.customer_score_of(NULL);
ANALYZE kpi.customer_score;

COMMENT ON TABLE kpi.customer_score IS
  'Building block of kpi.customer_value: its RFM scores. Grain: one row per customer of kpi.customer_orders. Quintiles by '
  'ntile(5) over all of them, ordered by (value, customer_key): R by last_order_date (most recent = 5; the order of '
  'recency_days descending), F by orders, M by net_paid_fen (highest = 5).';
COMMENT ON COLUMN kpi.customer_score.customer_key IS 'Customer (dw.dim_customer), after merges.';
COMMENT ON COLUMN kpi.customer_score.r_score IS 'Recency quintile 1–5 (5 = most recent), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_score.f_score IS 'Frequency quintile 1–5 (5 = most orders), ties by customer_key.';
COMMENT ON COLUMN kpi.customer_score.m_score IS 'Monetary quintile 1–5 (5 = highest net_paid), ties by customer_key.';

-- tests/realdata/independent.sql — the KPI figures of a real dataset computed independently of
-- the kpi views, into schema chk, from the converted generic CSV itself (chk.raw_line, loaded by
-- PostgreSQL's own CSV parser, not by siyu). Written from DESIGN §5 and docs/import-generic.md;
-- where §5 leaves a choice open (grid of periods, rounding, tie-breaks, flags), the choice the
-- view states in its COMMENT ON is taken, and README.md lists each one. The formulations differ
-- from the views' on purpose (EXISTS and counting in place of window functions where they can,
-- an explicit quintile formula instead of ntile), so that a shared mistake is unlikely.
--
-- Needs: chk.raw_line (realdata.sh rd_load_csv: every column of the profile, as text) filled
-- with the CSV; psql variables
--   :src_tz  zone of the local times in the file (siyu import --timezone)
--   :tz      business zone ([run] timezone) for dates and periods
-- The only things read from the warehouse are the customer keys of buyer ids
-- (dw.customer_identity), which the RFM tie-break and the comparison need, and nothing else.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET work_mem = '64MB';      -- the DISTINCT counts sort millions of rows; keep them in memory

-- The end of observation, as kpi.end_of_observation('orders') defines it for a file import: the
-- newest order version (updated_at) the file contains, here of the lines that load (the import's
-- watermark), and its business date. Never the wall clock. chk.eoo is filled below, once the
-- lines are known.
CREATE TABLE chk.eoo (at timestamptz, day date);

-- ---------------------------------------------------------------------------------------------
-- lines: what the generic profile accepts (money in whole fen, ≥ 0; quantity ≥ 1); the rest is
-- what siyu must reject, and with them every other line of their orders
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chk.line AS
SELECT v.*,
       -- an order with a rejected line loads none of its lines (docs/import-generic.md)
       bool_and(v.valid) OVER (PARTITION BY v.platform, v.shop_id, v.order_no) AS loads
  FROM (
SELECT r.*,
       r.quantity ~ '^[0-9]+$' AND r.quantity::bigint >= 1
       AND r.unit_price ~ '^[0-9]+(\.[0-9]*)?$' AND r.line_paid ~ '^[0-9]+(\.[0-9]*)?$'
       AND coalesce(r.line_refund, '0') ~ '^[0-9]+(\.[0-9]*)?$'
       AND r.unit_price::numeric * 100 = trunc(r.unit_price::numeric * 100)
       AND r.line_paid::numeric * 100 = trunc(r.line_paid::numeric * 100)
       AND coalesce(r.line_refund, '0')::numeric * 100 = trunc(coalesce(r.line_refund, '0')::numeric * 100)
           AS valid
  FROM chk.raw_line r) v;

-- ---------------------------------------------------------------------------------------------
-- orders: one per (platform, shop_id, order_no), from the lines that load (each file holds one
-- version of each order)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chk.orders AS
SELECT l.platform, l.shop_id, l.order_no,
       min(nullif(l.buyer_id, ''))                                            AS buyer_id,
       min(l.status)                                                          AS status,
       min(l.created_at::timestamp AT TIME ZONE :'src_tz')                    AS created_at,
       min(nullif(l.paid_at, '')::timestamp AT TIME ZONE :'src_tz')           AS paid_at,
       count(*)                                                               AS lines,
       sum(l.quantity::bigint)                                                AS items,
       sum(l.quantity::bigint * (l.unit_price::numeric * 100))::bigint        AS gross_fen,
       sum(l.line_paid::numeric * 100)::bigint                                AS paid_fen,
       sum(coalesce(l.line_refund, '0')::numeric * 100)::bigint               AS refund_fen
  FROM chk.line l
 WHERE l.loads
 GROUP BY l.platform, l.shop_id, l.order_no;

INSERT INTO chk.eoo (at)
SELECT max(l.updated_at::timestamp AT TIME ZONE :'src_tz') FROM chk.line l WHERE l.loads;
UPDATE chk.eoo SET day = (at AT TIME ZONE :'tz')::date;

ALTER TABLE chk.orders ADD COLUMN paid_date date, ADD COLUMN qualifying boolean;
-- qualifying (DESIGN §5): paid, not cancelled, not fully refunded (status refunded, or a
-- refund that covers a non-zero payment)
UPDATE chk.orders
   SET paid_date = (paid_at AT TIME ZONE :'tz')::date,
       qualifying = paid_at IS NOT NULL AND status NOT IN ('cancelled', 'refunded')
                    AND NOT (refund_fen > 0 AND refund_fen >= paid_fen);

-- the qualifying orders of identified customers paid by the end of observation: the base of every
-- repurchase figure
CREATE TABLE chk.q AS
SELECT o.platform, o.buyer_id, o.order_no, o.paid_at, o.paid_date,
       date_trunc('month', o.paid_date)::date AS paid_month,
       o.paid_fen, o.refund_fen, o.paid_fen - o.refund_fen AS net_fen
  FROM chk.orders o
 WHERE o.qualifying AND o.buyer_id IS NOT NULL AND o.paid_at <= (SELECT at FROM chk.eoo);
CREATE INDEX ON chk.q (buyer_id, paid_date);

-- per customer: first and last qualifying payment (each dataset is one platform: a buyer id is
-- a customer)
CREATE TABLE chk.buyer AS
SELECT q.buyer_id, i.customer_key,
       min(q.paid_at) AS first_at, max(q.paid_at) AS last_at,
       min(q.paid_date) AS first_date, max(q.paid_date) AS last_date,
       count(*) AS orders, sum(q.paid_fen) AS paid_fen, sum(q.refund_fen) AS refund_fen,
       sum(q.net_fen) AS net_fen
  FROM chk.q q
  LEFT JOIN dw.customer_identity i
    ON i.id_type = 'buyer_id' AND i.platform = q.platform AND i.id_value = q.buyer_id
 GROUP BY q.buyer_id, i.customer_key;
CREATE UNIQUE INDEX ON chk.buyer (buyer_id);

-- ---------------------------------------------------------------------------------------------
-- sales: kpi.sales_monthly / kpi.sales_daily, dimension total (every order is paid in its
-- business month/day; every paid order counts in paid_orders and gmv whatever its status)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chk.sales_monthly AS
WITH mo AS (
    SELECT date_trunc('month', paid_date)::date AS month_start,
           count(*) AS paid_orders, sum(paid_fen) AS gmv_fen, sum(refund_fen) AS refund_fen,
           count(*) FILTER (WHERE refund_fen > 0) AS refunded_orders,
           count(*) FILTER (WHERE qualifying) AS qualifying_orders,
           coalesce(sum(paid_fen - refund_fen) FILTER (WHERE qualifying), 0) AS qualifying_sales_fen,
           count(DISTINCT buyer_id) FILTER (WHERE qualifying) AS buyers,
           count(*) FILTER (WHERE qualifying AND buyer_id IS NULL) AS guest_orders,
           coalesce(sum(paid_fen - refund_fen) FILTER (WHERE qualifying AND buyer_id IS NOT NULL), 0) AS buyer_sales_fen
      FROM chk.orders WHERE paid_at <= (SELECT at FROM chk.eoo) GROUP BY 1
), cal AS (         -- the first sale's month to the month of the end of observation
    SELECT g::date AS month_start
      FROM generate_series((SELECT min(month_start) FROM mo), date_trunc('month', (SELECT day FROM chk.eoo)),
                           interval '1 month') g
), s AS (
    SELECT cal.month_start, coalesce(mo.paid_orders, 0) AS paid_orders, coalesce(mo.gmv_fen, 0) AS gmv_fen,
           coalesce(mo.refund_fen, 0) AS refund_fen, coalesce(mo.refunded_orders, 0) AS refunded_orders,
           coalesce(mo.qualifying_orders, 0) AS qualifying_orders,
           coalesce(mo.qualifying_sales_fen, 0) AS qualifying_sales_fen, coalesce(mo.buyers, 0) AS buyers,
           coalesce(mo.guest_orders, 0) AS guest_orders, coalesce(mo.buyer_sales_fen, 0) AS buyer_sales_fen
      FROM cal LEFT JOIN mo USING (month_start)
)
SELECT s.month_start,
       (s.month_start + interval '1 month')::date - 1                   AS month_end,
       s.paid_orders, s.gmv_fen, (s.gmv_fen / 100.0)::numeric(14,2)      AS gmv_yuan,
       s.refund_fen, (s.refund_fen / 100.0)::numeric(14,2)               AS refund_yuan,
       s.gmv_fen - s.refund_fen                                          AS net_sales_fen,
       ((s.gmv_fen - s.refund_fen) / 100.0)::numeric(14,2)               AS net_sales_yuan,
       CASE WHEN s.gmv_fen > 0 THEN round(s.refund_fen::numeric / s.gmv_fen, 6) END AS refund_rate,
       s.refunded_orders,
       CASE WHEN s.paid_orders > 0 THEN round(s.refunded_orders::numeric / s.paid_orders, 6) END AS refunded_order_rate,
       s.qualifying_orders, s.qualifying_sales_fen,
       (s.qualifying_sales_fen / 100.0)::numeric(14,2)                   AS qualifying_sales_yuan,
       s.buyers, s.guest_orders,
       CASE WHEN s.qualifying_orders > 0 THEN round(s.qualifying_sales_fen::numeric / s.qualifying_orders)::bigint END AS aov_fen,
       CASE WHEN s.qualifying_orders > 0 THEN (round(s.qualifying_sales_fen::numeric / s.qualifying_orders) / 100)::numeric(14,2) END AS aov_yuan,
       CASE WHEN s.buyers > 0 THEN round(s.buyer_sales_fen::numeric / s.buyers)::bigint END AS sales_per_buyer_fen,
       CASE WHEN s.buyers > 0 THEN (round(s.buyer_sales_fen::numeric / s.buyers) / 100)::numeric(14,2) END AS sales_per_buyer_yuan,
       (s.month_start + interval '1 month')::date - 1 < (SELECT day FROM chk.eoo) AS is_complete
  FROM s;

-- days: the same from per-day sums (a set-based pass; the daily grid is long)
CREATE TABLE chk.sales_daily AS
WITH d AS (
    SELECT paid_date,
           count(*) AS paid_orders, sum(paid_fen) AS gmv_fen, sum(refund_fen) AS refund_fen,
           count(*) FILTER (WHERE refund_fen > 0) AS refunded_orders,
           count(*) FILTER (WHERE qualifying) AS qualifying_orders,
           coalesce(sum(paid_fen - refund_fen) FILTER (WHERE qualifying), 0) AS qualifying_sales_fen,
           count(DISTINCT buyer_id) FILTER (WHERE qualifying) AS buyers,
           count(*) FILTER (WHERE qualifying AND buyer_id IS NULL) AS guest_orders,
           coalesce(sum(paid_fen - refund_fen) FILTER (WHERE qualifying AND buyer_id IS NOT NULL), 0) AS buyer_sales_fen
      FROM chk.orders WHERE paid_at <= (SELECT at FROM chk.eoo) GROUP BY paid_date
), cal AS (
    SELECT g::date AS date
      FROM generate_series((SELECT min(paid_date) FROM d), (SELECT day FROM chk.eoo), interval '1 day') g
), s AS (
    SELECT cal.date, coalesce(d.paid_orders, 0) AS paid_orders, coalesce(d.gmv_fen, 0) AS gmv_fen,
           coalesce(d.refund_fen, 0) AS refund_fen, coalesce(d.refunded_orders, 0) AS refunded_orders,
           coalesce(d.qualifying_orders, 0) AS qualifying_orders,
           coalesce(d.qualifying_sales_fen, 0) AS qualifying_sales_fen, coalesce(d.buyers, 0) AS buyers,
           coalesce(d.guest_orders, 0) AS guest_orders, coalesce(d.buyer_sales_fen, 0) AS buyer_sales_fen
      FROM cal LEFT JOIN d ON d.paid_date = cal.date
)
SELECT s.date,
       to_char(s.date, 'YYYYMMDD')::int                                  AS date_key,
       s.paid_orders, s.gmv_fen, (s.gmv_fen / 100.0)::numeric(14,2)      AS gmv_yuan,
       s.refund_fen, (s.refund_fen / 100.0)::numeric(14,2)               AS refund_yuan,
       s.gmv_fen - s.refund_fen                                          AS net_sales_fen,
       ((s.gmv_fen - s.refund_fen) / 100.0)::numeric(14,2)               AS net_sales_yuan,
       CASE WHEN s.gmv_fen > 0 THEN round(s.refund_fen::numeric / s.gmv_fen, 6) END AS refund_rate,
       s.refunded_orders,
       CASE WHEN s.paid_orders > 0 THEN round(s.refunded_orders::numeric / s.paid_orders, 6) END AS refunded_order_rate,
       s.qualifying_orders, s.qualifying_sales_fen,
       (s.qualifying_sales_fen / 100.0)::numeric(14,2)                   AS qualifying_sales_yuan,
       s.buyers, s.guest_orders,
       CASE WHEN s.qualifying_orders > 0 THEN round(s.qualifying_sales_fen::numeric / s.qualifying_orders)::bigint END AS aov_fen,
       CASE WHEN s.qualifying_orders > 0 THEN (round(s.qualifying_sales_fen::numeric / s.qualifying_orders) / 100)::numeric(14,2) END AS aov_yuan,
       CASE WHEN s.buyers > 0 THEN round(s.buyer_sales_fen::numeric / s.buyers)::bigint END AS sales_per_buyer_fen,
       CASE WHEN s.buyers > 0 THEN (round(s.buyer_sales_fen::numeric / s.buyers) / 100)::numeric(14,2) END AS sales_per_buyer_yuan,
       s.date < (SELECT day FROM chk.eoo)                                 AS is_complete
  FROM s;

-- ---------------------------------------------------------------------------------------------
-- repurchase per period: kpi.repurchase_period (month, quarter, year of the paid date)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chk.period AS
WITH t AS (SELECT * FROM (VALUES ('month', 1), ('quarter', 3), ('year', 12)) v (period_type, months))
SELECT t.period_type, g::date AS period_start,
       (g + make_interval(months => t.months))::date - 1 AS period_end,
       (g + make_interval(months => t.months))::date     AS next_start,
       (g + make_interval(months => 2 * t.months))::date AS next_end_excl
  FROM t,
       generate_series(date_trunc(t.period_type, (SELECT min(paid_date) FROM chk.q))::date,
                       date_trunc(t.period_type, (SELECT day FROM chk.eoo))::date,
                       make_interval(months => t.months)) g;

-- (period, buyer): orders and money of the buyer in the period
CREATE TABLE chk.period_buyer AS
SELECT t.period_type, date_trunc(t.period_type, q.paid_date)::date AS period_start, q.buyer_id,
       count(*) AS orders, sum(q.net_fen) AS net_fen
  FROM chk.q q CROSS JOIN (VALUES ('month'), ('quarter'), ('year')) t (period_type)
 GROUP BY 1, 2, 3;

CREATE TABLE chk.repurchase_period AS
WITH pb AS (        -- bought before the period; bought again in the next one
    SELECT pb.*,
           b.first_date < pb.period_start AS before,
           EXISTS (SELECT 1 FROM chk.period_buyer n
                    WHERE n.period_type = pb.period_type AND n.period_start = p.next_start
                      AND n.buyer_id = pb.buyer_id) AS next
      FROM chk.period_buyer pb
      JOIN chk.period p USING (period_type, period_start)
      JOIN chk.buyer b USING (buyer_id)
), a AS (
    SELECT period_type, period_start,
           count(*) AS buyers, count(*) FILTER (WHERE orders >= 2) AS repeat_buyers,
           sum(orders) AS orders, sum(net_fen) AS net_fen,
           count(*) FILTER (WHERE NOT before) AS new_buyers,
           count(*) FILTER (WHERE before) AS returning_buyers,
           count(*) FILTER (WHERE next) AS retained
      FROM pb GROUP BY period_type, period_start
)
SELECT p.period_type, p.period_start, p.period_end,
       coalesce(a.buyers, 0)                                              AS buyers,
       coalesce(a.repeat_buyers, 0)                                       AS repeat_buyers,
       CASE WHEN a.buyers > 0 THEN round(a.repeat_buyers::numeric / a.buyers, 6) END AS repurchase_rate,
       coalesce(a.orders, 0)                                              AS orders,
       CASE WHEN a.buyers > 0 THEN round(a.orders::numeric / a.buyers, 4) END AS orders_per_buyer,
       coalesce(a.net_fen, 0)                                             AS net_sales_fen,
       (coalesce(a.net_fen, 0) / 100.0)::numeric(14,2)                    AS net_sales_yuan,
       CASE WHEN a.orders > 0 THEN round(a.net_fen::numeric / a.orders)::bigint END AS aov_fen,
       CASE WHEN a.orders > 0 THEN (round(a.net_fen::numeric / a.orders) / 100)::numeric(14,2) END AS aov_yuan,
       coalesce(a.new_buyers, 0)                                          AS new_buyers,
       coalesce(a.returning_buyers, 0)                                    AS returning_buyers,
       CASE WHEN a.buyers > 0 THEN round(a.returning_buyers::numeric / a.buyers, 6) END AS returning_customer_rate,
       -- the next period is observed when its first day is the end of observation's day or earlier
       CASE WHEN p.next_start <= (SELECT day FROM chk.eoo) THEN coalesce(a.retained, 0) END AS retained_next_period,
       CASE WHEN p.next_start <= (SELECT day FROM chk.eoo) AND a.buyers > 0
            THEN round(a.retained::numeric / a.buyers, 6) END             AS next_period_retention_rate,
       p.next_end_excl - 1 < (SELECT day FROM chk.eoo)                    AS next_period_complete,
       p.period_end < (SELECT day FROM chk.eoo)                           AS is_complete
  FROM chk.period p
  LEFT JOIN a USING (period_type, period_start);

-- ---------------------------------------------------------------------------------------------
-- N-day repurchase by first-order cohort month: kpi.repurchase_window
-- repurchased within N days ⇔ some qualifying order was paid on a later day d, first_date < d <=
-- first_date + N (a second order on the first day is the same visit). Cohort rows count everyone;
-- the overall row per N (cohort_month NULL) only those observable for the whole window,
-- first_date + N <= the end of observation's day: the 30/60/90-day rates to quote.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chk.window_buyer AS
SELECT b.buyer_id, date_trunc('month', b.first_date)::date AS cohort_month, n.window_days,
       EXISTS (SELECT 1 FROM chk.q e
                WHERE e.buyer_id = b.buyer_id AND e.paid_date > b.first_date
                  AND e.paid_date <= b.first_date + n.window_days) AS repurchased,
       b.first_date + n.window_days <= (SELECT day FROM chk.eoo) AS observable
  FROM chk.buyer b CROSS JOIN (VALUES (30), (60), (90)) n (window_days);

CREATE TABLE chk.repurchase_window AS
SELECT w.cohort_month,
       (w.cohort_month + interval '1 month')::date - 1                    AS cohort_month_end,
       w.window_days, count(*) AS cohort_customers,
       count(*) FILTER (WHERE w.repurchased)                               AS repurchased_customers,
       round((count(*) FILTER (WHERE w.repurchased))::numeric / count(*), 6) AS repurchase_rate,
       (w.cohort_month + interval '1 month')::date - 1 + w.window_days <= (SELECT day FROM chk.eoo) AS window_elapsed,
       (SELECT day FROM chk.eoo)                                           AS observed_until
  FROM chk.window_buyer w
 GROUP BY w.cohort_month, w.window_days
UNION ALL
SELECT NULL, NULL, w.window_days,
       count(*) FILTER (WHERE w.observable),
       count(*) FILTER (WHERE w.observable AND w.repurchased),
       round((count(*) FILTER (WHERE w.observable AND w.repurchased))::numeric
             / nullif(count(*) FILTER (WHERE w.observable), 0), 6),
       true, (SELECT day FROM chk.eoo)
  FROM chk.window_buyer w
 GROUP BY w.window_days;

-- ---------------------------------------------------------------------------------------------
-- cohort retention matrix: kpi.cohort_retention
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chk.cohort_retention AS
WITH c AS (
    SELECT date_trunc('month', first_date)::date AS cohort_month, count(*) AS cohort_customers
      FROM chk.buyer GROUP BY 1
), e AS (           -- the month of the end of observation; the matrix is as wide for every cohort
    SELECT date_trunc('month', day)::date AS eoo_month,
           (SELECT (extract(year FROM age(date_trunc('month', day)::date, min(cohort_month))) * 12
                    + extract(month FROM age(date_trunc('month', day)::date, min(cohort_month))))::int
              FROM c) AS width
      FROM chk.eoo
), cell AS (
    SELECT c.cohort_month, c.cohort_customers, k AS months_since_first,
           (c.cohort_month + make_interval(months => k))::date AS activity_month
      FROM c, e, generate_series(0, e.width) k
)
SELECT cell.cohort_month, cell.months_since_first, cell.activity_month, cell.cohort_customers,
       CASE WHEN cell.activity_month <= e.eoo_month THEN coalesce(a.n, 0) END AS active_customers
  FROM cell
  CROSS JOIN e
  LEFT JOIN (SELECT date_trunc('month', b.first_date)::date AS cohort_month, q.paid_month,
                    count(DISTINCT q.buyer_id) AS n
               FROM chk.q q JOIN chk.buyer b USING (buyer_id)
              GROUP BY 1, 2) a
    ON a.cohort_month = cell.cohort_month AND a.paid_month = cell.activity_month;
ALTER TABLE chk.cohort_retention ADD COLUMN retention_rate numeric, ADD COLUMN is_complete boolean,
                                 ADD COLUMN is_partial boolean;
UPDATE chk.cohort_retention
   SET retention_rate = round(active_customers::numeric / cohort_customers, 6),
       is_complete = (activity_month + interval '1 month')::date - 1 < (SELECT day FROM chk.eoo),
       is_partial = activity_month = date_trunc('month', (SELECT day FROM chk.eoo))::date;

-- ---------------------------------------------------------------------------------------------
-- customer value and RFM: kpi.customer_value
-- score = quintile of the customer's position p (1..n) in the stated order, as ntile(5) splits
-- n rows: the first n mod 5 buckets hold ⌈n/5⌉ rows, the others ⌊n/5⌋
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION chk.quintile(p bigint, n bigint) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p <= (n % 5) * (n / 5 + 1) THEN ((p - 1) / (n / 5 + 1) + 1)::int
                ELSE ((n % 5) + (p - (n % 5) * (n / 5 + 1) - 1) / (n / 5) + 1)::int END
$$;

CREATE TABLE chk.customer_value AS
WITH b AS (
    SELECT b.*, (SELECT day FROM chk.eoo) - b.last_date AS recency_days,
           (SELECT count(*) FROM chk.buyer) AS n
      FROM chk.buyer b
), pos AS (          -- positions in the stated orders; ties by customer_key, lower key first
    SELECT b.*,
           row_number() OVER (ORDER BY b.last_date, b.customer_key) AS r_pos,   -- least recent first
           row_number() OVER (ORDER BY b.orders, b.customer_key)    AS f_pos,
           row_number() OVER (ORDER BY b.net_fen, b.customer_key)   AS m_pos
      FROM b
)
SELECT pos.buyer_id, pos.customer_key,
       pos.first_at AS first_order_at, pos.last_at AS last_order_at,
       pos.first_date AS first_order_date, pos.last_date AS last_order_date,
       pos.orders, pos.paid_fen, (pos.paid_fen / 100.0)::numeric(14,2) AS paid_yuan,
       pos.refund_fen, (pos.refund_fen / 100.0)::numeric(14,2) AS refund_yuan,
       pos.net_fen AS net_paid_fen, (pos.net_fen / 100.0)::numeric(14,2) AS net_paid_yuan,
       round(pos.net_fen::numeric / pos.orders)::bigint AS aov_fen,
       (round(pos.net_fen::numeric / pos.orders) / 100)::numeric(14,2) AS aov_yuan,
       (SELECT day FROM chk.eoo) AS snapshot_date,
       pos.recency_days,
       chk.quintile(pos.r_pos, pos.n) AS r_score,
       chk.quintile(pos.f_pos, pos.n) AS f_score,
       chk.quintile(pos.m_pos, pos.n) AS m_score
  FROM pos;
ALTER TABLE chk.customer_value ADD COLUMN rfm_code text, ADD COLUMN segment_code text, ADD COLUMN segment_cn text;
UPDATE chk.customer_value
   SET rfm_code = r_score::text || f_score::text || m_score::text,
       segment_code = CASE WHEN m_score >= 3 THEN 'important_' ELSE 'general_' END
                      || CASE WHEN r_score >= 3 AND f_score >= 3 THEN 'value'
                              WHEN r_score >= 3 THEN 'develop'
                              WHEN f_score >= 3 THEN 'retain'
                              ELSE 'winback' END,
       segment_cn = CASE WHEN m_score >= 3 THEN '重要' ELSE '一般' END
                    || CASE WHEN r_score >= 3 AND f_score >= 3 THEN '价值'
                            WHEN r_score >= 3 THEN '发展'
                            WHEN f_score >= 3 THEN '保持'
                            ELSE '挽留' END;

-- ---------------------------------------------------------------------------------------------
-- active customers: kpi.active_customers (interactions = qualifying orders only: these datasets
-- have no WeCom relationships or groups)
-- ---------------------------------------------------------------------------------------------
-- a customer active on day t is in the W-day window of each day t .. t + W - 1
CREATE TABLE chk.activity AS SELECT DISTINCT buyer_id, paid_date AS date FROM chk.q;
CREATE TABLE chk.active_customers AS
WITH cal AS (
    SELECT g::date AS date
      FROM generate_series((SELECT min(date) FROM chk.activity), (SELECT day FROM chk.eoo), interval '1 day') g
), d1 AS (
    SELECT date, count(*) AS n FROM chk.activity GROUP BY date
), d7 AS (
    SELECT a.date + k AS date, count(DISTINCT a.buyer_id) AS n
      FROM chk.activity a, generate_series(0, 6) k GROUP BY 1
), d30 AS (
    SELECT a.date + k AS date, count(DISTINCT a.buyer_id) AS n
      FROM chk.activity a, generate_series(0, 29) k GROUP BY 1
), wk AS (
    SELECT date_trunc('week', date)::date AS week_start, count(DISTINCT buyer_id) AS n FROM chk.activity GROUP BY 1
), mo AS (
    SELECT date_trunc('month', date)::date AS month_start, count(DISTINCT buyer_id) AS n FROM chk.activity GROUP BY 1
)
SELECT cal.date, to_char(cal.date, 'YYYYMMDD')::int AS date_key,
       coalesce(d1.n, 0) AS dau, coalesce(d7.n, 0) AS wau_7d, coalesce(d30.n, 0) AS mau_30d,
       CASE WHEN d30.n > 0 THEN round(coalesce(d1.n, 0)::numeric / d30.n, 6) END AS stickiness_rate,
       coalesce(wk.n, 0) AS week_active_customers, coalesce(mo.n, 0) AS month_active_customers,
       date_trunc('week', cal.date)::date AS week_start, date_trunc('month', cal.date)::date AS month_start,
       cal.date < (SELECT day FROM chk.eoo) AS is_complete
  FROM cal
  LEFT JOIN d1 USING (date)
  LEFT JOIN d7 USING (date)
  LEFT JOIN d30 USING (date)
  LEFT JOIN wk ON wk.week_start = date_trunc('week', cal.date)::date
  LEFT JOIN mo ON mo.month_start = date_trunc('month', cal.date)::date;

-- ---------------------------------------------------------------------------------------------
-- headline counts of the load (compared with dw.* and with the converter's counts)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chk.totals AS
SELECT 'orders' AS k, count(*)::numeric AS v FROM chk.orders
UNION ALL SELECT 'lines', count(*) FROM chk.line WHERE loads
UNION ALL SELECT 'rejected_lines', count(*) FROM chk.line WHERE NOT loads
UNION ALL SELECT 'items', sum(items) FROM chk.orders
UNION ALL SELECT 'gross_fen', sum(gross_fen) FROM chk.orders
UNION ALL SELECT 'paid_fen', sum(paid_fen) FROM chk.orders
UNION ALL SELECT 'refund_fen', sum(refund_fen) FROM chk.orders
UNION ALL SELECT 'paid_orders', count(*) FROM chk.orders WHERE paid_at IS NOT NULL
UNION ALL SELECT 'qualifying_orders', count(*) FROM chk.orders WHERE qualifying
UNION ALL SELECT 'guest_orders', count(*) FROM chk.orders WHERE buyer_id IS NULL
UNION ALL SELECT 'customers', count(DISTINCT buyer_id) FROM chk.orders
UNION ALL SELECT 'customers_with_qualifying_order', count(*) FROM chk.buyer;

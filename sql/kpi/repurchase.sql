-- kpi/repurchase.sql — repurchase: kpi.qualifying_order (building block),
-- kpi.repurchase_by_segment (materialized) with its two faces kpi.repurchase_period and
-- kpi.private_domain_lift (plain views), kpi.repurchase_window, kpi.cohort_retention.
--
-- Common rules (stated in every comment):
--   * an order counts when dw.fact_order.is_qualifying (paid, not cancelled, not fully
--     refunded) and it has a customer (guest orders cannot repurchase: left out);
--   * its period is its business date of payment (paid_date_key);
--   * repurchase counts ORDERS, not distinct days: two orders on one day are a repurchase;
--   * "in the private domain" = the customer had an active WeCom relationship (any staff)
--     at the moment of payment, from kpi.pool_membership (point in time).
-- requires: kpi/pool_membership.sql

-- ---------------------------------------------------------------------------------------------
-- kpi.qualifying_order
-- ---------------------------------------------------------------------------------------------
DROP MATERIALIZED VIEW IF EXISTS kpi.qualifying_order CASCADE;
CREATE MATERIALIZED VIEW kpi.qualifying_order AS
WITH o AS (
    SELECT f.order_key, f.customer_key, f.channel_key, f.paid_at,
           coalesce(f.paid_date_key, dw.date_key_of(f.paid_at)) AS paid_date_key,
           f.paid_fen, f.refund_fen
      FROM dw.fact_order f
     WHERE f.is_qualifying AND f.customer_key IS NOT NULL
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

-- ---------------------------------------------------------------------------------------------
-- kpi.repurchase_by_segment (+ views kpi.repurchase_period, kpi.private_domain_lift)
-- ---------------------------------------------------------------------------------------------
DROP MATERIALIZED VIEW IF EXISTS kpi.repurchase_by_segment CASCADE;
CREATE MATERIALIZED VIEW kpi.repurchase_by_segment AS
WITH cm AS (        -- one row per (customer, month); quarters and years are rolled up from it
    SELECT q.customer_key, q.paid_month AS month_start,
           count(*)                                                           AS orders,
           sum(q.net_paid_fen)                                                AS net_fen,
           (array_agg(q.in_private_domain ORDER BY q.paid_at, q.order_key))[1] AS first_in_pd
      FROM kpi.qualifying_order q
     GROUP BY q.customer_key, q.paid_month
), first_buy AS (
    SELECT customer_key, min(month_start) AS first_month FROM cm GROUP BY customer_key
), cp AS (          -- one row per (period type, period, customer)
    SELECT 'month'::text AS period_type, 1 AS period_months, month_start AS period_start,
           customer_key, orders, net_fen, first_in_pd
      FROM cm
    UNION ALL
    SELECT 'quarter', 3, date_trunc('quarter', month_start::timestamp)::date,
           customer_key, sum(orders), sum(net_fen), (array_agg(first_in_pd ORDER BY month_start))[1]
      FROM cm GROUP BY 3, 4
    UNION ALL
    SELECT 'year', 12, date_trunc('year', month_start::timestamp)::date,
           customer_key, sum(orders), sum(net_fen), (array_agg(first_in_pd ORDER BY month_start))[1]
      FROM cm GROUP BY 3, 4
), cps AS (
    SELECT cp.*,
           CASE WHEN cp.first_in_pd THEN 'private_domain' ELSE 'outside' END AS seg,
           f.first_month < cp.period_start                                  AS is_returning,
           f.first_month >= cp.period_start                                 AS is_new,
           lead(cp.period_start) OVER (PARTITION BY cp.period_type, cp.customer_key ORDER BY cp.period_start)
               = (cp.period_start + make_interval(months => cp.period_months))::date AS bought_next
      FROM cp JOIN first_buy f USING (customer_key)
), agg AS (
    SELECT period_type, period_start, coalesce(seg, 'all') AS segment,
           count(*)                                   AS buyers,
           count(*) FILTER (WHERE orders >= 2)        AS repeat_buyers,
           sum(orders)                                AS orders,
           sum(net_fen)                               AS net_sales_fen,
           count(*) FILTER (WHERE is_new)             AS new_buyers,
           count(*) FILTER (WHERE is_returning)       AS returning_buyers,
           count(*) FILTER (WHERE bought_next)        AS retained_next_period
      FROM cps
     GROUP BY GROUPING SETS ((period_type, period_start), (period_type, period_start, seg))
), bound AS MATERIALIZED (
    SELECT kpi.business_date() AS today
), grid AS (        -- every period from the first purchase to the current one, for every segment
    SELECT pt.period_type, pt.pm, p::date AS period_start, s.segment, b.today
      FROM (SELECT period_type, min(period_start) AS first_start,
                   CASE period_type WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 ELSE 12 END AS pm
              FROM agg GROUP BY period_type) pt
      CROSS JOIN bound b
      CROSS JOIN LATERAL generate_series(pt.first_start,
                                         greatest(date_trunc(pt.period_type, b.today)::date,
                                                  (SELECT max(period_start) FROM agg a WHERE a.period_type = pt.period_type)),
                                         make_interval(months => pt.pm)) AS p
      CROSS JOIN (VALUES ('all'), ('private_domain'), ('outside')) AS s (segment)
)
SELECT g.period_type,
       g.period_start,
       (g.period_start + make_interval(months => g.pm) - interval '1 day')::date     AS period_end,
       g.segment,
       coalesce(a.buyers, 0)::bigint                                                  AS buyers,
       coalesce(a.repeat_buyers, 0)::bigint                                           AS repeat_buyers,
       round(a.repeat_buyers::numeric / nullif(a.buyers, 0), 6)                       AS repurchase_rate,
       coalesce(a.orders, 0)::bigint                                                  AS orders,
       round(a.orders::numeric / nullif(a.buyers, 0), 4)                              AS orders_per_buyer,
       coalesce(a.net_sales_fen, 0)::bigint                                           AS net_sales_fen,
       (coalesce(a.net_sales_fen, 0) / 100.0)::numeric(14,2)                          AS net_sales_yuan,
       round(a.net_sales_fen::numeric / nullif(a.orders, 0))::bigint                  AS aov_fen,
       (round(a.net_sales_fen::numeric / nullif(a.orders, 0)) / 100.0)::numeric(14,2) AS aov_yuan,
       coalesce(a.new_buyers, 0)::bigint                                              AS new_buyers,
       coalesce(a.returning_buyers, 0)::bigint                                        AS returning_buyers,
       round(a.returning_buyers::numeric / nullif(a.buyers, 0), 6)                    AS returning_customer_rate,
       CASE WHEN (g.period_start + make_interval(months => g.pm))::date <= g.today
            THEN coalesce(a.retained_next_period, 0)::bigint END                      AS retained_next_period,
       CASE WHEN (g.period_start + make_interval(months => g.pm))::date <= g.today
            THEN round(a.retained_next_period::numeric / nullif(a.buyers, 0), 6) END  AS next_period_retention_rate,
       (g.period_start + make_interval(months => 2 * g.pm) - interval '1 day')::date < g.today AS next_period_complete,
       (g.period_start + make_interval(months => g.pm) - interval '1 day')::date < g.today     AS is_complete
  FROM grid g
  LEFT JOIN agg a USING (period_type, period_start, segment);

CREATE UNIQUE INDEX repurchase_by_segment_uq ON kpi.repurchase_by_segment (period_type, segment, period_start);

CREATE OR REPLACE VIEW kpi.repurchase_period AS
SELECT period_type, period_start, period_end,
       buyers, repeat_buyers, repurchase_rate, orders, orders_per_buyer,
       net_sales_fen, net_sales_yuan, aov_fen, aov_yuan,
       new_buyers, returning_buyers, returning_customer_rate,
       retained_next_period, next_period_retention_rate, next_period_complete, is_complete
  FROM kpi.repurchase_by_segment
 WHERE segment = 'all';

CREATE OR REPLACE VIEW kpi.private_domain_lift AS
SELECT p.period_type, p.period_start, p.period_end,
       p.buyers                      AS pd_buyers,
       p.repeat_buyers               AS pd_repeat_buyers,
       p.repurchase_rate             AS pd_repurchase_rate,
       p.orders_per_buyer            AS pd_orders_per_buyer,
       p.aov_fen                     AS pd_aov_fen,
       p.aov_yuan                    AS pd_aov_yuan,
       p.returning_customer_rate     AS pd_returning_customer_rate,
       p.next_period_retention_rate  AS pd_next_period_retention_rate,
       o.buyers                      AS outside_buyers,
       o.repeat_buyers               AS outside_repeat_buyers,
       o.repurchase_rate             AS outside_repurchase_rate,
       o.orders_per_buyer            AS outside_orders_per_buyer,
       o.aov_fen                     AS outside_aov_fen,
       o.aov_yuan                    AS outside_aov_yuan,
       o.returning_customer_rate     AS outside_returning_customer_rate,
       o.next_period_retention_rate  AS outside_next_period_retention_rate,
       p.repurchase_rate - o.repurchase_rate                             AS repurchase_rate_lift,
       round(p.repurchase_rate / nullif(o.repurchase_rate, 0), 4)        AS repurchase_rate_ratio,
       p.next_period_retention_rate - o.next_period_retention_rate       AS retention_rate_lift,
       p.next_period_complete,
       p.is_complete
  FROM kpi.repurchase_by_segment p
  JOIN kpi.repurchase_by_segment o
    ON o.period_type = p.period_type AND o.period_start = p.period_start AND o.segment = 'outside'
 WHERE p.segment = 'private_domain';

COMMENT ON MATERIALIZED VIEW kpi.repurchase_by_segment IS
  'Building block of kpi.repurchase_period and kpi.private_domain_lift. Grain: one row per (period_type, period_start, '
  'segment); period_type ''month'', ''quarter'' or ''year'' (business dates of payment); segment ''all'', ''private_domain'' '
  'or ''outside''. A buyer of a period belongs to ''private_domain'' when they had an active WeCom relationship at the payment '
  'of their first qualifying order of that period, else to ''outside''; all their orders of the period go with them, so the two '
  'segments add up to ''all'' (each buyer once). Orders: qualifying (dw.fact_order.is_qualifying) orders of identified '
  'customers (guest orders left out). repurchase_rate (复购率) = buyers with ≥ 2 qualifying orders in the period ÷ buyers — '
  'ORDERS are counted, not distinct days (two orders on one day make a repeat buyer); returning_customer_rate = buyers who had '
  'a qualifying order before the period ÷ buyers; next_period_retention_rate (回购率) = buyers of the period who also buy in '
  'the next period ÷ buyers (NULL until the next period has started; next_period_complete tells whether it is over). '
  'Every period from the first purchase to the current one has a row for each segment; rates are NULL when buyers = 0.';
COMMENT ON VIEW kpi.repurchase_period IS
  'Period repurchase (复购率), returning-customer rate and next-period retention (回购率), all customers. Grain: one row per '
  '(period_type, period_start); period_type ''month'', ''quarter'' or ''year'' over business dates of payment — filter on it. '
  'Orders counted: qualifying orders (paid, not cancelled, not fully refunded) of identified customers; guest orders are left '
  'out (no customer to repurchase). repurchase_rate = customers with ≥ 2 qualifying orders in the period ÷ customers with ≥ 1 '
  '(counts ORDERS, not distinct days: two orders on the same day count as a repurchase). returning_customer_rate = buyers of '
  'the period who had a qualifying order before it ÷ buyers of the period. next_period_retention_rate = buyers of period t '
  'who buy again in t+1 ÷ buyers of t (NULL until t+1 has started; partial while next_period_complete is false). Rates are '
  'fractions rounded to 6 decimals, NULL when there are no buyers. Customers merged into another count as the surviving '
  'customer. Reads kpi.repurchase_by_segment (segment ''all'').';
COMMENT ON VIEW kpi.private_domain_lift IS
  'Private-domain lift: the repurchase metrics of kpi.repurchase_period for buyers inside vs outside the private domain. '
  'Grain: one row per (period_type, period_start). A buyer of the period is inside (pd_*) when, at the payment of their first '
  'qualifying order of the period, they had an active WeCom relationship with any staff member (point in time, not today''s '
  'status), else outside (outside_*); each buyer is in exactly one side per period and pd_buyers + outside_buyers = '
  'kpi.repurchase_period.buyers. Same definitions as kpi.repurchase_period (orders counted, not distinct days; qualifying '
  'orders of identified customers). repurchase_rate_lift = pd − outside repurchase rate (fraction points), '
  'repurchase_rate_ratio = pd ÷ outside (NULL when outside is 0 or NULL), retention_rate_lift likewise for next-period '
  'retention. For N-day repurchase inside vs outside see kpi.repurchase_window (segment column).';

DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
    ('period_type', '''month'', ''quarter'' or ''year'' (calendar periods of business dates). Filter on it.'),
    ('period_start', 'First day of the period.'),
    ('period_end', 'Last day of the period.'),
    ('segment', '''all'', ''private_domain'' (active WeCom relationship at the first qualifying order of the period) or ''outside''.'),
    ('buyers', 'Customers with ≥ 1 qualifying order in the period.'),
    ('repeat_buyers', 'Customers with ≥ 2 qualifying orders in the period (orders, not distinct days).'),
    ('repurchase_rate', 'repeat_buyers ÷ buyers (复购率), 6 decimals; NULL when buyers = 0.'),
    ('orders', 'Qualifying orders of these buyers in the period.'),
    ('orders_per_buyer', 'orders ÷ buyers, 4 decimals; NULL when buyers = 0.'),
    ('net_sales_fen', 'Σ (paid_fen − refund_fen) of these orders, fen.'),
    ('net_sales_yuan', 'net_sales_fen in yuan.'),
    ('aov_fen', 'net_sales_fen ÷ orders, rounded to the fen; NULL without orders.'),
    ('aov_yuan', 'aov_fen in yuan.'),
    ('new_buyers', 'Buyers whose first ever qualifying order is in the period.'),
    ('returning_buyers', 'Buyers who had a qualifying order before the period.'),
    ('returning_customer_rate', 'returning_buyers ÷ buyers, 6 decimals; NULL when buyers = 0.'),
    ('retained_next_period', 'Buyers of the period with a qualifying order in the next period; NULL until the next period has started.'),
    ('next_period_retention_rate', 'retained_next_period ÷ buyers (回购率), 6 decimals; NULL when buyers = 0 or the next period has not started.'),
    ('next_period_complete', 'true when the next period is over, so retained_next_period is final.'),
    ('is_complete', 'true when the period is over (before the business date of the last refresh).')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.repurchase_by_segment.%I IS %L', c.col, c.txt);
    IF c.col <> 'segment' THEN
      EXECUTE format('COMMENT ON COLUMN kpi.repurchase_period.%I IS %L', c.col, c.txt);
    END IF;
  END LOOP;
  FOR c IN SELECT * FROM (VALUES
    ('period_type', '''month'', ''quarter'' or ''year''. Filter on it.'),
    ('period_start', 'First day of the period.'),
    ('period_end', 'Last day of the period.'),
    ('pd_buyers', 'Buyers inside the private domain (active WeCom relationship at their first qualifying order of the period).'),
    ('pd_repeat_buyers', 'Inside buyers with ≥ 2 qualifying orders in the period.'),
    ('pd_repurchase_rate', 'pd_repeat_buyers ÷ pd_buyers, 6 decimals; NULL when 0 buyers.'),
    ('pd_orders_per_buyer', 'Qualifying orders per inside buyer, 4 decimals.'),
    ('pd_aov_fen', 'Net sales ÷ orders of inside buyers, rounded to the fen.'),
    ('pd_aov_yuan', 'pd_aov_fen in yuan.'),
    ('pd_returning_customer_rate', 'Share of inside buyers who had bought before the period.'),
    ('pd_next_period_retention_rate', 'Share of inside buyers who buy again in the next period (NULL until it has started).'),
    ('outside_buyers', 'Buyers outside the private domain at their first qualifying order of the period.'),
    ('outside_repeat_buyers', 'Outside buyers with ≥ 2 qualifying orders in the period.'),
    ('outside_repurchase_rate', 'outside_repeat_buyers ÷ outside_buyers, 6 decimals; NULL when 0 buyers.'),
    ('outside_orders_per_buyer', 'Qualifying orders per outside buyer, 4 decimals.'),
    ('outside_aov_fen', 'Net sales ÷ orders of outside buyers, rounded to the fen.'),
    ('outside_aov_yuan', 'outside_aov_fen in yuan.'),
    ('outside_returning_customer_rate', 'Share of outside buyers who had bought before the period.'),
    ('outside_next_period_retention_rate', 'Share of outside buyers who buy again in the next period (NULL until it has started).'),
    ('repurchase_rate_lift', 'pd_repurchase_rate − outside_repurchase_rate (fraction points); NULL when either is NULL.'),
    ('repurchase_rate_ratio', 'pd_repurchase_rate ÷ outside_repurchase_rate, 4 decimals; NULL when outside is 0 or NULL.'),
    ('retention_rate_lift', 'pd − outside next-period retention rate (fraction points); NULL when either is NULL.'),
    ('next_period_complete', 'true when the next period is over.'),
    ('is_complete', 'true when the period is over.')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.private_domain_lift.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- kpi.repurchase_window
-- ---------------------------------------------------------------------------------------------
DROP MATERIALIZED VIEW IF EXISTS kpi.repurchase_window CASCADE;
CREATE MATERIALIZED VIEW kpi.repurchase_window AS
WITH c AS (
    SELECT customer_key,
           min(paid_date) FILTER (WHERE order_seq = 1)           AS first_date,
           min(paid_date) FILTER (WHERE order_seq = 2)           AS second_date,
           bool_or(in_private_domain) FILTER (WHERE order_seq = 1) AS first_in_pd
      FROM kpi.qualifying_order
     WHERE order_seq <= 2
     GROUP BY customer_key
), cohort AS (
    SELECT date_trunc('month', first_date)::date AS cohort_month, first_date, second_date, first_in_pd
      FROM c
), agg AS (
    SELECT cohort_month, coalesce(CASE WHEN first_in_pd THEN 'private_domain' ELSE 'outside' END, 'all') AS segment,
           w.window_days,
           count(*)                                                         AS cohort_customers,
           count(*) FILTER (WHERE second_date - first_date <= w.window_days) AS repurchased_customers
      FROM cohort CROSS JOIN (VALUES (30), (60), (90)) AS w (window_days)
     GROUP BY GROUPING SETS ((cohort_month, w.window_days),
                             (cohort_month, w.window_days, CASE WHEN first_in_pd THEN 'private_domain' ELSE 'outside' END))
)
SELECT m.cohort_month,
       (m.cohort_month + interval '1 month' - interval '1 day')::date           AS cohort_month_end,
       s.segment,
       w.window_days,
       coalesce(a.cohort_customers, 0)::bigint                                  AS cohort_customers,
       coalesce(a.repurchased_customers, 0)::bigint                             AS repurchased_customers,
       round(a.repurchased_customers::numeric / nullif(a.cohort_customers, 0), 6) AS repurchase_rate,
       (m.cohort_month + interval '1 month' - interval '1 day')::date + w.window_days < b.today AS window_elapsed
  FROM (SELECT DISTINCT cohort_month FROM cohort) m
  CROSS JOIN (SELECT kpi.business_date() AS today OFFSET 0) b
  CROSS JOIN (VALUES ('all'), ('private_domain'), ('outside')) AS s (segment)
  CROSS JOIN (VALUES (30), (60), (90)) AS w (window_days)
  LEFT JOIN agg a ON a.cohort_month = m.cohort_month AND a.segment = s.segment AND a.window_days = w.window_days;

CREATE UNIQUE INDEX repurchase_window_uq ON kpi.repurchase_window (segment, window_days, cohort_month);

COMMENT ON MATERIALIZED VIEW kpi.repurchase_window IS
  'N-day repurchase (N = 30, 60, 90) by first-order cohort month. Grain: one row per (cohort_month, segment, window_days), '
  'for every month in which some customer made a first purchase. Cohort = customers whose first qualifying order '
  '(dw.fact_order.is_qualifying, identified customers only; order_seq recomputed from the current facts) was paid in the '
  'month (business date). repurchased_customers = cohort customers whose 2nd qualifying order was paid within N days of the '
  '1st: paid date of the 2nd − paid date of the 1st <= N, in business dates (ORDERS are counted, not distinct days: a 2nd order '
  'on the same day counts, 0 days). repurchase_rate = repurchased ÷ cohort (NULL for an empty segment). window_elapsed = '
  'the window of the cohort''s last possible first order (month end + N days) is over: only those rows are final; other rows '
  'can still grow. segment ''all'' is the whole cohort; ''private_domain'' / ''outside'' split it by whether the customer had '
  'an active WeCom relationship at their first order (the private-domain lift of N-day repurchase).';
COMMENT ON COLUMN kpi.repurchase_window.cohort_month IS 'First day of the month of the customers'' first qualifying order.';
COMMENT ON COLUMN kpi.repurchase_window.cohort_month_end IS 'Last day of the cohort month.';
COMMENT ON COLUMN kpi.repurchase_window.segment IS '''all'', ''private_domain'' or ''outside'' (WeCom relationship at the first order). Filter on it.';
COMMENT ON COLUMN kpi.repurchase_window.window_days IS 'N: 30, 60 or 90 days.';
COMMENT ON COLUMN kpi.repurchase_window.cohort_customers IS 'Customers of the cohort (and segment).';
COMMENT ON COLUMN kpi.repurchase_window.repurchased_customers IS 'Cohort customers whose 2nd qualifying order was paid within window_days of the 1st (business dates).';
COMMENT ON COLUMN kpi.repurchase_window.repurchase_rate IS 'repurchased_customers ÷ cohort_customers, 6 decimals; NULL when the cohort segment is empty.';
COMMENT ON COLUMN kpi.repurchase_window.window_elapsed IS 'true when cohort_month_end + window_days is before the business date of the last refresh: the figure is final.';

-- ---------------------------------------------------------------------------------------------
-- kpi.cohort_retention
-- ---------------------------------------------------------------------------------------------
DROP MATERIALIZED VIEW IF EXISTS kpi.cohort_retention CASCADE;
CREATE MATERIALIZED VIEW kpi.cohort_retention AS
WITH cust AS (
    SELECT customer_key, min(paid_month) AS cohort_month FROM kpi.qualifying_order GROUP BY customer_key
), size AS (
    SELECT cohort_month, count(*) AS cohort_customers FROM cust GROUP BY cohort_month
), act AS (
    SELECT c.cohort_month,
           ((extract(year FROM q.paid_month) - extract(year FROM c.cohort_month)) * 12
            + extract(month FROM q.paid_month) - extract(month FROM c.cohort_month))::int AS months_since_first,
           count(DISTINCT q.customer_key) AS active_customers
      FROM kpi.qualifying_order q JOIN cust c USING (customer_key)
     GROUP BY 1, 2
), bound AS MATERIALIZED (
    SELECT kpi.business_date() AS today
)
SELECT s.cohort_month,
       k.k                                                         AS months_since_first,
       (s.cohort_month + make_interval(months => k.k))::date      AS activity_month,
       s.cohort_customers::bigint                                  AS cohort_customers,
       coalesce(a.active_customers, 0)::bigint                     AS active_customers,
       round(coalesce(a.active_customers, 0)::numeric / s.cohort_customers, 6) AS retention_rate,
       (s.cohort_month + make_interval(months => k.k + 1) - interval '1 day')::date < b.today AS is_complete
  FROM size s
  CROSS JOIN bound b
  CROSS JOIN LATERAL generate_series(0,
        greatest(((extract(year FROM b.today) - extract(year FROM s.cohort_month)) * 12
                  + extract(month FROM b.today) - extract(month FROM s.cohort_month))::int,
                 (SELECT coalesce(max(a2.months_since_first), 0) FROM act a2 WHERE a2.cohort_month = s.cohort_month))) AS k (k)
  LEFT JOIN act a ON a.cohort_month = s.cohort_month AND a.months_since_first = k.k;

CREATE UNIQUE INDEX cohort_retention_uq ON kpi.cohort_retention (cohort_month, months_since_first);

COMMENT ON MATERIALIZED VIEW kpi.cohort_retention IS
  'Cohort retention matrix. Grain: one row per (cohort_month, months_since_first), months_since_first = 0 .. up to the '
  'current month. Cohort = identified customers whose first qualifying order (dw.fact_order.is_qualifying; guest orders left '
  'out) was paid in cohort_month (business dates). active_customers = cohort customers with ≥ 1 qualifying order paid in '
  'activity_month = cohort_month + months_since_first; retention_rate = active_customers ÷ cohort_customers (month 0 is 1 by '
  'definition). A customer counts once per month whatever the number of orders. is_complete = activity_month is over. '
  'Pivot cohort_month × months_since_first in the BI tool for the classic triangle.';
COMMENT ON COLUMN kpi.cohort_retention.cohort_month IS 'First day of the month of the customers'' first qualifying order.';
COMMENT ON COLUMN kpi.cohort_retention.months_since_first IS 'Months after the cohort month (0 = the cohort month itself).';
COMMENT ON COLUMN kpi.cohort_retention.activity_month IS 'First day of the month measured: cohort_month + months_since_first.';
COMMENT ON COLUMN kpi.cohort_retention.cohort_customers IS 'Customers in the cohort.';
COMMENT ON COLUMN kpi.cohort_retention.active_customers IS 'Cohort customers with ≥ 1 qualifying order paid in activity_month.';
COMMENT ON COLUMN kpi.cohort_retention.retention_rate IS 'active_customers ÷ cohort_customers, 6 decimals (cohorts are never empty).';
COMMENT ON COLUMN kpi.cohort_retention.is_complete IS 'true when activity_month is over (before the business date of the last refresh).';

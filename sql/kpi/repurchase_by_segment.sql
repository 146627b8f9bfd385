-- kpi/repurchase_by_segment.sql — repurchase per calendar period and private-domain segment:
-- kpi.repurchase_by_segment (its faces: kpi.repurchase_period, kpi.private_domain_lift)
-- requires: kpi/qualifying_order.sql
--
-- The common rules of the repurchase views (qualifying orders, periods, private domain) are in
-- kpi/qualifying_order.sql.

DROP MATERIALIZED VIEW IF EXISTS kpi.repurchase_by_segment CASCADE;
CREATE MATERIALIZED VIEW kpi.repurchase_by_segment AS
-- Each period type is grouped straight from kpi.qualifying_order (the three scans run in
-- parallel), and a period's first order and its private-domain flag travel as one integer,
-- 2 × order_seq + (0 inside, 1 outside), whose minimum is the first order's: one aggregate
-- instead of an array_agg sorted per group (docs/performance.md, "Every view at 70k orders").
WITH q AS NOT MATERIALIZED (   -- inlined into each branch below (a CTE only to name the mark once)
    SELECT customer_key, paid_month, net_paid_fen,
           2 * order_seq + CASE WHEN in_private_domain THEN 0 ELSE 1 END AS mark
      FROM kpi.qualifying_order
), cp AS (          -- one row per (period type, customer, period)
    SELECT 1 AS period_months, customer_key, paid_month AS period_start,
           count(*) AS orders, sum(net_paid_fen) AS net_fen, min(mark) AS first_mark
      FROM q GROUP BY 1, 2, 3
    UNION ALL
    SELECT 3, customer_key, date_trunc('quarter', paid_month::timestamp)::date,
           count(*), sum(net_paid_fen), min(mark)
      FROM q GROUP BY 1, 2, 3
    UNION ALL
    SELECT 12, customer_key, date_trunc('year', paid_month::timestamp)::date,
           count(*), sum(net_paid_fen), min(mark)
      FROM q GROUP BY 1, 2, 3
), cps AS (
    SELECT cp.*,
           CASE WHEN cp.first_mark % 2 = 0 THEN 'private_domain' ELSE 'outside' END AS seg,
           -- periods nest, so a customer who bought in an earlier period of this type had
           -- their first purchase before this one
           lag(cp.period_start) OVER w IS NOT NULL                          AS is_returning,
           lead(cp.period_start) OVER w
               = (cp.period_start + make_interval(months => cp.period_months))::date AS bought_next
      FROM cp
    WINDOW w AS (PARTITION BY cp.period_months, cp.customer_key ORDER BY cp.period_start)
), agg AS (
    SELECT CASE period_months WHEN 1 THEN 'month' WHEN 3 THEN 'quarter' ELSE 'year' END AS period_type,
           period_start, coalesce(seg, 'all') AS segment,
           count(*)                                   AS buyers,
           count(*) FILTER (WHERE orders >= 2)        AS repeat_buyers,
           sum(orders)                                AS orders,
           sum(net_fen)                               AS net_sales_fen,
           count(*) FILTER (WHERE NOT is_returning)   AS new_buyers,
           count(*) FILTER (WHERE is_returning)       AS returning_buyers,
           count(*) FILTER (WHERE bought_next)        AS retained_next_period
      FROM cps
     GROUP BY GROUPING SETS ((period_months, period_start), (period_months, period_start, seg))
), bound AS MATERIALIZED (   -- kpi.end_of_observation, as a business date
    SELECT kpi.business_date(kpi.end_of_observation('orders')) AS eoo_date
), grid AS (        -- every period from the first purchase to the one of the end of observation
    SELECT pt.period_type, pt.pm, p::date AS period_start, s.segment, b.eoo_date
      FROM (SELECT period_type, min(period_start) AS first_start,
                   CASE period_type WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 ELSE 12 END AS pm
              FROM agg GROUP BY period_type) pt
      CROSS JOIN bound b
      CROSS JOIN LATERAL generate_series(pt.first_start,
                                         date_trunc(pt.period_type, b.eoo_date)::date,
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
       CASE WHEN (g.period_start + make_interval(months => g.pm))::date <= g.eoo_date
            THEN coalesce(a.retained_next_period, 0)::bigint END                      AS retained_next_period,
       CASE WHEN (g.period_start + make_interval(months => g.pm))::date <= g.eoo_date
            THEN round(a.retained_next_period::numeric / nullif(a.buyers, 0), 6) END  AS next_period_retention_rate,
       (g.period_start + make_interval(months => 2 * g.pm) - interval '1 day')::date < g.eoo_date AS next_period_complete,
       (g.period_start + make_interval(months => g.pm) - interval '1 day')::date < g.eoo_date     AS is_complete
  FROM grid g
  LEFT JOIN agg a USING (period_type, period_start, segment);

CREATE UNIQUE INDEX repurchase_by_segment_uq ON kpi.repurchase_by_segment (period_type, segment, period_start);

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
  'Every period from the first purchase to the one of the end of observation (kpi.end_of_observation(''orders''), never the wall clock; orders paid after it are not counted) has a row for each segment; rates are NULL when buyers = 0.';
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
    ('retained_next_period', 'Buyers of the period with a qualifying order in the next period; NULL until the next period has started by the end of observation.'),
    ('next_period_retention_rate', 'retained_next_period ÷ buyers (回购率), 6 decimals; NULL when buyers = 0 or the next period has not started by the end of observation.'),
    ('next_period_complete', 'true when the next period is over before the end of observation, so retained_next_period is final.'),
    ('is_complete', 'true when the period is over before the end of observation; false for the period containing it (partial).')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.repurchase_by_segment.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;

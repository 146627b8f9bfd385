-- kpi/repurchase_by_segment.sql — repurchase per calendar period and private-domain segment:
-- kpi.repurchase_by_segment (its faces: kpi.repurchase_period, kpi.private_domain_lift)
-- requires: kpi/qualifying_order.sql kpi/customer_periods.sql
--
-- The common rules of the repurchase views (qualifying orders, periods, private domain) are in
-- kpi/qualifying_order.sql.

DROP MATERIALIZED VIEW IF EXISTS kpi.repurchase_by_segment CASCADE;
CREATE MATERIALIZED VIEW kpi.repurchase_by_segment AS
-- The buyers' periods are kept per customer (kpi.customer_periods: orders, sums, whether
-- they had bought before and buy again next period); this adds them up. A buyer's segment is
-- the private-domain flag of the period's first order (docs/performance.md, "kpi.customer_periods").
-- Only the orders paid in the private domain are looked up (kpi.qualifying_order keeps every
-- period's first order: a period without one there was outside): at 1M orders a hash of those
-- few instead of every qualifying order, 1.7 → 0.8 s.
WITH cps AS (
    SELECT cp.period_months, cp.period_start, cp.orders, cp.net_fen, cp.is_returning, cp.bought_next,
           CASE WHEN q.customer_key IS NOT NULL THEN 'private_domain' ELSE 'outside' END AS seg
      FROM kpi.customer_periods cp
      LEFT JOIN (SELECT customer_key, order_seq FROM kpi.qualifying_order WHERE in_private_domain) q
             ON q.customer_key = cp.customer_key AND q.order_seq = cp.first_seq
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

-- Card 7 · 复购与私域提升 / monthly repurchase, retention and private-domain lift (line, 3 series + table)
-- repurchase = ≥ 2 qualifying orders in the month (orders, not distinct days);
-- inside/outside = WeCom relationship at the buyer's first order of the month.
SELECT p.period_start                                AS month,
       p.buyers,
       round(100 * p.repurchase_rate, 2)             AS repurchase_pct,
       round(100 * p.returning_customer_rate, 2)     AS returning_pct,
       round(100 * p.next_period_retention_rate, 2)  AS next_month_retention_pct,
       l.pd_buyers,
       round(100 * l.pd_repurchase_rate, 2)          AS private_domain_repurchase_pct,
       l.outside_buyers,
       round(100 * l.outside_repurchase_rate, 2)     AS outside_repurchase_pct,
       round(100 * l.repurchase_rate_lift, 2)        AS lift_points
  FROM kpi.repurchase_period p
  JOIN kpi.private_domain_lift l USING (period_type, period_start)
 WHERE p.period_type = 'month'
   AND p.period_start > date_trunc('month', current_date) - interval '12 months'
 ORDER BY month;

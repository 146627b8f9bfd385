-- Card 5 · 活跃客户与黏性 / DAU, rolling WAU and MAU, stickiness, last 90 days (line, two axes)
SELECT date,
       dau,
       wau_7d,
       mau_30d,
       round(100 * stickiness_rate, 2) AS stickiness_pct      -- right axis
  FROM kpi.active_customers
 WHERE date > current_date - 90
 ORDER BY date;

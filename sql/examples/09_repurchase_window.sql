-- Card 9 · 30/60/90 天复购 / N-day repurchase by first-order cohort (grouped bars per cohort;
-- grey out rows that are not final yet)
SELECT cohort_month,
       window_days,
       cohort_customers,
       repurchased_customers,
       round(100 * repurchase_rate, 2) AS repurchase_pct,
       window_elapsed                  AS is_final
  FROM kpi.repurchase_window
 WHERE segment = 'all'
   AND cohort_month > date_trunc('month', current_date) - interval '12 months'
 ORDER BY cohort_month, window_days;

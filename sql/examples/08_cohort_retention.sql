-- Card 8 · 首购月留存矩阵 / cohort retention triangle (pivot table: rows cohort_month,
-- columns months_since_first, values retention_pct; conditional colouring)
SELECT cohort_month,
       months_since_first,
       cohort_customers,
       round(100 * retention_rate, 1) AS retention_pct
  FROM kpi.cohort_retention
 WHERE cohort_month > date_trunc('month', current_date) - interval '12 months'
   AND months_since_first <= 12
 ORDER BY cohort_month, months_since_first;

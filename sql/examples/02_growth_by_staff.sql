-- Card 2 · 员工新增与流失 / growth by staff, last complete month (table, sorted by net growth)
-- Staff rows count each customer once per staff member: they do not add up to the total.
SELECT dimension_label          AS staff,
       new_customers,
       reactivated_customers,
       lost_customers,
       net_growth,
       pool_start,
       pool_end,
       round(100 * churn_rate, 2) AS churn_pct
  FROM kpi.growth_monthly
 WHERE dimension = 'staff'
   AND month_start = (SELECT max(month_start) FROM kpi.growth_monthly WHERE dimension = 'total' AND is_complete)
 ORDER BY net_growth DESC, staff;

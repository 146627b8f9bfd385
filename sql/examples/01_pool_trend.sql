-- Card 1 · 私域客户池 / private-domain pool, last 180 days (line + bars)
-- One row per day: pool at the end of the day (line), new / reactivated / lost (bars).
SELECT date,
       pool_end                 AS customers_in_pool,
       new_customers,
       reactivated_customers,
       -lost_customers          AS lost_customers_negative,   -- plotted below the axis
       net_growth
  FROM kpi.growth_daily
 WHERE dimension = 'total'
   AND date > current_date - 180
 ORDER BY date;

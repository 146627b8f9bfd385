-- Card 3 · 活码效果 / channel codes: customers added and 30-day conversion, last 3 final months (table)
-- Conversion attributes each customer to the code of their first relationship (first touch);
-- window_elapsed = the 30-day window of every customer of the month is over.
SELECT c.month_start,
       c.dimension_value                        AS channel_code,
       c.added_customers,
       c.converted_customers,
       round(100 * c.conversion_rate, 2)        AS conversion_pct,
       round(100 * c.non_buyer_conversion_rate, 2) AS non_buyer_conversion_pct,
       g.pool_end                               AS customers_still_in_pool
  FROM kpi.conversion c
  LEFT JOIN kpi.growth_monthly g
         ON g.dimension = 'state' AND g.dimension_value = c.dimension_value AND g.month_start = c.month_start
 WHERE c.dimension = 'state'
   AND c.window_elapsed
   AND c.month_start >= (SELECT max(month_start) FROM kpi.conversion
                          WHERE dimension = 'total' AND window_elapsed AND added_customers > 0) - interval '2 months'
   AND c.added_customers > 0
 ORDER BY c.month_start DESC, c.added_customers DESC;

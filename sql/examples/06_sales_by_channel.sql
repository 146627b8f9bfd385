-- Card 6 · 渠道销售 / sales by shop, last 12 months (stacked bars: GMV by shop; table: the rest)
SELECT month_start,
       dimension_label                 AS shop,
       platform,
       paid_orders,
       gmv_yuan,
       refund_yuan,
       net_sales_yuan,
       round(100 * refund_rate, 2)     AS refund_pct,
       buyers,
       aov_yuan                        AS avg_order_value_yuan,   -- 笔单价
       sales_per_buyer_yuan                                       -- 客单价
  FROM kpi.sales_monthly
 WHERE dimension = 'channel'
   AND month_start > date_trunc('month', current_date) - interval '12 months'
 ORDER BY month_start, gmv_yuan DESC;

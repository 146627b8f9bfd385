-- Card 10 · RFM 客户分层 / customers and value per RFM segment (bar + table)
SELECT segment_cn,
       segment_en,
       count(*)                                  AS customers,
       round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS customers_pct,
       sum(net_paid_yuan)                        AS net_paid_yuan,
       round(avg(orders), 2)                     AS avg_orders,
       round(avg(recency_days))                  AS avg_recency_days,
       count(*) FILTER (WHERE in_private_domain) AS in_private_domain
  FROM kpi.customer_value
 GROUP BY segment_code, segment_cn, segment_en
 ORDER BY net_paid_yuan DESC;

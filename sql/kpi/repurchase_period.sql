-- kpi/repurchase_period.sql — repurchase per calendar period over all buyers: kpi.repurchase_period
-- requires: kpi/repurchase_by_segment.sql functions/etl.comment_columns_like.sql

CREATE OR REPLACE VIEW kpi.repurchase_period AS
SELECT period_type, period_start, period_end,
       buyers, repeat_buyers, repurchase_rate, orders, orders_per_buyer,
       net_sales_fen, net_sales_yuan, aov_fen, aov_yuan,
       new_buyers, returning_buyers, returning_customer_rate,
       retained_next_period, next_period_retention_rate, next_period_complete, is_complete
  FROM kpi.repurchase_by_segment
 WHERE segment = 'all';

COMMENT ON VIEW kpi.repurchase_period IS
  'Period repurchase (复购率), returning-customer rate and next-period retention (回购率), all customers. Grain: one row per '
  '(period_type, period_start); period_type ''month'', ''quarter'' or ''year'' over business dates of payment — filter on it. '
  'Orders counted: qualifying orders (paid, not cancelled, not fully refunded) of identified customers; guest orders are left '
  'out (no customer to repurchase). repurchase_rate = customers with ≥ 2 qualifying orders in the period ÷ customers with ≥ 1 '
  '(counts ORDERS, not distinct days: two orders on the same day count as a repurchase). returning_customer_rate = buyers of '
  'the period who had a qualifying order before it ÷ buyers of the period. next_period_retention_rate = buyers of period t '
  'who buy again in t+1 ÷ buyers of t (NULL until t+1 has started; partial while next_period_complete is false). Rates are '
  'fractions rounded to 6 decimals, NULL when there are no buyers. Customers merged into another count as the surviving '
  'customer. Reads kpi.repurchase_by_segment (segment ''all'').';
SELECT etl.comment_columns_like('kpi.repurchase_period', 'kpi.repurchase_by_segment');

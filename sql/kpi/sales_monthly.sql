-- kpi/sales_monthly.sql — sales per calendar month of payment: kpi.sales_by_period at grain 'month'
-- requires: kpi/sales_by_period.sql functions/etl.comment_columns_like.sql

DROP MATERIALIZED VIEW IF EXISTS kpi.sales_monthly CASCADE;
CREATE MATERIALIZED VIEW kpi.sales_monthly AS
SELECT s.period_start AS month_start, s.period_end AS month_end,
       extract(year FROM s.period_start)::smallint AS year,
       extract(month FROM s.period_start)::smallint AS month, s.*
  FROM kpi.sales_by_period('month') s;

CREATE UNIQUE INDEX sales_monthly_uq ON kpi.sales_monthly (dimension, dimension_value, month_start);

COMMENT ON MATERIALIZED VIEW kpi.sales_monthly IS
  'Sales per calendar month of payment (business dates). Grain: one row per (month_start, dimension, dimension_value); computed '
  'from the orders of the month (buyers are distinct over the month, not a sum of days). Every scope has a row for every month '
  'from its first paid order to the month of the end of observation. Definitions, filters and formulas: kpi.sales_by_period, of which this is grain ''month''.';
COMMENT ON COLUMN kpi.sales_monthly.month_start IS 'First day of the month of payment (business date).';
COMMENT ON COLUMN kpi.sales_monthly.month_end IS 'Last day of the month.';
COMMENT ON COLUMN kpi.sales_monthly.year IS 'Calendar year.';
COMMENT ON COLUMN kpi.sales_monthly.month IS 'Calendar month 1–12.';
SELECT etl.comment_columns_like('kpi.sales_monthly', 'kpi.sales_period');

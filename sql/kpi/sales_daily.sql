-- kpi/sales_daily.sql — sales per business day of payment: kpi.sales_by_period at grain 'day'
-- requires: kpi/sales_by_period.sql functions/etl.comment_columns_like.sql

DROP MATERIALIZED VIEW IF EXISTS kpi.sales_daily CASCADE;
CREATE MATERIALIZED VIEW kpi.sales_daily AS
SELECT d.date_key, d.date, d.iso_year, d.iso_week, d.year, d.month, s.*
  FROM kpi.sales_by_period('day') s
  JOIN dw.dim_date d ON d.date = s.period_start;

CREATE UNIQUE INDEX sales_daily_uq ON kpi.sales_daily (dimension, dimension_value, date_key);
CREATE INDEX sales_daily_date ON kpi.sales_daily (date_key, dimension);

COMMENT ON MATERIALIZED VIEW kpi.sales_daily IS
  'Sales per business day of payment. Grain: one row per (date_key, dimension, dimension_value); every scope has a row for every '
  'day from its first paid order to the end of observation. Definitions, filters and formulas: kpi.sales_by_period, of which this is grain ''day''.';
COMMENT ON COLUMN kpi.sales_daily.date_key IS 'Business date of payment, yyyymmdd (dw.fact_order.paid_date_key).';
COMMENT ON COLUMN kpi.sales_daily.date IS 'Business date of payment.';
COMMENT ON COLUMN kpi.sales_daily.iso_year IS 'ISO year of the date.';
COMMENT ON COLUMN kpi.sales_daily.iso_week IS 'ISO week of the date.';
COMMENT ON COLUMN kpi.sales_daily.year IS 'Calendar year of the date.';
COMMENT ON COLUMN kpi.sales_daily.month IS 'Calendar month 1–12 of the date.';
SELECT etl.comment_columns_like('kpi.sales_daily', 'kpi.sales_period');

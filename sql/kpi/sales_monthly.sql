-- kpi/sales_monthly.sql — sales per calendar month of payment: kpi.sales_by_period at grain 'month'
-- requires: kpi/sales_by_period.sql functions/etl.comment_columns_like.sql
-- requires: functions/kpi.refresh_periods.sql functions/etl.drop_kpi_relation.sql
--
-- A table kept up to date by kpi.sales_monthly_refresh(), month by month, as kpi.sales_daily
-- is day by day (kpi/sales_daily.sql).

SELECT etl.drop_kpi_relation('kpi.sales_monthly');   -- the materialized view of earlier versions, or this table
CREATE TABLE kpi.sales_monthly AS
SELECT s.period_start AS month_start, s.period_end AS month_end,
       extract(year FROM s.period_start)::smallint AS year,
       extract(month FROM s.period_start)::smallint AS month, s.*
  FROM kpi.sales_by_period('month') s
  WITH NO DATA;
ALTER TABLE kpi.sales_monthly ADD CONSTRAINT sales_monthly_uq PRIMARY KEY (dimension, dimension_value, month_start);

CREATE FUNCTION kpi.sales_monthly_of(p_periods bigint[])
RETURNS SETOF kpi.sales_monthly
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.period_start AS month_start, s.period_end AS month_end,
           extract(year FROM s.period_start)::smallint AS year,
           extract(month FROM s.period_start)::smallint AS month, s.*
      FROM kpi.sales_by_period('month', p_periods) s;
END;
COMMENT ON FUNCTION kpi.sales_monthly_of(bigint[]) IS
  'The rows of kpi.sales_monthly of the months whose first day''s date key is in p_periods, all when NULL: what '
  'kpi.sales_monthly_refresh() writes.';

CREATE FUNCTION kpi.sales_monthly_refresh()
RETURNS text
LANGUAGE sql
BEGIN ATOMIC
    SELECT kpi.refresh_periods('kpi.sales_monthly', '{dimension,dimension_value,month_start}', 'month',
                               kpi.sales_changed_dates('kpi.sales_monthly'));
END;
REVOKE ALL ON FUNCTION kpi.sales_monthly_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.sales_monthly_refresh() IS
  'Brings kpi.sales_monthly up to date for kpi.refresh(): computes again the months kpi.touched_periods names and writes '
  'the difference (as kpi.sales_daily_refresh() does for days). Returns ''incremental'' or ''full''.';

INSERT INTO kpi.sales_monthly SELECT * FROM kpi.sales_monthly_of(NULL);
ANALYZE kpi.sales_monthly;

COMMENT ON TABLE kpi.sales_monthly IS
  'Sales per calendar month of payment (business dates). Grain: one row per (month_start, dimension, dimension_value); computed '
  'from the orders of the month (buyers are distinct over the month, not a sum of days). Every scope has a row for every month '
  'from its first paid order to the month of the end of observation. Definitions, filters and formulas: kpi.sales_by_period, of which this is grain ''month''. A table that kpi.refresh() keeps up to date month by month (the months a change touched: kpi.refresh_periods).';
COMMENT ON COLUMN kpi.sales_monthly.month_start IS 'First day of the month of payment (business date).';
COMMENT ON COLUMN kpi.sales_monthly.month_end IS 'Last day of the month.';
COMMENT ON COLUMN kpi.sales_monthly.year IS 'Calendar year.';
COMMENT ON COLUMN kpi.sales_monthly.month IS 'Calendar month 1–12.';
SELECT etl.comment_columns_like('kpi.sales_monthly', 'kpi.sales_period');

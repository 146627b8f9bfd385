-- kpi/sales_daily.sql — sales per business day of payment: kpi.sales_by_period at grain 'day'
-- requires: kpi/sales_by_period.sql functions/etl.comment_columns_like.sql
-- requires: functions/kpi.refresh_periods.sql functions/etl.drop_kpi_relation.sql
--
-- A table, not a materialized view: kpi.refresh() keeps it up to date with
-- kpi.sales_daily_refresh(), which computes again only the days a change touched
-- (kpi.touched_periods) and writes only the rows that differ (kpi.refresh_periods).

SELECT etl.drop_kpi_relation('kpi.sales_daily');   -- the materialized view of earlier versions, or this table
CREATE TABLE kpi.sales_daily AS
SELECT d.date_key, d.date, d.iso_year, d.iso_week, d.year, d.month, s.*
  FROM kpi.sales_by_period('day') s
  JOIN dw.dim_date d ON d.date = s.period_start
  WITH NO DATA;
ALTER TABLE kpi.sales_daily ADD CONSTRAINT sales_daily_uq PRIMARY KEY (dimension, dimension_value, date);
CREATE INDEX sales_daily_date ON kpi.sales_daily (date_key, dimension);

-- The rows of kpi.sales_daily for some days (date keys yyyymmdd; all when NULL). A
-- SQL-standard body: PostgreSQL records what it reads, for kpi.refresh()'s ordering.
CREATE FUNCTION kpi.sales_daily_of(p_periods bigint[])
RETURNS SETOF kpi.sales_daily
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT d.date_key, d.date, d.iso_year, d.iso_week, d.year, d.month, s.*
      FROM kpi.sales_by_period('day', p_periods) s
      JOIN dw.dim_date d ON d.date = s.period_start;
END;
COMMENT ON FUNCTION kpi.sales_daily_of(bigint[]) IS
  'The rows of kpi.sales_daily of the days whose date key is in p_periods, all when NULL: what kpi.sales_daily_refresh() writes.';

CREATE FUNCTION kpi.sales_daily_refresh()
RETURNS text
LANGUAGE sql
BEGIN ATOMIC
    SELECT kpi.refresh_periods('kpi.sales_daily', '{dimension,dimension_value,date}', 'day',
                               kpi.sales_changed_dates('kpi.sales_daily'));
END;
REVOKE ALL ON FUNCTION kpi.sales_daily_refresh() FROM PUBLIC;
COMMENT ON FUNCTION kpi.sales_daily_refresh() IS
  'Brings kpi.sales_daily up to date for kpi.refresh(): computes again the days kpi.touched_periods names (those of the '
  'orders changed since the last refresh, those between the old and the new end of observation; all when the table is empty) '
  'and writes the difference. Returns ''incremental'' or ''full''.';

INSERT INTO kpi.sales_daily SELECT * FROM kpi.sales_daily_of(NULL);
ANALYZE kpi.sales_daily;

COMMENT ON TABLE kpi.sales_daily IS
  'Sales per business day of payment. Grain: one row per (date_key, dimension, dimension_value); every scope has a row for every '
  'day from its first paid order to the end of observation. Definitions, filters and formulas: kpi.sales_by_period, of which this is grain ''day''. A table that kpi.refresh() keeps up to date day by day (the days a change touched: kpi.refresh_periods).';
COMMENT ON COLUMN kpi.sales_daily.date_key IS 'Business date of payment, yyyymmdd (dw.fact_order.paid_date_key).';
COMMENT ON COLUMN kpi.sales_daily.date IS 'Business date of payment.';
COMMENT ON COLUMN kpi.sales_daily.iso_year IS 'ISO year of the date.';
COMMENT ON COLUMN kpi.sales_daily.iso_week IS 'ISO week of the date.';
COMMENT ON COLUMN kpi.sales_daily.year IS 'Calendar year of the date.';
COMMENT ON COLUMN kpi.sales_daily.month IS 'Calendar month 1–12 of the date.';
SELECT etl.comment_columns_like('kpi.sales_daily', 'kpi.sales_period');

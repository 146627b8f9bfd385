-- kpi/growth_monthly.sql — private-domain growth per calendar month: kpi.growth_by_period at grain 'month'
-- requires: kpi/growth_by_period.sql functions/etl.comment_columns_like.sql

DROP MATERIALIZED VIEW IF EXISTS kpi.growth_monthly CASCADE;
CREATE MATERIALIZED VIEW kpi.growth_monthly AS
SELECT g.period_start AS month_start, g.period_end AS month_end,
       extract(year FROM g.period_start)::smallint AS year,
       extract(month FROM g.period_start)::smallint AS month, g.*
  FROM kpi.growth_by_period g
 WHERE g.grain = 'month';

CREATE UNIQUE INDEX growth_monthly_uq ON kpi.growth_monthly (dimension, dimension_value, month_start);

COMMENT ON MATERIALIZED VIEW kpi.growth_monthly IS
  'Private-domain growth per calendar month (business dates). Grain: one row per (month_start, dimension, dimension_value). '
  'Definitions: kpi.growth_by_period, of which this is grain ''month'' (sums of kpi.growth_daily''s days).';
COMMENT ON COLUMN kpi.growth_monthly.month_start IS 'First day of the month.';
COMMENT ON COLUMN kpi.growth_monthly.month_end IS 'Last day of the month.';
COMMENT ON COLUMN kpi.growth_monthly.year IS 'Calendar year.';
COMMENT ON COLUMN kpi.growth_monthly.month IS 'Calendar month 1–12.';
SELECT etl.comment_columns_like('kpi.growth_monthly', 'kpi.growth_by_period');

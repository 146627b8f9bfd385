-- kpi/growth_weekly.sql — private-domain growth per ISO week: kpi.growth_by_period at grain 'week'
-- requires: kpi/growth_by_period.sql functions/etl.comment_columns_like.sql

DROP MATERIALIZED VIEW IF EXISTS kpi.growth_weekly CASCADE;
CREATE MATERIALIZED VIEW kpi.growth_weekly AS
SELECT d.iso_year, d.iso_week, g.period_start AS week_start, g.period_end AS week_end, g.*
  FROM kpi.growth_by_period g
  JOIN dw.dim_date d ON d.date = g.period_start
 WHERE g.grain = 'week';

CREATE UNIQUE INDEX growth_weekly_uq ON kpi.growth_weekly (dimension, dimension_value, iso_year, iso_week);

COMMENT ON MATERIALIZED VIEW kpi.growth_weekly IS
  'Private-domain growth per ISO week (Monday–Sunday, business dates). Grain: one row per (iso_year, iso_week, dimension, '
  'dimension_value). Definitions: kpi.growth_by_period, of which this is grain ''week'' (sums of kpi.growth_daily''s days).';
COMMENT ON COLUMN kpi.growth_weekly.iso_year IS 'ISO year.';
COMMENT ON COLUMN kpi.growth_weekly.iso_week IS 'ISO week number (1–53).';
COMMENT ON COLUMN kpi.growth_weekly.week_start IS 'Monday of the ISO week.';
COMMENT ON COLUMN kpi.growth_weekly.week_end IS 'Sunday of the ISO week.';
SELECT etl.comment_columns_like('kpi.growth_weekly', 'kpi.growth_by_period');

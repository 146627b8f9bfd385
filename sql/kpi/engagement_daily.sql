-- kpi/engagement_daily.sql — engagement per business day: kpi.engagement_by_period at grain 'day'
-- requires: kpi/engagement_by_period.sql functions/etl.comment_columns_like.sql

DROP MATERIALIZED VIEW IF EXISTS kpi.engagement_daily CASCADE;
CREATE MATERIALIZED VIEW kpi.engagement_daily AS
SELECT d.date_key, d.date, d.iso_year, d.iso_week, d.year, d.month, e.*
  FROM kpi.engagement_by_period e
  JOIN dw.dim_date d ON d.date = e.period_start
 WHERE e.grain = 'day';

CREATE UNIQUE INDEX engagement_daily_uq ON kpi.engagement_daily (dimension, dimension_value, date_key);
CREATE INDEX engagement_daily_date ON kpi.engagement_daily (date_key, dimension);

COMMENT ON MATERIALIZED VIEW kpi.engagement_daily IS
  'Engagement per business day from the WeCom statistics. Grain: one row per (date_key, dimension, dimension_value), for days '
  'with statistics; the contact pool of negative_feedback_rate is the one at the start of the day. Definitions and formulas: '
  'kpi.engagement_by_period, of which this is grain ''day''.';
COMMENT ON COLUMN kpi.engagement_daily.date_key IS 'Business date yyyymmdd of the statistics (WeCom stat day).';
COMMENT ON COLUMN kpi.engagement_daily.date IS 'Business date.';
COMMENT ON COLUMN kpi.engagement_daily.iso_year IS 'ISO year of the date.';
COMMENT ON COLUMN kpi.engagement_daily.iso_week IS 'ISO week of the date.';
COMMENT ON COLUMN kpi.engagement_daily.year IS 'Calendar year of the date.';
COMMENT ON COLUMN kpi.engagement_daily.month IS 'Calendar month 1–12 of the date.';
SELECT etl.comment_columns_like('kpi.engagement_daily', 'kpi.engagement_by_period');

-- kpi/engagement_monthly.sql — engagement per calendar month: kpi.engagement_by_period at grain 'month'
-- requires: kpi/engagement_by_period.sql functions/etl.comment_columns_like.sql

DROP MATERIALIZED VIEW IF EXISTS kpi.engagement_monthly CASCADE;
CREATE MATERIALIZED VIEW kpi.engagement_monthly AS
SELECT e.period_start AS month_start, e.period_end AS month_end,
       extract(year FROM e.period_start)::smallint AS year,
       extract(month FROM e.period_start)::smallint AS month, e.*
  FROM kpi.engagement_by_period e
 WHERE e.grain = 'month';

CREATE UNIQUE INDEX engagement_monthly_uq ON kpi.engagement_monthly (dimension, dimension_value, month_start);

COMMENT ON MATERIALIZED VIEW kpi.engagement_monthly IS
  'Engagement per calendar month, same sources and dimensions as kpi.engagement_daily. Grain: one row per (month_start, '
  'dimension, dimension_value), for months with statistics. Sums are over the days of the month (chats and group figures are '
  'staff-days / group-days); reply_rate and avg_first_reply_minutes are weighted by chats over all those days; '
  'negative_feedback_rate = Σ negative_feedback_cnt of the month ÷ Σ over the staff members with statistics that month of '
  'their contact pool at the start of the month; group_active_rate = Σ chat_has_msg ÷ Σ chat_total and member_speak_rate = '
  'Σ member_has_msg ÷ Σ member_total over the group-days of the month (WeCom gives daily counts only, so distinct groups or '
  'members over a month cannot be known). Definitions: kpi.engagement_by_period, of which this is grain ''month''.';
COMMENT ON COLUMN kpi.engagement_monthly.month_start IS 'First day of the month.';
COMMENT ON COLUMN kpi.engagement_monthly.month_end IS 'Last day of the month.';
COMMENT ON COLUMN kpi.engagement_monthly.year IS 'Calendar year.';
COMMENT ON COLUMN kpi.engagement_monthly.month IS 'Calendar month 1–12.';
SELECT etl.comment_columns_like('kpi.engagement_monthly', 'kpi.engagement_by_period');

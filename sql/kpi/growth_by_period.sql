-- kpi/growth_by_period.sql — private-domain growth of every period grain, rolled up from the days:
-- kpi.growth_weekly and kpi.growth_monthly are this view at grain 'week' and 'month'
-- requires: kpi/growth_daily.sql
--
-- Flows are sums over the days (a customer lost twice in the period counts twice, so that
-- pool_end = pool_start + new + reactivated − lost), stocks are the first day's start and the
-- last day's end. Grain 'day' gives kpi.growth_daily's own figures back, so that a view of any
-- grain (kpi.engagement_by_period) finds its pool here.

CREATE OR REPLACE VIEW kpi.growth_by_period AS
WITH grain (grain, step) AS (
    VALUES ('day', interval '1 day'), ('week', interval '1 week'), ('month', interval '1 month')
), g AS (
    SELECT gr.grain, gr.step, date_trunc(gr.grain, d.date)::date AS period_start, d.*
      FROM kpi.growth_daily d
      CROSS JOIN grain gr
)
SELECT g.dimension,
       g.dimension_value,
       min(g.dimension_label)                     AS dimension_label,
       min(g.staff_key)                           AS staff_key,
       sum(g.new_customers)::bigint               AS new_customers,
       sum(g.reactivated_customers)::bigint       AS reactivated_customers,
       sum(g.lost_customers)::bigint              AS lost_customers,
       sum(g.net_growth)::bigint                  AS net_growth,
       (array_agg(g.pool_start ORDER BY g.date_key))[1]      AS pool_start,
       (array_agg(g.pool_end ORDER BY g.date_key DESC))[1]   AS pool_end,
       round(sum(g.lost_customers)::numeric
             / nullif((array_agg(g.pool_start ORDER BY g.date_key))[1], 0), 6) AS churn_rate,
       sum(g.new_group_members)::bigint           AS new_group_members,
       sum(g.lost_group_members)::bigint          AS lost_group_members,
       (array_agg(g.group_members_end ORDER BY g.date_key DESC))[1] AS group_members_end,
       (g.period_start + g.step - interval '1 day')::date < min(b.eoo_date) AS is_complete,
       g.grain,
       g.period_start,
       (g.period_start + g.step - interval '1 day')::date AS period_end
  FROM g
  CROSS JOIN (SELECT kpi.business_date(kpi.end_of_observation('wecom')) AS eoo_date OFFSET 0) b
 GROUP BY g.grain, g.step, g.period_start, g.dimension, g.dimension_value;

COMMENT ON VIEW kpi.growth_by_period IS
  'Private-domain growth per period of any grain (day, ISO week Monday–Sunday, calendar month; business dates), the definition '
  'of kpi.growth_weekly and kpi.growth_monthly. Grain: one row per (grain, period_start, dimension, dimension_value). Same '
  'definitions as kpi.growth_daily, of which it is an aggregate: new/reactivated/lost/net and group flows are sums over the '
  'days (a customer lost twice in the period counts twice, so that pool_end = pool_start + new + reactivated − lost), '
  'pool_start is the first day''s start, pool_end / group_members_end the last day''s end, churn_rate = lost ÷ pool_start '
  '(NULL when 0). The first period of a scope starts at its first event.';
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
    ('dimension', 'Breakdown: ''total'', ''staff'' or ''state''. Filter on it; never sum across dimensions.'),
    ('dimension_value', '''all'' for total, staff userid for staff, channel code (''(none)'' if absent) for state.'),
    ('dimension_label', 'Display name: staff name for staff rows, else dimension_value.'),
    ('staff_key', 'dw.dim_staff key on staff rows; NULL otherwise.'),
    ('new_customers', 'Customers whose first ever relationship in the scope started in the period (新增客户).'),
    ('reactivated_customers', 'Re-entries into the scope during the period (re-adds after leaving).'),
    ('lost_customers', 'Exits from the scope during the period (last active relationship ended; 流失客户).'),
    ('net_growth', 'new + reactivated − lost = pool_end − pool_start (净增).'),
    ('pool_start', 'Customers in the pool at the start of the period.'),
    ('pool_end', 'Customers in the pool at the end of the period (as of that instant).'),
    ('churn_rate', 'lost_customers ÷ pool_start, 6 decimals; NULL when pool_start = 0.'),
    ('new_group_members', 'Entries of customers into customer groups of the scope during the period; NULL on state rows.'),
    ('lost_group_members', 'Exits of customers from their last customer group of the scope; NULL on state rows.'),
    ('group_members_end', 'Distinct customers in ≥ 1 customer group of the scope at the end of the period; NULL on state rows.'),
    ('is_complete', 'true when the period is over before the end of observation (kpi.end_of_observation(''wecom'')); false for the period containing it (partial).'),
    ('grain', '''day'', ''week'' (ISO, Monday–Sunday) or ''month'': the length of the period.'),
    ('period_start', 'First day of the period (business date).'),
    ('period_end', 'Last day of the period (business date).')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.growth_by_period.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;

-- kpi/growth_daily.sql — private-domain growth per business day: kpi.growth_daily; its weeks and
-- months are kpi.growth_by_period
--
-- Shape (one view per period grain, "long" by scope): every row is (period, dimension,
-- dimension_value). dimension = 'total' (dimension_value 'all'), 'staff' (staff userid) or
-- 'state' (channel code). A BI tool filters dimension = 'total' for the headline series and
-- uses dimension = 'staff' / 'state' with dimension_label as the series for breakdowns; one
-- view keeps one set of column names and one definition for all three breakdowns. Never sum
-- across dimensions: staff and state rows count a customer once per staff member / code.
--
-- Flows come from kpi.pool_membership (merged spans), stocks are running sums of flows, so
-- pool_end = pool_start + new + reactivated − lost holds on every row, and a period's figures
-- depend only on events up to its end (a later churn does not rewrite history).
-- requires: kpi/pool_membership.sql

DROP MATERIALIZED VIEW IF EXISTS kpi.growth_daily CASCADE;
CREATE MATERIALIZED VIEW kpi.growth_daily AS
WITH bound AS MATERIALIZED (  -- the last day observed (kpi.end_of_observation)
    SELECT d.date_key AS last_key, d.date AS eoo_date
      FROM dw.dim_date d
      JOIN (SELECT kpi.business_date(kpi.end_of_observation('wecom')) AS day OFFSET 0) e ON d.date = e.day
), flow AS (
    SELECT pool, dimension, dimension_value, entered_date_key AS date_key,
           count(*) FILTER (WHERE membership_no = 1) AS new_cnt,
           count(*) FILTER (WHERE membership_no > 1) AS reactivated_cnt,
           0::bigint AS lost_cnt
      FROM kpi.pool_membership
     GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT pool, dimension, dimension_value, left_date_key, 0, 0, count(*)
      FROM kpi.pool_membership
     WHERE left_at IS NOT NULL
     GROUP BY 1, 2, 3, 4
), day_flow AS (        -- nothing after the end of observation
    SELECT dimension, dimension_value, date_key,
           sum(new_cnt)         FILTER (WHERE pool = 'contact') AS c_new,
           sum(reactivated_cnt) FILTER (WHERE pool = 'contact') AS c_react,
           sum(lost_cnt)        FILTER (WHERE pool = 'contact') AS c_lost,
           sum(new_cnt + reactivated_cnt) FILTER (WHERE pool = 'group') AS g_join,
           sum(lost_cnt)        FILTER (WHERE pool = 'group')   AS g_left
      FROM flow JOIN bound b ON flow.date_key <= b.last_key
     GROUP BY 1, 2, 3
), series AS (        -- each scope runs from its first event to the end of observation
    SELECT dimension, dimension_value, min(date_key) AS first_key
      FROM day_flow GROUP BY 1, 2
), grid AS (
    SELECT s.dimension, s.dimension_value, d.date_key, d.date, d.iso_year, d.iso_week,
           d.year, d.month, b.eoo_date
      FROM series s
      CROSS JOIN bound b
      JOIN dw.dim_date d ON d.date_key BETWEEN s.first_key AND b.last_key
), running AS (
    SELECT g.*,
           coalesce(f.c_new, 0)   AS new_customers,
           coalesce(f.c_react, 0) AS reactivated_customers,
           coalesce(f.c_lost, 0)  AS lost_customers,
           sum(coalesce(f.c_new, 0) + coalesce(f.c_react, 0) - coalesce(f.c_lost, 0))
               OVER w AS pool_end,
           coalesce(f.g_join, 0)  AS new_group_members,
           coalesce(f.g_left, 0)  AS lost_group_members,
           sum(coalesce(f.g_join, 0) - coalesce(f.g_left, 0)) OVER w AS group_members_end
      FROM grid g
      LEFT JOIN day_flow f USING (dimension, dimension_value, date_key)
    WINDOW w AS (PARTITION BY g.dimension, g.dimension_value ORDER BY g.date_key)
)
SELECT r.date_key,
       r.date,
       r.iso_year,
       r.iso_week,
       r.year,
       r.month,
       r.dimension,
       r.dimension_value,
       CASE r.dimension WHEN 'staff' THEN coalesce(st.name, r.dimension_value) ELSE r.dimension_value END AS dimension_label,
       st.staff_key,
       r.new_customers::bigint                                          AS new_customers,
       r.reactivated_customers::bigint                                  AS reactivated_customers,
       r.lost_customers::bigint                                         AS lost_customers,
       (r.new_customers + r.reactivated_customers - r.lost_customers)::bigint AS net_growth,
       (r.pool_end - r.new_customers - r.reactivated_customers + r.lost_customers)::bigint AS pool_start,
       r.pool_end::bigint                                               AS pool_end,
       round(r.lost_customers::numeric
             / nullif(r.pool_end - r.new_customers - r.reactivated_customers + r.lost_customers, 0), 6) AS churn_rate,
       CASE WHEN r.dimension <> 'state' THEN r.new_group_members::bigint END  AS new_group_members,
       CASE WHEN r.dimension <> 'state' THEN r.lost_group_members::bigint END AS lost_group_members,
       CASE WHEN r.dimension <> 'state' THEN r.group_members_end::bigint END  AS group_members_end,
       r.date < r.eoo_date                                              AS is_complete
  FROM running r
  LEFT JOIN dw.dim_staff st ON r.dimension = 'staff' AND st.userid = r.dimension_value;

CREATE UNIQUE INDEX growth_daily_uq ON kpi.growth_daily (dimension, dimension_value, date_key);
CREATE INDEX growth_daily_date ON kpi.growth_daily (date_key, dimension);

COMMENT ON MATERIALIZED VIEW kpi.growth_daily IS
  'Private-domain growth per business day. Grain: one row per (date_key, dimension, dimension_value); dimension ''total'' '
  '(value ''all''), ''staff'' (value = staff userid) or ''state'' (value = channel code, ''(none)'' when absent). Every scope has a '
  'row for every day from its first event to the end of observation (kpi.end_of_observation(''wecom''), never the wall clock; days without events included). Counts are CUSTOMERS (distinct '
  'customer_key), not relationship rows: a customer with two staff members is one customer in total and one in each staff row, '
  'so staff/state rows do not add up to total. Definitions (from kpi.pool_membership, contact pool): new_customers = customers '
  'whose first ever WeCom relationship in the scope started that day; reactivated_customers = customers who had left the scope '
  'and came back (a re-add); lost_customers = customers whose last active relationship in the scope ended that day (deleted by '
  'either side); a customer added and deleted the same day counts once in new and once in lost. net_growth = new + reactivated − '
  'lost = pool_end − pool_start. pool_end = customers with an active relationship at the end of the day, computed as of that '
  'instant from add/remove times (point in time: a later churn never changes a past day). churn_rate = lost ÷ pool_start (NULL '
  'when pool_start = 0; may exceed 1 when customers join and leave within the period). Group columns count customer members of '
  'customer groups (staff members excluded; a membership ends when the member leaves or the group is dismissed; staff rows = '
  'groups the staff member owns now; NULL on state rows, groups have no channel code). Nothing else is filtered.';
COMMENT ON COLUMN kpi.growth_daily.date_key IS 'Business date yyyymmdd (configured zone, dw.dim_date).';
COMMENT ON COLUMN kpi.growth_daily.date IS 'Business date.';
COMMENT ON COLUMN kpi.growth_daily.iso_year IS 'ISO year of the date.';
COMMENT ON COLUMN kpi.growth_daily.iso_week IS 'ISO week of the date.';
COMMENT ON COLUMN kpi.growth_daily.year IS 'Calendar year of the date.';
COMMENT ON COLUMN kpi.growth_daily.month IS 'Calendar month (1–12) of the date.';
COMMENT ON COLUMN kpi.growth_daily.dimension IS 'Breakdown: ''total'', ''staff'' or ''state''. Filter on it; never sum across dimensions.';
COMMENT ON COLUMN kpi.growth_daily.dimension_value IS '''all'' for total, staff userid for staff, channel code (''(none)'' if absent) for state.';
COMMENT ON COLUMN kpi.growth_daily.dimension_label IS 'Display name: staff name for staff rows (userid if unnamed), else dimension_value.';
COMMENT ON COLUMN kpi.growth_daily.staff_key IS 'dw.dim_staff key on staff rows; NULL otherwise.';
COMMENT ON COLUMN kpi.growth_daily.new_customers IS 'Customers whose first ever relationship in the scope started this day (新增客户).';
COMMENT ON COLUMN kpi.growth_daily.reactivated_customers IS 'Customers who re-entered the scope this day after having left it (回流客户, re-adds).';
COMMENT ON COLUMN kpi.growth_daily.lost_customers IS 'Customers whose last active relationship in the scope ended this day (流失客户); one per exit.';
COMMENT ON COLUMN kpi.growth_daily.net_growth IS 'new_customers + reactivated_customers − lost_customers (净增) = pool_end − pool_start.';
COMMENT ON COLUMN kpi.growth_daily.pool_start IS 'Customers in the pool at the start of the day (= previous day''s pool_end).';
COMMENT ON COLUMN kpi.growth_daily.pool_end IS 'Customers with ≥ 1 active relationship in the scope at the end of the day (客户总数), as of that instant.';
COMMENT ON COLUMN kpi.growth_daily.churn_rate IS 'lost_customers ÷ pool_start, fraction rounded to 6 decimals; NULL when pool_start = 0.';
COMMENT ON COLUMN kpi.growth_daily.new_group_members IS 'Customers who became a member of ≥ 1 customer group in the scope this day (not already in another such group); NULL on state rows.';
COMMENT ON COLUMN kpi.growth_daily.lost_group_members IS 'Customers who left their last customer group in the scope this day (quit or dismissal); NULL on state rows.';
COMMENT ON COLUMN kpi.growth_daily.group_members_end IS 'Distinct customers in ≥ 1 customer group of the scope at the end of the day; NULL on state rows.';
COMMENT ON COLUMN kpi.growth_daily.is_complete IS 'true when the day is over before the end of observation; false on its day (partial).';

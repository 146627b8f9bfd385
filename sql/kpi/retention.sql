-- kpi/retention.sql — retention of new private-domain customers (留存率 7/30/90): kpi.retention
-- requires: kpi/first_relationship.sql kpi/pool_membership.sql
--
-- Cohort: the customers whose first ever WeCom relationship began in a day, ISO week or month,
-- attributed to the staff member and channel code of that first relationship (as in
-- kpi.conversion). Retained h days later: connected to at least one staff member at the instant
-- of entry + h days (kpi.pool_membership, total contact pool, point in time): a customer
-- deleted on day 20 and added again on day 40 is retained at 7 and 90 days, not at 30.
-- Customers, not relationships. A horizon that reaches past the end of observation is NULL.

DROP MATERIALIZED VIEW IF EXISTS kpi.retention CASCADE;
CREATE MATERIALIZED VIEW kpi.retention AS
WITH bound AS MATERIALIZED (
    SELECT e.at AS eoo, kpi.business_date(e.at) AS eoo_date
      FROM (SELECT kpi.end_of_observation('wecom') AS at) e
), c AS (            -- each entering customer and horizon: retained, and observable
    SELECT f.customer_key, f.staff_key, f.state, d.date AS added_date, h.days AS horizon_days,
           f.added_at + make_interval(days => h.days) <= b.eoo AS observable,
           EXISTS (SELECT 1 FROM kpi.pool_membership m
                    WHERE m.pool = 'contact' AND m.dimension = 'total' AND m.customer_key = f.customer_key
                      AND m.entered_at <= f.added_at + make_interval(days => h.days)
                      AND (m.left_at IS NULL OR m.left_at > f.added_at + make_interval(days => h.days))) AS retained
      FROM kpi.first_relationship f
      JOIN dw.dim_date d ON d.date_key = f.added_date_key
      CROSS JOIN bound b
      CROSS JOIN (VALUES (7), (30), (90)) AS h (days)
     WHERE f.added_at <= b.eoo
), cg AS (           -- the cohort period of each grain
    SELECT g.grain, g.step, date_trunc(g.grain, c.added_date)::date AS period_start, c.*
      FROM c
      CROSS JOIN (VALUES ('day', interval '1 day'), ('week', interval '1 week'),
                         ('month', interval '1 month')) AS g (grain, step)
), agg AS (
    SELECT cg.grain, cg.step, cg.period_start, cg.horizon_days,
           CASE WHEN grouping(st.userid) = 0 THEN 'staff' WHEN grouping(cg.state) = 0 THEN 'state' ELSE 'total' END AS dimension,
           CASE WHEN grouping(st.userid) = 0 THEN st.userid WHEN grouping(cg.state) = 0 THEN cg.state ELSE 'all' END AS dimension_value,
           st.name AS staff_name, st.staff_key,
           count(*)                             AS new_customers,
           count(*) FILTER (WHERE cg.retained)  AS retained_customers,
           bool_and(cg.observable)              AS horizon_elapsed
      FROM cg
      JOIN dw.dim_staff st USING (staff_key)
     GROUP BY GROUPING SETS ((cg.grain, cg.step, cg.period_start, cg.horizon_days),
                             (cg.grain, cg.step, cg.period_start, cg.horizon_days, st.userid, st.name, st.staff_key),
                             (cg.grain, cg.step, cg.period_start, cg.horizon_days, cg.state))
)
SELECT a.grain,
       a.period_start,
       (a.period_start + a.step - interval '1 day')::date                           AS period_end,
       a.dimension,
       a.dimension_value,
       CASE a.dimension WHEN 'staff' THEN coalesce(a.staff_name, a.dimension_value) ELSE a.dimension_value END AS dimension_label,
       a.staff_key,
       a.horizon_days,
       a.new_customers::bigint                                                       AS new_customers,
       CASE WHEN a.horizon_elapsed THEN a.retained_customers::bigint END            AS retained_customers,
       CASE WHEN a.horizon_elapsed THEN round(a.retained_customers::numeric / a.new_customers, 6) END AS retention_rate,
       a.horizon_elapsed,
       (a.period_start + a.step - interval '1 day')::date < b.eoo_date               AS is_complete,
       b.eoo_date                                                                    AS observed_until
  FROM agg a
  CROSS JOIN bound b;

CREATE UNIQUE INDEX retention_uq ON kpi.retention (grain, dimension, dimension_value, period_start, horizon_days);

COMMENT ON MATERIALIZED VIEW kpi.retention IS
  'Retention of new private-domain customers (留存率 7/30/90). Grain: one row per (grain, period_start, dimension, '
  'dimension_value, horizon_days); grain ''day'', ''week'' (ISO) or ''month'' of the cohort, horizon_days 7, 30 or 90. Cohort '
  '(new_customers) = customers whose FIRST EVER WeCom relationship began in the period (kpi.first_relationship; business dates), '
  'attributed to the staff member and channel code of that first relationship: dimension ''total'' (value ''all''), ''staff'' '
  '(staff userid), ''state'' (channel code, ''(none)'' when absent), so staff rows and state rows each add up to the total. '
  'retained_customers = cohort customers connected to at least one staff member (any staff; kpi.pool_membership, total contact '
  'pool) at the instant of their entry + horizon_days days, point in time: a customer who deleted and was added again is '
  'retained if connected at that instant. Customers are counted, not relationships. retention_rate = retained ÷ new, '
  '6 decimals. Bounded by kpi.end_of_observation(''wecom''), never the wall clock: when the horizon of some cohort customer '
  'reaches past it (horizon_elapsed false), retained_customers and retention_rate are NULL (not observed).';
COMMENT ON COLUMN kpi.retention.grain IS '''day'', ''week'' (ISO, Monday–Sunday) or ''month'': the cohort period. Filter on it.';
COMMENT ON COLUMN kpi.retention.period_start IS 'First day of the cohort period (business date).';
COMMENT ON COLUMN kpi.retention.period_end IS 'Last day of the cohort period.';
COMMENT ON COLUMN kpi.retention.dimension IS 'Breakdown of the cohort by its first relationship: ''total'', ''staff'' or ''state''. Filter on it; never sum across dimensions.';
COMMENT ON COLUMN kpi.retention.dimension_value IS '''all'' for total, staff userid for staff, channel code (''(none)'' if absent) for state.';
COMMENT ON COLUMN kpi.retention.dimension_label IS 'Display name: staff name for staff rows (userid if unnamed), else dimension_value.';
COMMENT ON COLUMN kpi.retention.staff_key IS 'dw.dim_staff key on staff rows; NULL otherwise.';
COMMENT ON COLUMN kpi.retention.horizon_days IS 'h: 7, 30 or 90 days after the customer''s entry.';
COMMENT ON COLUMN kpi.retention.new_customers IS 'Customers who entered the private domain in the period (first ever relationship; 新增客户 of the cohort).';
COMMENT ON COLUMN kpi.retention.retained_customers IS 'Of new_customers, those connected to ≥ 1 staff member horizon_days days after their entry; NULL when not yet observable.';
COMMENT ON COLUMN kpi.retention.retention_rate IS 'retained_customers ÷ new_customers (留存率), 6 decimals; NULL when not yet observable.';
COMMENT ON COLUMN kpi.retention.horizon_elapsed IS 'true when entry + horizon_days is at or before the end of observation for every cohort customer: the figure is final.';
COMMENT ON COLUMN kpi.retention.is_complete IS 'true when the cohort period is over before the end of observation (no customer can still join the cohort).';
COMMENT ON COLUMN kpi.retention.observed_until IS 'Business date of the end of observation the row was computed for (kpi.end_of_observation(''wecom'')).';

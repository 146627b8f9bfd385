-- kpi/cohort_retention.sql — buyers of a first-purchase month buying again in later months: kpi.cohort_retention
-- requires: kpi/customer_periods.sql
--
-- The common rules of the repurchase views (qualifying orders, periods, private domain) are in
-- kpi/qualifying_order.sql.

DROP MATERIALIZED VIEW IF EXISTS kpi.cohort_retention CASCADE;
CREATE MATERIALIZED VIEW kpi.cohort_retention AS
WITH bound AS MATERIALIZED (   -- kpi.end_of_observation, as a business date and its month
    SELECT e.eoo_date, date_trunc('month', e.eoo_date)::date AS eoo_month
      FROM (SELECT kpi.business_date(kpi.end_of_observation('orders')) AS eoo_date) e
), size AS (      -- a customer's months with a qualifying order: kpi.customer_periods
    SELECT period_start AS cohort_month, count(*) AS cohort_customers
      FROM kpi.customer_periods WHERE period_months = 1 AND period_start = first_period
     GROUP BY 1
), act AS (       -- one row per customer and month: counting rows counts customers
    SELECT first_period AS cohort_month, period_start AS activity_month, count(*) AS active_customers
      FROM kpi.customer_periods WHERE period_months = 1
     GROUP BY 1, 2
)
-- A rectangle: every cohort has as many months as the oldest one has up to the end of
-- observation; the cells of later cohorts past that month are NULL (not observed), not 0.
SELECT s.cohort_month,
       k.k                                                         AS months_since_first,
       m.activity_month,
       s.cohort_customers::bigint                                  AS cohort_customers,
       CASE WHEN m.activity_month <= b.eoo_month
            THEN coalesce(a.active_customers, 0)::bigint END      AS active_customers,
       CASE WHEN m.activity_month <= b.eoo_month
            THEN round(coalesce(a.active_customers, 0)::numeric / s.cohort_customers, 6) END AS retention_rate,
       (m.activity_month + interval '1 month' - interval '1 day')::date < b.eoo_date AS is_complete,
       m.activity_month = b.eoo_month                              AS is_partial
  FROM size s
  CROSS JOIN bound b
  CROSS JOIN LATERAL generate_series(0,
        ((extract(year FROM b.eoo_month) - extract(year FROM (SELECT min(cohort_month) FROM size))) * 12
         + extract(month FROM b.eoo_month) - extract(month FROM (SELECT min(cohort_month) FROM size)))::int) AS k (k)
  CROSS JOIN LATERAL (SELECT (s.cohort_month + make_interval(months => k.k))::date AS activity_month) m
  LEFT JOIN act a ON a.cohort_month = s.cohort_month AND a.activity_month = m.activity_month;

CREATE UNIQUE INDEX cohort_retention_uq ON kpi.cohort_retention (cohort_month, months_since_first);

COMMENT ON MATERIALIZED VIEW kpi.cohort_retention IS
  'Cohort retention matrix. Grain: one row per (cohort_month, months_since_first); every cohort has months_since_first = 0 .. '
  'the number of months from the oldest cohort to the end of observation (a rectangle). Cohort = identified customers whose '
  'first qualifying order (dw.fact_order.is_qualifying; guest orders left out) was paid in cohort_month (business dates). '
  'active_customers = cohort customers with ≥ 1 qualifying order paid in activity_month = cohort_month + months_since_first; '
  'retention_rate = active_customers ÷ cohort_customers (month 0 is 1 by definition). A customer counts once per month '
  'whatever the number of orders. Bounded by kpi.end_of_observation(''orders''), never the wall clock: a cell whose '
  'activity_month is after the month of the end of observation is NULL (not observed, not 0 %); the cell of that month is '
  'partial (is_partial; is_complete false). Pivot cohort_month × months_since_first in the BI tool for the classic triangle.';
COMMENT ON COLUMN kpi.cohort_retention.cohort_month IS 'First day of the month of the customers'' first qualifying order.';
COMMENT ON COLUMN kpi.cohort_retention.months_since_first IS 'Months after the cohort month (0 = the cohort month itself).';
COMMENT ON COLUMN kpi.cohort_retention.activity_month IS 'First day of the month measured: cohort_month + months_since_first.';
COMMENT ON COLUMN kpi.cohort_retention.cohort_customers IS 'Customers in the cohort.';
COMMENT ON COLUMN kpi.cohort_retention.active_customers IS 'Cohort customers with ≥ 1 qualifying order paid in activity_month; NULL when activity_month is after the end of observation.';
COMMENT ON COLUMN kpi.cohort_retention.retention_rate IS 'active_customers ÷ cohort_customers, 6 decimals (cohorts are never empty); NULL when not observed.';
COMMENT ON COLUMN kpi.cohort_retention.is_complete IS 'true when activity_month is over before the end of observation (its last day before the business date of kpi.end_of_observation(''orders'')).';
COMMENT ON COLUMN kpi.cohort_retention.is_partial IS 'true for the cell of the month containing the end of observation: observed only in part.';

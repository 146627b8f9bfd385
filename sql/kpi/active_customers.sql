-- kpi/active_customers.sql — active customers per business day (DAU, rolling 7 and 30 days) over
-- recorded interactions: kpi.active_customers
-- requires: kpi/customer_activity.sql

-- Rolling counts without a 30-fold self-join: an interaction on day a keeps a customer in the
-- W-day window for days a .. a+W−1. Cut each such coverage where the customer's next
-- interaction starts its own: the pieces [a, least(a+W, next)) do not overlap and their union
-- is the customer's coverage, so +1 on each piece's first day and −1 after its last, summed
-- over the calendar, count the customers covered on each day. Those +1 and −1 (and the day's
-- own count, and who is in a week or month for the first time) are summed per day over every
-- customer in kpi.activity_day, kept as the customers' interaction days change
-- (kpi/customer_activity.sql); here they are only run over the calendar. The days after the
-- end of observation are left out: what an interaction after it contributes lands after it
-- too, and cutting a coverage at a next interaction after it ends it after it as well.
DROP MATERIALIZED VIEW IF EXISTS kpi.active_customers CASCADE;
CREATE MATERIALIZED VIEW kpi.active_customers AS
WITH bound AS MATERIALIZED (  -- orders and WeCom both observed up to here
    SELECT least(kpi.business_date(kpi.end_of_observation('orders')),
                 kpi.business_date(kpi.end_of_observation('wecom'))) AS eoo_date
), day AS (
    SELECT a.* FROM kpi.activity_day a JOIN bound b ON a.date <= b.eoo_date
), grid AS (
    SELECT dd.date_key, dd.date, dd.week_start, dd.month_start, b.eoo_date
      FROM (SELECT min(date) AS first_day FROM day WHERE dau > 0) r
      CROSS JOIN bound b
      JOIN dw.dim_date dd ON dd.date BETWEEN r.first_day AND b.eoo_date
), running AS (
    SELECT g.*,
           coalesce(x.dau, 0)                             AS dau,
           sum(coalesce(x.d7, 0))  OVER w                 AS wau,
           sum(coalesce(x.d30, 0)) OVER w                 AS mau,
           sum(coalesce(x.week_first, 0))  OVER (PARTITION BY g.week_start)  AS week_active,
           sum(coalesce(x.month_first, 0)) OVER (PARTITION BY g.month_start) AS month_active
      FROM grid g LEFT JOIN day x USING (date)
    WINDOW w AS (ORDER BY g.date)
)
SELECT r.date_key,
       r.date,
       r.dau::bigint                                         AS dau,
       r.wau::bigint                                         AS wau_7d,
       r.mau::bigint                                         AS mau_30d,
       round(r.dau::numeric / nullif(r.mau, 0), 6)           AS stickiness_rate,
       r.week_active::bigint                                 AS week_active_customers,
       r.month_active::bigint                                AS month_active_customers,
       r.week_start,
       r.month_start,
       r.date < r.eoo_date                                      AS is_complete
  FROM running r;

CREATE UNIQUE INDEX active_customers_uq ON kpi.active_customers (date_key);

-- ---------------------------------------------------------------------------------------------
-- comments
-- ---------------------------------------------------------------------------------------------

COMMENT ON MATERIALIZED VIEW kpi.active_customers IS
  'Active customers per business day. Grain: one row per date_key, from the first recorded interaction to the end of observation (kpi.end_of_observation: the earlier of orders and WeCom, never the wall clock). An '
  'interaction is, per customer and business date: a qualifying order (dw.fact_order.is_qualifying, at its paid date; guest '
  'orders have no customer and are left out), the start of a WeCom relationship (add or re-add, kpi.relationship_span), a '
  'relationship ended by the customer (a customer-side delete is the customer''s action; deletes by staff are not counted), or '
  'a customer joining a customer group. dau = distinct customers with an interaction that day; wau_7d / mau_30d = distinct '
  'customers with an interaction in the 7 / 30 days ending that day (rolling windows); stickiness_rate = dau ÷ mau_30d (NULL '
  'when mau_30d is 0). week_active_customers / month_active_customers = distinct customers with an interaction in the ISO week '
  '/ calendar month containing the date (the whole period, repeated on each of its days: take one row per period, e.g. '
  'WHERE date = month_start).';

COMMENT ON COLUMN kpi.active_customers.date_key IS 'Business date yyyymmdd.';
COMMENT ON COLUMN kpi.active_customers.date IS 'Business date.';
COMMENT ON COLUMN kpi.active_customers.dau IS 'Distinct customers with an interaction this day.';
COMMENT ON COLUMN kpi.active_customers.wau_7d IS 'Distinct customers with an interaction in the 7 days ending this day (rolling).';
COMMENT ON COLUMN kpi.active_customers.mau_30d IS 'Distinct customers with an interaction in the 30 days ending this day (rolling).';
COMMENT ON COLUMN kpi.active_customers.stickiness_rate IS 'dau ÷ mau_30d (stickiness), fraction, 6 decimals; NULL when mau_30d is 0.';
COMMENT ON COLUMN kpi.active_customers.week_active_customers IS 'Distinct customers with an interaction in the ISO week containing the date (whole week).';
COMMENT ON COLUMN kpi.active_customers.month_active_customers IS 'Distinct customers with an interaction in the calendar month containing the date (whole month).';
COMMENT ON COLUMN kpi.active_customers.week_start IS 'Monday of the ISO week of the date.';
COMMENT ON COLUMN kpi.active_customers.month_start IS 'First day of the month of the date.';
COMMENT ON COLUMN kpi.active_customers.is_complete IS 'true when the day is over before the end of observation; false on its day (partial).';

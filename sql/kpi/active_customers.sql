-- kpi/active_customers.sql — active customers per business day (DAU, rolling 7 and 30 days) over
-- recorded interactions: kpi.active_customers
-- requires: kpi/relationship_span.sql

-- Rolling counts without a 30-fold self-join: an interaction on day a keeps a customer in the
-- W-day window for days a .. a+W−1. Cut each such coverage where the customer's next
-- interaction starts its own: the pieces [a, least(a+W, next)) do not overlap and their union
-- is the customer's coverage, so +1 on each piece's first day and −1 after its last, summed
-- over the calendar, count the customers covered on each day. One sort of the interactions by
-- customer and day (lead/lag) serves both windows and the weekly and monthly distinct counts.
DROP MATERIALIZED VIEW IF EXISTS kpi.active_customers CASCADE;
CREATE MATERIALIZED VIEW kpi.active_customers AS
WITH bound AS MATERIALIZED (  -- orders and WeCom both observed up to here
    SELECT least(kpi.business_date(kpi.end_of_observation('orders')),
                 kpi.business_date(kpi.end_of_observation('wecom'))) AS eoo_date
), act AS (
    SELECT DISTINCT customer_key, date_key FROM (
        SELECT customer_key, coalesce(paid_date_key, dw.date_key_of(paid_at)) AS date_key
          FROM dw.fact_order WHERE is_qualifying AND customer_key IS NOT NULL
        UNION ALL
        SELECT customer_key, started_date_key FROM kpi.relationship_span
        UNION ALL
        SELECT customer_key, ended_date_key FROM kpi.relationship_span WHERE ended_by = 'customer'
        UNION ALL
        SELECT m.customer_key, kpi.local_date_key(m.joined_at, z.zone)
          FROM dw.fact_group_member m CROSS JOIN (SELECT kpi.business_zone() AS zone OFFSET 0) z
         WHERE m.member_type = 'customer'
    ) u
), d AS (
    SELECT a.customer_key, dd.date, dd.week_start, dd.month_start
      FROM act a JOIN dw.dim_date dd USING (date_key)
      JOIN bound b ON dd.date <= b.eoo_date
), seq AS (          -- each customer's interaction days in order
    SELECT d.date, d.week_start, d.month_start,
           lag(d.date)  OVER w AS prev_date,
           lead(d.date) OVER w AS next_date
      FROM d
    WINDOW w AS (PARTITION BY d.customer_key ORDER BY d.date)
), daily AS (         -- dau needs no window: one row per customer and date already
    SELECT date, count(*) AS dau FROM seq GROUP BY date
), delta AS (
    SELECT date, sum(d7) AS d7, sum(d30) AS d30
      FROM (SELECT date, 1 AS d7, 1 AS d30 FROM seq
            UNION ALL
            SELECT least(date + 7, next_date), -1, 0 FROM seq
            UNION ALL
            SELECT least(date + 30, next_date), 0, -1 FROM seq) c
     GROUP BY date
), week_active AS (   -- a customer counts once a week: on their first interaction day in it
    SELECT week_start, count(*) FILTER (WHERE prev_date IS NULL OR prev_date < week_start) AS n
      FROM seq GROUP BY week_start
), month_active AS (
    SELECT month_start, count(*) FILTER (WHERE prev_date IS NULL OR prev_date < month_start) AS n
      FROM seq GROUP BY month_start
), grid AS (
    SELECT dd.date_key, dd.date, dd.week_start, dd.month_start, b.eoo_date
      FROM (SELECT min(date) AS first_day FROM d) r
      CROSS JOIN bound b
      JOIN dw.dim_date dd ON dd.date BETWEEN r.first_day AND b.eoo_date
), running AS (
    SELECT g.*,
           coalesce(y.dau, 0)              AS dau,
           sum(coalesce(x.d7, 0))  OVER w AS wau,
           sum(coalesce(x.d30, 0)) OVER w AS mau
      FROM grid g LEFT JOIN delta x USING (date) LEFT JOIN daily y USING (date)
    WINDOW w AS (ORDER BY g.date)
)
SELECT r.date_key,
       r.date,
       r.dau::bigint                                         AS dau,
       r.wau::bigint                                         AS wau_7d,
       r.mau::bigint                                         AS mau_30d,
       round(r.dau::numeric / nullif(r.mau, 0), 6)           AS stickiness_rate,
       coalesce(wa.n, 0)::bigint                             AS week_active_customers,
       coalesce(ma.n, 0)::bigint                             AS month_active_customers,
       r.week_start,
       r.month_start,
       r.date < r.eoo_date                                      AS is_complete
  FROM running r
  LEFT JOIN week_active wa USING (week_start)
  LEFT JOIN month_active ma USING (month_start);

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

-- kpi/conversion.sql — WeCom-added customers converting to a first qualifying order
-- within 30 days: kpi.conversion (by month, staff and channel code)
-- requires: kpi/first_relationship.sql kpi/qualifying_order.sql

DROP MATERIALIZED VIEW IF EXISTS kpi.conversion CASCADE;
CREATE MATERIALIZED VIEW kpi.conversion AS
WITH first_order AS (
    SELECT customer_key, paid_at, paid_date FROM kpi.qualifying_order WHERE order_seq = 1
), c AS (
    SELECT fr.customer_key, fr.staff_key, st.userid, st.name, fr.state, d.month_start,
           fo.paid_at < fr.added_at                                           AS prior_buyer,
           fo.paid_at >= fr.added_at AND fo.paid_date - d.date <= 30           AS converted,
           CASE WHEN fo.paid_at >= fr.added_at AND fo.paid_date - d.date <= 30
                THEN fo.paid_date - d.date END                                 AS days_to_order
      FROM kpi.first_relationship fr   -- the first ever WeCom relationship decides month, staff and code
      JOIN dw.dim_date d ON d.date_key = fr.added_date_key
      JOIN dw.dim_staff st ON st.staff_key = fr.staff_key
      LEFT JOIN first_order fo USING (customer_key)
), agg AS (
    SELECT month_start,
           CASE WHEN grouping(userid) = 0 THEN 'staff' WHEN grouping(state) = 0 THEN 'state' ELSE 'total' END AS dimension,
           CASE WHEN grouping(userid) = 0 THEN userid WHEN grouping(state) = 0 THEN state ELSE 'all' END       AS dimension_value,
           name                                                              AS staff_name,
           staff_key,
           count(*)                                                          AS added_customers,
           count(*) FILTER (WHERE prior_buyer)                               AS prior_buyers,
           count(*) FILTER (WHERE converted)                                 AS converted_customers,
           sum(days_to_order)                                                AS days_to_order_sum
      FROM c
     GROUP BY GROUPING SETS ((month_start), (month_start, userid, name, staff_key), (month_start, state))
), series AS (
    SELECT dimension, dimension_value, min(staff_name) AS staff_name, min(staff_key) AS staff_key,
           min(month_start) AS first_month
      FROM agg GROUP BY dimension, dimension_value
), bound AS MATERIALIZED (  -- orders and WeCom both observed up to here
    SELECT least(kpi.business_date(kpi.end_of_observation('orders')),
                 kpi.business_date(kpi.end_of_observation('wecom'))) AS eoo_date
)
SELECT m.month_start,
       (m.month_start + interval '1 month' - interval '1 day')::date          AS month_end,
       s.dimension,
       s.dimension_value,
       CASE s.dimension WHEN 'staff' THEN coalesce(s.staff_name, s.dimension_value) ELSE s.dimension_value END AS dimension_label,
       s.staff_key,
       coalesce(a.added_customers, 0)::bigint                                 AS added_customers,
       coalesce(a.prior_buyers, 0)::bigint                                    AS prior_buyers,
       coalesce(a.converted_customers, 0)::bigint                             AS converted_customers,
       round(a.converted_customers::numeric / nullif(a.added_customers, 0), 6) AS conversion_rate,
       round(a.converted_customers::numeric / nullif(a.added_customers - a.prior_buyers, 0), 6) AS non_buyer_conversion_rate,
       round(a.days_to_order_sum::numeric / nullif(a.converted_customers, 0), 2) AS avg_days_to_first_order,
       (m.month_start + interval '1 month' - interval '1 day')::date + 30 <= b.eoo_date AS window_elapsed
  FROM series s
  CROSS JOIN bound b
  CROSS JOIN LATERAL (SELECT gs::date AS month_start
                        FROM generate_series(s.first_month,
                                             date_trunc('month', b.eoo_date)::date,
                                             interval '1 month') gs) m
  LEFT JOIN agg a ON a.dimension = s.dimension AND a.dimension_value = s.dimension_value AND a.month_start = m.month_start;

CREATE UNIQUE INDEX conversion_uq ON kpi.conversion (dimension, dimension_value, month_start);

COMMENT ON MATERIALIZED VIEW kpi.conversion IS
  'Conversion of WeCom-added customers to a first purchase within 30 days. Grain: one row per (month_start, dimension, '
  'dimension_value); dimension ''total'' (value ''all''), ''staff'' (staff userid) or ''state'' (channel code, ''(none)'' when '
  'absent); every scope has a row for every month from its first add to the month of the end of observation (kpi.end_of_observation, the earlier of orders and WeCom; never the wall clock). A customer is counted once, in '
  'the business month of their FIRST EVER WeCom relationship (kpi.relationship_span; re-adds and second staff members do not '
  'count again), attributed to the staff member and channel code of that first relationship (first touch; ties at the same '
  'instant go to the lower staff_key), so staff rows and state rows each add up to the total. added_customers = those '
  'customers; prior_buyers = those whose first qualifying order was paid before the add (already customers of the shop); '
  'converted_customers = those whose first ever qualifying order (dw.fact_order.is_qualifying, recomputed after refunds and '
  'merges) was paid at or after the add and at most 30 days later in business dates (paid date − added date <= 30). '
  'conversion_rate = converted ÷ added (prior buyers stay in the denominator, as the definition reads); '
  'non_buyer_conversion_rate = converted ÷ (added − prior_buyers). avg_days_to_first_order = mean of (paid date − added '
  'date) over converted customers. window_elapsed = month end + 30 days is over: only then is the month final. Rates NULL '
  'when the denominator is 0.';
COMMENT ON COLUMN kpi.conversion.month_start IS 'First day of the business month in which the customers were first added on WeCom.';
COMMENT ON COLUMN kpi.conversion.month_end IS 'Last day of that month.';
COMMENT ON COLUMN kpi.conversion.dimension IS 'Breakdown: ''total'', ''staff'' or ''state'' (of the first relationship). Filter on it.';
COMMENT ON COLUMN kpi.conversion.dimension_value IS '''all'' for total, staff userid for staff, channel code (''(none)'' if absent) for state.';
COMMENT ON COLUMN kpi.conversion.dimension_label IS 'Display name: staff name for staff rows, else dimension_value.';
COMMENT ON COLUMN kpi.conversion.staff_key IS 'dw.dim_staff key on staff rows; NULL otherwise.';
COMMENT ON COLUMN kpi.conversion.added_customers IS 'Customers whose first ever WeCom relationship started in the month (in this scope).';
COMMENT ON COLUMN kpi.conversion.prior_buyers IS 'Of those, customers whose first qualifying order was paid before they were added.';
COMMENT ON COLUMN kpi.conversion.converted_customers IS 'Of those, customers whose first qualifying order was paid at/after the add and within 30 days (business dates).';
COMMENT ON COLUMN kpi.conversion.conversion_rate IS 'converted_customers ÷ added_customers, 6 decimals; NULL when none added.';
COMMENT ON COLUMN kpi.conversion.non_buyer_conversion_rate IS 'converted_customers ÷ (added_customers − prior_buyers), 6 decimals; NULL when 0.';
COMMENT ON COLUMN kpi.conversion.avg_days_to_first_order IS 'Mean days from the add to the first qualifying order over converted customers, 2 decimals; NULL when none.';
COMMENT ON COLUMN kpi.conversion.window_elapsed IS 'true when month_end + 30 days is on or before the business date of the end of observation: the month is final.';

-- kpi/repurchase_window.sql — N-day repurchase after the first purchase: kpi.repurchase_window
-- requires: kpi/qualifying_order.sql kpi/first_purchase.sql
--
-- The common rules of the repurchase views (qualifying orders, periods, private domain) are in
-- kpi/qualifying_order.sql.

DROP MATERIALIZED VIEW IF EXISTS kpi.repurchase_window CASCADE;
CREATE MATERIALIZED VIEW kpi.repurchase_window AS
WITH bound AS MATERIALIZED (   -- kpi.end_of_observation, as a business date
    SELECT kpi.business_date(kpi.end_of_observation('orders')) AS eoo_date
), c AS (           -- d1, the first later business day with a qualifying order, kept per
                    -- customer (kpi.first_purchase); the first order's private-domain flag
    SELECT f.customer_key, f.paid_date AS first_date, f.repurchased_on AS next_date,
           q.in_private_domain AS first_in_pd
      FROM kpi.first_purchase f
      JOIN kpi.qualifying_order q ON q.order_key = f.order_key
), cs AS (          -- per cohort month and segment, the customers counted once each by the
                    -- shortest window they bought again within and the longest they were
                    -- observed for (d1 + N <= end; NULL: none): the windows below expand these few
                    -- rows, not every customer three times
    SELECT date_trunc('month', c.first_date)::date AS cohort_month,
           CASE WHEN c.first_in_pd THEN 'private_domain' ELSE 'outside' END AS seg,
           CASE WHEN c.next_date <= c.first_date + 30 THEN 30
                WHEN c.next_date <= c.first_date + 60 THEN 60
                WHEN c.next_date <= c.first_date + 90 THEN 90 END AS bought_within,
           CASE WHEN c.first_date + 90 <= b.eoo_date THEN 90
                WHEN c.first_date + 60 <= b.eoo_date THEN 60
                WHEN c.first_date + 30 <= b.eoo_date THEN 30 END AS observed_for,
           count(*) AS customers
      FROM c CROSS JOIN bound b
     GROUP BY 1, 2, 3, 4
), cw AS (
    SELECT cs.cohort_month, cs.seg, w.window_days, cs.customers,
           cs.bought_within <= w.window_days AS repurchased,    -- d1 < d <= d1 + N
           cs.observed_for >= w.window_days  AS observable      -- d1 + N <= end
      FROM cs
      CROSS JOIN (VALUES (30), (60), (90)) AS w (window_days)
), agg AS (         -- per cohort month: every customer; overall (cohort_month NULL): the observable ones
    SELECT cohort_month, coalesce(seg, 'all') AS segment, window_days,
           sum(customers)::bigint                                         AS cohort_customers,
           coalesce(sum(customers) FILTER (WHERE repurchased), 0)::bigint AS repurchased_customers
      FROM cw
     GROUP BY GROUPING SETS ((cohort_month, window_days), (cohort_month, window_days, seg))
    UNION ALL
    SELECT NULL, coalesce(seg, 'all'), window_days,
           coalesce(sum(customers) FILTER (WHERE observable), 0)::bigint,
           coalesce(sum(customers) FILTER (WHERE observable AND repurchased), 0)::bigint
      FROM cw
     GROUP BY GROUPING SETS ((window_days), (window_days, seg))
)
SELECT m.cohort_month,
       (m.cohort_month + interval '1 month' - interval '1 day')::date           AS cohort_month_end,
       s.segment,
       w.window_days,
       coalesce(a.cohort_customers, 0)::bigint                                  AS cohort_customers,
       coalesce(a.repurchased_customers, 0)::bigint                             AS repurchased_customers,
       round(a.repurchased_customers::numeric / nullif(a.cohort_customers, 0), 6) AS repurchase_rate,
       coalesce((m.cohort_month + interval '1 month' - interval '1 day')::date + w.window_days <= b.eoo_date,
                true)                                                           AS window_elapsed,
       b.eoo_date                                                               AS observed_until
  FROM (SELECT DISTINCT cohort_month FROM cs UNION ALL SELECT NULL) m
  CROSS JOIN bound b
  CROSS JOIN (VALUES ('all'), ('private_domain'), ('outside')) AS s (segment)
  CROSS JOIN (VALUES (30), (60), (90)) AS w (window_days)
  LEFT JOIN agg a ON a.cohort_month IS NOT DISTINCT FROM m.cohort_month AND a.segment = s.segment
                 AND a.window_days = w.window_days;

CREATE UNIQUE INDEX repurchase_window_uq ON kpi.repurchase_window (segment, window_days, cohort_month) NULLS NOT DISTINCT;

COMMENT ON MATERIALIZED VIEW kpi.repurchase_window IS
  'N-day repurchase (N = 30, 60, 90) after the first purchase, by first-order cohort month and overall. Grain: one row per '
  '(cohort_month, segment, window_days), for every month in which some customer made a first purchase, plus per segment and '
  'N one overall row with cohort_month NULL. d1 = business date of the customer''s first qualifying order '
  '(dw.fact_order.is_qualifying, identified customers only; order_seq recomputed from the current facts). A customer '
  'repurchased within N days when another qualifying order was paid on a LATER business day d, d1 < d <= d1 + N: a second '
  'order on the first day is the same purchase occasion, not a repurchase. Cohort rows: cohort_customers = every customer of '
  'the cohort, repurchased_customers = those who repurchased within N days, window_elapsed = the window of the cohort''s '
  'last possible first order is observed (cohort month end + N <= observed_until): only those rows are final, the others can '
  'still grow. Overall rows (cohort_month NULL): the denominator holds only the customers observable for the whole window, '
  'd1 + N <= observed_until, so that recent customers do not dilute the rate; this is the figure to quote. '
  'observed_until = business date of kpi.end_of_observation(''orders''): orders paid after it are not counted, never the '
  'wall clock. repurchase_rate = repurchased ÷ cohort (NULL for an empty segment). segment ''all'' is the whole cohort; '
  '''private_domain'' / ''outside'' split it by whether the customer had an active WeCom relationship at their first order '
  '(the private-domain lift of N-day repurchase).';
COMMENT ON COLUMN kpi.repurchase_window.cohort_month IS 'First day of the month of the customers'' first qualifying order; NULL on the overall row.';
COMMENT ON COLUMN kpi.repurchase_window.cohort_month_end IS 'Last day of the cohort month; NULL on the overall row.';
COMMENT ON COLUMN kpi.repurchase_window.segment IS '''all'', ''private_domain'' or ''outside'' (WeCom relationship at the first order). Filter on it.';
COMMENT ON COLUMN kpi.repurchase_window.window_days IS 'N: 30, 60 or 90 days.';
COMMENT ON COLUMN kpi.repurchase_window.cohort_customers IS 'Customers of the cohort (and segment); on the overall row only those observable for the whole window (d1 + N <= observed_until).';
COMMENT ON COLUMN kpi.repurchase_window.repurchased_customers IS 'Of cohort_customers, those with a qualifying order on a later business day within window_days of the first (d1 < d <= d1 + N).';
COMMENT ON COLUMN kpi.repurchase_window.repurchase_rate IS 'repurchased_customers ÷ cohort_customers (N 天复购率), 6 decimals; NULL when there are no customers.';
COMMENT ON COLUMN kpi.repurchase_window.window_elapsed IS 'true when every customer counted was observable for the whole window (cohort_month_end + window_days <= observed_until; always true on the overall row): the figure is final.';
COMMENT ON COLUMN kpi.repurchase_window.observed_until IS 'Business date of the end of observation the row was computed for (kpi.end_of_observation(''orders'')).';

-- kpi/sales.sql — sales per channel and period: kpi.sales_daily, kpi.sales_monthly
--
-- Period = business date of PAYMENT (dw.fact_order.paid_date_key; the order's paid_at in the
-- configured zone). Orders never paid (paid_at NULL: unpaid, cancelled before payment) are not
-- sales and are left out; every paid order is in gmv whatever its later status, and its refunds
-- are attributed to the same paid date (dw.fact_order has no refund time), so gmv − refund = net.
-- Same long shape as growth: dimension 'total' / 'platform' / 'channel' (= one shop).

DROP MATERIALIZED VIEW IF EXISTS kpi.sales_daily CASCADE;
CREATE MATERIALIZED VIEW kpi.sales_daily AS
WITH o AS (
    SELECT coalesce(f.paid_date_key, dw.date_key_of(f.paid_at)) AS date_key,
           c.channel_key, c.platform, c.shop_id, c.shop_name,
           f.customer_key, f.is_qualifying, f.paid_fen, f.refund_fen
      FROM dw.fact_order f
      JOIN dw.dim_channel c USING (channel_key)
     WHERE f.paid_at IS NOT NULL
), agg AS (
    SELECT date_key,
           CASE WHEN grouping(platform) = 1 THEN 'total'
                WHEN grouping(channel_key) = 1 THEN 'platform'
                ELSE 'channel' END                                         AS dimension,
           platform, channel_key, shop_id, shop_name,
           count(*)                                                        AS paid_orders,
           sum(paid_fen)                                                   AS gmv_fen,
           sum(refund_fen)                                                 AS refund_fen,
           count(*) FILTER (WHERE refund_fen > 0)                          AS refunded_orders,
           count(*) FILTER (WHERE is_qualifying)                           AS qualifying_orders,
           coalesce(sum(paid_fen - refund_fen) FILTER (WHERE is_qualifying), 0) AS qualifying_sales_fen,
           count(DISTINCT customer_key) FILTER (WHERE is_qualifying)       AS buyers,
           count(*) FILTER (WHERE is_qualifying AND customer_key IS NULL)  AS guest_orders,
           coalesce(sum(paid_fen - refund_fen) FILTER (WHERE is_qualifying AND customer_key IS NOT NULL), 0) AS buyer_sales_fen
      FROM o
     GROUP BY GROUPING SETS ((date_key), (date_key, platform),
                             (date_key, platform, channel_key, shop_id, shop_name))
), keyed AS (
    SELECT a.*,
           CASE dimension WHEN 'total' THEN 'all' WHEN 'platform' THEN platform
                          ELSE platform || '/' || shop_id END AS dimension_value
      FROM agg a
), series AS (
    SELECT dimension, dimension_value, min(platform) AS platform, min(channel_key) AS channel_key,
           min(shop_id) AS shop_id, min(shop_name) AS shop_name, min(date_key) AS first_key
      FROM keyed GROUP BY dimension, dimension_value
), bound AS MATERIALIZED (
    SELECT greatest(dw.date_key_of(now()), (SELECT max(date_key) FROM keyed)) AS last_key,
           kpi.business_date() AS today
)
SELECT d.date_key,
       d.date,
       d.iso_year,
       d.iso_week,
       d.year,
       d.month,
       s.dimension,
       s.dimension_value,
       CASE s.dimension WHEN 'channel' THEN coalesce(s.shop_name, s.dimension_value) ELSE s.dimension_value END AS dimension_label,
       s.platform,
       s.channel_key,
       s.shop_id,
       s.shop_name,
       coalesce(k.paid_orders, 0)::bigint                                         AS paid_orders,
       coalesce(k.gmv_fen, 0)::bigint                                             AS gmv_fen,
       (coalesce(k.gmv_fen, 0) / 100.0)::numeric(14,2)                            AS gmv_yuan,
       coalesce(k.refund_fen, 0)::bigint                                          AS refund_fen,
       (coalesce(k.refund_fen, 0) / 100.0)::numeric(14,2)                         AS refund_yuan,
       coalesce(k.gmv_fen - k.refund_fen, 0)::bigint                              AS net_sales_fen,
       (coalesce(k.gmv_fen - k.refund_fen, 0) / 100.0)::numeric(14,2)             AS net_sales_yuan,
       round(k.refund_fen::numeric / nullif(k.gmv_fen, 0), 6)                     AS refund_rate,
       coalesce(k.refunded_orders, 0)::bigint                                     AS refunded_orders,
       round(k.refunded_orders::numeric / nullif(k.paid_orders, 0), 6)            AS refunded_order_rate,
       coalesce(k.qualifying_orders, 0)::bigint                                   AS qualifying_orders,
       coalesce(k.qualifying_sales_fen, 0)::bigint                                AS qualifying_sales_fen,
       (coalesce(k.qualifying_sales_fen, 0) / 100.0)::numeric(14,2)               AS qualifying_sales_yuan,
       coalesce(k.buyers, 0)::bigint                                              AS buyers,
       coalesce(k.guest_orders, 0)::bigint                                        AS guest_orders,
       round(k.qualifying_sales_fen::numeric / nullif(k.qualifying_orders, 0))::bigint AS aov_fen,
       (round(k.qualifying_sales_fen::numeric / nullif(k.qualifying_orders, 0)) / 100.0)::numeric(14,2) AS aov_yuan,
       round(k.buyer_sales_fen::numeric / nullif(k.buyers, 0))::bigint            AS sales_per_buyer_fen,
       (round(k.buyer_sales_fen::numeric / nullif(k.buyers, 0)) / 100.0)::numeric(14,2) AS sales_per_buyer_yuan,
       d.date < b.today                                                           AS is_complete
  FROM series s
  CROSS JOIN bound b
  JOIN dw.dim_date d ON d.date_key BETWEEN s.first_key AND b.last_key
  LEFT JOIN keyed k ON k.dimension = s.dimension AND k.dimension_value = s.dimension_value
                   AND k.date_key = d.date_key;

CREATE UNIQUE INDEX sales_daily_uq ON kpi.sales_daily (dimension, dimension_value, date_key);
CREATE INDEX sales_daily_date ON kpi.sales_daily (date_key, dimension);

DROP MATERIALIZED VIEW IF EXISTS kpi.sales_monthly CASCADE;
CREATE MATERIALIZED VIEW kpi.sales_monthly AS
WITH o AS (
    SELECT dd.month_start, c.channel_key, c.platform, c.shop_id, c.shop_name,
           f.customer_key, f.is_qualifying, f.paid_fen, f.refund_fen
      FROM dw.fact_order f
      JOIN dw.dim_channel c USING (channel_key)
      JOIN dw.dim_date dd ON dd.date_key = coalesce(f.paid_date_key, dw.date_key_of(f.paid_at))
     WHERE f.paid_at IS NOT NULL
), agg AS (
    SELECT month_start,
           CASE WHEN grouping(platform) = 1 THEN 'total'
                WHEN grouping(channel_key) = 1 THEN 'platform'
                ELSE 'channel' END                                         AS dimension,
           platform, channel_key, shop_id, shop_name,
           count(*)                                                        AS paid_orders,
           sum(paid_fen)                                                   AS gmv_fen,
           sum(refund_fen)                                                 AS refund_fen,
           count(*) FILTER (WHERE refund_fen > 0)                          AS refunded_orders,
           count(*) FILTER (WHERE is_qualifying)                           AS qualifying_orders,
           coalesce(sum(paid_fen - refund_fen) FILTER (WHERE is_qualifying), 0) AS qualifying_sales_fen,
           count(DISTINCT customer_key) FILTER (WHERE is_qualifying)       AS buyers,
           count(*) FILTER (WHERE is_qualifying AND customer_key IS NULL)  AS guest_orders,
           coalesce(sum(paid_fen - refund_fen) FILTER (WHERE is_qualifying AND customer_key IS NOT NULL), 0) AS buyer_sales_fen
      FROM o
     GROUP BY GROUPING SETS ((month_start), (month_start, platform),
                             (month_start, platform, channel_key, shop_id, shop_name))
), keyed AS (
    SELECT a.*,
           CASE dimension WHEN 'total' THEN 'all' WHEN 'platform' THEN platform
                          ELSE platform || '/' || shop_id END AS dimension_value
      FROM agg a
), series AS (
    SELECT dimension, dimension_value, min(platform) AS platform, min(channel_key) AS channel_key,
           min(shop_id) AS shop_id, min(shop_name) AS shop_name, min(month_start) AS first_month
      FROM keyed GROUP BY dimension, dimension_value
), bound AS MATERIALIZED (
    SELECT greatest(date_trunc('month', kpi.business_date())::date, (SELECT max(month_start) FROM keyed)) AS last_month,
           kpi.business_date() AS today
)
SELECT m.month_start,
       (m.month_start + interval '1 month' - interval '1 day')::date              AS month_end,
       extract(year FROM m.month_start)::smallint                                 AS year,
       extract(month FROM m.month_start)::smallint                                AS month,
       s.dimension,
       s.dimension_value,
       CASE s.dimension WHEN 'channel' THEN coalesce(s.shop_name, s.dimension_value) ELSE s.dimension_value END AS dimension_label,
       s.platform,
       s.channel_key,
       s.shop_id,
       s.shop_name,
       coalesce(k.paid_orders, 0)::bigint                                         AS paid_orders,
       coalesce(k.gmv_fen, 0)::bigint                                             AS gmv_fen,
       (coalesce(k.gmv_fen, 0) / 100.0)::numeric(14,2)                            AS gmv_yuan,
       coalesce(k.refund_fen, 0)::bigint                                          AS refund_fen,
       (coalesce(k.refund_fen, 0) / 100.0)::numeric(14,2)                         AS refund_yuan,
       coalesce(k.gmv_fen - k.refund_fen, 0)::bigint                              AS net_sales_fen,
       (coalesce(k.gmv_fen - k.refund_fen, 0) / 100.0)::numeric(14,2)             AS net_sales_yuan,
       round(k.refund_fen::numeric / nullif(k.gmv_fen, 0), 6)                     AS refund_rate,
       coalesce(k.refunded_orders, 0)::bigint                                     AS refunded_orders,
       round(k.refunded_orders::numeric / nullif(k.paid_orders, 0), 6)            AS refunded_order_rate,
       coalesce(k.qualifying_orders, 0)::bigint                                   AS qualifying_orders,
       coalesce(k.qualifying_sales_fen, 0)::bigint                                AS qualifying_sales_fen,
       (coalesce(k.qualifying_sales_fen, 0) / 100.0)::numeric(14,2)               AS qualifying_sales_yuan,
       coalesce(k.buyers, 0)::bigint                                              AS buyers,
       coalesce(k.guest_orders, 0)::bigint                                        AS guest_orders,
       round(k.qualifying_sales_fen::numeric / nullif(k.qualifying_orders, 0))::bigint AS aov_fen,
       (round(k.qualifying_sales_fen::numeric / nullif(k.qualifying_orders, 0)) / 100.0)::numeric(14,2) AS aov_yuan,
       round(k.buyer_sales_fen::numeric / nullif(k.buyers, 0))::bigint            AS sales_per_buyer_fen,
       (round(k.buyer_sales_fen::numeric / nullif(k.buyers, 0)) / 100.0)::numeric(14,2) AS sales_per_buyer_yuan,
       (m.month_start + interval '1 month' - interval '1 day')::date < b.today    AS is_complete
  FROM series s
  CROSS JOIN bound b
  CROSS JOIN LATERAL (SELECT gs::date AS month_start
                        FROM generate_series(s.first_month, b.last_month, interval '1 month') gs) m
  LEFT JOIN keyed k ON k.dimension = s.dimension AND k.dimension_value = s.dimension_value
                   AND k.month_start = m.month_start;

CREATE UNIQUE INDEX sales_monthly_uq ON kpi.sales_monthly (dimension, dimension_value, month_start);

-- ---------------------------------------------------------------------------------------------
-- comments
-- ---------------------------------------------------------------------------------------------
COMMENT ON MATERIALIZED VIEW kpi.sales_daily IS
  'Sales per business day of payment. Grain: one row per (date_key, dimension, dimension_value); dimension ''total'' (value '
  '''all''), ''platform'' (value = platform) or ''channel'' (value = platform/shop_id, one shop); every scope has a row for every '
  'day from its first paid order to today (zeros on days without sales). Period = dw.fact_order.paid_date_key (payment time in '
  'the configured zone). Filters, stated: orders never paid (paid_at NULL: unpaid, cancelled before payment) are excluded; every '
  'paid order counts in paid_orders / gmv whatever its later status (cancelled or refunded after payment included); refunds are '
  'attributed to the order''s paid date (no refund time in dw) and reduce net sales. Formulas: gmv = Σ paid_fen (支付金额, '
  'incl. shipping); net_sales = gmv − Σ refund_fen; refund_rate = Σ refund_fen ÷ gmv (by money); refunded_order_rate = orders '
  'with refund_fen > 0 ÷ paid_orders; qualifying orders = dw.fact_order.is_qualifying (paid, not cancelled, not fully refunded); '
  'qualifying_sales = Σ (paid_fen − refund_fen) over them (partial refunds netted); aov (笔单价, average order value) = '
  'qualifying_sales ÷ qualifying_orders; buyers = distinct identified customers with a qualifying order (guest orders, without '
  'customer_key, are counted in guest_orders and in the sales but cannot be counted as buyers); sales_per_buyer (客单价 as '
  'Taobao defines it) = qualifying sales of identified customers ÷ buyers. Averages are rounded to the nearest fen (halves away '
  'from zero); rates are fractions rounded to 6 decimals, NULL when the denominator is 0. buyers of different days or channels '
  'must not be added (a customer buying twice counts once per row).';
COMMENT ON MATERIALIZED VIEW kpi.sales_monthly IS
  'Sales per calendar month of payment (business dates). Grain: one row per (month_start, dimension, dimension_value); '
  'same dimensions, filters and formulas as kpi.sales_daily, computed from the orders of the month (buyers are distinct over '
  'the month, not a sum of days). Every scope has a row for every month from its first paid order to the current month.';

COMMENT ON COLUMN kpi.sales_daily.date_key IS 'Business date of payment, yyyymmdd (dw.fact_order.paid_date_key).';
COMMENT ON COLUMN kpi.sales_daily.date IS 'Business date of payment.';
COMMENT ON COLUMN kpi.sales_daily.iso_year IS 'ISO year of the date.';
COMMENT ON COLUMN kpi.sales_daily.iso_week IS 'ISO week of the date.';
COMMENT ON COLUMN kpi.sales_daily.year IS 'Calendar year of the date.';
COMMENT ON COLUMN kpi.sales_daily.month IS 'Calendar month 1–12 of the date.';
COMMENT ON COLUMN kpi.sales_monthly.month_start IS 'First day of the month of payment (business date).';
COMMENT ON COLUMN kpi.sales_monthly.month_end IS 'Last day of the month.';
COMMENT ON COLUMN kpi.sales_monthly.year IS 'Calendar year.';
COMMENT ON COLUMN kpi.sales_monthly.month IS 'Calendar month 1–12.';
DO $$
DECLARE v text; c record;
BEGIN
  FOREACH v IN ARRAY ARRAY['sales_daily', 'sales_monthly'] LOOP
    FOR c IN SELECT * FROM (VALUES
      ('dimension', 'Breakdown: ''total'', ''platform'' or ''channel'' (one shop). Filter on it; never sum across dimensions.'),
      ('dimension_value', '''all'' for total, the platform for platform rows, platform/shop_id for channel rows.'),
      ('dimension_label', 'Display name: shop name for channel rows (else dimension_value).'),
      ('platform', 'Platform (dw.dim_channel.platform); NULL on total rows.'),
      ('channel_key', 'dw.dim_channel key on channel rows; NULL otherwise.'),
      ('shop_id', 'Shop id on its platform, on channel rows; NULL otherwise.'),
      ('shop_name', 'Shop name (current), on channel rows; NULL otherwise.'),
      ('paid_orders', 'Orders paid in the period (paid_at set), any current status.'),
      ('gmv_fen', 'GMV (支付金额): Σ paid_fen of the paid orders, fen, before refunds.'),
      ('gmv_yuan', 'gmv_fen in yuan.'),
      ('refund_fen', 'Σ refund_fen of the paid orders (attributed to their paid date), fen.'),
      ('refund_yuan', 'refund_fen in yuan.'),
      ('net_sales_fen', 'gmv_fen − refund_fen, fen.'),
      ('net_sales_yuan', 'net_sales_fen in yuan.'),
      ('refund_rate', 'refund_fen ÷ gmv_fen (by money), 6 decimals; NULL when gmv is 0.'),
      ('refunded_orders', 'Paid orders with refund_fen > 0 (partially or fully refunded).'),
      ('refunded_order_rate', 'refunded_orders ÷ paid_orders (by count), 6 decimals; NULL when no paid orders.'),
      ('qualifying_orders', 'Orders with dw.fact_order.is_qualifying (paid, not cancelled, not fully refunded).'),
      ('qualifying_sales_fen', 'Σ (paid_fen − refund_fen) over qualifying orders, fen (partial refunds netted).'),
      ('qualifying_sales_yuan', 'qualifying_sales_fen in yuan.'),
      ('buyers', 'Distinct identified customers (customer_key) with a qualifying order; guests not counted.'),
      ('guest_orders', 'Qualifying orders without a customer (guest); in the sales, not in buyers.'),
      ('aov_fen', 'Average order value (笔单价): qualifying_sales_fen ÷ qualifying_orders, rounded to the fen; NULL when no qualifying orders.'),
      ('aov_yuan', 'aov_fen in yuan.'),
      ('sales_per_buyer_fen', '客单价 (per buyer): qualifying sales of identified customers ÷ buyers, rounded to the fen; NULL when no buyers.'),
      ('sales_per_buyer_yuan', 'sales_per_buyer_fen in yuan.'),
      ('is_complete', 'true when the period is over (before the business date of the last refresh).')
    ) t(col, txt) LOOP
      EXECUTE format('COMMENT ON COLUMN kpi.%I.%I IS %L', v, c.col, c.txt);
    END LOOP;
  END LOOP;
END
$$;

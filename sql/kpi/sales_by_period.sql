-- kpi/sales_by_period.sql — the one definition of sales per channel and period, for any grain:
-- kpi.sales_by_period('day') and ('month') are kpi.sales_daily and kpi.sales_monthly
--
-- Period = business date of PAYMENT (dw.fact_order.paid_date_key; the order's paid_at in the
-- configured zone). Orders never paid (paid_at NULL: unpaid, cancelled before payment) are not
-- sales and are left out; every paid order is in gmv whatever its later status, and its refunds
-- are attributed to the same paid date (dw.fact_order has no refund time), so gmv − refund = net.
-- Same long shape as growth: dimension 'total' / 'platform' / 'channel' (= one shop).
--
-- A function of the grain (and of the periods to compute: kpi.refresh() recomputes only the
-- periods a change touched, kpi/sales_daily.sql), not a view with a grain column: PostgreSQL pushes no filter into a
-- GROUPING SETS aggregate, so a view would aggregate every grain for each of its readers (docs/
-- performance.md). The SQL function is inlined into the query that calls it, with the grain as
-- a constant. Its row type kpi.sales_period carries the column types and comments the views copy.
-- Only dw tables are read: no kpi view hides behind the function from kpi.refresh()'s ordering.
-- requires: functions/kpi.end_of_observation.sql functions/kpi.change_claim.sql
-- requires: functions/dw.date_of_key.sql functions/dw.key_of_date.sql

DROP TYPE IF EXISTS kpi.sales_period CASCADE;
CREATE TYPE kpi.sales_period AS (
    dimension             text,
    dimension_value       text,
    dimension_label       text,
    platform              text,
    channel_key           int,
    shop_id               text,
    shop_name             text,
    paid_orders           bigint,
    gmv_fen               bigint,
    gmv_yuan              numeric(14,2),
    refund_fen            bigint,
    refund_yuan           numeric(14,2),
    net_sales_fen         bigint,
    net_sales_yuan        numeric(14,2),
    refund_rate           numeric,
    refunded_orders       bigint,
    refunded_order_rate   numeric,
    qualifying_orders     bigint,
    qualifying_sales_fen  bigint,
    qualifying_sales_yuan numeric(14,2),
    buyers                bigint,
    guest_orders          bigint,
    aov_fen               bigint,
    aov_yuan              numeric(14,2),
    sales_per_buyer_fen   bigint,
    sales_per_buyer_yuan  numeric(14,2),
    is_complete           boolean,
    grain                 text,
    period_start          date,
    period_end            date
);

CREATE FUNCTION kpi.sales_by_period(p_grain text, p_periods bigint[] DEFAULT NULL) RETURNS SETOF kpi.sales_period
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH eoo AS (          -- kpi.end_of_observation: nothing after it is counted or shown
    SELECT e.at, kpi.business_date(e.at) AS date
      FROM (SELECT kpi.end_of_observation('orders') AS at OFFSET 0) e
), span AS (          -- the paid date keys the periods asked for cover (all when p_periods is NULL)
    SELECT min(k) AS lo, min(d) AS lo_date,
           max(dw.key_of_date((date_trunc(p_grain, d) + ('1 ' || p_grain)::interval - interval '1 day')::date)) AS hi
      FROM unnest(p_periods) k
     CROSS JOIN LATERAL (SELECT dw.date_of_key(k) AS d) x
), o AS (           -- the paid date from its key by arithmetic (a join to dw.dim_date per order is
                     -- what a misjudged row count turns into 60,000 index lookups), from the
                     -- time when the key is missing; dw.date_of_key of the column itself: with
                     -- an expression for its argument it would not be inlined
    SELECT date_trunc(p_grain, coalesce(dw.date_of_key(f.paid_date_key), kpi.business_date(f.paid_at)))::date AS period_start,
           c.channel_key, c.platform, c.shop_id, c.shop_name,
           f.customer_key, f.is_qualifying, f.paid_fen, f.refund_fen
      FROM dw.fact_order f
      JOIN dw.dim_channel c USING (channel_key)
     WHERE f.paid_at <= (SELECT at FROM eoo)
       AND (p_periods IS NULL
            OR f.paid_date_key BETWEEN (SELECT lo FROM span) AND (SELECT hi FROM span)
            OR f.paid_date_key IS NULL)
), agg AS (
    SELECT period_start,
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
     GROUP BY GROUPING SETS ((period_start), (period_start, platform),
                             (period_start, platform, channel_key, shop_id, shop_name))
    UNION ALL         -- only some periods: a scope with sales before them starts with a row (no
                      -- figures) for the period before the first one asked for, so that the
                      -- periods without sales between it and its next sale get their rows
    SELECT (date_trunc(p_grain, (SELECT lo_date FROM span)) - ('1 ' || p_grain)::interval)::date,
           CASE WHEN grouping(c.platform) = 1 THEN 'total' WHEN grouping(c.channel_key) = 1 THEN 'platform' ELSE 'channel' END,
           c.platform, c.channel_key, c.shop_id, c.shop_name,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM dw.dim_channel c
     CROSS JOIN LATERAL (      -- LIMIT 1: stops at the first such sale (EXISTS would be a semi-join of all)
            SELECT 1 FROM dw.fact_order f
             WHERE f.channel_key = c.channel_key AND f.paid_at <= (SELECT at FROM eoo)
               AND (f.paid_date_key < (SELECT lo FROM span)
                    OR (f.paid_date_key IS NULL AND dw.date_key_of(f.paid_at) < (SELECT lo FROM span)))
             LIMIT 1) earlier
     WHERE p_periods IS NOT NULL
     GROUP BY GROUPING SETS ((), (c.platform), (c.platform, c.channel_key, c.shop_id, c.shop_name))
    HAVING count(*) > 0   -- the empty grouping set gives a row even without any
), keyed AS (
    SELECT a.*,
           CASE dimension WHEN 'total' THEN 'all' WHEN 'platform' THEN platform
                          ELSE platform || '/' || shop_id END AS dimension_value
      FROM agg a
), spaced AS (        -- each period with sales, with the next one of its scope
    SELECT k.*,
           lead(k.period_start) OVER (PARTITION BY k.dimension, k.dimension_value
                                      ORDER BY k.period_start) AS next_start
      FROM keyed k
)
-- Every scope runs from its first sale to the period of the end of observation: a period with
-- sales is followed by the empty periods up to the next one, which read 0.
SELECT k.dimension,
       k.dimension_value,
       CASE k.dimension WHEN 'channel' THEN coalesce(k.shop_name, k.dimension_value) ELSE k.dimension_value END AS dimension_label,
       k.platform,
       k.channel_key,
       k.shop_id,
       k.shop_name,
       coalesce(m.paid_orders, 0)::bigint                                         AS paid_orders,
       coalesce(m.gmv_fen, 0)::bigint                                             AS gmv_fen,
       (coalesce(m.gmv_fen, 0) / 100.0)::numeric(14,2)                            AS gmv_yuan,
       coalesce(m.refund_fen, 0)::bigint                                          AS refund_fen,
       (coalesce(m.refund_fen, 0) / 100.0)::numeric(14,2)                         AS refund_yuan,
       coalesce(m.gmv_fen - m.refund_fen, 0)::bigint                              AS net_sales_fen,
       (coalesce(m.gmv_fen - m.refund_fen, 0) / 100.0)::numeric(14,2)             AS net_sales_yuan,
       round(m.refund_fen::numeric / nullif(m.gmv_fen, 0), 6)                     AS refund_rate,
       coalesce(m.refunded_orders, 0)::bigint                                     AS refunded_orders,
       round(m.refunded_orders::numeric / nullif(m.paid_orders, 0), 6)            AS refunded_order_rate,
       coalesce(m.qualifying_orders, 0)::bigint                                   AS qualifying_orders,
       coalesce(m.qualifying_sales_fen, 0)::bigint                                AS qualifying_sales_fen,
       (coalesce(m.qualifying_sales_fen, 0) / 100.0)::numeric(14,2)               AS qualifying_sales_yuan,
       coalesce(m.buyers, 0)::bigint                                              AS buyers,
       coalesce(m.guest_orders, 0)::bigint                                        AS guest_orders,
       round(m.qualifying_sales_fen::numeric / nullif(m.qualifying_orders, 0))::bigint AS aov_fen,
       (round(m.qualifying_sales_fen::numeric / nullif(m.qualifying_orders, 0)) / 100.0)::numeric(14,2) AS aov_yuan,
       round(m.buyer_sales_fen::numeric / nullif(m.buyers, 0))::bigint            AS sales_per_buyer_fen,
       (round(m.buyer_sales_fen::numeric / nullif(m.buyers, 0)) / 100.0)::numeric(14,2) AS sales_per_buyer_yuan,
       p.period_end < e.date                                                      AS is_complete,
       p_grain,
       p.period_start,
       p.period_end
  FROM spaced k
  CROSS JOIN eoo e
  CROSS JOIN LATERAL (
        SELECT gs::date AS period_start, (gs + ('1 ' || p_grain)::interval - interval '1 day')::date AS period_end
          FROM generate_series(k.period_start,
                               coalesce(k.next_start - ('1 ' || p_grain)::interval, date_trunc(p_grain, e.date)),
                               ('1 ' || p_grain)::interval) gs) p
  LEFT JOIN LATERAL (SELECT k.paid_orders, k.gmv_fen, k.refund_fen, k.refunded_orders, k.qualifying_orders,
                            k.qualifying_sales_fen, k.buyers, k.guest_orders, k.buyer_sales_fen
                      WHERE p.period_start = k.period_start) m ON true
 WHERE p_periods IS NULL OR dw.key_of_date(p.period_start) = ANY (p_periods)
$$;

COMMENT ON FUNCTION kpi.sales_by_period(text, bigint[]) IS
  'Sales per period of payment of grain p_grain (''day'', ''week'', ''month'' or ''year''; kpi.sales_daily and kpi.sales_monthly are ''day'' and '
  '''month''), of the periods whose first day''s date key (yyyymmdd) is in p_periods, all when NULL (what kpi.refresh() recomputes after a change). Grain: one row per (period_start, dimension, dimension_value); dimension ''total'' (value ''all''), ''platform'' (value = platform) or ''channel'' '
  '(value = platform/shop_id, one shop); every scope has a row for every period from its first paid order to the one of the end of observation (zeros '
  'in periods without sales). Period = dw.fact_order.paid_date_key (payment time in the configured zone). Filters, stated: orders '
  'never paid (paid_at NULL: unpaid, cancelled before payment) are excluded; every paid order counts in paid_orders / gmv whatever '
  'its later status (cancelled or refunded after payment included); refunds are attributed to the order''s paid date (no refund '
  'time in dw) and reduce net sales. Formulas: gmv = Σ paid_fen (支付金额, incl. shipping); net_sales = gmv − Σ refund_fen; '
  'refund_rate = Σ refund_fen ÷ gmv (by money); refunded_order_rate = orders with refund_fen > 0 ÷ paid_orders; qualifying orders = '
  'dw.fact_order.is_qualifying (paid, not cancelled, not fully refunded); qualifying_sales = Σ (paid_fen − refund_fen) over them '
  '(partial refunds netted); aov (笔单价, average order value) = qualifying_sales ÷ qualifying_orders; buyers = distinct identified '
  'customers with a qualifying order in the period (guest orders, without customer_key, are counted in guest_orders and in the '
  'sales but cannot be counted as buyers); sales_per_buyer (客单价 as Taobao defines it) = qualifying sales of identified customers '
  '÷ buyers. Averages are rounded to the nearest fen (halves away from zero); rates are fractions rounded to 6 decimals, NULL when '
  'the denominator is 0. buyers of different periods or channels must not be added (a customer buying twice counts once per row). Bounded by the end of observation (kpi.end_of_observation(''orders''), never the wall clock): orders paid after it are not counted, no period after it is shown, and the period containing it is partial (is_complete false).';
-- The business dates of payment whose sales may have changed since a table of this family
-- was last refreshed, for kpi.refresh_periods; NULL means all of them. Those of the orders the
-- change record names since the table's mark (etl.fact_change, read through kpi.change_claim
-- in the refresh's transaction: old and new dates of every order inserted, deleted or
-- updated, guests' and unpaid ones included); the moved end of observation is
-- kpi.touched_periods' part. NULL without a mark (the first refresh, the facts truncated) and
-- when a shop was renamed: its name is on every row of its scope, and dw.dim_channel is not
-- in the change record.
CREATE OR REPLACE FUNCTION kpi.sales_changed_dates(p_target regclass) RETURNS date[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    w        record;
    v_renamed boolean;
BEGIN
    SELECT * INTO w FROM kpi.change_claim(p_target::text);
    IF w.since_change IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT channel_key, shop_name FROM %s
                                                   WHERE dimension = %L) t
                                    JOIN dw.dim_channel c USING (channel_key)
                                   WHERE t.shop_name IS DISTINCT FROM c.shop_name)', p_target, 'channel')
      INTO v_renamed;
    IF v_renamed THEN
        RETURN NULL;
    END IF;
    RETURN ARRAY(SELECT DISTINCT dw.date_of_key(c.paid_date_key)
                   FROM etl.fact_change c
                  WHERE c.change_id > w.since_change AND c.change_id <= w.until_change
                    AND c.paid_date_key IS NOT NULL);
END
$fn$;
REVOKE ALL ON FUNCTION kpi.sales_changed_dates(regclass) FROM PUBLIC;
COMMENT ON FUNCTION kpi.sales_changed_dates(regclass) IS
  'The business dates of payment whose sales may differ from the rows of p_target (kpi.sales_daily or kpi.sales_monthly), '
  'for kpi.refresh_periods: those of the orders the change record names since p_target''s mark (kpi.change_claim, which '
  'moves the mark in the caller''s transaction). NULL (every date) without a mark or after a shop was renamed.';

COMMENT ON TYPE kpi.sales_period IS 'Row of kpi.sales_by_period(grain): sales of one period and scope; its column comments are those of kpi.sales_daily and kpi.sales_monthly.';
DO $$
DECLARE c record;
BEGIN
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
    ('is_complete', 'true when the period is over before the end of observation; false for the period containing it (partial).'),
    ('grain', 'The length of the period: ''day'' or ''month''.'),
    ('period_start', 'First day of the period (business date).'),
    ('period_end', 'Last day of the period (business date).')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.sales_period.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;

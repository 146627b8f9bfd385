-- kpi/at_risk.sql — valuable customers drifting away: kpi.at_risk
-- requires: kpi/customer_value.sql kpi/customer_orders.sql kpi/customer_owner.sql functions/kpi.action_setting.sql
-- requires: functions/etl.comment_columns_like.sql
--
-- A customer is at risk when their RFM segment is one of [actions] at_risk_segments and the
-- days since their last qualifying order exceed their typical gap between purchases: their
-- own median gap when they bought on ≥ 3 business days, else the population's median gap
-- after that many purchase days (from the 1st to the 2nd, or the 2nd to the 3rd). Purchases
-- are counted as business days with a qualifying order: two orders on one day are one
-- purchase occasion (docs/kpi.md), so a same-day pair makes no zero-day gap. Each customer's
-- purchase days and gaps are kept in kpi.customer_orders (recomputed only for the customers
-- whose orders changed); the population's medians are taken over all of them here.
DROP MATERIALIZED VIEW IF EXISTS kpi.at_risk CASCADE;
CREATE MATERIALIZED VIEW kpi.at_risk AS
WITH population AS (     -- after k purchase days (k = 1, 2): median gap to the next one
    SELECT 1 AS after_days, percentile_cont(0.5) WITHIN GROUP (ORDER BY gap_to_second) AS median_gap
      FROM kpi.customer_orders WHERE gap_to_second IS NOT NULL
    UNION ALL
    SELECT 2, percentile_cont(0.5) WITHIN GROUP (ORDER BY gap_to_third)
      FROM kpi.customer_orders WHERE gap_to_third IS NOT NULL
), typical AS (
    SELECT v.*,
           c.purchase_days,
           CASE WHEN c.purchase_days >= 3 THEN c.median_gap_days ELSE p.median_gap END AS typical_gap,
           CASE WHEN c.purchase_days >= 3 THEN 'own' ELSE 'population' END          AS gap_basis
      FROM kpi.customer_value v
      JOIN kpi.customer_orders c USING (customer_key)
      LEFT JOIN population p ON p.after_days = c.purchase_days
     WHERE v.segment_code = ANY (string_to_array(kpi.action_setting('at_risk_segments'), ','))
), touch AS (            -- the latest recorded interaction besides orders
    SELECT customer_key, max(occurred_at) AS at, 'wecom ' || (array_agg(event_type ORDER BY occurred_at DESC))[1] AS kind
      FROM dw.fact_contact_event GROUP BY customer_key
    UNION ALL
    SELECT customer_key, max(joined_at), 'group join'
      FROM dw.fact_group_member WHERE member_type = 'customer' GROUP BY customer_key
), last_touch AS (
    SELECT DISTINCT ON (customer_key) customer_key, at, kind
      FROM touch ORDER BY customer_key, at DESC
)
SELECT t.customer_key,
       t.segment_code,
       t.segment_cn,
       t.orders,
       t.purchase_days,
       t.first_order_date,
       t.last_order_at,
       t.last_order_date,
       t.snapshot_date,
       t.recency_days,
       round(t.typical_gap::numeric, 1)                                   AS typical_gap_days,
       t.gap_basis,
       round((t.recency_days - t.typical_gap)::numeric, 1)                AS overdue_days,
       t.net_paid_fen,
       t.net_paid_yuan,
       CASE WHEN lt.at > t.last_order_at THEN lt.at ELSE t.last_order_at END   AS last_interaction_at,
       CASE WHEN lt.at > t.last_order_at THEN lt.kind ELSE 'order' END          AS last_interaction,
       o.staff_userid,
       o.staff_name,
       o.external_userid,
       o.customer_name,
       o.remark,
       coalesce(o.relationship_active, false)                             AS relationship_active,
       o.ended_by,
       coalesce(o.in_private_domain, false)                               AS in_private_domain,
       coalesce(o.groups, '{}')                                           AS groups
  FROM typical t
  LEFT JOIN kpi.customer_owner o USING (customer_key)
  LEFT JOIN last_touch lt USING (customer_key)
 WHERE t.recency_days > t.typical_gap;

CREATE UNIQUE INDEX at_risk_uq ON kpi.at_risk (customer_key);
CREATE INDEX at_risk_staff ON kpi.at_risk (staff_userid);

COMMENT ON MATERIALIZED VIEW kpi.at_risk IS
  'Valuable customers drifting away. Grain: one row per customer whose RFM segment (kpi.customer_value) is one of [actions] '
  'at_risk_segments (default the four important_* segments: 重要价值, 重要发展, 重要保持, 重要挽留) and whose days since the last '
  'qualifying order (recency_days, at the end of observation of the orders: kpi.customer_value.snapshot_date) exceed their typical gap between purchases. Purchases are business days '
  'with a qualifying order (paid, not cancelled, not fully refunded; two orders on one day are one purchase occasion). Typical '
  'gap: the median of the customer''s own gaps when they bought on ≥ 3 days (gap_basis own); else the population''s median gap '
  'from purchase day k to k + 1 over every customer who reached k + 1, k being the customer''s purchase days (1 or 2; gap_basis '
  'population); no customer at risk while that population is empty. With the owner (kpi.customer_owner), total paid and the '
  'last interaction (order, WeCom add or remove, group join). As of the last refresh.';
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
    ('customer_key', 'Customer (dw.dim_customer), after merges.'),
    ('segment_code', 'RFM segment (kpi.customer_value), one of [actions] at_risk_segments.'),
    ('segment_cn', 'Segment name in Chinese.'),
    ('orders', 'Qualifying orders (F).'),
    ('purchase_days', 'Business days with a qualifying order (purchase occasions).'),
    ('first_order_date', 'Business date of the first qualifying order.'),
    ('last_order_at', 'Payment time of the last qualifying order.'),
    ('last_order_date', 'Business date of the last qualifying order.'),
    ('snapshot_date', 'Business date R is measured at: the end of observation of the orders (kpi.customer_value.snapshot_date).'),
    ('recency_days', 'snapshot_date − last_order_date, days (R).'),
    ('typical_gap_days', 'Typical days between purchases: the own median gap (≥ 3 purchase days) or the population''s for the purchase days reached, 1 decimal.'),
    ('gap_basis', 'own or population: where typical_gap_days comes from.'),
    ('overdue_days', 'recency_days − typical_gap_days: how far past the typical gap, 1 decimal.'),
    ('net_paid_fen', 'Total paid net of refunds (LTV, M), fen.'),
    ('net_paid_yuan', 'net_paid_fen in yuan.'),
    ('last_interaction_at', 'Latest recorded interaction: the last qualifying order, a WeCom relationship event or a group join.'),
    ('last_interaction', 'What it was: order, wecom add, wecom remove or group join.')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.at_risk.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;
SELECT etl.comment_columns_like('kpi.at_risk', 'kpi.customer_owner');   -- the owner columns

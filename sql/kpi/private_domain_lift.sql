-- kpi/private_domain_lift.sql — repurchase inside against outside the private domain: kpi.private_domain_lift
-- requires: kpi/repurchase_by_segment.sql

CREATE OR REPLACE VIEW kpi.private_domain_lift AS
SELECT p.period_type, p.period_start, p.period_end,
       p.buyers                      AS pd_buyers,
       p.repeat_buyers               AS pd_repeat_buyers,
       p.repurchase_rate             AS pd_repurchase_rate,
       p.orders_per_buyer            AS pd_orders_per_buyer,
       p.aov_fen                     AS pd_aov_fen,
       p.aov_yuan                    AS pd_aov_yuan,
       p.returning_customer_rate     AS pd_returning_customer_rate,
       p.next_period_retention_rate  AS pd_next_period_retention_rate,
       o.buyers                      AS outside_buyers,
       o.repeat_buyers               AS outside_repeat_buyers,
       o.repurchase_rate             AS outside_repurchase_rate,
       o.orders_per_buyer            AS outside_orders_per_buyer,
       o.aov_fen                     AS outside_aov_fen,
       o.aov_yuan                    AS outside_aov_yuan,
       o.returning_customer_rate     AS outside_returning_customer_rate,
       o.next_period_retention_rate  AS outside_next_period_retention_rate,
       p.repurchase_rate - o.repurchase_rate                             AS repurchase_rate_lift,
       round(p.repurchase_rate / nullif(o.repurchase_rate, 0), 4)        AS repurchase_rate_ratio,
       p.next_period_retention_rate - o.next_period_retention_rate       AS retention_rate_lift,
       p.next_period_complete,
       p.is_complete
  FROM kpi.repurchase_by_segment p
  JOIN kpi.repurchase_by_segment o
    ON o.period_type = p.period_type AND o.period_start = p.period_start AND o.segment = 'outside'
 WHERE p.segment = 'private_domain';

COMMENT ON VIEW kpi.private_domain_lift IS
  'Private-domain lift: the repurchase metrics of kpi.repurchase_period for buyers inside vs outside the private domain. '
  'Grain: one row per (period_type, period_start). A buyer of the period is inside (pd_*) when, at the payment of their first '
  'qualifying order of the period, they had an active WeCom relationship with any staff member (point in time, not today''s '
  'status), else outside (outside_*); each buyer is in exactly one side per period and pd_buyers + outside_buyers = '
  'kpi.repurchase_period.buyers. Same definitions as kpi.repurchase_period (orders counted, not distinct days; qualifying '
  'orders of identified customers). repurchase_rate_lift = pd − outside repurchase rate (fraction points), '
  'repurchase_rate_ratio = pd ÷ outside (NULL when outside is 0 or NULL), retention_rate_lift likewise for next-period '
  'retention. For N-day repurchase inside vs outside see kpi.repurchase_window (segment column).';
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
    ('period_type', '''month'', ''quarter'' or ''year''. Filter on it.'),
    ('period_start', 'First day of the period.'),
    ('period_end', 'Last day of the period.'),
    ('pd_buyers', 'Buyers inside the private domain (active WeCom relationship at their first qualifying order of the period).'),
    ('pd_repeat_buyers', 'Inside buyers with ≥ 2 qualifying orders in the period.'),
    ('pd_repurchase_rate', 'pd_repeat_buyers ÷ pd_buyers, 6 decimals; NULL when 0 buyers.'),
    ('pd_orders_per_buyer', 'Qualifying orders per inside buyer, 4 decimals.'),
    ('pd_aov_fen', 'Net sales ÷ orders of inside buyers, rounded to the fen.'),
    ('pd_aov_yuan', 'pd_aov_fen in yuan.'),
    ('pd_returning_customer_rate', 'Share of inside buyers who had bought before the period.'),
    ('pd_next_period_retention_rate', 'Share of inside buyers who buy again in the next period (NULL until it has started).'),
    ('outside_buyers', 'Buyers outside the private domain at their first qualifying order of the period.'),
    ('outside_repeat_buyers', 'Outside buyers with ≥ 2 qualifying orders in the period.'),
    ('outside_repurchase_rate', 'outside_repeat_buyers ÷ outside_buyers, 6 decimals; NULL when 0 buyers.'),
    ('outside_orders_per_buyer', 'Qualifying orders per outside buyer, 4 decimals.'),
    ('outside_aov_fen', 'Net sales ÷ orders of outside buyers, rounded to the fen.'),
    ('outside_aov_yuan', 'outside_aov_fen in yuan.'),
    ('outside_returning_customer_rate', 'Share of outside buyers who had bought before the period.'),
    ('outside_next_period_retention_rate', 'Share of outside buyers who buy again in the next period (NULL until it has started).'),
    ('repurchase_rate_lift', 'pd_repurchase_rate − outside_repurchase_rate (fraction points); NULL when either is NULL.'),
    ('repurchase_rate_ratio', 'pd_repurchase_rate ÷ outside_repurchase_rate, 4 decimals; NULL when outside is 0 or NULL.'),
    ('retention_rate_lift', 'pd − outside next-period retention rate (fraction points); NULL when either is NULL.'),
    ('next_period_complete', 'true when the next period is over.'),
    ('is_complete', 'true when the period is over.')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.private_domain_lift.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;

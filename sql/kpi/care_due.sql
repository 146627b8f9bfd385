-- kpi/care_due.sql — today's first-purchase care list: kpi.care_due
-- requires: functions/kpi.care_list.sql functions/etl.comment_columns_like.sql
DROP VIEW IF EXISTS kpi.care_due;   -- its columns are the function's: replaced whole when they change
CREATE OR REPLACE VIEW kpi.care_due AS
SELECT c.list_date, c.step, c.customer_key, c.status, c.action, c.staff_userid, c.staff_name,
       c.external_userid, c.customer_name, c.remark, c.relationship_active, c.relationship_ended_at,
       c.ended_by, c.in_private_domain, c.groups, c.first_order_no, c.platform, c.shop_name,
       c.first_paid_at, c.first_paid_date, c.first_paid_fen,
       c.first_paid_yuan::numeric(14,2) AS first_paid_yuan,   -- a function's result loses the typmod
       c.repurchased_on
  FROM kpi.care_list(kpi.business_date()) c;

COMMENT ON VIEW kpi.care_due IS
  'Today''s first-purchase care list (business date in the configured zone): kpi.care_list(kpi.business_date()). Grain: one '
  'row per (customer, care step) falling due today — days 1, 3, 7, 15, 30 after the first qualifying order by default ([actions] '
  'care_steps) — with status due or done (bought again before today on a later business day), the action for the owner (care, '
  're-add, invite, none), the owning WeCom staff member (kpi.customer_owner: an active relationship first, the earliest added), '
  'whether that relationship is active, the customer''s groups, and the first order. Filter on staff_userid for one person''s '
  'morning; siyu export care writes it per staff member.';
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
    ('list_date', 'The business date of the list (today).'),
    ('step', 'Care step: days after the first qualifying order (1, 3, 7, 15, 30 by default).'),
    ('customer_key', 'Customer (dw.dim_customer), after merges.'),
    ('status', 'due, or done when the customer bought again before the list date on a later business day than the first order.'),
    ('action', 'What the owner does: care (due, relationship active), re-add (due, every relationship ended), invite (due, never in WeCom: outside the private domain), none (done).'),
    ('relationship_active', 'true when the owner relationship is active now; false when it ended (deleted) or there is none.'),
    ('first_order_no', 'Order number of the first qualifying order (text).'),
    ('platform', 'Platform of the first order''s shop (the channel).'),
    ('shop_name', 'Shop of the first order.'),
    ('first_paid_at', 'Payment time of the first order.'),
    ('first_paid_date', 'Business date of that payment (day 0).'),
    ('first_paid_fen', 'Amount paid for the first order, fen.'),
    ('first_paid_yuan', 'first_paid_fen in yuan.'),
    ('repurchased_on', 'When status is done: the business day of the next qualifying order; else NULL.')
  ) t(col, txt) LOOP
    EXECUTE format('COMMENT ON COLUMN kpi.care_due.%I IS %L', c.col, c.txt);
  END LOOP;
END
$$;
SELECT etl.comment_columns_like('kpi.care_due', 'kpi.customer_owner');   -- the owner columns

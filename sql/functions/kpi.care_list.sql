-- kpi.care_list — The first-purchase care list of a business date: who is due which care step, with their WeCom owner
-- requires: kpi/first_purchase.sql kpi/customer_owner.sql functions/kpi.action_setting.sql
--
-- A customer is on the list of date D for step N when their first qualifying order was paid on
-- business date D − N (steps: [actions] care_steps). The step is done when they bought again
-- before D (a qualifying order on a later business day than the first, paid before D), else
-- due. kpi.care_due is today's list; siyu export care --date D reads this function.
CREATE OR REPLACE FUNCTION kpi.care_list(p_date date)
RETURNS TABLE (list_date date, step int, customer_key bigint, status text, action text,
               staff_userid text, staff_name text, external_userid text, customer_name text,
               remark text, relationship_active boolean, relationship_ended_at timestamptz,
               ended_by text, in_private_domain boolean, groups text[],
               first_order_no text, platform text, shop_name text, first_paid_at timestamptz,
               first_paid_date date, first_paid_fen bigint, first_paid_yuan numeric(14,2),
               repurchased_on date)
LANGUAGE sql STABLE
AS $$
    SELECT p_date,
           s.step,
           f.customer_key,
           CASE WHEN f.repurchased_on < p_date THEN 'done' ELSE 'due' END,
           CASE WHEN f.repurchased_on < p_date THEN 'none'
                WHEN o.in_private_domain AND o.relationship_active THEN 'care'
                WHEN o.relationships > 0 THEN 're-add'
                ELSE 'invite' END,
           o.staff_userid, o.staff_name, o.external_userid, o.customer_name, o.remark,
           coalesce(o.relationship_active, false), o.relationship_ended_at, o.ended_by,
           coalesce(o.in_private_domain, false), coalesce(o.groups, '{}'),
           oi.order_no, ch.platform, ch.shop_name, f.paid_at, f.paid_date, f.paid_fen, f.paid_yuan,
           CASE WHEN f.repurchased_on < p_date THEN f.repurchased_on END
      FROM unnest(string_to_array(kpi.action_setting('care_steps'), ',')::int[]) AS s (step)
      JOIN kpi.first_purchase f ON f.paid_date = p_date - s.step
      JOIN dw.order_identity oi ON oi.order_key = f.order_key
      JOIN dw.dim_channel ch ON ch.channel_key = f.channel_key
      LEFT JOIN kpi.customer_owner o ON o.customer_key = f.customer_key
     ORDER BY o.staff_userid NULLS LAST, s.step, f.paid_at, f.customer_key
$$;
REVOKE ALL ON FUNCTION kpi.care_list(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kpi.care_list(date) TO bi_reader;
COMMENT ON FUNCTION kpi.care_list(date) IS
  'First-purchase care list of business date p_date (kpi.care_due is today''s). One row per (customer, care step) whose first '
  'qualifying order (paid, not cancelled, not fully refunded) was paid on business date p_date − step, for each step of [actions] '
  'care_steps (default days 1, 3, 7, 15, 30; kpi.action_setting). status: done when the customer bought again before p_date '
  '(a qualifying order on a later business day than the first — a second order on the first day does not count — paid before '
  'p_date; repurchased_on says when), else due. action: none (done); care (due, and the owner relationship is active); re-add '
  '(due, but every WeCom relationship of the customer ended: relationship_ended_at and ended_by say how); invite (due, and the '
  'customer never had a WeCom relationship: outside the private domain). The owner, remark and groups come from '
  'kpi.customer_owner (owner rule there); staff_userid is NULL for customers outside WeCom. Ordered by owner, step, payment. '
  'Reads the materialized views: as of the last refresh.';

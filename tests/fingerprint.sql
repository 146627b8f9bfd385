-- tests/fingerprint.sql — a fingerprint of the warehouse, to compare two loads.
--
-- One line per dw table but the calendar dw.dim_date (and etl.watermark): name:rows:md5,
-- where md5 is an order-independent hash of every row (t0100 checks that no dw table is
-- missing). Rows are compared by content, not by surrogate
-- keys: PostgreSQL sequences are not transactional (a rolled-back or killed load still
-- consumed its order_key / customer_key values), so "the warehouse of one clean run" is
-- the same rows under possibly different keys. Each row is its jsonb with the surrogate
-- keys and the loading lineage (run ids, merge time) removed and the natural keys of
-- what they pointed at added: an order as platform/shop_id/order_no, a customer as its
-- smallest identity, a product as platform/shop_id/sku, staff by userid, groups by
-- chat_id, tags by tag_id.
--
-- What it leaves out, on purpose: the run log (etl.run, etl.run_source), etl.reject and
-- the WeCom bookkeeping (etl.wecom_*). They are the history of the loads, not the
-- warehouse: every run adds rows there, a killed, failed or dry one too, so "the warehouse
-- of one clean run" and "a dry run changes nothing" hold for the fingerprint and never for
-- the history. A test that means the history checks it by itself (test_runlog in
-- tests/lib.sh: t0400's abandoned runs, t0410's dry run). Likewise
-- dw.order_identity.content_hash: the merge's memo of the loaded content (a function of
-- the facts fingerprinted here; NULL for orders loaded before migration 0080 until they
-- next change), not content of its own.
--
--   psql -X -A -t -q -v ON_ERROR_STOP=1 -f tests/fingerprint.sql     (test_fingerprint)

\set drop 'ARRAY[''order_key'', ''customer_key'', ''channel_key'', ''product_key'', ''staff_key'', ''owner_staff_key'', ''group_key'', ''tag_key'', ''contact_key'', ''event_key'', ''member_span_key'', ''merge_id'', ''from_key'', ''into_key'', ''run_id'', ''created_run_id'', ''updated_run_id'', ''first_run_id'', ''last_run_id'', ''merged_at'', ''updated_at'', ''content_hash'']::text[]'

WITH cust AS (
    SELECT customer_key, min(id_type || ':' || platform || ':' || id_value) AS cid
      FROM dw.customer_identity GROUP BY customer_key
), chan AS (
    SELECT channel_key, platform || '/' || shop_id AS chid FROM dw.dim_channel
), ord AS (
    SELECT i.order_key, c.chid || '/' || i.order_no AS oid
      FROM dw.order_identity i LEFT JOIN chan c USING (channel_key)
), prod AS (
    SELECT p.product_key, c.chid || '/' || p.sku AS pid
      FROM dw.dim_product p LEFT JOIN chan c USING (channel_key)
), staff AS (
    SELECT staff_key, userid FROM dw.dim_staff
), rows (t, r) AS (
    SELECT 'dim_channel', (to_jsonb(x) - :drop)::text FROM dw.dim_channel x
    UNION ALL
    SELECT 'dim_product', (to_jsonb(x) - :drop || jsonb_build_object('channel', c.chid))::text
      FROM dw.dim_product x LEFT JOIN chan c USING (channel_key)
    UNION ALL
    SELECT 'order_identity', (to_jsonb(x) - :drop || jsonb_build_object('channel', c.chid))::text
      FROM dw.order_identity x LEFT JOIN chan c USING (channel_key)
    UNION ALL
    SELECT 'fact_order', (to_jsonb(x) - :drop || jsonb_build_object(
               'order', o.oid, 'customer', cu.cid, 'channel', c.chid))::text
      FROM dw.fact_order x LEFT JOIN ord o USING (order_key) LEFT JOIN cust cu USING (customer_key)
      LEFT JOIN chan c USING (channel_key)
    UNION ALL
    SELECT 'fact_order_line', (to_jsonb(x) - :drop || jsonb_build_object(
               'order', o.oid, 'product', p.pid))::text
      FROM dw.fact_order_line x LEFT JOIN ord o USING (order_key) LEFT JOIN prod p USING (product_key)
    UNION ALL
    SELECT 'dim_customer', (to_jsonb(x) - :drop || jsonb_build_object('customer', cu.cid))::text
      FROM dw.dim_customer x LEFT JOIN cust cu USING (customer_key)
    UNION ALL
    SELECT 'customer_identity', (to_jsonb(x) - :drop || jsonb_build_object('customer', cu.cid))::text
      FROM dw.customer_identity x LEFT JOIN cust cu USING (customer_key)
    UNION ALL
    SELECT 'customer_merge', (to_jsonb(x) - :drop - 'reason' || jsonb_build_object('into', cu.cid))::text
      FROM dw.customer_merge x LEFT JOIN cust cu ON cu.customer_key = x.into_key
    UNION ALL
    SELECT 'wecom_customer', (to_jsonb(x) - :drop || jsonb_build_object('customer', cu.cid))::text
      FROM dw.wecom_customer x LEFT JOIN cust cu USING (customer_key)
    UNION ALL
    SELECT 'dim_staff', (to_jsonb(x) - :drop)::text FROM dw.dim_staff x
    UNION ALL
    SELECT 'dim_group', (to_jsonb(x) - :drop || jsonb_build_object('owner', s.userid))::text
      FROM dw.dim_group x LEFT JOIN staff s ON s.staff_key = x.owner_staff_key
    UNION ALL
    SELECT 'dim_tag', (to_jsonb(x) - :drop)::text FROM dw.dim_tag x
    UNION ALL
    SELECT 'bridge_customer_tag', (to_jsonb(x) - :drop || jsonb_build_object(
               'customer', cu.cid, 'tag', t.tag_id, 'staff', s.userid))::text
      FROM dw.bridge_customer_tag x LEFT JOIN cust cu USING (customer_key)
      LEFT JOIN dw.dim_tag t USING (tag_key) LEFT JOIN staff s USING (staff_key)
    UNION ALL
    SELECT 'fact_contact', (to_jsonb(x) - :drop || jsonb_build_object(
               'customer', cu.cid, 'staff', s.userid))::text
      FROM dw.fact_contact x LEFT JOIN cust cu USING (customer_key) LEFT JOIN staff s USING (staff_key)
    UNION ALL
    SELECT 'fact_contact_event', (to_jsonb(x) - :drop || jsonb_build_object(
               'customer', cu.cid, 'staff', s.userid))::text
      FROM dw.fact_contact_event x LEFT JOIN cust cu USING (customer_key) LEFT JOIN staff s USING (staff_key)
    UNION ALL
    SELECT 'fact_group_member', (to_jsonb(x) - :drop || jsonb_build_object(
               'group', g.chat_id, 'customer', cu.cid, 'staff', s.userid))::text
      FROM dw.fact_group_member x LEFT JOIN dw.dim_group g USING (group_key)
      LEFT JOIN cust cu USING (customer_key) LEFT JOIN staff s USING (staff_key)
    UNION ALL
    SELECT 'fact_staff_daily', (to_jsonb(x) - :drop || jsonb_build_object('staff', s.userid))::text
      FROM dw.fact_staff_daily x LEFT JOIN staff s USING (staff_key)
    UNION ALL
    SELECT 'fact_group_daily', (to_jsonb(x) - :drop || jsonb_build_object('owner', s.userid))::text
      FROM dw.fact_group_daily x LEFT JOIN staff s ON s.staff_key = x.owner_staff_key
    UNION ALL
    SELECT 'etl.watermark', (to_jsonb(x) - :drop)::text FROM etl.watermark x
)
SELECT n.t || ':' || count(r.r) || ':' || COALESCE(md5(string_agg(md5(r.r), '' ORDER BY md5(r.r))), '-')
  FROM (VALUES ('dim_channel'), ('dim_product'), ('order_identity'), ('fact_order'),
               ('fact_order_line'), ('dim_customer'), ('customer_identity'), ('customer_merge'),
               ('wecom_customer'), ('dim_staff'), ('dim_group'), ('dim_tag'), ('bridge_customer_tag'),
               ('fact_contact'), ('fact_contact_event'), ('fact_group_member'),
               ('fact_staff_daily'), ('fact_group_daily'), ('etl.watermark')) n (t)
  LEFT JOIN rows r ON r.t = n.t
 GROUP BY n.t
 ORDER BY n.t;

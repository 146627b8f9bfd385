-- 210_identity_journey.sql — one person across Taobao, WeCom and Youzan, through the functions the
-- loaders call (etl.merge_orders for orders; dw.resolve_customers + fact_contact upserts the way
-- a WeCom loader does: tests/sql/200_identity_fixture.psql).
--   1. seen first on Taobao (buyer id + phone), later added on WeCom with that phone and a
--      unionid, later buying on Youzan with the unionid → one customer, no merge;
--   2. the same person arriving so that three customers exist first (Youzan buyer with the
--      unionid, Taobao buyer with the phone, a bare WeCom contact with tags and groups), then
--      one WeCom batch shows external_userid + unionid + phone together → they merge into the
--      oldest key; every fact is re-pointed, first_* recomputed, orders renumbered;
--   3. merged-away customers whose facts collide (same staff, same event, same group join,
--      same tag span) fold into one row instead of failing;
--   4. first_contact_at follows the relationships, whoever writes them.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(34);

\ir 200_identity_fixture.psql

-- ---------------------------------------------------------------------------------------------
-- 1. Taobao → WeCom → Youzan, in that order
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.ord('taobao', '4100000000000000001', '2024-01-10 10:00+08', '2024-01-10 10:05+08',
                   '2024-01-10 10:05+08', 'completed', 'tb_amy', '', 'hash-amy');
SELECT is(pg_temp.load('taobao'), 0::bigint, 'Amy''s Taobao order: a new customer');
SELECT pg_temp.cust('buyer_id', 'tb_amy', 'taobao') AS amy \gset
SELECT pg_temp.contact('wm_amy', 'zhangsan', '2024-02-01 09:00+08', 'union-amy', 'hash-amy');
SELECT is(pg_temp.load_wecom(), 0::bigint, 'WeCom adds Amy with the same phone: no merge');
SELECT pg_temp.ord('youzan', 'E2024030110000001', '2024-03-01 10:00+08', '2024-03-01 10:05+08',
                   '2024-03-01 10:05+08', 'completed', 'yz_amy', 'union-amy', '');
SELECT is(pg_temp.load('youzan'), 0::bigint, 'Amy buys on Youzan with her unionid: no merge');

SELECT is((SELECT array_agg(DISTINCT customer_key) FROM dw.customer_identity
            WHERE id_value IN ('tb_amy', 'hash-amy', 'wm_amy', 'union-amy', 'yz_amy')),
          ARRAY[:amy::bigint], 'all five identifiers are one customer');
SELECT is((SELECT count(*) FROM dw.dim_customer), 1::bigint, 'one dim_customer row');
SELECT results_eq(format($$SELECT first_seen_at, first_contact_at, first_order_at, acquisition_source
                             FROM dw.dim_customer WHERE customer_key = %s$$, :amy),
                  $$VALUES ('2024-01-10 10:00+08'::timestamptz, '2024-02-01 09:00+08'::timestamptz,
                            '2024-01-10 10:05+08'::timestamptz, 'taobao'::text)$$,
                  'first seen (Taobao order), first contact (WeCom add), first order (Taobao paid)');
SELECT results_eq($$SELECT order_no, customer_key, order_seq, is_first_order FROM pg_temp.orders()$$,
                  format($$VALUES ('4100000000000000001'::text, %1$s::bigint, 1, true),
                                  ('E2024030110000001', %1$s, 2, false)$$, :amy),
                  'her orders on both platforms are one sequence');
SELECT is((SELECT customer_key FROM dw.fact_contact), :amy::bigint, 'the WeCom relationship is hers');
SELECT is((SELECT count(*) FROM dw.customer_merge), 0::bigint, 'no merge was needed');

-- ---------------------------------------------------------------------------------------------
-- 2. Bob arrives in the order that makes three customers first
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.ord('youzan', 'E2024030510000001', '2024-03-05 10:00+08', '2024-03-05 10:01+08',
                   '2024-03-05 10:01+08', 'completed', 'yz_bob', 'union-bob', '');
SELECT pg_temp.load('youzan');
SELECT pg_temp.ord('taobao', '4100000000000000011', '2024-01-15 20:00+08', '2024-01-15 20:01+08',
                   '2024-01-15 20:01+08', 'completed', 'tb_bob', '', 'hash-bob');
SELECT pg_temp.ord('taobao', '4100000000000000012', '2024-04-01 20:00+08', '2024-04-01 20:01+08',
                   '2024-04-01 20:01+08', 'shipped', 'tb_bob', '', 'hash-bob');
SELECT pg_temp.load('taobao');
SELECT pg_temp.contact('wm_bob', 'lisi', '2024-02-01 09:00+08');
SELECT pg_temp.load_wecom();
SELECT pg_temp.cust('buyer_id', 'yz_bob', 'youzan') AS b1, pg_temp.cust('buyer_id', 'tb_bob', 'taobao') AS b2,
       pg_temp.cust('external_userid', 'wm_bob') AS b3 \gset
SELECT pg_temp.tag(:b3, 'tag-vip', 'lisi', '2024-02-02 09:00+08');
SELECT pg_temp.join_group(:b3, 'chat-fans', '2024-02-03 09:00+08');
SELECT ok(:b1 < :b2 AND :b2 < :b3, 'before the link Bob is three customers (Youzan oldest)');
SELECT results_eq($$SELECT order_no, order_seq FROM pg_temp.orders() WHERE order_no IN
                      ('4100000000000000011', '4100000000000000012', 'E2024030510000001')$$,
                  $$VALUES ('4100000000000000011'::text, 1), ('4100000000000000012', 2), ('E2024030510000001', 1)$$,
                  '... each with its own order sequence');

-- The WeCom snapshot now shows Bob's unionid and phone on his contact.
SELECT pg_temp.contact('wm_bob', 'lisi', '2024-02-01 09:00+08', 'union-bob', 'hash-bob');
SELECT is(pg_temp.load_wecom(), 2::bigint, 'one WeCom batch links them: two customers merged');
SELECT is((SELECT array_agg(DISTINCT customer_key) FROM dw.customer_identity
            WHERE id_value IN ('yz_bob', 'union-bob', 'tb_bob', 'hash-bob', 'wm_bob')),
          ARRAY[:b1::bigint], 'every identifier belongs to the oldest key');
SELECT is((SELECT count(*) FROM dw.dim_customer WHERE customer_key IN (:b2, :b3)), 0::bigint,
          'the younger customers are gone from dim_customer');
SELECT bag_eq($$SELECT from_key, into_key FROM dw.customer_merge$$,
              format('VALUES (%s::bigint, %s::bigint), (%s, %s)', :b2, :b1, :b3, :b1),
              'dw.customer_merge: both into the survivor');
SELECT results_eq($$SELECT order_no, customer_key, order_seq, is_first_order FROM pg_temp.orders()
                     WHERE order_no IN ('4100000000000000011', '4100000000000000012', 'E2024030510000001')$$,
                  format($$VALUES ('4100000000000000011'::text, %1$s::bigint, 1, true),
                                  ('4100000000000000012', %1$s, 3, false),
                                  ('E2024030510000001', %1$s, 2, false)$$, :b1),
                  'orders re-pointed and renumbered as one sequence: Taobao 01-15, Youzan 03-05, Taobao 04-01');
SELECT is((SELECT array_agg(DISTINCT customer_key) FROM dw.fact_contact
            WHERE staff_key = (SELECT staff_key FROM dw.dim_staff WHERE userid = 'lisi')),
          ARRAY[:b1::bigint], 'fact_contact re-pointed');
SELECT is((SELECT array_agg(DISTINCT customer_key) FROM dw.fact_contact_event
            WHERE staff_key = (SELECT staff_key FROM dw.dim_staff WHERE userid = 'lisi')),
          ARRAY[:b1::bigint], 'fact_contact_event re-pointed');
SELECT is((SELECT array_agg(customer_key) FROM dw.fact_group_member), ARRAY[:b1::bigint],
          'fact_group_member re-pointed');
SELECT is((SELECT array_agg(customer_key) FROM dw.bridge_customer_tag), ARRAY[:b1::bigint],
          'bridge_customer_tag re-pointed');
SELECT results_eq(format($$SELECT first_seen_at, first_contact_at, first_order_at, acquisition_source
                             FROM dw.dim_customer WHERE customer_key = %s$$, :b1),
                  $$VALUES ('2024-01-15 20:00+08'::timestamptz, '2024-02-01 09:00+08'::timestamptz,
                            '2024-01-15 20:01+08'::timestamptz, 'taobao'::text)$$,
                  'the survivor: first seen and first order from the Taobao customer, first contact from WeCom');

SELECT pg_temp.fingerprint() AS fp \gset
SELECT pg_temp.contact('wm_bob', 'lisi', '2024-02-01 09:00+08', 'union-bob', 'hash-bob');
SELECT is(pg_temp.load_wecom(), 0::bigint, 'the same WeCom batch again merges nothing');
SELECT pg_temp.ord('youzan', 'E2024030510000001', '2024-03-05 10:00+08', '2024-03-05 10:01+08',
                   '2024-03-05 10:01+08', 'completed', 'yz_bob', 'union-bob', '');
SELECT pg_temp.ord('taobao', '4100000000000000011', '2024-01-15 20:00+08', '2024-01-15 20:01+08',
                   '2024-01-15 20:01+08', 'completed', 'tb_bob', '', 'hash-bob');
SELECT is(pg_temp.load('taobao'), 0::bigint, 'the same orders again merge nothing');
SELECT is(pg_temp.fingerprint(), :'fp', '... and change no customer, identity, merge, order or contact');

-- ---------------------------------------------------------------------------------------------
-- 3. colliding facts of merged-away customers fold into one row
-- ---------------------------------------------------------------------------------------------
-- Cy: a Taobao buyer with phone hash-cy, no WeCom (oldest). Two contacts of the same staff
-- member wangwu (two WeChat accounts of Cy's, say): wm_cy1 added 05-01, removed 05-10;
-- wm_cy2 added 04-01, still active. Both carry the same tag span and group join, and the
-- same remove event was recorded on both. Then their phone shows up on both contacts.
SELECT pg_temp.ord('taobao', '4100000000000000021', '2024-03-20 10:00+08', '2024-03-20 10:01+08',
                   '2024-03-20 10:01+08', 'paid', 'tb_cy', '', 'hash-cy');
SELECT pg_temp.load('taobao');
SELECT pg_temp.contact('wm_cy1', 'wangwu', '2024-05-01 09:00+08', '', '', '2024-05-10 09:00+08');
SELECT pg_temp.contact('wm_cy2', 'wangwu', '2024-04-01 09:00+08');
SELECT pg_temp.load_wecom();
SELECT pg_temp.cust('buyer_id', 'tb_cy', 'taobao') AS c0, pg_temp.cust('external_userid', 'wm_cy1') AS c1,
       pg_temp.cust('external_userid', 'wm_cy2') AS c2, pg_temp.staff('wangwu') AS wangwu \gset
INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, time_is_exact, removed_by)
VALUES (:wangwu, :c1, 'remove', '2024-05-10 09:00+08', true, 'customer'),
       (:wangwu, :c2, 'remove', '2024-05-10 09:00+08', false, 'unknown');
SELECT pg_temp.tag(:c1, 'tag-coffee', 'wangwu', '2024-04-02 09:00+08', '2024-05-10 09:00+08');
SELECT pg_temp.tag(:c2, 'tag-coffee', 'wangwu', '2024-04-02 09:00+08');
SELECT pg_temp.join_group(:c1, 'chat-coffee', '2024-04-03 09:00+08', '2024-05-10 09:00+08');
SELECT pg_temp.join_group(:c2, 'chat-coffee', '2024-04-03 09:00+08');

-- the identity half of a WeCom batch (the relationships themselves are unchanged)
SELECT pg_temp.link(1, 'external_userid', 'wm_cy1', '', '2024-05-01 09:00+08', 'wecom'),
       pg_temp.link(1, 'phone', 'hash-cy', '', '2024-05-01 09:00+08', 'wecom'),
       pg_temp.link(2, 'external_userid', 'wm_cy2', '', '2024-04-01 09:00+08', 'wecom'),
       pg_temp.link(2, 'phone', 'hash-cy', '', '2024-04-01 09:00+08', 'wecom');
SELECT lives_ok($$SELECT pg_temp.resolve('wecom')$$,
                'two merged-away customers with the same staff, event, group and tag: the merge succeeds');
SELECT results_eq(format($$SELECT customer_key, added_at, removed_at, removed_by FROM dw.fact_contact
                            WHERE staff_key = %s$$, :wangwu),
                  format($$VALUES (%s::bigint, '2024-04-01 09:00+08'::timestamptz, NULL::timestamptz, NULL::text)$$, :c0),
                  'one relationship with wangwu: the earliest add, active because one of them is');
SELECT results_eq(format($$SELECT event_type, occurred_at, time_is_exact FROM dw.fact_contact_event
                            WHERE staff_key = %s AND customer_key = %s ORDER BY occurred_at, event_type$$, :wangwu, :c0),
                  $$VALUES ('add'::text, '2024-04-01 09:00+08'::timestamptz, true),
                           ('add', '2024-05-01 09:00+08', true),
                           ('remove', '2024-05-10 09:00+08', true)$$,
                  'events re-pointed; the remove seen on both is kept once (the exact one)');
SELECT results_eq(format($$SELECT customer_key, joined_at, left_at FROM dw.fact_group_member g
                            JOIN dw.dim_group USING (group_key) WHERE chat_id = 'chat-coffee'$$),
                  format($$VALUES (%s::bigint, '2024-04-03 09:00+08'::timestamptz, NULL::timestamptz)$$, :c0),
                  'one group span, still open');
SELECT results_eq(format($$SELECT customer_key, valid_from, valid_to FROM dw.bridge_customer_tag b
                            JOIN dw.dim_tag USING (tag_key) WHERE tag_id = 'tag-coffee'$$),
                  format($$VALUES (%s::bigint, '2024-04-02 09:00+08'::timestamptz, NULL::timestamptz)$$, :c0),
                  'one tag span, still current');
SELECT is((SELECT first_contact_at FROM dw.dim_customer WHERE customer_key = :c0),
          '2024-04-01 09:00+08'::timestamptz, 'the survivor''s first_contact_at is the earliest add');

-- ---------------------------------------------------------------------------------------------
-- 4. first_contact_at follows the relationships
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.contact('wm_dan', 'zhangsan', '2024-06-10 09:00+08');
SELECT pg_temp.load_wecom();
SELECT pg_temp.cust('external_userid', 'wm_dan') AS dan, pg_temp.staff('zhangsan') AS zhangsan \gset
SELECT is((SELECT first_contact_at FROM dw.dim_customer WHERE customer_key = :dan),
          '2024-06-10 09:00+08'::timestamptz, 'a new relationship sets first_contact_at');
SELECT pg_temp.contact('wm_dan', 'lisi', '2024-06-01 09:00+08');
SELECT pg_temp.load_wecom();
SELECT is((SELECT first_contact_at FROM dw.dim_customer WHERE customer_key = :dan),
          '2024-06-01 09:00+08'::timestamptz, 'an earlier relationship with another staff member moves it back');
-- Dan deletes lisi and lisi re-adds him: fact_contact keeps only the re-add's time,
-- the add events keep the first one.
SELECT pg_temp.contact('wm_dan', 'lisi', '2024-07-01 09:00+08');
SELECT pg_temp.load_wecom();
SELECT is((SELECT first_contact_at FROM dw.dim_customer WHERE customer_key = :dan),
          '2024-06-01 09:00+08'::timestamptz, 'a re-add (later added_at on fact_contact) keeps the first contact');
DELETE FROM dw.fact_contact_event WHERE customer_key = :dan;
DELETE FROM dw.fact_contact WHERE customer_key = :dan;
SELECT is((SELECT first_contact_at FROM dw.dim_customer WHERE customer_key = :dan), NULL::timestamptz,
          'no relationship left: NULL');

SELECT * FROM finish();
ROLLBACK;

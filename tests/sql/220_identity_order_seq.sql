-- 220_identity_order_seq.sql — derived order facts (order_seq, is_first_order,
-- dim_customer.first_order_at / first_seen_at) through etl.merge_orders when customers merge,
-- when a late order arrives, when an order is updated (refunded, paid, re-assigned), and on
-- repeated batches (tests/sql/200_identity_fixture.psql).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(23);

\ir 200_identity_fixture.psql

-- ---------------------------------------------------------------------------------------------
-- two customers' orders interleave into one sequence when they merge
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.ord('taobao', 'TB-1', '2024-01-01 10:00+08', '2024-01-01 10:01+08', '2024-01-01 10:01+08',
                   'completed', 'tb_cat', '', 'hash-cat');
SELECT pg_temp.ord('taobao', 'TB-3', '2024-03-01 10:00+08', '2024-03-01 10:01+08', '2024-03-01 10:01+08',
                   'completed', 'tb_cat', '', 'hash-cat');
SELECT pg_temp.load('taobao');
SELECT pg_temp.ord('youzan', 'YZ-2', '2024-02-01 10:00+08', '2024-02-01 10:01+08', '2024-02-01 10:01+08',
                   'completed', 'yz_cat');
SELECT pg_temp.ord('youzan', 'YZ-4', '2024-04-01 10:00+08', '2024-04-01 10:01+08', '2024-04-01 10:01+08',
                   'paid', 'yz_cat');
SELECT pg_temp.load('youzan');
SELECT pg_temp.cust('buyer_id', 'tb_cat', 'taobao') AS cat, pg_temp.cust('buyer_id', 'yz_cat', 'youzan') AS cat2 \gset
SELECT results_eq($$SELECT order_no, order_seq, is_first_order FROM pg_temp.orders()$$,
                  $$VALUES ('TB-1'::text, 1, true), ('TB-3', 2, false), ('YZ-2', 1, true), ('YZ-4', 2, false)$$,
                  'before the link: two customers, two sequences');
-- a Youzan order shows yz_cat with the Taobao phone
SELECT pg_temp.ord('youzan', 'YZ-5', '2024-05-01 10:00+08', '2024-05-01 10:01+08', '2024-05-01 10:01+08',
                   'completed', 'yz_cat', '', 'hash-cat');
SELECT is(pg_temp.load('youzan'), 1::bigint, 'the phone on a Youzan order merges the two');
SELECT results_eq($$SELECT order_no, customer_key, order_seq, is_first_order FROM pg_temp.orders()$$,
                  format($$VALUES ('TB-1'::text, %1$s::bigint, 1, true), ('TB-3', %1$s, 3, false),
                                  ('YZ-2', %1$s, 2, false), ('YZ-4', %1$s, 4, false), ('YZ-5', %1$s, 5, false)$$, :cat),
                  'after: one customer, the orders interleave by paid_at');
SELECT is((SELECT first_order_at FROM dw.dim_customer WHERE customer_key = :cat),
          '2024-01-01 10:01+08'::timestamptz, 'first_order_at is the earliest qualifying payment');
SELECT is((SELECT count(*) FROM dw.fact_order WHERE is_first_order), 1::bigint, 'exactly one first order');

-- ---------------------------------------------------------------------------------------------
-- a late order: paid before the customer's first order, arriving after it
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.ord('jd', 'JD-LATE', '2023-12-20 10:00+08', '2023-12-20 10:05+08', '2023-12-21 10:00+08',
                   'completed', 'jd_cat', '', 'hash-cat');
SELECT is(pg_temp.load('jd'), 0::bigint, 'the late JD order joins the customer by phone');
SELECT results_eq($$SELECT order_no, customer_key, order_seq, is_first_order FROM pg_temp.orders()$$,
                  format($$VALUES ('JD-LATE'::text, %1$s::bigint, 1, true), ('TB-1', %1$s, 2, false),
                                  ('TB-3', %1$s, 4, false), ('YZ-2', %1$s, 3, false), ('YZ-4', %1$s, 5, false),
                                  ('YZ-5', %1$s, 6, false)$$, :cat),
                  'every later order moves up by one');
SELECT results_eq(format($$SELECT first_order_at, first_seen_at, acquisition_source FROM dw.dim_customer
                            WHERE customer_key = %s$$, :cat),
                  $$VALUES ('2023-12-20 10:05+08'::timestamptz, '2023-12-20 10:00+08'::timestamptz, 'jd'::text)$$,
                  'first_order_at, first_seen_at and acquisition_source move back to the late order');

-- ---------------------------------------------------------------------------------------------
-- an updated order: the first qualifying order becomes refunded
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.ord('jd', 'JD-LATE', '2023-12-20 10:00+08', '2023-12-20 10:05+08', '2024-06-01 10:00+08',
                   'refunded', 'jd_cat', '', 'hash-cat', 1000, 1000);
SELECT pg_temp.load('jd');
SELECT results_eq($$SELECT order_no, order_seq, is_first_order FROM pg_temp.orders()$$,
                  $$VALUES ('JD-LATE'::text, NULL::int, false), ('TB-1', 1, true), ('TB-3', 3, false),
                           ('YZ-2', 2, false), ('YZ-4', 4, false), ('YZ-5', 5, false)$$,
                  'refunded: it leaves the sequence and the later orders renumber');
SELECT is((SELECT first_order_at FROM dw.dim_customer WHERE customer_key = :cat),
          '2024-01-01 10:01+08'::timestamptz, 'first_order_at moves to the next qualifying order');
SELECT is((SELECT first_seen_at FROM dw.dim_customer WHERE customer_key = :cat),
          '2023-12-20 10:00+08'::timestamptz, '... while first_seen_at stays (the customer was seen then)');

-- an older version arriving late changes nothing
SELECT pg_temp.fingerprint() AS fp \gset
SELECT pg_temp.ord('jd', 'JD-LATE', '2023-12-20 10:00+08', '2023-12-20 10:05+08', '2023-12-21 10:00+08',
                   'completed', 'jd_cat', '', 'hash-cat');
SELECT pg_temp.load('jd');
SELECT is(pg_temp.fingerprint(), :'fp', 'an older version of the order changes nothing');

-- an unpaid order gets paid (new version): it takes its place by paid_at
SELECT pg_temp.ord('taobao', 'TB-2', '2024-01-15 10:00+08', NULL, '2024-01-15 10:00+08', 'unpaid', 'tb_cat', '', 'hash-cat');
SELECT pg_temp.load('taobao');
SELECT is((SELECT order_seq FROM pg_temp.orders() WHERE order_no = 'TB-2'), NULL::int, 'an unpaid order has no number');
SELECT pg_temp.ord('taobao', 'TB-2', '2024-01-15 10:00+08', '2024-01-16 10:00+08', '2024-01-16 10:00+08', 'paid',
                   'tb_cat', '', 'hash-cat');
SELECT pg_temp.load('taobao');
SELECT results_eq($$SELECT order_no, order_seq FROM pg_temp.orders() WHERE order_seq IS NOT NULL ORDER BY order_seq$$,
                  $$VALUES ('TB-1'::text, 1), ('TB-2', 2), ('YZ-2', 3), ('TB-3', 4), ('YZ-4', 5), ('YZ-5', 6)$$,
                  'paid later, it takes its place by paid_at');

-- an updated order with another buyer: both customers' sequences are right
SELECT pg_temp.ord('youzan', 'YZ-9', '2024-07-01 10:00+08', '2024-07-01 10:01+08', '2024-07-01 10:01+08',
                   'completed', 'yz_eve');
SELECT pg_temp.load('youzan');
SELECT pg_temp.cust('buyer_id', 'yz_eve', 'youzan') AS eve \gset
SELECT pg_temp.ord('youzan', 'YZ-9', '2024-07-01 10:00+08', '2024-07-01 10:01+08', '2024-07-02 10:00+08',
                   'completed', 'yz_cat');
SELECT pg_temp.load('youzan');
SELECT results_eq($$SELECT order_no, customer_key, order_seq FROM pg_temp.orders() WHERE order_no = 'YZ-9'$$,
                  format($$VALUES ('YZ-9'::text, %s::bigint, 7)$$, :cat),
                  'an order re-assigned to another buyer joins that buyer''s sequence');
SELECT is((SELECT first_order_at FROM dw.dim_customer WHERE customer_key = :eve), NULL::timestamptz,
          'the buyer it left has no qualifying order any more: first_order_at is NULL');

-- ---------------------------------------------------------------------------------------------
-- qualifying rule, guests, repeated batches
-- ---------------------------------------------------------------------------------------------
-- A completed order refunded in full by amount is "fully refunded" (DESIGN §5) whatever its
-- status says: it loads, and it is not qualifying (migration 0015 widened the CHECK).
SELECT pg_temp.ord('taobao', 'TB-FULLREFUND', '2024-08-01 10:00+08', '2024-08-01 10:01+08', '2024-08-02 10:00+08',
                   'completed', 'tb_fay', '', '', 1000, 1000);
SELECT lives_ok($$SELECT pg_temp.load('taobao')$$, 'a completed order with refund = paid loads');
SELECT results_eq($$SELECT f.is_qualifying, f.order_seq, f.refund_fen FROM dw.fact_order f
                     JOIN dw.order_identity i USING (order_key) WHERE i.order_no = 'TB-FULLREFUND'$$,
                  $$VALUES (false, NULL::int, 1000::bigint)$$, '... and does not qualify (refund = paid)');

SELECT pg_temp.ord('taobao', 'TB-GUEST', '2024-08-03 10:00+08', '2024-08-03 10:01+08', '2024-08-03 10:01+08',
                   'completed', '');
SELECT pg_temp.load('taobao');
SELECT results_eq($$SELECT customer_key, order_seq, is_first_order FROM pg_temp.orders() WHERE order_no = 'TB-GUEST'$$,
                  $$VALUES (NULL::bigint, NULL::int, false)$$, 'a guest order (no identifier) has no customer and no number');

SELECT pg_temp.fingerprint() AS fp \gset
SELECT count(*) AS n_customers FROM dw.dim_customer \gset
SELECT pg_temp.ord('taobao', 'TB-1', '2024-01-01 10:00+08', '2024-01-01 10:01+08', '2024-01-01 10:01+08',
                   'completed', 'tb_cat', '', 'hash-cat');
SELECT pg_temp.ord('taobao', 'TB-3', '2024-03-01 10:00+08', '2024-03-01 10:01+08', '2024-03-01 10:01+08',
                   'completed', 'tb_cat', '', 'hash-cat');
SELECT pg_temp.ord('youzan', 'YZ-5', '2024-05-01 10:00+08', '2024-05-01 10:01+08', '2024-05-01 10:01+08',
                   'completed', 'yz_cat', '', 'hash-cat');
SELECT results_eq($$SELECT inserted, updated, unchanged, merged_customers
                      FROM etl.merge_orders(pg_temp.new_run('import'), 'pg_temp.t_stage'::regclass, 'taobao')$$,
                  $$VALUES (0::bigint, 0::bigint, 3::bigint, 0::bigint)$$,
                  'a batch loaded before: all unchanged, no merge');
SELECT is(pg_temp.fingerprint(), :'fp', '... same customers, keys, identities, orders and numbers');
SELECT is((SELECT count(*) FROM dw.dim_customer), :n_customers::bigint, '... no new customer');

-- new order keys follow the batch's order of appearance
TRUNCATE t_stage;
SELECT pg_temp.ord('taobao', 'KEY-B', '2024-09-01 10:00+08', NULL, '2024-09-01 10:00+08', 'unpaid', 'tb_key');
SELECT pg_temp.ord('taobao', 'KEY-A', '2024-09-02 10:00+08', NULL, '2024-09-02 10:00+08', 'unpaid', 'tb_key');
SELECT pg_temp.ord('taobao', 'KEY-C', '2024-08-31 10:00+08', NULL, '2024-09-03 10:00+08', 'unpaid', 'tb_key');
SELECT pg_temp.load('taobao');
SELECT is((SELECT array_agg(order_no ORDER BY order_key) FROM dw.order_identity WHERE order_no LIKE 'KEY-%'),
          ARRAY['KEY-B', 'KEY-A', 'KEY-C'], 'new order keys in order of first appearance in the batch');

SELECT * FROM finish();
ROLLBACK;

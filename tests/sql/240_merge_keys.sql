-- 240_merge_keys.sql — etl.merge_orders keeps the order facts' keys itself (migration 0240:
-- no foreign-key trigger per row): a batch whose date falls outside dw.dim_date is refused
-- as a whole, naming the order; a batch that loads leaves no fact row without its keys
-- (the relationships siyu check proves, load/check.c).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(3);

\ir 200_identity_fixture.psql

SELECT pg_temp.ord('taobao', 'TB-OK', '2024-01-01 10:00+08', '2024-01-01 10:01+08', '2024-01-01 10:01+08',
                   'completed', 'tb_cat', '', 'hash-cat');
SELECT pg_temp.ord('youzan', 'YZ-OK', '2024-02-01 10:00+08', NULL, '2024-02-01 10:01+08',
                   'unpaid', '');
SELECT pg_temp.load('test');
SELECT is((SELECT count(*) FROM dw.fact_order f
            WHERE NOT EXISTS (SELECT 1 FROM dw.order_identity i WHERE i.order_key = f.order_key)
               OR NOT EXISTS (SELECT 1 FROM dw.dim_channel c WHERE c.channel_key = f.channel_key)
               OR (f.customer_key IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = f.customer_key))
               OR NOT EXISTS (SELECT 1 FROM dw.dim_date d WHERE d.date_key = f.order_date_key)
               OR (f.paid_date_key IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM dw.dim_date d WHERE d.date_key = f.paid_date_key))),
          0::bigint, 'every fact_order row has its identity, channel, customer and dates');
SELECT is((SELECT count(*) FROM dw.fact_order_line l
            WHERE NOT EXISTS (SELECT 1 FROM dw.dim_product p WHERE p.product_key = l.product_key)
               OR NOT EXISTS (SELECT 1 FROM dw.order_identity i WHERE i.order_key = l.order_key)),
          0::bigint, 'every fact_order_line row has its product and identity');

-- The parser accepts 1970..2100 and the calendar covers it (0016); a date beyond it can only
-- come from a bug, and must not become a fact that points at no day.
SELECT pg_temp.ord('jd', 'JD-FAR', '2200-01-01 10:00+08', '2200-01-01 10:01+08', '2200-01-01 10:01+08',
                   'completed', 'jd_cat');
SELECT throws_like($$SELECT pg_temp.load('test')$$,
                   '%order jd/jd-shop/JD-FAR (order_date_key 22000101, paid_date_key 22000101) is not in dw.dim_date%',
                   'etl.merge_orders refuses a batch with a date outside dw.dim_date, naming the order');

SELECT * FROM finish();
ROLLBACK;

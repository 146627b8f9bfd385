-- 245_dedupe_staged.sql — etl.dedupe_staged_lines: a batch's lines judged in the order they
-- were streamed (src_row, then their place in the table): the newest version wins, a
-- repeated line counts once, a line of an older version than one already seen is stale, a
-- line whose header amounts differ from its order version's first line is held.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(5);

CREATE TEMP TABLE t_stage (LIKE staging.order_line_in);
CREATE TEMP TABLE t_held (platform text, shop_id text, order_no text, bad_row bigint, reason text);
CREATE FUNCTION pg_temp.line(p_row bigint, p_shop text, p_order text, p_line text, p_version int,
                             p_shipping bigint DEFAULT 800)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO t_stage (src_row, platform, shop_id, order_no, line_id, status, created_at,
                         updated_at, buyer_id, buyer_unionid, phone_hash, sku, quantity,
                         unit_price_fen, line_gross_fen, line_paid_fen, line_refund_fen,
                         shipping_fen, order_discount_fen)
    VALUES (p_row, 'taobao', p_shop, p_order, p_line, 'paid', '2024-01-01',
            timestamptz '2024-01-01' + p_version * interval '1 minute', 'b', '', '', p_line, 1,
            100, 100, 100, 0, p_shipping, 0)
$$;

-- the C dedupe's cases (tests/unit/test_dedupe.c before it moved here), one line a row
SELECT pg_temp.line(1, 'shop1', 'A', 'sku1', 100);
SELECT pg_temp.line(2, 'shop1', 'A', 'sku2', 100);
SELECT pg_temp.line(3, 'shop1', 'A', 'sku1', 100);  -- repeated
SELECT pg_temp.line(4, 'shop1', 'A', 'sku1', 50);   -- stale
SELECT pg_temp.line(5, 'shop1', 'A', 'sku1', 200);  -- a newer version: sku1 is new again
SELECT pg_temp.line(6, 'shop1', 'A', 'sku2', 100);  -- stale now
SELECT pg_temp.line(7, 'shop1', 'A', 'sku2', 200);
SELECT pg_temp.line(8, 'shop1', 'B', 'sku1', 100);
SELECT is(etl.dedupe_staged_lines('t_stage', 't_held'), 3::bigint,
          'a repeated line and two stale ones are duplicates; the rest is kept');
SELECT is((SELECT count(*) FROM t_held), 0::bigint, 'no conflict among them');

-- ("shop1", "1") and ("shop", "11") are different orders
TRUNCATE t_stage;
SELECT pg_temp.line(1, 'shop1', '1', 'x', 1);
SELECT pg_temp.line(2, 'shop', '11', 'x', 1);
SELECT is(etl.dedupe_staged_lines('t_stage', 't_held'), 0::bigint,
          'the parts of an order''s identity do not run together');

-- a header conflict, far apart in the file: the later line is held, with its reason
TRUNCATE t_stage;
SELECT pg_temp.line(1, 'shop1', 'A', 'sku1', 100);
SELECT pg_temp.line(2, 'shop1', 'Z', 'sku1', 100);
SELECT pg_temp.line(90000, 'shop1', 'A', 'sku2', 100, 1000);
SELECT is(etl.dedupe_staged_lines('t_stage', 't_held'), 0::bigint, 'a conflict is no duplicate');
SELECT results_eq($$SELECT order_no, bad_row, reason FROM t_held$$,
                  $$VALUES ('A'::text, 90000::bigint,
                            'shipping_fee or order_discount differs from an earlier line of the same order version'::text)$$,
                  'the line whose shipping differs from its order version''s first line is held');

SELECT * FROM finish();
ROLLBACK;

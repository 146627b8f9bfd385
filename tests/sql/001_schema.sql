-- 001_schema.sql — pgTAP tests of the warehouse schema (docs/schema.md), run by pg_prove
-- against a freshly migrated database. Everything happens in one transaction that is
-- rolled back, so the database is left as it was.

SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;

BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'UTC';

SELECT plan(201);

-- ---------------------------------------------------------------------------------------
-- Schemas, tables, views, functions
-- ---------------------------------------------------------------------------------------
SELECT has_schema(s) FROM unnest(ARRAY['etl', 'staging', 'dw', 'kpi']) AS s;

SELECT has_table('etl', t, 'etl.' || t || ' exists')
FROM unnest(ARRAY['schema_migration', 'schema_script', 'run', 'run_source', 'watermark', 'reject', 'setting']) AS t;

SELECT has_table('staging', 'order_line_in', 'staging.order_line_in exists');

SELECT has_table('dw', t, 'dw.' || t || ' exists')
FROM unnest(ARRAY['dim_date', 'dim_customer', 'customer_identity', 'customer_merge',
                  'dim_channel', 'dim_product', 'dim_staff', 'dim_group', 'dim_tag',
                  'bridge_customer_tag', 'order_identity', 'fact_order', 'fact_order_line',
                  'fact_contact', 'fact_contact_event', 'fact_group_member',
                  'fact_staff_daily', 'fact_group_daily']) AS t;

SELECT has_view('dw', v, 'dw.' || v || ' exists')
FROM unnest(ARRAY['dim_order_date', 'dim_paid_date', 'dim_added_date']) AS v;

SELECT has_function('dw', 'date_key_of', ARRAY['timestamp with time zone'], 'dw.date_key_of(timestamptz) exists');
SELECT function_returns('dw', 'date_key_of', ARRAY['timestamp with time zone'], 'integer', 'dw.date_key_of returns int');
SELECT volatility_is('dw', 'date_key_of', ARRAY['timestamp with time zone'], 'stable', 'dw.date_key_of is STABLE');
SELECT is_definer('dw', 'date_key_of', ARRAY['timestamp with time zone'], 'dw.date_key_of is SECURITY DEFINER');
SELECT has_function('etl', 'ensure_fact_partitions',
                    ARRAY['timestamp with time zone', 'timestamp with time zone'],
                    'etl.ensure_fact_partitions(timestamptz, timestamptz) exists');

-- ---------------------------------------------------------------------------------------
-- Column types that the loader and the views rely on
-- ---------------------------------------------------------------------------------------
SELECT col_type_is('dw', 'fact_order', c, 'bigint', 'dw.fact_order.' || c || ' is bigint fen')
FROM unnest(ARRAY['gross_fen', 'discount_fen', 'shipping_fen', 'paid_fen', 'refund_fen']) AS c;
SELECT col_type_is('dw', 'fact_order_line', c, 'bigint', 'dw.fact_order_line.' || c || ' is bigint fen')
FROM unnest(ARRAY['unit_price_fen', 'gross_fen', 'paid_fen', 'refund_fen']) AS c;
SELECT col_type_is('dw', 'fact_order', c, 'timestamp with time zone', 'dw.fact_order.' || c || ' is timestamptz')
FROM unnest(ARRAY['created_at', 'paid_at', 'source_version']) AS c;
SELECT col_type_is('dw', 'fact_order', c, 'bigint', 'dw.fact_order.' || c || ' is bigint')
FROM unnest(ARRAY['order_key', 'customer_key', 'run_id']) AS c;
SELECT col_type_is('dw', 'fact_order', c, 'integer', 'dw.fact_order.' || c || ' is int')
FROM unnest(ARRAY['channel_key', 'order_date_key', 'paid_date_key']) AS c;
SELECT col_type_is('dw', 'order_identity', 'order_no', 'text', 'dw.order_identity.order_no is text');
SELECT col_type_is('dw', 'order_identity', 'created_at', 'timestamp with time zone', 'dw.order_identity.created_at is timestamptz');
SELECT col_type_is('dw', 'dim_date', 'date_key', 'integer', 'dw.dim_date.date_key is int');
SELECT col_type_is('dw', 'fact_staff_daily', 'reply_percentage', 'numeric(5,2)', 'reply_percentage is numeric(5,2)');
SELECT col_type_is('etl', 'watermark', 'value', 'timestamp with time zone', 'etl.watermark.value is timestamptz');
SELECT col_type_is('etl', 'schema_migration', 'checksum', 'text', 'etl.schema_migration.checksum is text');

SELECT is(
    (SELECT array_agg(a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
     FROM pg_attribute a
     WHERE a.attrelid = 'staging.order_line_in'::regclass AND a.attnum > 0 AND NOT a.attisdropped),
    ARRAY['src_row bigint', 'platform text', 'shop_id text', 'shop_name text', 'order_no text',
          'line_no integer', 'line_id text', 'status text', 'created_at timestamp with time zone',
          'paid_at timestamp with time zone', 'updated_at timestamp with time zone',
          'buyer_id text', 'buyer_unionid text', 'phone_hash text', 'phone_masked text',
          'sku text', 'product_title text', 'quantity integer', 'unit_price_fen bigint',
          'line_gross_fen bigint', 'line_paid_fen bigint', 'line_refund_fen bigint',
          'shipping_fen bigint', 'order_discount_fen bigint'],
    'staging.order_line_in has the COPY columns, in order, with their types');
SELECT is((SELECT relpersistence FROM pg_class WHERE oid = 'staging.order_line_in'::regclass),
          'u'::"char", 'staging.order_line_in is UNLOGGED');

-- ---------------------------------------------------------------------------------------
-- Keys
-- ---------------------------------------------------------------------------------------
SELECT col_is_pk('etl', 'schema_migration', ARRAY['name'], 'etl.schema_migration PK');
SELECT col_is_pk('etl', 'schema_script', ARRAY['name'], 'etl.schema_script PK');
SELECT col_is_pk('etl', 'run', ARRAY['run_id'], 'etl.run PK');
SELECT col_is_pk('etl', 'run_source', ARRAY['run_id', 'source'], 'etl.run_source PK');
SELECT col_is_pk('etl', 'watermark', ARRAY['source', 'entity'], 'etl.watermark PK');
SELECT col_is_pk('etl', 'reject', ARRAY['reject_id'], 'etl.reject PK');
SELECT col_is_pk('etl', 'setting', ARRAY['key'], 'etl.setting PK');
SELECT col_is_pk('dw', 'dim_date', ARRAY['date_key'], 'dw.dim_date PK');
SELECT col_is_pk('dw', 'dim_customer', ARRAY['customer_key'], 'dw.dim_customer PK');
SELECT col_is_pk('dw', 'customer_identity', ARRAY['id_type', 'platform', 'id_value'], 'dw.customer_identity PK');
SELECT col_is_pk('dw', 'customer_merge', ARRAY['merge_id'], 'dw.customer_merge PK');
SELECT col_is_pk('dw', 'dim_channel', ARRAY['channel_key'], 'dw.dim_channel PK');
SELECT col_is_pk('dw', 'dim_product', ARRAY['product_key'], 'dw.dim_product PK');
SELECT col_is_pk('dw', 'dim_staff', ARRAY['staff_key'], 'dw.dim_staff PK');
SELECT col_is_pk('dw', 'dim_group', ARRAY['group_key'], 'dw.dim_group PK');
SELECT col_is_pk('dw', 'dim_tag', ARRAY['tag_key'], 'dw.dim_tag PK');
SELECT col_is_pk('dw', 'bridge_customer_tag', ARRAY['customer_key', 'tag_key', 'staff_key', 'valid_from'], 'dw.bridge_customer_tag PK');
SELECT col_is_pk('dw', 'order_identity', ARRAY['order_key'], 'dw.order_identity PK');
SELECT col_is_pk('dw', 'fact_order', ARRAY['order_key', 'created_at'], 'dw.fact_order PK');
SELECT col_is_pk('dw', 'fact_order_line', ARRAY['order_key', 'line_no', 'created_at'], 'dw.fact_order_line PK');
SELECT col_is_pk('dw', 'fact_contact', ARRAY['contact_key'], 'dw.fact_contact PK');
SELECT col_is_pk('dw', 'fact_contact_event', ARRAY['event_key'], 'dw.fact_contact_event PK');
SELECT col_is_pk('dw', 'fact_group_member', ARRAY['member_span_key'], 'dw.fact_group_member PK');
SELECT col_is_pk('dw', 'fact_staff_daily', ARRAY['staff_key', 'date_key'], 'dw.fact_staff_daily PK');
SELECT col_is_pk('dw', 'fact_group_daily', ARRAY['owner_staff_key', 'date_key'], 'dw.fact_group_daily PK');

SELECT col_is_unique('dw', 'dim_date', ARRAY['date'], 'dw.dim_date.date is unique');
SELECT col_is_unique('dw', 'dim_channel', ARRAY['platform', 'shop_id'], 'dw.dim_channel natural key');
SELECT col_is_unique('dw', 'dim_product', ARRAY['channel_key', 'sku'], 'dw.dim_product natural key');
SELECT col_is_unique('dw', 'dim_staff', ARRAY['userid'], 'dw.dim_staff natural key');
SELECT col_is_unique('dw', 'dim_group', ARRAY['chat_id'], 'dw.dim_group natural key');
SELECT col_is_unique('dw', 'dim_tag', ARRAY['tag_id'], 'dw.dim_tag natural key');
SELECT col_is_unique('dw', 'order_identity', ARRAY['channel_key', 'order_no'], 'dw.order_identity natural key');
SELECT col_is_unique('dw', 'fact_contact', ARRAY['staff_key', 'customer_key'], 'dw.fact_contact natural key');
SELECT col_is_unique('dw', 'fact_contact_event', ARRAY['staff_key', 'customer_key', 'event_type', 'occurred_at'], 'dw.fact_contact_event natural key');
SELECT index_is_unique('dw', 'fact_group_member', 'fact_group_member_customer_uq', 'fact_group_member (group_key, customer_key, joined_at) is unique');
SELECT index_is_unique('dw', 'fact_group_member', 'fact_group_member_staff_uq', 'fact_group_member (group_key, staff_key, joined_at) is unique');

-- The order facts' and the identities' keys are kept by their writers and proven by siyu
-- check, not by a trigger per row (migrations 0240, 0241): no foreign key on the facts, none
-- on their partitions, none on dw.order_identity and dw.customer_identity.
SELECT is((SELECT count(*) FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
            WHERE c.contype = 'f' AND r.relnamespace = 'dw'::regnamespace
              AND r.relname ~ '^(fact_order(_line)?(_p[0-9]{6})?|order_identity|customer_identity)$'),
          0::bigint, 'the order facts and the identities have no row-by-row foreign keys');
SELECT ok(col_description(a.attrelid, a.attnum) ~ (ref || '.*siyu check'),
          format('%s.%s says what it references and who keeps it', a.attrelid::regclass, a.attname))
  FROM (VALUES ('dw.fact_order', 'customer_key', 'dw.dim_customer'),
               ('dw.fact_order_line', 'product_key', 'dw.dim_product'),
               ('dw.order_identity', 'channel_key', 'dw.dim_channel'),
               ('dw.customer_identity', 'customer_key', 'dw.dim_customer')) AS x (tbl, col, ref)
  JOIN pg_attribute a ON a.attrelid = x.tbl::regclass AND a.attname = x.col;
SELECT fk_ok('etl', 'reject', 'run_id', 'etl', 'run', 'run_id');
-- A new customer is updated right after its insert (first_order_at): the page keeps room for
-- the new version (migration 0242).
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'dw.dim_customer'::regclass),
          ARRAY['fillfactor=50'], 'dw.dim_customer leaves half of each page for updates');

-- Foreign-key columns used by merges and KPI views have an index that starts with them.
SELECT ok(EXISTS (SELECT FROM pg_index i
                  WHERE i.indrelid = (t || '')::regclass
                    AND (SELECT array_agg(a.attname::text ORDER BY k.n)
                         FROM unnest(i.indkey) WITH ORDINALITY AS k (attnum, n)
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                         WHERE k.n <= cardinality(cols)) = cols),
          format('%s has an index on (%s)', t, array_to_string(cols, ', ')))
FROM (VALUES ('dw.fact_order', ARRAY['customer_key']),
             ('dw.fact_order', ARRAY['channel_key', 'order_date_key']),
             ('dw.fact_order_line', ARRAY['product_key']),
             ('dw.customer_identity', ARRAY['customer_key']),
             ('dw.fact_contact', ARRAY['customer_key']),
             ('dw.fact_contact_event', ARRAY['date_key']),
             ('dw.fact_contact_event', ARRAY['customer_key']),
             ('dw.fact_group_member', ARRAY['customer_key']),
             ('dw.customer_merge', ARRAY['from_key']),
             ('etl.reject', ARRAY['run_id'])) AS x (t, cols);

-- ---------------------------------------------------------------------------------------
-- dim_date and dw.date_key_of
-- ---------------------------------------------------------------------------------------
-- 1969-12-31..2101-01-01: 2 slack days + 131 years (1970..2100) x 365 + 32 leap days (1972..2096).
SELECT is((SELECT count(*)::int FROM dw.dim_date), 47849, 'dw.dim_date has 47849 days (1969-12-31..2101-01-01, 0016)');
SELECT is((SELECT min(date) FROM dw.dim_date), date '1969-12-31', 'dw.dim_date starts 1969-12-31');
SELECT is((SELECT max(date) FROM dw.dim_date), date '2101-01-01', 'dw.dim_date ends 2101-01-01');
SELECT row_eq($$SELECT date_key, year, quarter, month, day_of_month, iso_year, iso_week, weekday,
                      is_weekend, week_start, month_start
               FROM dw.dim_date WHERE date = '2021-01-03'$$,
              ROW(20210103, 2021::smallint, 1::smallint, 1::smallint, 3::smallint,
                  2020::smallint, 53::smallint, 7::smallint, true,
                  date '2020-12-28', date '2021-01-01'),
              'dw.dim_date row of 2021-01-03 (ISO week 2020-W53, Sunday)');
SELECT is((SELECT count(*)::int FROM dw.dim_paid_date), 47849, 'dw.dim_paid_date shows every day');
SELECT is((SELECT value FROM etl.setting WHERE key = 'timezone'), 'Asia/Shanghai', 'default business zone');
SELECT is(dw.date_key_of('2025-01-31 17:00:00+00'), 20250201, 'date_key_of uses Asia/Shanghai (UTC+8)');
SELECT is(dw.date_key_of('2025-01-31 15:59:59+00'), 20250131, 'date_key_of: last second of the Shanghai day');
SELECT is(dw.date_key_of(NULL), NULL, 'date_key_of(NULL) is NULL');
UPDATE etl.setting SET value = 'America/New_York' WHERE key = 'timezone';
SELECT is(dw.date_key_of('2025-02-01 03:00:00+00'), 20250131, 'date_key_of follows etl.setting timezone');
UPDATE etl.setting SET value = 'Asia/Shanghai' WHERE key = 'timezone';

-- dw.date_of_key / dw.key_of_date: the one yyyymmdd <-> date conversion, both ways, on every
-- day of the calendar, whatever the session's zone, and inlined into the query that calls it
-- (a call costs what the expression written out does: kpi.sales_by_period runs it per order)
CREATE FUNCTION pg_temp.plan_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; t text := '';
BEGIN
    FOR r IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP t := t || r || E'\n'; END LOOP;
    RETURN t;
END $$;
SELECT is((SELECT count(*)::int FROM dw.dim_date
            WHERE dw.date_of_key(date_key) IS DISTINCT FROM date
               OR dw.key_of_date(date) IS DISTINCT FROM date_key), 0,
          'dw.date_of_key and dw.key_of_date agree with dw.dim_date on all its days');
SET LOCAL TimeZone = 'Pacific/Kiritimati';
SELECT is(dw.key_of_date(date '2025-01-31'), 20250131, 'dw.key_of_date ignores the session zone (UTC+14)');
SET LOCAL TimeZone = 'Pacific/Pago_Pago';
SELECT is(dw.key_of_date(date '2025-01-31'), 20250131, 'dw.key_of_date ignores the session zone (UTC-11)');
RESET TimeZone;
SELECT is(ARRAY[dw.date_of_key(NULL), dw.date_of_key(NULL::int)], ARRAY[NULL::date, NULL],
          'dw.date_of_key(NULL) is NULL');
SELECT ok(p NOT LIKE '%date\_of\_key%' AND p NOT LIKE '%key\_of\_date%' AND p LIKE '%make_date%',
          'dw.date_of_key and dw.key_of_date are inlined into their caller')
  FROM pg_temp.plan_text('SELECT dw.date_of_key(date_key), dw.key_of_date(date) FROM dw.dim_date') p;

-- ---------------------------------------------------------------------------------------
-- Partitioned facts
-- ---------------------------------------------------------------------------------------
SELECT is_partitioned('dw', 'fact_order', 'dw.fact_order is partitioned');
SELECT is_partitioned('dw', 'fact_order_line', 'dw.fact_order_line is partitioned');
SELECT is((SELECT partstrat::text || ':' || pg_get_partkeydef(partrelid)
           FROM pg_partitioned_table WHERE partrelid = 'dw.fact_order'::regclass),
          'r:RANGE (created_at)', 'dw.fact_order is range-partitioned by created_at');
SELECT is((SELECT pg_get_partkeydef('dw.fact_order_line'::regclass)),
          'RANGE (created_at)', 'dw.fact_order_line is range-partitioned by created_at');

SELECT is(
    ARRAY(SELECT f || '_p' || to_char(m, 'YYYYMM')
          FROM unnest(ARRAY['fact_order', 'fact_order_line']) AS f,
               generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                               date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months',
                               interval '1 month') AS m
          WHERE NOT EXISTS (SELECT FROM pg_inherits i
                            WHERE i.inhparent = ('dw.' || f)::regclass
                              AND i.inhrelid = to_regclass('dw.' || f || '_p' || to_char(m, 'YYYYMM')))),
    '{}'::text[],
    'partitions of both facts exist for the current month and 3 months ahead');
SELECT is_partition_of('dw', 'fact_order_p201501', 'dw', 'fact_order', 'first month 2015-01 exists');
SELECT is_partition_of('dw', 'fact_order_line_p201501', 'dw', 'fact_order_line', 'first line month 2015-01 exists');
SELECT is(pg_get_expr(relpartbound, oid),
          $$FOR VALUES FROM ('2020-02-01 00:00:00+00') TO ('2020-03-01 00:00:00+00')$$,
          'partition bounds are UTC midnight of the 1st')
FROM pg_class WHERE oid = 'dw.fact_order_p202002'::regclass;

-- A month not created by the migration (dim_date reaches 2035-12).
SELECT hasnt_table('dw', 'fact_order_p203512', 'no partition for 2035-12 yet');
SELECT is(etl.ensure_fact_partitions('2035-12-15 00:00:00+00', '2035-12-31 00:00:00+00'), 2,
          'ensure_fact_partitions creates the missing month for both facts');
SELECT is_partition_of('dw', 'fact_order_p203512', 'dw', 'fact_order', 'dw.fact_order_p203512 created');
SELECT is_partition_of('dw', 'fact_order_line_p203512', 'dw', 'fact_order_line', 'dw.fact_order_line_p203512 created');
SELECT is(etl.ensure_fact_partitions('2035-12-01 00:00:00+00', '2035-12-31 23:59:59+00'), 0,
          'ensure_fact_partitions is idempotent');
-- A month in the middle of existing history, dropped and recreated.
DROP TABLE dw.fact_order_p201806, dw.fact_order_line_p201806;
SELECT is(etl.ensure_fact_partitions('2018-05-20 00:00:00+00', '2018-07-10 00:00:00+00'), 2,
          'ensure_fact_partitions recreates a dropped month and skips its neighbours');
SELECT is(pg_get_expr(relpartbound, oid),
          $$FOR VALUES FROM ('2018-06-01 00:00:00+00') TO ('2018-07-01 00:00:00+00')$$,
          'recreated partition has UTC month bounds')
FROM pg_class WHERE oid = 'dw.fact_order_line_p201806'::regclass;
SELECT throws_ok($$SELECT etl.ensure_fact_partitions('2020-02-01', '2020-01-01')$$, '22023',
                 NULL, 'ensure_fact_partitions rejects a reversed range');
SELECT is((SELECT relowner::regrole::text FROM pg_class WHERE oid = 'dw.fact_order_p203512'::regclass),
          'siyu_writer', 'new partitions are owned by siyu_writer');

-- ---------------------------------------------------------------------------------------
-- Constraints
-- ---------------------------------------------------------------------------------------
INSERT INTO dw.dim_channel (platform, shop_id, shop_name) VALUES ('taobao', 'shop-t', 'Test shop');
INSERT INTO dw.order_identity (channel_key, order_no, created_at, source_version)
SELECT channel_key, '3456789012345678901', '2025-03-01 02:00:00+00', '2025-03-02 00:00:00+00'
FROM dw.dim_channel WHERE shop_id = 'shop-t';
CREATE TEMP TABLE t_order ON COMMIT DROP AS
SELECT o.order_key, o.created_at, o.channel_key FROM dw.order_identity o WHERE o.order_no = '3456789012345678901';

SELECT lives_ok($$
    INSERT INTO dw.fact_order (order_key, created_at, channel_key, paid_at, status, order_date_key,
        paid_date_key, gross_fen, discount_fen, shipping_fen, paid_fen, refund_fen, item_count,
        line_count, is_qualifying, source_version, run_id)
    SELECT order_key, created_at, channel_key, created_at, 'paid', 20250301, 20250301,
           1000, 0, 0, 1000, 0, 1, 1, true, '2025-03-02 00:00:00+00', 1 FROM t_order$$,
    'a valid order inserts into its monthly partition');
SELECT is((SELECT f.tableoid::regclass::text FROM dw.fact_order f JOIN t_order USING (order_key)),
          'dw.fact_order_p202503', 'the order landed in dw.fact_order_p202503');
SELECT throws_ok($$UPDATE dw.fact_order SET paid_fen = -1 WHERE order_key = (SELECT order_key FROM t_order)$$,
                 '23514', NULL, 'negative fen on fact_order violates a check');
SELECT throws_ok($$UPDATE dw.fact_order SET refund_fen = -5 WHERE order_key = (SELECT order_key FROM t_order)$$,
                 '23514', NULL, 'negative refund_fen violates a check');
SELECT throws_ok($$UPDATE dw.fact_order SET status = 'delivered' WHERE order_key = (SELECT order_key FROM t_order)$$,
                 '23514', NULL, 'a status outside the canonical set violates a check');
SELECT throws_ok($$UPDATE dw.fact_order SET status = 'cancelled' WHERE order_key = (SELECT order_key FROM t_order)$$,
                 '23514', NULL, 'is_qualifying must match paid_at and status');
SELECT lives_ok($$UPDATE dw.fact_order SET status = 'cancelled', is_qualifying = false
                  WHERE order_key = (SELECT order_key FROM t_order)$$,
                'a cancelled, non-qualifying order is fine');
SELECT throws_ok($$INSERT INTO dw.fact_order_line (order_key, created_at, line_no, quantity,
                       unit_price_fen, gross_fen, paid_fen, refund_fen, run_id)
                   SELECT order_key, created_at, 1, 1, -100, 0, 0, 0, 1 FROM t_order$$,
                 '23514', NULL, 'negative fen on fact_order_line violates a check');
SELECT throws_ok($$INSERT INTO dw.fact_order_line (order_key, created_at, line_no, quantity,
                       unit_price_fen, gross_fen, paid_fen, refund_fen, run_id)
                   SELECT order_key, created_at, 1, 0, 100, 0, 0, 0, 1 FROM t_order$$,
                 '23514', NULL, 'zero quantity violates a check');
-- (order_date_key outside dw.dim_date: no foreign key since 0240; etl.merge_orders refuses
-- it, 240_merge_keys.sql, and siyu check finds it, t0420)
SELECT throws_ok($$INSERT INTO dw.dim_channel (platform, shop_id) VALUES ('Tao Bao', 'x')$$,
                 '23514', NULL, 'platform must be a lowercase identifier');
SELECT throws_ok($$INSERT INTO dw.dim_channel (platform, shop_id) VALUES ('taobao', 'shop-t')$$,
                 '23505', NULL, 'dim_channel natural key is unique');
SELECT throws_ok($$INSERT INTO dw.order_identity (channel_key, order_no, created_at, source_version)
                   SELECT channel_key, order_no, created_at, source_version FROM dw.order_identity
                   WHERE order_no = '3456789012345678901'$$,
                 '23505', NULL, 'order_identity natural key is unique');
INSERT INTO dw.dim_customer (first_seen_at) VALUES ('2025-03-01 00:00:00+00');
SELECT throws_ok($$INSERT INTO dw.customer_identity (id_type, id_value, customer_key, first_seen_at)
                   SELECT 'wechat', 'x', max(customer_key), now() FROM dw.dim_customer$$,
                 '23514', NULL, 'id_type outside the set violates a check');
SELECT throws_ok($$INSERT INTO dw.customer_identity (id_type, platform, id_value, customer_key, first_seen_at)
                   SELECT 'unionid', 'taobao', 'oQ7a', max(customer_key), now() FROM dw.dim_customer$$,
                 '23514', NULL, 'platform is set for buyer_id only');
SELECT throws_ok($$INSERT INTO etl.run (command, status) VALUES ('run', 'done')$$,
                 '23514', NULL, 'etl.run status outside the set violates a check');
SELECT throws_ok($$INSERT INTO dw.fact_group_member (group_key, member_type, customer_key, staff_key, joined_at)
                   VALUES (1, 'customer', NULL, NULL, now())$$,
                 '23514', NULL, 'a customer member span needs customer_key');

-- ---------------------------------------------------------------------------------------
-- Comments: every table, view, column and function of etl, staging, dw, kpi
-- (partitions excluded: they inherit the meaning of their parent; so are the per-run
-- staging.*_r<run_id> COPY targets, which a loaded database may still hold)
-- ---------------------------------------------------------------------------------------
SELECT is(
    ARRAY(SELECT c.oid::regclass::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('etl', 'staging', 'dw', 'kpi')
            AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
            AND NOT (n.nspname = 'staging' AND c.relname ~ '_r[0-9]+$')  -- per-run COPY targets
            AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''
          ORDER BY 1),
    '{}'::text[], 'every table and view has a comment');
SELECT is(
    ARRAY(SELECT c.oid::regclass::text || '.' || a.attname
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE n.nspname IN ('etl', 'staging', 'dw', 'kpi')
            AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
            AND NOT (n.nspname = 'staging' AND c.relname ~ '_r[0-9]+$')  -- per-run COPY targets
            AND coalesce(col_description(c.oid, a.attnum), '') = ''
          ORDER BY 1),
    '{}'::text[], 'every column of every table and view has a comment');
SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname IN ('etl', 'staging', 'dw', 'kpi')
            AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''
          ORDER BY 1),
    '{}'::text[], 'every function has a comment');
SELECT is(
    ARRAY(SELECT nspname::text FROM pg_namespace
          WHERE nspname IN ('etl', 'staging', 'dw', 'kpi')
            AND coalesce(obj_description(oid, 'pg_namespace'), '') = ''),
    '{}'::text[], 'every schema has a comment');
SELECT matches(obj_description('dw.fact_order'::regclass, 'pg_class'), 'Citus.*order_key',
               'dw.fact_order comment records the Citus distribution choice');

-- ---------------------------------------------------------------------------------------
-- Ownership and privileges
-- ---------------------------------------------------------------------------------------
SELECT is(
    ARRAY(SELECT c.oid::regclass::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('etl', 'staging', 'dw', 'kpi')
            AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            AND NOT (n.nspname = 'staging' AND c.relname ~ '_r[0-9]+$')  -- per-run COPY targets
            AND c.relowner <> 'siyu_writer'::regrole
          ORDER BY 1),
    '{}'::text[], 'siyu_writer owns every table and view');
SELECT is(
    ARRAY(SELECT nspname::text FROM pg_namespace
          WHERE nspname IN ('etl', 'staging', 'dw', 'kpi') AND nspowner <> 'siyu_writer'::regrole),
    '{}'::text[], 'siyu_writer owns the four schemas');
SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname IN ('etl', 'staging', 'dw', 'kpi') AND p.proowner <> 'siyu_writer'::regrole
            AND (p.prosecdef OR p.oid IN ('dw.date_key_of(timestamptz)'::regprocedure,
                                          'etl.ensure_fact_partitions(timestamptz, timestamptz)'::regprocedure,
                                          'etl.apply_privileges()'::regprocedure))),
    '{}'::text[], 'siyu_writer owns every SECURITY DEFINER function (and those of 0001-0009)');

SELECT ok(NOT has_schema_privilege('bi_reader', 'etl', 'USAGE'), 'bi_reader has no USAGE on etl');
SELECT ok(NOT has_schema_privilege('bi_reader', 'staging', 'USAGE'), 'bi_reader has no USAGE on staging');
SELECT ok(has_schema_privilege('bi_reader', 'dw', 'USAGE'), 'bi_reader has USAGE on dw');
SELECT ok(has_schema_privilege('bi_reader', 'kpi', 'USAGE'), 'bi_reader has USAGE on kpi');
SELECT ok(NOT has_table_privilege('bi_reader', 'etl.reject', 'SELECT'), 'bi_reader cannot read etl.reject');
SELECT ok(NOT has_table_privilege('bi_reader', 'staging.order_line_in', 'SELECT'), 'bi_reader cannot read staging');
SELECT ok(has_table_privilege('bi_reader', 'dw.fact_order', 'SELECT'), 'bi_reader reads dw.fact_order');
SELECT ok(NOT has_table_privilege('bi_reader', 'dw.fact_order', 'INSERT'), 'bi_reader cannot write dw.fact_order');
SELECT ok(has_table_privilege('bi_reader', 'dw.dim_order_date', 'SELECT'), 'bi_reader reads the role-playing views');
SELECT ok(has_table_privilege('bi_reader', 'dw.fact_order_p203512', 'SELECT'),
          'bi_reader reads partitions created later (default privileges)');
SELECT ok(NOT has_table_privilege('bi_reader', 'dw.customer_identity', 'SELECT'),
          'bi_reader has no table-level SELECT on dw.customer_identity');
SELECT ok(NOT has_column_privilege('bi_reader', 'dw.customer_identity', 'id_value', 'SELECT'),
          'bi_reader cannot read customer_identity.id_value');
SELECT is(
    ARRAY(SELECT a.attname::text FROM pg_attribute a
          WHERE a.attrelid = 'dw.customer_identity'::regclass AND a.attnum > 0 AND NOT a.attisdropped
            AND has_column_privilege('bi_reader', a.attrelid, a.attnum, 'SELECT')
          ORDER BY a.attnum),
    ARRAY['id_type', 'platform', 'display_value', 'customer_key', 'first_seen_at'],
    'bi_reader reads exactly the listed customer_identity columns');
SELECT ok(has_function_privilege('bi_reader', 'dw.date_key_of(timestamptz)', 'EXECUTE'),
          'bi_reader may execute dw.date_key_of');
SELECT ok(NOT has_function_privilege('bi_reader', 'etl.ensure_fact_partitions(timestamptz, timestamptz)', 'EXECUTE'),
          'bi_reader may not execute etl.ensure_fact_partitions');
SELECT ok(EXISTS (SELECT FROM pg_default_acl d
                  WHERE d.defaclrole = 'siyu_writer'::regrole
                    AND d.defaclnamespace = 'kpi'::regnamespace AND d.defaclobjtype = 'r'
                    AND array_to_string(d.defaclacl, ',') LIKE '%bi_reader=r/%'),
          'future kpi views created by siyu_writer are readable by bi_reader');
SELECT ok(EXISTS (SELECT FROM pg_default_acl d
                  WHERE d.defaclrole <> 'siyu_writer'::regrole
                    AND d.defaclnamespace = 'kpi'::regnamespace AND d.defaclobjtype = 'r'
                    AND array_to_string(d.defaclacl, ',') LIKE '%bi_reader=r/%'),
          'future kpi views created by the migrating role are readable by bi_reader');

-- As bi_reader itself. pgTAP records results in temp tables of the session user, so the
-- role is switched only inside the statement under test (pg_temp.as_reader).
CREATE FUNCTION pg_temp.as_reader(q text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL ROLE bi_reader;
    EXECUTE q;
    RESET ROLE;
END
$$;
SELECT throws_ok($$SELECT pg_temp.as_reader('SELECT * FROM etl.reject')$$, '42501', NULL,
                 'bi_reader: SELECT FROM etl.reject is denied');
SELECT throws_ok($$SELECT pg_temp.as_reader('SELECT * FROM staging.order_line_in')$$, '42501', NULL,
                 'bi_reader: SELECT FROM staging is denied');
SELECT throws_ok($$SELECT pg_temp.as_reader('SELECT id_value FROM dw.customer_identity')$$, '42501', NULL,
                 'bi_reader: SELECT id_value is denied');
SELECT throws_ok($$SELECT pg_temp.as_reader('SELECT * FROM dw.customer_identity')$$, '42501', NULL,
                 'bi_reader: SELECT * FROM dw.customer_identity is denied');
SELECT lives_ok($$SELECT pg_temp.as_reader('SELECT id_type, platform, display_value, customer_key, first_seen_at FROM dw.customer_identity')$$,
                'bi_reader: the listed customer_identity columns are readable');
SELECT lives_ok($$SELECT pg_temp.as_reader('SELECT count(*) FROM dw.fact_order JOIN dw.dim_order_date ON date_key = order_date_key')$$,
                'bi_reader: reads facts and role-playing dates');
SELECT lives_ok($$SELECT pg_temp.as_reader('SELECT dw.date_key_of(now())')$$,
                'bi_reader: dw.date_key_of works although etl is not readable');
SELECT throws_ok($$SELECT pg_temp.as_reader('SELECT etl.ensure_fact_partitions(now(), now())')$$, '42501', NULL,
                 'bi_reader: cannot call etl.ensure_fact_partitions');
SELECT is(current_user::text, session_user::text, 'role is back to the session user');
-- The plain form, for the record (works with pgTAP 1.2: its bookkeeping survives SET ROLE).
SET LOCAL ROLE bi_reader;
SELECT throws_ok('SELECT * FROM etl.reject', '42501', NULL, 'SET ROLE bi_reader: etl.reject is denied');
RESET ROLE;

-- kpi.customer_owner asks the snapshot for (userid, external_userid) of any source: without
-- this index it read the whole snapshot once per customer (0244)
SELECT has_index('etl', 'wecom_contact_snapshot', 'wecom_contact_snapshot_pair',
                 ARRAY['userid', 'external_userid'], 'the snapshot is found by userid and external_userid');

SELECT * FROM finish();
ROLLBACK;

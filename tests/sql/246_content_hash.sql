-- 246_content_hash.sql — etl.merge_orders tells a changed order from a copy by its content hash
-- (0080, format v2 since 0243): a newer version with the loaded content changes nothing but
-- source_version, a changed one replaces the order; a hash stored in the md5 format of before
-- 0243 still recognises its copy, once, and is then stored as v2.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(8);

\ir 200_identity_fixture.psql

CREATE FUNCTION pg_temp.merge() RETURNS text LANGUAGE sql AS $$
    WITH m AS (SELECT * FROM etl.merge_orders(pg_temp.new_run('import'), 'pg_temp.t_stage'::regclass, 'test'))
    SELECT format('inserted %s, updated %s, unchanged %s', inserted, updated, unchanged) FROM m
$$;
CREATE FUNCTION pg_temp.stored() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT content_hash FROM dw.order_identity WHERE order_no = 'TB-1'
$$;

SELECT pg_temp.ord('taobao', 'TB-1', '2024-01-01 10:00+08', '2024-01-01 10:01+08', '2024-01-01 10:01+08',
                   'completed', 'tb_cat', '', 'hash-cat');
SELECT is(pg_temp.merge(), 'inserted 1, updated 0, unchanged 0', 'a new order is inserted');
TRUNCATE t_stage;
SELECT ok(pg_temp.stored() ~ '^v2:[0-9a-f]+$', 'its content hash is stored in the v2 format');

-- A re-export: the same content under a newer version.
SELECT pg_temp.ord('taobao', 'TB-1', '2024-01-01 10:00+08', '2024-01-01 10:01+08', '2024-01-02 09:00+08',
                   'completed', 'tb_cat', '', 'hash-cat');
SELECT is(pg_temp.merge(), 'inserted 0, updated 0, unchanged 1', 'a newer version with the same content is unchanged');
TRUNCATE t_stage;
SELECT is((SELECT source_version FROM dw.order_identity WHERE order_no = 'TB-1'),
          '2024-01-02 09:00+08'::timestamptz, '... and only its version moves on');

-- A warehouse merged before 0243 stored the md5 of the lines' text (here: what that code
-- computed for this order's one line); its copy is still recognised, and the hash becomes v2.
UPDATE dw.order_identity
   SET content_hash = md5(row('completed'::text, '2024-01-01 10:01+08'::timestamptz, 'tb_cat'::text,
                              ''::text, 'hash-cat'::text, 0::bigint, 0::bigint, '1'::text, 1,
                              'SKU-1'::text, NULL::text, 1, 1000::bigint, 1000::bigint,
                              1000::bigint, 0::bigint)::text)
 WHERE order_no = 'TB-1';
SELECT pg_temp.ord('taobao', 'TB-1', '2024-01-01 10:00+08', '2024-01-01 10:01+08', '2024-01-03 09:00+08',
                   'completed', 'tb_cat', '', 'hash-cat');
SELECT is(pg_temp.merge(), 'inserted 0, updated 0, unchanged 1', 'a copy of an order hashed in the md5 format is unchanged');
TRUNCATE t_stage;
SELECT ok(pg_temp.stored() ~ '^v2:', '... and its hash is stored as v2 from then on');

-- A changed version (refunded) replaces the order.
SELECT pg_temp.ord('taobao', 'TB-1', '2024-01-01 10:00+08', '2024-01-01 10:01+08', '2024-01-04 09:00+08',
                   'refunded', 'tb_cat', '', 'hash-cat', 1000, 1000);
SELECT is(pg_temp.merge(), 'inserted 0, updated 1, unchanged 0', 'a newer version with other content replaces the order');
TRUNCATE t_stage;
SELECT is((SELECT f.status FROM dw.fact_order f JOIN dw.order_identity i USING (order_key)
            WHERE i.order_no = 'TB-1'), 'refunded', '... its facts are the new version''s');

SELECT * FROM finish();
ROLLBACK;

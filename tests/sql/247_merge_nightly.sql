-- 247_merge_nightly.sql — what keeps the nightly merge's cost with the change, not the
-- warehouse (issue 16): the rows it updates in place have room on their page (migration
-- 0251: dw.order_identity and dw.fact_order's partitions at fillfactor 90, new months too),
-- and the index probes it asks for (etl.probe_by_key) end with the merge: the planner's
-- joins are as they were for whatever runs after it in the transaction.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(7);

\ir 200_identity_fixture.psql

SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'dw.order_identity'::regclass),
          ARRAY['fillfactor=90'], 'dw.order_identity leaves a tenth of each page for updates');
SELECT is((SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'dw.fact_order'::regclass
              AND c.reloptions IS DISTINCT FROM ARRAY['fillfactor=90']),
          0::bigint, 'every partition of dw.fact_order does');
SELECT is(etl.ensure_fact_partitions('2036-01-15 00:00:00+00', '2036-01-15 00:00:00+00'), 2,
          'a new month of both facts');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'dw.fact_order_p203601'::regclass),
          ARRAY['fillfactor=90'], '... dw.fact_order''s with the room');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'dw.fact_order_line_p203601'::regclass),
          NULL, '... dw.fact_order_line''s full (its rows are never updated)');

-- A nightly's batch, small against what is loaded: the merge probes by key, then gives the
-- planner its hash and merge joins back.
SELECT pg_temp.ord('taobao', 'TB-N' || n, '2024-01-01 10:00+08'::timestamptz + n * interval '1 hour',
                   '2024-01-01 10:05+08'::timestamptz + n * interval '1 hour',
                   '2024-01-01 10:05+08'::timestamptz + n * interval '1 hour', 'completed', 'tb_n' || n % 7)
  FROM generate_series(1, 40) n;
SELECT pg_temp.load('test');
SELECT pg_temp.ord('taobao', 'TB-N1', '2024-01-01 11:00+08', '2024-01-01 11:05+08', '2024-01-03 10:00+08',
                   'refunded', 'tb_n1');
SELECT pg_temp.load('test');
SELECT is((SELECT string_agg(order_no || ':' || COALESCE(order_seq::text, '-'), ' ' ORDER BY order_no)
             FROM pg_temp.orders() WHERE order_no IN ('TB-N1', 'TB-N8', 'TB-N15')),
          'TB-N1:- TB-N15:2 TB-N8:1', 'the refunded first order of tb_n1 has no number, its next ones move up');
SELECT is(current_setting('enable_hashjoin') || '/' || current_setting('enable_mergejoin'), 'on/on',
          'after a nightly merge the planner''s hash and merge joins are on again');

SELECT * FROM finish();
ROLLBACK;

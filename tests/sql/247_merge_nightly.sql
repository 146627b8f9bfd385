-- 247_merge_nightly.sql — what keeps the nightly merge's cost with the change, not the
-- warehouse (issue 16): the index probes it asks for (etl.probe_by_key) give the same
-- result and end with the merge: the planner's joins are as they were for whatever runs
-- after it in the transaction.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(2);

\ir 200_identity_fixture.psql

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

-- 360_wecom_snapshot_watermark.sql — migration 0050 backfills the 'snapshot' watermark of
-- WeCom sources loaded before it existed: the last run that saw a relationship, per source,
-- dated by that run's start; a watermark already there is left alone. The migration's
-- INSERT is run again here on hand-made rows, in one transaction that is rolled back.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(4);

INSERT INTO etl.run (run_id, command, started_at, status) OVERRIDING SYSTEM VALUE VALUES
    (901, 'run', '2025-06-01 02:00+08', 'succeeded'),
    (902, 'run', '2025-06-02 02:00+08', 'succeeded'),
    (903, 'run', '2025-06-03 02:00+08', 'succeeded');
INSERT INTO etl.run_source (run_id, source, status, started_at) VALUES
    (901, 'wecom_a', 'succeeded', '2025-06-01 02:00:05+08'),
    (902, 'wecom_a', 'succeeded', '2025-06-02 02:00:07+08'),
    (903, 'wecom_b', 'succeeded', '2025-06-03 02:00:09+08');
-- wecom_a: one relationship last seen by 901, one by 902; wecom_b: already has a watermark
INSERT INTO etl.wecom_contact_snapshot (source, userid, external_userid, createtime, run_id) VALUES
    ('wecom_a', 'u1', 'wm1', '2025-01-01 10:00+08', 901),
    ('wecom_a', 'u1', 'wm2', '2025-01-02 10:00+08', 902),
    ('wecom_b', 'u2', 'wm3', '2025-01-03 10:00+08', 903),
    ('wecom_c', 'u3', 'wm4', '2025-01-04 10:00+08', NULL);
INSERT INTO etl.watermark (source, entity, value, run_id) VALUES
    ('wecom_b', 'snapshot', '2025-06-04 02:00+08', 904);

\ir ../../sql/migrations/0050_wecom_snapshot_watermark.sql

SELECT results_eq(
    $$ SELECT run_id, value FROM etl.watermark WHERE source = 'wecom_a' AND entity = 'snapshot' $$,
    $$ VALUES (902::bigint, '2025-06-02 02:00:07+08'::timestamptz) $$,
    'the last run that saw a relationship holds the snapshot, dated by its start');
SELECT results_eq(
    $$ SELECT run_id, value FROM etl.watermark WHERE source = 'wecom_b' AND entity = 'snapshot' $$,
    $$ VALUES (904::bigint, '2025-06-04 02:00+08'::timestamptz) $$,
    'a snapshot watermark already there is left alone');
SELECT is_empty(
    $$ SELECT 1 FROM etl.watermark WHERE source = 'wecom_c' $$,
    'no run id, no watermark');
SELECT is(
    (SELECT count(*)::int FROM etl.watermark WHERE entity = 'snapshot'), 2,
    'one per source with a known run');

SELECT * FROM finish();
ROLLBACK;

-- 0012_replay_abandoned.sql — the merge of `siyu replay`, and runs left behind by a crash.
--
-- 1. etl.merge_orders_replay(), now functions/etl.merge_orders_replay.sql.
--
-- 2. etl.run.status and etl.run_source.status accept 'abandoned': a run (or source) found
--    still 'running' by the next siyu run/import/replay, which holds the warehouse lock
--    and so knows that no other run is alive. The process was killed, crashed or lost its
--    connection for good; whatever its open transaction held was rolled back by the
--    server. See runlog_mark_abandoned() in load/runlog.c.

ALTER TABLE etl.run DROP CONSTRAINT run_status_check;
ALTER TABLE etl.run ADD CONSTRAINT run_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned'));
COMMENT ON COLUMN etl.run.status IS
    'running, succeeded, failed, or abandoned (found still running by a later run: the process died; its open transaction was rolled back)';

ALTER TABLE etl.run_source DROP CONSTRAINT run_source_status_check;
ALTER TABLE etl.run_source ADD CONSTRAINT run_source_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'abandoned'));
COMMENT ON COLUMN etl.run_source.status IS
    'running, succeeded, failed, skipped, or abandoned (its run died while it was loading: what it had not committed was rolled back)';

-- 0030_wecom_events.sql — WeCom change callbacks: the durable event log and how its events
-- reach the star schema.
--
-- `siyu wecom-callback` spools every event it receives to
-- <spool_dir>/events-YYYYMMDD.jsonl (one JSON object per line: received_at, key, event).
-- The nightly run (load/wecom_events.c, inside the WeCom source's transaction) COPYs the
-- spool lines it has not read yet into the temp table
--     tmp_wecom_spool(file text, line_no bigint, raw text)
-- and calls etl.wecom_events_load(run, source) (functions/etl.wecom_events_*.sql and
-- etl.wecom_apply_*.sql), which
--   1. ingests: parses each line, rejects what is not a spool line or lacks the ids its
--      event needs (etl.reject, with the raw line), and stores the rest in
--      etl.wecom_event once per key (WeCom's retries of one event share a key);
--   2. applies the pending events in event-time order, idempotently (a status per event):
--        add_external_contact   -> dim_staff / customer (identity resolution on the
--                                  external_userid), fact_contact opened or reopened at
--                                  CreateTime, an exact 'add' event (origin callback)
--        del_follow_user        -> the customer removed the staff member: fact_contact
--                                  closed at CreateTime, removed_by customer, exact 'remove'
--        del_external_contact   -> the same with removed_by staff
--        change_external_chat   -> create: dim_group.created_at; dismiss: dismissed_at and
--                                  the open member spans closed; update add_member /
--                                  del_member: spans opened / closed at CreateTime with
--                                  join_scene / quit_scene, left_is_exact
--        change_external_tag    -> delete of a tag or a tag group: dim_tag.deleted_at, open
--                                  bridge_customer_tag rows closed
--        everything else (edit_external_contact, add_half_external_contact, transfer_fail,
--        tag create/update/shuffle, chat change_owner/name/notice) is kept, marked ignored:
--        the snapshot brings those details.
--
-- Unknown staff, groups and customers are created minimally (userid / chat_id / identity
-- only; the snapshot fills names and owners later) — except for a relationship removal
-- whose relationship the warehouse does not know yet: that event stays pending (the
-- snapshot may load the relationship: a customer who deleted the staff member is still
-- listed by WeCom) and is retried each run; after p_grace (default 7 days since receipt)
-- it is marked orphaned. An event that finds nothing to act on is orphaned as well.
--
-- Spool files are never deleted or rewritten (the raw zone is immutable);
-- etl.wecom_spool_file remembers how far each file was read, so every line is ingested
-- (and every reject recorded) once. Both tables change in the source's transaction: a
-- failed run leaves them as they were, and the next run reads the same lines again.

CREATE TABLE etl.wecom_event (
    key            text PRIMARY KEY,
    source         text NOT NULL,
    received_at    timestamptz NOT NULL,
    event_time     timestamptz,
    event_type     text,
    change_type    text,
    payload        jsonb NOT NULL,
    spool_file     text NOT NULL,
    spool_line     bigint NOT NULL,
    run_id         bigint REFERENCES etl.run (run_id),
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'applied', 'ignored', 'orphaned', 'rejected')),
    applied_run_id bigint,
    applied_at     timestamptz,
    note           text
);
CREATE INDEX wecom_event_pending_idx ON etl.wecom_event (source, event_time) WHERE status = 'pending';
COMMENT ON TABLE etl.wecom_event IS
    'WeCom change-callback events, one row per event (retries collapse on key), as spooled by siyu wecom-callback and loaded by the nightly run; holds customer ids, never granted to bi_reader';
COMMENT ON COLUMN etl.wecom_event.key IS
    'Dedupe key from the receiver: 128 bits of SHA-256 over the event''s fields (WelcomeCode excepted), the same for WeCom''s retries';
COMMENT ON COLUMN etl.wecom_event.source IS 'WeCom source name ([source.NAME] of pipeline.conf)';
COMMENT ON COLUMN etl.wecom_event.received_at IS 'When the receiver got the event (first copy)';
COMMENT ON COLUMN etl.wecom_event.event_time IS 'WeCom''s CreateTime (TimeStamp for a third-party envelope); NULL when missing or bad (the event is then rejected)';
COMMENT ON COLUMN etl.wecom_event.event_type IS 'Event (InfoType for a third-party envelope): change_external_contact, change_external_chat, change_external_tag, ...';
COMMENT ON COLUMN etl.wecom_event.change_type IS 'ChangeType: add_external_contact, del_follow_user, update, dismiss, delete, ...';
COMMENT ON COLUMN etl.wecom_event.payload IS 'Every field of the event XML as a string; MemChangeList as an array of userids';
COMMENT ON COLUMN etl.wecom_event.spool_file IS 'Spool file the event was first read from (events-YYYYMMDD.jsonl)';
COMMENT ON COLUMN etl.wecom_event.spool_line IS 'Line number (1-based) in spool_file';
COMMENT ON COLUMN etl.wecom_event.run_id IS 'The run (etl.run) that stored the event';
COMMENT ON COLUMN etl.wecom_event.status IS
    'pending (not applied yet, or waiting for the snapshot to load its relationship), applied, ignored (nothing to apply: the snapshot brings it), orphaned (refers to nothing the warehouse knows), rejected (missing ids or time; see etl.reject)';
COMMENT ON COLUMN etl.wecom_event.applied_run_id IS 'The run that applied, ignored, orphaned or rejected the event; NULL while pending';
COMMENT ON COLUMN etl.wecom_event.applied_at IS 'When that happened';
COMMENT ON COLUMN etl.wecom_event.note IS 'What applying did, or why the event waits, was ignored, orphaned or rejected';

CREATE TABLE etl.wecom_spool_file (
    source       text NOT NULL,
    file         text NOT NULL,
    bytes_loaded bigint NOT NULL CHECK (bytes_loaded >= 0),
    lines_loaded bigint NOT NULL CHECK (lines_loaded >= 0),
    run_id       bigint,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, file)
);
COMMENT ON TABLE etl.wecom_spool_file IS
    'How far the nightly run has read each callback spool file (append-only files in the raw zone); moves in the WeCom source''s transaction';
COMMENT ON COLUMN etl.wecom_spool_file.source IS 'WeCom source name';
COMMENT ON COLUMN etl.wecom_spool_file.file IS 'Spool file name, events-YYYYMMDD.jsonl (in the source''s spool directory)';
COMMENT ON COLUMN etl.wecom_spool_file.bytes_loaded IS 'Bytes of whole lines read so far; the next run starts there';
COMMENT ON COLUMN etl.wecom_spool_file.lines_loaded IS 'Lines read so far (the next line''s number minus one)';
COMMENT ON COLUMN etl.wecom_spool_file.run_id IS 'The run that last read the file';
COMMENT ON COLUMN etl.wecom_spool_file.updated_at IS 'When the file was last read';

-- The callback's quit and join codes (WeCom docs 92130): QuitScene 0 = left on their own,
-- 1 = removed by the owner or an admin; JoinScene 0 = invited (directly or by link), 3 = QR.
COMMENT ON COLUMN dw.fact_group_member.quit_scene IS
    'WeCom QuitScene when known from a change_external_chat callback: 0 left on their own, 1 removed by the owner or an admin; NULL otherwise';

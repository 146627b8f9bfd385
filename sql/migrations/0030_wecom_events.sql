-- 0030_wecom_events.sql — WeCom change callbacks: the durable event log and how its events
-- reach the star schema.
--
-- `siyu wecom-callback` spools every event it receives to
-- <spool_dir>/events-YYYYMMDD.jsonl (one JSON object per line: received_at, key, event).
-- The nightly run (load/wecom_events.c, inside the WeCom source's transaction) COPYs the
-- spool lines it has not read yet into the temp table
--     tmp_wecom_spool(file text, line_no bigint, raw text)
-- and calls etl.wecom_events_load(run, source), which
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

-- ---------------------------------------------------------------------------------------
-- small helpers
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION etl.wecom_try_jsonb(p_text text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN p_text::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION etl.wecom_try_jsonb(text) IS
    'p_text as jsonb, or NULL when it is not JSON PostgreSQL accepts (a spool line cut short by a crash)';

CREATE FUNCTION etl.wecom_try_timestamptz(p_text text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN p_text::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION etl.wecom_try_timestamptz(text) IS 'p_text as timestamptz, or NULL when it is not a time';

CREATE FUNCTION etl.wecom_unix_time(p_text text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_text ~ '^[0-9]{1,10}$' THEN to_timestamp(p_text::bigint) END
$$;
COMMENT ON FUNCTION etl.wecom_unix_time(text) IS 'WeCom''s unix-seconds text (CreateTime) as timestamptz; NULL when not digits';

CREATE FUNCTION etl.wecom_int(p_text text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_text ~ '^[0-9]{1,9}$' THEN p_text::int END
$$;
COMMENT ON FUNCTION etl.wecom_int(text) IS 'A WeCom number given as text (QuitScene, JoinScene) as int; NULL when not digits';

-- The customer of an external_userid, or NULL.
CREATE FUNCTION etl.wecom_customer_of(p_external_userid text) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT customer_key FROM dw.customer_identity
     WHERE id_type = 'external_userid' AND platform = '' AND id_value = p_external_userid
$$;
COMMENT ON FUNCTION etl.wecom_customer_of(text) IS 'customer_key of a WeCom external_userid (dw.customer_identity), NULL when unknown';

-- The staff member of a userid, created minimally when p_create and unknown.
CREATE FUNCTION etl.wecom_staff_of(p_userid text, p_create boolean, p_seen timestamptz, p_run bigint)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    v_key int;
BEGIN
    SELECT staff_key INTO v_key FROM dw.dim_staff WHERE userid = p_userid;
    IF v_key IS NULL AND p_create THEN
        INSERT INTO dw.dim_staff (userid, first_seen_at, run_id)
        VALUES (p_userid, p_seen, p_run)
        ON CONFLICT (userid) DO NOTHING;
        SELECT staff_key INTO v_key FROM dw.dim_staff WHERE userid = p_userid;
    END IF;
    RETURN v_key;
END
$$;
COMMENT ON FUNCTION etl.wecom_staff_of(text, boolean, timestamptz, bigint) IS
    'staff_key of a WeCom userid; with p_create an unknown one gets a minimal dw.dim_staff row (userid, first_seen_at) that the snapshot completes';

-- The group of a chat_id, created minimally when p_create and unknown.
CREATE FUNCTION etl.wecom_group_of(p_chat_id text, p_create boolean, p_run bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_key bigint;
BEGIN
    SELECT group_key INTO v_key FROM dw.dim_group WHERE chat_id = p_chat_id;
    IF v_key IS NULL AND p_create THEN
        INSERT INTO dw.dim_group (chat_id, run_id) VALUES (p_chat_id, p_run)
        ON CONFLICT (chat_id) DO NOTHING;
        SELECT group_key INTO v_key FROM dw.dim_group WHERE chat_id = p_chat_id;
    END IF;
    RETURN v_key;
END
$$;
COMMENT ON FUNCTION etl.wecom_group_of(text, boolean, bigint) IS
    'group_key of a WeCom chat_id; with p_create an unknown one gets a minimal dw.dim_group row (chat_id) that the snapshot completes';

-- Is a member userid of a group event a customer (external contact) rather than staff?
-- Known identities decide; otherwise WeCom's external_userid shape (wm… for WeChat users,
-- wo… for WeCom users) when no staff member has that userid.
CREATE FUNCTION etl.wecom_is_external(p_userid text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT etl.wecom_customer_of(p_userid) IS NOT NULL
        OR (p_userid ~ '^w[mo][0-9A-Za-z_-]{14,}$'
            AND NOT EXISTS (SELECT 1 FROM dw.dim_staff WHERE userid = p_userid))
$$;
COMMENT ON FUNCTION etl.wecom_is_external(text) IS
    'True when a group member userid from a callback is a customer: a known external_userid, or one shaped like it (wm…/wo…) that is no staff userid';

-- ---------------------------------------------------------------------------------------
-- 1. ingest the spool lines of temp table tmp_wecom_spool
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION etl.wecom_events_ingest(p_run bigint, p_source text,
                                        OUT lines bigint, OUT stored bigint,
                                        OUT duplicates bigint, OUT rejected bigint)
LANGUAGE plpgsql
SET client_min_messages = warning AS $fn$
BEGIN
    DROP TABLE IF EXISTS wev_line;
    CREATE TEMP TABLE wev_line ON COMMIT DROP AS
    SELECT s.file, s.line_no, s.raw, j,
           j->>'key' AS key,
           etl.wecom_try_timestamptz(j->>'received_at') AS received_at,
           j->'event' AS ev,
           NULL::text AS reason
      FROM tmp_wecom_spool s
      CROSS JOIN LATERAL etl.wecom_try_jsonb(s.raw) AS j;
    GET DIAGNOSTICS lines = ROW_COUNT;

    -- Not a spool line at all (cut short by a crash, or not written by the receiver).
    UPDATE wev_line SET reason = CASE
        WHEN j IS NULL THEN 'not JSON (a line cut short?)'
        WHEN jsonb_typeof(j) <> 'object' THEN 'not a JSON object'
        WHEN coalesce(key, '') = '' OR length(key) > 200 THEN 'no key'
        WHEN received_at IS NULL THEN 'no or bad received_at'
        WHEN ev IS NULL OR jsonb_typeof(ev) <> 'object' THEN 'no event object'
        END;

    INSERT INTO etl.reject (run_id, source, entity, natural_key, location, reason, raw)
    SELECT p_run, p_source, 'wecom_event', CASE WHEN reason <> 'no key' THEN key END,
           file || ':' || line_no, 'spool line: ' || reason, raw
      FROM wev_line WHERE reason IS NOT NULL ORDER BY file, line_no;
    GET DIAGNOSTICS rejected = ROW_COUNT;

    -- First copy of each key in this batch, then only keys not stored before.
    DROP TABLE IF EXISTS wev_new;
    CREATE TEMP TABLE wev_new ON COMMIT DROP AS
    SELECT DISTINCT ON (key) file, line_no, raw, key, received_at, ev,
           coalesce(etl.wecom_unix_time(ev->>'CreateTime'),
                    etl.wecom_unix_time(ev->>'TimeStamp')) AS event_time,
           coalesce(ev->>'Event', ev->>'InfoType') AS event_type,
           ev->>'ChangeType' AS change_type,
           NULL::text AS reason
      FROM wev_line l
     WHERE reason IS NULL
       AND NOT EXISTS (SELECT 1 FROM etl.wecom_event e WHERE e.key = l.key)
     ORDER BY key, received_at, file, line_no;

    -- Events that cannot be applied for want of a time or an id.
    UPDATE wev_new SET reason = CASE
        WHEN event_time IS NULL THEN 'missing or bad CreateTime'
        WHEN NOT EXISTS (SELECT 1 FROM dw.dim_date WHERE date_key = dw.date_key_of(event_time))
            THEN 'CreateTime outside the date dimension'
        WHEN event_type = 'change_external_contact'
             AND (coalesce(ev->>'UserID', '') = '' OR coalesce(ev->>'ExternalUserID', '') = '')
            THEN 'missing UserID or ExternalUserID'
        WHEN event_type = 'change_external_chat' AND coalesce(ev->>'ChatId', '') = ''
            THEN 'missing ChatId'
        WHEN event_type = 'change_external_chat' AND change_type = 'update'
             AND ev->>'UpdateDetail' IN ('add_member', 'del_member')
             AND ev ? 'MemChangeList' AND jsonb_typeof(ev->'MemChangeList') <> 'array'
            THEN 'MemChangeList is not a list'
        WHEN event_type = 'change_external_tag' AND change_type = 'delete'
             AND coalesce(ev->>'Id', '') = ''
            THEN 'missing Id'
        END;

    INSERT INTO etl.wecom_event (key, source, received_at, event_time, event_type, change_type,
                                 payload, spool_file, spool_line, run_id, status,
                                 applied_run_id, applied_at, note)
    SELECT key, p_source, received_at, event_time, event_type, change_type, ev, file, line_no,
           p_run, CASE WHEN reason IS NULL THEN 'pending' ELSE 'rejected' END,
           CASE WHEN reason IS NOT NULL THEN p_run END,
           CASE WHEN reason IS NOT NULL THEN now() END, reason
      FROM wev_new;
    GET DIAGNOSTICS stored = ROW_COUNT;

    INSERT INTO etl.reject (run_id, source, entity, natural_key, location, reason, raw)
    SELECT p_run, p_source, 'wecom_event', key, file || ':' || line_no,
           coalesce(event_type, '?') || '/' || coalesce(change_type, '?') || ': ' || reason, raw
      FROM wev_new WHERE reason IS NOT NULL ORDER BY file, line_no;
    rejected := rejected + (SELECT count(*) FROM wev_new WHERE reason IS NOT NULL);
    stored := stored - (SELECT count(*) FROM wev_new WHERE reason IS NOT NULL);
    duplicates := lines - rejected - stored;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_events_ingest(bigint, text) IS
    'Reads temp table tmp_wecom_spool(file, line_no, raw): rejects lines that are not spool lines and events without a usable CreateTime or ids (etl.reject, raw line kept, event marked rejected), stores the other new events in etl.wecom_event as pending (once per key); returns lines, stored, duplicates, rejected';

-- ---------------------------------------------------------------------------------------
-- 2. apply, one handler per kind of event; each returns (status, note)
-- ---------------------------------------------------------------------------------------

-- add_external_contact: the staff member and the customer became contacts at CreateTime.
CREATE FUNCTION etl.wecom_apply_contact_add(e etl.wecom_event, p_run bigint,
                                            OUT status text, OUT note text)
LANGUAGE plpgsql AS $fn$
DECLARE
    t timestamptz := e.event_time;
    v_staff int := etl.wecom_staff_of(e.payload->>'UserID', true, t, p_run);
    v_cust bigint := etl.wecom_customer_of(e.payload->>'ExternalUserID');
    v_state text := nullif(e.payload->>'State', '');
    r dw.fact_contact;
BEGIN
    IF v_cust IS NULL THEN  -- resolved before the loop; only a bug gets here
        status := 'pending';
        note := 'customer not resolved';
        RETURN;
    END IF;
    SELECT * INTO r FROM dw.fact_contact
     WHERE staff_key = v_staff AND customer_key = v_cust FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO dw.fact_contact (staff_key, customer_key, added_at, state, first_run_id, run_id)
        VALUES (v_staff, v_cust, t, v_state, p_run, p_run);
        note := 'relationship opened';
    ELSIF r.removed_at IS NOT NULL AND r.removed_at <= t THEN
        -- added again after a removal: the row now describes the new relationship; how it
        -- was added this time (add_way) is unknown until the snapshot
        UPDATE dw.fact_contact
           SET added_at = t, removed_at = NULL, removed_by = NULL, add_way = NULL,
               state = v_state, run_id = p_run
         WHERE contact_key = r.contact_key;
        note := 'relationship reopened';
    ELSIF r.removed_at IS NULL THEN
        note := 'relationship already open';
    ELSE
        note := 'add older than the recorded removal; event recorded only';
    END IF;
    INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key,
                                       time_is_exact, removed_by, origin, run_id)
    VALUES (v_staff, v_cust, 'add', t, dw.date_key_of(t), true, NULL, 'callback', p_run)
    ON CONFLICT (staff_key, customer_key, event_type, occurred_at) DO NOTHING;
    status := 'applied';
END
$fn$;
COMMENT ON FUNCTION etl.wecom_apply_contact_add(etl.wecom_event, bigint) IS
    'Applies an add_external_contact event: fact_contact opened (or reopened after a removal) at CreateTime, an exact add event with origin callback';

-- del_follow_user (p_by = customer) / del_external_contact (p_by = staff).
CREATE FUNCTION etl.wecom_apply_contact_remove(e etl.wecom_event, p_by text, p_run bigint,
                                               p_grace interval,
                                               OUT status text, OUT note text)
LANGUAGE plpgsql AS $fn$
DECLARE
    t timestamptz := e.event_time;
    v_staff int := etl.wecom_staff_of(e.payload->>'UserID', false, t, p_run);
    v_cust bigint := etl.wecom_customer_of(e.payload->>'ExternalUserID');
    r dw.fact_contact;
BEGIN
    IF v_staff IS NOT NULL AND v_cust IS NOT NULL THEN
        SELECT * INTO r FROM dw.fact_contact
         WHERE staff_key = v_staff AND customer_key = v_cust FOR UPDATE;
    END IF;
    IF r.contact_key IS NULL THEN
        IF e.received_at >= now() - p_grace THEN
            status := 'pending';
            note := 'relationship not in the warehouse yet; retried after the next snapshot';
        ELSE
            status := 'orphaned';
            note := 'relationship never found in the warehouse';
        END IF;
        RETURN;
    END IF;

    IF r.removed_at IS NULL AND r.added_at <= t THEN
        UPDATE dw.fact_contact SET removed_at = t, removed_by = p_by, run_id = p_run
         WHERE contact_key = r.contact_key;
        note := 'relationship closed';
    ELSIF r.removed_at IS NULL THEN
        note := 'removal older than the current add; event recorded only';
    ELSIF r.removed_at > t AND r.added_at <= t
          AND EXISTS (SELECT 1 FROM dw.fact_contact_event x
                       WHERE x.staff_key = v_staff AND x.customer_key = v_cust
                         AND x.event_type = 'remove' AND x.occurred_at = r.removed_at
                         AND NOT x.time_is_exact) THEN
        -- a snapshot detected this removal later than it happened: the callback knows
        -- the exact time and who removed whom
        DELETE FROM dw.fact_contact_event x
         WHERE x.staff_key = v_staff AND x.customer_key = v_cust AND x.event_type = 'remove'
           AND x.occurred_at = r.removed_at AND NOT x.time_is_exact;
        UPDATE dw.fact_contact SET removed_at = t, removed_by = p_by, run_id = p_run
         WHERE contact_key = r.contact_key;
        note := 'replaced the removal detected by a snapshot';
    ELSE
        note := 'relationship already closed; event recorded';
    END IF;
    INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key,
                                       time_is_exact, removed_by, origin, run_id)
    VALUES (v_staff, v_cust, 'remove', t, dw.date_key_of(t), true, p_by, 'callback', p_run)
    ON CONFLICT (staff_key, customer_key, event_type, occurred_at) DO NOTHING;
    status := 'applied';
END
$fn$;
COMMENT ON FUNCTION etl.wecom_apply_contact_remove(etl.wecom_event, text, bigint, interval) IS
    'Applies del_follow_user (p_by customer) or del_external_contact (p_by staff): fact_contact closed at CreateTime (replacing a later snapshot-detected removal), an exact remove event; waits (pending) while the relationship is unknown, orphaned after p_grace';

-- change_external_chat: create, dismiss, update add_member / del_member.
CREATE FUNCTION etl.wecom_apply_chat(e etl.wecom_event, p_run bigint,
                                     OUT status text, OUT note text)
LANGUAGE plpgsql AS $fn$
DECLARE
    t timestamptz := e.event_time;
    v_detail text := e.payload->>'UpdateDetail';
    v_group bigint;
    v_member text;
    v_is_cust boolean;
    v_cust bigint;
    v_staff int;
    v_done int := 0;
    v_total int := 0;
    v_n int;
BEGIN
    status := 'applied';
    IF e.change_type = 'create' THEN
        v_group := etl.wecom_group_of(e.payload->>'ChatId', true, p_run);
        UPDATE dw.dim_group SET created_at = t, run_id = p_run
         WHERE group_key = v_group AND (created_at IS NULL OR created_at > t);
        note := 'group created';
        RETURN;
    ELSIF e.change_type = 'dismiss' THEN
        v_group := etl.wecom_group_of(e.payload->>'ChatId', true, p_run);
        UPDATE dw.dim_group SET dismissed_at = t, run_id = p_run
         WHERE group_key = v_group AND (dismissed_at IS NULL OR dismissed_at > t);
        -- nobody is a member of a dismissed group any more
        UPDATE dw.fact_group_member
           SET left_at = t, left_is_exact = true, run_id = p_run
         WHERE group_key = v_group AND left_at IS NULL AND joined_at <= t;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        note := 'group dismissed; ' || v_n || ' open member spans closed';
        RETURN;
    ELSIF e.change_type IS DISTINCT FROM 'update'
          OR v_detail IS NULL OR v_detail NOT IN ('add_member', 'del_member') THEN
        status := 'ignored';
        note := 'nothing to apply (' || coalesce(e.change_type, '?') || '/'
                || coalesce(v_detail, '-') || '); the snapshot brings it';
        RETURN;
    ELSIF jsonb_typeof(e.payload->'MemChangeList') IS DISTINCT FROM 'array' THEN
        status := 'ignored';
        note := v_detail || ' without MemChangeList; the snapshot brings the members';
        RETURN;
    END IF;

    v_group := etl.wecom_group_of(e.payload->>'ChatId', v_detail = 'add_member', p_run);
    FOR v_member IN SELECT DISTINCT m FROM jsonb_array_elements_text(e.payload->'MemChangeList') m
                     WHERE m <> '' LOOP
        v_total := v_total + 1;
        v_is_cust := etl.wecom_is_external(v_member);
        v_cust := CASE WHEN v_is_cust THEN etl.wecom_customer_of(v_member) END;
        v_staff := CASE WHEN NOT v_is_cust
                        THEN etl.wecom_staff_of(v_member, v_detail = 'add_member', t, p_run) END;
        CONTINUE WHEN v_group IS NULL OR (v_cust IS NULL AND v_staff IS NULL);
        IF v_detail = 'add_member' THEN
            -- a new span unless the member is in the group already, or a span covers t
            INSERT INTO dw.fact_group_member (group_key, member_type, customer_key, staff_key,
                                              joined_at, join_scene, run_id)
            SELECT v_group, CASE WHEN v_is_cust THEN 'customer' ELSE 'staff' END, v_cust, v_staff,
                   t,
                   -- the callback's JoinScene 3 (QR code) is groupchat/get's 3; its 0
                   -- (invited, directly or by link) is 1 or 2 there: unknown
                   CASE WHEN etl.wecom_int(e.payload->>'JoinScene') = 3 THEN 3 END,
                   p_run
             WHERE NOT EXISTS (SELECT 1 FROM dw.fact_group_member s
                                WHERE s.group_key = v_group
                                  AND s.customer_key IS NOT DISTINCT FROM v_cust
                                  AND s.staff_key IS NOT DISTINCT FROM v_staff
                                  AND (s.left_at IS NULL OR s.left_at >= t))
            ON CONFLICT DO NOTHING;
        ELSE
            -- close the open span; or make a snapshot-detected leave exact
            UPDATE dw.fact_group_member s
               SET left_at = t, quit_scene = etl.wecom_int(e.payload->>'QuitScene'),
                   left_is_exact = true, run_id = p_run
             WHERE s.group_key = v_group
               AND s.customer_key IS NOT DISTINCT FROM v_cust
               AND s.staff_key IS NOT DISTINCT FROM v_staff
               AND s.joined_at <= t
               AND (s.left_at IS NULL OR (s.left_at > t AND NOT s.left_is_exact))
               AND NOT EXISTS (SELECT 1 FROM dw.fact_group_member later
                                WHERE later.group_key = s.group_key
                                  AND later.customer_key IS NOT DISTINCT FROM s.customer_key
                                  AND later.staff_key IS NOT DISTINCT FROM s.staff_key
                                  AND later.joined_at > s.joined_at AND later.joined_at <= t);
        END IF;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        v_done := v_done + v_n;
    END LOOP;
    IF v_group IS NULL THEN
        status := 'orphaned';
        note := v_detail || ' in a group the warehouse does not know';
    ELSIF v_detail = 'add_member' THEN
        note := v_done || ' of ' || v_total || ' members joined (others already members)';
    ELSE
        note := v_done || ' of ' || v_total || ' members left (others had no open span)';
        IF v_done = 0 AND v_total > 0 THEN
            status := 'orphaned';
        END IF;
    END IF;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_apply_chat(etl.wecom_event, bigint) IS
    'Applies change_external_chat: create (created_at), dismiss (dismissed_at, open spans closed), update add_member / del_member (fact_group_member spans opened or closed at CreateTime, join/quit scene, exact); other updates are ignored';

-- change_external_tag: a deleted tag (or a deleted tag group, which sends no per-tag event).
CREATE FUNCTION etl.wecom_apply_tag(e etl.wecom_event, p_run bigint,
                                    OUT status text, OUT note text)
LANGUAGE plpgsql AS $fn$
DECLARE
    t timestamptz := e.event_time;
    v_id text := e.payload->>'Id';
    v_tags int;
    v_bridges int;
BEGIN
    IF e.change_type IS DISTINCT FROM 'delete' THEN
        status := 'ignored';
        note := 'tag ' || coalesce(e.change_type, '?') || '; the snapshot brings names and order';
        RETURN;
    END IF;
    DROP TABLE IF EXISTS wev_tag;
    CREATE TEMP TABLE wev_tag ON COMMIT DROP AS
    SELECT tag_key FROM dw.dim_tag
     WHERE CASE WHEN e.payload->>'TagType' = 'tag_group' THEN group_id = v_id ELSE tag_id = v_id END;
    UPDATE dw.dim_tag d SET deleted_at = t
      FROM wev_tag w WHERE d.tag_key = w.tag_key AND (d.deleted_at IS NULL OR d.deleted_at > t);
    GET DIAGNOSTICS v_tags = ROW_COUNT;
    UPDATE dw.bridge_customer_tag b SET valid_to = t, run_id = p_run
      FROM wev_tag w
     WHERE b.tag_key = w.tag_key AND b.valid_to IS NULL AND b.valid_from <= t;
    GET DIAGNOSTICS v_bridges = ROW_COUNT;
    IF NOT EXISTS (SELECT 1 FROM wev_tag) THEN
        status := 'orphaned';
        note := coalesce(e.payload->>'TagType', 'tag') || ' unknown to the warehouse';
    ELSE
        status := 'applied';
        note := v_tags || ' tags deleted, ' || v_bridges || ' customer tags closed';
    END IF;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_apply_tag(etl.wecom_event, bigint) IS
    'Applies change_external_tag delete (TagType tag or tag_group): dim_tag.deleted_at and open bridge_customer_tag rows closed at CreateTime; create/update/shuffle are ignored';

CREATE FUNCTION etl.wecom_events_apply(p_run bigint, p_source text,
                                       p_grace interval DEFAULT interval '7 days',
                                       OUT applied bigint, OUT ignored bigint,
                                       OUT orphaned bigint, OUT pending bigint)
LANGUAGE plpgsql
SET client_min_messages = warning AS $fn$
DECLARE
    e etl.wecom_event;
    r record;
BEGIN
    applied := 0;
    ignored := 0;
    orphaned := 0;

    -- Customers of the pending adds and group joins, in one identity-resolution batch.
    DROP TABLE IF EXISTS tmp_id_link;
    CREATE TEMP TABLE tmp_id_link (rec bigint, id_type text, platform text, id_value text,
                                   display_value text, seen_at timestamptz, source text)
        ON COMMIT DROP;
    INSERT INTO tmp_id_link
    SELECT row_number() OVER (ORDER BY ext), 'external_userid', '', ext, NULL, min(t), 'wecom'
      FROM (SELECT e1.payload->>'ExternalUserID' AS ext, e1.event_time AS t
              FROM etl.wecom_event e1
             WHERE e1.status = 'pending' AND e1.source = p_source
               AND e1.event_type = 'change_external_contact'
               AND e1.change_type = 'add_external_contact'
            UNION ALL
            SELECT m, e2.event_time
              FROM etl.wecom_event e2
             CROSS JOIN LATERAL jsonb_array_elements_text(
                       CASE WHEN jsonb_typeof(e2.payload->'MemChangeList') = 'array'
                            THEN e2.payload->'MemChangeList' ELSE '[]'::jsonb END) AS m
             WHERE e2.status = 'pending' AND e2.source = p_source
               AND e2.event_type = 'change_external_chat' AND e2.change_type = 'update'
               AND e2.payload->>'UpdateDetail' = 'add_member'
               AND etl.wecom_is_external(m)) x
     WHERE ext <> ''
     GROUP BY ext;
    IF FOUND THEN
        PERFORM dw.resolve_customers(p_run, 'wecom');
    END IF;

    FOR e IN SELECT * FROM etl.wecom_event
              WHERE status = 'pending' AND source = p_source
              ORDER BY event_time, received_at, key LOOP
        IF e.event_type = 'change_external_contact' AND e.change_type = 'add_external_contact' THEN
            r := etl.wecom_apply_contact_add(e, p_run);
        ELSIF e.event_type = 'change_external_contact' AND e.change_type = 'del_follow_user' THEN
            r := etl.wecom_apply_contact_remove(e, 'customer', p_run, p_grace);
        ELSIF e.event_type = 'change_external_contact' AND e.change_type = 'del_external_contact' THEN
            r := etl.wecom_apply_contact_remove(e, 'staff', p_run, p_grace);
        ELSIF e.event_type = 'change_external_chat' THEN
            r := etl.wecom_apply_chat(e, p_run);
        ELSIF e.event_type = 'change_external_tag' THEN
            r := etl.wecom_apply_tag(e, p_run);
        ELSE
            SELECT 'ignored'::text AS status,
                   CASE WHEN e.change_type = 'edit_external_contact'
                        THEN 'remark or tags edited; the snapshot reloads them'
                        ELSE 'nothing to apply for ' || coalesce(e.event_type, '?') || '/'
                             || coalesce(e.change_type, '?') END AS note
              INTO r;
        END IF;
        IF r.status = 'pending' THEN
            UPDATE etl.wecom_event SET note = r.note WHERE key = e.key;
            CONTINUE;
        END IF;
        UPDATE etl.wecom_event
           SET status = r.status, note = r.note, applied_run_id = p_run, applied_at = now()
         WHERE key = e.key;
        CASE r.status
            WHEN 'applied' THEN applied := applied + 1;
            WHEN 'ignored' THEN ignored := ignored + 1;
            ELSE orphaned := orphaned + 1;
        END CASE;
    END LOOP;
    SELECT count(*) INTO pending FROM etl.wecom_event WHERE status = 'pending' AND source = p_source;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_events_apply(bigint, text, interval) IS
    'Applies the pending etl.wecom_event rows of a source in event-time order (one identity-resolution batch for their customers first); idempotent: each event is applied once; returns applied, ignored, orphaned and still-pending counts';

CREATE FUNCTION etl.wecom_events_load(p_run bigint, p_source text,
                                      p_grace interval DEFAULT interval '7 days',
                                      OUT lines bigint, OUT stored bigint, OUT duplicates bigint,
                                      OUT rejected bigint, OUT applied bigint, OUT ignored bigint,
                                      OUT orphaned bigint, OUT pending bigint)
LANGUAGE plpgsql AS $fn$
BEGIN
    SELECT i.lines, i.stored, i.duplicates, i.rejected
      INTO lines, stored, duplicates, rejected
      FROM etl.wecom_events_ingest(p_run, p_source) i;
    SELECT a.applied, a.ignored, a.orphaned, a.pending
      INTO applied, ignored, orphaned, pending
      FROM etl.wecom_events_apply(p_run, p_source, p_grace) a;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_events_load(bigint, text, interval) IS
    'The nightly load of the callback spool: etl.wecom_events_ingest over temp table tmp_wecom_spool, then etl.wecom_events_apply; runs inside the WeCom source''s transaction';

DO $$ BEGIN PERFORM etl.apply_privileges(); END $$;

-- etl.wecom_events_ingest — Reads temp table tmp_wecom_spool(file, line_no, raw)

CREATE OR REPLACE FUNCTION etl.wecom_events_ingest(p_run bigint, p_source text,
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

-- etl.wecom_events_apply — Applies the pending etl.wecom_event rows of a source in event-time order (one …

CREATE OR REPLACE FUNCTION etl.wecom_events_apply(p_run bigint, p_source text,
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

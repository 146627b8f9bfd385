-- etl.wecom_apply_contact_remove — Applies del_follow_user (p_by customer) or del_external_contact (p_by staff)
--
-- del_follow_user (p_by = customer) / del_external_contact (p_by = staff).
CREATE OR REPLACE FUNCTION etl.wecom_apply_contact_remove(e etl.wecom_event, p_by text, p_run bigint,
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

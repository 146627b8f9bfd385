-- etl.wecom_apply_contact_add — Applies an add_external_contact event
--
-- add_external_contact: the staff member and the customer became contacts at CreateTime.
CREATE OR REPLACE FUNCTION etl.wecom_apply_contact_add(e etl.wecom_event, p_run bigint,
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

-- etl.wecom_apply_chat — Applies change_external_chat
--
-- change_external_chat: create, dismiss, update add_member / del_member.
CREATE OR REPLACE FUNCTION etl.wecom_apply_chat(e etl.wecom_event, p_run bigint,
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

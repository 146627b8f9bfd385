-- etl.wecom_apply_tag — Applies change_external_tag delete (TagType tag or tag_group)
--
-- change_external_tag: a deleted tag (or a deleted tag group, which sends no per-tag event).
CREATE OR REPLACE FUNCTION etl.wecom_apply_tag(e etl.wecom_event, p_run bigint,
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

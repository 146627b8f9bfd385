-- etl.wecom_merge_tags — WeCom merge step 2: upserts dw.dim_tag from the run's complete tag list (temp table …
--
-- Tags: the list is complete, so a tag missing from it was deleted (kept, soft-deleted).
CREATE OR REPLACE FUNCTION etl.wecom_merge_tags(p_run bigint,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_seen bigint;
BEGIN
    SELECT count(DISTINCT tag_id) INTO v_seen FROM tmp_wecom_tag;
    WITH up AS (
        INSERT INTO dw.dim_tag AS d (tag_id, name, group_id, group_name, created_at)
        SELECT DISTINCT ON (tag_id) tag_id, name, group_id, group_name, created_at
          FROM tmp_wecom_tag WHERE tag_id <> '' ORDER BY tag_id
        ON CONFLICT (tag_id) DO UPDATE
           SET name = EXCLUDED.name, group_id = EXCLUDED.group_id,
               group_name = EXCLUDED.group_name,
               created_at = COALESCE(EXCLUDED.created_at, d.created_at), deleted_at = NULL
         WHERE (d.name, d.group_id, d.group_name, d.created_at, d.deleted_at)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.group_id, EXCLUDED.group_name,
                                 COALESCE(EXCLUDED.created_at, d.created_at), NULL::timestamptz)
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new)
      INTO inserted, updated FROM up;
    unchanged := GREATEST(v_seen - inserted - updated, 0);

    WITH del AS (
        UPDATE dw.dim_tag d SET deleted_at = now()
         WHERE d.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM tmp_wecom_tag t WHERE t.tag_id = d.tag_id)
        RETURNING 1)
    SELECT updated + count(*) INTO updated FROM del;

    -- Tag ids on relationships that the list does not know (deleted earlier, or
    -- strategy tags): a placeholder row, soft-deleted, so the bridge can point at it.
    WITH ph AS (
        INSERT INTO dw.dim_tag (tag_id, deleted_at)
        SELECT DISTINCT tag_id, now() FROM tmp_wecom_contact_tag WHERE tag_id <> ''
        ON CONFLICT (tag_id) DO NOTHING
        RETURNING 1)
    SELECT inserted + count(*) INTO inserted FROM ph;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_tags(bigint) IS
    'WeCom merge step 2: upserts dw.dim_tag from the run''s complete tag list (temp table tmp_wecom_tag), soft-deletes (deleted_at) tags missing from it, and adds soft-deleted placeholders for unknown tag ids found on relationships';

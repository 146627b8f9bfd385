-- etl.wecom_merge_staff — WeCom merge step 1: inserts every staff userid of the run into dw.dim_staff, sets left_at for …
--
-- Staff: every userid the run saw becomes a dim_staff row; the follow list is diffed.
CREATE OR REPLACE FUNCTION etl.wecom_merge_staff(p_run bigint, p_source text,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql AS $fn$
BEGIN
    DROP TABLE IF EXISTS tmp_wecom_staff_key;
    CREATE TEMP TABLE tmp_wecom_staff_key ON COMMIT DROP AS
    SELECT DISTINCT userid FROM (
        SELECT userid FROM tmp_wecom_staff
        UNION ALL SELECT userid FROM tmp_wecom_contact
        UNION ALL SELECT owner FROM tmp_wecom_group WHERE fetched
        UNION ALL SELECT userid FROM tmp_wecom_group_member WHERE member_type = 1
        UNION ALL SELECT invitor FROM tmp_wecom_group_member
        UNION ALL SELECT userid FROM tmp_wecom_staff_daily
        UNION ALL SELECT owner FROM tmp_wecom_group_daily) u
     WHERE userid IS NOT NULL AND userid <> '';

    WITH ins AS (
        INSERT INTO dw.dim_staff (userid, first_seen_at, run_id)
        SELECT k.userid, now(), p_run FROM tmp_wecom_staff_key k
         WHERE NOT EXISTS (SELECT 1 FROM dw.dim_staff s WHERE s.userid = k.userid)
        ORDER BY k.userid
        RETURNING 1)
    SELECT count(*) INTO inserted FROM ins;

    -- Left the follow list (resigned, lost the feature or the app's scope) / came back.
    WITH gone AS (
        UPDATE dw.dim_staff s SET left_at = now(), run_id = p_run
          FROM etl.wecom_staff_snapshot p
         WHERE p.source = p_source AND p.userid = s.userid AND s.left_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM tmp_wecom_staff t WHERE t.userid = s.userid)
        RETURNING 1),
    back AS (
        UPDATE dw.dim_staff s SET left_at = NULL, run_id = p_run
         WHERE s.left_at IS NOT NULL
           AND EXISTS (SELECT 1 FROM tmp_wecom_staff t WHERE t.userid = s.userid)
        RETURNING 1)
    SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM back) INTO updated;

    DELETE FROM etl.wecom_staff_snapshot WHERE source = p_source;
    INSERT INTO etl.wecom_staff_snapshot (source, userid, run_id)
    SELECT DISTINCT p_source, userid, p_run FROM tmp_wecom_staff WHERE userid <> '';

    ALTER TABLE tmp_wecom_staff_key ADD COLUMN staff_key int;
    UPDATE tmp_wecom_staff_key k SET staff_key = s.staff_key FROM dw.dim_staff s WHERE s.userid = k.userid;
    CREATE UNIQUE INDEX ON tmp_wecom_staff_key (userid);
    ANALYZE tmp_wecom_staff_key;
    SELECT GREATEST(count(*) - inserted - updated, 0) INTO unchanged FROM tmp_wecom_staff_key;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_staff(bigint, text) IS
    'WeCom merge step 1: inserts every staff userid of the run into dw.dim_staff, sets left_at for userids that dropped out of the follow list (and clears it when they return), saves the follow list as etl.wecom_staff_snapshot, and builds temp table tmp_wecom_staff_key(userid, staff_key)';

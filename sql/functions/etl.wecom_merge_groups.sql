-- etl.wecom_merge_groups — WeCom merge step 6: upserts dw.dim_group from the fetched chats (member_version only when the …
--
-- Groups and their members.
CREATE OR REPLACE FUNCTION etl.wecom_merge_groups(p_run bigint,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint,
    OUT dismissed bigint, OUT joins bigint, OUT leaves bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_n bigint;
BEGIN
    WITH up AS (
        INSERT INTO dw.dim_group AS d (chat_id, name, owner_staff_key, created_at, member_version, run_id)
        SELECT DISTINCT ON (g.chat_id) g.chat_id, g.name, s.staff_key, g.created_at,
               CASE WHEN g.members_loaded THEN g.member_version END, p_run
          FROM tmp_wecom_group g LEFT JOIN tmp_wecom_staff_key s ON s.userid = g.owner
         WHERE g.fetched
         ORDER BY g.chat_id
        ON CONFLICT (chat_id) DO UPDATE
           SET name = EXCLUDED.name, owner_staff_key = EXCLUDED.owner_staff_key,
               created_at = COALESCE(EXCLUDED.created_at, d.created_at),
               member_version = COALESCE(EXCLUDED.member_version, d.member_version),
               run_id = p_run
         WHERE (d.name, d.owner_staff_key, d.created_at, d.member_version)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.owner_staff_key,
                                 COALESCE(EXCLUDED.created_at, d.created_at),
                                 COALESCE(EXCLUDED.member_version, d.member_version))
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new)
      INTO inserted, updated FROM up;
    SELECT count(*) - inserted - updated INTO unchanged FROM tmp_wecom_group WHERE fetched;

    -- Dismissed: no longer listed although its owner was asked for (groups of owners who
    -- left the follow list are simply not listed any more: they stay as they are).
    DROP TABLE IF EXISTS tmp_wecom_dismissed;
    CREATE TEMP TABLE tmp_wecom_dismissed ON COMMIT DROP AS
    SELECT d.group_key FROM dw.dim_group d JOIN dw.dim_staff s ON s.staff_key = d.owner_staff_key
     WHERE d.dismissed_at IS NULL
       AND EXISTS (SELECT 1 FROM tmp_wecom_staff t WHERE t.userid = s.userid)
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_group g WHERE g.chat_id = d.chat_id);
    UPDATE dw.dim_group d SET dismissed_at = now(), run_id = p_run
      FROM tmp_wecom_dismissed x WHERE d.group_key = x.group_key;
    GET DIAGNOSTICS dismissed = ROW_COUNT;
    UPDATE dw.fact_group_member m SET left_at = GREATEST(now(), m.joined_at), left_is_exact = false, run_id = p_run
      FROM tmp_wecom_dismissed x WHERE m.group_key = x.group_key AND m.left_at IS NULL;

    -- Members of the groups whose member list changed (and was staged whole).
    DROP TABLE IF EXISTS tmp_wecom_member_src, tmp_wecom_member;
    CREATE TEMP TABLE tmp_wecom_member_src ON COMMIT DROP AS
    SELECT m.* FROM tmp_wecom_group_member m
     WHERE EXISTS (SELECT 1 FROM tmp_wecom_group g WHERE g.chat_id = m.chat_id AND g.members_loaded);
    CREATE TEMP TABLE tmp_wecom_member ON COMMIT DROP AS
    SELECT DISTINCT ON (d.group_key, m.member_type, COALESCE(s.staff_key::bigint, c.customer_key))
           d.group_key, CASE m.member_type WHEN 1 THEN 'staff' ELSE 'customer' END AS member_type,
           CASE WHEN m.member_type = 1 THEN s.staff_key END AS staff_key,
           CASE WHEN m.member_type <> 1 THEN c.customer_key END AS customer_key,
           m.joined_at, m.join_scene
      FROM tmp_wecom_member_src m
      JOIN dw.dim_group d ON d.chat_id = m.chat_id AND d.dismissed_at IS NULL
      LEFT JOIN tmp_wecom_staff_key s ON m.member_type = 1 AND s.userid = m.userid
      LEFT JOIN tmp_wecom_cust c ON m.member_type <> 1 AND c.external_userid = m.userid
     WHERE COALESCE(s.staff_key::bigint, c.customer_key) IS NOT NULL
     ORDER BY d.group_key, m.member_type, COALESCE(s.staff_key::bigint, c.customer_key), m.joined_at DESC;
    CREATE INDEX ON tmp_wecom_member (group_key);
    ANALYZE tmp_wecom_member;

    -- Left: an open span of a reloaded group whose member is gone (detected now), or
    -- who left and joined again between runs (the old span ends at the new join).
    WITH gone AS (
        UPDATE dw.fact_group_member f
           SET left_at = GREATEST(COALESCE(
                   (SELECT x.joined_at FROM tmp_wecom_member x
                     WHERE x.group_key = f.group_key AND x.member_type = f.member_type
                       AND x.staff_key IS NOT DISTINCT FROM f.staff_key
                       AND x.customer_key IS NOT DISTINCT FROM f.customer_key
                       AND x.joined_at > f.joined_at + interval '5 minutes'), now()), f.joined_at),
               left_is_exact = false, run_id = p_run
         WHERE f.left_at IS NULL
           AND f.group_key IN (SELECT d.group_key FROM dw.dim_group d
                                 JOIN tmp_wecom_group g ON g.chat_id = d.chat_id
                                WHERE g.members_loaded AND d.dismissed_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM tmp_wecom_member x
                            WHERE x.group_key = f.group_key AND x.member_type = f.member_type
                              AND x.staff_key IS NOT DISTINCT FROM f.staff_key
                              AND x.customer_key IS NOT DISTINCT FROM f.customer_key
                              AND x.joined_at <= f.joined_at + interval '5 minutes')
        RETURNING 1)
    SELECT count(*) INTO leaves FROM gone;

    -- Joined: a member without an open span, unless a span already ended after this join
    -- (a quit a callback recorded while the list still showed the member).
    WITH ins AS (
        INSERT INTO dw.fact_group_member (group_key, member_type, customer_key, staff_key,
                                          joined_at, join_scene, run_id)
        SELECT x.group_key, x.member_type, x.customer_key, x.staff_key, x.joined_at,
               x.join_scene, p_run
          FROM tmp_wecom_member x
         WHERE NOT EXISTS (SELECT 1 FROM dw.fact_group_member f
                            WHERE f.group_key = x.group_key AND f.member_type = x.member_type
                              AND f.staff_key IS NOT DISTINCT FROM x.staff_key
                              AND f.customer_key IS NOT DISTINCT FROM x.customer_key
                              AND (f.left_at IS NULL OR f.left_at > x.joined_at))
         ORDER BY x.group_key, x.joined_at
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*) INTO joins FROM ins;

    UPDATE dw.fact_group_member f SET join_scene = x.join_scene, run_id = p_run
      FROM tmp_wecom_member x
     WHERE f.left_at IS NULL AND x.group_key = f.group_key AND x.member_type = f.member_type
       AND x.staff_key IS NOT DISTINCT FROM f.staff_key
       AND x.customer_key IS NOT DISTINCT FROM f.customer_key
       AND f.join_scene IS NULL AND x.join_scene IS NOT NULL;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    inserted := inserted + joins;
    updated := updated + dismissed + leaves + v_n;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_groups(bigint) IS
    'WeCom merge step 6: upserts dw.dim_group from the fetched chats (member_version only when the members were loaded); marks dismissed the groups of listed owners that are no longer listed (their open member spans end); for groups whose member list changed, diffs the members against the open spans of dw.fact_group_member: new members open a span at their join_time, missing ones are closed now (left_is_exact false), a later join_time closes the old span and opens a new one, and a span a callback already closed is not reopened';

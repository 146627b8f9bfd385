-- 0020_wecom_load.sql — the WeCom source: staging templates, snapshots, and the
-- set-based merge of one run's snapshot into dw (docs/schema.md "WeCom").
--
-- The loader (load/wecom_load.c) runs, in the source's one transaction:
--   1. CREATE TEMP TABLE tmp_wecom_<x> (LIKE staging.wecom_<x>_in) ON COMMIT DROP for
--      every template below, and COPYs the run's canonical rows into them;
--   2. the callback loader (wecom_events_apply), when built in, on the committed state;
--   3. SELECT * FROM etl.wecom_merge(run, source, timezone), which calls the steps below
--      in order and returns one row of counts per entity.
-- WeCom has no incremental API: each run reads the whole corp, and these functions diff
-- it against the last committed snapshot (etl.wecom_*_snapshot, dw.dim_group's
-- member_version, the open spans of dw.fact_group_member) to derive events.

-- ---------------------------------------------------------------------------------------
-- staging templates (UNLOGGED, always empty; the loader copies their shape into temp tables)
-- ---------------------------------------------------------------------------------------
CREATE UNLOGGED TABLE staging.wecom_staff_in (
    userid text
);
COMMENT ON TABLE staging.wecom_staff_in IS
    'Template of the WeCom follow-user list of one run (get_follow_user_list): one staff userid per row';
COMMENT ON COLUMN staging.wecom_staff_in.userid IS 'WeCom userid of a member with the customer-contact feature';

CREATE UNLOGGED TABLE staging.wecom_contact_in (
    src             text,
    userid          text,
    external_userid text,
    name            text,
    customer_type   smallint,
    gender          smallint,
    unionid         text,
    corp_name       text,
    remark          text,
    description     text,
    createtime      timestamptz,
    add_way         int,
    state           text,
    oper_userid     text
);
COMMENT ON TABLE staging.wecom_contact_in IS
    'Template of the relationships of one run (batch/get_by_user items): one (staff, customer) relationship per row, customer fields repeated';
COMMENT ON COLUMN staging.wecom_contact_in.src IS 'Raw-zone page the record came from (file name), for rejects and lineage';
COMMENT ON COLUMN staging.wecom_contact_in.userid IS 'Staff userid (follow_info.userid)';
COMMENT ON COLUMN staging.wecom_contact_in.external_userid IS 'Customer external_userid';
COMMENT ON COLUMN staging.wecom_contact_in.name IS 'Customer WeChat/WeCom name';
COMMENT ON COLUMN staging.wecom_contact_in.customer_type IS 'external_contact.type: 1 WeChat user, 2 WeCom user';
COMMENT ON COLUMN staging.wecom_contact_in.gender IS 'external_contact.gender: 0 unknown, 1 male, 2 female';
COMMENT ON COLUMN staging.wecom_contact_in.unionid IS 'WeChat unionid when WeCom gives it';
COMMENT ON COLUMN staging.wecom_contact_in.corp_name IS 'Company short name of a WeCom-user customer';
COMMENT ON COLUMN staging.wecom_contact_in.remark IS 'Staff remark for the customer; NULL when empty';
COMMENT ON COLUMN staging.wecom_contact_in.description IS 'Staff description of the customer; NULL when empty';
COMMENT ON COLUMN staging.wecom_contact_in.createtime IS 'When the staff member added the customer (follow_info.createtime)';
COMMENT ON COLUMN staging.wecom_contact_in.add_way IS 'follow_info.add_way code';
COMMENT ON COLUMN staging.wecom_contact_in.state IS 'Channel code (follow_info.state); NULL when empty';
COMMENT ON COLUMN staging.wecom_contact_in.oper_userid IS 'Who initiated the add (staff userid or the customer''s external_userid)';

CREATE UNLOGGED TABLE staging.wecom_contact_tag_in (
    userid          text,
    external_userid text,
    tag_id          text
);
COMMENT ON TABLE staging.wecom_contact_tag_in IS
    'Template of the enterprise tags on the relationships of one run (follow_info.tag_id): one tag per relationship per row';
COMMENT ON COLUMN staging.wecom_contact_tag_in.userid IS 'Staff userid of the relationship';
COMMENT ON COLUMN staging.wecom_contact_tag_in.external_userid IS 'Customer external_userid of the relationship';
COMMENT ON COLUMN staging.wecom_contact_tag_in.tag_id IS 'WeCom tag id';

CREATE UNLOGGED TABLE staging.wecom_contact_phone_in (
    userid          text,
    external_userid text,
    phone_hash      text,
    phone_masked    text
);
COMMENT ON TABLE staging.wecom_contact_phone_in IS
    'Template of the phone numbers staff typed into relationships (follow_info.remark_mobiles), hashed: linked to the customer by identity resolution';
COMMENT ON COLUMN staging.wecom_contact_phone_in.userid IS 'Staff userid of the relationship';
COMMENT ON COLUMN staging.wecom_contact_phone_in.external_userid IS 'Customer external_userid';
COMMENT ON COLUMN staging.wecom_contact_phone_in.phone_hash IS 'Hex HMAC-SHA256 of the normalized number (SIYU_PII_KEY)';
COMMENT ON COLUMN staging.wecom_contact_phone_in.phone_masked IS 'Masked number, e.g. 138****1234';

CREATE UNLOGGED TABLE staging.wecom_contact_skip_in (
    userid          text,
    external_userid text
);
COMMENT ON TABLE staging.wecom_contact_skip_in IS
    'Template of the relationships a run could not read reliably (rejected records, unlicensed staff): their absence must not be taken for a removal';
COMMENT ON COLUMN staging.wecom_contact_skip_in.userid IS 'Staff userid';
COMMENT ON COLUMN staging.wecom_contact_skip_in.external_userid IS 'Customer external_userid; NULL = every relationship of the staff member';

CREATE UNLOGGED TABLE staging.wecom_tag_in (
    tag_id     text,
    name       text,
    group_id   text,
    group_name text,
    created_at timestamptz,
    sort_order bigint
);
COMMENT ON TABLE staging.wecom_tag_in IS 'Template of the corporate tag list of one run (get_corp_tag_list): one tag per row';
COMMENT ON COLUMN staging.wecom_tag_in.tag_id IS 'WeCom tag id';
COMMENT ON COLUMN staging.wecom_tag_in.name IS 'Tag name';
COMMENT ON COLUMN staging.wecom_tag_in.group_id IS 'Tag group id';
COMMENT ON COLUMN staging.wecom_tag_in.group_name IS 'Tag group name';
COMMENT ON COLUMN staging.wecom_tag_in.created_at IS 'Tag create_time';
COMMENT ON COLUMN staging.wecom_tag_in.sort_order IS 'Tag order (larger sorts first)';

CREATE UNLOGGED TABLE staging.wecom_group_in (
    chat_id        text,
    status         int,
    fetched        boolean,
    name           text,
    owner          text,
    created_at     timestamptz,
    member_version text,
    members_loaded boolean
);
COMMENT ON TABLE staging.wecom_group_in IS
    'Template of the customer groups of one run: every chat of groupchat/list, with its groupchat/get details when fetched';
COMMENT ON COLUMN staging.wecom_group_in.chat_id IS 'WeCom chat_id';
COMMENT ON COLUMN staging.wecom_group_in.status IS 'groupchat/list status: 0 normal, 1 owner resigned, 2 transfer in progress, 3 transferred';
COMMENT ON COLUMN staging.wecom_group_in.fetched IS 'True when groupchat/get returned the details below';
COMMENT ON COLUMN staging.wecom_group_in.name IS 'Group name';
COMMENT ON COLUMN staging.wecom_group_in.owner IS 'Owner userid';
COMMENT ON COLUMN staging.wecom_group_in.created_at IS 'Group create_time';
COMMENT ON COLUMN staging.wecom_group_in.member_version IS 'member_version of the member list';
COMMENT ON COLUMN staging.wecom_group_in.members_loaded IS 'True when the members were staged (member_version changed and every member record was valid); false = keep the members as they are';

CREATE UNLOGGED TABLE staging.wecom_group_member_in (
    chat_id        text,
    userid         text,
    member_type    smallint,
    unionid        text,
    joined_at      timestamptz,
    join_scene     int,
    invitor        text,
    group_nickname text,
    state          text
);
COMMENT ON TABLE staging.wecom_group_member_in IS 'Template of the members of the groups whose members changed in one run (groupchat/get member_list)';
COMMENT ON COLUMN staging.wecom_group_member_in.chat_id IS 'WeCom chat_id';
COMMENT ON COLUMN staging.wecom_group_member_in.userid IS 'Member userid (staff) or external_userid (customer)';
COMMENT ON COLUMN staging.wecom_group_member_in.member_type IS '1 staff member, 2 external (customer)';
COMMENT ON COLUMN staging.wecom_group_member_in.unionid IS 'WeChat unionid of an external member when given';
COMMENT ON COLUMN staging.wecom_group_member_in.joined_at IS 'join_time';
COMMENT ON COLUMN staging.wecom_group_member_in.join_scene IS 'join_scene: 1 invited directly, 2 invite link, 3 group QR code';
COMMENT ON COLUMN staging.wecom_group_member_in.invitor IS 'Inviting staff userid when given';
COMMENT ON COLUMN staging.wecom_group_member_in.group_nickname IS 'Nickname in the group';
COMMENT ON COLUMN staging.wecom_group_member_in.state IS 'Join-way channel code when given';

CREATE UNLOGGED TABLE staging.wecom_staff_daily_in (
    userid                text,
    stat_time             timestamptz,
    chat_cnt              int,
    message_cnt           int,
    reply_percentage      numeric,
    avg_reply_time        int,
    negative_feedback_cnt int,
    new_apply_cnt         int,
    new_contact_cnt       int
);
COMMENT ON TABLE staging.wecom_staff_daily_in IS 'Template of the behaviour statistics of one run (get_user_behavior_data, one call per staff member): one staff day per row';
COMMENT ON COLUMN staging.wecom_staff_daily_in.userid IS 'Staff userid the call was made for';
COMMENT ON COLUMN staging.wecom_staff_daily_in.stat_time IS 'stat_time: midnight of the day in China time';
COMMENT ON COLUMN staging.wecom_staff_daily_in.chat_cnt IS 'chat_cnt';
COMMENT ON COLUMN staging.wecom_staff_daily_in.message_cnt IS 'message_cnt';
COMMENT ON COLUMN staging.wecom_staff_daily_in.reply_percentage IS 'reply_percentage (percent); NULL when absent (no chats)';
COMMENT ON COLUMN staging.wecom_staff_daily_in.avg_reply_time IS 'avg_reply_time (minutes); NULL when absent (no chats)';
COMMENT ON COLUMN staging.wecom_staff_daily_in.negative_feedback_cnt IS 'negative_feedback_cnt';
COMMENT ON COLUMN staging.wecom_staff_daily_in.new_apply_cnt IS 'new_apply_cnt';
COMMENT ON COLUMN staging.wecom_staff_daily_in.new_contact_cnt IS 'new_contact_cnt';

CREATE UNLOGGED TABLE staging.wecom_group_daily_in (
    owner          text,
    stat_time      timestamptz,
    new_chat_cnt   int,
    chat_total     int,
    chat_has_msg   int,
    new_member_cnt int,
    member_total   int,
    member_has_msg int,
    msg_total      int
);
COMMENT ON TABLE staging.wecom_group_daily_in IS 'Template of the group statistics of one run (groupchat/statistic_group_by_day, one call per owner): one owner day per row';
COMMENT ON COLUMN staging.wecom_group_daily_in.owner IS 'Owner userid the call was made for';
COMMENT ON COLUMN staging.wecom_group_daily_in.stat_time IS 'stat_time: midnight of the day in China time';
COMMENT ON COLUMN staging.wecom_group_daily_in.new_chat_cnt IS 'new_chat_cnt';
COMMENT ON COLUMN staging.wecom_group_daily_in.chat_total IS 'chat_total';
COMMENT ON COLUMN staging.wecom_group_daily_in.chat_has_msg IS 'chat_has_msg';
COMMENT ON COLUMN staging.wecom_group_daily_in.new_member_cnt IS 'new_member_cnt';
COMMENT ON COLUMN staging.wecom_group_daily_in.member_total IS 'member_total';
COMMENT ON COLUMN staging.wecom_group_daily_in.member_has_msg IS 'member_has_msg';
COMMENT ON COLUMN staging.wecom_group_daily_in.msg_total IS 'msg_total';

-- ---------------------------------------------------------------------------------------
-- snapshots of the last committed run (etl) and the customer profile (dw)
-- ---------------------------------------------------------------------------------------
CREATE TABLE etl.wecom_staff_snapshot (
    source text NOT NULL,
    userid text NOT NULL,
    run_id bigint,
    PRIMARY KEY (source, userid)
);
COMMENT ON TABLE etl.wecom_staff_snapshot IS
    'The follow-user list (get_follow_user_list) of the last committed run of each WeCom source; a userid that drops out sets dw.dim_staff.left_at';
COMMENT ON COLUMN etl.wecom_staff_snapshot.source IS 'Source name ([source.NAME] of pipeline.conf)';
COMMENT ON COLUMN etl.wecom_staff_snapshot.userid IS 'Staff userid';
COMMENT ON COLUMN etl.wecom_staff_snapshot.run_id IS 'The run (etl.run) that last saw it';

CREATE TABLE etl.wecom_contact_snapshot (
    source          text NOT NULL,
    userid          text NOT NULL,
    external_userid text NOT NULL,
    createtime      timestamptz NOT NULL,
    run_id          bigint,
    PRIMARY KEY (source, userid, external_userid)
);
COMMENT ON TABLE etl.wecom_contact_snapshot IS
    'The relationship set of the last committed run of each WeCom source (staff userid, customer external_userid, createtime): the next run diffs against it to derive add and remove events';
COMMENT ON COLUMN etl.wecom_contact_snapshot.source IS 'Source name ([source.NAME] of pipeline.conf)';
COMMENT ON COLUMN etl.wecom_contact_snapshot.userid IS 'Staff userid';
COMMENT ON COLUMN etl.wecom_contact_snapshot.external_userid IS 'Customer external_userid';
COMMENT ON COLUMN etl.wecom_contact_snapshot.createtime IS 'follow_info.createtime as last seen (a later one means the relationship was re-added)';
COMMENT ON COLUMN etl.wecom_contact_snapshot.run_id IS 'The run (etl.run) that last saw the relationship';

CREATE TABLE dw.wecom_customer (
    external_userid text PRIMARY KEY,
    customer_key    bigint NOT NULL REFERENCES dw.dim_customer (customer_key),
    name            text,
    customer_type   smallint,
    gender          smallint,
    corp_name       text,
    first_seen_at   timestamptz NOT NULL,
    run_id          bigint
);
CREATE INDEX wecom_customer_customer_key_idx ON dw.wecom_customer (customer_key);
COMMENT ON TABLE dw.wecom_customer IS
    'WeCom profile of a customer, grain: one external contact (external_userid) as last seen; several rows may share a customer_key after identity merges (kept pointing at the survivor by a trigger on dw.customer_merge)';
COMMENT ON COLUMN dw.wecom_customer.external_userid IS 'WeCom external_userid (stable per corp for a self-built app)';
COMMENT ON COLUMN dw.wecom_customer.customer_key IS 'The customer (dw.dim_customer)';
COMMENT ON COLUMN dw.wecom_customer.name IS 'WeChat or WeCom display name as last seen';
COMMENT ON COLUMN dw.wecom_customer.customer_type IS '1 WeChat user, 2 WeCom user (another company''s staff)';
COMMENT ON COLUMN dw.wecom_customer.gender IS '0 unknown, 1 male, 2 female';
COMMENT ON COLUMN dw.wecom_customer.corp_name IS 'Company short name of a WeCom-user customer';
COMMENT ON COLUMN dw.wecom_customer.first_seen_at IS 'Earliest relationship add or group join seen for the external contact';
COMMENT ON COLUMN dw.wecom_customer.run_id IS 'The run (etl.run) that last wrote the row';

CREATE FUNCTION dw.wecom_customer_follow_merge() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE dw.wecom_customer SET customer_key = NEW.into_key WHERE customer_key = NEW.from_key;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION dw.wecom_customer_follow_merge() IS
    'Trigger on dw.customer_merge: re-points dw.wecom_customer rows of a merged-away customer to the survivor (merges record the merge before deleting the old dim_customer row)';
CREATE TRIGGER wecom_customer_follow_merge AFTER INSERT ON dw.customer_merge
    FOR EACH ROW EXECUTE FUNCTION dw.wecom_customer_follow_merge();

-- ---------------------------------------------------------------------------------------
-- merge steps
-- ---------------------------------------------------------------------------------------

-- Staff: every userid the run saw becomes a dim_staff row; the follow list is diffed.
CREATE FUNCTION etl.wecom_merge_staff(p_run bigint, p_source text,
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

-- Tags: the list is complete, so a tag missing from it was deleted (kept, soft-deleted).
CREATE FUNCTION etl.wecom_merge_tags(p_run bigint,
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

-- Customers: identity resolution over external_userid, unionid and remark phones.
CREATE FUNCTION etl.wecom_merge_customers(p_run bigint,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint, OUT merged bigint)
LANGUAGE plpgsql AS $fn$
BEGIN
    DROP TABLE IF EXISTS tmp_wecom_cust, tmp_id_link;
    CREATE TEMP TABLE tmp_wecom_cust ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY external_userid) AS rec, external_userid,
           min(seen_at) AS seen_at,
           (array_agg(name ORDER BY prio, seen_at DESC) FILTER (WHERE name IS NOT NULL))[1] AS name,
           (array_agg(customer_type ORDER BY prio) FILTER (WHERE customer_type IS NOT NULL))[1] AS customer_type,
           (array_agg(gender ORDER BY prio) FILTER (WHERE gender IS NOT NULL))[1] AS gender,
           (array_agg(corp_name ORDER BY prio) FILTER (WHERE corp_name IS NOT NULL))[1] AS corp_name,
           NULL::bigint AS customer_key, false AS is_new
      FROM (SELECT external_userid, createtime AS seen_at, name, customer_type, gender,
                   corp_name, 1 AS prio
              FROM tmp_wecom_contact
            UNION ALL
            SELECT m.userid, m.joined_at, NULL, NULL, NULL, NULL, 2
              FROM tmp_wecom_group_member m WHERE m.member_type = 2) c
     WHERE external_userid IS NOT NULL AND external_userid <> ''
     GROUP BY external_userid;
    CREATE UNIQUE INDEX ON tmp_wecom_cust (external_userid);

    UPDATE tmp_wecom_cust c SET is_new = true
     WHERE NOT EXISTS (SELECT 1 FROM dw.customer_identity i
                        WHERE (i.id_type, i.platform, i.id_value) = ('external_userid', '', c.external_userid));

    CREATE TEMP TABLE tmp_id_link ON COMMIT DROP AS
    SELECT rec, 'external_userid'::text AS id_type, ''::text AS platform,
           external_userid AS id_value, NULL::text AS display_value, seen_at, 'wecom'::text AS source
      FROM tmp_wecom_cust
    UNION ALL
    SELECT c.rec, 'unionid', '', u.unionid, NULL, c.seen_at, 'wecom'
      FROM tmp_wecom_cust c
      JOIN (SELECT external_userid, unionid FROM tmp_wecom_contact WHERE unionid <> ''
            UNION
            SELECT userid, unionid FROM tmp_wecom_group_member
             WHERE member_type = 2 AND unionid <> '') u USING (external_userid)
    UNION ALL
    SELECT c.rec, 'phone', '', p.phone_hash, p.phone_masked, c.seen_at, 'wecom'
      FROM tmp_wecom_cust c
      JOIN (SELECT DISTINCT external_userid, phone_hash, phone_masked
              FROM tmp_wecom_contact_phone WHERE phone_hash <> '') p USING (external_userid);

    merged := dw.resolve_customers(p_run, 'wecom');

    UPDATE tmp_wecom_cust c SET customer_key = r.customer_key
      FROM tmp_rec_customer r WHERE r.rec = c.rec;
    ANALYZE tmp_wecom_cust;

    WITH up AS (
        INSERT INTO dw.wecom_customer AS w (external_userid, customer_key, name, customer_type,
                                            gender, corp_name, first_seen_at, run_id)
        SELECT external_userid, customer_key, name, customer_type, gender, corp_name, seen_at, p_run
          FROM tmp_wecom_cust
        ON CONFLICT (external_userid) DO UPDATE
           SET customer_key = EXCLUDED.customer_key,
               name = COALESCE(EXCLUDED.name, w.name),
               customer_type = COALESCE(EXCLUDED.customer_type, w.customer_type),
               gender = COALESCE(EXCLUDED.gender, w.gender),
               corp_name = COALESCE(EXCLUDED.corp_name, w.corp_name),
               first_seen_at = LEAST(w.first_seen_at, EXCLUDED.first_seen_at),
               run_id = p_run
         WHERE (w.customer_key, w.name, w.customer_type, w.gender, w.corp_name, w.first_seen_at)
               IS DISTINCT FROM (EXCLUDED.customer_key, COALESCE(EXCLUDED.name, w.name),
                                 COALESCE(EXCLUDED.customer_type, w.customer_type),
                                 COALESCE(EXCLUDED.gender, w.gender),
                                 COALESCE(EXCLUDED.corp_name, w.corp_name),
                                 LEAST(w.first_seen_at, EXCLUDED.first_seen_at))
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE NOT is_new) INTO updated FROM up;
    SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new)
      INTO inserted, unchanged FROM tmp_wecom_cust;
    unchanged := GREATEST(unchanged - updated, 0);
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_customers(bigint) IS
    'WeCom merge step 3: every external contact of the run (relationships and group members) through dw.resolve_customers with its external_userid, unionid and hashed remark phones; writes temp table tmp_wecom_cust(rec, external_userid, customer_key, ...) and upserts dw.wecom_customer';

-- Relationships: the snapshot diff (see docs/schema.md "WeCom relationships").
CREATE FUNCTION etl.wecom_merge_contacts(p_run bigint, p_source text,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint,
    OUT add_events bigint, OUT remove_events bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_reopen bigint;
    v_attr bigint;
    v_gone bigint;
BEGIN
    DROP TABLE IF EXISTS tmp_wecom_rel, tmp_wecom_gone;
    -- This run's relationships, one per (staff, customer).
    CREATE TEMP TABLE tmp_wecom_rel ON COMMIT DROP AS
    SELECT DISTINCT ON (s.staff_key, c.customer_key)
           s.staff_key, c.customer_key, r.userid, r.external_userid, r.createtime, r.add_way,
           r.state, r.remark, p.createtime AS prev_createtime, f.contact_key,
           f.added_at AS f_added_at, f.removed_at AS f_removed_at, NULL::text AS action
      FROM tmp_wecom_contact r
      JOIN tmp_wecom_staff_key s ON s.userid = r.userid
      JOIN tmp_wecom_cust c ON c.external_userid = r.external_userid
      LEFT JOIN etl.wecom_contact_snapshot p
             ON (p.source, p.userid, p.external_userid) = (p_source, r.userid, r.external_userid)
      LEFT JOIN dw.fact_contact f ON (f.staff_key, f.customer_key) = (s.staff_key, c.customer_key)
     ORDER BY s.staff_key, c.customer_key, r.createtime DESC, r.external_userid;

    UPDATE tmp_wecom_rel SET action = CASE
        WHEN contact_key IS NULL THEN 'insert'
        -- closed (by a callback or an earlier diff): only an add after the end reopens it;
        -- a customer who deleted the staff member stays listed as a one-way friend
        WHEN f_removed_at IS NOT NULL AND createtime > f_removed_at THEN 'reopen'
        WHEN f_removed_at IS NOT NULL THEN 'closed'
        -- removed and re-added between two runs: createtime moved past the last snapshot
        WHEN prev_createtime IS NOT NULL AND createtime > prev_createtime
             AND f_added_at <= prev_createtime THEN 'readd'
        ELSE 'active' END;

    WITH ins AS (
        INSERT INTO dw.fact_contact (staff_key, customer_key, added_at, add_way, state, remark,
                                     first_run_id, run_id)
        SELECT staff_key, customer_key, createtime, add_way, state, remark, p_run, p_run
          FROM tmp_wecom_rel WHERE action = 'insert'
        ORDER BY createtime, staff_key, customer_key
        RETURNING 1)
    SELECT count(*) INTO inserted FROM ins;

    -- The removal that a re-add between runs implies: detected, just before the re-add.
    INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key,
                                       time_is_exact, removed_by, origin, run_id)
    SELECT staff_key, customer_key, 'remove', t, dw.date_key_of(t), false, 'unknown', 'snapshot', p_run
      FROM (SELECT staff_key, customer_key,
                   GREATEST(createtime - interval '1 second', f_added_at) AS t
              FROM tmp_wecom_rel WHERE action = 'readd') r
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS remove_events = ROW_COUNT;

    UPDATE dw.fact_contact f
       SET added_at = r.createtime, removed_at = NULL, removed_by = NULL,
           add_way = r.add_way, state = r.state, remark = r.remark, run_id = p_run
      FROM tmp_wecom_rel r
     WHERE f.contact_key = r.contact_key AND r.action IN ('reopen', 'readd');
    GET DIAGNOSTICS v_reopen = ROW_COUNT;

    UPDATE dw.fact_contact f
       SET add_way = r.add_way, state = r.state, remark = r.remark, run_id = p_run
      FROM tmp_wecom_rel r
     WHERE f.contact_key = r.contact_key AND r.action = 'active'
       AND (f.add_way, f.state, f.remark) IS DISTINCT FROM (r.add_way, r.state, r.remark);
    GET DIAGNOSTICS v_attr = ROW_COUNT;

    -- Adds at their exact createtime: new relationships (on a first run, all of them:
    -- history, dated when they happened) and re-adds.
    INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key,
                                       time_is_exact, removed_by, origin, run_id)
    SELECT staff_key, customer_key, 'add', createtime, dw.date_key_of(createtime), true, NULL,
           'snapshot', p_run
      FROM tmp_wecom_rel WHERE action IN ('insert', 'reopen', 'readd')
     ORDER BY createtime, staff_key, customer_key
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS add_events = ROW_COUNT;

    -- Vanished since the last snapshot: the staff member deleted the customer (detected
    -- now), unless the whole staff member left the follow list (then: unknown).
    CREATE TEMP TABLE tmp_wecom_gone ON COMMIT DROP AS
    SELECT f.contact_key, f.staff_key, f.customer_key,
           CASE WHEN EXISTS (SELECT 1 FROM tmp_wecom_staff t WHERE t.userid = p.userid)
                THEN 'staff' ELSE 'unknown' END AS removed_by
      FROM etl.wecom_contact_snapshot p
      JOIN dw.dim_staff s ON s.userid = p.userid
      JOIN dw.customer_identity i
        ON (i.id_type, i.platform, i.id_value) = ('external_userid', '', p.external_userid)
      JOIN dw.fact_contact f ON (f.staff_key, f.customer_key) = (s.staff_key, i.customer_key)
     WHERE p.source = p_source AND f.removed_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_contact c
                        WHERE (c.userid, c.external_userid) = (p.userid, p.external_userid))
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_rel r
                        WHERE (r.staff_key, r.customer_key) = (f.staff_key, f.customer_key))
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_contact_skip k
                        WHERE k.userid = p.userid
                          AND (k.external_userid IS NULL OR k.external_userid = p.external_userid));

    UPDATE dw.fact_contact f SET removed_at = now(), removed_by = g.removed_by, run_id = p_run
      FROM tmp_wecom_gone g WHERE f.contact_key = g.contact_key;
    GET DIAGNOSTICS v_gone = ROW_COUNT;

    INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key,
                                       time_is_exact, removed_by, origin, run_id)
    SELECT staff_key, customer_key, 'remove', now(), dw.date_key_of(now()), false, removed_by,
           'snapshot', p_run
      FROM tmp_wecom_gone
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_gone = ROW_COUNT;
    remove_events := remove_events + v_gone;

    updated := v_reopen + v_attr + (SELECT count(*) FROM tmp_wecom_gone);
    SELECT count(*) FILTER (WHERE action IN ('active', 'closed')) - v_attr INTO unchanged
      FROM tmp_wecom_rel;

    -- The earliest relationship of each customer (the KPI's "new to the private domain").
    UPDATE dw.dim_customer d SET first_contact_at = r.first_add, updated_run_id = p_run
      FROM (SELECT customer_key, min(createtime) AS first_add FROM tmp_wecom_rel
             GROUP BY customer_key) r
     WHERE d.customer_key = r.customer_key
       AND (d.first_contact_at IS NULL OR r.first_add < d.first_contact_at);

    -- The snapshot: this run's relationships, plus the previous rows of those it could not read.
    DELETE FROM etl.wecom_contact_snapshot p
     WHERE p.source = p_source
       AND NOT EXISTS (SELECT 1 FROM tmp_wecom_contact_skip k
                        WHERE k.userid = p.userid
                          AND (k.external_userid IS NULL OR k.external_userid = p.external_userid));
    INSERT INTO etl.wecom_contact_snapshot (source, userid, external_userid, createtime, run_id)
    SELECT DISTINCT ON (userid, external_userid) p_source, userid, external_userid, createtime, p_run
      FROM tmp_wecom_contact
     WHERE userid <> '' AND external_userid <> ''
     ORDER BY userid, external_userid, createtime DESC
    ON CONFLICT (source, userid, external_userid) DO UPDATE
       SET createtime = EXCLUDED.createtime, run_id = EXCLUDED.run_id;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_contacts(bigint, text) IS
    'WeCom merge step 4: diffs the run''s relationships (tmp_wecom_contact) against etl.wecom_contact_snapshot and dw.fact_contact: new ones are inserted with an add event at their exact createtime; a closed row reopens only when createtime is later than removed_at (a customer who deleted the staff member stays listed and is not reopened); a createtime that moved past the last snapshot is a re-add between runs (a detected remove just before it, then the add); relationships that vanished are closed now with a detected remove event (removed_by staff, or unknown when the staff member left the follow list); relationships in tmp_wecom_contact_skip are left alone; then the snapshot is replaced';

-- Tags on relationships as validity spans.
CREATE FUNCTION etl.wecom_merge_contact_tags(p_run bigint,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql AS $fn$
BEGIN
    DROP TABLE IF EXISTS tmp_wecom_tagged;
    CREATE TEMP TABLE tmp_wecom_tagged ON COMMIT DROP AS
    SELECT DISTINCT c.customer_key, d.tag_key, s.staff_key
      FROM tmp_wecom_contact_tag t
      JOIN tmp_wecom_staff_key s ON s.userid = t.userid
      JOIN tmp_wecom_cust c ON c.external_userid = t.external_userid
      JOIN dw.dim_tag d ON d.tag_id = t.tag_id;

    -- Open spans that this run does not see any more end now, except on relationships
    -- this run could not read.
    WITH closed AS (
        UPDATE dw.bridge_customer_tag b SET valid_to = GREATEST(now(), b.valid_from), run_id = p_run
         WHERE b.valid_to IS NULL
           AND NOT EXISTS (SELECT 1 FROM tmp_wecom_tagged t
                            WHERE (t.customer_key, t.tag_key, t.staff_key)
                                = (b.customer_key, b.tag_key, b.staff_key))
           AND NOT EXISTS (SELECT 1 FROM tmp_wecom_contact_skip k
                             JOIN dw.dim_staff s ON s.userid = k.userid
                             LEFT JOIN dw.customer_identity i
                               ON (i.id_type, i.platform, i.id_value) = ('external_userid', '', k.external_userid)
                            WHERE s.staff_key = b.staff_key
                              AND (k.external_userid IS NULL OR i.customer_key = b.customer_key))
        RETURNING 1)
    SELECT count(*) INTO updated FROM closed;

    WITH ins AS (
        INSERT INTO dw.bridge_customer_tag (customer_key, tag_key, staff_key, valid_from, run_id)
        SELECT t.customer_key, t.tag_key, t.staff_key, now(), p_run
          FROM tmp_wecom_tagged t
         WHERE NOT EXISTS (SELECT 1 FROM dw.bridge_customer_tag b
                            WHERE (b.customer_key, b.tag_key, b.staff_key)
                                = (t.customer_key, t.tag_key, t.staff_key)
                              AND b.valid_to IS NULL)
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*) INTO inserted FROM ins;
    SELECT count(*) - inserted INTO unchanged FROM tmp_wecom_tagged;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_contact_tags(bigint) IS
    'WeCom merge step 5: dw.bridge_customer_tag as validity spans: a tag seen on a relationship without an open span opens one (valid_from = now), an open span not seen any more closes (valid_to = now), except on relationships listed in tmp_wecom_contact_skip';

-- Groups and their members.
CREATE FUNCTION etl.wecom_merge_groups(p_run bigint,
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

-- Daily statistics: the last N days are re-pulled and upserted.
CREATE FUNCTION etl.wecom_merge_stats(p_run bigint, p_tz text,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_ins bigint;
    v_upd bigint;
    v_all bigint;
BEGIN
    WITH src AS (
        SELECT DISTINCT ON (s.staff_key, d.date_key) s.staff_key, d.date_key, d.chat_cnt,
               d.message_cnt, round(d.reply_percentage, 2) AS reply_percentage, d.avg_reply_time,
               d.negative_feedback_cnt, d.new_apply_cnt, d.new_contact_cnt
          FROM (SELECT *, to_char(stat_time AT TIME ZONE p_tz, 'YYYYMMDD')::int AS date_key
                  FROM tmp_wecom_staff_daily) d
          JOIN tmp_wecom_staff_key s ON s.userid = d.userid
         ORDER BY s.staff_key, d.date_key),
    up AS (
        INSERT INTO dw.fact_staff_daily AS f (staff_key, date_key, chat_cnt, message_cnt,
            reply_percentage, avg_reply_time_minutes, negative_feedback_cnt, new_apply_cnt,
            new_contact_cnt, run_id)
        SELECT staff_key, date_key, chat_cnt, message_cnt, reply_percentage, avg_reply_time,
               negative_feedback_cnt, new_apply_cnt, new_contact_cnt, p_run FROM src
        ON CONFLICT (staff_key, date_key) DO UPDATE
           SET chat_cnt = EXCLUDED.chat_cnt, message_cnt = EXCLUDED.message_cnt,
               reply_percentage = EXCLUDED.reply_percentage,
               avg_reply_time_minutes = EXCLUDED.avg_reply_time_minutes,
               negative_feedback_cnt = EXCLUDED.negative_feedback_cnt,
               new_apply_cnt = EXCLUDED.new_apply_cnt, new_contact_cnt = EXCLUDED.new_contact_cnt,
               run_id = p_run
         WHERE (f.chat_cnt, f.message_cnt, f.reply_percentage, f.avg_reply_time_minutes,
                f.negative_feedback_cnt, f.new_apply_cnt, f.new_contact_cnt)
               IS DISTINCT FROM (EXCLUDED.chat_cnt, EXCLUDED.message_cnt, EXCLUDED.reply_percentage,
                                 EXCLUDED.avg_reply_time_minutes, EXCLUDED.negative_feedback_cnt,
                                 EXCLUDED.new_apply_cnt, EXCLUDED.new_contact_cnt)
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new), (SELECT count(*) FROM src)
      INTO v_ins, v_upd, v_all FROM up;
    inserted := v_ins;
    updated := v_upd;
    unchanged := v_all - v_ins - v_upd;

    WITH src AS (
        SELECT DISTINCT ON (s.staff_key, d.date_key) s.staff_key, d.date_key, d.new_chat_cnt,
               d.chat_total, d.chat_has_msg, d.new_member_cnt, d.member_total, d.member_has_msg,
               d.msg_total
          FROM (SELECT *, to_char(stat_time AT TIME ZONE p_tz, 'YYYYMMDD')::int AS date_key
                  FROM tmp_wecom_group_daily) d
          JOIN tmp_wecom_staff_key s ON s.userid = d.owner
         ORDER BY s.staff_key, d.date_key),
    up AS (
        INSERT INTO dw.fact_group_daily AS f (owner_staff_key, date_key, new_chat_cnt, chat_total,
            chat_has_msg, new_member_cnt, member_total, member_has_msg, msg_total, run_id)
        SELECT staff_key, date_key, new_chat_cnt, chat_total, chat_has_msg, new_member_cnt,
               member_total, member_has_msg, msg_total, p_run FROM src
        ON CONFLICT (owner_staff_key, date_key) DO UPDATE
           SET new_chat_cnt = EXCLUDED.new_chat_cnt, chat_total = EXCLUDED.chat_total,
               chat_has_msg = EXCLUDED.chat_has_msg, new_member_cnt = EXCLUDED.new_member_cnt,
               member_total = EXCLUDED.member_total, member_has_msg = EXCLUDED.member_has_msg,
               msg_total = EXCLUDED.msg_total, run_id = p_run
         WHERE (f.new_chat_cnt, f.chat_total, f.chat_has_msg, f.new_member_cnt, f.member_total,
                f.member_has_msg, f.msg_total)
               IS DISTINCT FROM (EXCLUDED.new_chat_cnt, EXCLUDED.chat_total, EXCLUDED.chat_has_msg,
                                 EXCLUDED.new_member_cnt, EXCLUDED.member_total,
                                 EXCLUDED.member_has_msg, EXCLUDED.msg_total)
        RETURNING (xmax = 0) AS is_new)
    SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new), (SELECT count(*) FROM src)
      INTO v_ins, v_upd, v_all FROM up;
    inserted := inserted + v_ins;
    updated := updated + v_upd;
    unchanged := unchanged + v_all - v_ins - v_upd;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge_stats(bigint, text) IS
    'WeCom merge step 7: upserts dw.fact_staff_daily and dw.fact_group_daily from the run''s re-pulled days (date_key = stat_time''s date in zone p_tz); a day whose numbers did not change is left alone';

-- All steps, in order.
CREATE FUNCTION etl.wecom_merge(p_run bigint, p_source text, p_tz text)
RETURNS TABLE (entity text, inserted bigint, updated bigint, unchanged bigint, detail text)
LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
BEGIN
    SELECT * INTO r FROM etl.wecom_merge_staff(p_run, p_source);
    RETURN QUERY SELECT 'staff'::text, r.inserted, r.updated, r.unchanged, NULL::text;
    SELECT * INTO r FROM etl.wecom_merge_tags(p_run);
    RETURN QUERY SELECT 'tags'::text, r.inserted, r.updated, r.unchanged, NULL::text;
    SELECT * INTO r FROM etl.wecom_merge_customers(p_run);
    RETURN QUERY SELECT 'customers'::text, r.inserted, r.updated, r.unchanged,
                        format('merged=%s', r.merged);
    SELECT * INTO r FROM etl.wecom_merge_contacts(p_run, p_source);
    RETURN QUERY SELECT 'contacts'::text, r.inserted, r.updated, r.unchanged,
                        format('add_events=%s remove_events=%s', r.add_events, r.remove_events);
    SELECT * INTO r FROM etl.wecom_merge_contact_tags(p_run);
    RETURN QUERY SELECT 'contact_tags'::text, r.inserted, r.updated, r.unchanged, NULL::text;
    SELECT * INTO r FROM etl.wecom_merge_groups(p_run);
    RETURN QUERY SELECT 'groups'::text, r.inserted, r.updated, r.unchanged,
                        format('dismissed=%s joins=%s leaves=%s', r.dismissed, r.joins, r.leaves);
    SELECT * INTO r FROM etl.wecom_merge_stats(p_run, p_tz);
    RETURN QUERY SELECT 'stats'::text, r.inserted, r.updated, r.unchanged, NULL::text;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_merge(bigint, text, text) IS
    'Merges one WeCom run staged in the temp tables tmp_wecom_* (shaped like staging.wecom_*_in) into dw, in order: staff, tags, customers (identity resolution), relationships and their events, relationship tags, groups and members, daily statistics; one row of counts per entity (p_tz: zone of the statistics'' days)';

DO $$ BEGIN PERFORM etl.apply_privileges(); END $$;

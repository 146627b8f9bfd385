-- 0020_wecom_load.sql — the WeCom source: staging templates and snapshots; the set-based
-- merge of one run's snapshot into dw is functions/etl.wecom_merge*.sql (docs/schema.md "WeCom").
--
-- The loader (load/wecom_load.c) runs, in the source's one transaction:
--   1. CREATE TEMP TABLE tmp_wecom_<x> (LIKE staging.wecom_<x>_in) ON COMMIT DROP for
--      every template below, and COPYs the run's canonical rows into them;
--   2. the callback loader (wecom_events_apply), when built in, on the committed state;
--   3. SELECT * FROM etl.wecom_merge(run, source, timezone), which calls the steps
--      (etl.wecom_merge_staff, _tags, _customers, _contacts, _contact_tags, _groups, _stats)
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

-- 0220_actions.sql — the morning's work (docs/actions.md): audience definitions and the record
-- of what `siyu push` wrote back to WeCom.
--
-- etl.audience mirrors the [audience.NAME] sections of pipeline.conf (siyu migrate and siyu run
-- write it); kpi.audience_members (sql/kpi/audience.sql) evaluates it at every refresh.
-- etl.push, etl.push_log, etl.push_tag and etl.push_member are written by `siyu push` only.

CREATE TABLE etl.audience (
    name              text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]*$'),
    title             text,
    segments          text[],
    tags              text[],
    states            text[],
    platforms         text[],
    first_order_month date CHECK (first_order_month = date_trunc('month', first_order_month)::date),
    min_orders        int CHECK (min_orders >= 1),
    min_paid_fen      bigint CHECK (min_paid_fen >= 0),
    in_group          text NOT NULL DEFAULT 'any' CHECK (in_group IN ('any', 'yes', 'no', 'never')),
    push_tag          text CHECK (push_tag <> ''),
    message           text CHECK (message IS NULL OR push_tag IS NOT NULL),
    defined_at        text,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.audience IS
    'Audience definitions, one per [audience.NAME] section of pipeline.conf (written by siyu migrate and siyu run, '
    'which also delete the audiences no longer configured). Every criterion that is set must hold (AND); NULL = no restriction. '
    'kpi.audience_members evaluates them at each refresh; kpi.audience shows them to BI readers';
COMMENT ON COLUMN etl.audience.name IS 'Audience name ([audience.NAME]): lowercase letters, digits, _ and -';
COMMENT ON COLUMN etl.audience.title IS 'Display title (title = ...), e.g. 天猫A类未进群';
COMMENT ON COLUMN etl.audience.segments IS 'RFM segment codes of kpi.customer_value (segment = ...); the customer''s segment is one of them';
COMMENT ON COLUMN etl.audience.tags IS 'WeCom corporate tag names (tag = ...); one of them is on an active relationship of the customer';
COMMENT ON COLUMN etl.audience.states IS 'Channel codes (state = ...); a relationship of the customer, active or not, was added through one of them';
COMMENT ON COLUMN etl.audience.platforms IS 'Platforms (platform = ...); the customer has a qualifying order in a shop of one of them';
COMMENT ON COLUMN etl.audience.first_order_month IS 'First day of the month (first_order_month = YYYY-MM) of the customer''s first qualifying order';
COMMENT ON COLUMN etl.audience.min_orders IS 'At least this many qualifying orders (min_orders = ...)';
COMMENT ON COLUMN etl.audience.min_paid_fen IS 'At least this total paid, net of refunds, in fen (min_paid = ... yuan)';
COMMENT ON COLUMN etl.audience.in_group IS 'Customer groups (in_group = ...): any; yes = a member of a customer group now; no = not a member now; never = never joined one';
COMMENT ON COLUMN etl.audience.push_tag IS 'WeCom corporate tag siyu push writes on the members'' owner relationships (push_tag = ...); NULL = not pushed';
COMMENT ON COLUMN etl.audience.message IS 'Text of the group-message task siyu push creates per staff member for newly tagged members (message = ...); NULL = none';
COMMENT ON COLUMN etl.audience.defined_at IS 'Where the audience is defined, file:line of its section';
COMMENT ON COLUMN etl.audience.updated_at IS 'When the definition last changed';

CREATE TABLE etl.push (
    push_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    dry_run     boolean NOT NULL,
    source      text NOT NULL,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    tagged      int NOT NULL DEFAULT 0,
    untagged    int NOT NULL DEFAULT 0,
    skipped     int NOT NULL DEFAULT 0,
    tasks       int NOT NULL DEFAULT 0,
    error       text
);
COMMENT ON TABLE etl.push IS 'One row per siyu push: audiences written back to WeCom as customer tags';
COMMENT ON COLUMN etl.push.push_id IS 'Surrogate key of the push';
COMMENT ON COLUMN etl.push.started_at IS 'When the push started';
COMMENT ON COLUMN etl.push.finished_at IS 'When it finished; NULL while running or after a crash (the next push simply continues)';
COMMENT ON COLUMN etl.push.dry_run IS 'true for siyu push --dry-run: only the tag list was read, nothing was changed';
COMMENT ON COLUMN etl.push.source IS 'The WeCom source ([source.NAME], [actions] push_source) whose app was called';
COMMENT ON COLUMN etl.push.status IS 'running, succeeded or failed';
COMMENT ON COLUMN etl.push.tagged IS 'Relationships tagged (mark_tag add_tag succeeded)';
COMMENT ON COLUMN etl.push.untagged IS 'Relationships untagged because the customer left the audience (mark_tag remove_tag)';
COMMENT ON COLUMN etl.push.skipped IS 'Relationships WeCom refused as gone (84061, 40096, 60111): logged, retried at the next push';
COMMENT ON COLUMN etl.push.tasks IS 'Group-message tasks created (add_msg_template)';
COMMENT ON COLUMN etl.push.error IS 'Why the push failed; NULL otherwise';

CREATE TABLE etl.push_log (
    push_log_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    push_id     bigint NOT NULL REFERENCES etl.push (push_id),
    called_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    audience    text,
    endpoint    text NOT NULL,
    request     jsonb,
    errcode     int,
    errmsg      text,
    result      jsonb
);
CREATE INDEX push_log_push_id_idx ON etl.push_log (push_id);
COMMENT ON TABLE etl.push_log IS
    'Every WeCom call siyu push made (and, for --dry-run, the ones it would have made, errcode NULL), in order, each committed as soon as it returned';
COMMENT ON COLUMN etl.push_log.push_log_id IS 'Surrogate key, in call order';
COMMENT ON COLUMN etl.push_log.push_id IS 'The push (etl.push)';
COMMENT ON COLUMN etl.push_log.called_at IS 'When the answer arrived';
COMMENT ON COLUMN etl.push_log.audience IS 'The audience the call was for (NULL for the tag list)';
COMMENT ON COLUMN etl.push_log.endpoint IS 'externalcontact/get_corp_tag_list, add_corp_tag, mark_tag or add_msg_template';
COMMENT ON COLUMN etl.push_log.request IS 'The request body (the access token is never in it)';
COMMENT ON COLUMN etl.push_log.errcode IS 'WeCom errcode of the answer (0 = ok); NULL = not called (dry run) or no answer';
COMMENT ON COLUMN etl.push_log.errmsg IS 'WeCom errmsg, or why there was no answer';
COMMENT ON COLUMN etl.push_log.result IS 'What the answer gave: the tag id, the task''s msgid and fail_list';

CREATE TABLE etl.push_tag (
    audience   text PRIMARY KEY,
    group_name text NOT NULL,
    tag_name   text NOT NULL,
    tag_id     text NOT NULL,
    created    boolean NOT NULL,
    push_id    bigint REFERENCES etl.push (push_id),
    found_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.push_tag IS 'The WeCom corporate tag each pushed audience is written as, found in or added to the tag group';
COMMENT ON COLUMN etl.push_tag.audience IS 'Audience (etl.audience.name)';
COMMENT ON COLUMN etl.push_tag.group_name IS 'Tag group ([actions] push_tag_group)';
COMMENT ON COLUMN etl.push_tag.tag_name IS 'Tag name (etl.audience.push_tag)';
COMMENT ON COLUMN etl.push_tag.tag_id IS 'WeCom tag id';
COMMENT ON COLUMN etl.push_tag.created IS 'true when siyu push added the tag (add_corp_tag), false when it already existed';
COMMENT ON COLUMN etl.push_tag.push_id IS 'The push that found or added it';
COMMENT ON COLUMN etl.push_tag.found_at IS 'When';

CREATE TABLE etl.push_member (
    audience         text NOT NULL,
    userid           text NOT NULL,
    external_userid  text NOT NULL,
    tag_id           text NOT NULL,
    customer_key     bigint,
    push_id          bigint NOT NULL REFERENCES etl.push (push_id),
    tagged_at        timestamptz NOT NULL DEFAULT now(),
    messaged_push_id bigint REFERENCES etl.push (push_id),
    PRIMARY KEY (audience, userid, external_userid)
);
COMMENT ON TABLE etl.push_member IS
    'The relationships siyu push has tagged (mark_tag succeeded) and not untagged since: what the next push compares an audience with';
COMMENT ON COLUMN etl.push_member.audience IS 'Audience (etl.audience.name)';
COMMENT ON COLUMN etl.push_member.userid IS 'Staff userid of the tagged relationship (the customer''s owner)';
COMMENT ON COLUMN etl.push_member.external_userid IS 'Customer external_userid of the tagged relationship';
COMMENT ON COLUMN etl.push_member.tag_id IS 'The WeCom tag id written';
COMMENT ON COLUMN etl.push_member.customer_key IS 'Customer (dw.dim_customer) at the time of the push';
COMMENT ON COLUMN etl.push_member.push_id IS 'The push that tagged it';
COMMENT ON COLUMN etl.push_member.tagged_at IS 'When mark_tag succeeded';
COMMENT ON COLUMN etl.push_member.messaged_push_id IS 'The push whose group-message task included this customer; NULL = not yet';

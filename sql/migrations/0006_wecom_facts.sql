-- 0006_wecom_facts.sql — WeCom facts: relationships, add/remove events, group membership
-- spans and the daily behaviour statistics (docs/schema.md "Facts").

CREATE TABLE dw.fact_contact (
    contact_key  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_key    int NOT NULL REFERENCES dw.dim_staff (staff_key),
    customer_key bigint NOT NULL REFERENCES dw.dim_customer (customer_key),
    added_at     timestamptz NOT NULL,
    add_way      int,
    state        text,
    remark       text,
    removed_at   timestamptz,
    removed_by   text CHECK (removed_by IN ('staff', 'customer', 'unknown')),
    first_run_id bigint,
    run_id       bigint,
    UNIQUE (staff_key, customer_key)
);
CREATE INDEX fact_contact_customer_key_idx ON dw.fact_contact (customer_key);
COMMENT ON TABLE dw.fact_contact IS
    'Accumulating snapshot of WeCom relationships, grain: one (staff, customer) relationship; removed_at set when it ends';
COMMENT ON COLUMN dw.fact_contact.contact_key IS 'Surrogate key of the relationship';
COMMENT ON COLUMN dw.fact_contact.staff_key IS 'Staff member (dw.dim_staff)';
COMMENT ON COLUMN dw.fact_contact.customer_key IS 'Customer (dw.dim_customer); re-pointed on customer merges';
COMMENT ON COLUMN dw.fact_contact.added_at IS 'When the staff member added the customer (WeCom createtime)';
COMMENT ON COLUMN dw.fact_contact.add_way IS 'WeCom add_way code (how the customer was added, e.g. 1 QR code, 3 search phone)';
COMMENT ON COLUMN dw.fact_contact.state IS 'Channel code (WeCom state of the contact way) the customer was added through';
COMMENT ON COLUMN dw.fact_contact.remark IS 'Staff member''s remark for the customer as last seen';
COMMENT ON COLUMN dw.fact_contact.removed_at IS 'When the relationship ended; NULL = active';
COMMENT ON COLUMN dw.fact_contact.removed_by IS 'Who ended the relationship: staff, customer or unknown; NULL while active';
COMMENT ON COLUMN dw.fact_contact.first_run_id IS 'The run (etl.run) that first loaded the relationship';
COMMENT ON COLUMN dw.fact_contact.run_id IS 'The run (etl.run) that last wrote the row';

CREATE TABLE dw.fact_contact_event (
    event_key     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_key     int NOT NULL REFERENCES dw.dim_staff (staff_key),
    customer_key  bigint NOT NULL REFERENCES dw.dim_customer (customer_key),
    event_type    text NOT NULL CHECK (event_type IN ('add', 'remove')),
    occurred_at   timestamptz NOT NULL,
    date_key      int REFERENCES dw.dim_date (date_key),
    time_is_exact boolean NOT NULL,
    removed_by    text CHECK (removed_by IN ('staff', 'customer', 'unknown')),
    origin        text CHECK (origin IN ('snapshot', 'callback')),
    run_id        bigint,
    UNIQUE (staff_key, customer_key, event_type, occurred_at)
);
CREATE INDEX fact_contact_event_date_key_idx ON dw.fact_contact_event (date_key);
CREATE INDEX fact_contact_event_customer_key_idx ON dw.fact_contact_event (customer_key);
COMMENT ON TABLE dw.fact_contact_event IS
    'Transaction fact of WeCom relationship events, grain: one add or remove of a (staff, customer) relationship';
COMMENT ON COLUMN dw.fact_contact_event.event_key IS 'Surrogate key of the event';
COMMENT ON COLUMN dw.fact_contact_event.staff_key IS 'Staff member (dw.dim_staff)';
COMMENT ON COLUMN dw.fact_contact_event.customer_key IS 'Customer (dw.dim_customer); re-pointed on customer merges';
COMMENT ON COLUMN dw.fact_contact_event.event_type IS 'add or remove';
COMMENT ON COLUMN dw.fact_contact_event.occurred_at IS 'When the event happened (exact) or was detected (snapshot diff), see time_is_exact';
COMMENT ON COLUMN dw.fact_contact_event.date_key IS 'Business date of occurred_at, yyyymmdd in the business time zone (dw.dim_date)';
COMMENT ON COLUMN dw.fact_contact_event.time_is_exact IS 'True if occurred_at is the platform''s time; false if it is the snapshot that detected the change';
COMMENT ON COLUMN dw.fact_contact_event.removed_by IS 'For remove events: staff, customer or unknown; NULL for add';
COMMENT ON COLUMN dw.fact_contact_event.origin IS 'How the event was learnt: snapshot (diff of two contact snapshots) or callback (WeCom change callback)';
COMMENT ON COLUMN dw.fact_contact_event.run_id IS 'The run (etl.run) that wrote the row';

CREATE TABLE dw.fact_group_member (
    member_span_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_key       bigint NOT NULL REFERENCES dw.dim_group (group_key),
    member_type     text NOT NULL CHECK (member_type IN ('customer', 'staff')),
    customer_key    bigint REFERENCES dw.dim_customer (customer_key),
    staff_key       int REFERENCES dw.dim_staff (staff_key),
    joined_at       timestamptz NOT NULL,
    join_scene      int,
    left_at         timestamptz,
    quit_scene      int,
    left_is_exact   boolean,
    run_id          bigint,
    CONSTRAINT fact_group_member_member_check CHECK (
        (member_type = 'customer' AND customer_key IS NOT NULL AND staff_key IS NULL)
     OR (member_type = 'staff' AND staff_key IS NOT NULL AND customer_key IS NULL))
);
CREATE UNIQUE INDEX fact_group_member_customer_uq
    ON dw.fact_group_member (group_key, customer_key, joined_at);
CREATE UNIQUE INDEX fact_group_member_staff_uq
    ON dw.fact_group_member (group_key, staff_key, joined_at);
CREATE INDEX fact_group_member_customer_key_idx ON dw.fact_group_member (customer_key);
COMMENT ON TABLE dw.fact_group_member IS
    'Group membership spans, grain: one stay of one member (customer or staff) in one WeCom group, from join to leave';
COMMENT ON COLUMN dw.fact_group_member.member_span_key IS 'Surrogate key of the membership span';
COMMENT ON COLUMN dw.fact_group_member.group_key IS 'The group (dw.dim_group)';
COMMENT ON COLUMN dw.fact_group_member.member_type IS 'customer (external member) or staff (internal member)';
COMMENT ON COLUMN dw.fact_group_member.customer_key IS 'Member customer (dw.dim_customer) when member_type = customer, else NULL; re-pointed on merges';
COMMENT ON COLUMN dw.fact_group_member.staff_key IS 'Member staff (dw.dim_staff) when member_type = staff, else NULL';
COMMENT ON COLUMN dw.fact_group_member.joined_at IS 'When the member joined (WeCom join_time)';
COMMENT ON COLUMN dw.fact_group_member.join_scene IS 'WeCom join_scene code: 1 invited directly, 2 via link, 3 via QR code';
COMMENT ON COLUMN dw.fact_group_member.left_at IS 'When the member left (or the snapshot that found them gone); NULL = still a member';
COMMENT ON COLUMN dw.fact_group_member.quit_scene IS 'WeCom quit_scene code when known from a callback: 0 removed by owner, 1 left';
COMMENT ON COLUMN dw.fact_group_member.left_is_exact IS 'True if left_at is the platform''s time, false if detected by snapshot diff; NULL while a member';
COMMENT ON COLUMN dw.fact_group_member.run_id IS 'The run (etl.run) that last wrote the row';

CREATE TABLE dw.fact_staff_daily (
    staff_key              int NOT NULL REFERENCES dw.dim_staff (staff_key),
    date_key               int NOT NULL REFERENCES dw.dim_date (date_key),
    chat_cnt               int,
    message_cnt            int,
    reply_percentage       numeric(5,2),
    avg_reply_time_minutes int,
    negative_feedback_cnt  int,
    new_apply_cnt          int,
    new_contact_cnt        int,
    run_id                 bigint,
    PRIMARY KEY (staff_key, date_key)
);
CREATE INDEX fact_staff_daily_date_key_idx ON dw.fact_staff_daily (date_key);
COMMENT ON TABLE dw.fact_staff_daily IS
    'Periodic snapshot of WeCom contact behaviour statistics, grain: one staff member per business day; recent days are re-pulled and upserted';
COMMENT ON COLUMN dw.fact_staff_daily.staff_key IS 'Staff member (dw.dim_staff)';
COMMENT ON COLUMN dw.fact_staff_daily.date_key IS 'Business day, yyyymmdd in the business time zone (dw.dim_date)';
COMMENT ON COLUMN dw.fact_staff_daily.chat_cnt IS 'Chats (conversations) with customers that day';
COMMENT ON COLUMN dw.fact_staff_daily.message_cnt IS 'Messages sent to customers that day';
COMMENT ON COLUMN dw.fact_staff_daily.reply_percentage IS 'Percent (0..100) of customer-initiated chats replied to within 24 hours; NULL when no chats';
COMMENT ON COLUMN dw.fact_staff_daily.avg_reply_time_minutes IS 'Average time to first reply, in minutes; NULL when no chats';
COMMENT ON COLUMN dw.fact_staff_daily.negative_feedback_cnt IS 'Customers who deleted or blocked the staff member that day';
COMMENT ON COLUMN dw.fact_staff_daily.new_apply_cnt IS 'Friend requests the staff member sent that day';
COMMENT ON COLUMN dw.fact_staff_daily.new_contact_cnt IS 'New customer contacts added that day';
COMMENT ON COLUMN dw.fact_staff_daily.run_id IS 'The run (etl.run) that last wrote the row';

CREATE TABLE dw.fact_group_daily (
    owner_staff_key int NOT NULL REFERENCES dw.dim_staff (staff_key),
    date_key        int NOT NULL REFERENCES dw.dim_date (date_key),
    new_chat_cnt    int,
    chat_total      int,
    chat_has_msg    int,
    new_member_cnt  int,
    member_total    int,
    member_has_msg  int,
    msg_total       int,
    run_id          bigint,
    PRIMARY KEY (owner_staff_key, date_key)
);
CREATE INDEX fact_group_daily_date_key_idx ON dw.fact_group_daily (date_key);
COMMENT ON TABLE dw.fact_group_daily IS
    'Periodic snapshot of WeCom group statistics, grain: one group owner per business day; recent days are re-pulled and upserted';
COMMENT ON COLUMN dw.fact_group_daily.owner_staff_key IS 'Group owner (dw.dim_staff)';
COMMENT ON COLUMN dw.fact_group_daily.date_key IS 'Business day, yyyymmdd in the business time zone (dw.dim_date)';
COMMENT ON COLUMN dw.fact_group_daily.new_chat_cnt IS 'Groups created that day';
COMMENT ON COLUMN dw.fact_group_daily.chat_total IS 'Groups owned at the end of the day';
COMMENT ON COLUMN dw.fact_group_daily.chat_has_msg IS 'Groups with at least one message that day';
COMMENT ON COLUMN dw.fact_group_daily.new_member_cnt IS 'Members who joined that day';
COMMENT ON COLUMN dw.fact_group_daily.member_total IS 'Members of the owner''s groups at the end of the day';
COMMENT ON COLUMN dw.fact_group_daily.member_has_msg IS 'Members who spoke that day';
COMMENT ON COLUMN dw.fact_group_daily.msg_total IS 'Messages sent in the owner''s groups that day';
COMMENT ON COLUMN dw.fact_group_daily.run_id IS 'The run (etl.run) that last wrote the row';

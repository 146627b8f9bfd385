-- 0004_dimensions.sql — customer, channel, product, staff, group and tag dimensions,
-- customer identity and merges, and the unpartitioned order identity (docs/schema.md "schema dw").

CREATE TABLE dw.dim_customer (
    customer_key       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_seen_at      timestamptz NOT NULL,
    first_contact_at   timestamptz,
    first_order_at     timestamptz,
    acquisition_source text,
    created_run_id     bigint,
    updated_run_id     bigint
);
COMMENT ON TABLE dw.dim_customer IS
    'One row per person, whatever identifiers (WeCom external_userid, unionid, buyer ids, phone) they appeared with; a customer merged into another is deleted here and recorded in dw.customer_merge';
COMMENT ON COLUMN dw.dim_customer.customer_key IS 'Surrogate key of the customer; stable except that merges retire the younger key';
COMMENT ON COLUMN dw.dim_customer.first_seen_at IS 'Earliest time any identifier of the customer was seen (order created_at or WeCom add time)';
COMMENT ON COLUMN dw.dim_customer.first_contact_at IS 'Earliest WeCom relationship with any staff (added_at); NULL = never in the private domain';
COMMENT ON COLUMN dw.dim_customer.first_order_at IS 'paid_at of the first qualifying order (paid, not cancelled, not fully refunded); NULL = none';
COMMENT ON COLUMN dw.dim_customer.acquisition_source IS 'Where the customer was first seen: a platform name (taobao, youzan, ...) or wecom';
COMMENT ON COLUMN dw.dim_customer.created_run_id IS 'The run (etl.run) that created the customer';
COMMENT ON COLUMN dw.dim_customer.updated_run_id IS 'The run (etl.run) that last changed the row';

CREATE TABLE dw.customer_identity (
    id_type       text NOT NULL
                  CHECK (id_type IN ('external_userid', 'unionid', 'phone', 'buyer_id')),
    platform      text NOT NULL DEFAULT '',
    id_value      text NOT NULL,
    display_value text,
    customer_key  bigint NOT NULL
                  REFERENCES dw.dim_customer (customer_key) ON UPDATE CASCADE,
    first_seen_at timestamptz NOT NULL,
    run_id        bigint,
    PRIMARY KEY (id_type, platform, id_value),
    CONSTRAINT customer_identity_platform_check
        CHECK ((id_type = 'buyer_id') = (platform <> ''))
);
CREATE INDEX customer_identity_customer_key_idx ON dw.customer_identity (customer_key);
COMMENT ON TABLE dw.customer_identity IS
    'Every identifier a customer was seen with, mapped to one customer_key; bi_reader may read all columns except id_value';
COMMENT ON COLUMN dw.customer_identity.id_type IS 'Kind of identifier: external_userid (WeCom), unionid (WeChat), phone, buyer_id (platform buyer)';
COMMENT ON COLUMN dw.customer_identity.platform IS 'Platform of a buyer_id (taobao, jd, ...); empty string for the other id types';
COMMENT ON COLUMN dw.customer_identity.id_value IS 'The identifier; for phone the hex HMAC-SHA256 of the number (PII: not readable by bi_reader)';
COMMENT ON COLUMN dw.customer_identity.display_value IS 'Displayable form: masked phone such as 138****1234; NULL for other id types';
COMMENT ON COLUMN dw.customer_identity.customer_key IS 'The customer (dw.dim_customer) the identifier belongs to';
COMMENT ON COLUMN dw.customer_identity.first_seen_at IS 'When the identifier was first seen';
COMMENT ON COLUMN dw.customer_identity.run_id IS 'The run (etl.run) that last wrote the row';

CREATE TABLE dw.customer_merge (
    merge_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_key  bigint NOT NULL,
    into_key  bigint NOT NULL REFERENCES dw.dim_customer (customer_key),
    merged_at timestamptz DEFAULT now(),
    run_id    bigint,
    reason    text
);
CREATE INDEX customer_merge_from_key_idx ON dw.customer_merge (from_key);
CREATE INDEX customer_merge_into_key_idx ON dw.customer_merge (into_key);
COMMENT ON TABLE dw.customer_merge IS
    'Customers merged into another when a new link joined them (the younger key is retired); into_key must stay a live customer, so when into_key is itself merged later the loader re-points these rows to the survivor';
COMMENT ON COLUMN dw.customer_merge.merge_id IS 'Surrogate key of the merge';
COMMENT ON COLUMN dw.customer_merge.from_key IS 'Retired customer_key (no longer in dw.dim_customer, hence no foreign key)';
COMMENT ON COLUMN dw.customer_merge.into_key IS 'Surviving customer (dw.dim_customer) that from_key now belongs to';
COMMENT ON COLUMN dw.customer_merge.merged_at IS 'When the merge was committed';
COMMENT ON COLUMN dw.customer_merge.run_id IS 'The run (etl.run) that merged';
COMMENT ON COLUMN dw.customer_merge.reason IS 'Which link caused the merge, without PII, e.g. unionid oQ7a... links buyer_id taobao:tb123';

CREATE TABLE dw.dim_channel (
    channel_key int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    text NOT NULL CHECK (platform ~ '^[a-z][a-z0-9_]*$'),
    shop_id     text NOT NULL,
    shop_name   text,
    UNIQUE (platform, shop_id)
);
COMMENT ON TABLE dw.dim_channel IS 'Sales channel: one shop on one e-commerce platform';
COMMENT ON COLUMN dw.dim_channel.channel_key IS 'Surrogate key of the channel';
COMMENT ON COLUMN dw.dim_channel.platform IS 'Platform name, lowercase: youzan, taobao, jd, pdd, douyin, channels, or a CSV profile name';
COMMENT ON COLUMN dw.dim_channel.shop_id IS 'Shop id on the platform (text as the platform gives it)';
COMMENT ON COLUMN dw.dim_channel.shop_name IS 'Shop name as last seen';

CREATE TABLE dw.dim_product (
    product_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_key int NOT NULL REFERENCES dw.dim_channel (channel_key),
    sku         text NOT NULL,
    outer_sku   text,
    title       text,
    UNIQUE (channel_key, sku)
);
COMMENT ON TABLE dw.dim_product IS 'Product (SKU) as sold in one channel';
COMMENT ON COLUMN dw.dim_product.product_key IS 'Surrogate key of the product';
COMMENT ON COLUMN dw.dim_product.channel_key IS 'Channel (dw.dim_channel) whose SKU this is';
COMMENT ON COLUMN dw.dim_product.sku IS 'Platform SKU id (or the line identity when the source has no SKU)';
COMMENT ON COLUMN dw.dim_product.outer_sku IS 'Merchant''s own SKU code (outer_sku_id / 商家编码), if given';
COMMENT ON COLUMN dw.dim_product.title IS 'Product title as last seen';

CREATE TABLE dw.dim_staff (
    staff_key     int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    userid        text NOT NULL UNIQUE,
    name          text,
    department    text,
    first_seen_at timestamptz,
    left_at       timestamptz,
    run_id        bigint
);
COMMENT ON TABLE dw.dim_staff IS 'WeCom staff member (follow user) who has customer contacts or groups';
COMMENT ON COLUMN dw.dim_staff.staff_key IS 'Surrogate key of the staff member';
COMMENT ON COLUMN dw.dim_staff.userid IS 'WeCom userid';
COMMENT ON COLUMN dw.dim_staff.name IS 'Display name as last seen';
COMMENT ON COLUMN dw.dim_staff.department IS 'Department name(s) as last seen';
COMMENT ON COLUMN dw.dim_staff.first_seen_at IS 'When the staff member was first seen in the follow-user list';
COMMENT ON COLUMN dw.dim_staff.left_at IS 'When the staff member was first missing from the follow-user list; NULL = still present';
COMMENT ON COLUMN dw.dim_staff.run_id IS 'The run (etl.run) that last wrote the row';

CREATE TABLE dw.dim_group (
    group_key       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id         text NOT NULL UNIQUE,
    name            text,
    owner_staff_key int REFERENCES dw.dim_staff (staff_key),
    created_at      timestamptz,
    dismissed_at    timestamptz,
    member_version  text,
    run_id          bigint
);
CREATE INDEX dim_group_owner_staff_key_idx ON dw.dim_group (owner_staff_key);
COMMENT ON TABLE dw.dim_group IS 'WeCom customer group chat';
COMMENT ON COLUMN dw.dim_group.group_key IS 'Surrogate key of the group';
COMMENT ON COLUMN dw.dim_group.chat_id IS 'WeCom chat_id of the group';
COMMENT ON COLUMN dw.dim_group.name IS 'Group name as last seen';
COMMENT ON COLUMN dw.dim_group.owner_staff_key IS 'Staff member (dw.dim_staff) who owns the group';
COMMENT ON COLUMN dw.dim_group.created_at IS 'When the group was created (WeCom create_time)';
COMMENT ON COLUMN dw.dim_group.dismissed_at IS 'When the group was found dismissed; NULL = active';
COMMENT ON COLUMN dw.dim_group.member_version IS 'WeCom member_version of the last loaded member list (unchanged = skip the member diff)';
COMMENT ON COLUMN dw.dim_group.run_id IS 'The run (etl.run) that last wrote the row';

CREATE TABLE dw.dim_tag (
    tag_key    int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tag_id     text NOT NULL UNIQUE,
    name       text,
    group_id   text,
    group_name text,
    created_at timestamptz,
    deleted_at timestamptz
);
COMMENT ON TABLE dw.dim_tag IS 'WeCom corporate customer tag';
COMMENT ON COLUMN dw.dim_tag.tag_key IS 'Surrogate key of the tag';
COMMENT ON COLUMN dw.dim_tag.tag_id IS 'WeCom tag id';
COMMENT ON COLUMN dw.dim_tag.name IS 'Tag name as last seen';
COMMENT ON COLUMN dw.dim_tag.group_id IS 'WeCom tag group id';
COMMENT ON COLUMN dw.dim_tag.group_name IS 'Tag group name as last seen';
COMMENT ON COLUMN dw.dim_tag.created_at IS 'When the tag was created in WeCom';
COMMENT ON COLUMN dw.dim_tag.deleted_at IS 'When the tag was found deleted; NULL = exists';

CREATE TABLE dw.bridge_customer_tag (
    customer_key bigint NOT NULL REFERENCES dw.dim_customer (customer_key),
    tag_key      int NOT NULL REFERENCES dw.dim_tag (tag_key),
    staff_key    int NOT NULL REFERENCES dw.dim_staff (staff_key),
    valid_from   timestamptz NOT NULL,
    valid_to     timestamptz,
    run_id       bigint,
    PRIMARY KEY (customer_key, tag_key, staff_key, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX bridge_customer_tag_tag_key_idx ON dw.bridge_customer_tag (tag_key);
CREATE INDEX bridge_customer_tag_staff_key_idx ON dw.bridge_customer_tag (staff_key);
COMMENT ON TABLE dw.bridge_customer_tag IS
    'Tags a staff member put on a customer, as validity spans (type-2 bridge between dim_customer and dim_tag)';
COMMENT ON COLUMN dw.bridge_customer_tag.customer_key IS 'Tagged customer (dw.dim_customer)';
COMMENT ON COLUMN dw.bridge_customer_tag.tag_key IS 'The tag (dw.dim_tag)';
COMMENT ON COLUMN dw.bridge_customer_tag.staff_key IS 'Staff member (dw.dim_staff) whose relationship carries the tag';
COMMENT ON COLUMN dw.bridge_customer_tag.valid_from IS 'When the tag was first seen on the relationship';
COMMENT ON COLUMN dw.bridge_customer_tag.valid_to IS 'When the tag was found removed; NULL = current';
COMMENT ON COLUMN dw.bridge_customer_tag.run_id IS 'The run (etl.run) that last wrote the row';

CREATE TABLE dw.order_identity (
    order_key      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_key    int NOT NULL REFERENCES dw.dim_channel (channel_key),
    order_no       text NOT NULL,
    created_at     timestamptz NOT NULL,
    source_version timestamptz NOT NULL,
    first_run_id   bigint,
    last_run_id    bigint,
    UNIQUE (channel_key, order_no)
);
COMMENT ON TABLE dw.order_identity IS
    'Global identity of an order, (channel, order_no) -> order_key, unpartitioned so that a duplicate cannot hide in another partition of the facts; every merge consults it';
COMMENT ON COLUMN dw.order_identity.order_key IS 'Surrogate key of the order, used by dw.fact_order and dw.fact_order_line';
COMMENT ON COLUMN dw.order_identity.channel_key IS 'Channel (dw.dim_channel): platform and shop of the order';
COMMENT ON COLUMN dw.order_identity.order_no IS 'Platform order number, as text (Taobao numbers exceed 2^53)';
COMMENT ON COLUMN dw.order_identity.created_at IS 'Order creation time, fixed at first sight: the partition key of the facts';
COMMENT ON COLUMN dw.order_identity.source_version IS 'Newest source version (platform modified time) loaded; older versions never overwrite it';
COMMENT ON COLUMN dw.order_identity.first_run_id IS 'The run (etl.run) that first loaded the order';
COMMENT ON COLUMN dw.order_identity.last_run_id IS 'The run (etl.run) that last loaded a newer version';

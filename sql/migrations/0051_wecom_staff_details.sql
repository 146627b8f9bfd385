-- 0051_wecom_staff_details.sql — staff names and departments from the WeCom address book.
--
-- The WeCom source reads user/get for each follow user the warehouse cannot name yet, and
-- department/list for the department names (a self-built app may read both for the
-- members in its visible scope), and stages them in tmp_wecom_staff_detail (LIKE the
-- template below). etl.wecom_staff_details writes them into dw.dim_staff after
-- etl.wecom_merge (which inserts new staff), in the same transaction.

CREATE UNLOGGED TABLE staging.wecom_staff_detail_in (
    userid     text NOT NULL,
    name       text,
    department text
);
COMMENT ON TABLE staging.wecom_staff_detail_in IS
    'Template of the WeCom run''s temp table tmp_wecom_staff_detail: one row per member described by user/get';
COMMENT ON COLUMN staging.wecom_staff_detail_in.userid IS 'WeCom userid';
COMMENT ON COLUMN staging.wecom_staff_detail_in.name IS 'The member''s name (user/get name), NULL when not given';
COMMENT ON COLUMN staging.wecom_staff_detail_in.department IS 'The names of the member''s departments in user/get order, comma-separated; NULL when none is readable';

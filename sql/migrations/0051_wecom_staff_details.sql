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

CREATE FUNCTION etl.wecom_staff_details(p_run bigint) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    UPDATE dw.dim_staff s
       SET name = COALESCE(d.name, s.name),
           department = COALESCE(d.department, s.department),
           run_id = p_run
      FROM (SELECT DISTINCT ON (userid) userid, name, department
              FROM tmp_wecom_staff_detail ORDER BY userid) d
     WHERE s.userid = d.userid
       AND (s.name, s.department) IS DISTINCT FROM
           (COALESCE(d.name, s.name), COALESCE(d.department, s.department));
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_staff_details(bigint) IS
    'Writes the staged address-book details (tmp_wecom_staff_detail) into dw.dim_staff name and department; a detail not given keeps the known one; returns the rows changed';

DO $$ BEGIN PERFORM etl.apply_privileges(); END $$;

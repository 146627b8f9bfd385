-- etl.wecom_staff_of — staff_key of a WeCom userid
--
-- The staff member of a userid, created minimally when p_create and unknown.
CREATE OR REPLACE FUNCTION etl.wecom_staff_of(p_userid text, p_create boolean, p_seen timestamptz, p_run bigint)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    v_key int;
BEGIN
    SELECT staff_key INTO v_key FROM dw.dim_staff WHERE userid = p_userid;
    IF v_key IS NULL AND p_create THEN
        INSERT INTO dw.dim_staff (userid, first_seen_at, run_id)
        VALUES (p_userid, p_seen, p_run)
        ON CONFLICT (userid) DO NOTHING;
        SELECT staff_key INTO v_key FROM dw.dim_staff WHERE userid = p_userid;
    END IF;
    RETURN v_key;
END
$$;
COMMENT ON FUNCTION etl.wecom_staff_of(text, boolean, timestamptz, bigint) IS
    'staff_key of a WeCom userid; with p_create an unknown one gets a minimal dw.dim_staff row (userid, first_seen_at) that the snapshot completes';

-- etl.wecom_staff_details — Writes the staged address-book details (tmp_wecom_staff_detail) into dw.dim_staff name and …

CREATE OR REPLACE FUNCTION etl.wecom_staff_details(p_run bigint) RETURNS bigint
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
CREATE OR REPLACE FUNCTION etl.wecom_staff_details(p_run bigint, p_source text) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    n := etl.wecom_staff_details(p_run);
    INSERT INTO etl.wecom_staff_detail_read AS r (source, userid, read_at, run_id)
    SELECT DISTINCT p_source, userid, now(), p_run FROM tmp_wecom_staff_detail
    ON CONFLICT (source, userid) DO UPDATE SET read_at = EXCLUDED.read_at, run_id = EXCLUDED.run_id;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION etl.wecom_staff_details(bigint, text) IS
    'etl.wecom_staff_details(run), then records in etl.wecom_staff_detail_read that the staged members were read now; returns the dim_staff rows changed';

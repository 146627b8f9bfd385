-- etl.wecom_merge_contact_tags — WeCom merge step 5: dw.bridge_customer_tag as validity spans
--
-- Tags on relationships as validity spans.
CREATE OR REPLACE FUNCTION etl.wecom_merge_contact_tags(p_run bigint,
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

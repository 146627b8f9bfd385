-- etl.wecom_merge_customers — WeCom merge step 3: every external contact of the run (relationships and group members) …
--
-- Customers: identity resolution over external_userid, unionid and remark phones.
CREATE OR REPLACE FUNCTION etl.wecom_merge_customers(p_run bigint,
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

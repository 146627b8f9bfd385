-- etl.wecom_customer_of — customer_key of a WeCom external_userid (dw.customer_identity), NULL when unknown
--
-- The customer of an external_userid, or NULL.
CREATE OR REPLACE FUNCTION etl.wecom_customer_of(p_external_userid text) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT customer_key FROM dw.customer_identity
     WHERE id_type = 'external_userid' AND platform = '' AND id_value = p_external_userid
$$;
COMMENT ON FUNCTION etl.wecom_customer_of(text) IS 'customer_key of a WeCom external_userid (dw.customer_identity), NULL when unknown';

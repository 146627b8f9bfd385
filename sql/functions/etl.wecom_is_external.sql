-- etl.wecom_is_external — True when a group member userid from a callback is a customer
--
-- Is a member userid of a group event a customer (external contact) rather than staff?
-- Known identities decide; otherwise WeCom's external_userid shape (wm… for WeChat users,
-- wo… for WeCom users) when no staff member has that userid.
CREATE OR REPLACE FUNCTION etl.wecom_is_external(p_userid text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT etl.wecom_customer_of(p_userid) IS NOT NULL
        OR (p_userid ~ '^w[mo][0-9A-Za-z_-]{14,}$'
            AND NOT EXISTS (SELECT 1 FROM dw.dim_staff WHERE userid = p_userid))
$$;
COMMENT ON FUNCTION etl.wecom_is_external(text) IS
    'True when a group member userid from a callback is a customer: a known external_userid, or one shaped like it (wm…/wo…) that is no staff userid';

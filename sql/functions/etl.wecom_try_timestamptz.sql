-- etl.wecom_try_timestamptz — p_text as timestamptz, or NULL when it is not a time

CREATE OR REPLACE FUNCTION etl.wecom_try_timestamptz(p_text text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN p_text::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION etl.wecom_try_timestamptz(text) IS 'p_text as timestamptz, or NULL when it is not a time';

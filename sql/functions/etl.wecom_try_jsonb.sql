-- etl.wecom_try_jsonb — p_text as jsonb, or NULL when it is not JSON PostgreSQL accepts (a spool line cut short by a …

CREATE OR REPLACE FUNCTION etl.wecom_try_jsonb(p_text text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN p_text::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION etl.wecom_try_jsonb(text) IS
    'p_text as jsonb, or NULL when it is not JSON PostgreSQL accepts (a spool line cut short by a crash)';

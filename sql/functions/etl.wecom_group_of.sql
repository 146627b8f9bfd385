-- etl.wecom_group_of — group_key of a WeCom chat_id
--
-- The group of a chat_id, created minimally when p_create and unknown.
CREATE OR REPLACE FUNCTION etl.wecom_group_of(p_chat_id text, p_create boolean, p_run bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_key bigint;
BEGIN
    SELECT group_key INTO v_key FROM dw.dim_group WHERE chat_id = p_chat_id;
    IF v_key IS NULL AND p_create THEN
        INSERT INTO dw.dim_group (chat_id, run_id) VALUES (p_chat_id, p_run)
        ON CONFLICT (chat_id) DO NOTHING;
        SELECT group_key INTO v_key FROM dw.dim_group WHERE chat_id = p_chat_id;
    END IF;
    RETURN v_key;
END
$$;
COMMENT ON FUNCTION etl.wecom_group_of(text, boolean, bigint) IS
    'group_key of a WeCom chat_id; with p_create an unknown one gets a minimal dw.dim_group row (chat_id) that the snapshot completes';

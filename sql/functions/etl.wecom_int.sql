-- etl.wecom_int — A WeCom number given as text (QuitScene, JoinScene) as int

CREATE OR REPLACE FUNCTION etl.wecom_int(p_text text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_text ~ '^[0-9]{1,9}$' THEN p_text::int END
$$;
COMMENT ON FUNCTION etl.wecom_int(text) IS 'A WeCom number given as text (QuitScene, JoinScene) as int; NULL when not digits';

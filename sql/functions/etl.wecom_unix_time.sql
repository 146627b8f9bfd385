-- etl.wecom_unix_time — WeCom's unix-seconds text (CreateTime) as timestamptz

CREATE OR REPLACE FUNCTION etl.wecom_unix_time(p_text text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_text ~ '^[0-9]{1,10}$' THEN to_timestamp(p_text::bigint) END
$$;
COMMENT ON FUNCTION etl.wecom_unix_time(text) IS 'WeCom''s unix-seconds text (CreateTime) as timestamptz; NULL when not digits';

-- dw.date_key_of — Business date of a time as yyyymmdd int (a dw.dim_date key), in the zone of etl.setting …
--
-- yyyymmdd of a time in the business zone (etl.setting 'timezone', default Asia/Shanghai).
-- SECURITY DEFINER so that bi_reader, who cannot read etl, can call it from kpi views.
CREATE OR REPLACE FUNCTION dw.date_key_of(ts timestamptz) RETURNS int
    LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (extract(year FROM l) * 10000 + extract(month FROM l) * 100 + extract(day FROM l))::int
    FROM (SELECT ts AT TIME ZONE coalesce(
                     (SELECT value FROM etl.setting WHERE key = 'timezone'),
                     'Asia/Shanghai') AS l) AS x
$$;
COMMENT ON FUNCTION dw.date_key_of(timestamptz) IS
    'Business date of a time as yyyymmdd int (a dw.dim_date key), in the zone of etl.setting timezone (default Asia/Shanghai); NULL for NULL';

-- kpi.local_date_key — yyyymmdd of ts in the given zone (NULL for NULL)

CREATE OR REPLACE FUNCTION kpi.local_date_key(ts timestamptz, zone text)
RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (extract(year FROM ts AT TIME ZONE zone) * 10000
             + extract(month FROM ts AT TIME ZONE zone) * 100
             + extract(day FROM ts AT TIME ZONE zone))::int $$;
GRANT EXECUTE ON FUNCTION kpi.local_date_key(timestamptz, text) TO bi_reader;
COMMENT ON FUNCTION kpi.local_date_key(timestamptz, text) IS
  'yyyymmdd of ts in the given zone (NULL for NULL); with zone = kpi.business_zone() it equals dw.date_key_of(ts). '
  'Inlinable, so views can apply it to millions of rows.';

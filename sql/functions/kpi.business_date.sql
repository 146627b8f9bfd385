-- kpi.business_date — Business date (date in the zone configured in etl.setting 'timezone') of ts, default now()

CREATE OR REPLACE FUNCTION kpi.business_date(ts timestamptz DEFAULT now())
RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_date(dw.date_key_of(ts)::text, 'YYYYMMDD') $$;
GRANT EXECUTE ON FUNCTION kpi.business_date(timestamptz) TO bi_reader;
COMMENT ON FUNCTION kpi.business_date(timestamptz) IS
  'Business date (date in the zone configured in etl.setting ''timezone'') of ts, default now(). '
  'Materialized views evaluate it at refresh time: "today" of a kpi view is the business date of its last kpi.refresh().';

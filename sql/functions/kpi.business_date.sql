-- kpi.business_date — Business date (date in the zone configured in etl.setting 'timezone') of ts, default now()
-- requires: functions/dw.date_key_of.sql functions/dw.date_of_key.sql
CREATE OR REPLACE FUNCTION kpi.business_date(ts timestamptz DEFAULT now())
RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT dw.date_of_key(dw.date_key_of(ts)) $$;
GRANT EXECUTE ON FUNCTION kpi.business_date(timestamptz) TO bi_reader;
COMMENT ON FUNCTION kpi.business_date(timestamptz) IS
  'Business date (date in the zone configured in etl.setting ''timezone'') of ts, default now(). '
  'Materialized views evaluate it at refresh time: "today" of a kpi view is the business date of its last kpi.refresh().';

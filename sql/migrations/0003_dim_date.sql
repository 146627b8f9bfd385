-- 0003_dim_date.sql — the date dimension, its role-playing views and dw.date_key_of().

CREATE TABLE dw.dim_date (
    date_key     int PRIMARY KEY,
    date         date NOT NULL UNIQUE,
    year         smallint NOT NULL,
    quarter      smallint NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    month        smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
    day_of_month smallint NOT NULL CHECK (day_of_month BETWEEN 1 AND 31),
    iso_year     smallint NOT NULL,
    iso_week     smallint NOT NULL CHECK (iso_week BETWEEN 1 AND 53),
    weekday      smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    is_weekend   boolean NOT NULL,
    week_start   date NOT NULL,
    month_start  date NOT NULL,
    CHECK (date_key = extract(year FROM date)::int * 10000
                    + extract(month FROM date)::int * 100
                    + extract(day FROM date)::int)
);

INSERT INTO dw.dim_date
SELECT to_char(d, 'YYYYMMDD')::int,
       d,
       extract(year FROM d)::smallint,
       extract(quarter FROM d)::smallint,
       extract(month FROM d)::smallint,
       extract(day FROM d)::smallint,
       extract(isoyear FROM d)::smallint,
       extract(week FROM d)::smallint,
       extract(isodow FROM d)::smallint,
       extract(isodow FROM d) IN (6, 7),
       (d - (extract(isodow FROM d)::int - 1)),
       date_trunc('month', d)::date
FROM generate_series(date '2015-01-01', date '2035-12-31', interval '1 day') AS g (t),
     LATERAL (SELECT t::date AS d) AS x;

COMMENT ON TABLE dw.dim_date IS
    'Calendar dimension, one row per day 2015-01-01..2035-12-31; business dates of the facts (date_key) reference it';
COMMENT ON COLUMN dw.dim_date.date_key IS 'Day as yyyymmdd integer, e.g. 20250131 (business date in the business time zone)';
COMMENT ON COLUMN dw.dim_date.date IS 'The calendar day';
COMMENT ON COLUMN dw.dim_date.year IS 'Calendar year, e.g. 2025';
COMMENT ON COLUMN dw.dim_date.quarter IS 'Calendar quarter 1..4';
COMMENT ON COLUMN dw.dim_date.month IS 'Calendar month 1..12';
COMMENT ON COLUMN dw.dim_date.day_of_month IS 'Day of the month 1..31';
COMMENT ON COLUMN dw.dim_date.iso_year IS 'ISO 8601 week-numbering year (differs from year around New Year)';
COMMENT ON COLUMN dw.dim_date.iso_week IS 'ISO 8601 week number 1..53 within iso_year';
COMMENT ON COLUMN dw.dim_date.weekday IS 'ISO day of the week: 1 = Monday .. 7 = Sunday';
COMMENT ON COLUMN dw.dim_date.is_weekend IS 'True on Saturday and Sunday (statutory holidays and make-up workdays are not modelled)';
COMMENT ON COLUMN dw.dim_date.week_start IS 'Monday of the ISO week containing the day';
COMMENT ON COLUMN dw.dim_date.month_start IS 'First day of the month containing the day';

-- Role-playing date views (DESIGN §4): one dim_date, seen as the order, paid and added date.
CREATE VIEW dw.dim_order_date AS
    SELECT date_key, date, year, quarter, month, day_of_month, iso_year, iso_week,
           weekday, is_weekend, week_start, month_start
    FROM dw.dim_date;
CREATE VIEW dw.dim_paid_date AS
    SELECT date_key, date, year, quarter, month, day_of_month, iso_year, iso_week,
           weekday, is_weekend, week_start, month_start
    FROM dw.dim_date;
CREATE VIEW dw.dim_added_date AS
    SELECT date_key, date, year, quarter, month, day_of_month, iso_year, iso_week,
           weekday, is_weekend, week_start, month_start
    FROM dw.dim_date;

DO $$
DECLARE
    v    record;
    c    record;
BEGIN
    FOR v IN SELECT * FROM (VALUES
            ('dim_order_date', 'order date: join fact_order.order_date_key'),
            ('dim_paid_date', 'paid date: join fact_order.paid_date_key'),
            ('dim_added_date', 'date a customer was added on WeCom: join fact_contact_event.date_key or dw.date_key_of(fact_contact.added_at)'))
            AS t (view_name, role)
    LOOP
        EXECUTE format('COMMENT ON VIEW dw.%I IS %L', v.view_name,
                       'Role-playing view of dw.dim_date as the ' || v.role);
        FOR c IN SELECT a.attname, col_description('dw.dim_date'::regclass, a.attnum) AS txt
                 FROM pg_attribute a
                 WHERE a.attrelid = 'dw.dim_date'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        LOOP
            EXECUTE format('COMMENT ON COLUMN dw.%I.%I IS %L', v.view_name, c.attname, c.txt);
        END LOOP;
    END LOOP;
END
$$;

-- yyyymmdd of a time in the business zone (etl.setting 'timezone', default Asia/Shanghai).
-- SECURITY DEFINER so that bi_reader, who cannot read etl, can call it from kpi views.
CREATE FUNCTION dw.date_key_of(ts timestamptz) RETURNS int
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

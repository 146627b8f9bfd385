-- 0003_dim_date.sql — the date dimension (filled by 0016; its role-playing views are
-- views/dw.role_playing_dates.sql, dw.date_key_of() is functions/dw.date_key_of.sql).

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

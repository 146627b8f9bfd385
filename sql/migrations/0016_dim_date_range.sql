-- 0016_dim_date_range.sql — dw.dim_date covers every time the loader accepts (1970..2100).
--
-- 0003 filled 2015-01-01..2035-12-31 (since the SQL layout of sql/README.md it fills
-- nothing and this is the one fill), but the time parser (transform/ltime.c) accepts years
-- 1970..2100, so an order from 1997 or 2010 passed every check and then failed its whole
-- file on the fact's date_key foreign key. The calendar now spans exactly what the parser
-- accepts: a time outside it is a per-record reject ("year out of range 1970-2100"), and
-- nothing inside it can fail on the date dimension. The KPI views bound their calendars by
-- the data (first..last fact date), so the longer dimension adds no empty periods. One
-- extra day on each side: a time in the first or last accepted day of a source zone can
-- fall on the day before or after it in the business zone.

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
FROM generate_series(date '1969-12-31', date '2101-01-01', interval '1 day') AS g (t),
     LATERAL (SELECT t::date AS d) AS x
ON CONFLICT (date_key) DO NOTHING;

COMMENT ON TABLE dw.dim_date IS
    'Calendar dimension, one row per day 1969-12-31..2101-01-01 (the years 1970..2100 the loader accepts, a day of time-zone slack on each side); business dates of the facts (date_key) reference it';

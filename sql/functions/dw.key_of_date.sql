-- dw.key_of_date — The yyyymmdd key of a date (a dw.dim_date key)
--
-- The one definition of the date -> key conversion (dw.date_of_key is its inverse); the date
-- as a timestamp, not through timestamptz in the session's zone (the implicit cast). STABLE
-- as to_char is, so that PostgreSQL still inlines the SQL-standard body into its caller.
CREATE OR REPLACE FUNCTION dw.key_of_date(d date) RETURNS int
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
RETURN to_char(d::timestamp, 'YYYYMMDD')::int;
COMMENT ON FUNCTION dw.key_of_date(date) IS
    'The yyyymmdd key of a date (2025-01-31 -> 20250131, a dw.dim_date key); NULL for NULL. Inverse of dw.date_of_key.';

-- dw.date_of_key — The date of a yyyymmdd key (a dw.dim_date key, a period in kpi.touched_periods' lists)
--
-- The one definition of the key -> date conversion (dw.key_of_date is its inverse), for the
-- queries that cannot join dw.dim_date for it: a join per order is what a misjudged row count
-- turns into 60,000 index lookups (kpi.sales_by_period), and a list of periods has no rows to
-- join. A SQL-standard body, IMMUTABLE and STRICT over strict immutable operators: PostgreSQL
-- inlines it into the query that calls it, so a call costs what the expression written out did
-- — when its argument is a column or a constant: k is used three times, and PostgreSQL does
-- not inline a parameter used more than once whose argument costs a function call
-- (dw.date_key_of(t)); pass the column and handle its NULL outside (kpi.sales_by_period).
CREATE OR REPLACE FUNCTION dw.date_of_key(k bigint) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN make_date((k / 10000)::int, (k / 100 % 100)::int, (k % 100)::int);
COMMENT ON FUNCTION dw.date_of_key(bigint) IS
    'The date of a yyyymmdd key (20250131 -> 2025-01-31); NULL for NULL. Inverse of dw.key_of_date.';

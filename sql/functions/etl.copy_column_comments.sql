-- etl.copy_column_comments — gives the columns of a view the comments of the same-named columns of another relation
--
-- A view built on a shared base (kpi.sales_by_period under kpi.sales_daily and kpi.sales_monthly,
-- dw.dim_date under its role-playing views) says what its columns mean once, on the base; each
-- view copies those comments instead of repeating them. Columns the view has and the base has
-- not (its own period columns) keep what the view's script says about them.
CREATE OR REPLACE FUNCTION etl.copy_column_comments(p_from regclass, p_to regclass) RETURNS int
LANGUAGE plpgsql AS $fn$
DECLARE
    c record;
    n int := 0;
BEGIN
    FOR c IN SELECT t.attname, col_description(f.attrelid, f.attnum) AS txt
               FROM pg_attribute t
               JOIN pg_attribute f ON f.attrelid = p_from AND f.attname = t.attname
                                  AND f.attnum > 0 AND NOT f.attisdropped
              WHERE t.attrelid = p_to AND t.attnum > 0 AND NOT t.attisdropped
                AND col_description(f.attrelid, f.attnum) IS NOT NULL
    LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', p_to, c.attname, c.txt);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION etl.copy_column_comments(regclass, regclass) IS
    'Copies the column comments of p_from to the same-named columns of p_to (a view built on p_from); returns how many';

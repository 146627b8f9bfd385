-- etl.comment_columns_like — Comments the columns of a view that have no comment yet with those of another's same-named columns
--
-- A column's meaning is written once, on the relation it comes from, and copied: the action
-- lists (kpi.care_due, kpi.at_risk, kpi.audience_members) carry the owner columns of
-- kpi.customer_owner; the per-grain KPI views (kpi.sales_daily, kpi.growth_weekly, ...) the
-- columns of their shared base; dw.dim_order_date and its siblings those of dw.dim_date. The
-- view's own comments, written before the call, are kept.
CREATE OR REPLACE FUNCTION etl.comment_columns_like(p_target regclass, p_source regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT t.attname, col_description(p_source, s.attnum) AS txt
               FROM pg_attribute t
               JOIN pg_attribute s ON s.attrelid = p_source AND s.attname = t.attname
                                  AND s.attnum > 0 AND NOT s.attisdropped
              WHERE t.attrelid = p_target AND t.attnum > 0 AND NOT t.attisdropped
                AND col_description(p_target, t.attnum) IS NULL
                AND col_description(p_source, s.attnum) IS NOT NULL
    LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', p_target, c.attname, c.txt);
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION etl.comment_columns_like(regclass, regclass) IS
    'Comments every column of p_target that has no comment yet with the comment of p_source''s column of the same '
    'name (the owner columns of the action lists are described once, in kpi.customer_owner)';

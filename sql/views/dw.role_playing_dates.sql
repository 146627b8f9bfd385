-- dw.dim_order_date, dw.dim_paid_date, dw.dim_added_date — role-playing views of dw.dim_date
-- requires: functions/etl.comment_columns_like.sql
--
-- DESIGN §4: one dim_date, seen as the order, paid and added date. The three views are one
-- definition, made three times with the dimension's own column comments.
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT * FROM (VALUES
            ('dim_order_date', 'order date: join fact_order.order_date_key'),
            ('dim_paid_date', 'paid date: join fact_order.paid_date_key'),
            ('dim_added_date', 'date a customer was added on WeCom: join fact_contact_event.date_key or dw.date_key_of(fact_contact.added_at)'))
            AS t (view_name, role)
    LOOP
        EXECUTE format('CREATE OR REPLACE VIEW dw.%I AS
    SELECT date_key, date, year, quarter, month, day_of_month, iso_year, iso_week,
           weekday, is_weekend, week_start, month_start
    FROM dw.dim_date', v.view_name);
        EXECUTE format('COMMENT ON VIEW dw.%I IS %L', v.view_name,
                       'Role-playing view of dw.dim_date as the ' || v.role);
        PERFORM etl.comment_columns_like(format('dw.%I', v.view_name)::regclass, 'dw.dim_date');
    END LOOP;
END
$$;

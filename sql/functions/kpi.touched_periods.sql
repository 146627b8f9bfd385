-- kpi.touched_periods — The periods of a per-period kpi table that a change of the orders touched
-- requires: functions/kpi.end_of_observation.sql functions/kpi.business_date.sql functions/dw.key_of_date.sql
--
-- A per-period aggregate (kpi.sales_daily, ...) has one row per scope and period, from the
-- scope's first period to the one of the end of observation; a period's figures are made
-- of the orders paid in it. What a change can alter is therefore:
--   * the periods of the changed orders' business dates of payment — the OLD dates and the
--     NEW ones (an order moved to another day leaves one period for another; a refund or a
--     cancellation changes its period's figures; a new order adds to its period);
--   * every period between the end of observation of the last refresh and the new one, in
--     either direction: orders paid in between enter (or leave), a period after the new end
--     loses its rows, and is_complete and the cells that were not yet observable change;
-- the caller's p_dates holds the dates, the table itself the old end (its last period).
-- (A scope whose first period moves also gains or loses rows elsewhere: kpi.refresh_periods
-- sees that in the rows it computed.) p_period is the table's column holding a period's
-- first day. NULL means every period: when p_dates is NULL (the changes are not known) or
-- the table is empty (its first fill).
CREATE OR REPLACE FUNCTION kpi.touched_periods(p_target regclass, p_period name, p_grain text, p_dates date[])
RETURNS bigint[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_step interval := ('1 ' || p_grain)::interval;
    v_last date;     -- the last period stored: that of the end of observation of the last refresh
    v_eoo  date;     -- the period of the end of observation now
BEGIN
    EXECUTE format('SELECT max(%I) FROM %s', p_period, p_target) INTO v_last;
    v_eoo := date_trunc(p_grain, kpi.business_date(kpi.end_of_observation('orders'))::timestamp)::date;
    IF p_dates IS NULL OR v_last IS NULL OR v_eoo IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN ARRAY(SELECT DISTINCT dw.key_of_date(p)::bigint
                   FROM (SELECT date_trunc(p_grain, d::timestamp)::date FROM unnest(p_dates) d
                         UNION ALL
                         SELECT g::date FROM generate_series(least(v_last, v_eoo)::timestamp,
                                                             greatest(v_last, v_eoo)::timestamp, v_step) g) x (p)
                  WHERE p IS NOT NULL
                  ORDER BY 1);
END
$fn$;
REVOKE ALL ON FUNCTION kpi.touched_periods(regclass, name, text, date[]) FROM PUBLIC;
COMMENT ON FUNCTION kpi.touched_periods(regclass, name, text, date[]) IS
  'The periods (date keys yyyymmdd of their first days) of grain p_grain of the per-period kpi table p_target (p_period: its '
  'column holding a period''s first day) that a change touched: those of the business dates in p_dates (the old and the new '
  'dates of payment of the changed orders) and every period between the last one stored (the end of observation of the last '
  'refresh) and that of the end of observation now. NULL, meaning every period, when p_dates is NULL or the table is empty.';

-- kpi.change_prune — Deletes the change record's rows every consumer has read (kpi.refresh() calls it at its end)
-- requires: functions/kpi.change_claim.sql
--
-- A consumer that did not run keeps its mark, and with it every row after it. A mark whose
-- relation was dropped would keep the rows for ever: it is deleted. Without any mark the
-- rows serve nobody (a consumer without a mark refreshes in full): all are deleted.
CREATE OR REPLACE FUNCTION kpi.change_prune()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_upto bigint;
    v_n    bigint;
BEGIN
    LOCK TABLE etl.fact_change IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM etl.change_mark WHERE to_regclass(consumer) IS NULL;   -- its relation was dropped
    SELECT coalesce(min(change_id), 9223372036854775807) INTO v_upto FROM etl.change_mark;
    DELETE FROM etl.fact_change WHERE change_id <= v_upto;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$fn$;
REVOKE ALL ON FUNCTION kpi.change_prune() FROM PUBLIC;
COMMENT ON FUNCTION kpi.change_prune() IS
  'Deletes the etl.fact_change rows every consumer has read (change_id <= the least etl.change_mark) and the marks of '
  'consumers whose kpi relation no longer exists (all rows when no mark is left). Returns the rows deleted. '
  'Called by kpi.refresh() at its end.';

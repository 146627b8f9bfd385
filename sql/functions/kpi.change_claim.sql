-- kpi.change_claim — A consumer's window of the change record (etl.fact_change), its mark moved to the window's end
-- requires: functions/kpi.end_of_observation.sql functions/kpi.fact_change_record.sql
--
-- How an incremental refresh reads the change record (docs/performance.md, "The change
-- record"), in the transaction that writes its result:
--
--   SELECT * INTO w FROM kpi.change_claim('kpi.x');
--   -- w.since_change IS NULL: no mark (first refresh, a new warehouse, the facts were
--   --   truncated): refresh in full.
--   -- otherwise the facts changed for the customers and dates of
--   --   SELECT customer_key, paid_date_key FROM etl.fact_change
--   --    WHERE change_id > w.since_change AND change_id <= w.until_change
--   -- and the end of observation moved from w.since_end to w.until_end.
--
-- The mark moves in the caller's transaction: a refresh that fails and rolls back leaves it
-- where it was, and the next one reads the same changes again (and the new ones). A
-- consumer that did not run keeps its mark; kpi.change_prune() keeps every row some
-- consumer has not read. The lock (SHARE ROW EXCLUSIVE on etl.fact_change, to the end of
-- the caller's transaction) waits for the writers of the facts in flight and keeps new ones
-- out, so every change_id up to the window's end is committed or rolled back: none can
-- appear behind a mark later. A writer of the facts waits for kpi.refresh() to commit.
CREATE OR REPLACE FUNCTION kpi.change_claim(p_consumer text)
RETURNS TABLE (since_change bigint, until_change bigint, since_end timestamptz, until_end timestamptz)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- a snapshot taken before the lock would not see changes committed before it
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'kpi.change_claim: needs READ COMMITTED, not %', current_setting('transaction_isolation');
    END IF;
    LOCK TABLE etl.fact_change IN SHARE ROW EXCLUSIVE MODE;
    SELECT m.change_id, m.end_of_observation INTO since_change, since_end
      FROM etl.change_mark m WHERE m.consumer = p_consumer;
    SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END INTO until_change FROM etl.fact_change_id s;
    until_end := kpi.end_of_observation('orders');
    INSERT INTO etl.change_mark AS m (consumer, change_id, end_of_observation, marked_at)
    VALUES (p_consumer, until_change, until_end, now())
    ON CONFLICT (consumer) DO UPDATE
       SET change_id = EXCLUDED.change_id, end_of_observation = EXCLUDED.end_of_observation,
           marked_at = EXCLUDED.marked_at;
    RETURN NEXT;
END
$fn$;
REVOKE ALL ON FUNCTION kpi.change_claim(text) FROM PUBLIC;
COMMENT ON FUNCTION kpi.change_claim(text) IS
  'For an incremental refresh of kpi relation p_consumer: returns the window of etl.fact_change it has not read '
  '(change_id > since_change and <= until_change; since_change NULL = no mark: refresh in full) and the end of '
  'observation of orders it was last brought up to (since_end) and now (until_end), and moves its etl.change_mark to '
  'the window''s end in the caller''s transaction. Locks etl.fact_change (SHARE ROW EXCLUSIVE) to the end of the '
  'transaction: writers of dw.fact_order wait. Needs READ COMMITTED.';

-- etl.dedupe_staged_lines — Judges a staged batch's lines as siyu streamed them: counts the superseded and repeated ones, puts the conflicting ones into p_held …
--
-- The order sink streams every parsed line into its staging table; the batch's dedupe runs
-- here, over the staging table, so that the client's memory does not grow with the file
-- (issue 11 item 8, issue 16: a hash table of every order seen cost ~360 bytes an order).
-- Lines are judged in the order they were streamed (src_row, then their place in the table:
-- one COPY into a fresh table appends in order), by the rules the C dedupe had:
--   stale      an earlier line of the order has a newer version;
--   duplicate  an earlier line of the same order, version and line id (counted once);
--   conflict   the order version's first line has other header amounts (shipping_fen,
--              order_discount_fen): which is right cannot be told, so the line is rejected
--              and its order held back (no partial order loads).
-- Stale and duplicate lines stay staged: etl.merge_orders keeps only each order's newest
-- version and each line id once (the first), which is what dropping them gave. Returns the
-- number of stale and duplicate lines; each conflicting line goes into p_held (platform,
-- shop_id, order_no, bad_row = its src_row, reason).
--
-- An order's lines are found by sorting on a 64-bit hash of its key (platform, shop_id,
-- order_no) before the key itself: the windows' partitions are the same, and the sort of the
-- batch is decided by an integer comparison except between lines of one order, where it was
-- a comparison of three texts under the database's collation (most of the time: 9.3 → 5.5 s
-- at 1M orders with the single pass below, docs/performance.md). The judging is one pass:
-- the duplicates counted and the conflicting lines' places (ctid) gathered, then only those
-- lines read again for p_held (a CTE read twice was written out whole first).
CREATE OR REPLACE FUNCTION etl.dedupe_staged_lines(p_staging regclass, p_held regclass)
RETURNS bigint
LANGUAGE plpgsql
SET work_mem = '256MB' -- the batch's window sorts in memory
AS $fn$
DECLARE
    v_duplicates bigint;
    v_conflicts tid[];
BEGIN
    EXECUTE format($q$
        WITH seen AS (
            SELECT ctid AS tid, updated_at, shipping_fen, order_discount_fen,
                   max(updated_at) OVER (PARTITION BY %2$s ORDER BY src_row, ctid
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                       AS newest_before,
                   row_number() OVER (PARTITION BY %2$s, updated_at, line_id
                                      ORDER BY src_row, ctid) AS nth,
                   first_value(row(shipping_fen, order_discount_fen)) OVER
                       (PARTITION BY %2$s, updated_at ORDER BY src_row, ctid)
                       AS first_amounts
              FROM %1$s
        ), judged AS (
            SELECT tid, coalesce(newest_before > updated_at, false) OR nth > 1 AS duplicate,
                   row(shipping_fen, order_discount_fen) IS DISTINCT FROM first_amounts AS differs
              FROM seen
        )
        SELECT count(*) FILTER (WHERE duplicate),
               array_agg(tid) FILTER (WHERE NOT duplicate AND differs)  -- the conflicts
          FROM judged$q$,
        p_staging, 'hash_record_extended(row(platform, shop_id, order_no), 0), platform, shop_id, order_no')
      INTO v_duplicates, v_conflicts;
    IF v_conflicts IS NOT NULL THEN
        EXECUTE format($q$
            INSERT INTO %2$s (platform, shop_id, order_no, bad_row, reason)
            SELECT platform, shop_id, order_no, src_row,
                   'shipping_fee or order_discount differs from an earlier line of the same order version'
              FROM %1$s WHERE ctid = ANY ($1)$q$, p_staging, p_held) USING v_conflicts;
    END IF;
    RETURN v_duplicates;
END
$fn$;
COMMENT ON FUNCTION etl.dedupe_staged_lines(regclass, regclass) IS
    'Judges a staged batch''s lines in the order they were streamed: returns how many are superseded (an earlier line of the order has a newer version) or repeated (same order, version and line id), which the merge ignores; each line whose header amounts differ from its order version''s first line goes into p_held (platform, shop_id, order_no, bad_row, reason) for the caller to reject with its order';

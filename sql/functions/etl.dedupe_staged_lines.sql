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
CREATE OR REPLACE FUNCTION etl.dedupe_staged_lines(p_staging regclass, p_held regclass)
RETURNS bigint
LANGUAGE plpgsql
SET work_mem = '256MB' -- the batch's window sorts in memory
AS $fn$
DECLARE
    v_duplicates bigint;
BEGIN
    EXECUTE format($q$
        WITH seen AS (
            SELECT platform, shop_id, order_no, src_row, updated_at, shipping_fen,
                   order_discount_fen,
                   max(updated_at) OVER (PARTITION BY platform, shop_id, order_no
                                         ORDER BY src_row, ctid
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                       AS newest_before,
                   row_number() OVER (PARTITION BY platform, shop_id, order_no, updated_at, line_id
                                      ORDER BY src_row, ctid) AS nth,
                   first_value(row(shipping_fen, order_discount_fen)) OVER
                       (PARTITION BY platform, shop_id, order_no, updated_at ORDER BY src_row, ctid)
                       AS first_amounts
              FROM %1$s
        ), judged AS (
            SELECT *, CASE WHEN newest_before > updated_at OR nth > 1 THEN 'duplicate'
                           WHEN row(shipping_fen, order_discount_fen) IS DISTINCT FROM first_amounts
                           THEN 'conflict' END AS verdict
              FROM seen
        ), held AS (
            INSERT INTO %2$s (platform, shop_id, order_no, bad_row, reason)
            SELECT platform, shop_id, order_no, src_row,
                   'shipping_fee or order_discount differs from an earlier line of the same order version'
              FROM judged WHERE verdict = 'conflict'
        )
        SELECT count(*) FILTER (WHERE verdict = 'duplicate') FROM judged$q$, p_staging, p_held)
      INTO v_duplicates;
    RETURN v_duplicates;
END
$fn$;
COMMENT ON FUNCTION etl.dedupe_staged_lines(regclass, regclass) IS
    'Judges a staged batch''s lines in the order they were streamed: returns how many are superseded (an earlier line of the order has a newer version) or repeated (same order, version and line id), which the merge ignores; each line whose header amounts differ from its order version''s first line goes into p_held (platform, shop_id, order_no, bad_row, reason) for the caller to reject with its order';

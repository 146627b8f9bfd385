-- kpi.big_change_window — Whether a window of the change record holds a big load: what decides a first fill's way
--
-- A kpi relation filled for the first time after a big load (the first load of a warehouse:
-- ~1M rows of the change record at 1M orders) is written whole; building its indexes after
-- its rows (kpi.fill_empty), or refreshing an empty materialized view plainly instead of
-- diffing it CONCURRENTLY against no rows, costs half as much, but holds the relation ACCESS
-- EXCLUSIVE until kpi.refresh() commits: its readers wait instead of reading it empty. Worth
-- it after a big load only, not for a relation that stays empty night after night (the order
-- views of a warehouse that loads only WeCom; kpi.refresh() also limits the views' plain
-- refresh to the first big load, for the WeCom views of one that loads only orders). 10,000
-- rows: below, the difference is well under a second. Counts at most 10,001 rows
-- (etl.fact_change is pruned after every refresh).
CREATE OR REPLACE FUNCTION kpi.big_change_window(p_since bigint, p_until bigint)
RETURNS boolean
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT count(*) > 10000
      FROM (SELECT FROM etl.fact_change c
             WHERE c.change_id > coalesce(p_since, 0) AND (p_until IS NULL OR c.change_id <= p_until)
             LIMIT 10001) x;
END;
COMMENT ON FUNCTION kpi.big_change_window(bigint, bigint) IS
  'true when the change record (etl.fact_change) holds more than 10,000 rows after change_id p_since (from the start when '
  'NULL) up to p_until (to the end when NULL): a big load, after which kpi.refresh() fills empty relations the faster way '
  'that locks out their readers until it commits (kpi.fill_empty, a plain REFRESH).';

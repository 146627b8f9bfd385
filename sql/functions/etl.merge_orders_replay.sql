-- etl.merge_orders_replay — etl.merge_orders for siyu replay
--
-- etl.merge_orders() treats a version equal to the warehouse's as unchanged, which makes
-- reruns and overlapping windows harmless but means that replaying a run after a transform
-- bug fix would change nothing. A replay merges through this function instead: in the same
-- transaction it first lowers dw.order_identity.source_version by one microsecond for
-- every staged order whose newest staged version EQUALS it, so that etl.merge_orders()
-- classifies exactly those orders as 'update' and replaces them (and sets source_version
-- back to the staged version); it forgets their content_hash too, so that the same content
-- is re-applied rather than taken for no change. An order whose warehouse version is newer than the staged
-- one is not touched: an older version still never wins. Timestamps have microsecond
-- resolution, so no other version lies between the lowered value and the original. It is a
-- wrapper rather than an extra parameter of etl.merge_orders so that it keeps working
-- whatever becomes of etl.merge_orders(bigint, regclass, text) (an overload with a
-- defaulted fourth parameter would make every three-argument call ambiguous). Orders it
-- re-applies are counted as updated.
CREATE OR REPLACE FUNCTION etl.merge_orders_replay(
    p_run bigint, p_staging regclass, p_source text,
    OUT inserted bigint, OUT updated bigint, OUT unchanged bigint,
    OUT merged_customers bigint, OUT max_version timestamptz)
LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format($q$
        UPDATE dw.order_identity i
           SET source_version = i.source_version - interval '1 microsecond', content_hash = NULL
          FROM (SELECT platform, shop_id, order_no, max(updated_at) AS v
                  FROM %s GROUP BY platform, shop_id, order_no) s
          JOIN dw.dim_channel c ON (c.platform, c.shop_id) = (s.platform, s.shop_id)
         WHERE (i.channel_key, i.order_no) = (c.channel_key, s.order_no)
           AND i.source_version = s.v$q$, p_staging);
    SELECT m.inserted, m.updated, m.unchanged, m.merged_customers, m.max_version
      INTO inserted, updated, unchanged, merged_customers, max_version
      FROM etl.merge_orders(p_run, p_staging, p_source) m;
END
$fn$;
COMMENT ON FUNCTION etl.merge_orders_replay(bigint, regclass, text) IS
    'etl.merge_orders for siyu replay: orders whose staged version equals the warehouse''s are replaced too (counted as updated), so a replay after a transform fix repairs them; older staged versions still never win';

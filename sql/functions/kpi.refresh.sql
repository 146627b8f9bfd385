-- kpi.refresh — Refreshes every materialized view of schema kpi and the kpi tables it maintains, each after what it reads (order …
-- requires: functions/kpi.change_prune.sql functions/kpi.statistics_stale.sql
-- requires: functions/kpi.big_change_window.sql functions/kpi.is_empty.sql

CREATE OR REPLACE FUNCTION kpi.refresh()
RETURNS TABLE (matview text, method text, seconds numeric)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off          -- JIT compiles thousands of functions for plans over ~300 monthly partitions: seconds lost, nothing won
SET work_mem = '256MB' -- the window sorts and hash aggregates of a nightly batch; keeps them in memory
AS $fn$
DECLARE
    mv  record;
    t0  timestamptz;
    -- The first refresh after the warehouse's first big load of orders (no consumer of the
    -- change record has read any change yet) refreshes an empty materialized view plainly:
    -- CONCURRENTLY would diff the new rows against none, as costly again as computing them
    -- (kpi.audience_members 3.1 -> 1.6 s at 1M orders); its readers wait for this
    -- transaction instead of reading it empty (kpi.big_change_window says why only after a
    -- big load). Only the first: a view that stays empty (the WeCom views of a warehouse
    -- that loads only orders) is not locked by every big nightly after it.
    v_first_load boolean := kpi.big_change_window(NULL, NULL)
                            AND NOT EXISTS (SELECT 1 FROM etl.change_mark m WHERE m.change_id > 0);
BEGIN
    -- Every materialized view of schema kpi and every kpi table kpi.refresh() maintains (a
    -- table T with a function kpi.T_refresh() that brings it up to date and returns the method
    -- used, and kpi.T_of(), the SQL-standard function that computes its rows), ordered so that
    -- each comes after every kpi relation it reads (directly or through plain views): depth =
    -- longest chain of kpi relations below it, found in pg_depend from the views' rewrite
    -- rules and the tables' T_of functions.
    FOR mv IN
        WITH RECURSIVE rel AS (
            SELECT c.oid, c.relname, c.relkind, c.relispopulated
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'kpi'
               AND (c.relkind IN ('v', 'm')
                    OR (c.relkind = 'r' AND to_regprocedure(format('kpi.%I()', c.relname || '_refresh')) IS NOT NULL))
        ), reader AS (     -- the catalog object whose dependencies say what rel "rel" reads
            SELECT 'pg_rewrite'::regclass AS classid, r.oid AS objid, r.ev_class AS rel
              FROM pg_rewrite r WHERE r.ev_class IN (SELECT oid FROM rel)
            UNION ALL
            SELECT 'pg_proc'::regclass, to_regprocedure(format('kpi.%I(bigint[])', rel.relname || '_of')), rel.oid
              FROM rel WHERE rel.relkind = 'r'
        ), edge AS (       -- rel "child" reads rel "parent"
            SELECT DISTINCT x.rel AS child, d.refobjid AS parent
              FROM reader x
              JOIN pg_depend d ON d.classid = x.classid AND d.objid = x.objid
                              AND d.refclassid = 'pg_class'::regclass
             WHERE d.refobjid IN (SELECT oid FROM rel)
               AND d.refobjid <> x.rel
        ), depth AS (
            SELECT oid, 0 AS depth FROM rel
            UNION ALL
            SELECT e.child, depth.depth + 1
              FROM depth JOIN edge e ON e.parent = depth.oid
             WHERE depth.depth < 100
        )
        SELECT rel.relname, rel.relkind, rel.relispopulated, max(depth.depth) AS depth
          FROM rel JOIN depth USING (oid)
         WHERE rel.relkind IN ('m', 'r')
         GROUP BY rel.relname, rel.relkind, rel.relispopulated
         ORDER BY max(depth.depth), rel.relname
    LOOP
        t0 := clock_timestamp();
        IF mv.relkind = 'r' THEN
            EXECUTE format('SELECT kpi.%I()', mv.relname || '_refresh') INTO method;
        ELSIF mv.relispopulated AND NOT (v_first_load AND kpi.is_empty(format('kpi.%I', mv.relname)::regclass)) THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY kpi.%I', mv.relname);
            method := 'concurrently';
        ELSE
            EXECUTE format('REFRESH MATERIALIZED VIEW kpi.%I', mv.relname);
            method := 'plain';
        END IF;
        -- Fresh statistics before the next view reads this one (autovacuum cannot see into
        -- this transaction; a first big load would otherwise be planned as if it were empty),
        -- when they would be stale: a first fill, or more than a tenth of the rows they count
        -- written in this transaction (autovacuum's own threshold). A nightly that rewrites a
        -- few per cent of a big table keeps its statistics (0.1-0.2 s each at 1M orders).
        IF method IN ('full', 'plain') OR kpi.statistics_stale(format('kpi.%I', mv.relname)::regclass) THEN
            EXECUTE format('ANALYZE kpi.%I', mv.relname);
        END IF;
        matview := 'kpi.' || mv.relname;
        seconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
        RETURN NEXT;
    END LOOP;
    -- the change record's rows every consumer has now read
    PERFORM kpi.change_prune();
END
$fn$;
REVOKE ALL ON FUNCTION kpi.refresh() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kpi.refresh() TO siyu_writer;
COMMENT ON FUNCTION kpi.refresh() IS
  'Refreshes every materialized view of schema kpi and the kpi tables it maintains (kpi.qualifying_order), each after the '
  'kpi relations it reads (order found from pg_depend, so a new matview needs no change here). Uses REFRESH … CONCURRENTLY '
  'when the view is populated (readers are never blocked), a plain REFRESH otherwise and for an empty view in the first '
  'refresh after the first big load of orders (kpi.big_change_window: its readers wait for the commit); a maintained table T is brought up to '
  'date by kpi.T_refresh() (a keyed diff of the changed customers'' rows: method ''incremental'', or ''full''). Then ANALYZEs '
  'it so that the views built on it are planned on fresh statistics. Runs with jit off and '
  'work_mem 256MB. At the end deletes the change record''s rows every consumer has read (kpi.change_prune). Returns one row per relation: name, method, seconds (refresh + analyze). Called by the nightly run after all sources are loaded; '
  'the caller must own the views (be a member of siyu_writer).';

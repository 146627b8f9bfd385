-- 0251_fact_order_fillfactor.sql — dw.order_identity and dw.fact_order's partitions leave a tenth
-- of each page free, so that the merge's updates of a kept row stay on its page (issue 16).
--
-- A nightly rewrites a few percent of the kept rows in place: the changed orders' identities
-- (source_version, last_run_id, content_hash) and the order_seq / is_first_order of the
-- customers' orders after a changed, late or merged one (28,753 rows of 1M in the bench's
-- nightly). None of those columns is indexed, so with room on the page each update is
-- heap-only; on full pages the new version goes to another page with a new entry in every
-- index (four on the fact, one of them on a random customer_key). On a copy of the 1M-order
-- bench warehouse rewritten at fillfactor 90 (VACUUM FULL), the nightly's order_seq update
-- took 1.0-1.7 s against 4.1-7.2 s at 100, the identities' 0.56 s against 2.0 s
-- (docs/performance.md, the merge's nightly at 1M). etl.ensure_fact_partitions creates the
-- new months of dw.fact_order with the same fillfactor; dw.fact_order_line's rows are
-- deleted and inserted, never updated, and stay full. Only pages written from now on get
-- the room (as 0242).

ALTER TABLE dw.order_identity SET (fillfactor = 90);

DO $$
DECLARE
    v_part regclass;
BEGIN
    FOR v_part IN SELECT inhrelid::regclass FROM pg_inherits
                   WHERE inhparent = 'dw.fact_order'::regclass LOOP
        EXECUTE format('ALTER TABLE %s SET (fillfactor = 90)', v_part);
    END LOOP;
END
$$;

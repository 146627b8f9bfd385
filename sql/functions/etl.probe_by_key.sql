-- etl.probe_by_key — Whether the joins of the statements that follow go by index probes
--
-- A nightly batch is a few thousand orders against a warehouse of millions: the merge's
-- statements that find the batch's rows in dw (its orders' facts and identities, its
-- customers) cost what the batch is when they probe the warehouse's indexes, and what the
-- warehouse is when they hash a whole table. The planner often hashes: an index probe into
-- the partitioned facts is costed as one probe per partition (pruning at run time is not
-- counted), and a temp table's estimate is rough. etl.probe_by_key(true) turns hash and
-- merge joins off for the rest of the transaction, etl.probe_by_key(false) back on; the
-- caller turns them on again after each such statement (between two temp tables without an
-- index a nested loop is quadratic).
CREATE OR REPLACE FUNCTION etl.probe_by_key(p_on boolean)
RETURNS void
LANGUAGE sql AS $$
    SELECT set_config('enable_hashjoin', CASE WHEN p_on THEN 'off' ELSE 'on' END, true),
           set_config('enable_mergejoin', CASE WHEN p_on THEN 'off' ELSE 'on' END, true);
$$;
COMMENT ON FUNCTION etl.probe_by_key(boolean) IS
    'true: hash and merge joins off for the rest of the transaction (the statements that follow join by index probes); false: on again';

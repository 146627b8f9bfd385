-- kpi.statistics_stale — Whether a relation's planner statistics are stale after this transaction's writes
--
-- kpi.refresh() analyzes a relation it refreshed only when this says its statistics no longer
-- describe it: never gathered (reltuples < 0, PostgreSQL 14+), or more rows inserted, updated
-- or deleted in this transaction (pg_stat_xact_user_tables) than 50 + a tenth of the rows
-- they count: autovacuum's analyze threshold and scale factor, which autovacuum cannot apply
-- to writes it does not see until the transaction commits.
CREATE OR REPLACE FUNCTION kpi.statistics_stale(p_rel regclass)
RETURNS boolean
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT c.reltuples < 0
           OR coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0) > 50 + c.reltuples / 10
      FROM pg_catalog.pg_class c
      LEFT JOIN pg_catalog.pg_stat_xact_user_tables s ON s.relid = c.oid
     WHERE c.oid = p_rel;
END;
COMMENT ON FUNCTION kpi.statistics_stale(regclass) IS
  'true when the planner statistics of p_rel are missing or older than this transaction''s writes to it: more rows '
  'inserted, updated or deleted in it than 50 + a tenth of pg_class.reltuples (autovacuum''s analyze threshold). '
  'kpi.refresh() analyzes a refreshed relation only then.';

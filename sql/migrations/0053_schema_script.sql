-- 0053_schema_script.sql — the record of the repeatable scripts (sql/functions, sql/views,
-- sql/kpi), kept by `siyu migrate` like etl.schema_migration. The table itself is created by
-- siyu migrate before the first migration, because a migration may require a script (a
-- function it calls) that must be applied and recorded before it.

COMMENT ON TABLE etl.schema_script IS
    'Repeatable scripts applied to this database (one function or view each: sql/functions, sql/views, sql/kpi); siyu migrate applies a script again when its checksum changes or a script it requires was applied again';
COMMENT ON COLUMN etl.schema_script.name IS
    'Script path below sql/, e.g. functions/etl.merge_orders.sql';
COMMENT ON COLUMN etl.schema_script.checksum IS
    'SHA-256 of the script as last applied, lowercase hex';
COMMENT ON COLUMN etl.schema_script.applied_at IS
    'When the script was last applied';

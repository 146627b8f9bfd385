-- 0008_privileges.sql — ownership and grants (docs/schema.md "Roles").
-- requires: functions/etl.apply_privileges.sql
--
-- siyu_writer owns every object of etl, staging, dw and kpi; bi_reader reads dw and kpi
-- (not dw.customer_identity.id_value) and nothing in etl or staging.
-- etl.apply_privileges() (functions/etl.apply_privileges.sql) does it all and is idempotent;
-- `siyu migrate` calls it again after every migrate that applied anything.
-- Default privileges cover tables and views created later in dw and kpi by the migrating
-- role and by siyu_writer; they are per database, like everything here.

DO $$
BEGIN
    PERFORM etl.apply_privileges();
END
$$;

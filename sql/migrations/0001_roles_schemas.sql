-- 0001_roles_schemas.sql — roles and schemas of the warehouse (docs/schema.md "Roles").
--
-- Roles are cluster-global while migrations run once per database, so they are
-- created only when missing; several warehouses (or test databases) may share a cluster.
-- Runs inside the transaction `siyu migrate` opens: no BEGIN/COMMIT here.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'siyu_writer') THEN
        CREATE ROLE siyu_writer NOLOGIN;
        COMMENT ON ROLE siyu_writer IS
            'siyu pipeline writer: owns the etl, staging, dw and kpi objects; the pipeline''s login role is made a member';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bi_reader') THEN
        CREATE ROLE bi_reader NOLOGIN;
        COMMENT ON ROLE bi_reader IS
            'siyu read-only role for BI tools and analysts: reads dw and kpi only, never etl, staging or id_value';
    END IF;
    -- The migrating role must be able to hand objects over to siyu_writer (0008).
    -- Superusers are members of every role; a role with CREATEROLE makes itself a member;
    -- anyone else must be made a member beforehand by an administrator.
    IF NOT pg_has_role(current_user, 'siyu_writer', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT siyu_writer TO %I', current_user);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'role "%" must be a member of siyu_writer to migrate', current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = format('As a superuser: GRANT siyu_writer TO %I;', current_user);
        END;
    END IF;
END
$$;

-- `siyu migrate` bootstraps etl (for etl.schema_migration) before the first file runs.
CREATE SCHEMA IF NOT EXISTS etl;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS dw;
CREATE SCHEMA IF NOT EXISTS kpi;

COMMENT ON SCHEMA etl IS
    'Pipeline bookkeeping: migrations, runs, per-source counts, watermarks, rejects, settings (writer only)';
COMMENT ON SCHEMA staging IS
    'Per-run UNLOGGED COPY targets (staging.order_line_r<run_id>) and their templates (writer only)';
COMMENT ON SCHEMA dw IS
    'Star schema: dimensions and facts of orders and WeCom relationships (readable by bi_reader)';
COMMENT ON SCHEMA kpi IS
    'KPI views over dw for BI tools and analysts (readable by bi_reader)';

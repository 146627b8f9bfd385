-- 100_kpi_catalog.sql — the kpi schema as an interface: every view exists, is documented,
-- owned by siyu_writer, readable by bi_reader, refreshable concurrently in dependency order,
-- and follows the naming rules (snake_case, units in names, a yuan twin beside every fen).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(51);

-- ---------------------------------------------------------------------------------------------
-- the views of issue 5 (and the table kpi.refresh() keeps instead of a materialized view)
-- ---------------------------------------------------------------------------------------------
SELECT has_materialized_view('kpi', v, 'materialized view kpi.' || v)
  FROM unnest(ARRAY['growth_daily', 'growth_weekly', 'growth_monthly', 'engagement_daily', 'engagement_monthly',
                    'active_customers', 'repurchase_window', 'cohort_retention', 'conversion',
                    'relationship_span', 'pool_membership', 'repurchase_by_segment']) AS v;
SELECT has_table('kpi', t, 'kpi.' || t || ' is a table kpi.refresh() maintains (kpi.' || t || '_refresh)')
  FROM unnest(ARRAY['qualifying_order', 'customer_orders', 'customer_rfm', 'first_purchase', 'customer_periods']) AS t;
SELECT has_table('kpi', t, 'kpi.' || t || ' is a table kpi.refresh() maintains period by period (kpi.refresh_periods)')
  FROM unnest(ARRAY['sales_daily', 'sales_monthly']) AS t;
SELECT has_view('kpi', v, 'view kpi.' || v) FROM unnest(ARRAY['repurchase_period', 'private_domain_lift', 'customer_value']) AS v;
SELECT has_function('kpi', 'refresh', ARRAY[]::text[], 'kpi.refresh() exists');

-- ---------------------------------------------------------------------------------------------
-- documentation
-- ---------------------------------------------------------------------------------------------
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm', 'r')
             AND coalesce(obj_description(c.oid, 'pg_class'), '') !~ 'Grain' ORDER BY 1),
    '{}'::text[], 'every kpi view''s comment states its grain');
SELECT is(
    ARRAY(SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm', 'r') AND coalesce(col_description(c.oid, a.attnum), '') = ''
           ORDER BY 1),
    '{}'::text[], 'every column of every kpi view has a comment');
SELECT is(
    ARRAY(SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'kpi' AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''),
    '{}'::text[], 'every kpi function has a comment');
SELECT ok(obj_description('kpi.repurchase_period'::regclass, 'pg_class') ~ 'not distinct days',
          'repurchase_period says that orders, not distinct days, are counted');

-- ---------------------------------------------------------------------------------------------
-- ownership and privileges
-- ---------------------------------------------------------------------------------------------
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'kpi' AND c.relowner <> 'siyu_writer'::regrole ORDER BY 1),
    '{}'::text[], 'siyu_writer owns every kpi relation (REFRESH needs the owner)');
SELECT is(
    ARRAY(SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'kpi' AND p.proowner <> 'siyu_writer'::regrole),
    '{}'::text[], 'siyu_writer owns every kpi function');
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm', 'r') AND NOT has_table_privilege('bi_reader', c.oid, 'SELECT')
           ORDER BY 1),
    '{}'::text[], 'bi_reader may SELECT every kpi view');
SELECT ok(NOT has_function_privilege('bi_reader', 'kpi.refresh()', 'EXECUTE'), 'bi_reader cannot run kpi.refresh()');
SELECT ok(has_function_privilege('siyu_writer', 'kpi.refresh()', 'EXECUTE'), 'siyu_writer can run kpi.refresh()');

-- bi_reader really reads every kpi view (plain views go through their owner's rights,
-- dw.date_key_of is SECURITY DEFINER); an error here aborts the test
\ir 100_kpi_fixture.psql
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SET LOCAL ROLE bi_reader;
DO $$
DECLARE r record; n bigint;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
              WHERE s.nspname = 'kpi' AND c.relkind IN ('v', 'm', 'r') LOOP
        EXECUTE format('SELECT count(*) FROM kpi.%I', r.relname) INTO n;
    END LOOP;
END
$$;
RESET ROLE;
SELECT pass('bi_reader selects from every kpi view without error');

-- ---------------------------------------------------------------------------------------------
-- refresh: concurrently-capable, dependency order, plain for unpopulated views
-- ---------------------------------------------------------------------------------------------
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'kpi' AND c.relkind = 'm'
             AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid
                                AND i.indpred IS NULL AND i.indexprs IS NULL)
           ORDER BY 1),
    '{}'::text[], 'every kpi materialized view has a plain unique index (REFRESH … CONCURRENTLY)');
CREATE TEMP TABLE refresh_run AS
SELECT matview, method, n FROM kpi.refresh() WITH ORDINALITY AS o (matview, method, seconds, n);
SELECT is((SELECT count(*) FROM refresh_run),
          (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'kpi' AND c.relkind IN ('m', 'r')),
          'kpi.refresh() refreshes every kpi materialized view and kpi table once');
SELECT is((SELECT count(*) FROM refresh_run WHERE method <> 'concurrently' AND to_regclass(matview) IN
              (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'kpi' AND c.relkind = 'm')),
          0::bigint, 'populated views are refreshed concurrently');
SELECT results_eq($$SELECT matview, method FROM refresh_run
                     WHERE matview IN ('kpi.qualifying_order', 'kpi.customer_orders', 'kpi.customer_rfm', 'kpi.first_purchase',
                                       'kpi.customer_periods')
                     ORDER BY 1$$,
                  $$VALUES ('kpi.customer_orders'::text, 'incremental'::text), ('kpi.customer_periods', 'incremental'),
                           ('kpi.customer_rfm', 'incremental'),
                           ('kpi.first_purchase', 'incremental'), ('kpi.qualifying_order', 'incremental')$$,
          'the per-customer kpi tables, filled, are brought up to date incrementally');
SELECT is(
    ARRAY(SELECT p.parent || ' > ' || p.child FROM (VALUES
            ('relationship_span', 'pool_membership'), ('pool_membership', 'growth_daily'),
            ('growth_daily', 'growth_weekly'), ('growth_daily', 'growth_monthly'),
            ('growth_daily', 'engagement_daily'), ('growth_monthly', 'engagement_monthly'),
            ('relationship_span', 'active_customers'), ('pool_membership', 'qualifying_order'),
            ('qualifying_order', 'repurchase_by_segment'), ('qualifying_order', 'repurchase_window'),
            ('qualifying_order', 'customer_periods'), ('customer_periods', 'repurchase_by_segment'),
            ('customer_periods', 'cohort_retention'), ('first_purchase', 'repurchase_window'),
            ('qualifying_order', 'customer_orders'),
            ('customer_orders', 'customer_rfm'), ('customer_rfm', 'at_risk'), ('customer_orders', 'at_risk'),
            ('customer_orders', 'customer_score'), ('customer_score', 'customer_rfm'),
            ('qualifying_order', 'customer_activity'), ('customer_activity', 'activity_day'), ('activity_day', 'active_customers'),
            ('pool_membership', 'customer_rfm'), ('qualifying_order', 'first_purchase'), ('qualifying_order', 'conversion'),
            ('relationship_span', 'conversion')) AS p (parent, child)
           JOIN refresh_run a ON a.matview = 'kpi.' || p.parent
           JOIN refresh_run b ON b.matview = 'kpi.' || p.child
          WHERE a.n >= b.n),
    '{}'::text[], 'each view is refreshed after the views it reads');
REFRESH MATERIALIZED VIEW kpi.growth_weekly WITH NO DATA;
SELECT results_eq(
    $$SELECT matview, method FROM kpi.refresh() WHERE matview IN ('kpi.growth_weekly', 'kpi.growth_monthly') ORDER BY 1$$,
    $$VALUES ('kpi.growth_monthly'::text, 'concurrently'::text), ('kpi.growth_weekly', 'plain')$$,
    'an unpopulated view gets a plain REFRESH (CONCURRENTLY needs data)');
SELECT ok((SELECT relispopulated FROM pg_class WHERE oid = 'kpi.growth_weekly'::regclass), '… and is populated after it');

-- ---------------------------------------------------------------------------------------------
-- naming rules for BI tools
-- ---------------------------------------------------------------------------------------------
SELECT is(
    ARRAY(SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm', 'r') AND a.attname !~ '^[a-z][a-z0-9_]*$' ORDER BY 1),
    '{}'::text[], 'column names are snake_case');
SELECT is(
    ARRAY(SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm', 'r') AND a.attname ~ '_fen$'
             AND NOT EXISTS (SELECT 1 FROM pg_attribute y
                              WHERE y.attrelid = c.oid AND y.attname = regexp_replace(a.attname, '_fen$', '_yuan')
                                AND format_type(y.atttypid, y.atttypmod) = 'numeric(14,2)')
           ORDER BY 1),
    '{}'::text[], 'every _fen column has a _yuan numeric(14,2) twin');
SELECT is(
    ARRAY(SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm', 'r') AND a.attname ~ '_fen$'
             AND format_type(a.atttypid, a.atttypmod) <> 'bigint' ORDER BY 1),
    '{}'::text[], 'every _fen column is bigint (integer fen)');
SELECT is(
    ARRAY(SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm', 'r') AND a.attname ~ '_(rate|lift|ratio|minutes)$'
             AND format_type(a.atttypid, a.atttypmod) !~ '^numeric' ORDER BY 1),
    '{}'::text[], 'rates, lifts, ratios and minutes are numeric');

-- ---------------------------------------------------------------------------------------------
-- the business time zone comes from etl.setting
-- ---------------------------------------------------------------------------------------------
-- C3 was added 2024-02-01 00:30 Shanghai = 2024-01-31 16:30 UTC. With the zone set to UTC the
-- relationship views put it on 01-31 (the order facts keep the date keys the loader wrote).
UPDATE etl.setting SET value = 'UTC' WHERE key = 'timezone';
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT new_customers FROM kpi.growth_daily WHERE dimension = 'total' AND date_key = 20240131), 1::bigint,
          'with timezone UTC, C3 is new on 01-31');
UPDATE etl.setting SET value = 'Asia/Shanghai' WHERE key = 'timezone';
SELECT count(*) >= 0 AS refreshed FROM kpi.refresh() \gset
SELECT is((SELECT new_customers FROM kpi.growth_daily WHERE dimension = 'total' AND date_key = 20240131), 0::bigint,
          'with timezone Asia/Shanghai, C3 is new on 02-01 again');

-- kpi.local_date_key(ts, kpi.business_zone()) is dw.date_key_of(ts) made inlinable: same keys, whatever the setting
SELECT is((SELECT count(*) FROM generate_series(timestamptz '2024-01-31 15:00Z', '2024-02-01 17:00Z', interval '7 minutes') t
            WHERE kpi.local_date_key(t, kpi.business_zone()) IS DISTINCT FROM dw.date_key_of(t)), 0::bigint,
          'local_date_key = date_key_of around a Shanghai midnight');
UPDATE etl.setting SET value = 'America/Los_Angeles' WHERE key = 'timezone';
SELECT is((SELECT count(*) FROM generate_series(timestamptz '2024-03-09 00:00Z', '2024-03-12 00:00Z', interval '13 minutes') t
            WHERE kpi.local_date_key(t, kpi.business_zone()) IS DISTINCT FROM dw.date_key_of(t)), 0::bigint,
          'local_date_key = date_key_of in another zone, across a DST change');
DELETE FROM etl.setting WHERE key = 'timezone';
SELECT is(kpi.business_zone(), 'Asia/Shanghai', 'without a setting the zone defaults to Asia/Shanghai, like dw.date_key_of');
SELECT is(kpi.local_date_key('2024-01-31 16:30Z', kpi.business_zone()), dw.date_key_of('2024-01-31 16:30Z'),
          '… and both agree on the default');
SELECT is(kpi.local_date_key(NULL, 'UTC'), NULL::int, 'local_date_key of NULL is NULL');

SELECT * FROM finish();
ROLLBACK;

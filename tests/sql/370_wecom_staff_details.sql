-- 370_wecom_staff_details.sql — etl.wecom_staff_details (migrations 0051, 0052): the address-book
-- details staged by a WeCom run name the staff; a detail not given keeps the known one; an
-- unchanged row is not rewritten; staff not in the warehouse are ignored. Rolled back.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(7);

INSERT INTO dw.dim_staff (userid, name, department, run_id) VALUES
    ('u_new', NULL, NULL, 1),
    ('u_known', '王五', '华南大区', 1),
    ('u_same', '赵六', '华东大区', 1);
CREATE TEMP TABLE tmp_wecom_staff_detail (LIKE staging.wecom_staff_detail_in) ON COMMIT DROP;
INSERT INTO tmp_wecom_staff_detail VALUES
    ('u_new', '张三', '华东大区, 会员运营部'),
    ('u_known', NULL, '华东大区'),        -- moved; no name given this time
    ('u_same', '赵六', '华东大区'),        -- nothing new
    ('u_absent', '路人', NULL);            -- not a follow user of this warehouse

SELECT is(etl.wecom_staff_details(7), 2::bigint, 'two staff rows changed');
SELECT results_eq(
    $$ SELECT userid, name, department, run_id FROM dw.dim_staff ORDER BY userid $$,
    $$ VALUES ('u_known', '王五', '华东大区', 7::bigint),
              ('u_new', '张三', '华东大区, 会员运营部', 7::bigint),
              ('u_same', '赵六', '华东大区', 1::bigint) $$,
    'named, moved keeping the known name, the unchanged row untouched');
SELECT is_empty($$ SELECT 1 FROM dw.dim_staff WHERE userid = 'u_absent' $$,
    'details never create staff');
SELECT is(etl.wecom_staff_details(8), 0::bigint, 'applied again: nothing changes');
SELECT col_type_is('dw', 'dim_staff', 'department', 'text', 'dim_staff.department is text');

-- the run's form also records when each staged member was read (0052)
INSERT INTO etl.wecom_staff_detail_read VALUES ('wecom', 'u_same', now() - interval '40 days', 1);
SELECT is(etl.wecom_staff_details(9, 'wecom'), 0::bigint, 'the run form: nothing new to write');
SELECT results_eq(
    $$ SELECT userid, read_at = now(), run_id FROM etl.wecom_staff_detail_read ORDER BY userid $$,
    $$ VALUES ('u_absent', true, 9::bigint), ('u_known', true, 9::bigint),
              ('u_new', true, 9::bigint), ('u_same', true, 9::bigint) $$,
    'every staged member read now, an older read moved forward');

SELECT * FROM finish();
ROLLBACK;

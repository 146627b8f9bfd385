-- 300_wecom_merge.sql — etl.wecom_merge on hand-made snapshots: first load, a snapshot
-- diff (staff-side removal, add, tag change, group quit and new group), an unchanged
-- rerun, a closed-by-callback relationship that stays closed until a later re-add, a
-- re-add between runs, a dismissed group, a staff member leaving the follow list, and
-- relationships a run could not read (skip).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(46);

-- Fresh, empty staging temp tables for one run.
CREATE FUNCTION pg_temp.stage() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['staff', 'contact', 'contact_tag', 'contact_phone', 'contact_skip',
                             'tag', 'group', 'group_member', 'staff_daily', 'group_daily'] LOOP
        EXECUTE format('DROP TABLE IF EXISTS pg_temp.tmp_wecom_%s', t);
        EXECUTE format('CREATE TEMP TABLE tmp_wecom_%s (LIKE staging.wecom_%s_in)', t, t);
    END LOOP;
END $$;

CREATE FUNCTION pg_temp.merge(p_run bigint) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT entity || ' ' || inserted || '/' || updated || '/' || unchanged || COALESCE(' ' || detail, '')
      FROM etl.wecom_merge(p_run, 'wecom', 'Asia/Shanghai')
$$;

-- ---------------------------------------------------------------------------------------
-- run 1001: the first snapshot
-- ---------------------------------------------------------------------------------------
SELECT pg_temp.stage() \gset
INSERT INTO tmp_wecom_staff VALUES ('s1'), ('s2');
INSERT INTO tmp_wecom_contact (src, userid, external_userid, name, customer_type, gender, unionid,
                               createtime, add_way, state, remark) VALUES
    ('p1', 's1', 'wA', 'Ann', 1, 2, NULL, '2024-01-01 10:00+08', 1, 'qr1', 'ann'),
    ('p1', 's1', 'wB', 'Bob', 1, 1, NULL, '2024-02-01 10:00+08', 2, NULL, NULL),
    ('p1', 's2', 'wA', 'Ann', 1, 2, 'uA', '2024-03-01 10:00+08', 1, NULL, NULL);
INSERT INTO tmp_wecom_contact_tag VALUES ('s1', 'wA', 'T1'), ('s2', 'wA', 'T9');
INSERT INTO tmp_wecom_contact_phone VALUES ('s1', 'wB', 'h1', '138****0001');
INSERT INTO tmp_wecom_tag VALUES ('T1', 'A', 'G1', 'level', '2023-01-01+08', 2),
                                 ('T2', 'B', 'G1', 'level', '2023-01-01+08', 1);
INSERT INTO tmp_wecom_group VALUES ('g1', 0, true, 'VIP', 's1', '2024-01-05 00:00+08', 'v1', true);
INSERT INTO tmp_wecom_group_member (chat_id, userid, member_type, unionid, joined_at, join_scene) VALUES
    ('g1', 's1', 1, NULL, '2024-01-05 00:00+08', 1),
    ('g1', 'wA', 2, NULL, '2024-01-06 00:00+08', 3),
    ('g1', 'wC', 2, 'uC', '2024-01-07 00:00+08', 2);
INSERT INTO tmp_wecom_staff_daily VALUES
    ('s1', '2024-06-01 00:00+08', 3, 10, 66.667, 5, 0, 1, 2),
    ('s2', '2024-06-01 00:00+08', 0, 0, NULL, NULL, 0, 0, 0);
INSERT INTO tmp_wecom_group_daily VALUES ('s1', '2024-06-01 00:00+08', 0, 1, 1, 0, 3, 2, 9);

SELECT results_eq($$SELECT * FROM pg_temp.merge(1001)$$, ARRAY[
    'staff 2/0/0', 'tags 3/0/0', 'customers 3/0/0 merged=0',
    'contacts 3/0/0 add_events=3 remove_events=0', 'contact_tags 2/0/0',
    'groups 4/0/0 dismissed=0 joins=3 leaves=0', 'stats 3/0/0'],
    'first run: counts per entity');
SELECT is((SELECT count(*) FROM dw.dim_customer), 3::bigint, 'three customers (wA, wB, wC)');
SELECT is((SELECT count(*) FROM dw.customer_identity WHERE id_type = 'unionid'), 2::bigint,
          'unionids of a contact and of a group member');
SELECT is((SELECT display_value FROM dw.customer_identity WHERE id_type = 'phone'), '138****0001',
          'remark phone stored hashed and masked');
SELECT results_eq(
    $$SELECT s.userid, w.external_userid, e.occurred_at, e.time_is_exact, e.origin, e.date_key
        FROM dw.fact_contact_event e JOIN dw.dim_staff s USING (staff_key)
        JOIN dw.wecom_customer w USING (customer_key) WHERE e.event_type = 'add'
       ORDER BY 3$$,
    $$VALUES ('s1', 'wA', '2024-01-01 10:00+08'::timestamptz, true, 'snapshot', 20240101),
             ('s1', 'wB', '2024-02-01 10:00+08', true, 'snapshot', 20240201),
             ('s2', 'wA', '2024-03-01 10:00+08', true, 'snapshot', 20240301)$$,
    'first run: one add per relationship at its exact createtime (history)');
SELECT results_eq($$SELECT added_at, add_way, state, remark FROM dw.fact_contact ORDER BY added_at LIMIT 1$$,
    $$VALUES ('2024-01-01 10:00+08'::timestamptz, 1, 'qr1', 'ann')$$, 'relationship attributes');
SELECT is((SELECT first_contact_at FROM dw.dim_customer d JOIN dw.wecom_customer w USING (customer_key)
            WHERE w.external_userid = 'wA'), '2024-01-01 10:00+08'::timestamptz,
          'first_contact_at is the earliest add');
SELECT results_eq($$SELECT t.tag_id, t.name, t.deleted_at IS NULL FROM dw.dim_tag t ORDER BY 1$$,
    $$VALUES ('T1', 'A', true), ('T2', 'B', true), ('T9', NULL, false)$$,
    'tags; an unknown tag id on a relationship is a soft-deleted placeholder');
SELECT is((SELECT count(*) FROM dw.bridge_customer_tag WHERE valid_to IS NULL), 2::bigint, 'two open tag spans');
SELECT results_eq($$SELECT member_type, joined_at, join_scene FROM dw.fact_group_member ORDER BY joined_at$$,
    $$VALUES ('staff', '2024-01-05 00:00+08'::timestamptz, 1), ('customer', '2024-01-06 00:00+08', 3),
             ('customer', '2024-01-07 00:00+08', 2)$$, 'group members with join time and scene');
SELECT results_eq($$SELECT date_key, chat_cnt, reply_percentage, avg_reply_time_minutes FROM dw.fact_staff_daily ORDER BY chat_cnt$$,
    $$VALUES (20240601, 0, NULL::numeric, NULL::int), (20240601, 3, 66.67, 5)$$,
    'staff stats: the day in China time; no chats, no reply rate');
SELECT is((SELECT count(*) FROM etl.wecom_contact_snapshot), 3::bigint, 'snapshot saved');

-- ---------------------------------------------------------------------------------------
-- run 1002: s1 deleted wB, s2 added wD, s3 joined with wE, a callback closed (s1, wA)
-- (the customer deleted s1, WeCom still lists the one-way relationship), tags changed,
-- wC quit g1, g2 was created
-- ---------------------------------------------------------------------------------------
UPDATE dw.fact_contact f SET removed_at = '2024-05-01 00:00+08', removed_by = 'customer'
  FROM dw.dim_staff s, dw.wecom_customer w
 WHERE s.staff_key = f.staff_key AND w.customer_key = f.customer_key AND s.userid = 's1' AND w.external_userid = 'wA';
SELECT pg_temp.stage() \gset
INSERT INTO tmp_wecom_staff VALUES ('s1'), ('s2'), ('s3');
INSERT INTO tmp_wecom_contact (src, userid, external_userid, name, customer_type, gender, unionid, createtime, add_way) VALUES
    ('p1', 's1', 'wA', 'Ann', 1, 2, NULL, '2024-01-01 10:00+08', 1),
    ('p1', 's2', 'wA', 'Ann', 1, 2, 'uA', '2024-03-01 10:00+08', 1),
    ('p1', 's2', 'wD', 'Dan', 1, 1, NULL, '2024-06-02 10:00+08', 3),
    ('p1', 's3', 'wE', 'Eve', 1, 2, NULL, '2024-06-03 10:00+08', 3);
INSERT INTO tmp_wecom_contact_tag VALUES ('s2', 'wA', 'T2');
INSERT INTO tmp_wecom_tag VALUES ('T1', 'A', 'G1', 'level', '2023-01-01+08', 2);
INSERT INTO tmp_wecom_group VALUES ('g1', 0, true, 'VIP', 's1', '2024-01-05 00:00+08', 'v2', true),
                                   ('g2', 0, true, 'New', 's2', '2024-06-02 00:00+08', 'w1', true);
INSERT INTO tmp_wecom_group_member (chat_id, userid, member_type, joined_at, join_scene) VALUES
    ('g1', 's1', 1, '2024-01-05 00:00+08', 1),
    ('g1', 'wA', 2, '2024-01-06 00:00+08', 3),
    ('g2', 's2', 1, '2024-06-02 00:00+08', 1),
    ('g2', 'wD', 2, '2024-06-02 01:00+08', 2);

SELECT results_eq($$SELECT * FROM pg_temp.merge(1002)$$, ARRAY[
    'staff 1/0/2', 'tags 0/1/1', 'customers 2/0/1 merged=0',
    'contacts 2/1/2 add_events=2 remove_events=1', 'contact_tags 1/2/0',
    'groups 3/2/0 dismissed=0 joins=2 leaves=1', 'stats 0/0/0'],
    'second run: counts per entity');
SELECT results_eq(
    $$SELECT s.userid, w.external_userid, e.event_type, e.time_is_exact, e.removed_by, e.origin
        FROM dw.fact_contact_event e JOIN dw.dim_staff s USING (staff_key)
        JOIN dw.wecom_customer w USING (customer_key) WHERE e.run_id = 1002 ORDER BY 1, 2$$,
    $$VALUES ('s1', 'wB', 'remove', false, 'staff', 'snapshot'),
             ('s2', 'wD', 'add', true, NULL, 'snapshot'),
             ('s3', 'wE', 'add', true, NULL, 'snapshot')$$,
    'second run: exactly the removal and the adds');
SELECT is((SELECT occurred_at FROM dw.fact_contact_event WHERE run_id = 1002 AND event_type = 'remove'),
          now(), 'a detected removal is dated at the run');
SELECT results_eq(
    $$SELECT s.userid, w.external_userid, f.removed_at IS NOT NULL, f.removed_by
        FROM dw.fact_contact f JOIN dw.dim_staff s USING (staff_key)
        JOIN dw.wecom_customer w USING (customer_key) ORDER BY 1, 2$$,
    $$VALUES ('s1', 'wA', true, 'customer'), ('s1', 'wB', true, 'staff'),
             ('s2', 'wA', false, NULL), ('s2', 'wD', false, NULL), ('s3', 'wE', false, NULL)$$,
    'a relationship closed by a callback is not reopened by a snapshot that still lists it');
SELECT results_eq($$SELECT t.tag_id, b.valid_to IS NULL FROM dw.bridge_customer_tag b JOIN dw.dim_tag t USING (tag_key) ORDER BY 1$$,
    $$VALUES ('T1', false), ('T2', true), ('T9', false)$$, 'tag spans closed and opened');
SELECT is((SELECT deleted_at IS NOT NULL FROM dw.dim_tag WHERE tag_id = 'T2'), true,
          'a tag missing from the corp list is soft-deleted (still referenced)');
SELECT results_eq(
    $$SELECT g.chat_id, w.external_userid, m.left_at IS NOT NULL, m.left_is_exact
        FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
        JOIN dw.wecom_customer w USING (customer_key) ORDER BY 1, 2$$,
    $$VALUES ('g1', 'wA', false, NULL::boolean), ('g1', 'wC', true, false), ('g2', 'wD', false, NULL)$$,
    'a quit is detected, joins open spans');
SELECT is((SELECT member_version FROM dw.dim_group WHERE chat_id = 'g1'), 'v2', 'member_version kept');

-- ---------------------------------------------------------------------------------------
-- run 1003: nothing changed (g1's members were not reloaded: same member_version)
-- ---------------------------------------------------------------------------------------
SELECT pg_temp.stage() \gset
INSERT INTO tmp_wecom_staff VALUES ('s1'), ('s2'), ('s3');
INSERT INTO tmp_wecom_contact (src, userid, external_userid, name, customer_type, gender, unionid, createtime, add_way) VALUES
    ('p1', 's1', 'wA', 'Ann', 1, 2, NULL, '2024-01-01 10:00+08', 1),
    ('p1', 's2', 'wA', 'Ann', 1, 2, 'uA', '2024-03-01 10:00+08', 1),
    ('p1', 's2', 'wD', 'Dan', 1, 1, NULL, '2024-06-02 10:00+08', 3),
    ('p1', 's3', 'wE', 'Eve', 1, 2, NULL, '2024-06-03 10:00+08', 3);
INSERT INTO tmp_wecom_contact_tag VALUES ('s2', 'wA', 'T2');
INSERT INTO tmp_wecom_tag VALUES ('T1', 'A', 'G1', 'level', '2023-01-01+08', 2);
INSERT INTO tmp_wecom_group VALUES ('g1', 0, true, 'VIP', 's1', '2024-01-05 00:00+08', 'v2', false),
                                   ('g2', 0, true, 'New', 's2', '2024-06-02 00:00+08', 'w1', false);
SELECT results_eq($$SELECT * FROM pg_temp.merge(1003)$$, ARRAY[
    'staff 0/0/3', 'tags 0/0/1', 'customers 0/0/3 merged=0',
    'contacts 0/0/4 add_events=0 remove_events=0', 'contact_tags 0/0/1',
    'groups 0/0/2 dismissed=0 joins=0 leaves=0', 'stats 0/0/0'],
    'an unchanged rerun changes nothing');
SELECT is((SELECT count(*) FROM dw.fact_contact_event WHERE run_id = 1003), 0::bigint, 'no new events');
SELECT is((SELECT count(*) FROM dw.fact_group_member WHERE run_id = 1003), 0::bigint, 'no member rows touched');

-- ---------------------------------------------------------------------------------------
-- run 1004: s1 re-added wA (after the customer had deleted s1), s2 deleted and re-added
-- wD between runs, g1 dismissed, s3 unlicensed (not listed: skip), s2 also staff of g2
-- ---------------------------------------------------------------------------------------
SELECT pg_temp.stage() \gset
INSERT INTO tmp_wecom_staff VALUES ('s1'), ('s2'), ('s3');
INSERT INTO tmp_wecom_contact (src, userid, external_userid, name, customer_type, gender, unionid, createtime, add_way) VALUES
    ('p1', 's1', 'wA', 'Ann', 1, 2, NULL, '2024-07-01 10:00+08', 1),
    ('p1', 's2', 'wA', 'Ann', 1, 2, 'uA', '2024-03-01 10:00+08', 1),
    ('p1', 's2', 'wD', 'Dan', 1, 1, NULL, '2024-07-02 10:00+08', 3);
INSERT INTO tmp_wecom_contact_skip VALUES ('s3', NULL);
INSERT INTO tmp_wecom_contact_tag VALUES ('s2', 'wA', 'T2');
INSERT INTO tmp_wecom_tag VALUES ('T1', 'A', 'G1', 'level', '2023-01-01+08', 2);
INSERT INTO tmp_wecom_group VALUES ('g2', 0, true, 'New', 's2', '2024-06-02 00:00+08', 'w1', false);
SELECT results_eq($$SELECT * FROM pg_temp.merge(1004)$$, ARRAY[
    'staff 0/0/3', 'tags 0/0/1', 'customers 0/0/2 merged=0',
    'contacts 0/2/1 add_events=2 remove_events=1', 'contact_tags 0/0/1',
    'groups 0/1/1 dismissed=1 joins=0 leaves=0', 'stats 0/0/0'],
    'fourth run: counts per entity');
SELECT results_eq(
    $$SELECT s.userid, w.external_userid, e.event_type, e.occurred_at, e.time_is_exact, e.removed_by
        FROM dw.fact_contact_event e JOIN dw.dim_staff s USING (staff_key)
        JOIN dw.wecom_customer w USING (customer_key) WHERE e.run_id = 1004 ORDER BY 1, 2, 4$$,
    $$VALUES ('s1', 'wA', 'add', '2024-07-01 10:00+08'::timestamptz, true, NULL),
             ('s2', 'wD', 'remove', '2024-07-02 09:59:59+08', false, 'unknown'),
             ('s2', 'wD', 'add', '2024-07-02 10:00+08', true, NULL)$$,
    'a re-add after the removal reopens; a re-add between runs implies a removal just before it');
SELECT results_eq(
    $$SELECT s.userid, w.external_userid, f.added_at, f.removed_at IS NOT NULL
        FROM dw.fact_contact f JOIN dw.dim_staff s USING (staff_key)
        JOIN dw.wecom_customer w USING (customer_key) ORDER BY 1, 2$$,
    $$VALUES ('s1', 'wA', '2024-07-01 10:00+08'::timestamptz, false), ('s1', 'wB', '2024-02-01 10:00+08', true),
             ('s2', 'wA', '2024-03-01 10:00+08', false), ('s2', 'wD', '2024-07-02 10:00+08', false),
             ('s3', 'wE', '2024-06-03 10:00+08', false)$$,
    'reopened and re-added rows carry the new add time; a skipped staff member''s relationship stays');
SELECT is((SELECT count(*) FROM etl.wecom_contact_snapshot WHERE userid = 's3'), 1::bigint,
          'the snapshot keeps what a run could not read');
SELECT is((SELECT dismissed_at FROM dw.dim_group WHERE chat_id = 'g1'), now(), 'a group no longer listed is dismissed');
SELECT is((SELECT count(*) FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
            WHERE g.chat_id = 'g1' AND m.left_at IS NULL), 0::bigint, 'members of a dismissed group leave with it');

-- ---------------------------------------------------------------------------------------
-- run 1005: s2 left the follow list (their relationships vanish: removed_by unknown)
-- ---------------------------------------------------------------------------------------
SELECT pg_temp.stage() \gset
INSERT INTO tmp_wecom_staff VALUES ('s1'), ('s3');
INSERT INTO tmp_wecom_contact (src, userid, external_userid, name, customer_type, gender, unionid, createtime, add_way) VALUES
    ('p1', 's1', 'wA', 'Ann', 1, 2, NULL, '2024-07-01 10:00+08', 1),
    ('p1', 's3', 'wE', 'Eve', 1, 2, NULL, '2024-06-03 10:00+08', 3);
SELECT lives_ok($$SELECT * FROM pg_temp.merge(1005)$$, 'fifth run');
SELECT results_eq(
    $$SELECT s.userid, w.external_userid, e.removed_by FROM dw.fact_contact_event e
        JOIN dw.dim_staff s USING (staff_key) JOIN dw.wecom_customer w USING (customer_key)
       WHERE e.run_id = 1005 ORDER BY 1, 2$$,
    $$VALUES ('s2', 'wA', 'unknown'), ('s2', 'wD', 'unknown')$$,
    'relationships of a staff member who left the follow list end as unknown');
SELECT is((SELECT left_at FROM dw.dim_staff WHERE userid = 's2'), now(), 'left_at set');
SELECT is((SELECT count(*) FROM dw.bridge_customer_tag WHERE valid_to IS NULL), 0::bigint,
          'tags of ended relationships close');
SELECT is((SELECT dismissed_at FROM dw.dim_group WHERE chat_id = 'g2'), NULL,
          'a group whose owner left the follow list is not taken for dismissed');

-- ---------------------------------------------------------------------------------------
-- identity: a remark phone links a WeCom customer to an order buyer; the profile follows merges
-- ---------------------------------------------------------------------------------------
SELECT pg_temp.stage() \gset
INSERT INTO tmp_wecom_staff VALUES ('s1'), ('s3');
INSERT INTO tmp_wecom_contact (src, userid, external_userid, name, customer_type, gender, createtime, add_way) VALUES
    ('p1', 's1', 'wA', 'Ann', 1, 2, '2024-07-01 10:00+08', 1),
    ('p1', 's3', 'wE', 'Eve', 1, 2, '2024-06-03 10:00+08', 3),
    ('p1', 's3', 'wF', 'Fay', 1, 2, '2024-08-01 10:00+08', 3);
INSERT INTO tmp_wecom_contact_phone VALUES ('s3', 'wF', 'h1', '138****0001');
SELECT lives_ok($$SELECT * FROM pg_temp.merge(1006)$$, 'merge with a phone that links two customers');
SELECT is((SELECT count(DISTINCT customer_key) FROM dw.wecom_customer WHERE external_userid IN ('wB', 'wF')),
          1::bigint, 'wB and wF share the remark phone: one customer');
SELECT is((SELECT count(*) FROM dw.wecom_customer w
            WHERE NOT EXISTS (SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = w.customer_key)),
          0::bigint, 'every WeCom profile points at a live customer');
SELECT is((SELECT count(*) FROM dw.customer_merge WHERE run_id = 1006), 0::bigint,
          'a new external id joining an existing customer is no merge');

-- A later merge from another loader re-points the profile (trigger on dw.customer_merge).
DROP TABLE IF EXISTS tmp_merge;
CREATE TEMP TABLE tmp_merge (from_key bigint, into_key bigint, reason text);
INSERT INTO tmp_merge
SELECT (SELECT customer_key FROM dw.wecom_customer WHERE external_userid = 'wE'),
       (SELECT customer_key FROM dw.wecom_customer WHERE external_userid = 'wA'), 'test';
SELECT lives_ok($$SELECT dw.merge_customers(1007)$$, 'merge two WeCom customers');
SELECT is((SELECT count(DISTINCT customer_key) FROM dw.wecom_customer WHERE external_userid IN ('wA', 'wE')),
          1::bigint, 'the profiles follow the merge');

-- ---------------------------------------------------------------------------------------
-- contracts
-- ---------------------------------------------------------------------------------------
SELECT is((SELECT relpersistence FROM pg_class WHERE oid = 'staging.wecom_contact_in'::regclass),
          'u'::"char", 'staging templates are UNLOGGED');
SELECT ok(NOT has_table_privilege('bi_reader', 'etl.wecom_contact_snapshot', 'SELECT'), 'bi_reader cannot read snapshots');
SELECT ok(NOT has_table_privilege('bi_reader', 'staging.wecom_contact_in', 'SELECT'), 'bi_reader cannot read WeCom staging');
SELECT ok(has_table_privilege('bi_reader', 'dw.wecom_customer', 'SELECT'), 'bi_reader reads dw.wecom_customer');
SELECT is((SELECT count(*) FROM staging.wecom_contact_in), 0::bigint, 'templates stay empty');
SELECT is((SELECT count(*) FROM dw.fact_contact_event e WHERE date_key IS NULL), 0::bigint, 'every event has a date_key');

SELECT * FROM finish();
ROLLBACK;

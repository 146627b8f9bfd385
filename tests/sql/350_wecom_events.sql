-- 350_wecom_events.sql — etl.wecom_events_load (migration 0030) on hand-made spool lines:
-- ingest (rejects, dedupe by key), and every kind of event applied in event-time order,
-- idempotently; re-adds, out-of-order arrival, pending and orphaned events, exact times
-- replacing snapshot-detected ones, tag groups, and who may read the event log.
-- Everything happens in one transaction that is rolled back.
--
-- Times: all events are on 2025-06-01 (business zone Asia/Shanghai, the default of
-- etl.setting); T(h) below is 2025-06-01 h:00 +08.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'Asia/Shanghai';
SELECT plan(47);

-- ---------------------------------------------------------------------------------------
-- helpers
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.t(h int) RETURNS timestamptz LANGUAGE sql AS
$$ SELECT '2025-06-01 00:00+08'::timestamptz + make_interval(hours => h) $$;

-- one spool line as the receiver writes it; received 5 s after the event unless given
CREATE FUNCTION pg_temp.line(p_key text, p_h int, p_fields jsonb, p_received timestamptz DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
    SELECT jsonb_build_object(
        'received_at', to_char(coalesce(p_received, pg_temp.t(p_h) + interval '5 s') AT TIME ZONE 'UTC',
                               'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'key', p_key,
        'event', jsonb_build_object('ToUserName', 'ww1436e0e65a779aee', 'FromUserName', 'sys',
                                    'CreateTime', extract(epoch FROM pg_temp.t(p_h))::bigint::text,
                                    'MsgType', 'event') || p_fields)::text
$$;

CREATE FUNCTION pg_temp.contact(p_change text, p_user text, p_ext text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT jsonb_build_object('Event', 'change_external_contact', 'ChangeType', p_change,
                             'UserID', p_user, 'ExternalUserID', p_ext) $$;

CREATE FUNCTION pg_temp.chat(p_change text, p_chat text, p_extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS
$$ SELECT jsonb_build_object('Event', 'change_external_chat', 'ChatId', p_chat, 'ChangeType', p_change) || p_extra $$;

CREATE FUNCTION pg_temp.cust(p_ext text) RETURNS bigint LANGUAGE sql AS
$$ SELECT customer_key FROM dw.customer_identity WHERE id_type = 'external_userid' AND id_value = p_ext $$;

CREATE FUNCTION pg_temp.staff(p_userid text) RETURNS int LANGUAGE sql AS
$$ SELECT staff_key FROM dw.dim_staff WHERE userid = p_userid $$;

-- load a batch: lines of temp table batch_lines become tmp_wecom_spool
CREATE FUNCTION pg_temp.load(p_grace interval DEFAULT interval '7 days')
RETURNS TABLE (lines bigint, stored bigint, duplicates bigint, rejected bigint, applied bigint,
               ignored bigint, orphaned bigint, pending bigint)
LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS tmp_wecom_spool;
    CREATE TEMP TABLE tmp_wecom_spool ON COMMIT DROP AS
        SELECT 'events-20250601.jsonl'::text AS file, n AS line_no, raw FROM batch_lines;
    DELETE FROM batch_lines;
    RETURN QUERY SELECT * FROM etl.wecom_events_load((SELECT max(run_id) FROM etl.run), 'wx', p_grace);
END
$$;

CREATE TEMP TABLE batch_lines (n bigserial, raw text);
INSERT INTO etl.run (command, status) VALUES ('test', 'running');

-- What a snapshot loaded before: staff zhangsan, customer c1, a relationship zhangsan–c7
-- whose removal a snapshot detected at T(20) (inexact), group g1 with member c8 whose
-- leave a snapshot detected at T(20), tags A and B of tag group G on c1.
INSERT INTO dw.dim_staff (userid, name) VALUES ('zhangsan', '张三');
INSERT INTO dw.dim_customer (first_seen_at, acquisition_source)
SELECT '2025-05-01 00:00+08', 'wecom' FROM generate_series(1, 3);
INSERT INTO dw.customer_identity (id_type, platform, id_value, customer_key, first_seen_at)
SELECT 'external_userid', '', v, k, '2025-05-01 00:00+08'
  FROM (SELECT customer_key AS k, row_number() OVER (ORDER BY customer_key) AS i FROM dw.dim_customer) c
  JOIN (VALUES (1, 'wmCustomer000000000c1'), (2, 'wmCustomer000000000c7'), (3, 'wmCustomer000000000c8')) v (i, v)
 USING (i);
INSERT INTO dw.fact_contact (staff_key, customer_key, added_at, removed_at, removed_by)
VALUES (pg_temp.staff('zhangsan'), pg_temp.cust('wmCustomer000000000c7'), '2025-05-01 00:00+08', pg_temp.t(20), 'staff');
INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key, time_is_exact, removed_by, origin)
VALUES (pg_temp.staff('zhangsan'), pg_temp.cust('wmCustomer000000000c7'), 'remove', pg_temp.t(20), 20250601, false, 'staff', 'snapshot');
INSERT INTO dw.dim_group (chat_id, name) VALUES ('wrGroup1', '静安店VIP群');
INSERT INTO dw.fact_group_member (group_key, member_type, customer_key, joined_at, join_scene, left_at, left_is_exact)
SELECT group_key, 'customer', pg_temp.cust('wmCustomer000000000c8'), '2025-05-02 00:00+08', 2, pg_temp.t(20), false
  FROM dw.dim_group;
INSERT INTO dw.dim_tag (tag_id, name, group_id) VALUES ('etTagA', 'A', 'etGroupG'), ('etTagB', 'B', 'etGroupG'), ('etTagC', 'C', 'etGroupH');
INSERT INTO dw.bridge_customer_tag (customer_key, tag_key, staff_key, valid_from)
SELECT pg_temp.cust('wmCustomer000000000c1'), tag_key, pg_temp.staff('zhangsan'), '2025-05-01 00:00+08' FROM dw.dim_tag;

-- ---------------------------------------------------------------------------------------
-- batch 1: ingest — what is rejected, what is a duplicate
-- ---------------------------------------------------------------------------------------
INSERT INTO batch_lines (raw) VALUES
    (pg_temp.line('k01', 9, pg_temp.contact('add_external_contact', 'zhangsan', 'wmCustomer000000000c1') || '{"State":"qr1"}')),
    (pg_temp.line('k01', 9, pg_temp.contact('add_external_contact', 'zhangsan', 'wmCustomer000000000c1'))),  -- same key: a retry
    ('{"received_at":"2025-06-01T01:00:00Z","key":"tor'),                                              -- torn line
    ('[1,2]'),
    ('{"received_at":"2025-06-01T01:00:00Z","event":{}}'),                                             -- no key
    ('{"received_at":"yesterday-ish","key":"kbad1","event":{}}'),
    ('{"received_at":"2025-06-01T01:00:00Z","key":"kbad2","event":"x"}'),
    (pg_temp.line('kbad3', 9, pg_temp.contact('del_follow_user', 'zhangsan', ''))),                    -- no ExternalUserID
    (pg_temp.line('kbad4', 9, pg_temp.chat('dismiss', ''))),                                          -- no ChatId
    (pg_temp.line('kbad5', 9, '{"Event":"change_external_tag","ChangeType":"delete","TagType":"tag"}')), -- no Id
    (pg_temp.line('kbad6', 9, pg_temp.chat('update', 'wrGroup1', '{"UpdateDetail":"add_member","MemChangeList":"a,b"}'))),
    (jsonb_set(pg_temp.line('kbad7', 9, pg_temp.contact('add_external_contact', 'zhangsan', 'wmX'))::jsonb,
               '{event,CreateTime}', '"4180593600"')::text),                                        -- 2102: after dim_date (0016)
    (jsonb_set(pg_temp.line('kbad8', 9, pg_temp.contact('add_external_contact', 'zhangsan', 'wmX'))::jsonb,
               '{event,CreateTime}', '"soon"')::text);

SELECT results_eq($$SELECT * FROM pg_temp.load()$$,
    $$VALUES (13::bigint, 1::bigint, 1::bigint, 11::bigint, 1::bigint, 0::bigint, 0::bigint, 0::bigint)$$,
    'ingest: 13 lines, 1 event stored and applied, 1 retry, 11 rejected');
SELECT results_eq(
    $$SELECT reason FROM etl.reject ORDER BY split_part(location, ':', 2)::int$$,
    $$VALUES ('spool line: not JSON (a line cut short?)'), ('spool line: not a JSON object'),
             ('spool line: no key'), ('spool line: no or bad received_at'), ('spool line: no event object'),
             ('change_external_contact/del_follow_user: missing UserID or ExternalUserID'),
             ('change_external_chat/dismiss: missing ChatId'),
             ('change_external_tag/delete: missing Id'),
             ('change_external_chat/update: MemChangeList is not a list'),
             ('change_external_contact/add_external_contact: CreateTime outside the date dimension'),
             ('change_external_contact/add_external_contact: missing or bad CreateTime')$$,
    'ingest: each bad line or event rejected with its reason, in spool order');
SELECT is((SELECT count(*) FROM etl.reject WHERE location !~ '^events-20250601[.]jsonl:[0-9]+$'), 0::bigint,
          'rejects: location is file:line');
SELECT is((SELECT raw FROM etl.reject WHERE location = 'events-20250601.jsonl:3'),
          '{"received_at":"2025-06-01T01:00:00Z","key":"tor', 'rejects keep the raw line');
SELECT results_eq($$SELECT status, count(*) FROM etl.wecom_event GROUP BY 1 ORDER BY 1$$,
    $$VALUES ('applied', 1::bigint), ('rejected', 6::bigint)$$,
    'rejected events are kept in the log (marked rejected), so a re-read does not reject them twice');
SELECT results_eq($$SELECT * FROM pg_temp.load()$$,
    $$VALUES (0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint)$$,
    'an empty batch does nothing');

-- the first stored copy wins: State qr1 came with the first line
SELECT is((SELECT state FROM dw.fact_contact WHERE customer_key = pg_temp.cust('wmCustomer000000000c1')), 'qr1',
          'add: relationship opened with the event''s State');
SELECT is((SELECT added_at FROM dw.fact_contact WHERE customer_key = pg_temp.cust('wmCustomer000000000c1')),
          pg_temp.t(9), 'add: added_at = CreateTime');

-- ---------------------------------------------------------------------------------------
-- batch 2: contacts — removals, re-add, exact times replacing detected ones, pending
-- (lines deliberately not in time order: they apply in event-time order)
-- ---------------------------------------------------------------------------------------
INSERT INTO batch_lines (raw) VALUES
    (pg_temp.line('k12', 12, pg_temp.contact('add_external_contact', 'zhangsan', 'wmCustomer000000000c1'))),  -- re-add
    (pg_temp.line('k10', 10, pg_temp.contact('del_follow_user', 'zhangsan', 'wmCustomer000000000c1'))),
    (pg_temp.line('k11', 11, pg_temp.contact('del_external_contact', 'zhangsan', 'wmCustomer000000000c1'))),  -- already closed
    (pg_temp.line('k13', 13, pg_temp.contact('del_external_contact', 'zhangsan', 'wmCustomer000000000c7'))),  -- exact < detected
    (pg_temp.line('k14', 14, pg_temp.contact('del_follow_user', 'zhangsan', 'wmCustomer000000000c5'), now())),  -- unknown: waits
    (pg_temp.line('k15', 15, pg_temp.contact('del_follow_user', 'lisi', 'wmCustomer000000000c1'), now() - interval '8 days')),
    (pg_temp.line('k16', 16, pg_temp.contact('edit_external_contact', 'zhangsan', 'wmCustomer000000000c1'))),
    (pg_temp.line('k17', 16, pg_temp.contact('add_half_external_contact', 'zhangsan', 'wmCustomer000000000c6'))),
    (pg_temp.line('k18', 16, pg_temp.contact('transfer_fail', 'zhangsan', 'wmCustomer000000000c1') || '{"FailReason":"customer_refused"}'));

SELECT results_eq($$SELECT * FROM pg_temp.load()$$,
    $$VALUES (9::bigint, 9::bigint, 0::bigint, 0::bigint, 4::bigint, 3::bigint, 1::bigint, 1::bigint)$$,
    'batch 2: 4 applied, 3 ignored, 1 orphaned (lisi never known, past the grace), 1 pending');

SELECT results_eq(
    $$SELECT event_type, occurred_at, coalesce(removed_by, '-'), time_is_exact, origin
        FROM dw.fact_contact_event WHERE customer_key = pg_temp.cust('wmCustomer000000000c1') ORDER BY occurred_at$$,
    $$VALUES ('add', pg_temp.t(9), '-', true, 'callback'), ('remove', pg_temp.t(10), 'customer', true, 'callback'),
             ('remove', pg_temp.t(11), 'staff', true, 'callback'), ('add', pg_temp.t(12), '-', true, 'callback')$$,
    'c1: add, removed by the customer, the staff''s late delete, re-added: every event exact, from callbacks');
SELECT results_eq(
    $$SELECT added_at, removed_at, removed_by, state FROM dw.fact_contact
       WHERE customer_key = pg_temp.cust('wmCustomer000000000c1')$$,
    $$VALUES (pg_temp.t(12), NULL::timestamptz, NULL::text, NULL::text)$$,
    're-add: the relationship row is reopened at the new add (State of the new add)');
SELECT results_eq(
    $$SELECT removed_at, removed_by FROM dw.fact_contact WHERE customer_key = pg_temp.cust('wmCustomer000000000c7')$$,
    $$VALUES (pg_temp.t(13), 'staff')$$,
    'c7: the exact callback time replaces the removal a snapshot detected later');
SELECT results_eq(
    $$SELECT occurred_at, time_is_exact, origin FROM dw.fact_contact_event
       WHERE customer_key = pg_temp.cust('wmCustomer000000000c7')$$,
    $$VALUES (pg_temp.t(13), true, 'callback')$$,
    'c7: the detected remove event is replaced by the exact one (no double count)');
SELECT results_eq(
    $$SELECT key, status, note FROM etl.wecom_event WHERE key IN ('k14', 'k15', 'k16', 'k17', 'k18') ORDER BY key$$,
    $$VALUES ('k14', 'pending', 'relationship not in the warehouse yet; retried after the next snapshot'),
             ('k15', 'orphaned', 'relationship never found in the warehouse'),
             ('k16', 'ignored', 'remark or tags edited; the snapshot reloads them'),
             ('k17', 'ignored', 'nothing to apply for change_external_contact/add_half_external_contact'),
             ('k18', 'ignored', 'nothing to apply for change_external_contact/transfer_fail')$$,
    'pending, orphaned and ignored events say why');
SELECT is((SELECT count(*) FROM dw.dim_staff WHERE userid = 'lisi'), 0::bigint,
          'a removal does not create staff members');
SELECT is(pg_temp.cust('wmCustomer000000000c5'), NULL::bigint, 'nor customers');
SELECT is((SELECT applied_run_id FROM etl.wecom_event WHERE key = 'k14'), NULL::bigint,
          'a pending event has no applied run');

-- ---------------------------------------------------------------------------------------
-- batch 3: the relationship the pending removal waited for arrives (an earlier add)
-- ---------------------------------------------------------------------------------------
INSERT INTO batch_lines (raw) VALUES
    (pg_temp.line('k08', 8, pg_temp.contact('add_external_contact', 'zhangsan', 'wmCustomer000000000c5')));
SELECT results_eq($$SELECT * FROM pg_temp.load()$$,
    $$VALUES (1::bigint, 1::bigint, 0::bigint, 0::bigint, 2::bigint, 0::bigint, 0::bigint, 0::bigint)$$,
    'batch 3: the add and the waiting removal both apply');
SELECT results_eq(
    $$SELECT added_at, removed_at, removed_by FROM dw.fact_contact WHERE customer_key = pg_temp.cust('wmCustomer000000000c5')$$,
    $$VALUES (pg_temp.t(8), pg_temp.t(14), 'customer')$$,
    'c5: added at 08:00, removed by the customer at 14:00 (event-time order across batches)');
SELECT is((SELECT acquisition_source FROM dw.dim_customer WHERE customer_key = pg_temp.cust('wmCustomer000000000c5')),
          'wecom', 'a new customer comes from identity resolution, acquired through wecom');

-- ---------------------------------------------------------------------------------------
-- batch 4: groups
-- ---------------------------------------------------------------------------------------
INSERT INTO batch_lines (raw) VALUES
    (pg_temp.line('g1', 9, pg_temp.chat('create', 'wrGroup2'))),
    (pg_temp.line('g2', 10, pg_temp.chat('update', 'wrGroup2',
        '{"UpdateDetail":"add_member","JoinScene":"0","MemChangeCnt":"3","MemChangeList":["wmCustomer000000000c1","woNewCustomer0000000c9","wangwu"]}'))),
    (pg_temp.line('g3', 11, pg_temp.chat('update', 'wrGroup2',
        '{"UpdateDetail":"add_member","JoinScene":"3","MemChangeList":["wmCustomer000000000c1"]}'))),     -- already a member
    (pg_temp.line('g4', 12, pg_temp.chat('update', 'wrGroup2',
        '{"UpdateDetail":"del_member","QuitScene":"0","MemChangeList":["wmCustomer000000000c1","wmNeverSeen00000000cz"]}'))),
    (pg_temp.line('g5', 13, pg_temp.chat('update', 'wrGroup1',
        '{"UpdateDetail":"del_member","QuitScene":"1","MemChangeList":["wmCustomer000000000c8"]}'))),   -- exact < detected
    (pg_temp.line('g6', 14, pg_temp.chat('update', 'wrGroup2', '{"UpdateDetail":"change_name"}'))),
    (pg_temp.line('g7', 14, pg_temp.chat('update', 'wrGroup2', '{"UpdateDetail":"add_member","MemChangeCnt":"1"}'))),
    (pg_temp.line('g8', 15, pg_temp.chat('update', 'wrGone',
        '{"UpdateDetail":"del_member","QuitScene":"0","MemChangeList":["wmCustomer000000000c1"]}'))),
    (pg_temp.line('g9', 16, pg_temp.chat('dismiss', 'wrGroup2'))),
    (pg_temp.line('g10', 17, pg_temp.chat('dismiss', 'wrGroup3')));

SELECT results_eq($$SELECT * FROM pg_temp.load()$$,
    $$VALUES (10::bigint, 10::bigint, 0::bigint, 0::bigint, 7::bigint, 2::bigint, 1::bigint, 0::bigint)$$,
    'batch 4: 7 applied, 2 ignored (change_name, add_member without a list), 1 orphaned (a quit in an unknown group)');
SELECT results_eq(
    $$SELECT chat_id, created_at, dismissed_at FROM dw.dim_group ORDER BY chat_id$$,
    $$VALUES ('wrGroup1', NULL::timestamptz, NULL::timestamptz), ('wrGroup2', pg_temp.t(9), pg_temp.t(16)),
             ('wrGroup3', NULL, pg_temp.t(17))$$,
    'groups: created and dismissed at CreateTime; an unknown dismissed group is created minimally');
SELECT results_eq(
    $$SELECT m.member_type, coalesce(s.userid, i.id_value), m.joined_at, m.join_scene, m.left_at, m.quit_scene, m.left_is_exact
        FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
        LEFT JOIN dw.dim_staff s USING (staff_key) LEFT JOIN dw.customer_identity i ON i.customer_key = m.customer_key
       WHERE g.chat_id = 'wrGroup2' ORDER BY 2$$,
    $$VALUES ('staff', 'wangwu', pg_temp.t(10), NULL::int, pg_temp.t(16), NULL::int, true),
             ('customer', 'wmCustomer000000000c1', pg_temp.t(10), NULL, pg_temp.t(12), 0, true),
             ('customer', 'woNewCustomer0000000c9', pg_temp.t(10), NULL, pg_temp.t(16), NULL, true)$$,
    'wrGroup2: joins (JoinScene 0 has no groupchat/get equivalent: NULL), a quit with QuitScene 0, the rest closed by the dismissal');
SELECT results_eq(
    $$SELECT left_at, quit_scene, left_is_exact FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
       WHERE g.chat_id = 'wrGroup1'$$,
    $$VALUES (pg_temp.t(13), 1, true)$$,
    'wrGroup1: the exact quit replaces the leave a snapshot detected later, with QuitScene 1');
SELECT results_eq(
    $$SELECT key, status, note FROM etl.wecom_event WHERE key IN ('g2', 'g3', 'g4', 'g6', 'g7', 'g8', 'g9') ORDER BY key$$,
    $$VALUES ('g2', 'applied', '3 of 3 members joined (others already members)'),
             ('g3', 'applied', '0 of 1 members joined (others already members)'),
             ('g4', 'applied', '1 of 2 members left (others had no open span)'),
             ('g6', 'ignored', 'nothing to apply (update/change_name); the snapshot brings it'),
             ('g7', 'ignored', 'add_member without MemChangeList; the snapshot brings the members'),
             ('g8', 'orphaned', 'del_member in a group the warehouse does not know'),
             ('g9', 'applied', 'group dismissed; 2 open member spans closed')$$,
    'group events say what they did');
SELECT is((SELECT count(*) FROM dw.dim_group WHERE chat_id = 'wrGone'), 0::bigint,
          'a quit does not create groups');
SELECT ok((SELECT name IS NULL AND department IS NULL FROM dw.dim_staff WHERE userid = 'wangwu'),
          'an unknown staff member joining is created minimally (the snapshot fills the rest)');

-- ---------------------------------------------------------------------------------------
-- batch 5: tags
-- ---------------------------------------------------------------------------------------
INSERT INTO batch_lines (raw) VALUES
    (pg_temp.line('t1', 9, '{"Event":"change_external_tag","ChangeType":"create","Id":"etTagD","TagType":"tag"}')),
    (pg_temp.line('t2', 10, '{"Event":"change_external_tag","ChangeType":"delete","Id":"etTagC","TagType":"tag"}')),
    (pg_temp.line('t3', 11, '{"Event":"change_external_tag","ChangeType":"delete","Id":"etGroupG","TagType":"tag_group"}')),
    (pg_temp.line('t4', 12, '{"Event":"change_external_tag","ChangeType":"delete","Id":"etNope","TagType":"tag"}')),
    (pg_temp.line('t5', 12, '{"Event":"change_external_tag","ChangeType":"shuffle","Id":"etGroupG","TagType":"tag_group"}'));
SELECT results_eq($$SELECT * FROM pg_temp.load()$$,
    $$VALUES (5::bigint, 5::bigint, 0::bigint, 0::bigint, 2::bigint, 2::bigint, 1::bigint, 0::bigint)$$,
    'batch 5: 2 deletes applied, create and shuffle ignored, an unknown tag orphaned');
SELECT results_eq(
    $$SELECT t.tag_id, t.deleted_at, b.valid_to FROM dw.dim_tag t JOIN dw.bridge_customer_tag b USING (tag_key) ORDER BY 1$$,
    $$VALUES ('etTagA', pg_temp.t(11), pg_temp.t(11)), ('etTagB', pg_temp.t(11), pg_temp.t(11)),
             ('etTagC', pg_temp.t(10), pg_temp.t(10))$$,
    'a deleted tag, and every tag of a deleted tag group, soft-deleted with their customer tags closed');

-- ---------------------------------------------------------------------------------------
-- idempotency, grace, and the whole log
-- ---------------------------------------------------------------------------------------
CREATE TEMP TABLE digest_before AS
SELECT md5(string_agg(t, ';' ORDER BY t)) AS d FROM (
    SELECT c::text AS t FROM dw.fact_contact c UNION ALL SELECT e::text FROM dw.fact_contact_event e
    UNION ALL SELECT m::text FROM dw.fact_group_member m UNION ALL SELECT g::text FROM dw.dim_group g
    UNION ALL SELECT t::text FROM dw.dim_tag t UNION ALL SELECT b::text FROM dw.bridge_customer_tag b
    UNION ALL SELECT w.key || w.status FROM etl.wecom_event w) x;
-- every line of every batch again (as if the spool offsets were lost)
INSERT INTO batch_lines (raw)
SELECT pg_temp.line(key, 0, '{}') FROM etl.wecom_event;   -- same keys, other content
SELECT results_eq($$SELECT lines, stored, duplicates, rejected, applied FROM pg_temp.load()$$,
    $$SELECT count(*), 0::bigint, count(*), 0::bigint, 0::bigint FROM etl.wecom_event$$,
    'reading the spool again: every line a duplicate by key, nothing applied twice');
SELECT is((SELECT md5(string_agg(t, ';' ORDER BY t)) FROM (
    SELECT c::text AS t FROM dw.fact_contact c UNION ALL SELECT e::text FROM dw.fact_contact_event e
    UNION ALL SELECT m::text FROM dw.fact_group_member m UNION ALL SELECT g::text FROM dw.dim_group g
    UNION ALL SELECT t::text FROM dw.dim_tag t UNION ALL SELECT b::text FROM dw.bridge_customer_tag b
    UNION ALL SELECT w.key || w.status FROM etl.wecom_event w) x), (SELECT d FROM digest_before),
    'the warehouse is unchanged');

-- a pending event past the grace period is orphaned
INSERT INTO batch_lines (raw) VALUES
    (pg_temp.line('k19', 18, pg_temp.contact('del_follow_user', 'zhangsan', 'wmCustomer00000000c10'),
                  now() - interval '1 hour'));
SELECT results_eq($$SELECT applied, orphaned, pending FROM pg_temp.load()$$,
    $$VALUES (0::bigint, 0::bigint, 1::bigint)$$, 'a removal of an unknown relationship waits');
SELECT results_eq($$SELECT applied, orphaned, pending FROM pg_temp.load(interval '1 minute')$$,
    $$VALUES (0::bigint, 1::bigint, 0::bigint)$$, 'and is orphaned once the grace period is over');

SELECT is((SELECT count(*) FROM etl.wecom_event WHERE source = 'wx'), 33::bigint, 'every event is kept');
SELECT is((SELECT count(*) FROM etl.wecom_event WHERE status <> 'pending' AND applied_run_id IS NULL), 0::bigint,
          'every settled event records its run');
SELECT is((SELECT count(*) FROM dw.fact_contact_event WHERE date_key <> 20250601), 0::bigint,
          'date keys in the business zone');

-- ---------------------------------------------------------------------------------------
-- schema and privileges
-- ---------------------------------------------------------------------------------------
SELECT has_table('etl', 'wecom_event', 'etl.wecom_event exists');
SELECT has_table('etl', 'wecom_spool_file', 'etl.wecom_spool_file exists');
SELECT col_is_pk('etl', 'wecom_event', 'key', 'etl.wecom_event is keyed by the dedupe key');
SELECT col_is_pk('etl', 'wecom_spool_file', ARRAY['source', 'file'], 'spool offsets per source and file');
SELECT has_function('etl', 'wecom_events_load', ARRAY['bigint', 'text', 'interval'], 'etl.wecom_events_load exists');
SELECT ok(NOT has_table_privilege('bi_reader', 'etl.wecom_event', 'SELECT'), 'bi_reader cannot read the event log');
SELECT ok(NOT has_function_privilege('bi_reader', 'etl.wecom_events_load(bigint, text, interval)', 'EXECUTE'),
          'bi_reader cannot run the loader');
SELECT is((SELECT relowner::regrole::text FROM pg_class WHERE oid = 'etl.wecom_event'::regclass), 'siyu_writer',
          'siyu_writer owns etl.wecom_event');
SELECT matches(col_description('dw.fact_group_member'::regclass,
                               (SELECT attnum FROM pg_attribute WHERE attrelid = 'dw.fact_group_member'::regclass
                                                                  AND attname = 'quit_scene')),
               '0 left on their own, 1 removed by the owner', 'quit_scene documents WeCom''s codes');
SELECT is((SELECT count(*) FROM etl.reject WHERE entity <> 'wecom_event'), 0::bigint, 'rejects are entity wecom_event');
SELECT is((SELECT count(*) FROM etl.reject), 11::bigint, 'no reject recorded twice');

SELECT * FROM finish();
ROLLBACK;

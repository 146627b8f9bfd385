#!/usr/bin/env bash
test_description='siyu wecom-callback: URL check, signed and encrypted pushes, retries, bad signatures, durable spool, SIGTERM/kill -9, and the spool loaded into the warehouse'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-callback.sh"

# The events are tests/data/wecom_push/*.xml: self-built-app envelopes (ToUserName,
# FromUserName=sys, CreateTime, MsgType=event, Event, ChangeType, …) modeled on the
# push fixtures of wenerme/go-wecom and WeCom's docs (92130), all on 2025-06-01.
# wecom_push signs and encrypts them like WeCom (extract/wecom_crypto.c, checked against
# the official WXBizMsgCrypt sample vectors in tests/unit/test_wecom_crypto.c) and POSTs
# them over HTTP.
#
# The load goes through the wecom_events_load test driver (one run, one transaction,
# wecom_events_apply) until `siyu run`'s WeCom source calls it itself.

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"

[ -x "$FAKES/wecom_events_load" ] ||
	die "build the test programs first: make check (or make build/rel/fakes/wecom_events_load)"
DATA=$TOP/tests/data/wecom_push
export WECOM_SECRET=unused-by-the-receiver
export DATA
callback_conf

load_events() {
	"$FAKES/wecom_events_load" --config pipeline.conf "$@"
}

test_expect_success 'wecom-callback --help documents the command' '
	"$SIYU" wecom-callback --help >out &&
	grep -q "usage: siyu wecom-callback" out &&
	grep -q -- "--port-file" out &&
	"$SIYU" --help >out &&
	grep -q "wecom-callback  *receive WeCom change events into the spool" out
'

test_expect_success 'a source without callback_token is a configuration error' '
	sed "/callback_token/d" pipeline.conf >notoken.conf &&
	test_expect_code 2 timeout 10 "$SIYU" --config notoken.conf wecom-callback --listen 127.0.0.1:0 2>err &&
	grep -q "has no callback_token" err &&
	test_expect_code 2 timeout 10 "$SIYU" --config pipeline.conf wecom-callback --source nope 2>err &&
	grep -q "no source .nope." err
'

test_expect_success 'a bad EncodingAESKey is refused without echoing it' '
	(
		export WX_CB_AES_KEY=short-key-value &&
		test_expect_code 2 timeout 10 "$SIYU" --config pipeline.conf wecom-callback --listen 127.0.0.1:0 2>err
	) &&
	grep -q "callback_aes_key must be the 43-character EncodingAESKey" err &&
	! grep -q short-key-value err
'

test_expect_success 'the receiver starts on a free port and answers the URL check' '
	start_receiver &&
	push --verify >out &&
	grep -q "^200 " out &&
	push --verify --plus-raw >out &&
	grep -q "^200 " out
'

test_expect_success 'a second receiver cannot take the same port' '
	test_expect_code 1 timeout 10 "$SIYU" --config pipeline.conf wecom-callback \
		--listen "127.0.0.1:$(cat port)" 2>err &&
	grep -q "cannot listen on" err
'

test_expect_success 'the URL check with a bad signature is refused' '
	test_expect_code 22 push --verify --bad-signature >out &&
	grep -q "^403" out
'

test_expect_success 'events pushed like WeCom are answered 200 and spooled, one line each' '
	for f in "$DATA"/0*.xml "$DATA"/10-*.xml "$DATA"/11-*.xml; do
		push "$f" >out || { cat out; test_fail "push $f failed"; }
		assert_grep "^200$" out
	done &&
	test "$(spool_lines)" = 11
'

test_expect_success 'a retry of an event is answered 200 and not spooled again' '
	push "$DATA/03-del-follow-user-c01.xml" >out &&
	grep -q "^200$" out &&
	push "$DATA/06-chat-add-member.xml" >out &&
	test "$(spool_lines)" = 11 &&
	test "$(grep -c "duplicate of a spooled event (retry)" receiver.log)" = 2
'

test_expect_success 'a bad signature and another corp are rejected with 403 and not spooled' '
	test_expect_code 22 push --bad-signature "$DATA/12-add-c04.xml" >out &&
	grep -q "^403" out &&
	test_expect_code 22 push --encrypt-for wwsomeothercorp00 "$DATA/12-add-c04.xml" >out &&
	grep -q "^403" out &&
	test "$(spool_lines)" = 11 &&
	grep -q "status=403 event=- reason=\"bad signature\"" receiver.log &&
	grep -q "status=403 event=- reason=\"wrong receiver id\"" receiver.log
'

test_expect_success 'a chat message (not an event) is answered 200 and not spooled' '
	push "$DATA/14-text-message.xml" >out &&
	grep -q "^200$" out &&
	test "$(spool_lines)" = 11 &&
	grep -q "not an event; not spooled" receiver.log
'

test_expect_success 'the log holds no secrets and no payloads' '
	! grep -q "$WX_CB_TOKEN" receiver.log &&
	! grep -q "$WX_CB_AES_KEY" receiver.log &&
	! grep -q "wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c1" receiver.log
'

test_expect_success 'spool lines: received_at, key and every field; MemChangeList as an array' '
	f=$(ls "$SPOOL"/events-*.jsonl | head -n 1) &&
	test "$(cat "$SPOOL"/events-*.jsonl | grep -c "^{\"received_at\":\"20[0-9-]*T[0-9:.]*Z\",\"key\":\"[0-9a-f]\{32\}\",\"event\":{\"ToUserName\":\"$CORP\",\"FromUserName\":\"sys\",\"CreateTime\":\"17487[0-9]*\",\"MsgType\":\"event\",\"Event\":\"change_external_")" = 11 &&
	grep -q "\"ChangeType\":\"del_follow_user\",\"UserID\":\"zhangsan\",\"ExternalUserID\":\"wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c1\"}}$" "$SPOOL"/events-*.jsonl &&
	grep -q "\"MemChangeList\":\[\"wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c1\",\"wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c3\",\"lisi\"\]" "$SPOOL"/events-*.jsonl &&
	test "$(cat "$SPOOL"/events-*.jsonl | grep -o "\"key\":\"[0-9a-f]*\"" | sort -u | wc -l)" = 11
'

test_expect_success 'kill -9 right after a 200 loses no acknowledged event' '
	push "$DATA/12-add-c04.xml" >out &&
	grep -q "^200$" out &&
	kill -9 "$(cat receiver.pid)" &&
	wait_gone "$(cat receiver.pid)" &&
	test "$(spool_lines)" = 12 &&
	tail -n 1 "$SPOOL"/events-*.jsonl >last &&
	grep -q "woAJ2GCAAAXtWyujaWJHDDGi0mACH7c4" last
'

test_expect_success 'after a restart, a retry of a spooled event is still recognized' '
	start_receiver &&
	push "$DATA/12-add-c04.xml" >out &&
	grep -q "^200$" out &&
	test "$(spool_lines)" = 12
'

test_expect_success 'a line cut short by a crash is ended before the next event' '
	f=$(ls "$SPOOL"/events-*.jsonl | tail -n 1) &&
	printf "{\"received_at\":\"2025-06-01T00:00:00Z\",\"key\":\"to" >>"$f" &&
	push "$DATA/13-del-follow-user-unknown.xml" >out &&
	grep -q "^200$" out &&
	test "$(spool_lines)" = 14 &&
	tail -n 2 "$f" >last2 &&
	head -n 1 last2 | grep "\"key\":\"to$" >/dev/null &&
	tail -n 1 last2 | grep "wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c9" >/dev/null
'

test_expect_success 'SIGTERM stops the receiver cleanly; nothing is left running' '
	pid=$(cat receiver.pid) &&
	kill -TERM "$pid" &&
	wait_gone "$pid" &&
	for _ in $(seq 100); do [ -s receiver.rc ] && break; sleep 0.05; done &&
	test "$(cat receiver.rc)" = 0 &&
	grep -q "msg=\"stopped\" spooled=1 duplicates=1 rejected=0 ignored=0" receiver.log &&
	test_must_fail curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$(cat port)/"
'

# The queries of the load tests (top-level functions: the test bodies are single-quoted).

# What the snapshot would have loaded before: staff zhangsan, customer c1 (known by its
# external_userid) and tag etAJ2GCAAAtag01 on c1.
seed_snapshot() {
	test_psql "
	INSERT INTO dw.dim_staff (userid, name) VALUES ('zhangsan', '张三');
	INSERT INTO dw.dim_customer (first_seen_at, acquisition_source)
	VALUES ('2025-05-01 00:00+08', 'wecom');
	INSERT INTO dw.customer_identity (id_type, platform, id_value, customer_key, first_seen_at)
	SELECT 'external_userid', '', 'wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c1', max(customer_key),
	       '2025-05-01 00:00+08'
	  FROM dw.dim_customer;
	INSERT INTO dw.dim_tag (tag_id, name, group_id) VALUES ('etAJ2GCAAAtag01', 'A类', 'etAJ2GCAAAgrp1');
	INSERT INTO dw.bridge_customer_tag (customer_key, tag_key, staff_key, valid_from)
	SELECT (SELECT max(customer_key) FROM dw.dim_customer), (SELECT tag_key FROM dw.dim_tag),
	       (SELECT staff_key FROM dw.dim_staff), '2025-05-01 00:00+08'"
}

contacts() {
	test_psql "SET TIME ZONE 'Asia/Shanghai';
	SELECT s.userid, i.id_value, c.added_at, c.state, c.removed_at, c.removed_by
	  FROM dw.fact_contact c JOIN dw.dim_staff s USING (staff_key)
	  JOIN dw.customer_identity i ON i.customer_key = c.customer_key AND i.id_type = 'external_userid'
	 ORDER BY 2"
}

contact_events() {
	test_psql "SET TIME ZONE 'Asia/Shanghai';
	SELECT s.userid, right(i.id_value, 2), e.event_type, e.occurred_at, e.date_key,
	       e.time_is_exact, coalesce(e.removed_by, '-'), e.origin
	  FROM dw.fact_contact_event e JOIN dw.dim_staff s USING (staff_key)
	  JOIN dw.customer_identity i ON i.customer_key = e.customer_key AND i.id_type = 'external_userid'
	 ORDER BY e.occurred_at"
}

groups() {
	test_psql "SET TIME ZONE 'Asia/Shanghai';
	SELECT chat_id, created_at, dismissed_at FROM dw.dim_group"
}

group_members() {
	test_psql "SET TIME ZONE 'Asia/Shanghai';
	SELECT m.member_type, coalesce(s.userid, right(i.id_value, 2)), m.joined_at, m.join_scene,
	       m.left_at, coalesce(m.quit_scene::text, '-'), m.left_is_exact
	  FROM dw.fact_group_member m LEFT JOIN dw.dim_staff s USING (staff_key)
	  LEFT JOIN dw.customer_identity i ON i.customer_key = m.customer_key
	 ORDER BY 2"
}

tags() {
	test_psql "SET TIME ZONE 'Asia/Shanghai';
	SELECT t.tag_id, t.deleted_at, b.valid_to FROM dw.dim_tag t JOIN dw.bridge_customer_tag b USING (tag_key)"
}

rejects() {
	test_psql "SELECT location ~ '^events-[0-9]{8}[.]jsonl:[0-9]+$', reason, raw LIKE '{%'
	  FROM etl.reject ORDER BY reject_id"
}

warehouse_digest() {
	test_psql "SELECT md5(string_agg(t, ';' ORDER BY t)) FROM (
	  SELECT c::text AS t FROM dw.fact_contact c UNION ALL SELECT e::text FROM dw.fact_contact_event e
	  UNION ALL SELECT m::text FROM dw.fact_group_member m UNION ALL SELECT g::text FROM dw.dim_group g
	  UNION ALL SELECT t::text FROM dw.dim_tag t UNION ALL SELECT b::text FROM dw.bridge_customer_tag b
	  UNION ALL SELECT w.key || w.status FROM etl.wecom_event w) x"
}

test_expect_success 'load: setup as a snapshot would have left it' '
	seed_snapshot
'

test_expect_success 'load: a duplicate line that got past the receiver is dropped by key' '
	f=$(ls "$SPOOL"/events-*.jsonl | tail -n 1) &&
	grep -h "\"ChangeType\":\"del_follow_user\",\"UserID\":\"zhangsan\",\"ExternalUserID\":\"wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c1\"" "$SPOOL"/events-*.jsonl >dup &&
	test "$(wc -l <dup)" = 1 &&
	cat dup >>"$f"
'

test_expect_success 'load: every line read once; retries, torn lines and missing ids handled' '
	load_events >out 2>err || { cat err; exit 1; }
	cat out &&
	grep -q "lines=15 stored=12 duplicates=1 rejected=2 applied=10 ignored=1 orphaned=0 pending=1" out
'

test_expect_success 'load: relationships opened and closed at the exact callback times' '
	contacts >actual &&
	cat >expect <<-\EOT &&
	zhangsan|wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c1|2025-06-01 10:00:00+08|store_sh_017|2025-06-01 12:00:00+08|customer
	zhangsan|wmAJ2GCAAAXtWyujaWJHDDGi0mACH7c2|2025-06-01 11:00:00+08||2025-06-01 13:00:00+08|staff
	wangwu|woAJ2GCAAAXtWyujaWJHDDGi0mACH7c4|2025-06-01 22:00:00+08|live_0601||
	EOT
	test_cmp expect actual
'

test_expect_success 'load: add and remove events, exact, origin callback' '
	contact_events >actual &&
	cat >expect <<-\EOT &&
	zhangsan|c1|add|2025-06-01 10:00:00+08|20250601|t|-|callback
	zhangsan|c2|add|2025-06-01 11:00:00+08|20250601|t|-|callback
	zhangsan|c1|remove|2025-06-01 12:00:00+08|20250601|t|customer|callback
	zhangsan|c2|remove|2025-06-01 13:00:00+08|20250601|t|staff|callback
	wangwu|c4|add|2025-06-01 22:00:00+08|20250601|t|-|callback
	EOT
	test_cmp expect actual
'

test_expect_success 'load: the known customer is reused; new ones come from identity resolution' '
	test_psql "SELECT count(*) FROM dw.dim_customer" >actual &&
	echo 4 >expect && test_cmp expect actual &&
	test_psql "SELECT userid, name IS NULL FROM dw.dim_staff ORDER BY 1" >actual &&
	printf "%s\n" "lisi|t" "wangwu|t" "zhangsan|f" >expect && test_cmp expect actual
'

test_expect_success 'load: group created, members joined and quit (quit_scene), dismissed' '
	groups >actual &&
	echo "wrAJ2GCAAAChat01aaaaaaaaaaaaaaaa|2025-06-01 14:00:00+08|2025-06-01 18:00:00+08" >expect &&
	test_cmp expect actual &&
	group_members >actual &&
	cat >expect <<-\EOT &&
	customer|c1|2025-06-01 15:00:00+08|3|2025-06-01 18:00:00+08|-|t
	customer|c3|2025-06-01 15:00:00+08|3|2025-06-01 16:00:00+08|1|t
	staff|lisi|2025-06-01 15:00:00+08|3|2025-06-01 18:00:00+08|-|t
	EOT
	test_cmp expect actual
'

test_expect_success 'load: a deleted tag is soft-deleted and its customer tags closed' '
	tags >actual &&
	echo "etAJ2GCAAAtag01|2025-06-01 19:00:00+08|2025-06-01 19:00:00+08" >expect &&
	test_cmp expect actual
'

test_expect_success 'load: the event log keeps every event with its status; rejects keep the raw line' '
	test_psql "SELECT change_type, status FROM etl.wecom_event ORDER BY spool_line" >actual &&
	cat >expect <<-\EOT &&
	add_external_contact|applied
	add_external_contact|applied
	del_follow_user|applied
	del_external_contact|applied
	create|applied
	update|applied
	update|applied
	dismiss|applied
	delete|applied
	edit_external_contact|ignored
	del_follow_user|rejected
	add_external_contact|applied
	del_follow_user|pending
	EOT
	test_cmp expect actual &&
	rejects >actual &&
	cat >expect <<-\EOT &&
	t|spool line: not JSON (a line cut short?)|t
	t|change_external_contact/del_follow_user: missing UserID or ExternalUserID|t
	EOT
	test_cmp expect actual
'

test_expect_success 'load again: nothing new, nothing changes' '
	warehouse_digest >before &&
	test_fingerprint >before.fp &&
	load_events >out &&
	grep -q "files=0 lines=0 stored=0 duplicates=0 rejected=0 applied=0 ignored=0 orphaned=0 pending=1" out &&
	warehouse_digest >after &&
	test_cmp before after &&
	test_fingerprint >after.fp &&
	test_cmp before.fp after.fp &&
	test "$(test_psql "SELECT count(*) FROM etl.reject")" = 2
'

test_expect_success 'a rolled-back load leaves offsets and events as they were' '
	start_receiver &&
	sed "s/1748743200/1748800000/; s/mACH7c1/mACH7c5/" "$DATA/01-add-c01.xml" >late.xml &&
	push late.xml >out &&
	grep -q "^200$" out &&
	kill -TERM "$(cat receiver.pid)" && wait_gone "$(cat receiver.pid)" &&
	load_events --rollback >out &&
	grep -q "lines=1 stored=1 duplicates=0 rejected=0 applied=1" out &&
	test "$(test_psql "SELECT count(*) FROM etl.wecom_event")" = 13 &&
	load_events >out &&
	grep -q "lines=1 stored=1 duplicates=0 rejected=0 applied=1" out &&
	test "$(test_psql "SELECT count(*) FROM etl.wecom_event")" = 14
'

test_expect_success 'no receiver is left running' '
	test -s receiver.pid &&
	! kill -0 "$(cat receiver.pid)" 2>/dev/null
'

test_done

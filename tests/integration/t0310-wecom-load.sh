#!/usr/bin/env bash
test_description='wecom source: a first run loads the fake corp exactly, a second run records exactly its changes, a third writes nothing new; callbacks are not undone by snapshots'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-wecom.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
fake_start fake "${WECOM_CORP[@]}"
wecom_conf "$TRASH/pipeline.conf" fake
CONF=$TRASH/pipeline.conf
Q="'"

# The warehouse's numbers, labelled like the fake's truth.
warehouse() {
	test_psql "
	SELECT 'follow_users=' || count(*) FILTER (WHERE left_at IS NULL) FROM dw.dim_staff;
	SELECT 'customers_ever=' || count(*) FROM dw.dim_customer;
	SELECT 'relationships_active=' || count(*) FILTER (WHERE removed_at IS NULL) FROM dw.fact_contact;
	SELECT 'add_events=' || count(*) FILTER (WHERE event_type = ${Q}add${Q}) FROM dw.fact_contact_event;
	SELECT 'remove_events=' || count(*) FILTER (WHERE event_type = ${Q}remove${Q}) FROM dw.fact_contact_event;
	SELECT 'tags=' || count(*) FROM dw.dim_tag;
	SELECT 'tags_active=' || count(*) FILTER (WHERE deleted_at IS NULL) FROM dw.dim_tag;
	SELECT 'tag_links_active=' || count(*) FILTER (WHERE valid_to IS NULL) FROM dw.bridge_customer_tag;
	SELECT 'groups_ever=' || count(*) FROM dw.dim_group;
	SELECT 'groups_dismissed=' || count(dismissed_at) FROM dw.dim_group;
	SELECT 'members_active=' || count(*) FILTER (WHERE left_at IS NULL) FROM dw.fact_group_member;
	SELECT 'customer_members_active=' || count(*) FILTER (WHERE left_at IS NULL AND member_type = ${Q}customer${Q}) FROM dw.fact_group_member;
	SELECT 'staff_members_active=' || count(*) FILTER (WHERE left_at IS NULL AND member_type = ${Q}staff${Q}) FROM dw.fact_group_member;
	SELECT 'member_spans=' || count(*) FROM dw.fact_group_member;"
}

truth() {
	local k
	for k in follow_users customers_ever relationships_active add_events remove_events tags \
		tags_active tag_links_active groups_ever groups_dismissed members_active \
		customer_members_active staff_members_active member_spans; do
		echo "$k=$(fake_expect fake "$k")"
	done
}

last_run() {
	test_psql "SELECT max(run_id) FROM etl.run_source WHERE source = ${Q}wecom${Q}"
}

test_expect_success 'first run loads staff, customers, relationships, tags, groups, members' '
	wecom_run "$CONF" &&
	grep -E "^wecom +ok" out &&
	truth >expect && warehouse >actual && test_cmp expect actual
'

test_expect_success 'first run: staff names and departments from the address book' '
	test_psql "SELECT count(*) FROM dw.dim_staff WHERE name IS NOT NULL" >actual &&
	fake_expect fake follow_users >expect && test_cmp expect actual &&
	test_psql "SELECT userid, name, department FROM dw.dim_staff
		WHERE userid IN (${Q}sales001${Q}, ${Q}sales002${Q}) ORDER BY 1" >actual &&
	printf "sales001|员工1|华东大区, 会员运营部\nsales002|员工2|华南大区\n" >expect &&
	test_cmp expect actual &&
	run=$(last_run) && test -s "$TRASH/raw/wecom/$run/users-00001.jsonl.gz" &&
	test -s "$TRASH/raw/wecom/$run/departments-00001.jsonl.gz"
'

test_expect_success 'first run: every relationship has an add event at its exact createtime' '
	test_psql "SELECT count(*) FROM dw.fact_contact_event e JOIN dw.fact_contact f USING (staff_key, customer_key)
		WHERE e.event_type = ${Q}add${Q} AND e.time_is_exact AND e.origin = ${Q}snapshot${Q}
		  AND e.occurred_at = f.added_at AND e.date_key = dw.date_key_of(f.added_at)" >actual &&
	fake_expect fake add_events >expect && test_cmp expect actual &&
	test_psql "SELECT count(*) FROM dw.dim_customer WHERE first_contact_at IS NULL
		AND customer_key IN (SELECT customer_key FROM dw.fact_contact)" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'first run: 7 days of staff and group statistics, exact' '
	w=$(stats_window) &&
	for k in staff_daily_rows message_cnt group_daily_rows msg_total; do
		echo "$k=$(fake_expect fake $k "$w")"
	done >expect &&
	test_psql "SELECT ${Q}staff_daily_rows=${Q} || count(*) FROM dw.fact_staff_daily;
		SELECT ${Q}message_cnt=${Q} || sum(message_cnt) FROM dw.fact_staff_daily;
		SELECT ${Q}group_daily_rows=${Q} || count(*) FROM dw.fact_group_daily;
		SELECT ${Q}msg_total=${Q} || sum(msg_total) FROM dw.fact_group_daily" >actual &&
	test_cmp expect actual &&
	test_psql "SELECT count(*) FROM dw.fact_staff_daily WHERE (chat_cnt = 0) <> (reply_percentage IS NULL)
		OR (chat_cnt = 0) <> (avg_reply_time_minutes IS NULL)" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	test_psql "SELECT count(DISTINCT date_key), max(date_key) < to_char(now() AT TIME ZONE ${Q}Asia/Shanghai${Q}, ${Q}YYYYMMDD${Q})::int
		FROM dw.fact_staff_daily" >actual &&
	echo "7|t" >expect && test_cmp expect actual
'

test_expect_success 'first run: every page is kept in the raw zone, no secret in it' '
	run=$(last_run) && dir="$TRASH/raw/wecom/$run" &&
	test -s "$dir/contacts-00001.jsonl.gz" && test -s "$dir/manifest.jsonl" &&
	test -s "$dir/groupchat_get-00001.jsonl.gz" && test -s "$dir/behavior-00001.jsonl.gz" &&
	pages=$(test_psql "SELECT pages FROM etl.run_source WHERE run_id = $run AND source = ${Q}wecom${Q}") &&
	test "$(ls "$dir" | grep -c "jsonl.gz$")" = "$pages" &&
	test "$(wc -l <"$dir/manifest.jsonl")" = "$pages" &&
	gzip -dc "$dir/contacts-00001.jsonl.gz" >contacts.jsonl &&
	grep -q "\"external_contact_list\"" contacts.jsonl &&
	test "$(gzip -dc "$dir/contacts-00001.jsonl.gz" | wc -l)" = 1 &&
	! grep -rq "test-secret" "$TRASH/raw" &&
	! grep -q "access_token" "$dir/manifest.jsonl" &&
	! grep -q "test-secret" err
'

test_expect_success 'second run after the corp changed records exactly its changes' '
	fake_admin fake "/__admin/mutate?step=1" >done &&
	r1=$(last_run) &&
	wecom_run "$CONF" && grep -E "^wecom +ok" out &&
	r2=$(last_run) && test "$r2" -gt "$r1" &&
	truth >expect && warehouse >actual && test_cmp expect actual &&
	adds=$(sed -n "s/.*\"adds\":\([0-9]*\).*/\1/p" done) &&
	removes=$(sed -n "s/.*\"removes\":\([0-9]*\).*/\1/p" done) &&
	test_psql "SELECT event_type, time_is_exact, coalesce(removed_by, ${Q}-${Q}), origin, count(*)
		FROM dw.fact_contact_event WHERE run_id = $r2 GROUP BY 1, 2, 3, 4 ORDER BY 1" >actual &&
	printf "add|t|-|snapshot|%s\nremove|f|staff|snapshot|%s\n" "$adds" "$removes" >expect &&
	test_cmp expect actual
'

# A removal the snapshot detects has no time of its own: it is dated when the run detected
# it, the source transaction's time (now() of the merge; docs/schema.md), the same time
# that closes the relationship, inside the source's run.
test_expect_success 'second run: removals are dated when the run detected them, the relationship closed then' '
	r2=$(last_run) &&
	removes=$(sed -n "s/.*\"removes\":\([0-9]*\).*/\1/p" done) &&
	assert test "$removes" -gt 0 &&
	assert_sql "SELECT count(*), count(DISTINCT e.occurred_at),
			count(*) FILTER (WHERE e.occurred_at BETWEEN s.started_at AND s.finished_at),
			count(*) FILTER (WHERE f.removed_at = e.occurred_at AND f.removed_by = e.removed_by)
		FROM dw.fact_contact_event e
		JOIN etl.run_source s ON s.run_id = e.run_id AND s.source = ${Q}wecom${Q}
		JOIN dw.fact_contact f USING (staff_key, customer_key)
		WHERE e.run_id = $r2 AND e.event_type = ${Q}remove${Q}" "$removes|1|$removes|$removes"
'

test_expect_success 'second run: joins, quits and the dismissal' '
	r2=$(last_run) &&
	joins=$(sed -n "s/.*\"joins\":\([0-9]*\).*/\1/p" done) &&
	quits=$(sed -n "s/.*\"quits\":\([0-9]*\).*/\1/p" done) &&
	newm=$(sed -n "s/.*\"new_group_members\":\([0-9]*\).*/\1/p" done) &&
	test_psql "SELECT count(*) FROM dw.dim_group WHERE dismissed_at IS NOT NULL AND run_id = $r2" >actual &&
	echo 1 >expect && test_cmp expect actual &&
	test_psql "SELECT count(*) FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
		WHERE m.run_id = $r2 AND m.left_at IS NOT NULL AND g.dismissed_at IS NULL AND NOT m.left_is_exact" >actual &&
	echo "$quits" >expect && test_cmp expect actual &&
	test_psql "SELECT count(*) FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
		WHERE m.left_at IS NULL AND m.run_id = $r2" >actual &&
	echo $((joins + newm)) >expect && test_cmp expect actual &&
	test_psql "SELECT count(*) FROM dw.fact_group_member m JOIN dw.dim_group g USING (group_key)
		WHERE g.dismissed_at IS NOT NULL AND m.left_at IS NULL" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'third run without changes writes no new events' '
	wecom_fingerprint >before &&
	wecom_run "$CONF" && grep -E "^wecom +ok" out &&
	r3=$(last_run) &&
	wecom_fingerprint >after && test_cmp before after &&
	ls "$TRASH/raw/wecom/$r3" >files &&
	assert_no_grep "^users-" files &&
	test_psql "SELECT (SELECT count(*) FROM dw.fact_contact_event WHERE run_id = $r3)
		+ (SELECT count(*) FROM dw.fact_contact WHERE run_id = $r3)
		+ (SELECT count(*) FROM dw.fact_group_member WHERE run_id = $r3)
		+ (SELECT count(*) FROM dw.dim_group WHERE run_id = $r3)
		+ (SELECT count(*) FROM dw.bridge_customer_tag WHERE run_id = $r3)" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	grep -q "inserted 0, updated 0" out
'

test_expect_success 'staff details are re-read after staff_refresh (30 days): a renamed member is seen' '
	# sales001 was read 31 days ago and has been renamed since (its old name is in the warehouse)
	test_psql "UPDATE etl.wecom_staff_detail_read SET read_at = read_at - interval ${Q}31 days${Q}
		WHERE userid = ${Q}sales001${Q};
		UPDATE dw.dim_staff SET name = ${Q}旧名${Q} WHERE userid = ${Q}sales001${Q}" &&
	wecom_run "$CONF" && grep -E "^wecom +ok" out &&
	run=$(last_run) &&
	test "$(ls "$TRASH/raw/wecom/$run" | grep -c "^users-")" = 1 &&
	grep "\"entity\":\"users\"" "$TRASH/raw/wecom/$run/manifest.jsonl" | grep "userid=sales001" >/dev/null &&
	test_psql "SELECT name, run_id = $run FROM dw.dim_staff WHERE userid = ${Q}sales001${Q}" >actual &&
	echo "员工1|t" >expect && test_cmp expect actual &&
	test_psql "SELECT count(*) FROM etl.wecom_staff_detail_read WHERE read_at > now() - interval ${Q}30 days${Q}" >actual &&
	test_psql "SELECT count(*) FROM dw.dim_staff" >expect && test_cmp expect actual
'

test_expect_success 'a relationship a callback closed stays closed while WeCom still lists it' '
	test_psql "SELECT s.userid || ${Q}/${Q} || w.external_userid FROM dw.fact_contact f
		JOIN dw.dim_staff s USING (staff_key) JOIN dw.wecom_customer w USING (customer_key)
		WHERE f.removed_at IS NULL ORDER BY 1 LIMIT 1" >rel &&
	key=$(cat rel) &&
	test_psql "UPDATE dw.fact_contact f SET removed_at = now() - interval ${Q}1 minute${Q}, removed_by = ${Q}customer${Q}
		FROM dw.dim_staff s, dw.wecom_customer w
		WHERE s.staff_key = f.staff_key AND w.customer_key = f.customer_key
		  AND s.userid || ${Q}/${Q} || w.external_userid = ${Q}$key${Q}" &&
	wecom_run "$CONF" && grep -E "^wecom +ok" out &&
	test_psql "SELECT f.removed_by FROM dw.fact_contact f JOIN dw.dim_staff s USING (staff_key)
		JOIN dw.wecom_customer w USING (customer_key)
		WHERE s.userid || ${Q}/${Q} || w.external_userid = ${Q}$key${Q}" >actual &&
	echo customer >expect && test_cmp expect actual &&
	test_psql "SELECT count(*) FROM dw.fact_contact_event WHERE run_id = (SELECT max(run_id) FROM etl.run)" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'an add after the callback removal reopens the relationship' '
	key=$(cat rel) &&
	fake_admin fake "/__admin/mutate?readd=$key" >/dev/null &&
	sleep 1 &&
	wecom_run "$CONF" && grep -E "^wecom +ok" out &&
	test_psql "SELECT f.removed_at IS NULL, f.added_at > now() - interval ${Q}1 minute${Q}
		FROM dw.fact_contact f JOIN dw.dim_staff s USING (staff_key)
		JOIN dw.wecom_customer w USING (customer_key)
		WHERE s.userid || ${Q}/${Q} || w.external_userid = ${Q}$key${Q}" >actual &&
	echo "t|t" >expect && test_cmp expect actual &&
	test_psql "SELECT event_type, time_is_exact, count(*) FROM dw.fact_contact_event
		WHERE run_id = (SELECT max(run_id) FROM etl.run) GROUP BY 1, 2" >actual &&
	echo "add|t|1" >expect && test_cmp expect actual
'

test_expect_success 're-adds after staff deletions reopen with exact adds; a staff member who left: removals by unknown' '
	fake_admin fake "/__admin/mutate?step=2" >done2 &&
	fake_admin fake "/__admin/mutate?step=3" >done3 &&
	wecom_run "$CONF" && grep -E "^wecom +ok" out &&
	readds=$(sed -n "s/.*\"readds\":\([0-9]*\).*/\1/p" done2) &&
	gone=$(sed -n "s/.*\"unknown_removes\":\([0-9]*\).*/\1/p" done3) &&
	who=$(sed -n "s/.*\"staff_left\":\"\([^\"]*\)\".*/\1/p" done3) &&
	test "$readds" -gt 0 && test "$gone" -gt 0 &&
	test_psql "SELECT event_type, time_is_exact, coalesce(removed_by, ${Q}-${Q}), count(*) FROM dw.fact_contact_event
		WHERE run_id = (SELECT max(run_id) FROM etl.run) GROUP BY 1, 2, 3 ORDER BY 1" >actual &&
	printf "add|t|-|%s\nremove|f|unknown|%s\n" "$readds" "$gone" >expect && test_cmp expect actual &&
	test_psql "SELECT count(*) FROM dw.fact_contact_event e JOIN dw.fact_contact f USING (staff_key, customer_key)
		WHERE e.run_id = (SELECT max(run_id) FROM etl.run) AND e.event_type = ${Q}add${Q}
		  AND f.removed_at IS NULL AND f.added_at = e.occurred_at" >actual &&
	echo "$readds" >expect && test_cmp expect actual &&
	test_psql "SELECT userid FROM dw.dim_staff WHERE left_at IS NOT NULL" >actual &&
	echo "$who" >expect && test_cmp expect actual &&
	truth >expect && warehouse >actual && test_cmp expect actual
'

test_done

#!/usr/bin/env bash
test_description='callbacks through siyu run: a del_follow_user pushed to siyu wecom-callback is loaded by the nightly WeCom source, exact, and the snapshot (which still lists the one-way friend) does not undo it'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-wecom.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
. "$TOP/tests/integration/lib-callback.sh"
fake_start fake "${WECOM_CORP[@]}"
wecom_conf "$TRASH/pipeline.conf" fake 'callback_token = ${WX_CB_TOKEN}' \
	'callback_aes_key = ${WX_CB_AES_KEY}'
CONF=$TRASH/pipeline.conf
CORP=ww-test-corp
export CONF CORP

# $1 = userid, $2 = external_userid, $3 = CreateTime
del_follow_user_xml() {
	cat <<EOF
<xml><ToUserName><![CDATA[$CORP]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>
<CreateTime>$3</CreateTime><MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[del_follow_user]]></ChangeType>
<UserID><![CDATA[$1]]></UserID><ExternalUserID><![CDATA[$2]]></ExternalUserID></xml>
EOF
}

relationship() {
	test_psql "SELECT f.removed_at = to_timestamp($2), f.removed_by
	  FROM dw.fact_contact f JOIN dw.dim_staff s USING (staff_key) JOIN dw.wecom_customer w USING (customer_key)
	 WHERE s.userid || '/' || w.external_userid = '$1'"
}

events_of() {
	test_psql "SELECT e.event_type, e.occurred_at = to_timestamp($2), e.time_is_exact, e.removed_by, e.origin
	  FROM dw.fact_contact_event e JOIN dw.dim_staff s USING (staff_key) JOIN dw.wecom_customer w USING (customer_key)
	 WHERE s.userid || '/' || w.external_userid = '$1' AND e.event_type = 'remove'"
}

new_events_of_last_run() {
	test_psql "SELECT count(*) FROM dw.fact_contact_event WHERE run_id = (SELECT max(run_id) FROM etl.run)"
}

pick_relationship() {
	test_psql "SELECT s.userid || '/' || w.external_userid FROM dw.fact_contact f
	  JOIN dw.dim_staff s USING (staff_key) JOIN dw.wecom_customer w USING (customer_key)
	 WHERE f.removed_at IS NULL ORDER BY 1 LIMIT 1"
}

test_expect_success 'first run loads the fake corp' '
	wecom_run "$CONF" &&
	grep -E "^wecom +ok" out
'

test_expect_success 'the customer deletes the staff member: WeCom pushes del_follow_user (and retries it)' '
	pick_relationship >rel &&
	test -s rel &&
	echo $(( $(date +%s) - 120 )) >when &&
	del_follow_user_xml "$(cut -d/ -f1 rel)" "$(cut -d/ -f2 rel)" "$(cat when)" >event.xml &&
	start_receiver &&
	push event.xml >out && grep -q "^200$" out &&
	push event.xml >out && grep -q "^200$" out &&
	stop_receiver &&
	test "$(cat raw/wecom/callbacks/events-*.jsonl | wc -l)" = 1
'

test_expect_success 'the next run applies it: closed at the exact time, removed by the customer' '
	wecom_run "$CONF" &&
	grep -E "^wecom +ok" out &&
	grep -q "msg=\"callback events loaded\" source=wecom files=1 lines=1 stored=1 duplicates=0 rejected=0 applied=1" err &&
	relationship "$(cat rel)" "$(cat when)" >actual &&
	echo "t|customer" >expect && test_cmp expect actual &&
	events_of "$(cat rel)" "$(cat when)" >actual &&
	echo "remove|t|t|customer|callback" >expect && test_cmp expect actual &&
	test_psql "SELECT status FROM etl.wecom_event" >actual &&
	echo applied >expect && test_cmp expect actual
'

test_expect_success 'WeCom still lists the one-way friend: a third run neither reopens nor re-records it' '
	wecom_run "$CONF" &&
	grep -E "^wecom +ok" out &&
	grep -q "msg=\"callback events loaded\" source=wecom files=0 lines=0 stored=0" err &&
	relationship "$(cat rel)" "$(cat when)" >actual &&
	echo "t|customer" >expect && test_cmp expect actual &&
	new_events_of_last_run >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'the spool is still there (the raw zone is never emptied)' '
	test "$(cat raw/wecom/callbacks/events-*.jsonl | wc -l)" = 1
'

test_done

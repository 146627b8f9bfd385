#!/usr/bin/env bash
test_description='siyu push: an audience written back to the fake WeCom as a customer tag; dry run, interrupted pushes (a crash after add_corp_tag, a refused mark_tag, a crash after a mark_tag) retried without duplicate tags, a second push changes nothing, members who left are untagged, group-message tasks once per staff member, every call in etl.push_log'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-wecom.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
fake_start fake "${WECOM_CORP[@]}"
CONF=$TRASH/pipeline.conf
Q="'"
TAG=群内客户
wecom_conf "$CONF" fake "[actions]" "push_source = wecom" "push_tag_group = 私域人群" \
	"[audience.grouped]" "in_group = yes" "push_tag = $TAG" "message = 本周新品到店，回复1领取试用装"

# the fake's truth about the tag: live tags of that name, relationships carrying one
tagged() { fake_admin fake "/__admin/tagged?name=$TAG" | jq -r ".$1"; }
calls() { fake_admin fake /__admin/stats | jq -r ".calls[\"$1\"]"; }
# the audience's reachable members as the warehouse sees them: userid/external_userid
reachable() {
	test_psql "SELECT staff_userid || '/' || external_userid FROM kpi.audience_members
	           WHERE audience = 'grouped' AND relationship_active
	           ORDER BY staff_userid || '/' || external_userid COLLATE \"C\""
}
push() { "$SIYU" --config "$CONF" push "$@" >out 2>err; }
# crash_push POINT — a push killed (SIGKILL) at the debug point POINT (include/siyu/common/debug.h)
crash_push() {
	local rc=0
	SIYU_DEBUG_ABORT_AT=$1 "$SIYU" --config "$CONF" push >out 2>err || rc=$?
	assert_eq 137 "$rc" "exit status (death by SIGKILL)" && assert_grep "killing myself at push" err
}

test_expect_success 'the corp is loaded; the audience has reachable members' '
	wecom_run "$CONF" &&
	reachable >members && N=$(wc -l <members) && test "$N" -ge 6 &&
	echo "$N" >n
'
N=$(cat n 2>/dev/null || echo 0)

test_expect_success '--dry-run reads the tag list, changes nothing and logs what it would call' '
	push --dry-run &&
	assert_grep "^audience grouped: tag 私域人群/$TAG (to be created): would tag $N, untag 0" out &&
	assert_grep "^push [0-9]* (dry run): nothing changed" out &&
	test "$(tagged tags)" = 0 && test "$(calls add_corp_tag)" = 0 && test "$(calls mark_tag)" = 0 &&
	assert_sql "SELECT endpoint, count(*), count(errcode) FROM etl.push_log GROUP BY 1 ORDER BY 1" \
		"externalcontact/add_corp_tag|1|0
externalcontact/get_corp_tag_list|1|1
externalcontact/mark_tag|$N|0" &&
	assert_sql "SELECT dry_run, status FROM etl.push" "t|succeeded"
'

test_expect_success 'a crash right after add_corp_tag: the next push finds the tag, adds no second one' '
	crash_push push/externalcontact/add_corp_tag &&
	test "$(tagged tags)" = 1 && test "$(tagged relationships)" = 0 &&
	assert_sql "SELECT count(*) FROM etl.push_tag" 0 &&
	fake_admin fake "/__admin/fault?errcode=40058&path=mark_tag&at=3" >/dev/null &&
	test_expect_code 1 push &&
	assert_grep "mark_tag .*errcode 40058" err &&
	assert_sql "SELECT tag_name, created FROM etl.push_tag" "$TAG|f" &&
	test "$(tagged tags)" = 1 && test "$(tagged relationships)" = 2 &&
	assert_sql "SELECT count(*) FROM etl.push_member" 2 &&
	assert_sql "SELECT status, tagged, error LIKE $Q%errcode 40058%$Q FROM etl.push ORDER BY push_id DESC LIMIT 1" "failed|2|t"
'

test_expect_success 'a crash after a mark_tag answered, before it was recorded: tagged once, not twice' '
	crash_push push/externalcontact/mark_tag:2 &&
	test "$(tagged relationships)" = 4 && assert_sql "SELECT count(*) FROM etl.push_member" 3 &&
	push &&
	assert_grep "^audience grouped: tag 私域人群/$TAG (found et[A-Za-z0-9]*): $((N - 3)) tagged, 0 untagged, 0 skipped (relationship gone), [0-9]* message tasks" out &&
	test "$(tagged tags)" = 1 && test "$(calls add_corp_tag)" = 1 &&
	test "$(calls mark_tag)" = $((N + 2)) &&
	fake_admin fake "/__admin/tagged?name=$TAG" | jq -r ".pairs[]" | LC_ALL=C sort >actual &&
	test_cmp members actual
'

test_expect_success 'one group-message task per owner for the tagged members, each member once' '
	owners=$(test_psql "SELECT count(DISTINCT split_part(m, $Q/$Q, 1)) FROM unnest(string_to_array($Q$(tr "\n" " " <members)$Q, $Q $Q)) m WHERE m <> $Q$Q") &&
	test "$(fake_admin fake /__admin/stats | jq -r .msg_tasks)" = "$owners" &&
	test "$(fake_admin fake /__admin/stats | jq -r .msg_receivers)" = "$N" &&
	assert_sql "SELECT count(*) FROM etl.push_member WHERE messaged_push_id IS NULL" 0 &&
	assert_grep ", $owners message tasks$" out
'

test_expect_success 'every call is in etl.push_log: as many mark_tag answers as the fake served' '
	assert_sql "SELECT count(*) FROM etl.push_log l JOIN etl.push p USING (push_id)
	            WHERE NOT p.dry_run AND l.endpoint = $Q""externalcontact/mark_tag$Q AND l.errcode IS NOT NULL" $((N + 2)) &&
	assert_sql "SELECT count(*) FROM etl.push_log WHERE request::text LIKE $Q%access_token%$Q" 0
'

test_expect_success 'a second push changes nothing' '
	before=$(calls mark_tag) &&
	push &&
	assert_grep "^push [0-9]*: 0 tagged, 0 untagged, 0 skipped, 0 message tasks$" out &&
	test "$(calls mark_tag)" = "$before" && test "$(calls add_msg_template)" = "$(fake_admin fake /__admin/stats | jq -r .msg_tasks)"
'

test_expect_success 'after the corp changes, the next run and push untag those who left and tag those who joined' '
	fake_admin fake "/__admin/mutate?step=1" >/dev/null &&
	wecom_run "$CONF" &&
	reachable >members2 &&
	joined=$(LC_ALL=C comm -13 members members2 | wc -l) &&
	left=$(LC_ALL=C comm -23 members members2 | wc -l) && test "$left" -ge 1 &&
	push &&
	sed -n "s/^push [0-9]*: \([0-9]*\) tagged, \([0-9]*\) untagged, \([0-9]*\) skipped, .*/\1 \2 \3/p" out >counts &&
	read -r tagged untagged skipped <counts &&
	test "$tagged" = "$joined" && test $((untagged + skipped)) = "$left" &&
	fake_admin fake "/__admin/tagged?name=$TAG" | jq -r ".pairs[]" | LC_ALL=C sort >actual &&
	test_cmp members2 actual &&
	assert_sql "SELECT count(*) FROM etl.push_member" "$(wc -l <members2)"
'

test_expect_success 'push is off without push_source; a wrong one or an unknown audience is a usage error' '
	printf "[run]\nraw_dir = %s\n" "$TRASH/raw" >off.conf &&
	"$SIYU" --config off.conf push >out 2>err && assert_grep "push: off" err &&
	sed "s/^push_source = wecom/push_source = nope/" "$CONF" >bad.conf &&
	assert_exit 2 "$SIYU" --config bad.conf push 2>err && assert_grep "push_source = nope: no such" err &&
	assert_exit 2 "$SIYU" --config "$CONF" push --audience nope 2>err &&
	assert_grep "no audience .nope. with a push_tag" err
'

test_done

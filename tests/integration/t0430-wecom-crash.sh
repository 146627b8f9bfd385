#!/usr/bin/env bash
test_description='wecom crash safety: siyu run (and replay) killed with SIGKILL while extracting, during the COPY, before the merge and before the commit leaves the warehouse untouched, and the rerun gives the warehouse of one clean run; a database restart fails the source cleanly'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-wecom.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
Q="'"
# A pristine migrated warehouse: every case starts from a copy of it.
copy_db siyu_t0430_empty || die "cannot copy the database"
fake_start fake "${WECOM_CORP[@]}"

# rerun DB CONF — siyu run, again while the killed run's session still holds the lock.
rerun() {
	local i rc
	for i in $(seq 1 100); do
		rc=0
		PGDATABASE=$1 "$SIYU" --config "$2" run --source wecom >rerun.out 2>rerun.err || rc=$?
		[ "$rc" -ne 75 ] && return "$rc"
		sleep 0.1
	done
	return 75
}

# killed_then_rerun POINT — a run dies at POINT (SIGKILL: no rollback sent, no cleanup);
# the warehouse holds nothing of it; the rerun loads exactly the clean warehouse. A page
# point, extract/ENDPOINT:N, must have died right after the N-th page of ENDPOINT: the
# last page the raw zone's manifest lists.
killed_then_rerun() {
	local db=siyu_t0430_case point=$1 raw=$TRASH/raw.${1//\//_} rc=0 endpoint n
	copy_db $db siyu_t0430_empty || return 1
	RAW_DIR=$raw wecom_conf "$TRASH/case.conf" fake || return 1
	PGDATABASE=$db SIYU_DEBUG_ABORT_AT=$point "$SIYU" --config "$TRASH/case.conf" run --source wecom \
		>out 2>err || rc=$?
	assert_eq 137 "$rc" "exit status (death by SIGKILL)"
	assert_grep "SIYU_DEBUG_ABORT_AT: killing myself at ${point%:*} ${point##*:}" err
	case $point in
	extract/*:*)
		endpoint=${point#extract/}
		n=${endpoint##*:}
		endpoint=${endpoint%:*}
		assert_eq "\"endpoint\":\"$endpoint\"" \
			"$(tail -n 1 "$raw"/wecom/1/manifest.jsonl | grep -o "\"endpoint\":\"[^\"]*\"")" \
			"the endpoint of the last page written"
		assert_eq "$n" "$(grep -c "\"endpoint\":\"$endpoint\"" "$raw"/wecom/1/manifest.jsonl)" \
			"pages of $endpoint written"
		;;
	esac
	PGDATABASE=$db wecom_fingerprint >actual
	assert_cmp "$TRASH/empty.fp" actual
	rerun $db "$TRASH/case.conf" || { cat rerun.out rerun.err; test_fail "the rerun failed"; }
	assert_grep -E "^wecom +ok" rerun.out
	PGDATABASE=$db wecom_fingerprint >actual
	assert_cmp "$TRASH/clean.fp" actual
	PGDATABASE=$db assert_sql "SELECT count(*) FROM etl.watermark WHERE source = ${Q}wecom${Q}" 1
}

test_expect_success 'a clean run (the reference)' '
	PGDATABASE=siyu_t0430_empty wecom_fingerprint >"$TRASH/empty.fp" &&
	copy_db siyu_t0430_clean siyu_t0430_empty &&
	RAW_DIR=$TRASH/raw.clean wecom_conf clean.conf fake &&
	PGDATABASE=siyu_t0430_clean wecom_run clean.conf && grep -E "^wecom +ok" out &&
	PGDATABASE=siyu_t0430_clean wecom_fingerprint >"$TRASH/clean.fp" &&
	grep -v "^customer_merge|" "$TRASH/clean.fp" >loaded &&
	assert_no_grep "|0|" loaded &&
	pages=$(PGDATABASE=siyu_t0430_clean test_psql "SELECT pages FROM etl.run_source WHERE source = ${Q}wecom${Q}") &&
	test "$pages" -gt 20
'

# The points are named by what is there (include/siyu/debug.h): the endpoint and its page.
test_expect_success 'killed at the first page (the follow-user list)' \
	'killed_then_rerun extract/externalcontact/get_follow_user_list:1'
test_expect_success 'killed between the relationship pages (after the 1st batch/get_by_user)' \
	'killed_then_rerun extract/externalcontact/batch/get_by_user:1'
test_expect_success 'killed in the middle of the groups pages (the 5th groupchat/get)' \
	'killed_then_rerun extract/externalcontact/groupchat/get:5'
test_expect_success 'killed in the staff statistics pages (the 4th get_user_behavior_data)' \
	'killed_then_rerun extract/externalcontact/get_user_behavior_data:4'
test_expect_success 'killed as the COPY into staging begins' 'killed_then_rerun copy:1'
test_expect_success 'killed in the middle of the COPY' 'killed_then_rerun copy:300'
test_expect_success 'killed before the merge' 'killed_then_rerun merge/wecom:1'
test_expect_success 'killed before the commit (merge and watermark done)' 'killed_then_rerun commit/wecom:1'

test_expect_success 'a replay killed before its commit leaves the warehouse as it was; replayed again, the same' '
	rc=0 &&
	PGDATABASE=siyu_t0430_clean SIYU_DEBUG_ABORT_AT=commit "$SIYU" --config clean.conf \
		replay --run 1 >out 2>err || rc=$? &&
	test "$rc" = 137 &&
	PGDATABASE=siyu_t0430_clean wecom_fingerprint >actual && test_cmp "$TRASH/clean.fp" actual &&
	for i in $(seq 1 100); do
		rc=0 &&
		PGDATABASE=siyu_t0430_clean "$SIYU" --config clean.conf replay --run 1 >out 2>err || rc=$?
		test "$rc" = 75 || break
		sleep 0.1
	done &&
	test "$rc" = 0 && grep -E "^wecom +run 1 +ok" out &&
	PGDATABASE=siyu_t0430_clean wecom_fingerprint >actual && test_cmp "$TRASH/clean.fp" actual
'

# The restart gets a cluster of its own (kept in var/, like t0400's): restarting the shared
# one would cut the sessions of anything else using it.
RESTART_PG=$TOP/var/t0430-pg

test_expect_success 'the database restarting during the merge: wecom fails cleanly, the next run completes it' '
	"$TOP/scripts/pg.sh" start "$RESTART_PG" >/dev/null 2>&1 &&
	test_when_finished "\"$TOP/scripts/pg.sh\" stop \"$RESTART_PG\" >/dev/null 2>&1" &&
	(
		eval "$("$TOP/scripts/pg.sh" env "$RESTART_PG")" &&
		export PGDATABASE=t0430_restart &&
		PGDATABASE=postgres psql -Xq -c "DROP DATABASE IF EXISTS t0430_restart WITH (FORCE)" \
			-c "CREATE DATABASE t0430_restart" >/dev/null 2>&1 &&
		"$SIYU" migrate >migrate.out 2>&1 &&
		RAW_DIR=$TRASH/raw.restart wecom_conf restart.conf fake &&
		{ SIYU_DEBUG_PAUSE_AT=merge:60 "$SIYU" --config restart.conf run --source wecom \
			>first.out 2>first.err & } &&
		first=$! &&
		for i in $(seq 1 200); do grep -q pausing first.err && break; sleep 0.1; done &&
		grep -q pausing first.err &&
		"$TOP/scripts/pg.sh" stop "$RESTART_PG" >/dev/null 2>&1 &&
		"$TOP/scripts/pg.sh" start "$RESTART_PG" >/dev/null 2>&1 &&
		kill -USR1 $first &&
		rc=0 && { wait $first || rc=$?; } &&
		test $rc -eq 1 &&
		grep -q "^wecom .* FAILED" first.out &&
		grep -qE "level=error msg=\"source failed\" source=wecom .*(server closed the connection|terminating connection|no connection to the server)" first.err &&
		grep -q "reconnecting" first.err &&
		test_psql "SELECT status FROM etl.run_source WHERE source = ${Q}wecom${Q}" >actual &&
		echo failed >expect && test_cmp expect actual &&
		wecom_fingerprint >actual && test_cmp "$TRASH/empty.fp" actual &&
		"$SIYU" --config restart.conf run --source wecom >second.out 2>second.err &&
		grep -q "^wecom .* ok" second.out &&
		wecom_fingerprint >actual && test_cmp "$TRASH/clean.fp" actual
	)
'

test_done

#!/usr/bin/env bash
test_description='wecom source under faults: recovers to the same warehouse as a clean run, or fails cleanly leaving the warehouse unchanged'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-wecom.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
TEMPLATE=$PGDATABASE
Q="'"

# A fresh warehouse (a copy of the migrated template) in database $1.
fresh_db() {
	copy_db "$1" "$TEMPLATE"
}

# Start fake NAME with the test corp and OPTIONS, stopped when the test ends; write conf.NAME.
fake_for() {
	local name=$1
	shift
	"$TOP/scripts/fake-wecom.sh" start "$TRASH/$name" "${WECOM_CORP[@]}" "$@" >/dev/null || return 1
	test_when_finished "\"$TOP/scripts/fake-wecom.sh\" stop \"$TRASH/$name\""
	# each warehouse numbers its runs from 1: a raw zone of its own
	RAW_DIR=$TRASH/raw.$name wecom_conf "$TRASH/conf.$name" "$name"
}

# A run with faults on a fresh warehouse must load what the clean run loaded.
recovers() {
	local name=$1 rc=0
	shift
	fresh_db "siyu_t0320_$name" || return 1
	fake_for "$name" "$@" || return 1
	PGDATABASE=siyu_t0320_$name wecom_run "$TRASH/conf.$name" || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat out err
		return 1
	fi
	grep -E "^wecom +ok" out &&
		PGDATABASE=siyu_t0320_$name wecom_fingerprint >"fp.$name" &&
		test_cmp "$TRASH/clean.fp" "fp.$name"
}

# A failing run on the loaded clean warehouse must exit 1 and change nothing.
fails_cleanly() {
	local name=$1 rc=0
	shift
	fake_for "$name" "$@" || return 1
	PGDATABASE=siyu_t0320_clean wecom_fingerprint >before || return 1
	PGDATABASE=siyu_t0320_clean "$SIYU" --config "$TRASH/conf.$name" run --source wecom \
		>out 2>err || rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "expected exit 1, got $rc"
		cat out err
		return 1
	fi
	grep -E "^wecom +FAILED" out &&
		PGDATABASE=siyu_t0320_clean wecom_fingerprint >after &&
		test_cmp before after &&
		PGDATABASE=siyu_t0320_clean test_psql "SELECT status FROM etl.run_source
			WHERE source = ${Q}wecom${Q} ORDER BY run_id DESC LIMIT 1" >actual &&
		echo failed >expect && test_cmp expect actual
}

test_expect_success 'a clean first run (the reference)' '
	fresh_db siyu_t0320_clean &&
	fake_for clean &&
	PGDATABASE=siyu_t0320_clean wecom_run "$TRASH/conf.clean" &&
	grep -E "^wecom +ok" out &&
	PGDATABASE=siyu_t0320_clean wecom_fingerprint >"$TRASH/clean.fp" &&
	test "$(grep -c . "$TRASH/clean.fp")" = 14 &&
	# every table the source writes holds rows (the test corp links nobody: no merges)
	grep -v "^customer_merge|" "$TRASH/clean.fp" >loaded &&
	assert_no_grep "|0|" loaded
'

test_expect_success '45009, 40014 mid-run and tokens that die early: backs off, refreshes, recovers' '
	recovers api --token-real-ttl 2 \
		--fault "errcode=45009&at=3&count=2" --fault "token_invalid=1&at=9" \
		--fault "errcode=-1&at=15" &&
	grep -q "wecom busy, backing off" err &&
	grep -q "wecom token rejected, fetching a new one" err &&
	! grep -q "test-secret" err
'

test_expect_success 'HTTP 500, 429 with Retry-After, 503, a slow answer, truncated bodies: retried' '
	recovers http \
		--fault "http=500&at=2&count=2" --fault "http=429&retry_after=1&at=6" \
		--fault "http=503&at=8" --fault "slow_ms=2300&at=11" \
		--fault "truncate=1&at=14&count=2" &&
	grep -q "reason=\"HTTP 500\"" err && grep -q "reason=\"HTTP 429\"" err &&
	grep -q "delay_ms=1000" err &&
	grep -q "Timeout was reached" err && grep -q "partial file" err
'

test_expect_success 'numbers as strings and null fields load the same warehouse' '
	recovers lenient --fault "string_numbers=1&null_fields=1"
'

test_expect_success 'bad records go to etl.reject with their raw JSON; the rest loads' '
	recovers bad --fault "bad_records=1" &&
	PGDATABASE=siyu_t0320_bad test_psql "SELECT reason FROM etl.reject WHERE source = ${Q}wecom${Q} ORDER BY reason" >actual &&
	cat >expect <<-\EOT &&
	createtime is 0
	missing external_userid
	EOT
	grep -v "is in the future" actual >actual.known &&
	test_cmp expect actual.known &&
	grep -q "is in the future" actual &&
	PGDATABASE=siyu_t0320_bad test_psql "SELECT count(*) FROM etl.reject WHERE raw LIKE ${Q}{%}${Q}
		AND location LIKE ${Q}contacts-00001.jsonl.gz#%${Q} AND entity = ${Q}contact${Q}" >actual &&
	echo 3 >expect && test_cmp expect actual &&
	PGDATABASE=siyu_t0320_bad test_psql "SELECT rejected FROM etl.run_source WHERE source = ${Q}wecom${Q}" >actual &&
	echo 3 >expect && test_cmp expect actual
'

test_expect_success 'invalid JSON fails the source cleanly, naming the endpoint and page; the page is kept' '
	fails_cleanly badjson --fault "invalid_json=1&path=groupchat/get&at=2" &&
	grep -q "POST externalcontact/groupchat/get (chat 2 of " err &&
	grep -q "not a JSON object" err &&
	page=$(sed -n "s/.*raw page kept at \([^ ]*\.jsonl\.gz\).*/\1/p" err | head -1) &&
	test -s "$page" && gzip -dc "$page" | grep "external_contact_list" >/dev/null
'

test_expect_success 'HTTP 500 beyond the retries fails cleanly, with the cursor and page in the message' '
	fails_cleanly down --fault "http=500&path=batch/get_by_user&at=2&count=100" &&
	# logfmt: the quotes inside the quoted object are escaped
	grep -qF "POST externalcontact/batch/get_by_user (staff 1-8 of 8, page 2, cursor \\\"c" err &&
	grep -q "HTTP 500 after 4 attempts" err
'

test_expect_success 'a wrong secret fails at once, naming the setting, never the secret' '
	fails_cleanly wrongsecret --secret other-secret &&
	grep -q "errcode 40001" err && grep -q "check secret" err && grep -q "\[source.wecom\]" err &&
	! grep -q "test-secret" err out &&
	! grep -q "retrying" err
'

test_expect_success 'an untrusted IP (60020) fails, naming the trusted-IP setting' '
	fails_cleanly untrusted --untrusted-ip &&
	grep -q "errcode 60020" err && grep -q "trusted IP" err
'

test_expect_success 'an app that may not read the address book (48002): the run loads, staff unnamed' '
	fresh_db siyu_t0320_nobook &&
	fake_for nobook --fault "errcode=48002&path=user/get&count=1000" &&
	PGDATABASE=siyu_t0320_nobook wecom_run "$TRASH/conf.nobook" &&
	grep -E "^wecom +ok" out &&
	grep -q "the app may not read the address book (48002): staff names not loaded" err &&
	PGDATABASE=siyu_t0320_nobook test_psql "SELECT count(*), count(name), count(department) FROM dw.dim_staff" >actual &&
	n=$(PGDATABASE=siyu_t0320_nobook test_psql "SELECT count(*) FROM dw.dim_staff") &&
	echo "$n|0|0" >expect && test_cmp expect actual && test "$n" -gt 0 &&
	# one call, then it stops asking
	test "$(ls "$TRASH/raw.nobook/wecom/1" | grep -c "^users-")" = 1 &&
	PGDATABASE=siyu_t0320_nobook wecom_fingerprint | grep -v "^dim_staff|" >actual &&
	grep -v "^dim_staff|" "$TRASH/clean.fp" >expect && test_cmp expect actual
'

test_done

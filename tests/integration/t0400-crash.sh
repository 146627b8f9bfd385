#!/usr/bin/env bash
test_description='crash safety: siyu run killed at any point and rerun gives the warehouse of one clean run; a server restart fails one source cleanly; a second run exits 75'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0400-test-key-0123456789
Q="'"
# The clean reference run loads siyu_t0400; every crash happens in t0400_work, another
# database, emptied before each case.
copy_db t0400_work || die "cannot copy the database"

# NAME.conf: the two sample exports, raw zone in raw-NAME/.
write_conf() {
	cat >"$TRASH/$1.conf" <<-EOC
	[run]
	timezone = Asia/Shanghai
	raw_dir = $TRASH/raw-$1
	[source.taobao_csv]
	type = csv
	path = $TOP/sample/orders-taobao.csv
	[source.youzan_csv]
	type = csv
	path = $TOP/sample/orders-youzan.csv
	EOC
}

# empty_db NAME — delete every row a load writes (dw.dim_date and the migrations stay):
# as a freshly migrated database, only faster than copying one (hundreds of partitions).
empty_db() {
	PGDATABASE=$1 psql -Xq -v ON_ERROR_STOP=1 >/dev/null <<-\EOS
	SET session_replication_role = replica;
	DO $$
	DECLARE r record;
	BEGIN
	    FOR r IN SELECT c.oid::regclass AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	              WHERE n.nspname IN ('dw', 'etl') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	                AND c.oid NOT IN ('dw.dim_date'::regclass, 'etl.schema_migration'::regclass,
	                                  'etl.setting'::regclass)
	    LOOP
	        EXECUTE format('DELETE FROM %s', r.t);
	    END LOOP;
	END $$;
	EOS
}

# run_until_unlocked DB CONF — siyu run, again while a killed run's session still holds
# the lock (its backend finishes the statement it was running before it notices).
run_until_unlocked() {
	local i rc
	for i in $(seq 1 100); do
		rc=0
		PGDATABASE=$1 "$SIYU" --config "$2" run >rerun.out 2>rerun.err || rc=$?
		[ "$rc" -ne 75 ] && return "$rc"
		sleep 0.1
	done
	return 75
}

runs_of() {
	PGDATABASE=$1 test_psql "select string_agg(status, ${Q},${Q} order by run_id) from etl.run"
}

test_expect_success 'one clean run: the reference warehouse' '
	write_conf clean &&
	"$SIYU" --config clean.conf run >out 2>err &&
	test_fingerprint >clean.fp &&
	grep -q "^fact_order:1195:" clean.fp && grep -q "^dim_customer:400:" clean.fp &&
	"$SIYU" check >check.out
'

# crash_case POINT NAME — die at POINT, rerun, compare with the clean warehouse.
crash_case() {
	local point=$1 name=$2 extra=${3:-true}
	test_expect_success "killed at $point, then rerun: the warehouse of one clean run" "
		write_conf $name && empty_db t0400_work &&
		rc=0 &&
		PGDATABASE=t0400_work SIYU_DEBUG_ABORT_AT=$point \"\$SIYU\" --config $name.conf run \
			>crash.out 2>crash.err || rc=\$? &&
		test \$rc -eq 137 &&
		grep -q \"killing myself at ${point%%:*}\" crash.err &&
		$extra &&
		test \"\$(runs_of t0400_work)\" = running &&
		PGDATABASE=t0400_work \"\$SIYU\" --config $name.conf run >rerun.out 2>rerun.err &&
		grep -q \"marked a run left running as abandoned.* command=run\" rerun.err &&
		test \"\$(runs_of t0400_work)\" = abandoned,succeeded &&
		PGDATABASE=t0400_work test_fingerprint >actual &&
		test_cmp clean.fp actual
	"
}

nothing_loaded() {
	test "$(PGDATABASE=$1 test_psql "select count(*) from dw.order_identity")" = 0
}

# The first source (taobao_csv, 831 orders) committed, the second (youzan_csv) did not.
first_source_only() {
	test "$(PGDATABASE=$1 test_psql "select count(*) from dw.fact_order")" = 831 &&
		test "$(PGDATABASE=$1 test_psql "select string_agg(source || ${Q}:${Q} || status, ${Q},${Q} order by source)
			from etl.run_source")" = "taobao_csv:succeeded,youzan_csv:running"
}

# Moments of the first source: nothing is committed yet.
crash_case extract:1 extract 'nothing_loaded t0400_work && test -s raw-extract/taobao_csv/*/orders-taobao.csv.gz'
crash_case copy:500 copy 'nothing_loaded t0400_work'
crash_case commit/taobao_csv commit 'nothing_loaded t0400_work'
# Moments of the second source: the first one committed, only the second is redone.
crash_case extract:2 extract2 'first_source_only t0400_work && test -s raw-extract2/youzan_csv/*/orders-youzan.csv.gz'
# taobao_csv hands at most 1,743 records to COPY (1,750 read, 7 rejected): 2,000 is youzan_csv
crash_case copy:2000 copy2 'first_source_only t0400_work'
crash_case merge/youzan_csv merge 'first_source_only t0400_work'
crash_case commit/youzan_csv commit2 'first_source_only t0400_work'

# A kill from outside, at a known moment (never on a timer, which may land after the run
# ended or always at the same place): the run pauses at a fault point, the test sees it
# there, kills it with SIGKILL, and the rerun gives the clean warehouse.
test_expect_success 'kill -9 from outside while the run waits before its first merge, then rerun: one clean run' '
	write_conf kill
	empty_db t0400_work
	PGDATABASE=t0400_work SIYU_DEBUG_PAUSE_AT=merge/taobao_csv:120 "$SIYU" --config kill.conf run >kill.out 2>kill.err &
	pid=$!
	test_when_finished "kill -9 $pid 2>/dev/null; true"
	for i in $(seq 1 300); do grep -q pausing kill.err && break; sleep 0.1; done
	assert_grep "SIYU_DEBUG_PAUSE_AT: pausing 120.0s at merge/taobao_csv$" kill.err
	assert kill -9 "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 137 "$rc" "exit status of the killed run"
	assert_eq running "$(runs_of t0400_work)" "the killed run in etl.run"
	nothing_loaded t0400_work
	run_until_unlocked t0400_work kill.conf
	assert_eq abandoned,succeeded "$(runs_of t0400_work)" "the runs after the rerun"
	PGDATABASE=t0400_work test_fingerprint >actual
	assert_cmp clean.fp actual
'

test_expect_success 'a second siyu run while one is running exits 75 and changes nothing' '
	write_conf lock
	empty_db t0400_work
	# A long pause (a loaded machine takes seconds for the checks below), ended by SIGUSR1.
	PGDATABASE=t0400_work SIYU_DEBUG_PAUSE_AT=merge:120 "$SIYU" --config lock.conf run --source taobao_csv \
		>first.out 2>first.err &
	first=$!
	test_when_finished "kill $first 2>/dev/null; wait $first 2>/dev/null; true"
	for i in $(seq 1 100); do grep -q pausing first.err && break; sleep 0.1; done
	grep -q pausing first.err
	PGDATABASE=t0400_work test_psql "select count(*) from etl.run" >runs.before
	PGDATABASE=t0400_work test_fingerprint >fp.before
	test_expect_code 75 env PGDATABASE=t0400_work "$SIYU" --config lock.conf run >second.out 2>second.err
	grep -q "siyu run: another siyu run holds the warehouse lock" second.err
	test ! -s second.out
	PGDATABASE=t0400_work test_psql "select count(*) from etl.run" >runs.after
	PGDATABASE=t0400_work test_fingerprint >fp.after
	test_cmp runs.before runs.after
	test_cmp fp.before fp.after
	test "$(PGDATABASE=t0400_work test_psql "select status from etl.run")" = running
	kill -USR1 $first
	wait $first
	grep -q "^taobao_csv .* ok .*inserted 831" first.out
'

# The restart gets a cluster of its own (kept in var/, like var/test-pg): restarting the
# shared one would cut the sessions of anything else using it.
RESTART_PG=$TOP/var/t0400-pg

test_expect_success 'the database restarting mid-run: that source fails cleanly, the next run completes it' '
	"$TOP/scripts/pg.sh" start "$RESTART_PG" >/dev/null 2>&1
	test_when_finished "\"$TOP/scripts/pg.sh\" stop \"$RESTART_PG\" >/dev/null 2>&1"
	eval "$("$TOP/scripts/pg.sh" env "$RESTART_PG")"
	# The database is kept between test runs: migrate is a no-op when it is up to date.
	export PGDATABASE=t0400_restart
	if ! "$SIYU" migrate >migrate.out 2>&1; then
		PGDATABASE=postgres psql -Xq -c "DROP DATABASE IF EXISTS t0400_restart" -c "CREATE DATABASE t0400_restart"
		"$SIYU" migrate >migrate.out 2>&1
	fi
	empty_db t0400_restart
	write_conf restart
	# paused before its first merge until the restart is done (SIGUSR1 ends the pause)
	SIYU_DEBUG_PAUSE_AT=merge/taobao_csv:60 "$SIYU" --config restart.conf run >first.out 2>first.err &
	first=$!
	test_when_finished "kill $first 2>/dev/null; true"
	for i in $(seq 1 200); do grep -q pausing first.err && break; sleep 0.1; done
	assert_grep "pausing 60.0s at merge/taobao_csv" first.err
	"$TOP/scripts/pg.sh" stop "$RESTART_PG" >/dev/null 2>&1
	"$TOP/scripts/pg.sh" start "$RESTART_PG" >/dev/null 2>&1
	kill -USR1 $first
	rc=0
	wait $first || rc=$?
	test $rc -eq 1
	grep -q "^taobao_csv .* FAILED" first.out
	grep -q "^youzan_csv .* ok .*inserted 364" first.out
	grep -q "level=error msg=\"source failed\" source=taobao_csv .*reason=\"merge into the warehouse failed" first.err
	grep -q "reconnected to the warehouse" first.err
	test_psql "select source || ${Q}:${Q} || status from etl.run_source order by source" >actual
	printf "taobao_csv:failed\nyouzan_csv:succeeded\n" >expect
	test_cmp expect actual
	# The failed attempt keeps its 7 rejects: stored through a connection of their own.
	test_psql "select count(*) from etl.reject r join etl.run_source s using (run_id, source)
		where s.source = ${Q}taobao_csv${Q} and s.status = ${Q}failed${Q}" >actual
	echo 7 >expect
	test_cmp expect actual
	"$SIYU" --config restart.conf run >second.out 2>second.err
	grep -q "^taobao_csv .* ok .*inserted 831" second.out
	test_fingerprint >actual
	test_cmp clean.fp actual
'

test_done

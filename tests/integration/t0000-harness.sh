#!/usr/bin/env bash
# tests/integration/t0000-harness.sh — the test harness itself: tests/lib.sh and scripts/pg.sh.
# shellcheck disable=SC2016  # test bodies are single-quoted: they expand when they run
test_description='test harness: lib.sh helpers, scripts/pg.sh, setup_db'
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

PG="$TOP/scripts/pg.sh"

# ---- lib.sh ----------------------------------------------------------------------------

test_expect_success 'variables' '
	test -f "$TOP/tests/lib.sh" &&
	test -x "$TOP/scripts/pg.sh" &&
	test "$(pwd -P)" = "$TRASH" &&
	test "$TEST_NAME" = t0000-harness &&
	test "$TEST_ID" = t0000 &&
	test -n "$SIYU" &&
	test "$TZ" = UTC
'

test_expect_success 'test_must_fail' '
	test_must_fail false &&
	test_must_fail sh -c "exit 2" &&
	if test_must_fail true; then exit 1; fi &&
	if test_must_fail sh -c "exit 127"; then exit 1; fi &&
	if test_must_fail sh -c "kill -TERM \$\$"; then exit 1; fi
'

test_expect_success 'test_expect_code' '
	test_expect_code 0 true &&
	test_expect_code 3 sh -c "exit 3" &&
	if test_expect_code 2 sh -c "exit 3"; then exit 1; fi
'

test_expect_success 'test_cmp' '
	printf "a\nb\n" >expect &&
	printf "a\nb\n" >actual &&
	test_cmp expect actual &&
	printf "a\nc\n" >actual &&
	test_must_fail test_cmp expect actual >diff.out &&
	grep -q "^+c" diff.out
'

test_expect_success 'test_when_finished: registered in a body' '
	test_when_finished "echo cleaned >when.out" &&
	echo body >when.out
'

test_expect_success 'test_when_finished: ran when that body ended' '
	echo cleaned >expect &&
	test_cmp expect when.out
'

# Run a small test file through lib.sh and check its summary and exit status.
# run_meta NAME BODY — writes NAME.sh in $TRASH and runs it; output in NAME.out, exit in NAME.rc
cat >meta.sh <<'EOF'
run_meta() {
	{
		printf '. "%s/tests/lib.sh"\n' "$TOP"
		printf '%s\n' "$2"
	} >"$1.sh" &&
	{ bash "$1.sh" >"$1.out" 2>&1; echo $? >"$1.rc"; } &&
	rm -rf "$TOP/var/tests/trash.$1" "$TOP/var/tests/$1.out"
}
EOF

test_expect_success 'test_done: summary line and exit status' '
	. ./meta.sh &&
	run_meta t9901-pass "
		test_expect_success one \"test 2 = 2\"
		test_expect_success two \"test 1 = 1\"
		test_done" &&
	test "$(tail -n 1 t9901-pass.out)" = "2 passed, 0 failed, 0 skipped" &&
	test "$(cat t9901-pass.rc)" = 0 &&
	grep -q "^ok 2 - two" t9901-pass.out &&
	run_meta t9902-fail "
		test_expect_success good \"test 1 = 1\"
		test_expect_success bad false
		test_done" &&
	test "$(tail -n 1 t9902-fail.out)" = "1 passed, 1 failed, 0 skipped" &&
	test "$(cat t9902-fail.rc)" = 1 &&
	grep -q "^not ok 2 - bad" t9902-fail.out &&
	run_meta t9903-none "test_done" &&
	test "$(tail -n 1 t9903-none.out)" = "0 passed, 0 failed, 0 skipped" &&
	test "$(cat t9903-none.rc)" = 1
'

test_expect_success 'a failing line in the middle of a body fails the test' '
	. ./meta.sh &&
	run_meta t9904-sete "
		test_expect_success mid \"
			false
			true
		\"
		test_done" &&
	test "$(tail -n 1 t9904-sete.out)" = "0 passed, 1 failed, 0 skipped"
'

test_expect_success 'test_when_finished runs after a failed body too' '
	. ./meta.sh &&
	run_meta t9906-when "
		test_expect_success fails \"test_when_finished \\\"echo cleaned >$TRASH/when2.out\\\"; false\"
		test_done" &&
	test "$(tail -n 1 t9906-when.out)" = "0 passed, 1 failed, 0 skipped" &&
	echo cleaned >expect &&
	test_cmp expect when2.out
'

# The holes of set -e: each of these bodies passed before the assert_* helpers and pipefail.
# (Written here at the top level, where single quotes are free.)
cat >holes.body <<'EOF'
check_in_function() { assert_eq a b; echo after; }
test_expect_success loop-in-chain '
	true &&
	for x in 1 2 3; do
		assert_eq 1 $x
	done &&
	true
'
test_expect_success function-in-condition '
	if check_in_function; then :; fi
	true
'
test_expect_success chain-ended-early '
	assert_grep nothing /dev/null &&
	true
	true
'
test_done
EOF
cat >lost.body <<'EOF'
test_expect_success pipeline '
	printf "a\nb\n" | while read -r l; do assert_eq a "$l" line; done | cat || true
'
test_expect_success subshell '
	( assert test 1 = 2 ) || true
'
test_expect_success command-substitution '
	n=$(assert_eq 1 2 count) || true
	test -z "$n"
'
test_done
EOF

test_expect_success 'a failed assert_* fails the test inside a && chain, a loop, a function called from a condition' '
	. ./meta.sh &&
	run_meta t9907-holes "$(cat holes.body)" &&
	test "$(tail -n 1 t9907-holes.out)" = "0 passed, 3 failed, 0 skipped" &&
	grep -q "^#   FAIL: value: expected .1., got .2.$" t9907-holes.out &&
	! grep -q "^#   after$" t9907-holes.out
'

test_expect_success 'a failed assert_* in a pipeline or a subshell still fails the test' '
	. ./meta.sh &&
	run_meta t9908-lost "$(cat lost.body)" &&
	test "$(tail -n 1 t9908-lost.out)" = "0 passed, 3 failed, 0 skipped" &&
	grep -q "line: expected .a., got .b." t9908-lost.out &&
	grep -q "count: expected .1., got .2." t9908-lost.out &&
	test "$(grep -c "exit status was lost" t9908-lost.out)" = 3
'

test_expect_success 'a pipeline fails when any of its commands fails (pipefail)' '
	. ./meta.sh &&
	run_meta t9909-pipefail "
		test_expect_success pipe \"false | cat\"
		test_done" &&
	test "$(tail -n 1 t9909-pipefail.out)" = "0 passed, 1 failed, 0 skipped"
'

test_expect_success 'assert_* print what was expected and what was found' '
	. ./meta.sh &&
	printf "one\ntwo\n" >two-lines &&
	run_meta t9910-loud "
		test_expect_success eq \"assert_eq 5 6 orders\"
		test_expect_success cmp \"echo x >e; echo y >a; assert_cmp e a\"
		test_expect_success grep \"assert_grep -F three $TRASH/two-lines\"
		test_expect_success nogrep \"assert_no_grep two $TRASH/two-lines\"
		test_expect_success exit \"assert_exit 3 sh -c \\\"exit 4\\\"\"
		test_expect_success fails \"assert_fails true\"
		test_expect_success ok \"assert_eq 1 1 && assert_grep -c one $TRASH/two-lines && assert_no_grep three $TRASH/two-lines && assert_exit 4 sh -c \\\"exit 4\\\" && assert_fails false && assert test 2 -gt 1\"
		test_done" &&
	test "$(tail -n 1 t9910-loud.out)" = "1 passed, 6 failed, 0 skipped" &&
	grep -q "#   FAIL: orders: expected .5., got .6." t9910-loud.out &&
	grep -q "^#   -x$" t9910-loud.out && grep -q "^#   +y$" t9910-loud.out &&
	grep -q "^#   two$" t9910-loud.out &&
	grep -q "FAIL: no line matches in .*two-lines: grep -F three" t9910-loud.out &&
	grep -q "FAIL: expected exit 3, got 4" t9910-loud.out &&
	grep -q "FAIL: expected a normal failure: true" t9910-loud.out
'

test_expect_success 'a body that cannot fail is refused' '
	. ./meta.sh &&
	run_meta t9911-empty "
		test_expect_success fine true
		test_done" &&
	test "$(cat t9911-empty.rc)" = 1 &&
	grep -q "has no body" t9911-empty.out &&
	run_meta t9912-empty "
		test_expect_success fine \"  :  \"
		test_done" &&
	grep -q "has no body" t9912-empty.out
'

test_expect_success 'skips are counted as skips, not passes; a file of skips only passes' '
	. ./meta.sh &&
	(
		unset CI &&
		run_meta t9913-skip "
			test_expect_success one \"test 1 = 1\"
			test_skip two \"no frobnicator here\"
			test_done" &&
		test "$(tail -n 1 t9913-skip.out)" = "1 passed, 0 failed, 1 skipped" &&
		test "$(cat t9913-skip.rc)" = 0 &&
		grep -q "^ok 2 - two # SKIP no frobnicator here$" t9913-skip.out &&
		run_meta t9914-skipall "
			test_skip_all \"no dataset\"
			test_expect_success never \"false\"
			test_done" &&
		test "$(tail -n 1 t9914-skipall.out)" = "0 passed, 0 failed, 1 skipped" &&
		test "$(cat t9914-skipall.rc)" = 0
	)
'

test_expect_success 'in CI a skip fails, unless the file says why it may skip there' '
	. ./meta.sh &&
	(
		export CI=1 &&
		run_meta t9915-ci "
			test_skip two \"no frobnicator here\"
			test_done" &&
		test "$(tail -n 1 t9915-ci.out)" = "0 passed, 1 failed, 0 skipped" &&
		test "$(cat t9915-ci.rc)" = 1 &&
		grep -q "^not ok 1 - two # SKIP no frobnicator here$" t9915-ci.out &&
		run_meta t9916-ciok "
			test_skip_ok_in_ci \"the frobnicator is proprietary\"
			test_skip two \"no frobnicator here\"
			test_done" &&
		test "$(tail -n 1 t9916-ciok.out)" = "0 passed, 0 failed, 1 skipped" &&
		test "$(cat t9916-ciok.rc)" = 0
	)
'

test_expect_success 'an exit that skips test_done fails' '
	. ./meta.sh &&
	run_meta t9905-exit "
		test_expect_success one true
		exit 0" &&
	test "$(cat t9905-exit.rc)" = 1 &&
	grep -q "test_done was not reached" t9905-exit.out
'

# ---- scripts/pg.sh ---------------------------------------------------------------------

test_atexit "'$PG' destroy '$TRASH/pg' 2>/dev/null"
test_atexit "'$PG' destroy '$TRASH/private/pg' 2>/dev/null"
test_atexit "'$PG' destroy '$TRASH/$(printf 'd%.0s' $(seq 1 100))/pg' 2>/dev/null"

test_expect_success 'pg.sh: usage errors' '
	test_expect_code 2 "$PG" &&
	test_expect_code 2 "$PG" frobnicate "$TRASH/pg" &&
	test_expect_code 2 "$PG" start "$TRASH/pg" extra
'

test_expect_success 'pg.sh: status and stop of a cluster that does not exist' '
	test_expect_code 3 "$PG" status "$TRASH/pg" >out &&
	echo stopped >expect &&
	test_cmp expect out &&
	"$PG" stop "$TRASH/pg" &&
	test_must_fail "$PG" env "$TRASH/pg"
'

test_expect_success 'pg.sh start creates and starts a cluster' '
	"$PG" start "$TRASH/pg" 2>err &&
	grep -q "created cluster" err &&
	"$PG" status "$TRASH/pg" >out &&
	echo running >expect &&
	test_cmp expect out &&
	test -s "$TRASH/pg/port" &&
	test -e "$TRASH/pg/log"
'

test_expect_success 'pg.sh env: a unix socket, the stored port, user postgres' '
	"$PG" env "$TRASH/pg" >env.sh &&
	grep -q "^export PGHOST=/.* PGPORT=$(cat "$TRASH/pg/port") PGUSER=postgres\$" env.sh &&
	(
		. ./env.sh &&
		test -d "$PGHOST" &&
		test -S "$PGHOST/.s.PGSQL.$PGPORT" &&
		psql -X -At -d postgres -c "select 6 * 7" >out &&
		echo 42 >expect &&
		test_cmp expect out &&
		psql -X -At -d postgres -c "show listen_addresses" >out &&
		echo >expect &&
		test_cmp expect out &&
		psql -X -At -d postgres -c "select current_user, current_setting(\$\$server_encoding\$\$)" >out &&
		echo "postgres|UTF8" >expect &&
		test_cmp expect out
	)
'

test_expect_success 'pg.sh start on a running cluster is a no-op' '
	port=$(cat "$TRASH/pg/port") &&
	pid=$(head -n 1 "$TRASH/pg/cluster/data/postmaster.pid" 2>/dev/null || echo unreadable) &&
	"$PG" start "$TRASH/pg" 2>err &&
	test_must_fail grep -q "started" err &&
	test "$(cat "$TRASH/pg/port")" = "$port" &&
	test "$(head -n 1 "$TRASH/pg/cluster/data/postmaster.pid" 2>/dev/null || echo unreadable)" = "$pid"
'

test_expect_success 'pg.sh start does not hold a caller pipe open' '
	"$PG" stop "$TRASH/pg" &&
	out=$("$PG" start "$TRASH/pg" 2>&1 | cat) &&
	case $out in *started*) ;; *) exit 1 ;; esac
'

test_expect_success 'pg.sh stop, then stop again, then start again keeps the data' '
	. ./env.sh &&
	psql -X -q -d postgres -c "create table keep_me(x int)" &&
	"$PG" stop "$TRASH/pg" &&
	test_expect_code 3 "$PG" status "$TRASH/pg" >out &&
	echo stopped >expect &&
	test_cmp expect out &&
	"$PG" stop "$TRASH/pg" &&
	"$PG" start "$TRASH/pg" &&
	psql -X -q -d postgres -c "select * from keep_me" &&
	"$PG" stop "$TRASH/pg"
'

test_expect_success 'pg.sh start: concurrent starts of one cluster' '
	"$PG" start "$TRASH/pg" 2>err1 & p1=$!
	"$PG" start "$TRASH/pg" 2>err2 & p2=$!
	wait "$p1" && wait "$p2" &&
	"$PG" status "$TRASH/pg"
'

test_expect_success 'pg.sh destroy stops and removes the cluster' '
	base=$(cd "$TRASH/pg/cluster" && pwd -P) &&
	"$PG" destroy "$TRASH/pg" &&
	test ! -e "$TRASH/pg" &&
	test ! -e "$base" &&
	"$PG" destroy "$TRASH/pg"
'

test_expect_success 'pg.sh destroy refuses a directory it did not make' '
	mkdir -p notpg &&
	echo precious >notpg/file &&
	test_must_fail "$PG" destroy notpg &&
	test -f notpg/file
'

# Root runs the server as postgres (or siyu-pg), which cannot reach a directory behind a
# mode-700 parent: the cluster must move to /tmp and DIR/cluster must point at it.
test_expect_success 'pg.sh start behind a parent the server user cannot traverse' '
	mkdir -m 700 private &&
	"$PG" start "$TRASH/private/pg" &&
	if [ "$(id -u)" -eq 0 ]; then
		test -L "$TRASH/private/pg/cluster" &&
		case $(readlink "$TRASH/private/pg/cluster") in /tmp/siyu-pg.*) ;; *) exit 1 ;; esac
	else
		test -d "$TRASH/private/pg/cluster" && test ! -L "$TRASH/private/pg/cluster"
	fi &&
	eval "$("$PG" env "$TRASH/private/pg")" &&
	psql -X -At -d postgres -c "select 1" &&
	base=$(cd "$TRASH/private/pg/cluster" && pwd -P) &&
	"$PG" destroy "$TRASH/private/pg" &&
	test ! -e "$base"
'

test_expect_success 'pg.sh start where the socket path would be too long' '
	deep=$TRASH/$(printf "d%.0s" $(seq 1 100))/pg &&
	"$PG" start "$deep" &&
	test -L "$deep/cluster" &&
	eval "$("$PG" env "$deep")" &&
	psql -X -At -d postgres -c "select 1" &&
	"$PG" destroy "$deep"
'

# ---- setup_db --------------------------------------------------------------------------

setup_db

test_expect_success 'setup_db exports PG* and creates the database' '
	test -n "$PGHOST" && test -n "$PGPORT" &&
	test "$PGUSER" = postgres &&
	test "$PGDATABASE" = siyu_t0000 &&
	test_psql "select current_database()" >out &&
	echo siyu_t0000 >expect &&
	test_cmp expect out &&
	test_psql "create table t(x int); insert into t values (1), (2)" &&
	test_psql "select sum(x) from t" >out &&
	echo 3 >expect &&
	test_cmp expect out &&
	test_must_fail test_psql "select * from no_such_table"
'

setup_db

test_expect_success 'setup_db again gives a fresh database' '
	test_psql "select count(*) from pg_tables where tablename = \$\$t\$\$" >out &&
	echo 0 >expect &&
	test_cmp expect out
'

setup_db siyu_t0000_other

test_expect_success 'setup_db NAME' '
	test "$PGDATABASE" = siyu_t0000_other &&
	test "$(test_psql "select current_database()")" = siyu_t0000_other
'

test_done

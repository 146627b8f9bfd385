# shellcheck shell=bash
# shellcheck disable=SC2030,SC2031  # test_when_finished_cmds_ lives in the body subshell on purpose
# tests/lib.sh — a tiny harness for numbered shell integration tests (after git's t/test-lib.sh).
#
# A test file, tests/integration/tNNNN-name.sh:
#
#   #!/usr/bin/env bash
#   test_description='what this file checks'     # shown with -v
#   . "$(dirname "$0")/../lib.sh"
#
#   setup_db                  # fresh database siyu_tNNNN on the private cluster (top level only)
#
#   test_expect_success 'import the sample' '
#       "$SIYU" import --profile generic "$TOP/sample/orders-taobao.csv" >out 2>err &&
#       psql -XAtc "select count(*) from dw.fact_order" >actual &&
#       echo 1234 >expect &&
#       test_cmp expect actual
#   '
#   test_done
#
# Run one file:  bash tests/integration/t0000-harness.sh [-v] [-x] [-i] [-d]
#   -v, --verbose    show the output of every test (default: only of failed ones)
#   -x, --trace      run test bodies under set -x
#   -i, --immediate  stop at the first failed test
#   -d, --debug      keep the trash directory even when every test passed
# The same options may come from $SIYU_TEST_OPTS (e.g. make check SIYU_TEST_OPTS=-v).
#
# Each test body runs in a subshell, in the trash directory $TRASH, with
# `set -e -o pipefail` and stdin from /dev/null: a failing command fails the test, whether
# the body chains its commands with && (git style) or writes one per line. Bash has holes
# in set -e: it is ignored for every command of a && / || chain but the last (so a chain
# that ends early and is followed by more lines passes), inside loops that are part of a
# chain, and inside functions called from if / while / && / ||. Where a check sits in such
# a place — in a loop, in a helper function, in a subshell or a pipeline — use the assert_*
# helpers below: they print what was expected and what was found, record the failure in a
# file the harness reads after the body (so it counts even from a subshell or a pipeline
# that swallowed the exit status) and exit. With pipefail, a pipeline into `grep -q` can
# kill its writer with SIGPIPE: grep a file (assert_grep) or use `grep ... >/dev/null`.
# Variables a body sets die with its subshell: share state through files in $TRASH or
# set it at the top level of the file.
#
# A test that cannot run here (no dataset, no tool) is skipped with test_skip, which
# reports it as a skip ("ok N - title # SKIP reason"), never as a pass. Under CI (CI set
# to anything but 0/false, as .ci/run does) a skip fails the file unless the file
# declared why it may skip there with test_skip_ok_in_ci.
#
# Provided variables
#   TOP      the repository root
#   SIYU     the binary under test (default $TOP/bin/siyu; an exported SIYU wins)
#   TRASH    this file's scratch directory, $TOP/var/tests/trash.<file name>; emptied at
#            start, removed at the end when every test passed (unless -d)
#   TEST_NAME  e.g. t0000-harness; TEST_ID e.g. t0000
#   SIYU_TEST_PG  the private cluster's directory (default $TOP/var/test-pg)
#
# Functions
#   test_expect_success TITLE BODY   run BODY as a test; it passes when BODY exits 0 and
#                                    no assert_* failed in it; a BODY that cannot fail
#                                    (empty, `true`, `:`) is refused
#   test_skip TITLE REASON           (top level) report TITLE as skipped, with REASON
#   test_skip_all REASON             (top level) skip the rest of the file and end it
#   test_skip_ok_in_ci WHY           (top level) this file's skips are expected in CI too
#   test_must_fail CMD [ARGS...]     succeed when CMD fails normally (exit 1..125, not 126/127
#                                    "cannot run", not a signal death)
#   test_expect_code N CMD [ARGS...] succeed when CMD exits with exactly N
#   test_cmp EXPECTED ACTUAL         succeed when the files are equal; else print a diff
#   test_when_finished CMD           (inside a body) run CMD when the body ends, pass or fail
#   test_atexit CMD                  (top level) run CMD when the test file exits
#   setup_db [NAME]                  (top level) start the private cluster once per file,
#                                    make a fresh database NAME (default siyu_<TEST_ID>),
#                                    export PGHOST PGPORT PGUSER PGDATABASE
#   test_psql SQL                    psql -X -A -t -q -v ON_ERROR_STOP=1 -c SQL on $PGDATABASE
#   copy_db NEW [TEMPLATE]           (re)create database NEW as a copy of TEMPLATE (default
#                                    $PGDATABASE), e.g. an empty migrated warehouse
#   sample_conf [--run LINE]... [LINE...]
#                                    print a config for the bundled sample exports: [run] in
#                                    Asia/Shanghai, raw zone $TRASH/raw (and each --run LINE),
#                                    sources taobao_csv (the LINEs, e.g. "warn_after = 1h",
#                                    added to it) and youzan_csv
#   test_fingerprint                 print tests/fingerprint.sql's fingerprint of $PGDATABASE:
#                                    per dw table (and etl.watermark) its row count and an
#                                    order-independent hash of its rows, by natural keys
#   test_runlog                      the run log (etl.run, etl.run_source) one line per
#                                    source of a run: what the fingerprint leaves out
#   say MSG / die MSG                print to stderr / abort the whole file
#   test_done                        print the summary, last line "N passed, N failed,
#                                    N skipped"; exit 1 if any test failed, or if none
#                                    ran and none was skipped
#
# Assertions (inside bodies; each fails the test loudly and exits, see above)
#   assert CMD [ARGS...]             CMD succeeds (e.g. assert test "$n" -ge 8)
#   assert_eq EXPECTED ACTUAL [WHAT] the two strings are equal
#   assert_cmp EXPECTED ACTUAL       the two files are equal (the diff is printed)
#   assert_grep [GREP OPTS] PATTERN FILE...     some line matches (grep -q); the file is
#                                    shown when none does
#   assert_no_grep [GREP OPTS] PATTERN FILE...  no line matches; the matches are shown
#   assert_sql SQL EXPECTED          test_psql SQL prints EXPECTED (lines: use $'a\nb')
#   assert_exit N CMD [ARGS...]      CMD exits with exactly N
#   assert_fails CMD [ARGS...]       CMD fails the normal way (as test_must_fail)
#   test_fail MSG                    fail the test with MSG
#
# The cluster: setup_db runs `scripts/pg.sh start "$SIYU_TEST_PG"`. When the cluster was
# not running before, this file started it and the exit trap stops it again (set
# SIYU_TEST_PG_KEEP=1 to leave it running). A driver that runs many files (make check)
# should start the cluster before them and stop it after, so the files share one
# running server. Databases are never dropped at exit, so that a failed run can be
# inspected: `eval "$(scripts/pg.sh env var/test-pg)"; psql -d siyu_t0000`.

# ---- where we are -------------------------------------------------------------------

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TEST_NAME=$(basename "$0" .sh)
TEST_ID=${TEST_NAME%%-*}
SIYU=${SIYU:-$TOP/bin/siyu}
SIYU_TEST_PG=${SIYU_TEST_PG:-$TOP/var/test-pg}
TRASH=$TOP/var/tests/trash.$TEST_NAME
export TOP SIYU SIYU_TEST_PG TRASH TEST_NAME TEST_ID

# A predictable environment, whatever the caller's.
if locale -a 2>/dev/null | grep -qix 'c\.utf-\{0,1\}8'; then
	export LC_ALL=C.UTF-8
else
	export LC_ALL=C
fi
export TZ=UTC
unset LANGUAGE CDPATH PGHOSTADDR PGSERVICE PGSERVICEFILE PGOPTIONS
# Failures are counted, not fatal: test files must not run under set -e.
set +e

# ---- options ----------------------------------------------------------------------------

test_verbose_=0
test_trace_=0
test_immediate_=0
test_debug_=0
# shellcheck disable=SC2086  # SIYU_TEST_OPTS is a list of words
for test_opt_ in ${SIYU_TEST_OPTS:-} "$@"; do
	case $test_opt_ in
	-v | --verbose) test_verbose_=1 ;;
	-x | --trace) test_trace_=1 ;;
	-i | --immediate) test_immediate_=1 ;;
	-d | --debug) test_debug_=1 ;;
	-h | --help)
		echo "usage: $0 [-v|--verbose] [-x|--trace] [-i|--immediate] [-d|--debug]"
		exit 0
		;;
	*)
		echo "$0: unknown option '$test_opt_'" >&2
		exit 2
		;;
	esac
done
unset test_opt_

# ---- state ---------------------------------------------------------------------------

test_count_=0
test_passed_=0
test_failed_=0
test_skipped_=0
test_skip_ok_in_ci_=
test_done_called_=0
test_pg_up_=0
test_pg_started_=0
test_atexit_cmds_=
test_out_=$TOP/var/tests/$TEST_NAME.out
# A failed assert_* writes here, wherever it ran (a subshell, a pipeline): read after each body.
test_failed_file_=$TOP/var/tests/$TEST_NAME.failed

say() {
	printf '%s\n' "$*" >&2
}

die() {
	printf '%s: FATAL: %s\n' "$TEST_NAME" "$*" >&2
	exit 1
}

# ---- running tests -------------------------------------------------------------------

# test_run_ BODY — run BODY in a subshell in $TRASH with set -e and pipefail; its output
# goes to $test_out_ (and to the terminal with -v). Returns BODY's exit status, or 1 when
# an assert_* failed in it (even where that exit status was lost).
# It must not be called in a condition (if, &&, ||, !): bash would then ignore the set -e.
test_run_() {
	local rc
	rm -f "$test_failed_file_"
	(
		cd "$TRASH" || exit 1
		test_when_finished_cmds_=
		trap 'test_finish_ $?' EXIT
		set -e -o pipefail
		if [ "$test_trace_" = 1 ]; then set -x; fi
		eval "$1"
	) </dev/null >"$test_out_" 2>&1
	rc=$?
	if [ -s "$test_failed_file_" ] && [ "$rc" -eq 0 ]; then
		{
			echo "an assertion failed where its exit status was lost (a pipeline, a subshell):"
			cat "$test_failed_file_"
		} >>"$test_out_"
		rc=1
	fi
	rm -f "$test_failed_file_"
	if [ "$test_verbose_" = 1 ]; then
		cat "$test_out_"
	fi
	return "$rc"
}

# test_finish_ RC — the body's exit trap: run the test_when_finished commands; a failing
# cleanup fails a passing test.
test_finish_() {
	local rc=$1
	set +e +x
	if [ -n "$test_when_finished_cmds_" ]; then
		if ! eval "$test_when_finished_cmds_"; then
			echo "test_when_finished: cleanup failed" >&2
			[ "$rc" -ne 0 ] || rc=1
		fi
	fi
	exit "$rc"
}

# test_when_finished CMD — inside a test body: run CMD when the body ends.
test_when_finished() {
	test_when_finished_cmds_="$*
$test_when_finished_cmds_"
}

# test_atexit CMD — at the top level: run CMD when the test file exits.
test_atexit() {
	[ "$BASH_SUBSHELL" -eq 0 ] || die "test_atexit must be called outside test bodies"
	test_atexit_cmds_="$*
$test_atexit_cmds_"
}

test_expect_success() {
	[ $# -eq 2 ] || die "test_expect_success takes 2 arguments (title, body), got $#"
	[ "$BASH_SUBSHELL" -eq 0 ] || die "test_expect_success inside a test body"
	# A body that cannot fail is not a test: say what is not tested with test_skip.
	case $(printf '%s' "$2" | tr -d ' \t\n') in
	'' | true | :) die "test '$1' has no body (a block that cannot fail); use test_skip TITLE REASON" ;;
	esac
	local rc
	test_count_=$((test_count_ + 1))
	test_run_ "$2"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		test_passed_=$((test_passed_ + 1))
		printf 'ok %d - %s\n' "$test_count_" "$1"
	else
		test_failed_=$((test_failed_ + 1))
		printf 'not ok %d - %s\n' "$test_count_" "$1"
		if [ "$test_verbose_" = 0 ]; then
			printf '%s\n' "$2" | sed -e '/^[[:space:]]*$/d' -e 's/^/#   /'
			if [ -s "$test_out_" ]; then
				echo '# output:'
				sed -e 's/^/#   /' "$test_out_"
			fi
		fi
		if [ "$test_immediate_" = 1 ]; then
			say "$TEST_NAME: stopping at the first failure (-i)"
			test_done
		fi
	fi
}

# ---- skips ------------------------------------------------------------------------------

# Is this a CI run? .ci/run exports CI=1 (as most CI services do).
test_in_ci_() {
	case ${CI:-} in
	'' | 0 | false | no) return 1 ;;
	esac
	return 0
}

# test_skip_ok_in_ci WHY — (top level) this file may skip in CI too, because WHY.
test_skip_ok_in_ci() {
	[ "$BASH_SUBSHELL" -eq 0 ] || die "test_skip_ok_in_ci must be called outside test bodies"
	[ -n "$1" ] || die "test_skip_ok_in_ci: say why"
	test_skip_ok_in_ci_=$1
}

# test_skip TITLE REASON — (top level) TITLE is not tested here, because REASON. It counts
# as a skip, not a pass; in CI as a failure unless the file said test_skip_ok_in_ci.
test_skip() {
	[ $# -eq 2 ] || die "test_skip takes 2 arguments (title, reason), got $#"
	[ "$BASH_SUBSHELL" -eq 0 ] || die "test_skip inside a test body"
	test_count_=$((test_count_ + 1))
	if test_in_ci_ && [ -z "$test_skip_ok_in_ci_" ]; then
		test_failed_=$((test_failed_ + 1))
		printf 'not ok %d - %s # SKIP %s\n' "$test_count_" "$1" "$2"
		echo "# a skip in CI is a failure: make it run, or declare test_skip_ok_in_ci WHY"
	else
		test_skipped_=$((test_skipped_ + 1))
		printf 'ok %d - %s # SKIP %s%s\n' "$test_count_" "$1" "$2" \
			"${test_skip_ok_in_ci_:+ (may skip in CI: $test_skip_ok_in_ci_)}"
	fi
}

# test_skip_all REASON — (top level) nothing more of this file can run: one skip, the end.
test_skip_all() {
	say "$TEST_NAME: SKIP: $1"
	test_skip "every test of $TEST_NAME" "$1"
	test_done
}

# ---- assertions -------------------------------------------------------------------------

# test_fail MSG — fail the running test: print MSG, record it, leave the body's shell.
test_fail() {
	[ "$BASH_SUBSHELL" -gt 0 ] || die "test_fail / assert_* outside a test body: $*"
	printf 'FAIL: %s\n' "$*" >&2
	printf '%s\n' "$*" >>"$test_failed_file_"
	exit 1
}

assert() {
	"$@" || test_fail "command failed (exit $?): $*"
}

assert_eq() {
	[ $# -ge 2 ] && [ $# -le 3 ] || test_fail "assert_eq takes EXPECTED ACTUAL [WHAT], got $# arguments"
	[ "$1" = "$2" ] ||
		test_fail "${3:-value}: expected '$1', got '$2'"
}

assert_cmp() {
	[ $# -eq 2 ] || test_fail "assert_cmp takes 2 files, got $#"
	diff -u -- "$1" "$2" >&2 || test_fail "$2 differs from $1 (diff above)"
}

# assert_grep [GREP OPTIONS] PATTERN FILE... — the last argument is a file; so is any
# argument after PATTERN (the first argument that is not an option).
assert_grep() {
	local f=${*: -1}
	grep -q "$@" && return 0
	{
		echo "--- $f (first 30 lines):"
		head -n 30 -- "$f" 2>&1
	} >&2
	test_fail "no line matches in $f: grep $*"
}

assert_no_grep() {
	if grep "$@" >&2; then
		test_fail "lines match (above), none should: grep $*"
	fi
	return 0
}

# assert_sql SQL EXPECTED — what test_psql SQL prints, all of it, is EXPECTED.
assert_sql() {
	local actual
	actual=$(test_psql "$1") || test_fail "SQL failed: $1"
	[ "$actual" = "$2" ] && return 0
	printf 'SQL: %s\n--- expected\n%s\n--- actual\n%s\n' "$1" "$2" "$actual" >&2
	test_fail "the query printed something else (above)"
}

assert_exit() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" -eq "$want" ] || test_fail "expected exit $want, got $rc: $*"
}

assert_fails() {
	test_must_fail "$@" || test_fail "expected a normal failure: $*"
}

# test_must_fail CMD [ARGS...] — succeed when CMD fails the normal way.
test_must_fail() {
	local rc=0
	"$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "test_must_fail: command succeeded: $*" >&2
		return 1
	elif [ "$rc" -eq 126 ] || [ "$rc" -eq 127 ]; then
		echo "test_must_fail: cannot run (exit $rc): $*" >&2
		return 1
	elif [ "$rc" -gt 128 ] && [ "$rc" -le 192 ]; then
		echo "test_must_fail: died by signal $((rc - 128)): $*" >&2
		return 1
	fi
	return 0
}

# test_expect_code N CMD [ARGS...] — succeed when CMD exits with exactly N.
test_expect_code() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "test_expect_code: expected exit $want, got $rc: $*" >&2
		return 1
	fi
	return 0
}

# test_cmp EXPECTED ACTUAL — compare two files, print a unified diff when they differ.
test_cmp() {
	[ $# -eq 2 ] || {
		echo "test_cmp takes 2 arguments" >&2
		return 1
	}
	diff -u -- "$1" "$2"
}

# ---- the database --------------------------------------------------------------------

# setup_db [NAME] — a fresh database NAME on the private cluster; exports PG*.
setup_db() {
	local name=${1:-siyu_$TEST_ID} env
	[ "$BASH_SUBSHELL" -eq 0 ] || die "setup_db must be called outside test bodies"
	case $name in
	'' | [!a-z_]* | *[!a-z0-9_]*) die "setup_db: bad database name '$name' (use [a-z_][a-z0-9_]*)" ;;
	esac
	if [ "$test_pg_up_" = 0 ]; then
		if ! "$TOP/scripts/pg.sh" status "$SIYU_TEST_PG" >/dev/null; then
			"$TOP/scripts/pg.sh" start "$SIYU_TEST_PG" || die "cannot start the cluster in $SIYU_TEST_PG"
			test_pg_started_=1
		fi
		env=$("$TOP/scripts/pg.sh" env "$SIYU_TEST_PG") || die "scripts/pg.sh env failed"
		eval "$env"
		test_pg_up_=1
	fi
	PGDATABASE=postgres PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 \
		-c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
		-c "CREATE DATABASE \"$name\"" >/dev/null || die "cannot create database $name"
	export PGDATABASE=$name
}

# test_psql SQL — run SQL on $PGDATABASE, print unaligned tuples only.
test_psql() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"
}

# copy_db NEW [TEMPLATE] — database NEW, dropped first, as a copy of TEMPLATE.
copy_db() {
	PGDATABASE=postgres PGOPTIONS="-c client_min_messages=warning" psql -Xq -v ON_ERROR_STOP=1 \
		-c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" \
		-c "CREATE DATABASE \"$1\" TEMPLATE \"${2:-$PGDATABASE}\"" >/dev/null
}

# sample_conf [--run LINE]... [LINE...] — a config for the bundled sample exports (see the header).
sample_conf() {
	printf '[run]\ntimezone = Asia/Shanghai\nraw_dir = %s/raw\n' "$TRASH"
	while [ "${1:-}" = --run ]; do
		printf '%s\n' "$2"
		shift 2
	done
	printf '[source.taobao_csv]\ntype = csv\npath = %s/sample/orders-taobao.csv\n' "$TOP"
	[ $# -eq 0 ] || printf '%s\n' "$@"
	printf '[source.youzan_csv]\ntype = csv\npath = %s/sample/orders-youzan.csv\n' "$TOP"
}

# test_fingerprint — the warehouse's fingerprint (tests/fingerprint.sql), one line per table.
test_fingerprint() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -f "$TOP/tests/fingerprint.sql"
}

# test_runlog — the run log the fingerprint leaves out, one line per source of each run:
# run_id|command|args|run status|source|source status|read|inserted|updated|unchanged|rejected
test_runlog() {
	test_psql "SELECT concat_ws('|', r.run_id, r.command, r.args, r.status, s.source, s.status,
	                  s.records_read, s.inserted, s.updated, s.unchanged, s.rejected)
	             FROM etl.run r LEFT JOIN etl.run_source s USING (run_id)
	            ORDER BY r.run_id, s.source"
}

# ---- the end -------------------------------------------------------------------------

test_done() {
	test_done_called_=1
	if [ "$test_count_" -eq 0 ]; then
		say "$TEST_NAME: no tests ran"
	fi
	if [ "$test_failed_" -eq 0 ] && [ "$test_count_" -gt 0 ] && [ "$test_debug_" = 0 ]; then
		rm -rf "$TRASH" "$test_out_"
	elif [ "$test_failed_" -gt 0 ]; then
		say "$TEST_NAME: trash kept in $TRASH"
	fi
	printf '%d passed, %d failed, %d skipped\n' "$test_passed_" "$test_failed_" "$test_skipped_"
	if [ "$test_failed_" -gt 0 ] || [ "$test_count_" -eq 0 ]; then
		exit 1
	fi
	exit 0
}

# The exit trap: run test_atexit commands, stop the cluster this file started, and
# turn an exit that bypassed test_done into a failure. It drops no database.
test_exit_() {
	local rc=$?
	set +e
	if [ -n "$test_atexit_cmds_" ]; then
		(eval "$test_atexit_cmds_") || say "$TEST_NAME: an atexit command failed"
	fi
	if [ "$test_pg_started_" = 1 ] && [ "${SIYU_TEST_PG_KEEP:-0}" != 1 ]; then
		"$TOP/scripts/pg.sh" stop "$SIYU_TEST_PG" 2>/dev/null ||
			say "$TEST_NAME: cannot stop the cluster in $SIYU_TEST_PG"
	fi
	if [ "$test_done_called_" = 0 ]; then
		say "$TEST_NAME: FATAL: unexpected exit with code $rc (test_done was not reached)"
		[ "$rc" -ne 0 ] || rc=1
	fi
	exit "$rc"
}
trap test_exit_ EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$test_verbose_" = 1 ] && [ -n "${test_description:-}" ]; then
	printf '# %s: %s\n' "$TEST_NAME" "$test_description"
fi
rm -rf "$TRASH" || die "cannot empty $TRASH"
mkdir -p "$TRASH" || die "cannot create $TRASH"
cd "$TRASH" || die "cannot enter $TRASH"

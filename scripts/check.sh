#!/usr/bin/env bash
# check.sh — run every test against one build: cmocka unit tests, pgTAP SQL tests,
# shell integration tests, a short run of the fuzz targets (build/fuzz). Called by
# `make check` (build/san: ASan + UBSan).
#
#   scripts/check.sh BUILD_DIR [unit] [sql] [integration] [fuzz]    (default: all four)
#
# Environment: VALGRIND=1 runs the unit tests under valgrind; SIYU_TEST_OPTS is passed
# to the integration tests (e.g. -v). The private cluster under var/test-pg is started
# once for the whole run and stopped at the end if this script started it.
# The last line is "check: N passed, N failed" over all individual tests.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check.sh BUILD_DIR [unit] [sql] [integration]}
shift
case "$build" in /*) ;; *) build="$top/$build" ;; esac
suites=("$@")
[[ ${#suites[@]} -eq 0 ]] && suites=(unit sql integration fuzz)

export SIYU="$build/bin/siyu"
export SIYU_FAKES="$build/fakes"
export SIYU_MIGRATIONS="$top/sql/migrations"
export SIYU_TEST_PG="${SIYU_TEST_PG:-$top/var/test-pg}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}"

passed=0
failed=0
failed_names=()
log_dir="$top/var/check"
mkdir -p "$log_dir"

note_failure() { failed_names+=("$1"); }

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
count_cmocka() {
	local out=$1 p f
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$NF} END {print s+0}')
	f=$(grep -Eo '^\[  FAILED  \] [0-9]+ test' "$out" | awk '{s+=$(NF-1)} END {print s+0}')
	echo "$p $f"
}

run_unit() {
	local t name out rc p f
	echo "== unit tests (cmocka)"
	for t in "$build"/tests/test_*; do
		[[ -x "$t" ]] || continue
		name=$(basename "$t")
		out="$log_dir/$name.out"
		if [[ "${VALGRIND:-}" == 1 ]]; then
			(cd "$top" && valgrind -q --leak-check=full --error-exitcode=97 "$t") >"$out" 2>&1
		else
			(cd "$top" && "$t") >"$out" 2>&1
		fi
		rc=$?
		read -r p f < <(count_cmocka "$out")
		if [[ $rc -ne 0 && $f -eq 0 ]]; then
			f=1 # crashed, sanitizer or valgrind error
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [[ $rc -ne 0 ]]; then
			note_failure "$name"
			cat "$out"
		fi
		printf '%-28s %3d passed, %d failed\n' "$name" "$p" "$f"
	done
}

start_cluster() {
	if [[ "$("$top/scripts/pg.sh" status "$SIYU_TEST_PG" 2>/dev/null)" != running ]]; then
		"$top/scripts/pg.sh" start "$SIYU_TEST_PG" >/dev/null || return 1
		started_cluster=1
	fi
	eval "$("$top/scripts/pg.sh" env "$SIYU_TEST_PG")"
}

run_sql() {
	local out rc tests fails
	echo "== SQL tests (pgTAP)"
	start_cluster || { failed=$((failed + 1)); note_failure "cluster"; return; }
	export PGDATABASE=siyu_check_sql
	dropdb --if-exists "$PGDATABASE" 2>/dev/null && createdb "$PGDATABASE" &&
		"$SIYU" migrate >"$log_dir/sql-migrate.out" 2>&1 &&
		psql -Xq -c 'CREATE EXTENSION IF NOT EXISTS pgtap' >/dev/null
	rc=$?
	if [[ $rc -ne 0 ]]; then
		cat "$log_dir/sql-migrate.out"
		failed=$((failed + 1))
		note_failure "sql setup"
		return
	fi
	out="$log_dir/pg_prove.out"
	pg_prove -d "$PGDATABASE" "$top"/tests/sql/*.sql >"$out" 2>&1
	rc=$?
	cat "$out"
	tests=$(grep -Eo 'Tests=[0-9]+' "$out" | tail -1 | cut -d= -f2)
	fails=$(grep -Eo 'Failed [0-9]+/[0-9]+ subtests' "$out" | awk '{split($2,a,"/"); s+=a[1]} END {print s+0}')
	tests=${tests:-0}
	if [[ $rc -ne 0 && $fails -eq 0 ]]; then
		fails=1
	fi
	passed=$((passed + tests - fails))
	failed=$((failed + fails))
	[[ $rc -eq 0 ]] || note_failure "pg_prove"
	unset PGDATABASE
}

run_integration() {
	local t name out rc p f
	echo "== integration tests"
	start_cluster || { failed=$((failed + 1)); note_failure "cluster"; return; }
	for t in "$top"/tests/integration/t[0-9]*.sh; do
		name=$(basename "$t" .sh)
		out="$log_dir/$name.out"
		# shellcheck disable=SC2086
		(cd "$top" && bash "$t" ${SIYU_TEST_OPTS:-}) >"$out" 2>&1
		rc=$?
		read -r p f < <(tail -n 1 "$out" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p')
		p=${p:-0}
		f=${f:-0}
		if [[ $rc -ne 0 && $f -eq 0 ]]; then
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [[ $rc -ne 0 ]]; then
			note_failure "$name"
			cat "$out"
		fi
		printf '%-28s %3d passed, %d failed\n' "$name" "$p" "$f"
	done
}

# A short run of every libFuzzer target (make fuzz-build): one test each.
run_fuzz() {
	local out="$log_dir/fuzz.out" p f
	echo "== fuzz targets (${SIYU_FUZZ_TIME:-4} s each)"
	rm -rf "$log_dir/fuzz-corpus"
	FUZZ_CORPUS="$log_dir/fuzz-corpus" "$top/scripts/fuzz.sh" "$top/build/fuzz" \
		"${SIYU_FUZZ_TIME:-4}" >"$out" 2>&1
	cat "$out"
	read -r p f < <(tail -n 1 "$out" | sed -nE 's/^fuzz: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
	[[ ${f:-1} -eq 0 ]] || note_failure "fuzz"
}

started_cluster=0
stop_cluster() {
	if [[ $started_cluster == 1 ]]; then
		"$top/scripts/pg.sh" stop "$SIYU_TEST_PG" >/dev/null 2>&1
	fi
}
trap stop_cluster EXIT

for s in "${suites[@]}"; do
	case "$s" in
	unit) run_unit ;;
	sql) run_sql ;;
	integration) run_integration ;;
	fuzz) run_fuzz ;;
	*) echo "check.sh: unknown suite '$s'" >&2; exit 2 ;;
	esac
done

echo
if [[ ${#failed_names[@]} -gt 0 ]]; then
	echo "failed: ${failed_names[*]} (logs in var/check/)"
fi
if [[ $passed -eq 0 && $failed -eq 0 ]]; then
	echo "check: no test ran"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "check: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

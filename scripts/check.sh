#!/usr/bin/env bash
# check.sh — run every test against one build: cmocka unit tests, pgTAP SQL tests,
# shell integration tests, a short run of the fuzz targets (build/fuzz). Called by
# `make check` (build/san: ASan + UBSan).
#
#   scripts/check.sh BUILD_DIR [SUITE[:NAME,...]]...   (default: mutants unit sql integration fuzz)
#
# A suite may name the tests to run: unit:test_money,test_pii (programs of
# BUILD_DIR/tests), sql:100_kpi_sales (files of tests/sql, without .sql),
# integration:t0200,t0400-crash (files of tests/integration, by number or full name),
# fuzz:fuzz_config (targets of build/fuzz, each run SIYU_FUZZ_TIME s, default 4).
# `make mutants` runs only the tests that must catch each mutant this way.
# The suite "mutants" is the fast half of make mutants: every deliberate bug of
# tests/mutants still applies to this tree (its anchor text is found exactly once), so
# that whoever moves the code a mutant points at updates the mutant in the same change.
# The suite "validate" (make validate, not make check) runs tests/validate/t*.sh, the
# slow real-data checks, one at a time; there a skip (a missing dataset) is a failure:
# validating nothing is no success.
#
# Environment: VALGRIND=1 runs the unit tests under valgrind; SIYU_TEST_OPTS is passed
# to the integration tests (e.g. -v); CHECK_JOBS (default 2) integration files run at
# once, each with its own output, printed in order. The private cluster under
# var/test-pg is started once for the whole run and stopped at the end if this script
# started it. CI=1 (set by .ci/run) makes a skip a failure (tests/lib.sh: test_skip).
#
# The last two lines: what was counted (tests, files, skips per suite), then
# "check: N passed, N failed" over all individual tests (skips are in neither number).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check.sh BUILD_DIR [unit[:NAMES]] [sql[:NAMES]] [integration[:NAMES]] [validate]}
shift
case "$build" in /*) ;; *) build="$top/$build" ;; esac
suites=("$@")
[[ ${#suites[@]} -eq 0 ]] && suites=(mutants unit sql integration fuzz)

export SIYU="$build/bin/siyu"
export SIYU_FAKES="$build/fakes"
export SIYU_MIGRATIONS="$top/sql/migrations"
export SIYU_TEST_PG="${SIYU_TEST_PG:-$top/var/test-pg}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}"
jobs=${CHECK_JOBS:-2}

passed=0
failed=0
skipped=0
failed_names=()
counted=()   # one phrase per suite for the summary
log_dir="$top/var/check"
mkdir -p "$log_dir"

note_failure() { failed_names+=("$1"); }

in_ci() {
	case ${CI:-} in '' | 0 | false | no) return 1 ;; esac
	return 0
}

# selected NAME LIST — is NAME in the comma-separated LIST (empty: everything)? A list
# item matches a name equal to it or starting with it and a dash (t0200 = t0200-import).
selected() {
	local item
	[[ -z "$2" ]] && return 0
	for item in ${2//,/ }; do
		[[ "$1" == "$item" || "$1" == "$item"-* ]] && return 0
	done
	return 1
}

# cmocka prints "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s), listed below:" and
# "[  SKIPPED ] N test(s), listed below:"
count_cmocka() {
	local out=$1 p f s
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$NF} END {print s+0}')
	f=$(grep -Eo '^\[  FAILED  \] [0-9]+ test' "$out" | awk '{s+=$(NF-1)} END {print s+0}')
	s=$(grep -Eo '^\[  SKIPPED \] [0-9]+ test' "$out" | awk '{s+=$(NF-1)} END {print s+0}')
	echo "$p $f $s"
}

run_unit() {
	local only=$1 t name out rc p f s files=0 tests=0 skips=0
	echo "== unit tests (cmocka)"
	for t in "$build"/tests/test_*; do
		[[ -x "$t" ]] || continue
		name=$(basename "$t")
		selected "$name" "$only" || continue
		out="$log_dir/$name.out"
		if [[ "${VALGRIND:-}" == 1 ]]; then
			(cd "$top" && valgrind -q --leak-check=full --error-exitcode=97 "$t") >"$out" 2>&1
		else
			(cd "$top" && "$t") >"$out" 2>&1
		fi
		rc=$?
		read -r p f s < <(count_cmocka "$out")
		if [[ $rc -ne 0 && $f -eq 0 ]]; then
			f=1 # crashed, sanitizer or valgrind error
		fi
		if [[ $s -gt 0 ]] && in_ci; then
			f=$((f + s)) # a test that cannot run in CI is a failure there
			s=0
			rc=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + s))
		files=$((files + 1))
		tests=$((tests + p + f + s))
		skips=$((skips + s))
		if [[ $rc -ne 0 ]]; then
			note_failure "$name"
			cat "$out"
		fi
		printf '%-28s %3d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
	done
	counted+=("unit: $tests cmocka tests in $files programs, $skips skipped")
}

run_mutants() {
	local out="$log_dir/mutants.out" rc p f
	echo "== mutants (each still applies to this tree; make mutants runs them)"
	"$top/scripts/mutants.sh" check >"$out" 2>&1
	rc=$?
	read -r p f < <(tail -n 1 "$out" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p')
	p=${p:-0}
	f=${f:-0}
	[[ $rc -eq 0 || $f -gt 0 ]] || f=1
	passed=$((passed + p))
	failed=$((failed + f))
	if [[ $rc -ne 0 ]]; then
		note_failure "mutants"
		cat "$out"
	fi
	printf '%-28s %3d passed, %d failed\n' "tests/mutants" "$p" "$f"
	counted+=("mutants: $((p + f)) anchors")
}

start_cluster() {
	if [[ "$("$top/scripts/pg.sh" status "$SIYU_TEST_PG" 2>/dev/null)" != running ]]; then
		"$top/scripts/pg.sh" start "$SIYU_TEST_PG" >/dev/null || return 1
		started_cluster=1
	fi
	eval "$("$top/scripts/pg.sh" env "$SIYU_TEST_PG")"
}

run_sql() {
	local only=$1 out rc tests fails skips f files=()
	echo "== SQL tests (pgTAP)"
	for f in "$top"/tests/sql/*.sql; do
		selected "$(basename "$f" .sql)" "$only" && files+=("$f")
	done
	[[ ${#files[@]} -gt 0 ]] || { counted+=("sql: no file selected"); return; }
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
		unset PGDATABASE
		return
	fi
	out="$log_dir/pg_prove.out"
	# --directives shows the tests marked SKIP or TODO, to count them
	pg_prove --directives -d "$PGDATABASE" "${files[@]}" >"$out" 2>&1
	rc=$?
	cat "$out"
	tests=$(grep -Eo 'Tests=[0-9]+' "$out" | tail -1 | cut -d= -f2)
	fails=$(grep -Eo 'Failed [0-9]+/[0-9]+ subtests' "$out" | awk '{split($2,a,"/"); s+=a[1]} END {print s+0}')
	skips=$(grep -Eic '^ *ok [0-9]+.*# skip' "$out")
	tests=${tests:-0}
	if [[ $rc -ne 0 && $fails -eq 0 ]]; then
		fails=1
	fi
	if [[ $skips -gt 0 ]] && in_ci; then
		fails=$((fails + skips))
		tests=$((tests + skips))
		skips=0
		rc=1
	fi
	passed=$((passed + tests - fails - skips))
	failed=$((failed + fails))
	skipped=$((skipped + skips))
	counted+=("sql: $tests pgTAP tests in ${#files[@]} files, $skips skipped")
	[[ $rc -eq 0 ]] || note_failure "pg_prove"
	unset PGDATABASE
}

# One test file, in the background: output in var/check/NAME.out, its exit status
# and time in NAME.rc when it ends.
start_file() {
	local t=$1 name
	name=$(basename "$t" .sh)
	rm -f "$log_dir/$name.rc"
	(
		start=$(date +%s)
		# shellcheck disable=SC2086
		(cd "$top" && exec bash "$t" ${SIYU_TEST_OPTS:-}) >"$log_dir/$name.out" 2>&1
		echo "$? $(($(date +%s) - start))" >"$log_dir/$name.rc"
	) &
}

# Print the result of one finished file and add it to the totals.
report_file() {
	local name=$1 skip_fails=$2 out="$log_dir/$1.out" rc secs p f s
	read -r rc secs <"$log_dir/$name.rc"
	read -r p f s < <(tail -n 1 "$out" |
		sed -nE 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/p')
	p=${p:-0}
	f=${f:-0}
	s=${s:-0}
	if [[ $rc -ne 0 && $f -eq 0 ]]; then
		f=1
	fi
	if [[ $skip_fails == 1 && $s -gt 0 ]]; then
		echo "$name: a skipped test validates nothing (datasets: tests/realdata/README.md)" >>"$out"
		f=$((f + s))
		s=0
		rc=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	file_blocks=$((file_blocks + p + f + s))
	file_skips=$((file_skips + s))
	if [[ $rc -ne 0 ]]; then
		note_failure "$name"
		cat "$out"
	fi
	printf '%-28s %3d passed, %d failed, %d skipped (%ds)\n' "$name" "$p" "$f" "$s" "$secs"
}

# run_files SUITE DIR JOBS SKIP_FAILS ONLY — the test files DIR/t*.sh, JOBS at a time.
run_files() {
	local suite=$1 dir=$2 jobs=$3 skip_fails=$4 only=$5 t files=() names=() order=() next=0 done_=0
	local running secs
	file_blocks=0
	file_skips=0
	echo "== $suite tests ($jobs at a time)"
	for t in "$top/tests/$dir"/t[0-9]*.sh; do
		selected "$(basename "$t" .sh)" "$only" || continue
		files+=("$t")
		names+=("$(basename "$t" .sh)")
	done
	[[ ${#files[@]} -gt 0 ]] || { counted+=("$suite: no file selected"); return; }
	start_cluster || { failed=$((failed + 1)); note_failure "cluster"; return; }
	# Start the files that took longest last time first (a new file counts as long), so
	# that the lanes end together; report them in file order as soon as each is done.
	for ((t = 0; t < ${#files[@]}; t++)); do
		secs=999
		[[ -r "$log_dir/${names[t]}.rc" ]] && read -r _ secs <"$log_dir/${names[t]}.rc"
		echo "${secs:-999} $t"
	done | sort -k1,1nr -k2,2n | cut -d" " -f2 >"$log_dir/.order"
	mapfile -t order <"$log_dir/.order"
	for t in "${names[@]}"; do rm -f "$log_dir/$t.rc"; done
	while [[ $done_ -lt ${#files[@]} ]]; do
		running=0
		for ((t = 0; t < next; t++)); do
			[[ -e "$log_dir/${names[order[t]]}.rc" ]] || running=$((running + 1))
		done
		if [[ $next -lt ${#files[@]} && $running -lt $jobs ]]; then
			start_file "${files[order[next]]}"
			next=$((next + 1))
			continue
		fi
		if [[ -e "$log_dir/${names[done_]}.rc" ]]; then
			report_file "${names[done_]}" "$skip_fails"
			done_=$((done_ + 1))
			continue
		fi
		wait -n 2>/dev/null || sleep 0.2
	done
	wait
	counted+=("$suite: $file_blocks test blocks in ${#files[@]} files, $file_skips skipped")
}

# A short run of the libFuzzer targets (make fuzz-build; scripts/fuzz.sh): one test each.
run_fuzz() {
	local out="$log_dir/fuzz.out" secs=${SIYU_FUZZ_TIME:-4} p f
	echo "== fuzz targets ($secs s each)"
	rm -rf "$log_dir/fuzz-corpus"
	# shellcheck disable=SC2086
	FUZZ_CORPUS="$log_dir/fuzz-corpus" "$top/scripts/fuzz.sh" "$top/build/fuzz" "$secs" \
		${1//,/ } >"$out" 2>&1
	cat "$out"
	read -r p f < <(tail -n 1 "$out" | sed -nE 's/^fuzz: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
	[[ ${f:-1} -eq 0 ]] || note_failure "fuzz"
	counted+=("fuzz: $((${p:-0} + ${f:-1})) libFuzzer targets, $secs s each")
}

started_cluster=0
stop_cluster() {
	if [[ $started_cluster == 1 ]]; then
		"$top/scripts/pg.sh" stop "$SIYU_TEST_PG" >/dev/null 2>&1
	fi
}
trap stop_cluster EXIT

for s in "${suites[@]}"; do
	only=
	[[ $s == *:* ]] && only=${s#*:}
	case "${s%%:*}" in
	mutants) run_mutants ;;
	unit) run_unit "$only" ;;
	sql) run_sql "$only" ;;
	integration) run_files integration integration "$jobs" 0 "$only" ;;
	validate) run_files validate validate 1 1 "$only" ;;
	fuzz) run_fuzz "$only" ;;
	*) echo "check.sh: unknown suite '$s'" >&2; exit 2 ;;
	esac
done

echo
if [[ ${#failed_names[@]} -gt 0 ]]; then
	echo "failed: ${failed_names[*]} (logs in var/check/)"
fi
if [[ $passed -eq 0 && $failed -eq 0 ]]; then
	echo "check: no test ran"
	echo "check: 0 passed, 1 failed"
	exit 1
fi
# What the numbers count; skips are neither passed nor failed (in CI a skip is a failure).
echo "counted: $(IFS=';'; echo "${counted[*]}" | sed 's/;/; /g'); $skipped skipped in all"
echo "check: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

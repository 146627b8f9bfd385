#!/usr/bin/env bash
# fuzz.sh — run the libFuzzer targets built by `make fuzz-build`, one after another at
# nice 19, each for SECONDS from its seed corpus tests/fuzz/<target>/ and the inputs that
# once crashed it, tests/fuzz/regressions/<target>/ (both only read: new inputs go to
# $FUZZ_CORPUS/<target>/, default var/fuzz/corpus, kept between runs).
#
#   scripts/fuzz.sh FUZZ_BUILD SECONDS [TARGET...]     (default: every fuzz_* in FUZZ_BUILD)
#
# One line per target: name, seconds, executions, ok or FAILED with the saved input
# (var/fuzz/artifacts/); the last line is "fuzz: N passed, N failed". Exit 1 when a
# target found a crash, a leak, a sanitizer report, a broken invariant or a slow input.
# make fuzz runs it for FUZZ_TIME s a target; make check (scripts/check.sh) for a few.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz.sh FUZZ_BUILD SECONDS [TARGET...]}
seconds=${2:?usage: fuzz.sh FUZZ_BUILD SECONDS [TARGET...]}
shift 2
case "$build" in /*) ;; *) build="$top/$build" ;; esac
corpus=${FUZZ_CORPUS:-$top/var/fuzz/corpus}
artifacts=$top/var/fuzz/artifacts
logs=$top/var/fuzz/logs
mkdir -p "$corpus" "$artifacts" "$logs"

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
	for t in "$build"/fuzz_*; do
		[[ -x "$t" ]] && targets+=("$(basename "$t")")
	done
fi
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz.sh: no fuzz targets in $build (make fuzz-build)" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0
for name in "${targets[@]}"; do
	seeds=("$top/tests/fuzz/$name")
	[[ -d "$top/tests/fuzz/regressions/$name" ]] && seeds+=("$top/tests/fuzz/regressions/$name")
	log=$logs/$name.log
	mkdir -p "$corpus/$name"
	# -timeout: an input taking over 10 s is a finding too; -rss_limit_mb: stay small on a
	# shared machine
	nice -n 19 "$build/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
		"$corpus/$name" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [[ $rc -eq 0 ]]; then
		passed=$((passed + 1))
		printf '%-18s %4ss %10s execs  ok\n' "$name" "$seconds" "${execs:-?}"
	else
		failed=$((failed + 1))
		printf '%-18s %4ss %10s execs  FAILED (exit %d)\n' "$name" "$seconds" "${execs:-?}" "$rc"
		grep -E 'ERROR|invariant broken|deadly signal|Test unit written|SUMMARY' "$log" | head -20
		echo "  (log: $log)"
	fi
done
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

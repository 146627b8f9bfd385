#!/usr/bin/env bash
# validate.sh — the slow checks that make check leaves out: tests/validate/t*.sh, today the
# real-data cross-check on UCI Online Retail (541,909 rows; see tests/realdata/README.md).
# Called by `make validate` with the release build.
#
#   scripts/validate.sh BUILD_DIR [TEST...]     (default: every tests/validate/t*.sh)
#
# Environment: SIYU_TEST_OPTS is passed to the tests (e.g. -v); SIYU_REALDATA names the
# dataset directory (default ../shared/data beside the repository). The private cluster
# under var/test-pg is started once and stopped at the end if this script started it.
# The last line is "validate: N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: validate.sh BUILD_DIR [TEST...]}
shift
case "$build" in /*) ;; *) build="$top/$build" ;; esac

export SIYU="$build/bin/siyu"
export SIYU_SQL="$top/sql"
export SIYU_TEST_PG="${SIYU_TEST_PG:-$top/var/test-pg}"

tests=("$@")
[[ ${#tests[@]} -eq 0 ]] && tests=("$top"/tests/validate/t[0-9]*.sh)

log_dir="$top/var/check"
mkdir -p "$log_dir"

started_cluster=0
stop_cluster() {
	if [[ $started_cluster == 1 ]]; then
		"$top/scripts/pg.sh" stop "$SIYU_TEST_PG" >/dev/null 2>&1
	fi
}
trap stop_cluster EXIT
if [[ "$("$top/scripts/pg.sh" status "$SIYU_TEST_PG" 2>/dev/null)" != running ]]; then
	"$top/scripts/pg.sh" start "$SIYU_TEST_PG" >/dev/null || { echo "validate: cannot start the cluster" >&2; exit 1; }
	started_cluster=1
fi

passed=0
failed=0
failed_names=()
echo "== validation tests"
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	out="$log_dir/$name.out"
	start=$(date +%s)
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
		failed_names+=("$name")
		cat "$out"
	fi
	printf '%-36s %3d passed, %d failed (%ds)\n' "$name" "$p" "$f" "$(($(date +%s) - start))"
done

echo
if [[ ${#failed_names[@]} -gt 0 ]]; then
	echo "failed: ${failed_names[*]} (logs in var/check/)"
fi
echo "validate: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]

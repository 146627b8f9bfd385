#!/usr/bin/env bash
# mutants.sh — deliberate bugs that the tests must catch (tests/mutants/README.md).
#
#   scripts/mutants.sh check             every mutant applies to this tree: its anchor text
#                                        is found exactly once in its file, its tests exist
#                                        (fast; a suite of make check)
#   scripts/mutants.sh run [NAME...]     each mutant (default: all) in a scratch copy of the
#                                        tree under var/mutants/NAME: apply it, build, run
#                                        only its tests; fails listing every mutant that
#                                        survived (its tests passed) or did not build
#   scripts/mutants.sh apply NAME DIR    apply one mutant to the tree at DIR
#
# `make mutants` builds build/san and runs them all (about a minute each: longer than
# make check allows, so it is not part of it). The scratch copies start from this tree's
# build/san, so a C mutant recompiles one file; they share one private cluster,
# var/mutants-pg, apart from make check's. A killed mutant's copy is removed, a surviving
# one is kept for a look.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${MUTANTS_DIR:-$top/tests/mutants}   # another list: for the harness's own test

usage() {
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# field MUTANT KEY — the value of a "KEY: value" header line.
field() {
	sed -n "s/^$2: *//p" "$1" | head -n 1
}

# split MUTANT OUT — OUT.original and OUT.mutant: the text after "--- original" up to
# "--- mutant", and the text after "--- mutant" to the end.
split() {
	awk -v o="$2.original" -v m="$2.mutant" '
		$0 == "--- original" { part = 1; next }
		$0 == "--- mutant" { part = 2; next }
		part == 1 { print >o }
		part == 2 { print >m }
		END { if (part != 2) exit 1 }' "$1" && : >>"$2.original" && : >>"$2.mutant"
}

# replace FILE ORIGINAL_FILE MUTANT_FILE — replace the one occurrence of the text of
# ORIGINAL_FILE in FILE by the text of MUTANT_FILE. Exit 3 with the count when the text
# is not found exactly once.
replace() {
	perl -e '
		local $/;
		open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n"; my $text = <$f>; close $f;
		open(my $o, "<", $ARGV[1]) or die; my $orig = <$o> // ""; close $o;
		open(my $m, "<", $ARGV[2]) or die; my $mut = <$m> // ""; close $m;
		die "empty anchor\n" if $orig eq "";
		my ($n, $at, $pos) = (0, -1, 0);
		while (($pos = index($text, $orig, $pos)) >= 0) { $n++; $at = $pos; $pos++; }
		if ($n != 1) { print "$n\n"; exit 3; }
		substr($text, $at, length $orig) = $mut;
		open($f, ">", $ARGV[0]) or die "$ARGV[0]: $!\n"; print $f $text; close $f;
	' "$1" "$2" "$3"
}

# test_exists SPEC — unit:NAME, sql:NAME or integration:NAME names a test of this tree.
test_exists() {
	local suite=${1%%:*} name=${1#*:} n
	for n in ${name//,/ }; do
		case $suite in
		unit) [[ -f "$top/tests/unit/$n.c" ]] ;;
		sql) [[ -f "$top/tests/sql/$n.sql" ]] ;;
		integration) compgen -G "$top/tests/integration/$n*.sh" >/dev/null ;;
		*) false ;;
		esac || return 1
	done
}

# apply NAME TREE — apply mutant NAME to TREE; on error say what to update and return 1.
apply() {
	local name=$1 tree=$2 m=$dir/$1.mutant file tmp rc n
	[[ -f "$m" ]] || { echo "mutant $name: no $m" >&2; return 1; }
	file=$(field "$m" file)
	[[ -n "$file" && -f "$tree/$file" ]] || {
		echo "update mutant $name: its file '${file:-?}' does not exist ($m)" >&2
		return 1
	}
	tmp=$(mktemp -d) || return 1
	if ! split "$m" "$tmp/m"; then
		echo "mutant $name: no '--- original' / '--- mutant' parts ($m)" >&2
		rm -rf "$tmp"
		return 1
	fi
	n=$(replace "$tree/$file" "$tmp/m.original" "$tmp/m.mutant")
	rc=$?
	rm -rf "$tmp"
	if [[ $rc -eq 3 ]]; then
		echo "update mutant $name: its anchor moved: the original text is found $n times in $file, not once ($m)" >&2
		return 1
	fi
	[[ $rc -eq 0 ]] || { echo "mutant $name: cannot apply to $file" >&2; return 1; }
}

# check — every mutant applies (to a scratch copy of its file) and names existing tests.
check() {
	local m name file tests t ok=0 bad=0 tmp
	tmp=$(mktemp -d) || exit 1
	for m in "$dir"/*.mutant; do
		name=$(basename "$m" .mutant)
		file=$(field "$m" file)
		tests=$(field "$m" tests)
		mkdir -p "$tmp/$name/$(dirname "$file")"
		if [[ -f "$top/$file" ]]; then cp "$top/$file" "$tmp/$name/$file"; fi
		if ! apply "$name" "$tmp/$name"; then
			bad=$((bad + 1))
			continue
		fi
		if cmp -s "$top/$file" "$tmp/$name/$file"; then
			echo "mutant $name changes nothing in $file" >&2
			bad=$((bad + 1))
			continue
		fi
		if [[ -z "$tests" ]]; then
			echo "mutant $name names no tests (tests: unit:NAME sql:NAME integration:NAME)" >&2
			bad=$((bad + 1))
			continue
		fi
		for t in $tests; do
			test_exists "$t" || {
				echo "update mutant $name: its test '$t' does not exist" >&2
				bad=$((bad + 1))
				continue 2
			}
		done
		ok=$((ok + 1))
	done
	rm -rf "$tmp"
	echo "$ok passed, $bad failed, 0 skipped"
	[[ $bad -eq 0 && $ok -gt 0 ]]
}

# run_one NAME — killed (0), survived (1) or broken (2), with a line saying which.
run_one() {
	local name=$1 scratch=$top/var/mutants/$1 tests start rc
	start=$(date +%s)
	rm -rf "$scratch"
	mkdir -p "$scratch"
	# The tree as it is (tracked and untracked files, not ignored ones), and build/san
	# with its timestamps: make rebuilds only what the mutant touched.
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -cf -) | tar -xf - -C "$scratch" || return 2
	mkdir -p "$scratch/build"
	cp -a "$top/build/san" "$scratch/build/" || return 2
	apply "$name" "$scratch" || return 2
	# A mutant may leave a parameter or a helper unused: warnings stay warnings here.
	if ! make -C "$scratch" --no-print-directory SAN=1 CFLAGS=-Wno-error check-build \
		>"$scratch/build.log" 2>&1; then
		echo "mutant $name does not build (see $scratch/build.log)"
		return 2
	fi
	tests=$(field "$dir/$name.mutant" tests)
	# shellcheck disable=SC2086  # tests is a list of suite:names
	SIYU_TEST_PG=$top/var/mutants-pg CI= "$scratch/scripts/check.sh" build/san $tests \
		>"$scratch/check.log" 2>&1
	rc=$?
	if [[ $rc -eq 0 ]]; then
		echo "SURVIVED $name ($(($(date +%s) - start))s): $tests passed with it (kept in $scratch)"
		return 1
	fi
	echo "killed   $name ($(($(date +%s) - start))s) by: $(sed -n 's/^failed: \(.*\) (logs.*/\1/p' "$scratch/check.log")"
	rm -rf "$scratch"
	return 0
}

run() {
	local names=("$@") name killed=0 survived=() broken=()
	if [[ ${#names[@]} -eq 0 ]]; then
		for m in "$dir"/*.mutant; do names+=("$(basename "$m" .mutant)"); done
	fi
	[[ -x "$top/build/san/bin/siyu" ]] || { echo "build build/san first: make SAN=1 check-build" >&2; exit 2; }
	check >/dev/null || { check; exit 1; }
	for name in "${names[@]}"; do
		run_one "$name"
		case $? in
		0) killed=$((killed + 1)) ;;
		1) survived+=("$name") ;;
		*) broken+=("$name") ;;
		esac
	done
	"$top/scripts/pg.sh" stop "$top/var/mutants-pg" >/dev/null 2>&1
	echo
	[[ ${#survived[@]} -eq 0 ]] || echo "survived (a test is missing): ${survived[*]}"
	[[ ${#broken[@]} -eq 0 ]] || echo "broken (update them): ${broken[*]}"
	echo "mutants: $killed killed, ${#survived[@]} survived, ${#broken[@]} broken"
	[[ ${#survived[@]} -eq 0 && ${#broken[@]} -eq 0 ]]
}

case ${1:-} in
check) check ;;
run) shift; run "$@" ;;
apply) [[ $# -eq 3 ]] || usage; apply "$2" "$3" ;;
*) usage ;;
esac

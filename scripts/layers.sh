#!/usr/bin/env bash
# layers.sh — the include direction of the stages (README "Architecture"); run by
# tests/integration/t0010-layers.sh in make check.
#
#   scripts/layers.sh [ROOT]     (default: this checkout)
#
# Stages, and the stages each may include (its own always):
#
#   common     nothing else
#   extract    common                              fetches bytes: no PostgreSQL
#   transform  common                              pure: no PostgreSQL, HTTP, files
#   load       common, transform (canonical records it writes)
#   source     common, extract, transform, load    the drivers that wire the stages
#   cli        everything
#
# A file's stage is its folder: common/x.c, include/siyu/common/x.h, ... Headers live in
# include/siyu/<stage>/ only. Besides the "siyu/<stage>/x.h" includes it checks the
# system headers: no libpq in common, extract or transform; no curl, zlib, file or
# directory headers and no I/O calls in transform. Prints one line per violation
# (file:line: what) and exits 1 when there is any.
set -uo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

stages=(common extract transform load source cli)
declare -A may=(
	[common]="common"
	[extract]="common extract"
	[transform]="common transform"
	[load]="common transform load"
	[source]="common extract transform load source"
	[cli]="common extract transform load source cli"
)
# System headers a stage must not include (extended regular expressions).
declare -A banned=(
	[common]='libpq-fe\.h|libpq/'
	[extract]='libpq-fe\.h|libpq/'
	[transform]='libpq-fe\.h|libpq/|curl/|zlib\.h|dirent\.h|unistd\.h|fcntl\.h|sys/stat\.h|glob\.h|microhttpd\.h|csv\.h'
)
# I/O calls transform must not make (it is handed bytes and returns rows).
transform_io='(^|[^A-Za-z0-9_.>])(fopen|fdopen|freopen|popen|gzopen|gzdopen|opendir|open|fread|fwrite|fgets|getline|fprintf|printf|puts|fputs|getenv|system|PQ[a-zA-Z]+|curl_[a-z_]+)[[:space:]]*\('

violations=0
violation() {
	echo "$1"
	violations=$((violations + 1))
}

# Headers outside a stage folder.
for h in include/siyu/*.h; do
	[[ -e $h ]] && violation "$h: a header outside include/siyu/<stage>/ (stages: ${stages[*]})"
done
for d in include/siyu/*/; do
	s=$(basename "$d")
	[[ " ${stages[*]} " == *" $s "* && $s != cli ]] ||
		violation "$d: not a stage folder (stages: ${stages[*]% cli})"
done

# The text of a C file without its comments, line numbers kept.
strip_comments() {
	sed -e 's://.*$::' "$1" | awk '
		{
			out = ""; line = $0
			while (line != "") {
				if (inc) {
					i = index(line, "*/")
					if (i == 0) { line = ""; break }
					line = substr(line, i + 2); inc = 0
				} else {
					i = index(line, "/*")
					if (i == 0) { out = out line; line = ""; break }
					out = out substr(line, 1, i - 1); line = substr(line, i + 2); inc = 1
				}
			}
			print out
		}'
}

check_file() {
	local f=$1 s=$2 n line target ts
	while IFS=: read -r n line; do
		if [[ $line =~ \#include[[:space:]]*\"siyu/([a-z_]+)/([a-z_0-9]+\.h)\" ]]; then
			ts=${BASH_REMATCH[1]}
			target="include/siyu/$ts/${BASH_REMATCH[2]}"
			[[ -f $target ]] || violation "$f:$n: includes $target, which does not exist"
			[[ " ${may[$s]} " == *" $ts "* ]] ||
				violation "$f:$n: $s may not include $ts ($target); $s may include: ${may[$s]}"
		elif [[ $line =~ \#include[[:space:]]*\"siyu/ ]]; then
			violation "$f:$n: include a header by its stage: \"siyu/<stage>/name.h\""
		elif [[ -n ${banned[$s]:-} && $line =~ \#include[[:space:]]*\<([^>]+)\> ]] &&
			[[ ${BASH_REMATCH[1]} =~ ^(${banned[$s]}) ]]; then
			violation "$f:$n: $s may not include <${BASH_REMATCH[1]}>"
		fi
	done < <(grep -n '#include' "$f")
	if [[ $s == transform ]]; then
		while IFS=: read -r n line; do
			violation "$f:$n: transform is pure (no I/O): $(echo "$line" | sed 's/^[[:space:]]*//')"
		done < <(strip_comments "$f" | grep -nE "$transform_io")
	fi
}

for s in "${stages[@]}"; do
	for f in "$s"/*.c "$s"/*.h "include/siyu/$s"/*.h; do
		[[ -f $f ]] && check_file "$f" "$s"
	done
done

if [[ $violations -gt 0 ]]; then
	echo "layers: $violations violation(s) of the include direction (scripts/layers.sh)"
	exit 1
fi
echo "layers: ok"

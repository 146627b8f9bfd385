#!/usr/bin/env bash
# bench.sh — `make bench`: how fast `siyu import` loads orders, as ratios against a reference
# measured in the same run on the same machine (never absolute timings: the machine varies).
#
#   scripts/bench.sh              BENCH_ORDERS orders (default 100000, ~2 lines each)
#   BENCH_ORDERS=200000 scripts/bench.sh
#   BENCH_KEEP=1 scripts/bench.sh leave the cluster (var/bench-pg) running and the inputs
#                                 (var/bench/orders-N.csv) in place afterwards
#
# On a private PostgreSQL cluster under var/bench-pg (like make demo's), with input from
# scripts/gen-bench.sh (deterministic: the same N gives the same bytes):
#   copy    the floor: psql \copy of the CSV into an UNLOGGED table with the same (text)
#           columns — no parsing into types, no dedupe, no merge, no indexes
#   import  siyu import of the same file into a fresh warehouse; the server-side share
#           (etl.merge_orders, dw.resolve_customers) from pg_stat_user_functions, the
#           client's CPU time from /usr/bin/time
#   again   the same import again: every order unchanged
#   memory  siyu import's max RSS for N/4 and N orders (the client holds only dedupe keys,
#           so 4x the input must not mean 4x the memory)
#   wecom   siyu run of a WeCom source against the fake server (scripts/fake-wecom.sh): a
#           corp with N/5 customers of its own plus every 4th buyer phone of the orders
#           (identity resolution links them), 50 staff, N/200 groups; records per second
#   kpi     kpi.refresh() after the import (what siyu run does last), then every kpi view
#           read whole as a BI tool would (jit off, as the README advises), against the
#           reference of reading dw.fact_order whole; the budget is 1 s per view at 1M
#           orders (BENCH_ORDERS=1000000)
#   parse   valgrind --tool=callgrind instruction counts of siyu import --dry-run of two
#           small files: the client's instructions per input line (exact and independent
#           of the machine's load; skipped without valgrind)
# The table goes to stdout and to var/bench/results.txt.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
siyu="$top/bin/siyu"
pgdir="$top/var/bench-pg"
out="$top/var/bench"
orders=${BENCH_ORDERS:-100000}
small=$((orders / 4))
tiny=${BENCH_CALLGRIND_ORDERS:-5000}
mkdir -p "$out"
export SIYU_PII_KEY="${SIYU_PII_KEY:-siyu-bench-key-not-a-secret}"
unset PGDATABASE

wecom_dir="$out/wecom-fake"
stop() {
	scripts/fake-wecom.sh stop "$wecom_dir" >/dev/null 2>&1 || true
	if [[ "${BENCH_KEEP:-0}" != 1 ]]; then
		scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
		rm -f "$out"/orders-*.csv "$out"/callgrind.out # inputs are regenerated every run
	fi
}
trap stop EXIT

say() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }'; }
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }'; }
have_gnu_time() { [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; }

fresh_db() {
	dropdb --if-exists "$1" 2>/dev/null
	createdb "$1"
	PGDATABASE=$1 "$siyu" migrate >"$out/migrate.log" 2>&1 || { cat "$out/migrate.log" >&2; exit 1; }
}

# run_import DB FILE TAG — siyu import with function timing on; sets the wall time in
# $out/TAG.wall, client max RSS (KB) and CPU seconds in $out/TAG.time when GNU time exists.
run_import() {
	local db=$1 file=$2 tag=$3 t0 t1
	local cmd=("$siyu" import "$file")
	if have_gnu_time; then
		cmd=(/usr/bin/time -f '%M %U %S' -o "$out/$tag.time" "${cmd[@]}")
	fi
	t0=$(now)
	PGDATABASE=$db PGOPTIONS="-c track_functions=pl" "${cmd[@]}" >"$out/$tag.out" 2>"$out/$tag.err" ||
		{ cat "$out/$tag.out" "$out/$tag.err" >&2; exit 1; }
	t1=$(now)
	secs "$t0" "$t1" >"$out/$tag.wall"
}

fn_secs() { # fn_secs DB SCHEMA.NAME — total seconds spent in a plpgsql function so far
	psql -XAtq -d "$1" -c "SELECT pg_stat_clear_snapshot();" \
		-c "SELECT to_char(coalesce(sum(total_time), 0) / 1000, 'FM9999990.00')
		      FROM pg_stat_user_functions WHERE schemaname || '.' || funcname = '$2'" | tail -1
}

say "== private PostgreSQL under var/bench-pg"
scripts/pg.sh start "$pgdir" >/dev/null
eval "$(scripts/pg.sh env "$pgdir")"

say "== input: scripts/gen-bench.sh $orders, $small and $tiny orders"
file="$out/orders-$orders.csv"
scripts/gen-bench.sh "$orders" "$file"
scripts/gen-bench.sh "$small" "$out/orders-$small.csv"
lines=$(($(wc -l <"$file") - 1))
mb=$(awk -v b="$(wc -c <"$file")" 'BEGIN { printf "%.1f", b / 1048576 }')

say "== copy: psql \\copy into an unlogged table (the floor)"
fresh_db bench_copy
cols=$(head -1 "$file" | sed 's/,/ text, /g; s/$/ text/')
psql -Xq -d bench_copy -c "CREATE UNLOGGED TABLE copy_floor ($cols)"
t0=$(now)
psql -Xq -d bench_copy -c "\\copy copy_floor FROM '$file' WITH (FORMAT csv, HEADER true)"
t1=$(now)
copy_s=$(secs "$t0" "$t1")
copied=$(psql -XAtq -d bench_copy -c "SELECT count(*) FROM copy_floor")
[[ $copied -eq $lines ]] || { say "bench: copied $copied rows, the file has $lines"; exit 1; }

say "== import: siyu import into a fresh warehouse"
fresh_db bench_siyu
psql -XAtq -d bench_siyu -c "SELECT pg_stat_reset()" >/dev/null
run_import bench_siyu "$file" import
import_s=$(cat "$out/import.wall")
grep -q "orders inserted $orders," "$out/import.out" || { cat "$out/import.out" >&2; exit 1; }
sleep 1 # the backend reports its function statistics as it exits
merge_s=$(fn_secs bench_siyu etl.merge_orders)
resolve_s=$(fn_secs bench_siyu dw.resolve_customers)
client_s=$(secs "$merge_s" "$import_s")

say "== again: the same file, every order unchanged"
run_import bench_siyu "$file" again
again_s=$(cat "$out/again.wall")
grep -q "orders inserted 0, updated 0, unchanged $orders," "$out/again.out" || { cat "$out/again.out" >&2; exit 1; }

say "== wecom: siyu run of a WeCom source (fake server, N/5 customers + shared buyers)"
# Every 4th distinct buyer phone, digits only, with its first order time as the anchor.
awk -F, 'NR > 1 && $12 != "" { p = $12; gsub(/[^0-9]/, "", p); sub(/^86/, "", p)
	if (!(p in first) || $7 < first[p]) first[p] = $7 }
	END { for (p in first) print p ",," first[p] }' "$file" | sort | awk 'NR % 4 == 1' \
	>"$out/shared-contacts.csv"
[[ -x build/rel/fakes/fake_wecom ]] || make --no-print-directory build/rel/fakes/fake_wecom >/dev/null
FAKE_START_WAIT=120 scripts/fake-wecom.sh start "$wecom_dir" --seed 7 --staff 50 --customers $((orders / 5)) \
	--groups $((orders / 200 > 10 ? orders / 200 : 10)) --history-days 365 \
	--corpid ww-bench --secret bench-secret --shared-contacts "$out/shared-contacts.csv" >/dev/null
printf '[run]\nraw_dir = %s/raw\n[source.wecom]\ntype = wecom\nbase_url = %s\ncorpid = ww-bench\nsecret = ${BENCH_WECOM_SECRET}\nrps = 1000\n' \
	"$out" "$(scripts/fake-wecom.sh url "$wecom_dir")" >"$out/wecom.conf"
rm -rf "$out/raw"
PGDATABASE=bench_siyu PGOPTIONS="-c track_functions=pl" BENCH_WECOM_SECRET=bench-secret "$siyu" --config "$out/wecom.conf" run \
	--source wecom >"$out/wecom.out" 2>"$out/wecom.err" || { cat "$out/wecom.out" "$out/wecom.err" >&2; exit 1; }
scripts/fake-wecom.sh stop "$wecom_dir" >/dev/null
sleep 1 # the backend reports its function statistics as it exits
# the source's own time (the run's wall time adds kpi.refresh(), measured below)
read -r wecom_pages wecom_read wecom_s wecom_linked < <(psql -XAtq -F' ' -d bench_siyu -c "
	SELECT pages, records_read, to_char(extract(epoch FROM finished_at - started_at), 'FM9999990.00'),
	       (SELECT count(DISTINCT w.customer_key) FROM dw.wecom_customer w
	         WHERE EXISTS (SELECT 1 FROM dw.fact_order f WHERE f.customer_key = w.customer_key))
	  FROM etl.run_source WHERE source = 'wecom' ORDER BY run_id DESC LIMIT 1")
wecom_merge_s=$(fn_secs bench_siyu etl.wecom_merge)

say "== kpi: kpi.refresh(), then every kpi view read whole"
# read_secs DB SQL — server-side seconds of one statement, its result discarded (psql's
# \timing: the query and sending its rows, without psql's own start-up)
read_secs() {
	PGOPTIONS="-c jit=off" psql -Xq -d "$1" -o /dev/null -c '\timing on' -c "$2" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{ printf "%.3f", $1 / 1000 }'
}
refresh_s=$(read_secs bench_siyu "SELECT kpi.refresh()")
scan_s=$(read_secs bench_siyu "SELECT * FROM dw.fact_order")
: >"$out/kpi.txt"
for v in $(psql -XAtq -d bench_siyu -c "SELECT c.oid::regclass FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm') ORDER BY 1"); do
	s=$(read_secs bench_siyu "SELECT * FROM $v")
	rows=$(psql -XAtq -d bench_siyu -c "SELECT count(*) FROM $v")
	printf '%-44s %9s %11s %9s\n' "  $v" "$s" "$rows" "$(ratio "$s" "$scan_s")" >>"$out/kpi.txt"
done

rss_line="max RSS: skipped (no GNU time in /usr/bin/time)"
cpu_note="client CPU: unknown (no GNU time in /usr/bin/time)"
if have_gnu_time; then
	say "== memory: siyu import of $small orders"
	fresh_db bench_small
	run_import bench_small "$out/orders-$small.csv" small
	read -r rss_small _ _ <"$out/small.time"
	read -r rss_big cpu_u cpu_s <"$out/import.time"
	rss_line=$(awk -v s="$rss_small" -v b="$rss_big" -v ns="$small" -v nb="$orders" 'BEGIN {
		printf "max RSS of siyu import: %.1f MB for %d orders, %.1f MB for %d (x%.2f for x%.0f the input)",
		       s / 1024, ns, b / 1024, nb, b / s, nb / ns }')
	cpu_note=$(awk -v u="$cpu_u" -v s="$cpu_s" -v w="$import_s" 'BEGIN {
		printf "client CPU (user + sys) of the fresh import: %.2f s of %.2f s wall (%.0f %%)", u + s, w, 100 * (u + s) / w }')
fi

parse_line="callgrind: skipped (no valgrind)"
if command -v valgrind >/dev/null 2>&1; then
	# Two sizes, so that start-up (loading libraries, connecting, the run bookkeeping)
	# cancels out: the difference is what one more input line costs.
	fresh_db bench_tiny
	for n in $((tiny / 2)) "$tiny"; do
		say "== parse: callgrind of siyu import --dry-run, $n orders"
		scripts/gen-bench.sh "$n" "$out/orders-$n.csv"
		PGDATABASE=bench_tiny valgrind --tool=callgrind --callgrind-out-file="$out/callgrind-$n.out" \
			"$siyu" import --dry-run "$out/orders-$n.csv" >"$out/callgrind.log" 2>&1 ||
			{ cat "$out/callgrind.log" >&2; exit 1; }
	done
	ir() { sed -n 's/^summary: *//p' "$out/callgrind-$1.out" | awk '{ print $1 }'; }
	nlines() { echo $(($(wc -l <"$out/orders-$1.csv") - 1)); }
	parse_line=$(awk -v i1="$(ir $((tiny / 2)))" -v i2="$(ir "$tiny")" \
		-v l1="$(nlines $((tiny / 2)))" -v l2="$(nlines "$tiny")" -v o="$tiny" 'BEGIN {
		printf "client instructions (callgrind, siyu import --dry-run of %d and %d orders): %.0f per input line, %.1f M fixed", o / 2, o, (i2 - i1) / (l2 - l1), (i1 - (i2 - i1) / (l2 - l1) * l1) / 1e6 }')
	if command -v callgrind_annotate >/dev/null 2>&1; then
		callgrind_annotate "$out/callgrind-$tiny.out" 2>/dev/null |
			awk '/PROGRAM TOTALS/ { next } /^ *[0-9,]+ \( *[0-9.]+%\) / && n < 8 { sub(/ \[.*$/, ""); print "    " $0; n++ }' \
			>"$out/callgrind-top.txt" || true
	fi
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
pgv=$(psql -XAtq -d postgres -c "SHOW server_version")
{
	printf 'siyu bench, %s: %d orders, %d order lines, %s MB (scripts/gen-bench.sh %d)\n' \
		"$(date -u +%Y-%m-%d)" "$orders" "$lines" "$mb" "$orders"
	printf 'machine: %s, %s CPUs, %s MB RAM; PostgreSQL %s (var/bench-pg, fsync off)\n' \
		"${cpu:-unknown CPU}" "$(nproc)" "$(awk '/MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)" "$pgv"
	echo
	printf '%-44s %9s %11s %9s\n' "step" "wall s" "lines/s" "x copy"
	printf '%-44s %9s %11s %9s\n' "psql \\copy into an unlogged table (floor)" "$copy_s" \
		"$(per_s "$lines" "$copy_s")" "1.0"
	printf '%-44s %9s %11s %9s\n' "siyu import, fresh warehouse" "$import_s" \
		"$(per_s "$lines" "$import_s")" "$(ratio "$import_s" "$copy_s")"
	printf '%-44s %9s %11s %9s\n' "  server: etl.merge_orders" "$merge_s" "" "$(ratio "$merge_s" "$copy_s")"
	printf '%-44s %9s %11s %9s\n' "    of which dw.resolve_customers" "$resolve_s" "" "$(ratio "$resolve_s" "$copy_s")"
	printf '%-44s %9s %11s %9s\n' "  the rest: parse, dedupe, COPY to staging" "$client_s" \
		"$(per_s "$lines" "$client_s")" "$(ratio "$client_s" "$copy_s")"
	printf '%-44s %9s %11s %9s\n' "siyu import again, all unchanged" "$again_s" \
		"$(per_s "$lines" "$again_s")" "$(ratio "$again_s" "$copy_s")"
	echo
	printf '%-44s %9s %11s\n' "WeCom source (fake server)" "wall s" "records/s"
	printf '%-44s %9s %11s\n' "siyu run: $wecom_pages pages, $wecom_read records" "$wecom_s" \
		"$(per_s "$wecom_read" "$wecom_s")"
	printf '%-44s %9s\n' "  server: etl.wecom_merge" "$wecom_merge_s"
	echo "  WeCom customers linked to a buyer of the orders (shared phones): $wecom_linked"
	echo
	printf '%-44s %9s %11s %9s\n' "KPI views (jit off)" "wall s" "rows" "x scan"
	printf '%-44s %9s %11s %9s\n' "read dw.fact_order whole (reference)" "$scan_s" \
		"$orders" "1.0"
	printf '%-44s %9s %11s %9s\n' "kpi.refresh() (materialized views)" "$refresh_s" "" \
		"$(ratio "$refresh_s" "$scan_s")"
	cat "$out/kpi.txt"
	echo
	echo "$cpu_note"
	echo "$rss_line"
	echo "$parse_line"
	if [[ -s "$out/callgrind-top.txt" ]]; then
		echo "  where they go ($tiny orders; self instructions, callgrind_annotate):"
		cat "$out/callgrind-top.txt"
	fi
} | tee "$out/results.txt"
say "bench: results in var/bench/results.txt"

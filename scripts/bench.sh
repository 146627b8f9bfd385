#!/usr/bin/env bash
# bench.sh — `make bench`: how fast siyu loads orders, as ratios against floors measured in
# the same run on the same machine (issue 16; docs/performance.md has the figures).
#
#   scripts/bench.sh                BENCH_ORDERS orders (default 1000000, ~2 lines each)
#   BENCH_ORDERS=100000 scripts/bench.sh   a quick run (the field names stay *_1m)
#   SCALE=5 scripts/bench.sh        also a 5x warehouse: its import's memory and nightly
#   BENCH_KEEP=1 scripts/bench.sh   leave the cluster (var/bench-pg) running and the inputs
#   BENCH_WECOM=0 scripts/bench.sh  skip the WeCom source
#
# On a private PostgreSQL cluster under var/bench-pg with fsync, synchronous_commit and
# full_page_writes ON and shared_buffers at a quarter of RAM up to 4 GB (as in production;
# scripts/pg.sh sets the tests' throwaway values), with
# input from scripts/gen-bench.sh (deterministic: the same N gives the same bytes):
#   copy     psql \copy of the CSV into an UNLOGGED table of text columns (no parsing)
#   import   siyu import into a fresh warehouse (wall, max RSS, client CPU; the server's
#            share from pg_stat_user_functions)
#   floor    COPY of the rows siyu produced (every dw table it wrote, dumped after the
#            import) into a freshly migrated warehouse with its indexes and unique/check
#            constraints, foreign-key triggers not fired (session_replication_role =
#            replica for that load only): what storing and indexing the result costs
#   floor+fk the same load with the foreign-key checks firing row by row
#   replay   siyu replay of the import's raw-zone copy into another fresh warehouse (the
#            source's own time from etl.run_source; the replay's KPI refresh is apart)
#   pgloader pgloader loading the same CSV into a plain text table (it only loads; the
#            Debian package is installed here when missing, never for make check)
#   python   scripts/bench/python_etl.py: the reference "straightforward Python ETL" (stdlib
#            csv, psycopg2 COPY into staging, one INSERT ... ON CONFLICT merge) into a plain
#            orders/lines pair (python3-psycopg2 installed here when missing, like pgloader)
#   kpi      kpi.refresh() after the full load, then every kpi view read whole (jit off)
#            against reading dw.fact_order whole
#   again    the same file imported again: every order unchanged
#   nightly  scripts/gen-bench.sh --increment N N/50: N/50 new, N/50 changed and N/50
#            unchanged orders (the windows' overlap), imported into the loaded warehouse,
#            then kpi.refresh() again; with SCALE=5 the same increment on a 5N warehouse
#   wecom    siyu run of a WeCom source against the fake server (scripts/fake-wecom.sh)
#   parse    callgrind instruction counts of siyu import --dry-run of two small files
# The table goes to stdout and var/bench/results.txt; its last line is machine-readable:
#   bench: full_vs_floor=R import_vs_pgloader=R nightly_s=S nightly_5x_ratio=R
#          peak_rss_mb_1m=M peak_rss_mb_5m=M kpi_refresh_full_s=S kpi_refresh_nightly_s=S ...
#          import_vs_python=R kpi_read_max_s=S kpi_read_max_view=NAME
# (ratios: siyu's time over the reference's, lower is better; "na" = not measured).
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
siyu="$top/bin/siyu"
pgdir="$top/var/bench-pg"
out="$top/var/bench"
orders=${BENCH_ORDERS:-1000000}
scale=${SCALE:-1}
nightly_n=$((orders / 50))
tiny=${BENCH_CALLGRIND_ORDERS:-5000}
mkdir -p "$out"
export SIYU_PII_KEY="${SIYU_PII_KEY:-siyu-bench-key-not-a-secret}"
unset PGDATABASE

wecom_dir="$out/wecom-fake"
stop() {
	scripts/fake-wecom.sh stop "$wecom_dir" >/dev/null 2>&1 || true
	if [[ "${BENCH_KEEP:-0}" != 1 ]]; then
		scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
		rm -rf "$out"/orders-*.csv "$out"/callgrind-*.out "$out"/floor "$out"/raw
	fi
}
trap stop EXIT

say() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "na" || b == "na" || b <= 0) print "na"; else printf "%.2f", a / b }'; }
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }'; }
mb() { awk -v k="$1" 'BEGIN { if (k == "na") print "na"; else printf "%.1f", k / 1024 }'; }
have_gnu_time() { [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; }
row() { printf '%-48s %9s %11s %9s\n' "$@"; }

fresh_db() {
	dropdb --if-exists "$1" 2>/dev/null
	createdb "$1"
	PGDATABASE=$1 "$siyu" migrate >"$out/migrate.log" 2>&1 || { cat "$out/migrate.log" >&2; exit 1; }
}

# timed TAG CMD... — run CMD (siyu) with function timing on; its wall time into $out/TAG.wall,
# max RSS (KB) and CPU seconds into $out/TAG.time when GNU time exists; stdout to TAG.out.
timed() {
	local tag=$1 t0 t1
	shift
	local cmd=("$@")
	if have_gnu_time; then
		cmd=(/usr/bin/time -f '%M %U %S' -o "$out/$tag.time" "${cmd[@]}")
	else
		echo "na na na" >"$out/$tag.time"
	fi
	t0=$(now)
	PGOPTIONS="-c track_functions=pl" "${cmd[@]}" >"$out/$tag.out" 2>"$out/$tag.err" ||
		{ cat "$out/$tag.out" "$out/$tag.err" >&2; exit 1; }
	t1=$(now)
	secs "$t0" "$t1" >"$out/$tag.wall"
}
rss_kb() { awk '{ print $1 }' "$out/$1.time"; }

fn_secs() { # fn_secs DB SCHEMA.NAME — total seconds spent in a plpgsql function so far
	psql -XAtq -d "$1" -c "SELECT pg_stat_clear_snapshot();" \
		-c "SELECT to_char(coalesce(sum(total_time), 0) / 1000, 'FM9999990.00')
		      FROM pg_stat_user_functions WHERE schemaname || '.' || funcname = '$2'" | tail -1
}

# timing_secs — the seconds of psql's \timing line in its input ("Time: N ms")
timing_secs() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{ printf "%.3f", $1 / 1000 }'; }

# read_secs DB SQL — server-side seconds of one statement, its result discarded (psql's
# \timing: the query and sending its rows, without psql's own start-up)
read_secs() {
	PGOPTIONS="-c jit=off" psql -Xq -d "$1" -o /dev/null -c '\timing on' -c "$2" | timing_secs
}

# read_median DB SQL — the median of three read_secs: one read of a 400k-row view moves by
# 0.1-0.3 s on a shared 2-core machine (the first after a refresh finds fewer pages cached)
read_median() {
	local i
	for i in 1 2 3; do read_secs "$1" "$2"; echo; done | sort -g | sed -n 2p
}

# refresh_secs DB TAG — kpi.refresh()'s seconds (psql's \timing); its rows (relation, method,
# seconds), slowest first, into $out/TAG.relations: where a refresh's time goes
refresh_secs() {
	psql -XAq -F ' ' -d "$1" -c '\timing on' \
		-c "SELECT matview, method, seconds FROM kpi.refresh() ORDER BY seconds DESC" >"$out/$2.psql"
	grep -v '^Time: ' "$out/$2.psql" | sed '1d;$d' >"$out/$2.relations"
	timing_secs <"$out/$2.psql"
}
# slowest TAG — the five slowest relations of that refresh, one line
slowest() { head -5 "$out/$1.relations" | awk '{ printf "%s%s %ss", (NR > 1 ? ", " : ""), $1, $3 }'; }

# The tables siyu wrote (schema dw, with rows), parents before the tables that reference them.
written_tables() {
	psql -XAtq -d "$1" -c "
	WITH RECURSIVE t AS (
	    SELECT c.oid FROM pg_class c
	     WHERE c.relnamespace = 'dw'::regnamespace AND c.relkind IN ('r', 'p')
	       AND NOT c.relispartition
	), e AS (
	    SELECT conrelid AS child, confrelid AS parent FROM pg_constraint
	     WHERE contype = 'f' AND conrelid <> confrelid AND conrelid IN (SELECT oid FROM t)
	), d AS (
	    SELECT oid, 0 AS depth FROM t
	    UNION ALL
	    SELECT e.child, d.depth + 1 FROM d JOIN e ON e.parent = d.oid WHERE d.depth < 20
	)
	SELECT oid::regclass FROM d GROUP BY oid ORDER BY max(depth), oid::regclass::text" |
		while read -r t; do
			[[ $t == dw.dim_date ]] && continue # every migrated warehouse has its calendar
			if [[ $(psql -XAtq -d "$1" -c "SELECT EXISTS (SELECT 1 FROM $t)") == t ]]; then
				echo "$t"
			fi
		done
}

# floor_load DB ROLE — COPY the dumped final rows into DB in one session (ROLE: the
# session_replication_role, replica = FK triggers not fired); prints the seconds.
floor_load() {
	local db=$1 role=$2 t0 t1 script="$out/floor/load.sql"
	{
		echo "SET session_replication_role = $role;"
		echo "BEGIN;"
		while read -r t; do echo "\\copy $t FROM '$out/floor/$t.copy'"; done <"$out/floor/tables"
		echo "COMMIT;"
	} >"$script"
	t0=$(now)
	psql -Xq -v ON_ERROR_STOP=1 -d "$db" -f "$script" >/dev/null
	t1=$(now)
	secs "$t0" "$t1"
}

# loaded_all DB TABLE WHO — TABLE holds every line of the CSV (else fail); drops DB
loaded_all() {
	local n
	n=$(psql -XAtq -d "$1" -c "SELECT count(*) FROM $2")
	[[ $n -eq $lines ]] || { say "bench: $3 loaded $n rows, the file has $lines"; exit 1; }
	dropdb "$1"
}

# source_secs DB SOURCE — the last run of SOURCE's own seconds (etl.run_source)
source_secs() {
	psql -XAtq -d "$1" -c "SELECT to_char(extract(epoch FROM finished_at - started_at), 'FM9999990.00')
		FROM etl.run_source WHERE source = '$2' ORDER BY run_id DESC LIMIT 1"
}

# shared_buffers as PostgreSQL's manual advises for a dedicated server ("a reasonable starting
# value for shared_buffers is 25% of the memory in your system"), at most 4 GB; the test
# clusters' 128 MB made a 1M warehouse's index pages go to the OS cache and back on every
# random insert. Every reference of the run (floor, pgloader, Python) uses the same cluster.
ram_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
buffers_mb=$((ram_mb / 4 > 4096 ? 4096 : ram_mb / 4))
say "== private PostgreSQL under var/bench-pg, fsync on, shared_buffers ${buffers_mb}MB"
scripts/pg.sh start "$pgdir" >/dev/null
eval "$(scripts/pg.sh env "$pgdir")"
psql -XAtq -d postgres -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
	-c "ALTER SYSTEM SET full_page_writes = on" -c "ALTER SYSTEM SET max_wal_size = '4GB'" \
	-c "ALTER SYSTEM SET shared_buffers = '${buffers_mb}MB'" >/dev/null
scripts/pg.sh stop "$pgdir" >/dev/null # shared_buffers takes a restart
scripts/pg.sh start "$pgdir" >/dev/null
[[ $(psql -XAtq -d postgres -c "SHOW fsync") == on ]] || { say "bench: fsync is not on"; exit 1; }
[[ $(psql -XAtq -d postgres -c "SELECT setting::bigint * current_setting('block_size')::int / 1048576
	FROM pg_settings WHERE name = 'shared_buffers'") == "$buffers_mb" ]] ||
	{ say "bench: shared_buffers is not ${buffers_mb}MB"; exit 1; }
printf '[run]\nraw_dir = %s/raw\n' "$out" >"$out/bench.conf"
rm -rf "$out/raw"

say "== input: scripts/gen-bench.sh $orders, and --increment $orders $nightly_n"
file="$out/orders-$orders.csv"
incr="$out/orders-$orders-nightly.csv"
scripts/gen-bench.sh "$orders" "$file"
scripts/gen-bench.sh --increment "$orders" "$nightly_n" "$incr"
lines=$(($(wc -l <"$file") - 1))
file_mb=$(awk -v b="$(wc -c <"$file")" 'BEGIN { printf "%.1f", b / 1048576 }')

say "== copy: psql \\copy into an unlogged table"
fresh_db bench_copy
cols=$(head -1 "$file" | sed 's/,/ text, /g; s/$/ text/')
psql -Xq -d bench_copy -c "CREATE UNLOGGED TABLE copy_floor ($cols)"
t0=$(now)
psql -Xq -d bench_copy -c "\\copy copy_floor FROM '$file' WITH (FORMAT csv, HEADER true)"
t1=$(now)
copy_s=$(secs "$t0" "$t1")
loaded_all bench_copy copy_floor "psql \\copy"

say "== import: siyu import into a fresh warehouse"
fresh_db bench_siyu
psql -XAtq -d bench_siyu -c "SELECT pg_stat_reset()" >/dev/null
PGDATABASE=bench_siyu timed import "$siyu" --config "$out/bench.conf" import "$file"
import_s=$(cat "$out/import.wall")
grep -q "orders inserted $orders," "$out/import.out" || { cat "$out/import.out" >&2; exit 1; }
import_run=$(psql -XAtq -d bench_siyu -c "SELECT max(run_id) FROM etl.run")
sleep 1 # the backend reports its function statistics as it exits
merge_s=$(fn_secs bench_siyu etl.merge_orders)
resolve_s=$(fn_secs bench_siyu dw.resolve_customers)
client_s=$(secs "$merge_s" "$import_s")

say "== floor: COPY of the rows siyu produced into a fresh warehouse"
rm -rf "$out/floor" && mkdir -p "$out/floor"
written_tables bench_siyu >"$out/floor/tables"
while read -r t; do
	psql -Xq -d bench_siyu -c "\\copy (SELECT * FROM $t) TO '$out/floor/$t.copy'"
done <"$out/floor/tables"
floor_mb=$(du -cm "$out"/floor/*.copy | awk 'END { print $1 }')
fresh_db bench_floor
floor_s=$(floor_load bench_floor replica)
dropdb bench_floor
fresh_db bench_floor
floor_fk_s=$(floor_load bench_floor origin)
dropdb bench_floor
rm -rf "$out/floor"/*.copy

say "== replay: siyu replay of the import's raw-zone copy into a fresh warehouse"
fresh_db bench_replay
PGDATABASE=bench_replay timed replay "$siyu" --config "$out/bench.conf" replay --run "$import_run"
replay_wall=$(cat "$out/replay.wall")
replay_s=$(source_secs bench_replay "$(basename "$file")")
dropdb bench_replay

say "== pgloader: the same CSV into a plain text table"
pgloader_s=na
if ! command -v pgloader >/dev/null 2>&1; then
	say "   (installing the Debian package pgloader for the bench)"
	apt-get install -y -q pgloader >"$out/pgloader-install.log" 2>&1 || say "   pgloader could not be installed"
fi
if command -v pgloader >/dev/null 2>&1; then
	dropdb --if-exists bench_pgloader 2>/dev/null
	createdb bench_pgloader
	psql -Xq -d bench_pgloader -c "CREATE TABLE pgl ($cols)"
	names=$(head -1 "$file")
	cat >"$out/pgloader.load" <<EOF
LOAD CSV FROM '$file' ($names)
     INTO postgresql://$PGUSER@unix:$PGHOST:$PGPORT/bench_pgloader?tablename=pgl ($names)
     WITH skip header = 1, fields optionally enclosed by '"', fields terminated by ',';
EOF
	t0=$(now)
	pgloader "$out/pgloader.load" >"$out/pgloader.log" 2>&1 || { cat "$out/pgloader.log" >&2; exit 1; }
	t1=$(now)
	pgloader_s=$(secs "$t0" "$t1")
	loaded_all bench_pgloader pgl pgloader
fi

say "== python: the reference Python ETL (scripts/bench/python_etl.py) of the same CSV"
python_s=na
if ! /usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1; then
	say "   (installing the Debian package python3-psycopg2 for the bench)"
	apt-get install -y -q python3-psycopg2 >"$out/psycopg2-install.log" 2>&1 ||
		say "   python3-psycopg2 could not be installed"
fi
if /usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1; then
	dropdb --if-exists bench_python 2>/dev/null
	createdb bench_python
	t0=$(now)
	PGDATABASE=bench_python /usr/bin/python3 scripts/bench/python_etl.py "$file" >"$out/python.out" 2>&1 ||
		{ cat "$out/python.out" >&2; exit 1; }
	t1=$(now)
	python_s=$(secs "$t0" "$t1")
	n=$(psql -XAtq -d bench_python -c "SELECT count(*) FROM ref.orders")
	[[ $n -eq $orders ]] || { say "bench: the Python ETL loaded $n orders, the file has $orders"; exit 1; }
	dropdb bench_python
fi

say "== kpi: kpi.refresh() after the full load, then every kpi view read whole"
refresh_full_s=$(refresh_secs bench_siyu kpi-full)
scan_s=$(read_median bench_siyu "SELECT * FROM dw.fact_order")
: >"$out/kpi.txt"
read_max_s=0 read_max_view=none # the slowest whole read (issue 16: every view ≤ 1 s at 1M)
for v in $(psql -XAtq -d bench_siyu -c "SELECT c.oid::regclass FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'kpi' AND c.relkind IN ('v', 'm') ORDER BY 1"); do
	s=$(read_median bench_siyu "SELECT * FROM $v")
	rows=$(psql -XAtq -d bench_siyu -c "SELECT count(*) FROM $v")
	row "  $v" "$s" "$rows" "$(ratio "$s" "$scan_s")" >>"$out/kpi.txt"
	if awk -v s="$s" -v m="$read_max_s" 'BEGIN { exit !(s > m) }'; then read_max_s=$s read_max_view=$v; fi
done

say "== again: the same file, every order unchanged"
PGDATABASE=bench_siyu timed again "$siyu" --config "$out/bench.conf" import "$file"
again_s=$(cat "$out/again.wall")
grep -q "orders inserted 0, updated 0, unchanged $orders," "$out/again.out" ||
	{ cat "$out/again.out" >&2; exit 1; }

# nightly DB TAG — the increment into DB, then kpi.refresh(); sets nightly_* figures
nightly() {
	local db=$1 tag=$2
	PGDATABASE=$db timed "$tag" "$siyu" --config "$out/bench.conf" import "$incr"
	grep -q "orders inserted $nightly_n, updated $nightly_n, unchanged $nightly_n," "$out/$tag.out" ||
		{ cat "$out/$tag.out" >&2; exit 1; }
	refresh_secs "$db" "$tag-kpi" >"$out/$tag.kpi"
}
say "== nightly: $nightly_n new + $nightly_n changed + $nightly_n unchanged orders"
nightly bench_siyu nightly
nightly_s=$(cat "$out/nightly.wall")
refresh_nightly_s=$(cat "$out/nightly.kpi")

nightly5_s=na refresh_nightly5_s=na rss5=na import5_s=na
if [[ $scale != 1 ]]; then
	big=$((orders * scale))
	say "== scale $scale: siyu import of $big orders, then the same nightly increment"
	scripts/gen-bench.sh "$big" "$out/orders-$big.csv"
	scripts/gen-bench.sh --increment "$big" "$nightly_n" "$incr"
	fresh_db bench_big
	PGDATABASE=bench_big timed import5 "$siyu" --config "$out/bench.conf" import "$out/orders-$big.csv"
	import5_s=$(cat "$out/import5.wall")
	rss5=$(rss_kb import5)
	rm -rf "$out/raw" "$out/orders-$big.csv"
	read_secs bench_big "SELECT kpi.refresh()" >/dev/null
	nightly bench_big nightly5
	nightly5_s=$(cat "$out/nightly5.wall")
	refresh_nightly5_s=$(cat "$out/nightly5.kpi")
	dropdb bench_big
fi

wecom_line="WeCom source: skipped (BENCH_WECOM=0)"
if [[ ${BENCH_WECOM:-1} != 0 && -s "$file" ]]; then
	say "== wecom: siyu run of a WeCom source (fake server, N/5 customers + shared buyers)"
	# Every 4th distinct buyer phone, digits only, with its first order time as the anchor.
	awk -F, 'NR > 1 && $12 != "" { p = $12; gsub(/[^0-9]/, "", p); sub(/^86/, "", p)
		if (!(p in first) || $7 < first[p]) first[p] = $7 }
		END { for (p in first) print p ",," first[p] }' "$file" | sort | awk 'NR % 4 == 1' \
		>"$out/shared-contacts.csv"
	[[ -x build/rel/fakes/fake_wecom ]] || make --no-print-directory build/rel/fakes/fake_wecom >/dev/null
	FAKE_START_WAIT=300 scripts/fake-wecom.sh start "$wecom_dir" --seed 7 --staff 50 --customers $((orders / 5)) \
		--groups $((orders / 200 > 10 ? orders / 200 : 10)) --history-days 365 \
		--corpid ww-bench --secret bench-secret --shared-contacts "$out/shared-contacts.csv" >/dev/null
	printf '[run]\nraw_dir = %s/raw\n[source.wecom]\ntype = wecom\nbase_url = %s\ncorpid = ww-bench\nsecret = ${BENCH_WECOM_SECRET}\nrps = 1000\n' \
		"$out" "$(scripts/fake-wecom.sh url "$wecom_dir")" >"$out/wecom.conf"
	PGDATABASE=bench_siyu PGOPTIONS="-c track_functions=pl" BENCH_WECOM_SECRET=bench-secret "$siyu" --config "$out/wecom.conf" run \
		--source wecom >"$out/wecom.out" 2>"$out/wecom.err" || { cat "$out/wecom.out" "$out/wecom.err" >&2; exit 1; }
	scripts/fake-wecom.sh stop "$wecom_dir" >/dev/null
	sleep 1 # the backend reports its function statistics as it exits
	read -r wecom_pages wecom_read wecom_s wecom_linked < <(psql -XAtq -F' ' -d bench_siyu -c "
		SELECT pages, records_read, to_char(extract(epoch FROM finished_at - started_at), 'FM9999990.00'),
		       (SELECT count(DISTINCT w.customer_key) FROM dw.wecom_customer w
		         WHERE EXISTS (SELECT 1 FROM dw.fact_order f WHERE f.customer_key = w.customer_key))
		  FROM etl.run_source WHERE source = 'wecom' ORDER BY run_id DESC LIMIT 1")
	wecom_line=$(printf '%-48s %9s %11s\n%-48s %9s\n  WeCom customers linked to a buyer of the orders (shared phones): %s' \
		"WeCom: siyu run, $wecom_pages pages, $wecom_read records" "$wecom_s" "$(per_s "$wecom_read" "$wecom_s")" \
		"  server: etl.wecom_merge" "$(fn_secs bench_siyu etl.wecom_merge)" "$wecom_linked")
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
			"$siyu" --config "$out/bench.conf" import --dry-run "$out/orders-$n.csv" >"$out/callgrind.log" 2>&1 ||
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

rss_import=$(rss_kb import) rss_replay=$(rss_kb replay) rss_nightly=$(rss_kb nightly)
rss1=$(awk -v a="$rss_import" -v b="$rss_replay" -v c="$rss_nightly" 'BEGIN {
	if (a == "na") print "na"; else print (a > b ? (a > c ? a : c) : (b > c ? b : c)) }')
read -r _ cpu_u cpu_s <"$out/import.time"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
pgv=$(psql -XAtq -d postgres -c "SHOW server_version")
{
	printf 'siyu bench, %s: %d orders, %d order lines, %s MB (scripts/gen-bench.sh %d)\n' \
		"$(date -u +%Y-%m-%d)" "$orders" "$lines" "$file_mb" "$orders"
	printf 'machine: %s, %s CPUs, %s MB RAM, load average %s; PostgreSQL %s (fsync on, shared_buffers %s MB)\n' \
		"${cpu:-unknown CPU}" "$(nproc)" "$ram_mb" "$(cut -d' ' -f1-3 /proc/loadavg)" "$pgv" "$buffers_mb"
	echo
	row "full load of $orders orders" "wall s" "lines/s" "x floor"
	row "floor: COPY of siyu's final rows ($floor_mb MB), no FK" "$floor_s" "" "1.00"
	row "  the same with the foreign-key checks firing" "$floor_fk_s" "" "$(ratio "$floor_fk_s" "$floor_s")"
	row "psql \\copy of the CSV into an unlogged table" "$copy_s" "$(per_s "$lines" "$copy_s")" "$(ratio "$copy_s" "$floor_s")"
	row "pgloader: the CSV into a plain text table" "$pgloader_s" "$(per_s "$lines" "$pgloader_s")" "$(ratio "$pgloader_s" "$floor_s")"
	row "Python ETL: csv, COPY, one upsert (orders/lines)" "$python_s" "$(per_s "$lines" "$python_s")" "$(ratio "$python_s" "$floor_s")"
	row "siyu import, fresh warehouse" "$import_s" "$(per_s "$lines" "$import_s")" "$(ratio "$import_s" "$floor_s")"
	row "  server: etl.merge_orders" "$merge_s" "" "$(ratio "$merge_s" "$floor_s")"
	row "    of which dw.resolve_customers" "$resolve_s" "" "$(ratio "$resolve_s" "$floor_s")"
	row "  the rest: parse, dedupe, raw copy, COPY" "$client_s" "$(per_s "$lines" "$client_s")" "$(ratio "$client_s" "$floor_s")"
	row "siyu replay of the import (the source's time)" "$replay_s" "$(per_s "$lines" "$replay_s")" "$(ratio "$replay_s" "$floor_s")"
	row "  the whole replay run, kpi.refresh() included" "$replay_wall" "" ""
	row "siyu import again, all unchanged" "$again_s" "$(per_s "$lines" "$again_s")" "$(ratio "$again_s" "$floor_s")"
	echo
	row "nightly: $nightly_n new, changed, unchanged" "wall s" "" "x 1x"
	row "siyu import of the increment, $orders warehouse" "$nightly_s" "" "1.00"
	row "  then kpi.refresh()" "$refresh_nightly_s" "" ""
	echo "    slowest: $(slowest nightly-kpi)"
	row "siyu import of the increment, $((orders * scale)) warehouse" "$nightly5_s" "" "$(ratio "$nightly5_s" "$nightly_s")"
	row "  then kpi.refresh()" "$refresh_nightly5_s" "" ""
	echo
	row "KPI views (jit off)" "wall s" "rows" "x scan"
	row "read dw.fact_order whole (reference)" "$scan_s" "$orders" "1.00"
	row "kpi.refresh() after the full load" "$refresh_full_s" "" "$(ratio "$refresh_full_s" "$scan_s")"
	echo "  slowest: $(slowest kpi-full) (all: var/bench/*.relations)"
	cat "$out/kpi.txt"
	echo
	echo "$wecom_line"
	echo
	echo "client CPU (user + sys) of the fresh import: $(awk -v u="$cpu_u" -v s="$cpu_s" 'BEGIN { if (u == "na") print "na"; else printf "%.2f", u + s }') s of $import_s s wall"
	echo "client max RSS, MB: import $(mb "$rss_import"), replay $(mb "$rss_replay"), nightly $(mb "$rss_nightly") ($orders orders); import $(mb "$rss5") ($((orders * scale)) orders, SCALE=$scale)"
	echo "$parse_line"
	if [[ -s "$out/callgrind-top.txt" ]]; then
		echo "  where they go ($tiny orders; self instructions, callgrind_annotate):"
		cat "$out/callgrind-top.txt"
	fi
	echo
	printf 'bench: full_vs_floor=%s import_vs_pgloader=%s nightly_s=%s nightly_5x_ratio=%s peak_rss_mb_1m=%s peak_rss_mb_5m=%s kpi_refresh_full_s=%s kpi_refresh_nightly_s=%s' \
		"$(ratio "$import_s" "$floor_s")" "$(ratio "$import_s" "$pgloader_s")" "$nightly_s" \
		"$(ratio "$nightly5_s" "$nightly_s")" "$(mb "$rss1")" "$(mb "$rss5")" "$refresh_full_s" "$refresh_nightly_s"
	printf ' orders=%s floor_s=%s floor_fk_s=%s import_s=%s replay_vs_floor=%s pgloader_s=%s' \
		"$orders" "$floor_s" "$floor_fk_s" "$import_s" "$(ratio "$replay_s" "$floor_s")" "$pgloader_s"
	printf ' import_vs_python=%s python_s=%s client_s=%s kpi_read_max_s=%s kpi_read_max_view=%s\n' \
		"$(ratio "$import_s" "$python_s")" "$python_s" "$client_s" "$read_max_s" "$read_max_view"
} | tee "$out/results.txt"
say "bench: results in var/bench/results.txt"

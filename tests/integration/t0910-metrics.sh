#!/usr/bin/env bash
test_description='[run] metrics_file: a Prometheus textfile rewritten atomically after each run, import and replay, its values those of the warehouse'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0910-test-key-0123456789
Q="'"
mkdir -p "$TRASH/prom"
sample_conf --run "metrics_file = $TRASH/prom/siyu.prom" >"$TRASH/run.conf"

# lint FILE — the text exposition format as node_exporter reads it: each metric a HELP and
# a gauge TYPE line before its samples, names snake_case under siyu_, label values quoted,
# values numbers; prints the number of samples.
lint() {
	awk '
	/^# HELP siyu_[a-z_]+ [^ ]/ { help[$3] = 1; next }
	/^# TYPE siyu_[a-z_]+ gauge$/ {
		if (!help[$3]) { print "TYPE before HELP: " $0; bad = 1 }
		if (seen[$3]++) { print "metric declared twice: " $3; bad = 1 }
		cur = $3; next
	}
	/^siyu_[a-z_]+\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\} -?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$/ {
		name = $0; sub(/\{.*/, "", name)
		if (name != cur) { print "sample outside its metric: " $0; bad = 1 }
		if (name ~ /_seconds$/ || name ~ /_success$/ || name ~ /_code$/ || name ~ /^siyu_source_records_/) n++
		else { print "name without a unit or known suffix: " name; bad = 1 }
		next
	}
	{ print "not exposition format: " $0; bad = 1 }
	END { if (bad) exit 1; print n }' "$1"
}

# sample METRIC LABELS — the value of one sample, e.g. sample siyu_run_last_exit_code 'command="run"'
sample() {
	sed -n "s/^$1{$2} //p" prom/siyu.prom
}

test_expect_success 'no metrics_file: no file is written' '
	sample_conf >plain.conf &&
	"$SIYU" --config plain.conf run --dry-run >/dev/null 2>&1 &&
	test_must_fail test -e prom/siyu.prom
'

test_expect_success 'after a run: the file, well formed, mode 0644, no temporary left' '
	"$SIYU" --config run.conf run >run.out 2>run.err &&
	lint prom/siyu.prom >count &&
	test "$(cat count)" -ge 15 &&
	test "$(stat -c %a prom/siyu.prom)" = 644 &&
	ls -A prom >files && echo siyu.prom >expect && test_cmp expect files
'

test_expect_success 'the values are those of etl.run, etl.run_source and etl.watermark' '
	test_psql "select round(extract(epoch from max(finished_at)), 3) from etl.run where status = ${Q}succeeded${Q}" >expect &&
	printf "%.3f\n" "$(sample siyu_run_last_success_timestamp_seconds "command=\"run\"")" >actual &&
	test_cmp expect actual &&
	test "$(sample siyu_run_last_exit_code "command=\"run\"")" = 0 &&
	test_psql "select round(extract(epoch from finished_at - started_at), 3) from etl.run order by run_id desc limit 1" >expect &&
	printf "%.3f\n" "$(sample siyu_run_duration_seconds "command=\"run\"")" >actual &&
	test_cmp expect actual &&
	for col in records_read inserted updated unchanged rejected; do
		name=siyu_source_records_${col#records_}
		test_psql "select source || ${Q} ${Q} || $col from etl.run_source
			where run_id = (select max(run_id) from etl.run) order by source" >expect
		for src in taobao_csv youzan_csv; do
			echo "$src $(sample $name "source=\"$src\"")"
		done >actual
		assert_cmp expect actual
	done &&
	test "$(sample siyu_source_last_run_success "source=\"taobao_csv\"")" = 1 &&
	test_psql "select extract(epoch from value)::bigint from etl.watermark where source = ${Q}youzan_csv${Q}" >expect &&
	sample siyu_source_watermark_timestamp_seconds "source=\"youzan_csv\",entity=\"orders\"" | cut -d. -f1 >actual &&
	test_cmp expect actual &&
	lag=$(sample siyu_source_watermark_lag_seconds "source=\"youzan_csv\",entity=\"orders\"" | cut -d. -f1) &&
	test_psql "select extract(epoch from now() - value)::bigint from etl.watermark where source = ${Q}youzan_csv${Q}" >now &&
	test "$lag" -le "$(cat now)" && test "$lag" -ge $(($(cat now) - 120))
'

test_expect_success 'the end of observation per kind of KPI is kpi.end_of_observation, its lag from now' '
	test_psql "select extract(epoch from kpi.end_of_observation(${Q}orders${Q}))::bigint" >expect &&
	sample siyu_kpi_end_of_observation_timestamp_seconds "kind=\"orders\"" | cut -d. -f1 >actual &&
	test_cmp expect actual &&
	lag=$(sample siyu_kpi_end_of_observation_lag_seconds "kind=\"orders\"" | cut -d. -f1) &&
	test_psql "select extract(epoch from now() - kpi.end_of_observation(${Q}orders${Q}))::bigint" >now &&
	test "$lag" -le "$(cat now)" && test "$lag" -ge $(($(cat now) - 120)) &&
	test_psql "select kpi.end_of_observation(${Q}wecom${Q}) is null" >nowecom && echo t >expect &&
	test_cmp expect nowecom &&
	test -z "$(sample siyu_kpi_end_of_observation_timestamp_seconds "kind=\"wecom\"")"
'

test_expect_success 'an import rewrites the file (a new inode) and keeps the runs figures' '
	inode=$(stat -c %i prom/siyu.prom) &&
	run_ts=$(sample siyu_run_last_success_timestamp_seconds "command=\"run\"") &&
	"$SIYU" --config run.conf import --source hand "$TOP/tests/data/orders-basic.csv" >imp.out 2>imp.err &&
	test "$(stat -c %i prom/siyu.prom)" != "$inode" &&
	lint prom/siyu.prom >/dev/null &&
	test "$(sample siyu_run_last_success_timestamp_seconds "command=\"run\"")" = "$run_ts" &&
	test -n "$(sample siyu_run_last_success_timestamp_seconds "command=\"import\"")" &&
	test "$(sample siyu_source_records_inserted "source=\"hand\"")" = \
		"$(test_psql "select inserted from etl.run_source where source = ${Q}hand${Q}")"
'

test_expect_success 'a failed source: success 0, exit code 1, its last success kept' '
	{ cat run.conf && printf "[source.bad]\ntype = csv\npath = %s\n" "$TOP/tests/data/orders-bad.csv"; } >bad.conf &&
	run_ts=$(sample siyu_run_last_success_timestamp_seconds "command=\"run\"") &&
	test_expect_code 1 "$SIYU" --config bad.conf run >bad.out 2>bad.err &&
	lint prom/siyu.prom >/dev/null &&
	test "$(sample siyu_source_last_run_success "source=\"bad\"")" = 0 &&
	test -z "$(sample siyu_source_last_success_timestamp_seconds "source=\"bad\"")" &&
	test "$(sample siyu_source_last_run_success "source=\"taobao_csv\"")" = 1 &&
	test "$(sample siyu_run_last_exit_code "command=\"run\"")" = 1 &&
	test "$(sample siyu_run_last_success_timestamp_seconds "command=\"run\"")" = "$run_ts"
'

test_expect_success 'a file that cannot be written: a warning naming it, the exit code and old file stay' '
	cp prom/siyu.prom before.prom &&
	mkdir isdir.prom &&
	sample_conf --run "metrics_file = $TRASH/isdir.prom" >isdir.conf &&
	"$SIYU" --config isdir.conf run >out 2>err &&
	grep -q "level=warn msg=\"metrics file not written\" error=\"metrics file: cannot replace .*/isdir.prom.: Is a directory\"" err &&
	test_must_fail ls .isdir.prom.* &&
	sample_conf --run "metrics_file = $TRASH/missing/siyu.prom" >missing.conf &&
	"$SIYU" --config missing.conf run >out 2>err &&
	grep -q "metrics file not written.*cannot write .*missing/siyu.prom.: No such file or directory" err &&
	test_cmp before.prom prom/siyu.prom
'

test_expect_success 'a replay writes it too' '
	"$SIYU" --config run.conf replay --run 1 >rep.out 2>rep.err &&
	lint prom/siyu.prom >/dev/null &&
	test "$(sample siyu_run_last_exit_code "command=\"replay\"")" = 0
'

test_expect_success 'pipeline.conf documents metrics_file and the metrics doc lists every metric written' '
	grep -q "^# metrics_file = " "$TOP/pipeline.conf" &&
	sed -n "s/^# TYPE \([a-z_]*\) gauge$/\1/p" prom/siyu.prom | sort >written &&
	grep -o "^| \`siyu_[a-z_]*\`" "$TOP/docs/metrics.md" | tr -d "|\` " | sort >documented &&
	test_cmp documented written
'

test_done

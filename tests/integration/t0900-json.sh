#!/usr/bin/env bash
test_description='siyu status --json and check --json: the same content as the tables, typed, in the documented schema (docs/json.md)'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0900-test-key-0123456789
Q="'"

sample_conf "warn_after = 1h" "error_after = 3h" >"$TRASH/run.conf"

test_expect_success 'status --json of an empty warehouse: the envelope and empty arrays' '
	"$SIYU" status --json >out.json &&
	jq -e ".schema == \"siyu.status/1\" and .timezone == \"Asia/Shanghai\"
		and (.generated_at | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$\"))
		and .runs == [] and .sources == [] and .rejects == [] and .watermarks == []" out.json
'

test_expect_success 'status --json after a run: typed values equal to the warehouse' '
	"$SIYU" --config run.conf run >run.out 2>run.err &&
	"$SIYU" --config run.conf status --json >out.json &&
	jq -e ".runs | length == 1" out.json &&
	jq -e ".runs[0] | (.run_id | type) == \"number\" and .command == \"run\" and .status == \"succeeded\"
		and .exit_code == 0 and (.duration_seconds | type) == \"number\"
		and (.started_at | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,15}[+]08:00$\"))" out.json &&
	jq -r ".sources[] | [.source, .status, .records_read, .inserted, .updated, .unchanged, .rejected, (.error == null)] | @tsv" out.json >actual &&
	test_psql "select source, status, records_read, inserted, updated, unchanged, rejected, error is null
		from etl.run_source order by source" | tr "|" "\t" | sed "s/\tt$/\ttrue/" >expect &&
	test_cmp expect actual &&
	jq -r "[.rejects[].rejects] | add" out.json >actual &&
	test_psql "select count(*) from etl.reject" >expect &&
	test_cmp expect actual &&
	jq -e "[.rejects[] | .first_location | test(\"/orders-taobao[.]csv([.]gz)?:[0-9]+$\")] | all" out.json &&
	jq -r ".watermarks[] | [.source, .entity, .run_id] | @tsv" out.json >actual &&
	test_psql "select source, entity, run_id from etl.watermark order by source, entity" | tr "|" "\t" >expect &&
	test_cmp expect actual &&
	jq -r ".watermarks[0].value" out.json >actual &&
	test_psql "set timezone = ${Q}Asia/Shanghai${Q}; select to_char(value, ${Q}YYYY-MM-DD\"T\"HH24:MI:SS${Q})
		from etl.watermark order by source, entity limit 1" >expect.ts &&
	grep -q "^$(cat expect.ts)\(\.[0-9]*\)\{0,1\}+08:00$" actual
'

test_expect_success 'status: the table shows the same rows and columns as the JSON' '
	"$SIYU" --config run.conf status >out &&
	for key in runs sources rejects watermarks; do
		jq -r ".${key}[0] | keys_unsorted | join(\" \")" out.json >cols &&
		grep -q "^  $(sed "s/ /  *[ ]/g" cols)" out || { echo "no $key heading: $(cat cols)"; exit 1; }
	done &&
	awk "/^Rejects by reason/{on=1; next} /^$/{on=0} on" out | tail -n +2 | wc -l >actual &&
	jq ".rejects | length" out.json >expect &&
	test_cmp expect actual &&
	grep -q "^  [0-9]* *run *succeeded *[0-9-]* [0-9:]*+08 " out
'

test_expect_success 'status --json --runs limits runs, sources and rejects alike' '
	"$SIYU" --config run.conf run >/dev/null 2>&1 &&
	"$SIYU" --config run.conf status --json --runs 1 >out.json &&
	jq -e "(.runs | length) == 1 and ([.sources[].run_id] | unique) == [.runs[0].run_id]
		and ([.rejects[].run_id] | unique) == [.runs[0].run_id]
		and ([.sources[].unchanged] | add) > 0" out.json &&
	test_expect_code 2 "$SIYU" status --json --runs 0 &&
	test_expect_code 2 "$SIYU" status --json extra
'

test_expect_success 'check --list --json names every test with its rule' '
	"$SIYU" check --list | cut -d" " -f1 >expect &&
	"$SIYU" check --list --json >out.json &&
	jq -e ".schema == \"siyu.check/1\" and (.summary == null)
		and ([.tests[] | .rule | length > 0] | all)" out.json &&
	jq -r ".tests[].name" out.json >actual &&
	test_cmp expect actual
'

test_expect_success 'check --json on a clean load: every test ok, the summary, exit 0' '
	test_psql "update etl.watermark set value = now() - interval ${Q}10 minutes${Q}" &&
	"$SIYU" --config run.conf check --json >out.json &&
	"$SIYU" --config run.conf check >out.txt &&
	jq -e ".summary.failed == 0 and .summary.warnings == 0
		and .summary.ok == (.tests | length)
		and ([.tests[] | .status == \"ok\" and .failing_rows == 0 and .examples == []] | all)" out.json &&
	jq -r ".tests[] | \"ok   \" + .name" out.json >expect &&
	grep "^ok " out.txt >actual &&
	test_cmp expect actual &&
	jq -e ".tests[] | select(.name == \"freshness.taobao_csv\") | .freshness
		| .warn_after_seconds == 3600 and .error_after_seconds == 10800
		and .watermark_lag_seconds >= 0 and .last_success_lag_seconds >= 0" out.json
'

test_expect_success 'check --json: a failing data test and a stale source, exit 1' '
	copy_db t0900_bad &&
	PGDATABASE=t0900_bad test_psql "set session_replication_role = replica;
		update etl.watermark set value = now() - interval ${Q}2 hours${Q} where source = ${Q}taobao_csv${Q};
		update dw.fact_order set gross_fen = gross_fen + 1 where order_key = (select min(order_key) from dw.fact_order)" &&
	test_expect_code 1 env PGDATABASE=t0900_bad "$SIYU" --config run.conf check --json >out.json &&
	jq -e ".summary.failed == 1 and .summary.warnings == 1" out.json &&
	jq -e ".tests[] | select(.name == \"lines.gross\") | .status == \"fail\" and .failing_rows == 1
		and (.examples | length) == 1 and (.examples[0] | test(\"/\"))" out.json &&
	jq -e ".tests[] | select(.name == \"freshness.taobao_csv\") | .status == \"warn\"
		and (.freshness.watermark_lag_seconds | . >= 7200 and . < 7400) and (.detail | test(\"2h old\"))" out.json
'

test_expect_success 'check --json: never loaded is a null lag; usage errors print no JSON' '
	cat >never.conf <<-EOC &&
	[source.never]
	type = csv
	path = nothing-*.csv
	error_after = 1h
	EOC
	test_expect_code 1 "$SIYU" --config never.conf check --json --select freshness. >out.json &&
	jq -e ".tests == [.tests[0]] and .tests[0].status == \"fail\"
		and .tests[0].freshness.watermark_lag_seconds == null
		and .tests[0].freshness.last_success_lag_seconds == null
		and .tests[0].freshness.warn_after_seconds == null" out.json &&
	test_expect_code 2 "$SIYU" check --json --select nosuch. >out.json &&
	test_must_fail test -s out.json
'

test_done

#!/usr/bin/env bash
# tests/integration/t0215-import-raw.sh — siyu import keeps each file in the raw zone, and
# siyu replay reloads imports (issue 11 item 7).
# shellcheck disable=SC2016  # test bodies are single-quoted: they expand when they run
test_description='siyu import keeps a gzip copy of every file in the raw zone; siyu replay reloads imports'
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0215-test-key-0123456789
copy_db t0215_rebuilt || die "cannot copy the database"
copy_db t0215_empty || die "cannot copy the database"

printf '[run]\ntimezone = Asia/Shanghai\nraw_dir = %s/raw\n' "$TRASH" >"$TRASH/import.conf"

test_expect_success 'an imported file is kept, gzip, byte for byte, with how it was read' '
	cp "$TOP/sample/orders-taobao.csv" tb.csv &&
	gzip -c "$TOP/sample/orders-youzan.csv" >yz.csv.gz &&
	"$SIYU" --config import.conf import tb.csv >out 2>err &&
	"$SIYU" --config import.conf import --source yz_export --timezone Asia/Shanghai yz.csv.gz >out 2>err &&
	test_fingerprint >import.fp &&
	gunzip -c raw/tb.csv/1/tb.csv.gz | cmp - tb.csv &&
	gunzip -c raw/yz_export/2/yz.csv.gz | cmp - "$TOP/sample/orders-youzan.csv" &&
	jq -r ".entity, .request.command, .request.profile, .request.encoding, .request.timezone" \
		raw/yz_export/2/manifest.jsonl >actual &&
	printf "file\nimport\ngeneric\nauto\nAsia/Shanghai\n" >expect && test_cmp expect actual &&
	jq -r ".request.input" raw/tb.csv/1/manifest.jsonl >actual &&
	echo tb.csv >expect && test_cmp expect actual
'

test_expect_success 'raw copies are never overwritten: a second file of one name in a run is kept beside the first' '
	mkdir -p again && head -n 100 tb.csv >again/tb.csv &&
	"$SIYU" --config import.conf import tb.csv again/tb.csv >out 2>err &&
	grep -q "^tb.csv: loaded" out && grep -q "^again/tb.csv: loaded" out &&
	gunzip -c raw/tb.csv/3/tb.csv.gz | cmp - tb.csv &&
	gunzip -c raw/tb.csv/3/2-tb.csv.gz | cmp - again/tb.csv &&
	jq -r ".file + \" \" + .request.input" raw/tb.csv/3/manifest.jsonl >actual &&
	printf "tb.csv.gz tb.csv\n2-tb.csv.gz again/tb.csv\n" >expect && test_cmp expect actual
'

test_expect_success 'a rejected row names the file as given, and the copy holds its bytes' '
	cp "$TOP/tests/data/orders-bad.csv" bad.csv &&
	printf "[run]\nmax_reject_ratio = 0.9\nraw_dir = %s/raw\n" "$TRASH" >lenient.conf &&
	"$SIYU" --config lenient.conf import bad.csv >out 2>err &&
	test_psql "select location from etl.reject where run_id = 4 order by reject_id limit 1" >actual &&
	echo bad.csv:2 >expect && test_cmp expect actual &&
	gunzip -c raw/bad.csv/4/bad.csv.gz | sed -n 2p >actual &&
	sed -n 2p bad.csv >expect && test_cmp expect actual
'

test_expect_success 'replay --run reloads an import, into an empty warehouse too' '
	cp -r raw raw2 && sed "s|^raw_dir = .*|raw_dir = $TRASH/raw2|" import.conf >rebuilt.conf &&
	PGDATABASE=t0215_rebuilt "$SIYU" --config rebuilt.conf replay --run 1 >out 2>err &&
	grep -q "^tb.csv *run 1 *ok .*read 1750, inserted 831" out &&
	PGDATABASE=t0215_rebuilt "$SIYU" --config rebuilt.conf replay --run 2 >out 2>err &&
	grep -q "^yz_export *run 2 *ok .*read 787, inserted 364" out &&
	PGDATABASE=t0215_rebuilt test_fingerprint | grep -v "^etl.watermark" >actual &&
	grep -v "^etl.watermark" import.fp >expect && test_cmp expect actual &&
	PGDATABASE=t0215_rebuilt test_psql "select source, status from etl.run_source
		where run_id = (select max(run_id) from etl.run)" >actual &&
	echo "yz_export|succeeded" >expect && test_cmp expect actual
'

test_expect_success 'replay --source NAME --from reloads the imports of that name' '
	PGDATABASE=t0215_rebuilt "$SIYU" --config rebuilt.conf replay --source yz_export \
		--from 2000-01-01 >out 2>err &&
	grep -q "^yz_export *run 2 *ok .*read 787, inserted 0, updated 364" out &&
	test_must_fail "$SIYU" --config rebuilt.conf replay --source nosuch --from 2000-01-01 \
		>out 2>err &&
	grep -q "no source .nosuch." err
'

test_expect_success 'an import dry run keeps its copy but loads nothing' '
	test_fingerprint >before.fp &&
	"$SIYU" --config import.conf import --dry-run tb.csv >out 2>err &&
	grep -q "dry run, rolled back" out &&
	test -f raw/tb.csv/5/tb.csv.gz &&
	test_fingerprint >actual && test_cmp before.fp actual
'

test_expect_success 'an import into an empty warehouse never reuses a run id of the raw zone' '
	copy_db t0215_fresh t0215_empty &&
	PGDATABASE=t0215_fresh "$SIYU" --config import.conf import tb.csv >out 2>err &&
	grep -q "tb.csv: loaded" out &&
	PGDATABASE=t0215_fresh test_psql "select run_id > 5 from etl.run" >actual &&
	echo t >expect && test_cmp expect actual
'

test_done

#!/usr/bin/env bash
test_description='progress of run, replay and import, reported by the driver layer for every source type (csv, youzan, a shop API, wecom): logfmt lines when stderr is not a terminal, one redrawn line on a terminal that log lines do not tear'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-wecom.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0960-test-key-0123456789
sample_conf >"$TRASH/run.conf"

# progress_of SOURCE FILE — the source's progress lines in FILE
progress_of() { grep "msg=progress source=$1 " "$2"; }
# field KEY — KEY's values of the lines on stdin, one a line
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
# final_is SOURCE FILE RUN — the last line is final and says what the run log recorded
final_is() {
	local want
	want=$(test_psql "SELECT 'pages=' || pages || ' records=' || records_read
	                    FROM etl.run_source WHERE run_id = $3 AND source = '$1'") &&
	progress_of "$1" "$2" | tail -n 1 | grep -q "pages=[0-9]* records=[0-9]* .*final=true$" &&
	progress_of "$1" "$2" | tail -n 1 | grep -q "source=$1 $want " || {
		echo "run log: $want; last progress line: $(progress_of "$1" "$2" | tail -n 1)"
		return 1
	}
}
# growing SOURCE FILE — pages, records and done_pct never go back
growing() {
	progress_of "$1" "$2" | field pages | sort -n -c &&
	progress_of "$1" "$2" | field records | sort -n -c &&
	progress_of "$1" "$2" | field done_pct | sort -n -c
}
last_run() { test_psql "SELECT max(run_id) FROM etl.run"; }
Q="'"

test_expect_success 'run, stderr a file: logfmt progress per source, records and percent of the file, a final line' '
	SIYU_PROGRESS_EVERY=0 "$SIYU" --config run.conf run >out 2>err &&
	grep "msg=progress source=taobao_csv pages=1 records=[0-9]* rate=[0-9.]* done_pct=[0-9.]* eta_s=[0-9]*" err >lines &&
	grep -q "msg=progress source=taobao_csv pages=1 records=1750 .* done_pct=100.0 eta_s=0 final=true$" err &&
	grep -q "msg=progress source=youzan_csv pages=1 records=787 .* final=true$" err &&
	test_must_fail grep -q "$(printf "\r")" err
'

test_expect_success 'the default interval (10 s) says nothing about a load of a second' '
	"$SIYU" --config run.conf run >out 2>err &&
	test_must_fail grep -q "msg=progress" err
'

test_expect_success 'import and replay of a csv source report too' '
	SIYU_PROGRESS_EVERY=0 "$SIYU" import --source hand "$TOP/tests/data/orders-basic.csv" >out 2>err &&
	grep -q "msg=progress source=hand pages=1 records=[0-9]* .*final=true$" err &&
	SIYU_PROGRESS_EVERY=0 "$SIYU" --config run.conf replay --run 1 >out 2>err &&
	grep -q "msg=progress source=taobao_csv pages=1 records=1750 .*final=true$" err
'

test_expect_success 'a gzipped file: the share done is of its bytes on disk, never past 100%' '
	gzip -c "$TOP/sample/orders-taobao.csv" >orders.csv.gz &&
	SIYU_PROGRESS_EVERY=0 "$SIYU" import --source gz orders.csv.gz >out 2>err &&
	grep -q "msg=progress source=gz pages=1 records=1750 .* done_pct=100.0 eta_s=0 final=true$" err &&
	progress_of gz err | field done_pct | awk "\$1 > 100 { exit 1 }"
'

test_expect_success 'a Youzan API source: pages with their orders, windows done for the ETA' '
	"$TOP/scripts/fake-youzan.sh" start "$TRASH/yz" >/dev/null &&
	test_when_finished "\"$TOP/scripts/fake-youzan.sh\" stop \"$TRASH/yz\" >/dev/null 2>&1 || true" &&
	printf "[run]\nraw_dir = %s/raw\n[source.youzan_api]\ntype = youzan\nbase_url = %s\nclient_id = demo-client\nclient_secret = \${YOUZAN_CLIENT_SECRET}\nkdt_id = 44000001\nstart = 2025-01-01\nwindow = 90d\nmax_reject_ratio = 0.05\nrps = 1000\n" \
		"$TRASH" "$("$TOP/scripts/fake-youzan.sh" url "$TRASH/yz")" >yz.conf &&
	YOUZAN_CLIENT_SECRET=demo-secret SIYU_PROGRESS_EVERY=0 "$SIYU" --config yz.conf run >out 2>err &&
	grep -q "msg=progress source=youzan_api pages=[1-9][0-9]* records=[1-9][0-9]* rate=[0-9.]* done_pct=100.0 eta_s=0 final=true$" err &&
	growing youzan_api err && final_is youzan_api err "$(last_run)"
'

# A shop platform's order API against its fake (JD: a month of one-day windows).
JD_SECRET=jd-secret-0123 JD_TOKEN=jd-token-0 JD_REFRESH=jd-refresh-0
export JD_SECRET JD_TOKEN JD_REFRESH SIYU_HTTP_BACKOFF_SCALE=0.001
"$TOP/scripts/fake.sh" jd start "$TRASH/jd" --seed 13 --orders 120 --history-days 30 \
	--app-key jd-app --app-secret "$JD_SECRET" --access-token "$JD_TOKEN" \
	--refresh-token "$JD_REFRESH" >/dev/null || die "cannot start fake_jd"
# by pid: at exit $TRASH (the pid file, the working directory) may be gone
test_atexit "kill $(cat "$TRASH/jd/pid") 2>/dev/null || true"
JD_URL=$("$TOP/scripts/fake.sh" jd url "$TRASH/jd")
printf '[run]\nraw_dir = %s/raw\n[source.shop]\ntype = jd\nbase_url = %s/routerjson\ntoken_url = %s/oauth2/refresh_token\napp_key = jd-app\napp_secret = ${JD_SECRET}\naccess_token = ${JD_TOKEN}\nrefresh_token = ${JD_REFRESH}\nshop_id = jd-shop-1\nwindow = 1d\nstart = %s\npage_size = 20\nrps = 1000\nmax_reject_ratio = 1\n' \
	"$TRASH" "$JD_URL" "$JD_URL" "$(date -u -d '31 days ago' +%Y-%m-%d)" >"$TRASH/jd.conf"

test_expect_success 'a shop API source (jd against its fake): pages and orders as they come, windows done for the ETA' '
	SIYU_PROGRESS_EVERY=0 "$SIYU" --config jd.conf run --source shop >jd.out 2>jd.err &&
	test "$(progress_of shop jd.err | wc -l)" -gt 31 &&
	grep -q "msg=progress source=shop pages=[0-9]* records=[0-9]* rate=[0-9.]* done_pct=[0-9.]* eta_s=[0-9]*$" jd.err &&
	growing shop jd.err && final_is shop jd.err "$(last_run)" &&
	progress_of shop jd.err | tail -n 1 | grep -q "done_pct=100.0 eta_s=0 final=true$"
'

test_expect_success 'its replay from the raw zone reports the same pages and orders' '
	run=$(last_run) &&
	SIYU_PROGRESS_EVERY=0 "$SIYU" --config jd.conf replay --run "$run" --source shop >replay.out 2>replay.err &&
	growing shop replay.err && final_is shop replay.err "$(last_run)" &&
	test "$(test_psql "SELECT count(DISTINCT (pages, records_read)) FROM etl.run_source
	                    WHERE run_id IN ($run, $(last_run)) AND source = ${Q}shop${Q}")" = 1 &&
	progress_of shop replay.err | tail -n 1 | grep -q "done_pct=100.0 eta_s=0 final=true$"
'

fake_start wecom "${WECOM_CORP[@]}"
test_expect_success 'a WeCom snapshot: pages and records as they come, no ETA (its size is unknown)' '
	wecom_conf wecom.conf wecom &&
	SIYU_PROGRESS_EVERY=0 "$SIYU" --config wecom.conf run --source wecom >out 2>err &&
	test "$(progress_of wecom err | grep -vc done_pct)" -gt 3 &&
	growing wecom err && final_is wecom err "$(last_run)" &&
	progress_of wecom err | tail -n 1 | grep -q "done_pct=100.0 eta_s=0 final=true$"
'

test_expect_success 'on a terminal: one line redrawn in place and cleared, no logfmt progress, log lines on a line of their own' '
	command -v script >/dev/null || { echo "script(1) is missing (bsdutils)"; exit 1; } &&
	SIYU_PROGRESS_EVERY=0 script -qec "\"$SIYU\" --config run.conf run 2>&1 >/dev/null" /dev/null >tty.out &&
	grep -q "$(printf "\r\033\\[K")taobao_csv: 1 page, [0-9]* records, [0-9]*/s, [0-9]*% ETA" tty.out &&
	test_must_fail grep -q "msg=progress" tty.out &&
	grep -q "msg=\"unit committed\" source=taobao_csv" tty.out &&
	test_must_fail grep -Eq "(/s|ETA [0-9a-z?]+)ts=" tty.out
'

test_done

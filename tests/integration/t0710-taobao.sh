#!/usr/bin/env bash
test_description='taobao source against fake_taobao: a 30-day backfill equals the fake shop; after the shop changed, the next run applies exactly the changes; a third run changes nothing; every fault recovers to the clean warehouse or fails cleanly; replay'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-shop.sh"

export SIYU_HTTP_BACKOFF_SCALE=0.001
export TB_SECRET=tb-secret-0123 TB_SESSION=tb-session-0 TB_REFRESH=tb-refresh-0
Q="'"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
MAIN=$PGDATABASE
for db in t0710_empty t0710_clean t0710_faults t0710_replay; do
	copy_db $db "$MAIN" || die "cannot copy the database"
	test_atexit "PGDATABASE=postgres psql -Xq -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)' >/dev/null 2>&1 || true"
done

shop_start taobao --seed 11 --orders 150 --history-days 30 --bad-orders 2 \
	--app-key tb-app --app-secret "$TB_SECRET" --access-token "$TB_SESSION" --refresh-token "$TB_REFRESH"
START=$(date -u -d '31 days ago' +%Y-%m-%d)
# a fixed end for the fault runs, so that they plan the clean run's windows
UNTIL=$(date -u -d '1 day ago' '+%Y-%m-%d 00:00:00+00')
SINCE=$(date -u -d '5 days ago' '+%Y-%m-%d 00:00:00+00')

# conf FILE [LINES...]: the taobao source "shop" on the fake, one-day windows
conf() {
	local file=$1
	shift
	{
		printf '[run]\nraw_dir = %s\n\n' "$TRASH/raw"
		printf '[source.shop]\ntype = taobao\nbase_url = %s/router/rest\ntoken_url = %s/token\n' \
			"$FAKE_URL" "$FAKE_URL"
		printf 'app_key = tb-app\napp_secret = ${TB_SECRET}\nsession = ${TB_SESSION}\n'
		printf 'refresh_token = ${TB_REFRESH}\nshop_id = tb-shop-1\nstart = %s\n' "$START"
		printf 'window = 1d\npage_size = 20\nmax_reject_ratio = 1\nrps = 1000\n'
		printf 'timeout = 2\nconnect_timeout = 2\nretries = 3\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$file"
}
conf "$TRASH/shop.conf"
CONF=$TRASH/shop.conf

test_expect_success 'a 30-day backfill: the warehouse holds exactly the fake shop' '
	shop_run && grep -E "^shop +ok" out &&
	shop_truth >expect && shop_warehouse >actual && test_cmp expect actual &&
	test "$(shop_stat max_span)" -le 86400 && test "$(shop_stat max_page_size)" = 20 &&
	test "$(shop_stat rejected)" = 0
'

test_expect_success 'every page is in the raw zone, no secret or session in it or in the log' '
	run=$(test_psql "SELECT max(run_id) FROM etl.run_source WHERE source = ${Q}shop${Q}") &&
	pages=$(test_psql "SELECT pages FROM etl.run_source WHERE run_id = $run AND source = ${Q}shop${Q}") &&
	test "$(ls "$TRASH/raw/shop/$run" | grep -c "^orders-.*jsonl.gz$")" = "$pages" &&
	! grep -rq "$TB_SECRET" "$TRASH/raw" && ! grep -q "$TB_SESSION" "$TRASH/raw/shop/$run/manifest.jsonl" &&
	! grep -q "$TB_SECRET" err && ! grep -q "$TB_SESSION" err
'

test_expect_success 'rejected trades are in etl.reject with their JSON and reason' '
	test_psql "SELECT count(*) FROM etl.reject WHERE source = ${Q}shop${Q}
		AND raw LIKE ${Q}{\"tid\":%${Q}
		AND (reason LIKE ${Q}status: unknown order status%${Q} OR reason LIKE ${Q}price: more than 2 decimals%${Q})" >actual &&
	echo 2 >expect && test_cmp expect actual
'

test_expect_success 'after the shop changed, the next run applies exactly the changes' '
	shop_admin "/__admin/mutate?step=1" >done &&
	u=$(sed -n "s/.*\"updated\":\([0-9]*\).*/\1/p" done) &&
	a=$(sed -n "s/.*\"added\":\([0-9]*\).*/\1/p" done) &&
	test "$u" -gt 0 &&
	shop_run && grep -E "^shop +ok.*inserted $a, updated $u," out &&
	shop_truth >expect && shop_warehouse >actual && test_cmp expect actual
'

test_expect_success 'a third run inserts and updates nothing' '
	test_fingerprint | grep -v "^etl.watermark:" >before.fp &&
	shop_run && grep -E "^shop +ok.*inserted 0, updated 0," out &&
	test_fingerprint | grep -v "^etl.watermark:" >after.fp && test_cmp before.fp after.fp
'

# The faults: each on a fresh warehouse over the same five days, against a clean run.
faults_db() { copy_db t0710_faults t0710_empty; }
period() { PGDATABASE=$1 "$SIYU" --config "${2:-$CONF}" run --source shop --since "$SINCE" --until "$UNTIL"; }

test_expect_success 'the clean run of the fault period' '
	period t0710_clean >clean.out 2>clean.err &&
	PGDATABASE=t0710_clean test_fingerprint >clean.fp
'

recovers() {
	local name=$1
	shift
	test_when_finished "shop_admin /__admin/fault?clear=1 >/dev/null" &&
	for spec in "$@"; do shop_admin "/__admin/fault?$spec" >/dev/null || return 1; done &&
	faults_db &&
	period t0710_faults >"$name.out" 2>"$name.err" &&
	PGDATABASE=t0710_faults test_fingerprint >"$name.fp" && test_cmp clean.fp "$name.fp"
}

fails_cleanly() {
	local name=$1 conf=$2
	shift 2
	test_when_finished "shop_admin /__admin/fault?clear=1 >/dev/null" &&
	for spec in "$@"; do shop_admin "/__admin/fault?$spec" >/dev/null || return 1; done &&
	faults_db && PGDATABASE=t0710_faults test_fingerprint >"$name.before" &&
	test_expect_code 1 period t0710_faults "$conf" >"$name.out" 2>"$name.err" &&
	PGDATABASE=t0710_faults test_fingerprint >"$name.after" && test_cmp "$name.before" "$name.after"
}

test_expect_success 'HTTP 500 and 429, TOP code 7 with its ban, the session expiring, slow and cut answers: all recovered, the clean warehouse' '
	t0=$(shop_stat token_calls) &&
	recovers faults "http=500&count=2" "http=429&retry_after=1&at=3" "top=7&ban=3&at=4" \
		"token_invalid=1&at=6" "slow_ms=2500&at=8" "truncate=1&at=10" &&
	grep -q "retrying request" faults.err &&
	grep -q "rate limited, waiting.*wait_ms=4000" faults.err &&
	grep -q "token rejected, getting a new one" faults.err &&
	test "$(shop_stat token_calls)" = $((t0 + 1)) &&
	test "$(shop_stat faults_fired)" -ge 7
'

test_expect_success 'a page that stays broken fails the source cleanly, naming platform, shop, window and page' '
	fails_cleanly down "$CONF" "http=500&count=100" &&
	grep -E "source failed.*object=\"taobao shop tb-shop-1 window [0-9-]+ [0-9:]+\.\.[0-9-]+ [0-9:]+ page 1\"" down.err
'

test_expect_success 'malformed JSON fails cleanly and keeps the raw page' '
	fails_cleanly badjson "$CONF" "invalid_json=1" &&
	grep -q "the answer is not a JSON object" badjson.err && grep -q "raw page kept at" badjson.err
'

test_expect_success 'a TOP business error fails cleanly' '
	fails_cleanly biz "$CONF" "top=15" && grep -q "TOP error 15" biz.err
'

test_expect_success 'an expired session without a refresh token is a clear configuration error' '
	grep -v "^refresh_token" "$CONF" >norefresh.conf &&
	fails_cleanly norefresh norefresh.conf "token_invalid=1" &&
	grep -q "no refresh_token is set: authorize the app again" norefresh.err
'

test_expect_success 'a wrong app secret: TOP code 25, never the secret in the message' '
	TB_SECRET=wrong-secret-value test_expect_code 1 "$SIYU" --config "$CONF" run --source shop >out 2>err &&
	grep -q "TOP error 25.*check app_key and app_secret" err && ! grep -q wrong-secret-value err
'

test_expect_success 'replay of the clean run from the raw zone rebuilds its warehouse' '
	run=$(PGDATABASE=t0710_clean test_psql "SELECT max(run_id) FROM etl.run") &&
	PGDATABASE=t0710_replay "$SIYU" --config "$CONF" replay --run "$run" --source shop >replay.out 2>replay.err &&
	PGDATABASE=t0710_replay test_fingerprint >replay.fp && test_cmp clean.fp replay.fp
'

test_done

#!/usr/bin/env bash
test_description='taobao source against fake_taobao: a 30-day backfill equals the fake shop; after the shop changed, the next run applies exactly the changes; a third run changes nothing; every fault recovers to the clean warehouse or fails cleanly; replay'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-shop.sh"

export SIYU_HTTP_BACKOFF_SCALE=0.001
TB_SECRET=tb-secret-0123 TB_SESSION=tb-session-0 TB_REFRESH=tb-refresh-0
export TB_SECRET TB_SESSION TB_REFRESH
SHOP_SECRETS="$TB_SECRET $TB_SESSION $TB_REFRESH"

shop_setup t0710 taobao --seed 11 --orders 150 --history-days 30 --bad-orders 2 \
	--app-key tb-app --app-secret "$TB_SECRET" --access-token "$TB_SESSION" --refresh-token "$TB_REFRESH"
START=$(date -u -d '31 days ago' +%Y-%m-%d)
# the fault period, fixed, so that every run of it plans the clean run's windows
SINCE=$(date -u -d '5 days ago' '+%Y-%m-%d 00:00:00+00')
UNTIL=$(date -u -d '1 day ago' '+%Y-%m-%d 00:00:00+00')

shop_source_conf() {
	printf 'base_url = %s/router/rest\ntoken_url = %s/token\n' "$FAKE_URL" "$FAKE_URL"
	printf 'app_key = tb-app\napp_secret = ${TB_SECRET}\nsession = ${TB_SESSION}\n'
	printf 'refresh_token = ${TB_REFRESH}\nshop_id = tb-shop-1\nwindow = 1d\n'
}
CONF=$TRASH/shop.conf
shop_conf "$CONF"

shop_test_loads 86400

test_expect_success 'rejected trades are in etl.reject with their JSON and reason' '
	test "$(shop_rejects "{\"tid\":" "^(status: unknown order status|price: more than 2 decimals)")" = 2
'

test_expect_success 'HTTP 500 and 429, TOP code 7 with its ban, the session expiring, slow and cut answers: all recovered, the clean warehouse' '
	t0=$(shop_stat token_calls) &&
	shop_recovers faults "http=500&count=2" "http=429&retry_after=1&at=3" "top=7&ban=3&at=4" \
		"token_invalid=1&at=6" "slow_ms=2500&at=8" "truncate=1&at=10" &&
	grep -q "retrying request" faults.err &&
	grep -q "rate limited, waiting.*wait_ms=4000" faults.err &&
	grep -q "token rejected, getting a new one" faults.err &&
	test "$(shop_stat token_calls)" = $((t0 + 1)) &&
	test "$(shop_stat faults_fired)" -ge 7
'

shop_test_broken_pages tb-shop-1 1

test_expect_success 'a TOP business error fails cleanly' '
	shop_fails_cleanly biz "$CONF" "top=15" && grep -q "TOP error 15" biz.err
'

test_expect_success 'an expired session without a refresh token is a clear configuration error' '
	grep -v "^refresh_token" "$CONF" >norefresh.conf &&
	shop_fails_cleanly norefresh norefresh.conf "token_invalid=1" &&
	grep -q "no refresh_token is set: authorize the app again" norefresh.err
'

test_expect_success 'a wrong app secret: TOP code 25, never the secret in the message' '
	TB_SECRET=wrong-secret-value test_expect_code 1 "$SIYU" --config "$CONF" run --source shop >out 2>err &&
	grep -q "TOP error 25.*check app_key and app_secret" err && ! grep -q wrong-secret-value err
'

shop_test_replay

test_done

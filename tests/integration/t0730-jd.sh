#!/usr/bin/env bash
test_description='jd source against fake_jd: a 30-day backfill equals the fake shop; after the shop changed, the next run applies exactly the changes; a third run changes nothing; every fault recovers to the clean warehouse or fails cleanly; replay'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-shop.sh"

export SIYU_HTTP_BACKOFF_SCALE=0.001
JD_SECRET=jd-secret-0123 JD_TOKEN=jd-token-0 JD_REFRESH=jd-refresh-0
export JD_SECRET JD_TOKEN JD_REFRESH
SHOP_SECRETS="$JD_SECRET $JD_TOKEN $JD_REFRESH"

shop_setup t0730 jd --seed 13 --orders 120 --history-days 30 --bad-orders 2 \
	--app-key jd-app --app-secret "$JD_SECRET" --access-token "$JD_TOKEN" --refresh-token "$JD_REFRESH"
START=$(date -u -d '31 days ago' +%Y-%m-%d)
# the fault period, fixed, so that every run of it plans the clean run's windows
SINCE=$(date -u -d '6 days ago' '+%Y-%m-%d 00:00:00+00')
UNTIL=$(date -u -d '1 day ago' '+%Y-%m-%d 00:00:00+00')

shop_source_conf() {
	printf 'base_url = %s/routerjson\ntoken_url = %s/oauth2/refresh_token\n' "$FAKE_URL" "$FAKE_URL"
	printf 'app_key = jd-app\napp_secret = ${JD_SECRET}\naccess_token = ${JD_TOKEN}\n'
	printf 'refresh_token = ${JD_REFRESH}\nshop_id = jd-shop-1\nwindow = 1d\n'
}
CONF=$TRASH/shop.conf
shop_conf "$CONF"

shop_test_loads 86400

test_expect_success 'rejected orders are in etl.reject with their JSON and reason' '
	test "$(shop_rejects "{\"orderId\":" "^(orderState: unknown order status|jdPrice: more than 2 decimals)")" = 2
'

test_expect_success 'HTTP 500 and 429, the token expiring, slow and cut answers: all recovered, the clean warehouse' '
	t0=$(shop_stat token_calls) &&
	shop_recovers faults "http=500&count=2" "http=429&retry_after=1&at=3" \
		"token_invalid=1&at=5" "slow_ms=2500&at=7" "truncate=1&at=9" &&
	grep -q "retrying request" faults.err &&
	grep -q "token rejected, getting a new one" faults.err &&
	test "$(shop_stat token_calls)" = $((t0 + 1)) &&
	test "$(shop_stat faults_fired)" -ge 6
'

shop_test_broken_pages jd-shop-1 1

test_expect_success 'a JD business error fails cleanly' '
	shop_fails_cleanly biz "$CONF" "jd=66" && grep -q "JD error 66" biz.err
'

test_expect_success 'an expired token without a refresh token is a clear configuration error' '
	grep -v "^refresh_token" "$CONF" >norefresh.conf &&
	shop_fails_cleanly norefresh norefresh.conf "token_invalid=1" &&
	grep -q "no refresh_token is set: authorize the app again" norefresh.err
'

test_expect_success 'a wrong app secret: JD code 12, never the secret in the message' '
	JD_SECRET=wrong-secret-value test_expect_code 1 "$SIYU" --config "$CONF" run --source shop >out 2>err &&
	grep -q "JD error 12.*check app_key and app_secret" err && ! grep -q wrong-secret-value err
'

shop_test_replay

test_done

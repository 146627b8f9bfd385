#!/usr/bin/env bash
test_description='douyin source against fake_douyin: a 30-day backfill equals the fake shop; after the shop changed, the next run applies exactly the changes; a third run changes nothing; every fault recovers to the clean warehouse or fails cleanly; replay'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-shop.sh"

export SIYU_HTTP_BACKOFF_SCALE=0.001
DY_SECRET=dy-secret-0123 DY_TOKEN=dy-token-1
export DY_SECRET DY_TOKEN
SHOP_SECRETS="$DY_SECRET $DY_TOKEN"

# a self-use app: the token comes from token.create for the shop
shop_setup t0740 douyin --seed 14 --orders 120 --history-days 30 --bad-orders 2 \
	--app-key 7000000000000000001 --app-secret "$DY_SECRET" --shop-id 4463798
START=$(date -u -d '31 days ago' +%Y-%m-%d)
# the fault period, fixed, so that every run of it plans the clean run's windows
SINCE=$(date -u -d '6 days ago' '+%Y-%m-%d 00:00:00+00')
UNTIL=$(date -u -d '1 day ago' '+%Y-%m-%d 00:00:00+00')

shop_source_conf() {
	printf 'base_url = %s\napp_key = 7000000000000000001\n' "$FAKE_URL"
	printf 'app_secret = ${DY_SECRET}\nshop_id = 4463798\nwindow = 1d\n'
}
CONF=$TRASH/shop.conf
shop_conf "$CONF"

shop_test_loads 86400

test_expect_success 'rejected orders are in etl.reject with their JSON and reason' '
	test "$(shop_rejects "{\"order_id\":" "^(order_status: unknown order status|origin_amount: not an integer)")" = 2
'

test_expect_success 'HTTP 500 and 429, Douyin 60000, the token expiring, slow and cut answers: all recovered, the clean warehouse' '
	t0=$(shop_stat token_calls) &&
	shop_recovers faults "http=500&count=2" "http=429&retry_after=1&at=3" "douyin=60000&at=4" \
		"token_invalid=1&at=6" "slow_ms=2500&at=8" "truncate=1&at=10" &&
	grep -q "retrying request" faults.err &&
	grep -q "rate limited, waiting.*Douyin error 60000" faults.err &&
	grep -q "token rejected, getting a new one" faults.err &&
	test "$(shop_stat token_calls)" = $((t0 + 2)) &&
	test "$(shop_stat faults_fired)" -ge 7
'

shop_test_broken_pages 4463798 0

test_expect_success 'a Douyin business error fails cleanly' '
	shop_fails_cleanly biz "$CONF" "douyin=70000" && grep -q "Douyin error 70000" biz.err
'

test_expect_success 'an expired access_token without shop_id is a clear configuration error' '
	{ grep -v "^shop_id" "$CONF" && echo "access_token = \${DY_TOKEN}"; } >noshop.conf &&
	shop_fails_cleanly noshop noshop.conf "token_invalid=1" &&
	grep -q "no shop_id is set for token.create" noshop.err
'

test_expect_success 'a wrong app secret: no token for the shop, never the secret in the message' '
	DY_SECRET=wrong-secret-value test_expect_code 1 "$SIYU" --config "$CONF" run --source shop >out 2>err &&
	grep -q "token.create: no token for shop_id 4463798.*check app_key, app_secret and shop_id" err &&
	! grep -q wrong-secret-value err
'

shop_test_replay

test_done

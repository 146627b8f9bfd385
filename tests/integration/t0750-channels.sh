#!/usr/bin/env bash
test_description='channels source against fake_channels: a 30-day backfill equals the fake shop; after the shop changed, the next run applies exactly the changes; a third run changes nothing; every fault recovers to the clean warehouse or fails cleanly; replay'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-shop.sh"

export SIYU_HTTP_BACKOFF_SCALE=0.001
CH_SECRET=ch-secret-0123
export CH_SECRET
SHOP_SECRETS="$CH_SECRET"

shop_setup t0750 channels --seed 15 --orders 100 --history-days 30 --bad-orders 2 \
	--app-key wx-channels-app --app-secret "$CH_SECRET"
START=$(date -u -d '31 days ago' +%Y-%m-%d)
# the fault period, fixed, so that every run of it plans the clean run's windows
SINCE=$(date -u -d '6 days ago' '+%Y-%m-%d 00:00:00+00')
UNTIL=$(date -u -d '1 day ago' '+%Y-%m-%d 00:00:00+00')

shop_source_conf() {
	printf 'base_url = %s\nappid = wx-channels-app\nappsecret = ${CH_SECRET}\n' "$FAKE_URL"
	printf 'shop_id = ch-shop-1\nwindow = 1d\n'
}
CONF=$TRASH/shop.conf
shop_conf "$CONF"

shop_test_loads 86400

test_expect_success 'rejected orders are in etl.reject with their JSON and reason' '
	test "$(shop_rejects "{\"errcode\":0,\"errmsg\":\"ok\",\"order\":{\"order_id\":" \
		"^(status: unknown order status|sale_price: not an integer)")" = 2
'

test_expect_success 'HTTP 500 and 429, the quota errcodes, the token expiring, slow and cut answers, on lists and details: all recovered, the clean warehouse' '
	t0=$(shop_stat token_calls) &&
	shop_recovers faults "http=500&count=2" "http=429&retry_after=1&at=3&path=order/get" \
		"errcode=45011&at=4" "errcode=-1&at=2&path=order/list" "token_invalid=1&at=6" \
		"slow_ms=2500&at=8&path=order/get" "truncate=1&at=10" &&
	grep -q "retrying request" faults.err &&
	grep -q "rate limited, waiting.*Channels errcode 45011" faults.err &&
	grep -q "token rejected, getting a new one" faults.err &&
	test "$(shop_stat token_calls)" = $((t0 + 2)) &&
	test "$(shop_stat faults_fired)" -ge 8
'

shop_test_broken_pages ch-shop-1 1 "a list page"

test_expect_success 'an order detail that stays broken fails the source cleanly, naming the order' '
	shop_fails_cleanly detail "$CONF" "http=500&count=100&path=order/get" &&
	grep -E "source failed.*object=\"channels shop ch-shop-1 window [0-9-]+ [0-9:]+\.\.[0-9-]+ [0-9:]+ order [0-9]+\"" detail.err
'

test_expect_success 'a Channels business error fails cleanly' '
	shop_fails_cleanly biz "$CONF" "errcode=48001" && grep -q "Channels errcode 48001" biz.err
'

test_expect_success 'a wrong app secret: stable_token refuses, never the secret in the message' '
	CH_SECRET=wrong-secret-value test_expect_code 1 "$SIYU" --config "$CONF" run --source shop >out 2>err &&
	grep -q "stable_token: errcode 40125.*check appid and secret" err && ! grep -q wrong-secret-value err
'

shop_test_replay

test_done

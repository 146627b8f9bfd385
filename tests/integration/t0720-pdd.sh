#!/usr/bin/env bash
test_description='pdd source against fake_pdd: a backfill equals the fake shop; after the shop changed, the next run applies exactly the changes; a third run changes nothing; every fault recovers to the clean warehouse or fails cleanly; replay'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-shop.sh"

export SIYU_HTTP_BACKOFF_SCALE=0.001
PDD_SECRET=pdd-secret-0123 PDD_TOKEN=pdd-token-0 PDD_REFRESH=pdd-refresh-0
export PDD_SECRET PDD_TOKEN PDD_REFRESH
SHOP_SECRETS="$PDD_SECRET $PDD_TOKEN $PDD_REFRESH"
# PDD's windows are 30 minutes: a small shop over a few days keeps the run quick
DAYS=${SHOP_DAYS:-2}

shop_setup t0720 pdd --seed 12 --orders $((DAYS * 40)) --history-days "$DAYS" --bad-orders 2 \
	--app-key pdd-client --app-secret "$PDD_SECRET" --access-token "$PDD_TOKEN" --refresh-token "$PDD_REFRESH"
START=$(date -u -d "$((DAYS + 1)) days ago" +%Y-%m-%d)
# the fault period, fixed, so that every run of it plans the clean run's windows
SINCE=$(date -u -d '1 day ago' '+%Y-%m-%d 00:00:00+00')
UNTIL=$(date -u -d '1 day ago' '+%Y-%m-%d 12:00:00+00')

shop_source_conf() {
	printf 'base_url = %s/api/router\nclient_id = pdd-client\n' "$FAKE_URL"
	printf 'client_secret = ${PDD_SECRET}\naccess_token = ${PDD_TOKEN}\n'
	printf 'refresh_token = ${PDD_REFRESH}\nshop_id = pdd-shop-1\nwindow = 30m\n'
}
CONF=$TRASH/shop.conf
shop_conf "$CONF"

shop_test_loads 1800

test_expect_success 'rejected orders are in etl.reject with their JSON and reason' '
	test "$(shop_rejects "{\"order_sn\":" "^(confirm_status/order_status/refund_status: unknown order status|goods_price: more than 2 decimals)")" = 2
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

shop_test_broken_pages pdd-shop-1 1

test_expect_success 'a PDD business error fails cleanly' '
	shop_fails_cleanly biz "$CONF" "pdd=70031" && grep -q "PDD error 70031" biz.err
'

test_expect_success 'an expired token without a refresh token is a clear configuration error' '
	grep -v "^refresh_token" "$CONF" >norefresh.conf &&
	shop_fails_cleanly norefresh norefresh.conf "token_invalid=1" &&
	grep -q "no refresh_token is set: authorize the app again" norefresh.err
'

test_expect_success 'a wrong client secret: PDD code 20004, never the secret in the message' '
	PDD_SECRET=wrong-secret-value test_expect_code 1 "$SIYU" --config "$CONF" run --source shop >out 2>err &&
	grep -q "PDD error 20004.*check client_id and client_secret" err && ! grep -q wrong-secret-value err
'

shop_test_replay

test_done

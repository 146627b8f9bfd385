#!/usr/bin/env bash
test_description='one order by file and by API (same platform, shop, order number) is one order; the newer version wins'
. "$(dirname "$0")/../lib.sh"

export SIYU_HTTP_BACKOFF_SCALE=0.001
export YOUZAN_SECRET=test-secret
export SIYU_PII_KEY=t0810-test-key-0123456789
Q="'"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"

"$TOP/scripts/fake-youzan.sh" start "$TRASH/fake" --seed 11 --orders 30 --history-days 20 \
	--end "2025-03-20 12:00:00" --kdt-id 12345678 >/dev/null || die "cannot start the fake"
test_atexit "kill $(cat "$TRASH/fake/pid") 2>/dev/null || true"
URL=$("$TOP/scripts/fake-youzan.sh" url "$TRASH/fake")
{
	printf '[run]\nraw_dir = %s\n\n' "$TRASH/raw"
	printf '[source.yz]\ntype = youzan\nbase_url = %s\nclient_id = test-client\n' "$URL"
	printf 'client_secret = ${YOUZAN_SECRET}\nkdt_id = 12345678\nstart = 2025-02-01\n'
	printf 'window = 30d\nmax_reject_ratio = 0.2\nrps = 1000\ntimeout = 2\nretries = 2\n'
} >"$TRASH/yz.conf"

# one_order NO: the warehouse's copies of order NO (identities, status, paid, version)
one_order() {
	test_psql "select count(*), max(f.status), max(f.paid_fen), max(to_char(i.source_version at time zone ${Q}Asia/Shanghai${Q}, ${Q}YYYY-MM-DD HH24:MI:SS${Q}))
		from dw.order_identity i join dw.dim_channel c using (channel_key)
		join dw.fact_order f using (order_key)
		where c.platform = ${Q}youzan${Q} and c.shop_id = ${Q}12345678${Q} and i.order_no = ${Q}$1${Q}"
}

# export_file FILE NO STATUS PAID_AT: a Youzan 订单+商品明细 export holding order NO
export_file() {
	{
		printf '\357\273\277订单号,订单商品状态,商品名称,规格编码,商品单价,商品数量,商品实际成交金额,'
		printf '商品退款状态,商品已退款金额,订单创建时间,买家付款时间,运费\n'
		printf '%s,%s,咖啡豆,CF-1,59.90,1,59.90,%s,%s,2025-01-01 10:00:00,%s,0.00\n' "$2" "$3" \
			"$([ "$3" = 交易关闭 ] && echo 退款成功)" "$([ "$3" = 交易关闭 ] && echo 59.90)" "$4"
	} >"$1"
}

test_expect_success 'the API loads the shop' '
	"$SIYU" --config "$TRASH/yz.conf" run --source yz >out 2>err &&
	test_psql "select i.order_no from dw.order_identity i join dw.fact_order f using (order_key)
		where f.status = ${Q}completed${Q} order by i.order_no limit 1" >no &&
	test -s no
'

test_expect_success 'an export older than the API copy changes nothing: still one order' '
	no=$(cat no) &&
	one_order "$no" >before &&
	export_file old.csv "$no" 交易关闭 "2025-01-01 10:01:00" &&
	"$SIYU" import --profile youzan --shop 12345678 --as-of "2025-01-15 00:00:00" old.csv >out 2>err &&
	grep -q "orders inserted 0, updated 0, unchanged 1" out &&
	one_order "$no" >after && test_cmp before after &&
	cut -d"|" -f1 after >n && echo 1 >expect && test_cmp expect n
'

test_expect_success 'a newer export replaces the API copy: still one order, the file'\''s state' '
	no=$(cat no) &&
	export_file new.csv "$no" 交易关闭 "2025-01-01 10:01:00" &&
	"$SIYU" import --profile youzan --shop 12345678 --as-of "2025-04-01 09:00:00" new.csv >out 2>err &&
	grep -q "orders inserted 0, updated 1, unchanged 0" out &&
	one_order "$no" >actual &&
	echo "1|refunded|5990|2025-04-01 09:00:00" >expect && test_cmp expect actual
'

test_expect_success 'the API again (its copy is older than the export) changes nothing' '
	no=$(cat no) &&
	"$SIYU" --config "$TRASH/yz.conf" run --source yz --since 2025-02-01 >out 2>err &&
	one_order "$no" >actual &&
	echo "1|refunded|5990|2025-04-01 09:00:00" >expect && test_cmp expect actual &&
	test_psql "select count(*) from dw.dim_channel where platform = ${Q}youzan${Q}" >actual &&
	echo 1 >expect && test_cmp expect actual
'

test_done

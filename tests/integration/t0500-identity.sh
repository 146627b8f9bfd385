#!/usr/bin/env bash
test_description='identity resolution through siyu import: Taobao, WeCom (the loader'"'"'s SQL), Youzan; phones written differently; merges; reruns'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0500-test-key-0123456789
Q="'"
HDR=platform,shop_id,shop_name,order_no,line_no,status,created_at,paid_at,updated_at,buyer_id,buyer_unionid,buyer_phone,sku,product_title,quantity,unit_price,line_paid,line_refund,shipping_fee,order_discount

# What siyu stores for a phone: HMAC-SHA256 of the normalized 11 digits, hex.
phone_hash() {
	printf %s "$1" | openssl dgst -sha256 -hmac "$SIYU_PII_KEY" -r | cut -d' ' -f1
}

# The WeCom side, the way a WeCom loader does it in its source transaction: the contact's
# identifiers through dw.resolve_customers, then the relationship and its add event.
# wecom_add EXTERNAL_USERID STAFF ADDED_AT UNIONID PHONE_DIGITS
wecom_add() {
	local hash=
	[ -z "$5" ] || hash=$(phone_hash "$5")
	psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<-EOSQL
	BEGIN;
	SET client_min_messages = warning;
	CREATE TEMP TABLE w_run ON COMMIT DROP AS
	  WITH r AS (INSERT INTO etl.run (command, status) VALUES ('run', 'running') RETURNING run_id) SELECT run_id FROM r;
	CREATE TEMP TABLE tmp_id_link ON COMMIT DROP AS
	SELECT * FROM (VALUES (1::bigint, 'external_userid', '', '$1', NULL, '$3'::timestamptz, 'wecom'),
	                      (1, 'unionid', '', NULLIF('$4', ''), NULL, '$3', 'wecom'),
	                      (1, 'phone', '', NULLIF('$hash', ''), '${5:0:3}****${5:7:4}', '$3', 'wecom')) v
	         (rec, id_type, platform, id_value, display_value, seen_at, source)
	 WHERE id_value IS NOT NULL;
	SELECT dw.resolve_customers((SELECT run_id FROM w_run), 'wecom');
	INSERT INTO dw.dim_staff (userid, name) VALUES ('$2', '$2') ON CONFLICT (userid) DO NOTHING;
	INSERT INTO dw.fact_contact (staff_key, customer_key, added_at, first_run_id, run_id)
	SELECT s.staff_key, r.customer_key, '$3', w.run_id, w.run_id
	  FROM tmp_rec_customer r, dw.dim_staff s, w_run w WHERE s.userid = '$2'
	ON CONFLICT (staff_key, customer_key) DO NOTHING;
	INSERT INTO dw.fact_contact_event (staff_key, customer_key, event_type, occurred_at, date_key, time_is_exact, origin, run_id)
	SELECT s.staff_key, r.customer_key, 'add', '$3', dw.date_key_of('$3'), true, 'snapshot', w.run_id
	  FROM tmp_rec_customer r, dw.dim_staff s, w_run w WHERE s.userid = '$2'
	ON CONFLICT DO NOTHING;
	COMMIT;
	EOSQL
}

cust_of() { # cust_of ID_TYPE VALUE [PLATFORM]
	test_psql "select customer_key from dw.customer_identity
		where id_type = ${Q}$1${Q} and platform = ${Q}${3:-}${Q} and id_value = ${Q}$2${Q}"
}

# The keys themselves (test_fingerprint compares rows by natural keys, not keys): a rerun
# must not renumber or merge anybody.
fingerprint() {
	test_psql "select md5(string_agg(t, ${Q};${Q} order by t)) from (
		select (customer_key, first_seen_at, first_contact_at, first_order_at, acquisition_source)::text t from dw.dim_customer
		union all select (id_type, platform, id_value, customer_key, first_seen_at)::text from dw.customer_identity
		union all select (from_key, into_key)::text from dw.customer_merge
		union all select (order_key, customer_key, order_seq, is_first_order, source_version)::text from dw.fact_order
		union all select (staff_key, customer_key, added_at)::text from dw.fact_contact) x"
}

test_expect_success 'Taobao: buyer id and phone make a customer' '
	{ echo "$HDR" &&
	  echo "taobao,tb1,淘宝店,4200000000000000001,1,交易成功,2024-01-10 10:00:00,2024-01-10 10:05:00,2024-01-10 10:05:00,tb_amy,,13912345678,SKU-1,茶,1,100.00,100.00,,," ; } >taobao.csv &&
	"$SIYU" import taobao.csv >out 2>err &&
	grep -q "orders inserted 1," out &&
	cust_of buyer_id tb_amy taobao >amy && test -s amy &&
	cust_of phone "$(phone_hash 13912345678)" >actual && test_cmp amy actual
'

test_expect_success 'WeCom adds her with the same phone and a unionid: the same customer' '
	wecom_add wm_amy zhangsan "2024-02-01 09:00+08" oAmyUnion0000000000000000001 13912345678 &&
	cust_of external_userid wm_amy >actual && test_cmp amy actual &&
	cust_of unionid oAmyUnion0000000000000000001 >actual && test_cmp amy actual
'

test_expect_success 'Youzan with that unionid, and the phone written +86 / spaces / dashes elsewhere: one customer' '
	{ echo "$HDR" &&
	  echo "youzan,yz1,有赞店,E20240301100000000001,,交易成功,2024-03-01 10:00:00,2024-03-01 10:05:00,2024-03-01 10:05:00,yz_amy,oAmyUnion0000000000000000001,,SKU-2,杯,1,50.00,50.00,,," &&
	  echo "jd,jd1,京东店,JD0001,,交易成功,2024-03-02 10:00:00,2024-03-02 10:05:00,2024-03-02 10:05:00,jd_amy,,+86 139 1234 5678,SKU-3,壶,1,80.00,80.00,,," &&
	  echo "pdd,pdd1,拼多多店,PDD0001,,交易成功,2024-03-03 10:00:00,2024-03-03 10:05:00,2024-03-03 10:05:00,pdd_amy,,139-1234-5678,SKU-4,碗,1,20.00,20.00,,," ; } >later.csv &&
	"$SIYU" import later.csv >out 2>err &&
	grep -q "orders inserted 3," out &&
	for id in "buyer_id yz_amy youzan" "buyer_id jd_amy jd" "buyer_id pdd_amy pdd"; do
		cust_of $id >actual && test_cmp amy actual || exit 1
	done &&
	test_psql "select count(*), count(distinct id_value) from dw.customer_identity where id_type = ${Q}phone${Q}" >actual &&
	echo "1|1" >expect && test_cmp expect actual &&
	test_psql "select count(*) from dw.dim_customer" >actual && echo 1 >expect && test_cmp expect actual &&
	test_psql "select count(*) from dw.customer_merge" >actual && echo 0 >expect && test_cmp expect actual
'

test_expect_success 'her first_* times and order sequence' '
	test_psql "set timezone = ${Q}Asia/Shanghai${Q}; select first_seen_at, first_contact_at, first_order_at, acquisition_source
		from dw.dim_customer where customer_key = $(cat amy)" >actual &&
	echo "2024-01-10 10:00:00+08|2024-02-01 09:00:00+08|2024-01-10 10:05:00+08|taobao" >expect &&
	test_cmp expect actual &&
	test_psql "select i.order_no, f.order_seq, f.is_first_order from dw.fact_order f join dw.order_identity i using (order_key)
		where f.customer_key = $(cat amy) order by f.order_seq" >actual &&
	cat >expect <<-\EOT &&
	4200000000000000001|1|t
	E20240301100000000001|2|f
	JD0001|3|f
	PDD0001|4|f
	EOT
	test_cmp expect actual
'

test_expect_success 'a file whose rows link A–B, B–C, C–D is one customer' '
	{ echo "$HDR" &&
	  echo "taobao,tb1,淘宝店,4200000000000000101,1,paid,2024-05-01 10:00:00,2024-05-01 10:05:00,2024-05-01 10:05:00,tb_bo,,13800000101,S,x,1,1.00,1.00,,," &&
	  echo "youzan,yz1,有赞店,E20240501100000000102,,paid,2024-05-02 10:00:00,2024-05-02 10:05:00,2024-05-02 10:05:00,yz_bo,oBoUnion00000000000000000001,138 0000 0101,S,x,1,1.00,1.00,,," &&
	  echo "jd,jd1,京东店,JD0103,,paid,2024-05-03 10:00:00,2024-05-03 10:05:00,2024-05-03 10:05:00,jd_bo,oBoUnion00000000000000000001,13800000102,S,x,1,1.00,1.00,,," &&
	  echo "pdd,pdd1,拼多多店,PDD0104,,paid,2024-05-04 10:00:00,2024-05-04 10:05:00,2024-05-04 10:05:00,pdd_bo,,+8613800000102,S,x,1,1.00,1.00,,," ; } >chain.csv &&
	"$SIYU" import chain.csv >out 2>err &&
	grep -q "orders inserted 4," out &&
	test_psql "select count(distinct customer_key) from dw.customer_identity where id_value like ${Q}%_bo${Q}" >actual &&
	echo 1 >expect && test_cmp expect actual &&
	test_psql "select string_agg(order_seq::text, ${Q},${Q} order by f.paid_at) from dw.fact_order f
		where customer_key = $(cust_of buyer_id tb_bo taobao)" >actual &&
	echo "1,2,3,4" >expect && test_cmp expect actual
'

test_expect_success 'three customers that turn out to be one merge into the oldest, facts re-pointed' '
	{ echo "$HDR" &&
	  echo "youzan,yz1,有赞店,E20240601100000000201,,交易成功,2024-06-10 10:00:00,2024-06-10 10:05:00,2024-06-10 10:05:00,yz_cy,oCyUnion00000000000000000001,,S,x,1,10.00,10.00,,," ; } >cy1.csv &&
	{ echo "$HDR" &&
	  echo "taobao,tb1,淘宝店,4200000000000000202,1,交易成功,2024-06-01 10:00:00,2024-06-01 10:05:00,2024-06-01 10:05:00,tb_cy,,13700000202,S,x,1,10.00,10.00,,," &&
	  echo "taobao,tb1,淘宝店,4200000000000000203,1,交易成功,2024-06-20 10:00:00,2024-06-20 10:05:00,2024-06-20 10:05:00,tb_cy,,13700000202,S,x,1,10.00,10.00,,," ; } >cy2.csv &&
	"$SIYU" import cy1.csv >/dev/null 2>&1 && "$SIYU" import cy2.csv >/dev/null 2>&1 &&
	wecom_add wm_cy lisi "2024-06-05 09:00+08" "" "" &&
	cust_of buyer_id yz_cy youzan >k1 && cust_of buyer_id tb_cy taobao >k2 && cust_of external_userid wm_cy >k3 &&
	test "$(cat k1)" -lt "$(cat k2)" && test "$(cat k2)" -lt "$(cat k3)" &&
	wecom_add wm_cy lisi "2024-06-05 09:00+08" oCyUnion00000000000000000001 13700000202 &&
	test_psql "select from_key || ${Q}>${Q} || into_key from dw.customer_merge order by from_key" >actual &&
	printf "%s>%s\n" "$(cat k2)" "$(cat k1)" "$(cat k3)" "$(cat k1)" >expect && test_cmp expect actual &&
	test_psql "select count(*) from dw.dim_customer where customer_key in ($(cat k2), $(cat k3))" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	test_psql "select i.order_no, f.customer_key = $(cat k1), f.order_seq from dw.fact_order f join dw.order_identity i using (order_key)
		where i.order_no in (${Q}E20240601100000000201${Q}, ${Q}4200000000000000202${Q}, ${Q}4200000000000000203${Q})
		order by f.order_seq" >actual &&
	cat >expect <<-\EOT &&
	4200000000000000202|t|1
	E20240601100000000201|t|2
	4200000000000000203|t|3
	EOT
	test_cmp expect actual &&
	test_psql "select count(*) from dw.fact_contact where customer_key = $(cat k1)" >actual &&
	echo 1 >expect && test_cmp expect actual &&
	test_psql "set timezone = ${Q}Asia/Shanghai${Q}; select first_seen_at, first_contact_at, first_order_at, acquisition_source
		from dw.dim_customer where customer_key = $(cat k1)" >actual &&
	echo "2024-06-01 10:00:00+08|2024-06-05 09:00:00+08|2024-06-01 10:05:00+08|taobao" >expect &&
	test_cmp expect actual
'

test_expect_success 'importing every file again changes nothing: no merge, same keys' '
	fingerprint >before &&
	test_fingerprint >before.fp &&
	for f in taobao later chain cy1 cy2; do
		"$SIYU" import $f.csv >out 2>err && grep -q "orders inserted 0, updated 0" out || exit 1
	done &&
	wecom_add wm_cy lisi "2024-06-05 09:00+08" oCyUnion00000000000000000001 13700000202 &&
	fingerprint >after && test_cmp before after &&
	test_fingerprint >after.fp && test_cmp before.fp after.fp
'

test_expect_success 'a late order paid before her first one renumbers her orders' '
	{ echo "$HDR" &&
	  echo "taobao,tb1,淘宝店,4200000000000000000,1,交易成功,2023-12-31 10:00:00,2023-12-31 10:05:00,2024-01-01 10:00:00,tb_amy,,,SKU-1,茶,1,100.00,100.00,,," ; } >late.csv &&
	"$SIYU" import late.csv >out 2>err && grep -q "orders inserted 1," out &&
	test_psql "select i.order_no, f.order_seq, f.is_first_order from dw.fact_order f join dw.order_identity i using (order_key)
		where f.customer_key = $(cat amy) order by f.order_seq" >actual &&
	cat >expect <<-\EOT &&
	4200000000000000000|1|t
	4200000000000000001|2|f
	E20240301100000000001|3|f
	JD0001|4|f
	PDD0001|5|f
	EOT
	test_cmp expect actual &&
	test_psql "set timezone = ${Q}Asia/Shanghai${Q}; select first_seen_at, first_order_at from dw.dim_customer where customer_key = $(cat amy)" >actual &&
	echo "2023-12-31 10:00:00+08|2023-12-31 10:05:00+08" >expect && test_cmp expect actual
'

test_expect_success 'her first order refunded (a newer version): the others renumber' '
	{ echo "$HDR" &&
	  echo "taobao,tb1,淘宝店,4200000000000000000,1,已退款,2023-12-31 10:00:00,2023-12-31 10:05:00,2024-01-05 10:00:00,tb_amy,,,SKU-1,茶,1,100.00,100.00,100.00,," ; } >refund.csv &&
	"$SIYU" import refund.csv >out 2>err && grep -q "updated 1," out &&
	test_psql "select i.order_no, coalesce(f.order_seq::text, ${Q}-${Q}), f.is_first_order from dw.fact_order f
		join dw.order_identity i using (order_key) where f.customer_key = $(cat amy) order by i.order_no" >actual &&
	cat >expect <<-\EOT &&
	4200000000000000000|-|f
	4200000000000000001|1|t
	E20240301100000000001|2|f
	JD0001|3|f
	PDD0001|4|f
	EOT
	test_cmp expect actual &&
	test_psql "set timezone = ${Q}Asia/Shanghai${Q}; select first_order_at from dw.dim_customer where customer_key = $(cat amy)" >actual &&
	echo "2024-01-10 10:05:00+08" >expect && test_cmp expect actual
'

test_done

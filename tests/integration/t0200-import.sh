#!/usr/bin/env bash
test_description='siyu import: exact loads, re-import, versions, rejects, lock, PII'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0200-test-key-0123456789
Q="'"
basic="$TOP/tests/data/orders-basic.csv"
bad="$TOP/tests/data/orders-bad.csv"

test_expect_success 'import loads the generic CSV exactly' '
	"$SIYU" import "$basic" >out 2>err &&
	grep -q "loaded; read 8, orders inserted 5, updated 0, unchanged 0, duplicate lines 2, rejected 0" out &&
	test_psql "select count(*), sum(line_count), sum(paid_fen) filter (where is_qualifying) from dw.fact_order" >actual &&
	echo "5|6|148590" >expect && test_cmp expect actual
'

test_expect_success 'the 19-digit order number is exact text' '
	test_psql "select order_no from dw.order_identity where order_no like ${Q}41234%${Q} order by 1" >actual &&
	printf "%s\n" 4123456789012345678 4123456789012345679 4123456789012345680 >expect &&
	test_cmp expect actual
'

test_expect_success 'newest version wins within the file; header amounts stay on the order' '
	test_psql "select status, gross_fen, discount_fen, shipping_fen, paid_fen, item_count, line_count
		from dw.fact_order f join dw.order_identity i using (order_key)
		where i.order_no = ${Q}4123456789012345678${Q}" >actual &&
	echo "completed|13980|500|800|13800|3|2" >expect && test_cmp expect actual &&
	test_psql "select line_no, quantity, unit_price_fen, gross_fen, paid_fen from dw.fact_order_line l
		join dw.order_identity i using (order_key) where i.order_no = ${Q}4123456789012345678${Q} order by 1" >actual &&
	printf "1|2|5990|11980|11000\n2|1|2000|2000|2000\n" >expect && test_cmp expect actual
'

test_expect_success 'statuses, refunds and qualifying orders' '
	test_psql "select i.order_no, f.status, f.refund_fen, f.is_qualifying, coalesce(f.order_seq::text, ${Q}-${Q})
		from dw.fact_order f join dw.order_identity i using (order_key) order by i.order_no" >actual &&
	cat >expect <<-\EOT &&
	4123456789012345678|completed|0|t|1
	4123456789012345679|completed|2000|t|2
	4123456789012345680|cancelled|0|f|-
	E20250301123456012345|completed|0|t|1
	E20250301123456012346|refunded|128800|f|-
	EOT
	test_cmp expect actual
'

test_expect_success 'local times are Asia/Shanghai; date keys in the business zone' '
	test_psql "select to_char(f.created_at at time zone ${Q}UTC${Q}, ${Q}YYYY-MM-DD HH24:MI${Q}), f.order_date_key
		from dw.fact_order f join dw.order_identity i using (order_key)
		where i.order_no = ${Q}4123456789012345679${Q}" >actual &&
	echo "2025-03-31 23:30|20250401" >expect && test_cmp expect actual
'

test_expect_success 'buyers become customers; unionid and buyer id link to one' '
	test_psql "select count(*) from dw.dim_customer" >actual && echo 3 >expect && test_cmp expect actual &&
	test_psql "select count(distinct customer_key) from dw.customer_identity
		where id_value in (${Q}yz_bob${Q}, ${Q}oUnion-bob${Q})" >actual &&
	echo 1 >expect && test_cmp expect actual
'

test_expect_success 're-importing the same file changes nothing' '
	test_psql "select md5(string_agg(f::text, ${Q};${Q} order by order_key)) from dw.fact_order f" >before &&
	test_fingerprint >before.fp &&
	"$SIYU" import "$basic" >out &&
	grep -q "orders inserted 0, updated 0, unchanged 5" out &&
	test_psql "select md5(string_agg(f::text, ${Q};${Q} order by order_key)) from dw.fact_order f" >after &&
	test_cmp before after &&
	test_fingerprint >after.fp &&
	test_cmp before.fp after.fp
'

test_expect_success 'an older version never overwrites a newer one; a newer one replaces it' '
	head -1 "$basic" >old.csv &&
	echo "taobao,tb01,茶叶旗舰店,4123456789012345679,,已发货,2025-04-01 07:30:00,2025-04-01 07:31:00,2025-04-02 09:00:00,tb_alice,,,SKU-TEA,x,1,59.90,59.90,,," >>old.csv &&
	"$SIYU" import old.csv >out &&
	grep -q "orders inserted 0, updated 0, unchanged 1" out &&
	test_psql "select status from dw.fact_order f join dw.order_identity i using (order_key) where order_no = ${Q}4123456789012345679${Q}" >actual &&
	echo completed >expect && test_cmp expect actual &&
	head -1 "$basic" >new.csv &&
	echo "taobao,tb01,茶叶旗舰店,4123456789012345679,,已退款,2025-04-01 07:30:00,2025-04-01 07:31:00,2025-04-20 09:00:00,tb_alice,,,SKU-TEA,x,1,59.90,59.90,59.90,," >>new.csv &&
	"$SIYU" import new.csv >out &&
	grep -q "orders inserted 0, updated 1, unchanged 0" out &&
	test_psql "select status, refund_fen, is_qualifying, order_seq is null from dw.fact_order f join dw.order_identity i using (order_key) where order_no = ${Q}4123456789012345679${Q}" >actual &&
	echo "refunded|5990|f|t" >expect && test_cmp expect actual
'

test_expect_success 'a completed order refunded in full is not qualifying' '
	head -1 "$basic" >fullrefund.csv &&
	echo "taobao,tb01,s,7000000000000000001,,交易成功,2025-05-01 10:00:00,2025-05-01 10:00:00,2025-05-09 10:00:00,tb_alice,,,S9,x,1,30,30,30,," >>fullrefund.csv &&
	"$SIYU" import fullrefund.csv >out &&
	test_psql "select status, is_qualifying, order_seq is null from dw.fact_order f join dw.order_identity i using (order_key) where order_no = ${Q}7000000000000000001${Q}" >actual &&
	echo "completed|f|t" >expect && test_cmp expect actual
'

test_expect_success 'too many bad rows: the file fails, nothing loads, rejects are kept' '
	test_psql "select count(*) from dw.fact_order" >before &&
	test_expect_code 1 "$SIYU" import "$bad" >out 2>err &&
	grep -q "5 of 7 records rejected" err &&
	grep -q "FAILED, rolled back" out &&
	test_psql "select count(*) from dw.fact_order" >after && test_cmp before after &&
	test_psql "select count(*) from etl.reject r join etl.run_source s using (run_id, source) where s.status = ${Q}failed${Q}" >actual &&
	echo 5 >expect && test_cmp expect actual &&
	test_psql "select count(*) from etl.watermark where source = ${Q}orders-bad.csv${Q}" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'the reject ratio is judged over at least 100 records: one bad row of a small file loads the rest' '
	head -1 "$basic" >onebad.csv &&
	echo "taobao,tb01,s,7000000000000000101,,交易成功,2025-05-02 10:00:00,2025-05-02 10:00:00,2025-05-09 10:00:00,tb_bob,,,S9,x,1,30,30,,," >>onebad.csv &&
	echo "taobao,tb01,s,7000000000000000102,,交易成功,2025-05-02 11:00:00,2025-05-02 11:00:00,2025-05-09 10:00:00,tb_bob,,,S9,x,1,oops,30,,," >>onebad.csv &&
	"$SIYU" import onebad.csv >out 2>err &&
	grep -q "orders inserted 1, updated 0, unchanged 0, duplicate lines 0, rejected 1" out &&
	printf "[run]\nmax_reject_ratio = 0\n" >strict.conf &&
	test_expect_code 1 "$SIYU" --config strict.conf import onebad.csv >out 2>err &&
	grep -q "1 of 2 records rejected (1 of 2 in this unit), more than max_reject_ratio 0.00%" err
'

test_expect_success 'within max_reject_ratio the good rows load and each bad one is kept with its reason' '
	printf "[run]\nmax_reject_ratio = 0.9\n" >lenient.conf &&
	"$SIYU" --config lenient.conf import "$bad" >out &&
	grep -q "orders inserted 2, updated 0, unchanged 0, duplicate lines 0, rejected 5" out &&
	test_psql "select r.location, r.reason from etl.reject r
		where r.run_id = (select max(run_id) from etl.run) order by r.reject_id" >actual &&
	sed "s|^|$bad|" >expect <<-\EOT &&
	:2|unit_price "12.3.4": not a number
	:4|created_at "2025-02-30 10:00:00": impossible date
	:5|status "外星状态": unknown order status
	:7|order_no: missing value
	:8|malformed CSV: error parsing data while strict checking enabled
	EOT
	sed -i "s|malformed CSV: .*|MALFORMED|" actual expect &&
	test_cmp expect actual &&
	test_psql "select raw from etl.reject where run_id = (select max(run_id) from etl.run) and location like ${Q}%:2${Q}" >actual &&
	sed -n 2p "$bad" >expect && test_cmp expect actual
'

test_expect_success 'a phone without SIYU_PII_KEY fails the file instead of storing it' '
	head -1 "$basic" >phone.csv &&
	echo "taobao,tb01,s,6000000000000000001,,paid,2025-05-01 10:00:00,2025-05-01 10:00:00,2025-05-01 10:00:00,tb_f,,13912345678,S,x,1,1,1,,," >>phone.csv &&
	(unset SIYU_PII_KEY; test_expect_code 1 "$SIYU" import phone.csv >out 2>err) &&
	grep -q "SIYU_PII_KEY is not set" err &&
	! grep -q 13912345678 err &&
	test_psql "select count(*) from dw.order_identity where order_no = ${Q}6000000000000000001${Q}" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'with the key the phone is stored hashed and masked only' '
	"$SIYU" import phone.csv >out &&
	test_psql "select display_value, length(id_value) from dw.customer_identity where id_type = ${Q}phone${Q}" >actual &&
	echo "139****5678|64" >expect && test_cmp expect actual &&
	test_psql "select count(*) from dw.customer_identity where id_value like ${Q}%13912345678%${Q}" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'a second run while one holds the lock exits 75 and changes nothing' '
	psql -X -q -c "select pg_advisory_lock(hashtextextended(${Q}siyu.run${Q}, 0))" -c "select pg_sleep(30)" >/dev/null 2>&1 &
	holder=$! &&
	# Killing psql leaves its backend asleep holding the lock for 30 s: end the backend too.
	test_when_finished "kill $holder 2>/dev/null; wait $holder 2>/dev/null; test_psql \"select pg_terminate_backend(pid) from pg_locks where locktype = ${Q}advisory${Q} and granted and database = (select oid from pg_database where datname = current_database())\" >/dev/null; true" &&
	for i in $(seq 1 50); do
		test "$(test_psql "select count(*) from pg_locks where locktype = ${Q}advisory${Q} and granted")" = 1 && break
		sleep 0.1
	done &&
	test_psql "select count(*) from etl.run" >before &&
	test_expect_code 75 "$SIYU" import "$basic" 2>err &&
	grep -q "another siyu run holds the warehouse lock" err &&
	test_psql "select count(*) from etl.run" >after && test_cmp before after
'

test_expect_success 'a GBK export loads the same as its UTF-8 original' '
	PGDATABASE=postgres psql -Xq -c "drop database if exists t0200_gbk" -c "create database t0200_gbk" &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database t0200_gbk\"" &&
	PGDATABASE=t0200_gbk "$SIYU" migrate >/dev/null 2>&1 &&
	iconv -f UTF-8 -t GBK "$basic" >gbk.csv &&
	PGDATABASE=t0200_gbk "$SIYU" import gbk.csv >out &&
	grep -q "orders inserted 5" out &&
	PGDATABASE=t0200_gbk test_psql "select string_agg(shop_name, ${Q},${Q} order by shop_name) from dw.dim_channel" >actual &&
	echo "有赞小店,茶叶旗舰店" >expect && test_cmp expect actual &&
	PGDATABASE=t0200_gbk test_psql "select title from dw.dim_product where sku = ${Q}SKU-TEA${Q}" >actual &&
	echo "龙井, 250g" >expect && test_cmp expect actual
'

test_expect_success 'status shows runs, sources and rejects by reason' '
	"$SIYU" status >out &&
	grep -q "^Runs" out && grep -q "orders-bad.csv" out && grep -q "unknown order status" out
'

test_expect_success 'orders from any year the parser accepts load (1997, 2100); 1969 is a reject' '
	head -1 "$basic" >old.csv &&
	cat >>old.csv <<-\EOT &&
	taobao,tb01,茶叶旗舰店,OLD-1997,1,交易成功,1997-01-01 00:30:00,1997-01-01 00:31:00,1997-01-02 10:00:00,tb_old,,,SKU-TEA,Tea,1,10.00,10.00,,0,0
	taobao,tb01,茶叶旗舰店,LATE-2100,1,交易成功,2100-12-31 23:30:00,2100-12-31 23:31:00,2100-12-31 23:40:00,tb_old,,,SKU-TEA,Tea,1,10.00,10.00,,0,0
	taobao,tb01,茶叶旗舰店,OLD-1969,1,交易成功,1969-12-31 10:00:00,1969-12-31 10:01:00,1969-12-31 10:02:00,tb_old,,,SKU-TEA,Tea,1,10.00,10.00,,0,0
	EOT
	"$SIYU" --config lenient.conf import old.csv >out 2>err &&
	grep -q "orders inserted 2, .*rejected 1" out &&
	test_psql "select i.order_no, f.order_date_key from dw.fact_order f join dw.order_identity i using (order_key)
		where i.order_no in (${Q}OLD-1997${Q}, ${Q}LATE-2100${Q}) order by 1" >actual &&
	printf "LATE-2100|21001231\nOLD-1997|19970101\n" >expect && test_cmp expect actual &&
	# Only the two months with orders get partitions (1997-01-01 00:30 +08 is December 1996 in UTC).
	test_psql "select string_agg(relname, ${Q} ${Q} order by relname) from pg_class where relkind = ${Q}r${Q}
		and relname like ${Q}fact_order_p%${Q} and (relname < ${Q}fact_order_p2015${Q} or relname > ${Q}fact_order_p2050${Q})" >actual &&
	echo "fact_order_p199612 fact_order_p210012" >expect && test_cmp expect actual &&
	test_psql "select reason from etl.reject where run_id = (select max(run_id) from etl.run)" >actual &&
	grep -q "year out of range 1970-2100" actual
'

test_expect_success 'an order with a rejected line loads none of its lines; its older whole version stays' '
	cat >partial-v1.csv <<-\EOT &&
	platform,shop_id,order_no,status,created_at,paid_at,updated_at,buyer_id,sku,quantity,unit_price,line_paid
	taobao,tb01,6000000000000000001,paid,2025-06-01 10:00:00,2025-06-01 10:01:00,2025-06-01 10:01:00,tb_fay,S1,1,10.00,10.00
	taobao,tb01,6000000000000000001,paid,2025-06-01 10:00:00,2025-06-01 10:01:00,2025-06-01 10:01:00,tb_fay,S2,1,5.00,5.00
	EOT
	"$SIYU" import partial-v1.csv >out &&
	sed -e "s/,paid,/,completed,/" -e "s/S2,1,5.00,5.00/S2,1,5.00,5.0.0/" \
		-e "s/,2025-06-01 10:01:00,2025-06-01 10:01:00,/,2025-06-01 10:01:00,2025-06-03 09:00:00,/" partial-v1.csv >partial-v2.csv &&
	echo "taobao,tb01,6000000000000000002,paid,2025-06-02 10:00:00,2025-06-02 10:01:00,2025-06-02 10:01:00,tb_fay,S1,1,10.00,10.00" >>partial-v2.csv &&
	"$SIYU" --config lenient.conf import partial-v2.csv >out &&
	grep -q "orders inserted 1, updated 0, unchanged 0, duplicate lines 0, rejected 2" out &&
	test_psql "select i.order_no, f.status, f.line_count, f.paid_fen from dw.fact_order f join dw.order_identity i using (order_key)
		where i.order_no like ${Q}6%${Q} order by 1" >actual &&
	printf "6000000000000000001|paid|2|1500\n6000000000000000002|paid|1|1000\n" >expect && test_cmp expect actual &&
	test_psql "select r.location, r.reason from etl.reject r where r.run_id = (select max(run_id) from etl.run) order by r.location" >actual &&
	cat >expect <<-EOT &&
	partial-v2.csv:2|held back: line 3 of the same order was rejected (no partial order loads)
	partial-v2.csv:3|line_paid "5.0.0": not a number
	EOT
	test_cmp expect actual &&
	test_psql "select raw::json->>${Q}sku${Q} from etl.reject where run_id = (select max(run_id) from etl.run) and reason like ${Q}held back%${Q}" >actual &&
	echo S1 >expect && test_cmp expect actual
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 "$SIYU" import &&
	test_expect_code 2 "$SIYU" nosuchcommand &&
	test_expect_code 2 "$SIYU" import --profile nosuch "$basic" &&
	test_expect_code 2 "$SIYU" --config /nonexistent.conf status
'

test_expect_success 'a password written in conninfo is refused before anything runs, never echoed' '
	printf "[warehouse]\nconninfo = postgresql://siyu:hunter%%32@db/siyu\n" >lit.conf &&
	test_expect_code 2 "$SIYU" --config lit.conf status 2>err &&
	grep -q "^siyu: lit.conf:2: .conninfo. in \[warehouse\] holds a literal password" err &&
	! grep -q hunter err &&
	printf "[warehouse]\nconninfo = postgresql://siyu:\${PGPW}@%%2Fnonexistent/siyu\n" >env.conf &&
	test_expect_code 1 env PGPW=secret "$SIYU" --config env.conf status 2>err &&
	grep -q "cannot connect to the warehouse" err &&
	! grep -q "literal password" err
'

test_done

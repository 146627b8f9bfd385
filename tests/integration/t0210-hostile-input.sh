#!/usr/bin/env bash
test_description='siyu import on hostile and damaged files: control bytes, encodings, truncation, failure paths that agree, profiles, PII, destroyed values (docs/reliability.md)'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0210-test-key-0123456789
Q="'"
H=platform,shop_id,shop_name,order_no,status,created_at,paid_at,updated_at,buyer_id,buyer_phone,sku,product_title,quantity,unit_price,line_paid
T="2025-05-01 10:00:00,2025-05-01 10:00:00,2025-05-01 10:00:00"
printf '[run]\nmax_reject_ratio = 1\n' >"$TRASH/lenient.conf"

# row ORDER_NO [TITLE] [PHONE] [QTY] [PRICE] — one good order line of SKU_ORDER_NO (the title
# is written as is).
row() {
	printf 'taobao,tb01,shop,%s,paid,%s,b_%s,%s,SKU_%s,%s,%s,%s,10.00\n' "$1" "$T" "$1" "${3:-}" \
		"$1" "${2:-tea}" "${4:-1}" "${5:-10.00}"
}

# orders_of FILE_SOURCE — the order numbers a source's runs committed, sorted.
orders() {
	test_psql "select string_agg(order_no, ${Q} ${Q} order by order_no) from dw.order_identity where order_no like ${Q}$1%${Q}"
}

# last_run — status of the last run, its run_source rows and exit code, one line.
last_run() {
	test_psql "select r.status || ${Q}/${Q} || r.exit_code || ${Q}/${Q} || string_agg(s.status, ${Q},${Q} order by s.source)
		from etl.run r join etl.run_source s using (run_id) where r.run_id = (select max(run_id) from etl.run)
		group by r.run_id, r.status, r.exit_code"
}

# inject_fault NAME TABLE MESSAGE [CONDITION] — inserts into TABLE (where CONDITION) fail
# with MESSAGE until clear_fault NAME TABLE.
inject_fault() {
	test_psql "create function t0210_$1() returns trigger language plpgsql
			as \$\$begin raise exception '$3'; end\$\$;
		create trigger t0210_$1 before insert on $2 for each row ${4:+when ($4)}
			execute function t0210_$1()"
}

clear_fault() {
	test_psql "drop trigger t0210_$1 on $2; drop function t0210_$1()"
}

# failed_with TEXT — the last run's failed source says TEXT ("file[:line]: reason") in
# etl.run_source.error, and its log line the same as object and reason.
failed_with() {
	local error
	error=$(test_psql "select error from etl.run_source
		where run_id = (select max(run_id) from etl.run) and status = ${Q}failed${Q}") &&
	printf "%s\n" "$error" | grep -q -- "$1" ||
	{ echo "etl.run_source.error: $error" >&2; return 1; }
	grep "msg=\"source failed\"" err | sed -E "s/.* object=\"?([^\"]*)\"? reason=\"?(.*)\"?$/\1: \2/" |
	grep -q -- "$1"
}

last_rejects() {
	test_psql "select location || ${Q}|${Q} || reason from etl.reject
		where run_id = (select max(run_id) from etl.run) order by reject_id"
}

test_expect_success 'a NUL byte rejects its own row at its own line; the next rows load' '
	{ echo "$H"; row NUL1 "ti$(printf "\\001")tle"; printf "taobao,tb01,shop,NUL2,paid,$T,b,,SKU1,x\\000y,1,10,10\\n"; row NUL3; } >nul.csv &&
	"$SIYU" --config lenient.conf import nul.csv >out 2>err &&
	grep -q "loaded; read 3, orders inserted 2, .*rejected 1" out &&
	echo "NUL1 NUL3" >expect && orders NUL >actual && test_cmp expect actual &&
	last_rejects >actual &&
	echo "nul.csv:3|product_title: a NUL byte (0x00) at offset 363: not text" >expect &&
	test_cmp expect actual &&
	test_psql "select raw_escaped, raw like ${Q}%x\\\\x00y%${Q} from etl.reject where run_id = (select max(run_id) from etl.run)" >actual &&
	echo "t|t" >expect && test_cmp expect actual &&
	test_psql "select title = ${Q}ti${Q} || chr(1) || ${Q}tle${Q} from dw.dim_product p
		join dw.fact_order_line l using (product_key) join dw.order_identity i using (order_key) where i.order_no = ${Q}NUL1${Q}" >actual &&
	echo t >expect && test_cmp expect actual
'

test_expect_success 'COPY metacharacters in every text field are stored byte for byte' '
	{ echo "$H"; sed "s/<TAB>/\t/" <<-\EOF
	taobao,"t\b","s\.\N","M\1",paid,2025-05-01 10:00:00,2025-05-01 10:00:00,2025-05-01 10:00:00,"b\.",,"S\N","x<TAB>y\.
	\.
	z",1,10,10
	EOF
	} >meta.csv &&
	"$SIYU" import meta.csv >out 2>err &&
	grep -q "orders inserted 1" out &&
	test_psql "select c.shop_id, c.shop_name, i.order_no, p.sku, replace(replace(p.title, chr(9), ${Q}<TAB>${Q}), chr(10), ${Q}<LF>${Q}),
		ci.id_value from dw.order_identity i join dw.dim_channel c using (channel_key)
		join dw.fact_order_line l using (order_key) join dw.dim_product p using (product_key)
		join dw.fact_order f using (order_key) join dw.customer_identity ci on ci.customer_key = f.customer_key and ci.id_type = ${Q}buyer_id${Q}
		where i.order_no like ${Q}M%${Q}" >actual &&
	cat >expect <<-\EOF &&
	t\b|s\.\N|M\1|S\N|x<TAB>y\.<LF>\.<LF>z|b\.
	EOF
	test_cmp expect actual
'

test_expect_success 'one bad byte in a UTF-8 file: UTF-8 is kept, that row alone is rejected, the output says why' '
	{ echo "$H"; row U1 "龙井茶叶"; row U2 "碧螺春"; row U3 "bad$(printf "\\377")"; row U4 "白茶"; } >onebad.csv &&
	"$SIYU" --config lenient.conf import onebad.csv >out 2>err &&
	grep -q "format=\"csv utf-8 (UTF-8 but for 1 line (first: byte 0xFF at offset [0-9]*, line 4), which are rejected" err &&
	grep -q "orders inserted 3, .*rejected 1" out &&
	test_psql "select string_agg(title, ${Q},${Q} order by title) from dw.dim_product where title in (${Q}龙井茶叶${Q}, ${Q}碧螺春${Q}, ${Q}白茶${Q})" >actual &&
	echo "白茶,碧螺春,龙井茶叶" >expect && test_cmp expect actual &&
	last_rejects >actual && grep -q "onebad.csv:4|product_title: byte 0xFF at offset [0-9]* is not valid UTF-8" actual
'

test_expect_success 'a GBK file is GB18030, said so; a file in neither encoding fails naming the offset' '
	{ echo "$H"; row G1 "龙井茶叶"; row G2 "白茶"; } | iconv -f UTF-8 -t GBK >gbk.csv &&
	"$SIYU" import gbk.csv >out 2>err &&
	grep -q "format=\"csv gb18030 (not UTF-8 (byte 0xC1 at offset [0-9]*, line 2), valid GB18030 throughout)\"" err &&
	test_psql "select string_agg(title, ${Q},${Q} order by sku) from dw.dim_product where sku like ${Q}SKU_G%${Q}" >actual &&
	echo "龙井茶叶,白茶" >expect && test_cmp expect actual &&
	{ echo "$H"; for i in 1 2 3; do printf "\\377\\200\\377,%s\\n" $i; done; } >binary.csv &&
	test_expect_code 1 "$SIYU" import binary.csv >out 2>err &&
	failed_with "binary.csv: neither UTF-8 nor GB18030: 3 of 4 lines are not UTF-8 (first: byte 0xFF at offset 142, line 2)" &&
	grep -q "FAILED, rolled back" out &&
	test "$(last_run)" = "failed/1/failed"
'

test_expect_success '--encoding utf-8 on bad bytes: the rows are rejected and kept (escaped), the rest loads, all records agree' '
	test_psql "select count(*) from etl.reject" >before &&
	"$SIYU" --config lenient.conf import --encoding utf-8 --source enc_utf8 onebad.csv >out 2>err &&
	grep -q "loaded; read 4, orders inserted 0, updated 0, unchanged 3, duplicate lines 0, rejected 1" out &&
	test "$(last_run)" = "succeeded/0/succeeded" &&
	test_psql "select rejected from etl.run_source where source = ${Q}enc_utf8${Q}" >actual &&
	echo 1 >expect && test_cmp expect actual &&
	test_psql "select raw_escaped, raw like ${Q}%bad\\\\xff%${Q} from etl.reject where run_id = (select max(run_id) from etl.run)" >actual &&
	echo "t|t" >expect && test_cmp expect actual
'

test_expect_success 'a truncated gzip fails the file as a whole: nothing committed, exit 1, file and offset named' '
	{ echo "$H"; for i in $(seq 1 3000); do row "GZ$i"; done; } | gzip -9 >full.csv.gz &&
	head -c $(( $(wc -c <full.csv.gz) / 2 )) full.csv.gz >cut.csv.gz &&
	test_expect_code 1 "$SIYU" import cut.csv.gz >out 2>err &&
	failed_with "cut.csv.gz: the gzip stream is cut short after [0-9]* bytes of input ([0-9]* compressed)" &&
	test_expect_code 1 "$SIYU" import --encoding utf-8 cut.csv.gz >out 2>err &&
	grep -q "cut short" err && grep -q "FAILED, rolled back" out &&
	test "$(last_run)" = "failed/1/failed" &&
	test -z "$(orders GZ)"
'

test_expect_success 'a CSV cut inside quotes fails as a whole; its good rows are not committed' '
	{ echo "$H"; row Q1; row Q2; printf "taobao,tb01,shop,Q3,paid,$T,b,,SKU1,\"cut off"; } >quote.csv &&
	test_expect_code 1 "$SIYU" --config lenient.conf import quote.csv >out 2>err &&
	failed_with "quote.csv: the file ends inside a quoted field of the record at line 4 (offset [0-9]*" &&
	test -z "$(orders Q)" &&
	test "$(last_run)" = "failed/1/failed"
'

test_expect_success 'a record over 4 MiB (a 10 MB field) is rejected at its line; the rows after it load' '
	{ echo "$H"; row BIG1; printf "taobao,tb01,shop,BIG2,paid,$T,b,,SKU1,\""; head -c 10485760 /dev/zero | tr "\\0" x; printf "\",1,10,10\\n"; row BIG3; } >big.csv &&
	"$SIYU" --config lenient.conf import big.csv >out 2>err &&
	echo "BIG1 BIG3" >expect && orders BIG >actual && test_cmp expect actual &&
	last_rejects >actual &&
	grep -q "big.csv:3|record longer than the 4 MiB limit (10485[0-9]* bytes; the first 4096 kept here)" actual
'

test_expect_success 'an injected DB error in the merge: rolled back, rejects kept, every record says failed' '
	inject_fault merge dw.order_identity "injected fault" "new.order_no like ${Q}DBE%${Q}" &&
	test_when_finished "clear_fault merge dw.order_identity" &&
	{ echo "$H"; row DBE1; row DBE2 "" "" 0; } >dberr.csv &&
	test_expect_code 1 "$SIYU" --config lenient.conf import dberr.csv >out 2>err &&
	failed_with "dberr.csv: merge into the warehouse failed: .*injected fault" &&
	grep -q "FAILED, rolled back; read 2, .*rejected 1" out &&
	test "$(last_run)" = "failed/1/failed" &&
	test -z "$(orders DBE)" &&
	last_rejects >actual && grep -q "dberr.csv:3|quantity \"0\": must be at least 1" actual
'

test_expect_success 'rejects that cannot be stored fail the file: its data is not committed without them' '
	inject_fault reject etl.reject "reject store down" &&
	test_when_finished "clear_fault reject etl.reject" &&
	{ echo "$H"; row RJ1; row RJ2 "" "" 0; } >rjerr.csv &&
	test_expect_code 1 "$SIYU" --config lenient.conf import rjerr.csv >out 2>err &&
	failed_with "rjerr.csv: its rejects could not be stored: .*reject store down.*; its 1 rejected records could not be stored either" &&
	grep -q "FAILED, rolled back" out &&
	test "$(last_run)" = "failed/1/failed" &&
	test -z "$(orders RJ)"
'

test_expect_success 'killed before COMMIT with rejects: neither data nor rejects; the next import has both' '
	{ echo "$H"; row KILL1; row KILL2 "" "" 0; } >kill.csv &&
	test_psql "select count(*) from etl.reject" >before &&
	rc=0 && SIYU_DEBUG_ABORT_AT=commit "$SIYU" --config lenient.conf import kill.csv >out 2>err || rc=$? &&
	test $rc -eq 137 &&
	test -z "$(orders KILL)" &&
	test_psql "select count(*) from etl.reject" >after && test_cmp before after &&
	# the killed session may hold the run lock a moment longer
	for i in $(seq 1 50); do
		rc=0 && "$SIYU" --config lenient.conf import kill.csv >out 2>err || rc=$?
		test $rc -ne 75 && break
		sleep 0.1
	done &&
	test $rc -eq 0 &&
	test_psql "select status from etl.run where run_id = (select max(run_id) - 1 from etl.run)" >actual &&
	echo abandoned >expect && test_cmp expect actual &&
	echo KILL1 >expect && orders KILL >actual && test_cmp expect actual &&
	last_rejects >actual && grep -q "kill.csv:3|quantity" actual
'

test_expect_success 'files that share a source name: its run_source row is their sum, failed when one failed' '
	{ echo "$H"; row SH1; } >sh1.csv && { echo "$H"; row SH2 "" "" 0; } >sh2.csv &&
	printf "[run]\nmax_reject_ratio = 0\n" >strict.conf &&
	test_expect_code 1 "$SIYU" --config strict.conf import --source shared sh1.csv sh2.csv >out 2>err &&
	echo SH1 >expect && orders SH >actual && test_cmp expect actual &&
	test_psql "select status, records_read, inserted, rejected, error like ${Q}sh2.csv: %${Q} from etl.run_source where source = ${Q}shared${Q}" >actual &&
	echo "failed|2|1|1|t" >expect && test_cmp expect actual &&
	mkdir -p d1 d2 && { echo "$H"; row SH3; } >d1/x.csv && { echo "$H"; row SH4; } >d2/x.csv &&
	"$SIYU" import d1/x.csv d2/x.csv >out 2>err &&
	test_psql "select status, records_read, inserted from etl.run_source where source = ${Q}x.csv${Q}" >actual &&
	echo "succeeded|2|2" >expect && test_cmp expect actual
'

test_expect_success 'a dry run records its source as the run does, and commits nothing' '
	{ echo "$H"; row DRY1; } >dry.csv &&
	"$SIYU" import --dry-run dry.csv >out 2>err &&
	grep -q "dry run, rolled back; read 1, orders inserted 1" out &&
	test -z "$(orders DRY)" &&
	test "$(last_run)" = "succeeded/0/succeeded"
'

test_expect_success 'a profile that does not exist is a usage error listing the profiles' '
	test_expect_code 2 "$SIYU" import --profile nosuch nul.csv 2>err &&
	grep -q "unknown profile ${Q}nosuch${Q} (profiles: generic, .*, or auto)" err &&
	printf "[source.x]\ntype = csv\npath = nul.csv\nprofile = nosuch\n" >prof.conf &&
	test_expect_code 2 "$SIYU" --config prof.conf run 2>err &&
	grep -q "prof.conf:4: bad value ${Q}nosuch${Q} for ${Q}profile${Q} in \[source.x\] (type csv): expected one of generic|taobao|" err
'

test_expect_success 'phones never reach etl.reject in clear: the phone column and any mobile number are masked' '
	{ echo "$H,remark"; echo "taobao,tb01,shop,PII1,paid,$T,b1,13912345678,SKU1,t,0,10,10,call 13812345678"; \
	  echo "taobao,tb01,shop,PII2,paid,$T,b1,021-6234 5678,SKU1,t,1,10,10,"; } >pii.csv &&
	"$SIYU" -v --config lenient.conf import pii.csv >out 2>err &&
	# -v: the debug lines (each reject among them) show no number either
	test_psql "select raw from etl.reject where run_id = (select max(run_id) from etl.run) order by reject_id" >actual &&
	cat >expect <<-EOF &&
	taobao,tb01,shop,PII1,paid,$T,b1,139****5678,SKU1,t,0,10,10,call 138****5678
	taobao,tb01,shop,PII2,paid,$T,b1,***-**** 5678,SKU1,t,1,10,10,
	EOF
	test_cmp expect actual &&
	! grep -rq "12345678\|62345678" out err &&
	row NOHDRP t 13912345678 >nohdrp.csv &&
	test_expect_code 1 "$SIYU" import nohdrp.csv >out 2>err &&
	grep -q "the header has: .*139\*\*\*\*5678" err &&
	test_psql "select error from etl.run_source where source = ${Q}nohdrp.csv${Q}" >actual &&
	grep -q "139\*\*\*\*5678" actual &&
	! grep -q 13912345678 err actual
'

test_expect_success 'a masked phone is kept masked, never hashed, and its order loads' '
	{ echo "$H"; row MASK1 t "138****5678"; } >masked.csv &&
	(unset SIYU_PII_KEY; "$SIYU" import masked.csv >out 2>err) &&
	grep -q "orders inserted 1, .*rejected 0" out &&
	test_psql "select count(*) from dw.customer_identity where display_value = ${Q}138****5678${Q}" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'Excel scientific notation in an order number is rejected, telling to export ids as text' '
	{ echo "$H"; row 2.20123E+18; row SCI2; } >sci.csv &&
	"$SIYU" --config lenient.conf import sci.csv >out 2>err &&
	last_rejects >actual &&
	grep -q "sci.csv:2|order_no \"2.20123E+18\": scientific notation: Excel has rounded the number and its digits are lost; export the column as text" actual &&
	test_psql "select count(*) from dw.order_identity where order_no like ${Q}%E+%${Q}" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'unit prices to 4 decimals: 0.001 x 1000 pieces is 100 fen, rounded once per line' '
	{ echo "$H"; row MILLI1 t "" 1000 0.001; row MILLI2 t "" 3 0.0015; row MILLI3 t "" 1 0.005; row MILLI4 t "" 1 0.00001; } >milli.csv &&
	"$SIYU" --config lenient.conf import milli.csv >out 2>err &&
	test_psql "select i.order_no, l.quantity, l.unit_price_fen, l.gross_fen, f.gross_fen from dw.fact_order_line l
		join dw.order_identity i using (order_key) join dw.fact_order f using (order_key) where i.order_no like ${Q}MILLI%${Q} order by 1" >actual &&
	printf "MILLI1|1000|0|100|100\nMILLI2|3|0|0|0\nMILLI3|1|1|1|1\n" >expect && test_cmp expect actual &&
	last_rejects >actual && grep -q "milli.csv:5|unit_price \"0.00001\": more than 4 decimals" actual
'

test_expect_success 'numbers beyond int64, exponents, negative, NaN and 3-decimal money, times outside 1970-2100: each a reject with its reason' '
	{ echo "$H"; row N1 t "" 99999999999999999999; row N2 t "" 1 1e3; row N3 t "" 1 -1.00; row N4 t "" 1 NaN;
	  echo "taobao,tb01,shop,N5,paid,$T,b,,SKU1,t,1,10,10.001";
	  echo "taobao,tb01,shop,N6,paid,1969-12-31 23:59:59,,1969-12-31 23:59:59,b,,SKU1,t,1,10,10";
	  echo "taobao,tb01,shop,N7,paid,2101-01-01 00:00:00,,2101-01-01 00:00:00,b,,SKU1,t,1,10,10";
	  row N8 t "" 100000000 999999999.9999; } >numbers.csv &&
	"$SIYU" --config lenient.conf import numbers.csv >out 2>err &&
	last_rejects | sed "s/^numbers.csv://" >actual &&
	cat >expect <<-\EOF &&
	2|quantity "99999999999999999999": not a whole number
	3|unit_price "1e3": not a number
	4|unit_price "-1.00": negative amount
	5|unit_price "NaN": not a number
	6|line_paid "10.001": more than 2 decimals
	7|created_at "1969-12-31 23:59:59": year out of range 1970-2100
	8|created_at "2101-01-01 00:00:00": year out of range 1970-2100
	9|quantity "100000000": quantity × unit_price overflows
	EOF
	test_cmp expect actual
'

test_expect_success 'empty files, a header only, no header, a wrong header' '
	: >empty.csv && test_expect_code 1 "$SIYU" import empty.csv 2>err &&
	failed_with "empty.csv: empty file (no header)" &&
	echo "$H" >header-only.csv && "$SIYU" import header-only.csv >out &&
	grep -q "loaded; read 0" out &&
	row NOHDR >nohdr.csv && test_expect_code 1 "$SIYU" import nohdr.csv 2>err &&
	failed_with "nohdr.csv:1: missing required columns: platform, " &&
	echo "order,status,amount" >wrong.csv && row WRONG >>wrong.csv &&
	test_expect_code 1 "$SIYU" import wrong.csv 2>err &&
	failed_with "wrong.csv:1: missing required columns: platform, "
'

test_expect_success 'raw zone: directories 0700 and files 0600 even under umask 000' '
	printf "[run]\nraw_dir = %s/rawz\n[source.perm]\ntype = csv\npath = %s/gbk.csv\n" "$TRASH" "$TRASH" >perm.conf &&
	(umask 000 && "$SIYU" --config perm.conf run >out 2>err) &&
	find rawz -type d -printf "%m\n" | sort -u >actual && echo 700 >expect && test_cmp expect actual &&
	find rawz -type f -printf "%m\n" | sort -u >actual && echo 600 >expect && test_cmp expect actual &&
	test "$(find rawz -type f | wc -l)" -ge 1
'

test_done

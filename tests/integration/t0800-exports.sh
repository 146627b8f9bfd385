#!/usr/bin/env bash
test_description='siyu import --profile: back-office exports (tests/data/exports) load exactly'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
copy_db siyu_t0800_empty
export SIYU_PII_KEY=t0800-test-key-0123456789
DATA="$TOP/tests/data/exports"
Q="'"

# The warehouse's totals for one platform in expected.txt's form (sorted key=value lines).
totals() { # PLATFORM PREFIX
	test_psql "
	select k || ${Q}=${Q} || v from (
	  select ${Q}orders${Q} k, count(*)::text v from dw.fact_order f join dw.dim_channel c using (channel_key) where c.platform = ${Q}$1${Q}
	  union all select ${Q}lines${Q}, coalesce(sum(line_count), 0)::text from dw.fact_order f join dw.dim_channel c using (channel_key) where c.platform = ${Q}$1${Q}
	  union all select ${Q}gross_fen${Q}, coalesce(sum(gross_fen), 0)::text from dw.fact_order f join dw.dim_channel c using (channel_key) where c.platform = ${Q}$1${Q}
	  union all select ${Q}paid_fen${Q}, coalesce(sum(paid_fen), 0)::text from dw.fact_order f join dw.dim_channel c using (channel_key) where c.platform = ${Q}$1${Q}
	  union all select ${Q}refund_fen${Q}, coalesce(sum(refund_fen), 0)::text from dw.fact_order f join dw.dim_channel c using (channel_key) where c.platform = ${Q}$1${Q}
	  union all select ${Q}status.${Q} || status, count(*)::text from dw.fact_order f join dw.dim_channel c using (channel_key) where c.platform = ${Q}$1${Q} group by status
	) t" | sed "s/^/$2./" | sort
}

expected() { # PREFIX
	grep "^$1\." "$DATA/expected.txt" | grep -v "\.changed_orders=" | sort
}

# changed PROFILE: orders whose content the re-export changes (expected.txt)
changed() {
	sed -n "s/^$1\.v2\.changed_orders=//p" "$DATA/expected.txt"
}

# import PROFILE FILE... with the fixtures' shop and the export's time of version N
import_v() { # N PROFILE FILE...
	local n=$1 as_of
	shift
	as_of=$([ "$n" = 1 ] && echo "2025-03-10 09:00:00" || echo "2025-03-17 09:00:00")
	"$SIYU" import --profile "$1" --shop "shop-$1" --as-of "$as_of" "${@:2}"
}

for p in jd pdd douyin channels youzan; do
	test_expect_success "$p: the first export loads exactly (orders, lines, fen, statuses)" "
		import_v 1 $p \"$DATA/$p/v1.csv\" >out 2>err &&
		grep -q ${Q}loaded; read [0-9]*, orders inserted 5, updated 0${Q} out &&
		totals $p $p.v1 >actual && expected $p.v1 >expect && test_cmp expect actual
	"
	test_expect_success "$p: re-importing it changes nothing; the re-export (other encoding) applies exactly the changed orders" "
		import_v 1 $p \"$DATA/$p/v1.csv\" >out 2>err &&
		grep -q ${Q}orders inserted 0, updated 0, unchanged 5${Q} out &&
		import_v 2 $p \"$DATA/$p/v2.csv\" >out 2>err &&
		grep -q \"orders inserted 0, updated \$(changed $p), unchanged \$((5 - \$(changed $p))), duplicate lines 0, rejected 0\" out &&
		totals $p $p.v2 >actual && expected $p.v2 >expect && test_cmp expect actual &&
		test_psql \"select count(*) from dw.order_identity i join dw.dim_channel c using (channel_key)
			where c.platform = ${Q}$p${Q} and i.source_version = ${Q}2025-03-17 09:00:00+08${Q}\" >actual &&
		echo 5 >expect && test_cmp expect actual
	"
	test_expect_success "$p: the older export imported after the newer one changes nothing" "
		import_v 1 $p \"$DATA/$p/v1.csv\" >out 2>err &&
		grep -q ${Q}orders inserted 0, updated 0, unchanged 5${Q} out &&
		totals $p $p.v2 >actual && expected $p.v2 >expect && test_cmp expect actual
	"
done

test_expect_success 'taobao: the 订单报表 and 宝贝报表 load together (GBK, ="…" ids), in either order' '
	import_v 1 taobao "$DATA/taobao/v1-lines.csv" "$DATA/taobao/v1-orders.csv" >out 2>err &&
	grep -q "loaded; read [0-9]*, orders inserted 5, updated 0" out &&
	totals taobao taobao.v1 >actual && expected taobao.v1 >expect && test_cmp expect actual &&
	import_v 2 taobao "$DATA/taobao/v2-orders.csv" "$DATA/taobao/v2-lines.csv" >out 2>err &&
	grep -q "orders inserted 0, updated $(changed taobao), unchanged $((5 - $(changed taobao)))" out &&
	totals taobao taobao.v2 >actual && expected taobao.v2 >expect && test_cmp expect actual
'

test_expect_success 'taobao: either half alone is an error naming the missing one' '
	test_expect_code 2 import_v 1 taobao "$DATA/taobao/v1-lines.csv" >out 2>err &&
	grep -q "a taobao 宝贝报表 loads only with its 订单报表: give both files" err &&
	test_expect_code 2 import_v 1 taobao "$DATA/taobao/v1-orders.csv" 2>err &&
	grep -q "a taobao 订单报表 loads only with its 宝贝报表" err
'

test_expect_success 'the 19-digit order numbers are exact text, Excel guards gone' '
	test_psql "select order_no from dw.order_identity i join dw.dim_channel c using (channel_key)
		where c.platform in (${Q}taobao${Q}, ${Q}douyin${Q}, ${Q}channels${Q}) and order_no like ${Q}%6239${Q}
		or order_no like ${Q}%3751${Q} or order_no like ${Q}%7488${Q} order by 1" >actual &&
	printf "%s\n" 3729946591347487488 4994149116891036239 6917926768823643751 >expect &&
	test_cmp expect actual
'

test_expect_success 'masked and encrypted phones are never hashed; real ones are' '
	test_psql "select count(*) from dw.customer_identity where id_type = ${Q}phone${Q}" >actual &&
	echo 3 >expect && test_cmp expect actual
'

test_expect_success 'every .xlsx export loads the same as its CSV' '
	for p in jd pdd douyin channels youzan; do
		copy_db siyu_t0800_xlsx siyu_t0800_empty &&
		PGDATABASE=siyu_t0800_xlsx import_v 1 $p "$DATA/$p/v1.xlsx" >out 2>err &&
		PGDATABASE=siyu_t0800_xlsx totals $p $p.v1 >actual && expected $p.v1 >expect &&
		test_cmp expect actual || test_fail "$p: the xlsx export does not load as its csv"
	done &&
	copy_db siyu_t0800_xlsx siyu_t0800_empty &&
	PGDATABASE=siyu_t0800_xlsx import_v 1 taobao "$DATA/taobao/v1-orders.xlsx" "$DATA/taobao/v1-lines.xlsx" >out 2>err &&
	PGDATABASE=siyu_t0800_xlsx totals taobao taobao.v1 >actual && expected taobao.v1 >expect &&
	test_cmp expect actual
'

test_expect_success 'auto chooses each profile from the header and says which' '
	copy_db siyu_t0800_auto siyu_t0800_empty &&
	PGDATABASE=siyu_t0800_auto "$SIYU" import --profile auto --shop s1 --as-of "2025-03-10 09:00:00" \
		"$DATA/jd/v1.csv" "$DATA/taobao/v1-orders.csv" "$DATA/douyin/v1.xlsx" \
		"$DATA/taobao/v1-lines.csv" >out 2>err &&
	grep -c "loaded;" out >actual && echo 3 >expect && test_cmp expect actual &&
	grep -q "profile chosen from the header.*profile=jd" err &&
	grep -q "profile chosen from the header.*profile=douyin" err &&
	grep -q "profile chosen from the header.*profile=taobao" err
'

test_expect_success 'a file without required columns fails with every missing one and the columns found' '
	sed "1s/应付金额,订单状态/x,y/" "$DATA/jd/v1.csv" >jd-bad.csv &&
	test_must_fail import_v 1 jd jd-bad.csv >out 2>err &&
	grep -q "missing required columns: 订单状态, 应付金额; the header has: .*订单号,.*商家SKUID" err
'

test_expect_success 'an export that cannot tell its shop is an error, not a guess' '
	copy_db siyu_t0800_shop siyu_t0800_empty &&
	PGDATABASE=siyu_t0800_shop test_must_fail "$SIYU" import --profile pdd --as-of "2025-03-10 09:00:00" \
		"$DATA/pdd/v1.csv" >out 2>err &&
	PGDATABASE=siyu_t0800_shop test_psql "select count(*) from dw.fact_order" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	PGDATABASE=siyu_t0800_shop test_psql "select distinct reason from etl.reject" >actual &&
	grep -q "cannot tell the shop" actual
'

test_expect_success 'legacy .xls is refused with what to do' '
	printf "\320\317\021\340\241\261\032\341rest" >old.xls &&
	test_must_fail import_v 1 jd old.xls >out 2>err &&
	grep -q "legacy Excel .xls file, which siyu does not read" err
'

test_expect_success 'a csv source with profile = taobao pairs its glob'\''s two files (version from their names); replay reloads them alike' '
	copy_db siyu_t0800_src siyu_t0800_empty && copy_db siyu_t0800_replay siyu_t0800_empty &&
	mkdir -p in &&
	cp "$DATA/taobao/v1-orders.csv" in/ExportOrderList202503100900.csv &&
	cp "$DATA/taobao/v1-lines.csv" in/ExportOrderDetailList202503100900.csv &&
	cp "$DATA/douyin/v1.xlsx" in/1741568400_订单.xlsx &&
	printf "[run]\nraw_dir = %s/raw\n\n[source.tb]\ntype = csv\nprofile = taobao\nshop_id = shop-taobao\npath = %s/in/Export*.csv\n\n[source.dy]\ntype = csv\nprofile = auto\nshop_id = shop-douyin\npath = %s/in/*.xlsx\n" \
		"$TRASH" "$TRASH" "$TRASH" >src.conf &&
	PGDATABASE=siyu_t0800_src "$SIYU" --config src.conf run >out 2>err &&
	PGDATABASE=siyu_t0800_src totals taobao taobao.v1 >actual && expected taobao.v1 >expect &&
	test_cmp expect actual &&
	PGDATABASE=siyu_t0800_src totals douyin douyin.v1 >actual && expected douyin.v1 >expect &&
	test_cmp expect actual &&
	grep -q "export version.*as_of=\"2025-03-10 09:00:00\" from=\"file name\"" err &&
	PGDATABASE=siyu_t0800_src test_psql "select count(*) from dw.order_identity
		where source_version = ${Q}2025-03-10 01:00:00+00${Q}" >actual &&
	echo 10 >expect && test_cmp expect actual &&
	PGDATABASE=siyu_t0800_replay "$SIYU" --config src.conf replay --run 1 >out 2>err &&
	PGDATABASE=siyu_t0800_replay totals taobao taobao.v1 >actual && expected taobao.v1 >expect &&
	test_cmp expect actual &&
	PGDATABASE=siyu_t0800_replay totals douyin douyin.v1 >actual && expected douyin.v1 >expect &&
	test_cmp expect actual
'

test_atexit 'PGDATABASE=postgres psql -Xqc "DROP DATABASE IF EXISTS siyu_t0800_empty WITH (FORCE)" -c "DROP DATABASE IF EXISTS siyu_t0800_src WITH (FORCE)" -c "DROP DATABASE IF EXISTS siyu_t0800_replay WITH (FORCE)" -c "DROP DATABASE IF EXISTS siyu_t0800_xlsx WITH (FORCE)" -c "DROP DATABASE IF EXISTS siyu_t0800_auto WITH (FORCE)" -c "DROP DATABASE IF EXISTS siyu_t0800_shop WITH (FORCE)" >/dev/null 2>&1'
test_done

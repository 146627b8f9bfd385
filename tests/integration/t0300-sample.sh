#!/usr/bin/env bash
test_description='siyu run over the bundled sample exports: every number of sample/README.md, reruns change nothing'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0300-test-key-0123456789
Q="'"

# write_conf FILE SRC... — the exports as csv sources, in the order given (a run loads them in that
# order); the raw zone in $RAW_DIR (default $TRASH/raw), the files in $SAMPLE_DIR (default sample/).
write_conf() {
	local file=$1 src
	shift
	{
		printf '[run]\ntimezone = Asia/Shanghai\nraw_dir = %s\n' "${RAW_DIR:-$TRASH/raw}"
		for src in "$@"; do
			printf '[source.%s_csv]\ntype = csv\npath = %s\n' "$src" "${SAMPLE_DIR:-$TOP/sample}/orders-$src.csv"
		done
	} >"$file"
}
write_conf "$TRASH/run.conf" taobao youzan

# The expected numbers, computed by an independent awk pass (scripts/gen-sample.sh).
expected() { sed -n "s/^$1=//p" "$TOP/sample/README.md"; }

test_expect_success 'the committed sample is what scripts/gen-sample.sh writes' '
	"$TOP/scripts/gen-sample.sh" --check
'

test_expect_success 'siyu run loads both exports' '
	"$SIYU" --config run.conf run >out 2>err &&
	grep -q "^taobao_csv .* ok .*read 1750, inserted 831, updated 0, unchanged 0, rejected 7" out &&
	grep -q "^youzan_csv .* ok .*read 787, inserted 364, updated 0, unchanged 0, rejected 0" out
'

check_number() {
	local key=$1 sql=$2
	test_expect_success "matches $key = $(expected "$key")" "
		test_psql \"$sql\" >actual &&
		expected $key >expect &&
		test_cmp expect actual
	"
}

check_number total.orders "select count(*) from dw.fact_order"
check_number total.lines "select count(*) from dw.fact_order_line"
check_number total.items "select sum(quantity) from dw.fact_order_line"
check_number total.gross_fen "select sum(gross_fen) from dw.fact_order"
check_number total.discount_fen "select sum(discount_fen) from dw.fact_order"
check_number total.shipping_fen "select sum(shipping_fen) from dw.fact_order"
check_number total.line_paid_fen "select sum(paid_fen) from dw.fact_order_line"
check_number total.paid_fen "select sum(paid_fen) from dw.fact_order"
check_number total.refund_fen "select sum(refund_fen) from dw.fact_order"
check_number total.paid_orders "select count(*) from dw.fact_order where paid_at is not null"
check_number total.qualifying_orders "select count(*) from dw.fact_order where is_qualifying"
check_number total.qualifying_paid_fen "select sum(paid_fen) from dw.fact_order where is_qualifying"
check_number total.customers "select count(*) from dw.dim_customer"
check_number total.customers_with_qualifying_order "select count(distinct customer_key) from dw.fact_order where is_qualifying"
check_number total.customers_with_2plus_qualifying_orders "select count(*) from (select customer_key from dw.fact_order where is_qualifying group by 1 having count(*) >= 2) x"
check_number taobao.orders "select count(*) from dw.fact_order join dw.dim_channel using (channel_key) where platform = ${Q}taobao${Q}"
check_number youzan.paid_fen "select sum(paid_fen) from dw.fact_order join dw.dim_channel using (channel_key) where platform = ${Q}youzan${Q}"
for st in unpaid paid shipped completed cancelled refunding refunded; do
	check_number "total.status.$st" "select count(*) from dw.fact_order where status = ${Q}$st${Q}"
done

test_expect_success 'orders by month of creation, local and UTC (the partitions)' '
	sed -n "s/^total.orders_created_local.\(.*\)=\(.*\)/\1|\2/p" "$TOP/sample/README.md" >expect &&
	test_psql "select to_char(to_date(order_date_key::text, ${Q}YYYYMMDD${Q}), ${Q}YYYY-MM${Q}), count(*) from dw.fact_order group by 1 order by 1" >actual &&
	test_cmp expect actual &&
	sed -n "s/^total.orders_created_utc.\(.*\)=\(.*\)/fact_order_p\1|\2/p" "$TOP/sample/README.md" | tr -d - >expect &&
	test_psql "select tableoid::regclass::text, count(*) from dw.fact_order group by 1 order by 1" | sed "s/^dw\.//" >actual &&
	test_cmp expect actual
'

test_expect_success 'the 16 order numbers equal as doubles stay distinct' '
	test_psql "select count(*) from (select order_no::float8 from dw.order_identity where length(order_no) = 19
		group by 1 having count(*) > 1) x" >actual &&
	test "$(cat actual)" -ge 8
'

test_expect_success 'the seven bad rows are in etl.reject with their lines' '
	test_psql "select regexp_replace(location, ${Q}^.*/${Q}, ${Q}${Q}) from etl.reject order by reject_id" | sed "s/\.gz:/:/" >actual &&
	printf "orders-taobao.csv:%s\n" 225 442 657 883 1097 1317 1531 >expect &&
	test_cmp expect actual
'

test_expect_success 'a second run inserts and updates nothing and leaves the same warehouse' '
	test_fingerprint >before &&
	"$SIYU" --config run.conf run >out 2>err &&
	grep -q "^taobao_csv .* inserted 0, updated 0, unchanged 831" out &&
	grep -q "^youzan_csv .* inserted 0, updated 0, unchanged 364" out &&
	test_fingerprint >after &&
	test_cmp before after
'

test_expect_success 'loading the files in the other order gives the same warehouse' '
	PGDATABASE=postgres psql -Xq -c "drop database if exists t0300_rev" -c "create database t0300_rev" &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database t0300_rev\"" &&
	PGDATABASE=t0300_rev "$SIYU" migrate >/dev/null 2>&1 &&
	RAW_DIR=$TRASH/raw-rev write_conf rev.conf youzan taobao &&
	PGDATABASE=t0300_rev "$SIYU" --config rev.conf run >out 2>err &&
	sed -n "s/^\([a-z]*_csv\) .* ok .*/\1/p" out >order &&
	printf "youzan_csv\ntaobao_csv\n" >expect && test_cmp expect order &&
	test_fingerprint >expect &&
	PGDATABASE=t0300_rev test_fingerprint >actual &&
	test_cmp expect actual
'

# The demo's sample ends yesterday (scripts/gen-sample.sh --end): generated here, its expected
# numbers counted at test time by the generator's independent pass, never frozen.
test_expect_success 'the sample moved to end yesterday: its numbers, counted at test time, are the warehouse'"'"'s' '
	end=$(TZ=Asia/Shanghai date -d yesterday +%F) &&
	"$TOP/scripts/gen-sample.sh" --end "$end" moved 2>/dev/null &&
	PGDATABASE=postgres psql -Xq -c "drop database if exists t0300_moved" -c "create database t0300_moved" &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database t0300_moved\"" &&
	PGDATABASE=t0300_moved "$SIYU" migrate >/dev/null 2>&1 &&
	SAMPLE_DIR=$TRASH/moved RAW_DIR=$TRASH/raw-moved write_conf moved.conf taobao youzan &&
	PGDATABASE=t0300_moved "$SIYU" --config moved.conf run >out 2>err &&
	moved() { sed -n "s/^$1=//p" moved/README.md; } &&
	grep -q "^taobao_csv .* ok .*read $(moved taobao.rows), inserted $(moved taobao.orders), updated 0, unchanged 0, rejected 7" out &&
	test "$(moved total.orders)" -lt "$(expected total.orders)" &&
	for k in total.orders:"count(*) from dw.fact_order" total.lines:"count(*) from dw.fact_order_line" \
		total.paid_fen:"sum(paid_fen) from dw.fact_order" total.refund_fen:"sum(refund_fen) from dw.fact_order" \
		total.qualifying_orders:"count(*) from dw.fact_order where is_qualifying" \
		total.customers:"count(*) from dw.dim_customer"; do
		test "$(PGDATABASE=t0300_moved test_psql "select ${k#*:}")" = "$(moved "${k%%:*}")" ||
			{ echo "${k%%:*} differs from the count of the moved files"; exit 1; }
	done &&
	PGDATABASE=t0300_moved test_psql "select max(to_date(order_date_key::text, ${Q}YYYYMMDD${Q})) = ${Q}$end${Q},
		max(source_version) < (${Q}$end${Q}::date + 1)::timestamp AT TIME ZONE ${Q}Asia/Shanghai${Q} from dw.fact_order" >actual &&
	echo "t|t" >expect && test_cmp expect actual &&
	sed -n "s/^total.orders_created_local.\(.*\)=\(.*\)/\1|\2/p" moved/README.md >expect &&
	PGDATABASE=t0300_moved test_psql "select to_char(to_date(order_date_key::text, ${Q}YYYYMMDD${Q}), ${Q}YYYY-MM${Q}), count(*) from dw.fact_order group by 1 order by 1" >actual &&
	test_cmp expect actual &&
	test "$(PGDATABASE=t0300_moved test_psql "select count(*) from dw.fact_order where is_qualifying")" = "$(moved total.qualifying_orders)"
'

test_expect_success 'every query of sql/examples runs as bi_reader (the dashboard role)' '
	ls "$TOP"/sql/examples/*.sql >examples &&
	test $(wc -l <examples) -ge 10 &&
	while read -r f; do
		{ echo "SET ROLE bi_reader;"; cat "$f"; } | psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>err ||
			{ cat err; test_fail "$f failed as bi_reader"; }
	done <examples &&
	echo "SET ROLE bi_reader; SELECT count(*) FROM etl.reject;" >reject.sql &&
	test_must_fail psql -X -q -v ON_ERROR_STOP=1 -f reject.sql >/dev/null 2>err &&
	grep -q "permission denied" err
'

test_done

#!/usr/bin/env bash
test_description='docs/queries.md: each of the ten analyst queries runs as bi_reader on the demo data and returns rows; some answers checked independently'
. "$(dirname "$0")/../lib.sh"

. "$TOP/tests/integration/lib-demo.sh"
demo_setup
Q="'"

# The ```sql block of each numbered section of docs/queries.md, one file each: q01.sql ...
awk '/^## / { numbered = /^## [0-9]+\. / }
     /^```sql$/ && numbered { n++; f = sprintf("q%02d.sql", n); on = 1; next }
     /^```$/ { on = 0 } on { print > f }' "$TOP/docs/queries.md"

# as_bi FILE — run FILE as bi_reader, unaligned with a header and | separators.
as_bi() {
	{ echo "SET ROLE bi_reader;"; cat "$1"; } | psql -X -A -q -v ON_ERROR_STOP=1 -P footer=off
}

test_expect_success 'there are ten queries' '
	ls q*.sql >list && test "$(wc -l <list)" = 10
'

for i in 01 02 03 04 05 06 07 08 09 10; do
	test_expect_success "query $i runs as bi_reader and answers with rows" "
		as_bi q$i.sql >out$i &&
		test \"\$(wc -l <out$i)\" -ge 2
	"
done

test_expect_success 'the demo data has the WeCom and order sides the queries join' '
	test "$(test_psql "select count(*) from dw.fact_contact where state = ${Q}store_sh_003${Q}")" -gt 0 &&
	test "$(test_psql "select count(*) from dw.fact_contact where removed_by = ${Q}customer${Q}")" -ge 0 &&
	test "$(test_psql "select count(*) from dw.bridge_customer_tag where valid_to is null")" -gt 0
'

test_expect_success 'query 1 counts the customers of the code once each' '
	sed -n 2p out01 | cut -d"|" -f2 >actual &&
	test_psql "select count(distinct customer_key) from dw.fact_contact where state = ${Q}store_sh_003${Q}" >expect &&
	test_cmp expect actual
'

test_expect_success 'query 2: the first-order shops hold every buyer once; orders add up' '
	tail -n +2 out02 | awk -F"|" "{ c += \$3; o += \$4 } END { print c, o }" >actual &&
	test_psql "select count(distinct customer_key) || ${Q} ${Q} || count(*) from dw.fact_order
		where is_qualifying and customer_key is not null" >expect &&
	test_cmp expect actual
'

test_expect_success 'query 9: the two segments hold every buyer; repeat buyers by purchase days' '
	tail -n +2 out09 | awk -F"|" "{ b += \$2; r += \$3 } END { print b, r }" >actual &&
	test_psql "select count(*) || ${Q} ${Q} || count(*) filter (where d >= 2) from (select customer_key,
		count(distinct paid_date_key) d from dw.fact_order where is_qualifying and customer_key is not null
		group by 1) x" >expect &&
	test_cmp expect actual
'

test_done

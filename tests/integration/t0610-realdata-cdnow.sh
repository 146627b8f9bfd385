#!/usr/bin/env bash
test_description='CDNOW (Fader & Hardie 2001) through siyu import: the published sizes, and every kpi view equal to figures computed independently from the converted file (tests/realdata/README.md)'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/realdata/realdata.sh"

rd_require_data --vendored cdnow/CDNOW_master.txt eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef
setup_db
# Dates only: read as midnight in the business zone, so every date stays the same date.
rd_config cdnow Asia/Shanghai 0
"$SIYU" --config "$TRASH/cdnow.conf" migrate >/dev/null 2>&1 || die "migrate failed"

test_expect_success 'convert: 69,659 transactions of 23,570 customers, all first purchases in Q1 1997' '
	"$RD_DIR/convert-cdnow.sh" --shift-years 28 --stats stats "$RD_DATA/cdnow/CDNOW_master.txt" >cdnow.csv &&
	cat >expect <<-\EOF &&
	header_lines=1
	transactions=69659
	orders=69659
	customers=23570
	zero_value_rows=80
	first_date=19970101
	last_date=19980630
	first_purchase_after_q1_1997=0
	unsorted_rows=0
	EOF
	grep -E "^(header_lines|transactions|orders|customers|zero_value_rows|first_date|last_date|first_purchase_after_q1_1997|unsorted_rows)=" stats >actual &&
	test_cmp expect actual &&
	test $(($(wc -l <cdnow.csv) - 1)) = "$(rd_stat stats lines)"
'

test_expect_success 'the conversion is deterministic' '
	"$RD_DIR/convert-cdnow.sh" --shift-years 28 "$RD_DATA/cdnow/CDNOW_master.txt" >again.csv &&
	cmp cdnow.csv again.csv
'

test_expect_success 'siyu import loads every transaction as one order, nothing rejected' '
	"$SIYU" --config cdnow.conf import --source cdnow --timezone Asia/Shanghai cdnow.csv >out 2>err &&
	grep -q "loaded; read $(rd_stat stats lines), orders inserted 69659, updated 0, unchanged 0, duplicate lines 0, rejected 0" out
'

test_expect_success 'kpi.refresh() refreshes the materialized views' '
	test_psql "SELECT count(*) > 0 FROM kpi.refresh()" >actual &&
	echo t >expect && test_cmp expect actual
'

test_expect_success 'the warehouse holds the published sizes: 23,570 customers, 69,659 orders, CDs and dollars' '
	test_psql "SELECT (SELECT count(*) FROM dw.dim_customer), (SELECT count(*) FROM dw.fact_order),
		(SELECT sum(item_count) FROM dw.fact_order), (SELECT sum(paid_fen) FROM dw.fact_order),
		(SELECT count(*) FROM dw.fact_order WHERE paid_fen = 0)" >actual &&
	echo "23570|69659|$(rd_stat stats cds)|$(rd_stat stats cents)|$(rd_stat stats zero_value_rows)" >expect &&
	test_cmp expect actual
'

test_expect_success 'one acquisition cohort: every first order in Q1 (1997 shifted to 2025)' '
	test_psql "SELECT to_char(date_trunc(${Q}month${Q}, first_order_at AT TIME ZONE ${Q}Asia/Shanghai${Q}), ${Q}YYYY-MM${Q}), count(*)
		FROM dw.dim_customer GROUP BY 1 ORDER BY 1" >actual &&
	cut -d"|" -f1 actual >months &&
	printf "2025-01\n2025-02\n2025-03\n" >expect &&
	test_cmp expect months &&
	test "$(awk -F"|" "{ n += \$2 } END { print n }" actual)" = 23570
'

test_expect_success 'independent figures from the converted file (tests/realdata/independent.sql)' '
	rd_load_chk cdnow.csv Asia/Shanghai Asia/Shanghai
'

rd_expect_totals
rd_expect_kpis

test_done

#!/usr/bin/env bash
test_description='jaffle_shop (dbt Labs seeds) through siyu import: the published sizes, and every kpi view equal to figures computed independently from the converted file (tests/realdata/README.md)'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/realdata/realdata.sh"

rd_require_data --vendored \
	jaffle_shop/raw_customers.csv 24579b4b26098d43265376f3c50be8b10faf8e8fd95f5508074f10f76a12671d \
	jaffle_shop/raw_orders.csv ee6c68d1639ec2b23a4495ec12475e09b8ed4b61e23ab0411ea7ec76648356f7 \
	jaffle_shop/raw_payments.csv 03fd407f3135f84456431a923f22fc185a2154079e210c20b690e3ab11687d11
setup_db
# Dates only: read as midnight in the business zone, so every date stays the same date.
rd_config jaffle Asia/Shanghai 0
"$SIYU" --config "$TRASH/jaffle.conf" migrate >/dev/null 2>&1 || die "migrate failed"

test_expect_success 'convert: 100 customers, 99 orders, 113 payments' '
	"$RD_DIR/convert-jaffle.sh" --stats stats "$RD_DATA/jaffle_shop" >jaffle.csv &&
	cat >expect <<-\EOF &&
	customers=100
	orders=99
	payments=113
	lines=113
	buyers=62
	payment_cents=167200
	order_cents=167200
	refund_cents=4900
	zero_payments=3
	status.placed=13
	status.shipped=13
	status.completed=67
	status.return_pending=2
	status.returned=4
	EOF
	test_cmp expect stats &&
	test $(($(wc -l <jaffle.csv) - 1)) = 113
'

test_expect_success 'the conversion is deterministic' '
	"$RD_DIR/convert-jaffle.sh" "$RD_DATA/jaffle_shop" >again.csv &&
	cmp jaffle.csv again.csv
'

test_expect_success 'siyu import loads 99 orders of 113 payment lines, nothing rejected' '
	"$SIYU" --config jaffle.conf import --source jaffle_shop --timezone Asia/Shanghai jaffle.csv >out 2>err &&
	grep -q "loaded; read 113, orders inserted 99, updated 0, unchanged 0, duplicate lines 0, rejected 0" out
'

test_expect_success 'kpi.refresh() refreshes the materialized views' '
	test_psql "SELECT count(*) > 0 FROM kpi.refresh()" >actual &&
	echo t >expect && test_cmp expect actual
'

test_expect_success 'the warehouse holds the published sizes: 99 orders, 113 payments, the 62 customers who ordered' '
	test_psql "SELECT (SELECT count(*) FROM dw.fact_order), (SELECT count(*) FROM dw.fact_order_line),
		(SELECT count(*) FROM dw.dim_customer), (SELECT sum(paid_fen) FROM dw.fact_order),
		(SELECT sum(refund_fen) FROM dw.fact_order)" >actual &&
	echo "99|113|62|167200|4900" >expect &&
	test_cmp expect actual
'

test_expect_success 'statuses: placed → paid, return_pending → refunding, returned → refunded (not qualifying)' '
	test_psql "SELECT status, count(*), sum(paid_fen), sum(refund_fen), bool_and(is_qualifying)
		FROM dw.fact_order GROUP BY 1 ORDER BY 1" >actual &&
	cat >status.awk <<-\EOF &&
	# orders, cents and refunded cents per canonical status, straight from the seeds
	NR == FNR { if (FNR > 1) paid[$2] += $4; next }
	FNR > 1 { sub(/\r$/, "", $4); n[$4]++; c[$4] += paid[$1] }
	END {
		printf "completed|%d|%d|0|t\n", n["completed"], c["completed"]
		printf "paid|%d|%d|0|t\n", n["placed"], c["placed"]
		printf "refunded|%d|%d|%d|f\n", n["returned"], c["returned"], c["returned"]
		printf "refunding|%d|%d|0|t\n", n["return_pending"], c["return_pending"]
		printf "shipped|%d|%d|0|t\n", n["shipped"], c["shipped"]
	}
	EOF
	awk -F, -f status.awk "$RD_DATA/jaffle_shop/raw_payments.csv" "$RD_DATA/jaffle_shop/raw_orders.csv" >expect &&
	test_cmp expect actual
'

test_expect_success 'independent figures from the converted file (tests/realdata/independent.sql)' '
	rd_load_chk jaffle.csv Asia/Shanghai Asia/Shanghai
'

rd_expect_totals
rd_expect_kpis

test_done

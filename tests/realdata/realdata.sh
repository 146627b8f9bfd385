# shellcheck shell=bash
# tests/realdata/realdata.sh — helpers of the real-data cross-checks (tests/integration/t06*-realdata-*.sh,
# tests/validate/*), sourced after tests/lib.sh. README.md beside this file says what each check means.
#
#   rd_require_data [--vendored] FILE SHA256...
#                                         the dataset files are there with the documented bytes
#                                         (else the whole file is one skip, test_skip_all, which
#                                         fails make validate and CI; with --vendored, a missing
#                                         file fails the file)
#   rd_config NAME TZ RATIO               write $TRASH/NAME.conf: [run] timezone, max_reject_ratio
#   rd_stat FILE KEY                      a value of a converter's --stats file
#   rd_load_chk CSV SRC_TZ TZ             chk.raw_line ← CSV (PostgreSQL's CSV parser), then
#                                         independent.sql: the independent figures in schema chk
#   rd_expect_view TITLE VIEW SELECT_VIEW SELECT_CHK
#                                         register a comparison: the two queries print the same
#                                         rows (a missing kpi.VIEW fails it)
#   rd_run_compare                        run every registered query (one psql per side), then one
#                                         test_cmp test per comparison
#   rd_expect_empty VIEW...               a test: the views have no rows (WeCom-only views)
#   rd_rfm_buckets                        a test: each RFM score holds ⌊n/5⌋ or ⌈n/5⌉ customers, the
#                                         bigger buckets first, as the quintile rule says

RD_DIR=$TOP/tests/realdata
# Where the datasets are: $SIYU_REALDATA, else the copies vendored in tests/data/realdata
# (jaffle_shop, CDNOW: make check runs on any checkout), else ../shared/data beside the
# repository (Online Retail, for make validate). rd_require_data picks the first that
# holds the files it needs.
RD_DATA_DIRS=${SIYU_REALDATA:-$TOP/tests/data/realdata $(cd "$TOP/.." && pwd -P)/shared/data}
RD_DATA=
export RD_DIR

rd_require_data() {
	local f sum d i required=0
	if [ "$1" = --vendored ]; then
		# the data is in the repository: missing means a broken checkout, not a skip
		required=1
		shift
	fi
	for d in $RD_DATA_DIRS; do
		RD_DATA=$d
		for ((i = 1; i < $#; i += 2)); do
			[ -r "$d/${!i}" ] || RD_DATA=
		done
		[ -n "$RD_DATA" ] && break
	done
	export RD_DATA
	[ -n "$RD_DATA" ] || [ $required = 0 ] || die "no $1 in $RD_DATA_DIRS (vendored in tests/data/realdata)"
	[ -n "$RD_DATA" ] || test_skip_all "no $1 in $RD_DATA_DIRS (set SIYU_REALDATA)"
	while [ $# -ge 2 ]; do
		f=$RD_DATA/$1
		[ -r "$f" ] || die "no $f"
		sum=$(sha256sum <"$f" | cut -d' ' -f1)
		[ "$sum" = "$2" ] || die "$f has sha256 $sum, not the documented $2 (see $RD_DATA/README.md)"
		shift 2
	done
}

rd_config() {
	cat >"$TRASH/$1.conf" <<EOC
# real-data cross-check $1
[run]
timezone = $2
max_reject_ratio = $3
raw_dir = $TRASH/raw
EOC
}

rd_stat() {
	sed -n "s/^$2=//p" "$1"
}

rd_load_chk() {
	local csv=$1 src_tz=$2 tz=$3
	psql -X -q -v ON_ERROR_STOP=1 <<'EOS' || return 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS chk CASCADE;
CREATE SCHEMA chk;
CREATE TABLE chk.raw_line (
    platform text, shop_id text, shop_name text, order_no text, line_no text, status text,
    created_at text, paid_at text, updated_at text, buyer_id text, buyer_unionid text,
    buyer_phone text, sku text, product_title text, quantity text, unit_price text,
    line_paid text, line_refund text, shipping_fee text, order_discount text);
EOS
	# shellcheck disable=SC2094  # head and psql both only read the CSV
	psql -X -q -v ON_ERROR_STOP=1 \
		-c "COPY chk.raw_line ($(head -n 1 "$csv")) FROM STDIN WITH (FORMAT csv, HEADER true)" <"$csv" &&
		psql -X -q -v ON_ERROR_STOP=1 -v src_tz="$src_tz" -v tz="$tz" -f "$RD_DIR/independent.sql"
}

# Comparisons are registered first, then queried in one psql session per side
# (rd_run_compare), then each is its own test_cmp: one psql start per side, not per view.
RD_CMP_N=0
RD_CMP_TITLES=()
rd_expect_view() {
	local title=$1 n
	RD_CMP_N=$((RD_CMP_N + 1))
	n=$(printf '%02d' "$RD_CMP_N")
	printf '\\o cmp/%s.view\n%s;\n' "$n" "$3" >>"$TRASH/cmp-view.sql"
	printf '\\o cmp/%s.chk\n%s;\n' "$n" "$4" >>"$TRASH/cmp-chk.sql"
	RD_CMP_TITLES+=("$n|$title")
}

rd_run_compare() {
	local t n title
	test_expect_success 'query the kpi views and the independent figures' '
		rm -rf cmp && mkdir cmp &&
		psql -X -A -t -q -v ON_ERROR_STOP=1 -f cmp-chk.sql &&
		psql -X -A -t -q -v ON_ERROR_STOP=1 -f cmp-view.sql
	'
	for t in "${RD_CMP_TITLES[@]}"; do
		n=${t%%|*}
		title=${t#*|}
		RD_N=$n test_expect_success "$title" '
			test -s "cmp/$RD_N.chk" &&
			test_cmp "cmp/$RD_N.chk" "cmp/$RD_N.view"
		'
	done
}

rd_expect_empty() {
	local v="$*"
	RD_VIEWS=$v test_expect_success "kpi.{${v// /,}} are empty (no WeCom data)" '
		for v in $RD_VIEWS; do
			echo "$v|0"
			printf "SELECT %s, count(*) FROM kpi.%s;\n" "${Q}$v${Q}" "$v" >>empty.sql
		done >expect &&
		psql -X -A -t -q -v ON_ERROR_STOP=1 -f empty.sql >actual &&
		rm empty.sql &&
		test_cmp expect actual
	'
}

rd_rfm_buckets() {
	test_expect_success 'RFM: every score bucket holds ⌊n/5⌋ or ⌈n/5⌉ customers (≈ 20 %)' '
		n=$(test_psql "SELECT count(*) FROM kpi.customer_value") &&
		for s in r f m; do
			k=1
			while [ $k -le 5 ]; do
				echo "$s|$k|$((n / 5 + (k <= n % 5 ? 1 : 0)))"
				k=$((k + 1))
			done
		done >expect &&
		test_psql "SELECT s, score, count(*) FROM kpi.customer_value,
			LATERAL (VALUES (${Q}r${Q}, r_score), (${Q}f${Q}, f_score), (${Q}m${Q}, m_score)) v (s, score)
			GROUP BY 1, 2 ORDER BY (array_position(ARRAY[${Q}r${Q}, ${Q}f${Q}, ${Q}m${Q}], s)), 2" >actual &&
		test_cmp expect actual
	'
}

# The column lists compared for each view (the view's columns; customer keys become buyer ids).
RD_SALES_COLS='paid_orders, gmv_fen, gmv_yuan, refund_fen, refund_yuan, net_sales_fen, net_sales_yuan,
	refund_rate, refunded_orders, refunded_order_rate, qualifying_orders, qualifying_sales_fen,
	qualifying_sales_yuan, buyers, guest_orders, aov_fen, aov_yuan, sales_per_buyer_fen,
	sales_per_buyer_yuan, is_complete'
RD_PERIOD_COLS='period_type, period_start, period_end, buyers, repeat_buyers, repurchase_rate, orders,
	orders_per_buyer, net_sales_fen, net_sales_yuan, aov_fen, aov_yuan, new_buyers, returning_buyers,
	returning_customer_rate, retained_next_period, next_period_retention_rate, next_period_complete,
	is_complete'
RD_WINDOW_COLS='cohort_month, cohort_month_end, window_days, cohort_customers, repurchased_customers,
	repurchase_rate, window_elapsed, observed_until'
RD_COHORT_COLS='cohort_month, months_since_first, activity_month, cohort_customers, active_customers,
	retention_rate, is_complete, is_partial'
RD_VALUE_COLS='first_order_at, last_order_at, first_order_date, last_order_date, orders, paid_fen,
	paid_yuan, refund_fen, refund_yuan, net_paid_fen, net_paid_yuan, aov_fen, aov_yuan, snapshot_date,
	recency_days, r_score, f_score, m_score, rfm_code, segment_code, segment_cn'
RD_ACTIVE_COLS='date_key, date, dau, wau_7d, mau_30d, stickiness_rate, week_active_customers,
	month_active_customers, week_start, month_start, is_complete'
# shellcheck disable=SC2089,SC2090  # a single quote for SQL inside test bodies, as in t0300
Q="'"

# rd_expect_kpis — every comparison of a loaded dataset with its chk figures (all views).
rd_expect_kpis() {
	local dim
	rd_expect_view 'kpi.sales_monthly (total) = independent monthly sales' sales_monthly \
		"SELECT month_start, month_end, $RD_SALES_COLS FROM kpi.sales_monthly WHERE dimension = ${Q}total${Q} ORDER BY 1" \
		"SELECT month_start, month_end, $RD_SALES_COLS FROM chk.sales_monthly ORDER BY 1"
	rd_expect_view 'kpi.sales_daily (total) = independent daily sales' sales_daily \
		"SELECT date_key, date, $RD_SALES_COLS FROM kpi.sales_daily WHERE dimension = ${Q}total${Q} ORDER BY 1" \
		"SELECT date_key, date, $RD_SALES_COLS FROM chk.sales_daily ORDER BY 1"
	for dim in platform channel; do
		rd_expect_view "kpi.sales_monthly ($dim, the only shop) = total" sales_monthly \
			"SELECT month_start, $RD_SALES_COLS FROM kpi.sales_monthly WHERE dimension = ${Q}$dim${Q} ORDER BY 1" \
			"SELECT month_start, $RD_SALES_COLS FROM chk.sales_monthly ORDER BY 1"
	done
	rd_expect_view 'kpi.repurchase_period = independent repurchase, returning and retention rates' repurchase_period \
		"SELECT $RD_PERIOD_COLS FROM kpi.repurchase_period ORDER BY 1, 2" \
		"SELECT $RD_PERIOD_COLS FROM chk.repurchase_period ORDER BY 1, 2"
	rd_expect_view 'kpi.private_domain_lift: nobody inside, outside = every buyer' private_domain_lift \
		"SELECT period_type, period_start, period_end, pd_buyers, pd_repeat_buyers, pd_repurchase_rate,
		        pd_aov_fen, pd_next_period_retention_rate, outside_buyers, outside_repeat_buyers,
		        outside_repurchase_rate, outside_orders_per_buyer, outside_aov_fen, outside_aov_yuan,
		        outside_returning_customer_rate, outside_next_period_retention_rate, repurchase_rate_lift,
		        next_period_complete, is_complete
		   FROM kpi.private_domain_lift ORDER BY 1, 2" \
		"SELECT period_type, period_start, period_end, 0, 0, NULL, NULL, NULL, buyers, repeat_buyers,
		        repurchase_rate, orders_per_buyer, aov_fen, aov_yuan, returning_customer_rate,
		        next_period_retention_rate, NULL, next_period_complete, is_complete
		   FROM chk.repurchase_period ORDER BY 1, 2"
	rd_expect_view 'kpi.repurchase_window (all) = independent 30/60/90-day repurchase by cohort' repurchase_window \
		"SELECT $RD_WINDOW_COLS FROM kpi.repurchase_window WHERE segment = ${Q}all${Q} ORDER BY 1, 3" \
		"SELECT $RD_WINDOW_COLS FROM chk.repurchase_window ORDER BY 1, 3"
	rd_expect_view 'kpi.repurchase_window overall rows: the 30/60/90-day rates over observable customers = independent' repurchase_window \
		"SELECT window_days, cohort_customers, repurchased_customers, repurchase_rate FROM kpi.repurchase_window
		  WHERE segment = ${Q}all${Q} AND cohort_month IS NULL ORDER BY 1" \
		"SELECT window_days, cohort_customers, repurchased_customers, repurchase_rate FROM chk.repurchase_window
		  WHERE cohort_month IS NULL ORDER BY 1"
	rd_expect_view 'kpi.repurchase_window: outside = all, private_domain empty' repurchase_window \
		"SELECT segment, $RD_WINDOW_COLS FROM kpi.repurchase_window WHERE segment <> ${Q}all${Q} ORDER BY 1, 2, 4" \
		"SELECT ${Q}outside${Q}, $RD_WINDOW_COLS FROM chk.repurchase_window
		 UNION ALL
		 SELECT ${Q}private_domain${Q}, cohort_month, cohort_month_end, window_days, 0, 0, NULL, window_elapsed,
		        observed_until
		   FROM chk.repurchase_window ORDER BY 1, 2, 4"
	rd_expect_view 'kpi.cohort_retention = independent cohort matrix' cohort_retention \
		"SELECT $RD_COHORT_COLS FROM kpi.cohort_retention ORDER BY 1, 2" \
		"SELECT $RD_COHORT_COLS FROM chk.cohort_retention ORDER BY 1, 2"
	rd_expect_view 'kpi.customer_value = independent per-customer value, RFM scores and segments' customer_value \
		"SELECT i.id_value, $RD_VALUE_COLS, first_contact_at, in_private_domain
		   FROM kpi.customer_value v
		   JOIN dw.customer_identity i ON i.customer_key = v.customer_key AND i.id_type = ${Q}buyer_id${Q}
		  ORDER BY 1" \
		"SELECT buyer_id, $RD_VALUE_COLS, NULL, false FROM chk.customer_value ORDER BY 1"
	rd_expect_view 'kpi.customer_value: customers per segment' customer_value \
		"SELECT segment_code, segment_cn, count(*) FROM kpi.customer_value GROUP BY 1, 2 ORDER BY 1" \
		"SELECT segment_code, segment_cn, count(*) FROM chk.customer_value GROUP BY 1, 2 ORDER BY 1"
	rd_expect_view 'kpi.active_customers = independent DAU / WAU / MAU' active_customers \
		"SELECT $RD_ACTIVE_COLS FROM kpi.active_customers ORDER BY 1" \
		"SELECT $RD_ACTIVE_COLS FROM chk.active_customers ORDER BY 1"
	rd_run_compare
	rd_rfm_buckets
	rd_expect_empty growth_daily growth_weekly growth_monthly engagement_daily engagement_monthly conversion
}

# rd_expect_totals — the warehouse's counts and sums = the independent ones (chk.totals).
rd_expect_totals() {
	test_expect_success 'dw totals (orders, lines, rejects, items, money, customers) = independent' '
		test_psql "SELECT k, v FROM chk.totals ORDER BY k" >expect &&
		test_psql "SELECT k, v FROM (
			SELECT ${Q}orders${Q} k, count(*)::numeric v FROM dw.fact_order
			UNION ALL SELECT ${Q}lines${Q}, count(*) FROM dw.fact_order_line
			UNION ALL SELECT ${Q}rejected_lines${Q}, count(*) FROM etl.reject
			UNION ALL SELECT ${Q}items${Q}, sum(item_count) FROM dw.fact_order
			UNION ALL SELECT ${Q}gross_fen${Q}, sum(gross_fen) FROM dw.fact_order
			UNION ALL SELECT ${Q}paid_fen${Q}, sum(paid_fen) FROM dw.fact_order
			UNION ALL SELECT ${Q}refund_fen${Q}, sum(refund_fen) FROM dw.fact_order
			UNION ALL SELECT ${Q}paid_orders${Q}, count(*) FROM dw.fact_order WHERE paid_at IS NOT NULL
			UNION ALL SELECT ${Q}qualifying_orders${Q}, count(*) FROM dw.fact_order WHERE is_qualifying
			UNION ALL SELECT ${Q}guest_orders${Q}, count(*) FROM dw.fact_order WHERE customer_key IS NULL
			UNION ALL SELECT ${Q}customers${Q}, count(*) FROM dw.dim_customer
			UNION ALL SELECT ${Q}customers_with_qualifying_order${Q}, count(DISTINCT customer_key)
			            FROM dw.fact_order WHERE is_qualifying AND customer_key IS NOT NULL) t ORDER BY k" >actual &&
		test_cmp expect actual
	'
}

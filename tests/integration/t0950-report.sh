#!/usr/bin/env bash
test_description='siyu report: one self-contained HTML file that loads in headless Chromium with no console message, every chart with data points equal to the KPI views; a screenshot kept in var/check/'
. "$(dirname "$0")/../lib.sh"

. "$TOP/tests/integration/lib-demo.sh"
demo_setup
Q="'"
SHOT=$TOP/var/check/report.png

# browse FILE — load FILE in headless Chromium (a fresh profile, nothing from the network):
# the DOM after load in dom.html, a full-page screenshot in $SHOT, Chromium's log in
# browser.log (console messages appear there as "CONSOLE").
browse() {
	rm -rf profile
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$TRASH/profile" --enable-logging=stderr --v=0 \
		--dump-dom "file://$TRASH/$1" >dom.html 2>browser.log &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$TRASH/profile" --window-size=1100,6000 --hide-scrollbars \
		--screenshot="$SHOT" "file://$TRASH/$1" >>browser.log 2>&1
}

# charts FILE — per <svg class="chart">: its aria-label and how many data points it has.
charts() {
	awk 'BEGIN { RS = "<svg class=\"chart\"" } NR > 1 {
		end = index($0, "</svg>"); body = substr($0, 1, end)
		match(body, /aria-label="[^"]*"/); label = substr(body, RSTART + 12, RLENGTH - 13)
		print label "\t" gsub(/class="pt"/, "", body) }' "$1"
}

test_expect_success 'the report is written and self-contained: no script, no link, nothing fetched' '
	"$SIYU" --config demo.conf report --out report.html >out 2>err &&
	test_must_fail test -s out &&
	grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src ${Q}none${Q};" report.html &&
	test_must_fail grep -n -i -e "<script" -e "<link" -e "<img" -e "<iframe" -e "@import" -e "url(" report.html &&
	test_must_fail grep -n -o -e "https\{0,1\}://[^\" ]*" report.html &&
	grep -q "Noto Sans CJK SC" report.html
'

test_expect_success 'headless Chromium loads it with no console message and draws it' '
	command -v chromium >/dev/null || { echo "chromium is missing: make deps installs it"; exit 1; } &&
	browse report.html &&
	test_must_fail grep CONSOLE browser.log &&
	grep -q "</main>" dom.html &&
	test -s "$SHOT" && test "$(head -c 4 "$SHOT" | tail -c 3)" = PNG
'

test_expect_success 'every chart of the rendered page has data points' '
	charts dom.html >charts &&
	test "$(wc -l <charts)" -ge 9 &&
	awk -F"\t" "\$2 < 1 { print \"no data points: \" \$1; bad = 1 } END { exit bad }" charts &&
	test_must_fail grep -n "NaN\|inf" charts dom.html &&
	test_must_fail grep -n "class=\"nodata\"" dom.html
'

test_expect_success 'Chinese labels reach the browser as text, and a CJK font is installed to draw them' '
	grep -q "<h2>客户增长 · Growth</h2>" dom.html &&
	fc-list :lang=zh family >fonts &&
	test -s fonts
'

test_expect_success 'the figures are those of the KPI views' '
	period=$(sed -n "s/.*<p>\([0-9-]*\) 至 \([0-9-]*\) · .*/\1 \2/p" report.html) &&
	set -- $period &&
	test_psql "select to_char(month_start, ${Q}YYYY-MM${Q}) || ${Q}: ${Q} || new_customers from kpi.growth_monthly
		where dimension = ${Q}total${Q} and month_start between date_trunc(${Q}month${Q}, ${Q}$1${Q}::date) and ${Q}$2${Q}
		order by month_start" >expect &&
	sed -n "s/.*<title>新增 new · \([0-9-]*: [0-9,]*\)<\/title>.*/\1/p" report.html | tr -d , >actual &&
	test_cmp expect actual &&
	test_psql "select to_char(sum(gmv_fen) / 100.0, ${Q}FM999,999,990.00${Q}) from kpi.sales_monthly
		where dimension = ${Q}total${Q} and month_start between date_trunc(${Q}month${Q}, ${Q}$1${Q}::date) and ${Q}$2${Q}" >expect &&
	sed -n "s/.*<div class=\"label\">GMV<\/div><div class=\"value\">¥\([0-9,.]*\)<.*/\1/p" report.html >actual &&
	test_cmp expect actual &&
	test_psql "select count(*) from kpi.customer_value where segment_cn = ${Q}重要价值${Q}" >expect &&
	sed -n "s/.*<title>重要价值 Important value · RFM[^:]*: \([0-9,]*\)<\/title>.*/\1/p" report.html >actual &&
	test_cmp expect actual
'

# section ID — the HTML of one section of report.html
section() { sed -n "/<section id=\"$1\">/,/<\/section>/p" report.html; }

test_expect_success 'the overall 30/60/90-day rates are the overall rows of kpi.repurchase_window' '
	for n in 30 60 90; do
		test_psql "select coalesce(round(100 * repurchase_rate, 3)::text, ${Q}—${Q}) || ${Q} ${Q} ||
		                  cohort_customers from kpi.repurchase_window
		            where segment = ${Q}all${Q} and cohort_month is null and window_days = $n"
	done >expect &&
	test "$(wc -l <expect)" = 3 && grep -q "^[0-9]" expect &&
	section overall | sed -n "s/.*<div class=\"value\">\([^<]*\)<.*/\1/p" | tr -d "%," |
		paste -d " " - - >actual &&
	awk "NR == FNR { want[FNR] = \$0; next }
	     { split(want[FNR], w, \" \"); d = \$1 - w[1]
	       if (\$2 != w[2] || (\$1 == \"—\") != (w[1] == \"—\") || d > 0.05 || d < -0.05) bad = 1 }
	     END { exit bad || FNR != 3 }" expect actual
'

test_expect_success 'the care list per staff is kpi.care_list of the last day not past the orders end of observation' '
	period=$(sed -n "s/.*<p>\([0-9-]*\) 至 \([0-9-]*\) · .*/\1 \2/p" report.html) && set -- $period &&
	test_psql "select greatest(${Q}$1${Q}::date, least(${Q}$2${Q}::date,
	                  kpi.business_date(kpi.end_of_observation(${Q}orders${Q}))))" >day &&
	test_psql "select staff || ${Q}|${Q} || count(*) from (select coalesce(staff_name, staff_userid,
	             ${Q}无负责员工 no owner${Q}) as staff from kpi.care_list(${Q}$(cat day)${Q})) c
	             group by staff" >expect &&
	test -s expect &&
	section care | grep -o "<title>[^<]*</title>" |
		sed -n "s/<title>[^<]* · \([0-9-]*\) · \([^<]*\): \([0-9,]*\)<\/title>/\1|\2|\3/p" >points &&
	test "$(cut -d"|" -f1 points | sort -u)" = "$(cat day)" &&
	awk -F"|" "{ n[\$2] += \$3 } END { for (s in n) print s \"|\" n[s] }" points | sort >actual &&
	sort expect >expect.sorted && test_cmp expect.sorted actual
'

test_expect_success 'data quality names each source end of observation and the ones that bound the KPIs; the header where the KPIs end' '
	test_psql "select count(*) from kpi.observation o
	            where o.observed_until = kpi.end_of_observation(o.kind)" >expect &&
	section observation | grep -c "<td>是 yes</td>" >actual &&
	test_cmp expect actual &&
	test "$(section observation | grep -c "^<tr><td>")" = "$(test_psql "select count(*) from kpi.observation")" &&
	test_psql "set timezone = ${Q}Asia/Shanghai${Q};
	           select to_char(kpi.end_of_observation(${Q}orders${Q}), ${Q}YYYY-MM-DD HH24:MI${Q})" >expect &&
	sed -n "s/.*KPIs observed until: 订单 orders \([0-9-]* [0-9:]*\) · 企业微信 WeCom .*/\1/p" report.html >actual &&
	test -s actual && test_cmp expect actual
'

test_expect_success '--from/--to set the period; bad dates are usage errors' '
	"$SIYU" --config demo.conf report --from 2025-03-01 --to 2025-05-31 >may.html &&
	sed -n "s/.*<title>新增 new · \([0-9-]*\):.*/\1/p" may.html | tr "\n" " " >actual &&
	printf "2025-03 2025-04 2025-05 " >expect &&
	test_cmp expect actual &&
	test_expect_code 2 "$SIYU" --config demo.conf report --from 2025-02-30 &&
	test_expect_code 2 "$SIYU" --config demo.conf report --from 2025-06-01 --to 2025-05-01 &&
	test_expect_code 2 "$SIYU" --config demo.conf report extra
'

test_expect_success 'a warehouse without a view: its section says so, the rest renders' '
	copy_db t0950_old &&
	PGDATABASE=t0950_old test_psql "drop view kpi.customer_value cascade" &&
	PGDATABASE=t0950_old "$SIYU" --config demo.conf report --out old.html &&
	grep -q "this warehouse has no kpi.customer_value yet" old.html &&
	charts old.html >charts &&
	test "$(wc -l <charts)" -ge 8
'

test_done

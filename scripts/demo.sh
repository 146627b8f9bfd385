#!/usr/bin/env bash
# demo.sh — `make demo`: the nightly job end to end on an embedded default.
#
# A private PostgreSQL cluster under var/demo-pg (database "siyu"), the demo
# pipeline.conf (its sources: the bundled sample exports under sample/ and, when
# built, the fake WeCom and Youzan servers), `siyu migrate`, `siyu import` of two
# back-office exports (sample/exports), `siyu run`, then a summary from
# the warehouse and its KPI views. Safe to rerun: a second run reports every order
# unchanged. The cluster is stopped at the end unless DEMO_KEEP=1.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
siyu="$top/bin/siyu"
pgdir="$top/var/demo-pg"

# The demo's own HMAC key for phone numbers; a real deployment sets its own secret.
export SIYU_PII_KEY="${SIYU_PII_KEY:-siyu-demo-key-not-for-production}"

stop_all() {
	if [[ -x scripts/fake-wecom.sh && -f var/demo-wecom/pid ]]; then
		scripts/fake-wecom.sh stop var/demo-wecom >/dev/null 2>&1 || true
	fi
	if [[ -x scripts/fake-youzan.sh && -f var/demo-youzan/pid ]]; then
		scripts/fake-youzan.sh stop var/demo-youzan >/dev/null 2>&1 || true
	fi
	if [[ "${DEMO_KEEP:-0}" != 1 ]]; then
		scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
	fi
}
trap stop_all EXIT

echo "== private PostgreSQL under var/demo-pg"
scripts/pg.sh start "$pgdir" >/dev/null
eval "$(scripts/pg.sh env "$pgdir")"
export PGDATABASE=siyu
psql -XAtq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'siyu'" | grep -q 1 ||
	createdb siyu

config=pipeline.conf
if [[ -x scripts/fake-wecom.sh && -x build/rel/fakes/fake_wecom ]]; then
	echo "== fake WeCom server on 127.0.0.1"
	scripts/fake-wecom.sh start var/demo-wecom >/dev/null
	export WECOM_DEMO_URL="http://127.0.0.1:$(cat var/demo-wecom/port)"
	export WECOM_SECRET=demo-secret
	config=var/demo-pipeline.conf
	{ cat pipeline.conf; printf '\n[source.wecom]\ntype = wecom\nbase_url = ${WECOM_DEMO_URL}\ncorpid = ww-demo-corp\nsecret = ${WECOM_SECRET}\nrps = 50\n'; } >"$config"
fi
if [[ -x scripts/fake-youzan.sh && -x build/rel/fakes/fake_youzan ]]; then
	echo "== fake Youzan open API on 127.0.0.1"
	scripts/fake-youzan.sh start var/demo-youzan >/dev/null
	export YOUZAN_DEMO_URL="http://127.0.0.1:$(cat var/demo-youzan/port)"
	export YOUZAN_CLIENT_SECRET=demo-secret
	[[ $config != pipeline.conf ]] || { config=var/demo-pipeline.conf; cp pipeline.conf "$config"; }
	# A second Youzan shop through the API: the sample's period in 90-day windows.
	printf '\n[source.youzan_api]\ntype = youzan\nbase_url = ${YOUZAN_DEMO_URL}\nclient_id = demo-client\nclient_secret = ${YOUZAN_CLIENT_SECRET}\nkdt_id = 44000001\nstart = 2025-01-01\nwindow = 90d\nmax_reject_ratio = 0.05\nrps = 50\n' >>"$config"
fi

echo "== siyu migrate"
if ! "$siyu" --config "$config" migrate 2>var/demo-migrate.log; then
	cat var/demo-migrate.log
	echo "demo: siyu migrate failed. A demo database from an older checkout can be reset with" \
		"'make distclean' (it removes var/, the demo's cluster and raw zone)."
	exit 1
fi

echo "== siyu import: back-office exports (a Taobao 订单报表 + 宝贝报表 pair, a Douyin .xlsx)"
# Exports carry no shop id: --shop names it. Their version is the time in the file name,
# so importing them again (a second make demo) changes nothing.
for args in "taobao 106879234 sample/exports/ExportOrderList202503100900.csv sample/exports/ExportOrderDetailList202503100900.csv" \
	    "douyin 4463798 sample/exports/1741568400_订单导出.xlsx"; do
	set -- $args
	if ! "$siyu" --config "$config" import --profile "$1" --shop "$2" "${@:3}" 2>>var/demo-import.log; then
		echo "siyu import --profile $1 failed; its log:"
		cat var/demo-import.log
		exit 1
	fi
done
rm -f var/demo-import.log

echo "== siyu run"
set +e
"$siyu" --config "$config" run 2>var/demo-run.log
rc=$?
set -e
[[ $rc -eq 0 ]] || { echo "siyu run exited $rc; its log:"; cat var/demo-run.log; exit "$rc"; }

q() { psql -X -q -P footer=off -c "$1"; }

echo
echo "== the warehouse"
q "SELECT (SELECT count(*) FROM dw.fact_order) AS orders,
          (SELECT count(*) FROM dw.fact_order_line) AS order_lines,
          (SELECT count(*) FROM dw.dim_customer) AS customers,
          (SELECT count(*) FROM dw.customer_merge) AS customer_merges,
          (SELECT count(*) FROM etl.reject WHERE run_id = (SELECT max(run_id) FROM etl.run)) AS rejects_this_run"

echo "== GMV per channel (qualifying orders: paid, not cancelled, not fully refunded)"
q "SELECT c.platform, c.shop_name,
          count(*) FILTER (WHERE f.is_qualifying) AS paid_orders,
          to_char(sum(f.paid_fen) FILTER (WHERE f.is_qualifying) / 100.0, 'FM999,999,990.00') AS gmv_yuan,
          to_char(sum(f.refund_fen) / 100.0, 'FM999,999,990.00') AS refunds_yuan,
          count(DISTINCT f.customer_key) FILTER (WHERE f.is_qualifying) AS buyers
     FROM dw.fact_order f JOIN dw.dim_channel c USING (channel_key)
    GROUP BY 1, 2 ORDER BY 1, 2"

if psql -XAtqc "SELECT to_regclass('kpi.sales_monthly') IS NOT NULL" | grep -q t; then
	echo "== kpi.sales_monthly (all channels)"
	q "SELECT year, month, paid_orders, gmv_yuan, refund_yuan, buyers, aov_yuan
	     FROM kpi.sales_monthly WHERE dimension = 'total' AND paid_orders > 0
	    ORDER BY year, month"
fi
echo "== kpi.repurchase_period (months with buyers)"
q "SELECT period_start AS month, buyers, repeat_buyers, repurchase_rate, new_buyers, returning_buyers,
          next_period_retention_rate, aov_yuan
     FROM kpi.repurchase_period WHERE period_type = 'month' AND buyers > 0 ORDER BY 1"
if psql -XAtqc "SELECT count(*) FROM dw.fact_contact" | grep -qv '^0$'; then
	echo "== WeCom"
	q "SELECT (SELECT count(*) FROM dw.dim_staff) AS staff,
	          (SELECT count(*) FROM dw.fact_contact WHERE removed_at IS NULL) AS active_contacts,
	          (SELECT count(*) FROM dw.dim_group) AS groups,
	          (SELECT count(*) FROM dw.fact_group_member WHERE left_at IS NULL) AS group_members,
	          (SELECT count(*) FROM dw.fact_contact_event) AS contact_events"
	echo "== kpi.growth_monthly (all staff, last 6 months; customers are people, not staff-customer pairs)"
	q "SELECT month_start AS month, new_customers, lost_customers, net_growth, pool_end, churn_rate,
	          new_group_members, group_members_end
	     FROM kpi.growth_monthly WHERE dimension = 'total' ORDER BY 1 DESC LIMIT 6"
	echo "== kpi.growth_monthly by staff (the latest month; names from the WeCom address book)"
	q "SELECT dimension_label AS staff, new_customers, lost_customers, net_growth, pool_end
	     FROM kpi.growth_monthly
	    WHERE dimension = 'staff' AND month_start = (SELECT max(month_start) FROM kpi.growth_monthly)
	    ORDER BY new_customers DESC, pool_end DESC, staff LIMIT 5"
	echo "== kpi.engagement_monthly (all staff; rates weighted by chats)"
	q "SELECT month_start AS month, chat_cnt, message_cnt, reply_rate, avg_first_reply_minutes,
	          negative_feedback_rate, group_active_rate, member_speak_rate
	     FROM kpi.engagement_monthly WHERE dimension = 'total' AND stat_days > 0 ORDER BY 1"
	echo "== kpi.conversion (WeCom-added customers with a first qualifying order within 30 days)"
	q "SELECT month_start AS added_in, added_customers, prior_buyers, converted_customers,
	          non_buyer_conversion_rate, avg_days_to_first_order
	     FROM kpi.conversion WHERE dimension = 'total' AND converted_customers > 0 ORDER BY 1"
	echo "== kpi.private_domain_lift (repurchase inside vs outside the private domain)"
	q "SELECT period_start AS month, pd_buyers, pd_repurchase_rate, outside_buyers,
	          outside_repurchase_rate, repurchase_rate_lift
	     FROM kpi.private_domain_lift WHERE period_type = 'month' AND pd_buyers + outside_buyers > 0
	    ORDER BY 1"
fi

echo "== rejects of this run, by reason"
q "SELECT source, regexp_replace(reason, ' \"[^\"]*\"', '') AS reason, count(*) AS rejects,
          min(location) AS first_at
     FROM etl.reject WHERE run_id = (SELECT max(run_id) FROM etl.run)
    GROUP BY 1, 2 ORDER BY 1, 3 DESC"

echo "== siyu status"
"$siyu" --config "$config" status --runs 1 2>/dev/null | sed -n '/^Sources/,/^$/p'

echo "Explore: DEMO_KEEP=1 make demo, then: eval \"\$(scripts/pg.sh env var/demo-pg)\"; psql -d siyu"

# the last line: where the report is
echo "== siyu report"
"$siyu" --config "$config" report --out var/report.html
echo "report: $top/var/report.html (open it in a browser; it loads nothing from the network)"

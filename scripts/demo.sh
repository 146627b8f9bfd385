#!/usr/bin/env bash
# demo.sh — `make demo`: the nightly job end to end on an embedded default.
#
# A private PostgreSQL cluster under var/demo-pg (database "siyu"), the demo
# pipeline.conf (its sources: the sample order exports, generated into var/demo-sample
# so that they end yesterday, and, when built, the fake WeCom, Youzan, Taobao, JD,
# Pinduoduo, Douyin and WeChat Channels servers; the
# fake corp's history also ends yesterday and shares the sample's buyers), `siyu
# migrate`, `siyu import` of two back-office exports (sample/exports), `siyu run`; then
# customers delete staff members along the timeline (callbacks to siyu wecom-callback),
# the corp changes (adds, deletions by staff, group moves) and a second `siyu run` records
# them.
# Then a summary from the warehouse and its KPI views, today's first-purchase care list
# per staff member, and `siyu push` of one audience to the fake WeCom. Safe to rerun on
# the same day (a second run reports every order unchanged); on a later day the demo
# database is rebuilt for the new timeline. The cluster is stopped at the end unless
# DEMO_KEEP=1. DEMO_END=YYYY-MM-DD pins the timeline's last day instead of yesterday: the
# same warehouse whatever the day (docs/kpi.md's examples; the WeCom statistics and the
# corp's changes of the second run are the exceptions: they are dated by the clock).
# DEMO_SIYU, DEMO_FAKES and DEMO_VAR (default bin/siyu, build/rel/fakes, var) are for
# the test that runs it (tests/integration/t0945-kpi-examples.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Where it runs; tests/integration/t0945 runs the pinned demo on its own build and directory.
siyu=${DEMO_SIYU:-$top/bin/siyu}
fakes=${DEMO_FAKES:-$top/build/rel/fakes}
var=$(realpath -m "${DEMO_VAR:-var}")
mkdir -p "$var"
pgdir="$var/demo-pg"
export SIYU_FAKES=$fakes

# The demo's own HMAC key for phone numbers; a real deployment sets its own secret.
export SIYU_PII_KEY="${SIYU_PII_KEY:-siyu-demo-key-not-for-production}"

shop_platforms="taobao jd pdd douyin channels"

stop_all() {
	if [[ -x scripts/fake-wecom.sh && -f $var/demo-wecom/pid ]]; then
		scripts/fake-wecom.sh stop $var/demo-wecom >/dev/null 2>&1 || true
	fi
	if [[ -x scripts/fake-youzan.sh && -f $var/demo-youzan/pid ]]; then
		scripts/fake-youzan.sh stop $var/demo-youzan >/dev/null 2>&1 || true
	fi
	for p in $shop_platforms; do
		[[ -f $var/demo-$p/pid ]] && scripts/fake.sh "$p" stop "$var/demo-$p" >/dev/null 2>&1 || true
	done
	if [[ "${DEMO_KEEP:-0}" != 1 ]]; then
		scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
	fi
}
trap stop_all EXIT

echo "== private PostgreSQL under $pgdir"
scripts/pg.sh start "$pgdir" >/dev/null
eval "$(scripts/pg.sh env "$pgdir")"
export PGDATABASE=siyu
psql -XAtq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'siyu'" | grep -q 1 ||
	createdb siyu

# One timeline ending yesterday (business time), or on DEMO_END (YYYY-MM-DD: the pinned
# demo of docs/kpi.md's examples): the sample orders, the fake corp and shops are generated
# for it; a warehouse built on another timeline is rebuilt.
yesterday=${DEMO_END:-$(TZ=Asia/Shanghai date -d yesterday +%F)}
[[ $yesterday =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] && date -d "$yesterday" >/dev/null 2>&1 ||
	{ echo "demo: DEMO_END=$yesterday: expected a date YYYY-MM-DD" >&2; exit 2; }
export SIYU_DEMO_END=$yesterday
if [[ "$(cat $var/demo-sample/END 2>/dev/null)" != "$yesterday" ]]; then
	echo "== sample orders ending yesterday ($yesterday) in $var/demo-sample"
	scripts/gen-sample.sh --end "$yesterday" $var/demo-sample 2>/dev/null
	echo "$yesterday" >$var/demo-sample/END
	dropdb --if-exists siyu && createdb siyu
fi

# The demo's configuration: pipeline.conf with the generated sample.
config=$var/demo-pipeline.conf
sed -e "s#^path = sample/orders-#path = $var/demo-sample/orders-#" -e "/^\[run\]\$/a raw_dir = $var/raw" \
	pipeline.conf >"$config"
wecom=0
if [[ -x scripts/fake-wecom.sh && -x $fakes/fake_wecom && -x $fakes/wecom_push ]]; then
	echo "== fake WeCom server on 127.0.0.1 (its history ends yesterday and shares the sample's buyers)"
	SIYU_SAMPLE_DIR=$var/demo-sample scripts/fake-wecom.sh start $var/demo-wecom >/dev/null
	export WECOM_DEMO_URL="http://127.0.0.1:$(cat $var/demo-wecom/port)"
	export WECOM_SECRET=demo-secret
	# the callback credentials are WeCom's published sample ones (tests/integration/lib-callback.sh)
	export WECOM_CB_TOKEN=hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo WECOM_CB_AES_KEY=6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt
	printf '\n[source.wecom]\ntype = wecom\nbase_url = ${WECOM_DEMO_URL}\ncorpid = ww-demo-corp\nsecret = ${WECOM_SECRET}\nrps = 50\ncallback_token = ${WECOM_CB_TOKEN}\ncallback_aes_key = ${WECOM_CB_AES_KEY}\n' >>"$config"
	# siyu push writes the audience of pipeline.conf back to the fake as a tag
	sed -i -e '/^\[actions\]$/a push_source = wecom' -e 's/^# push_tag = /push_tag = /' "$config"
	wecom=1
fi
if [[ -x scripts/fake-youzan.sh && -x $fakes/fake_youzan ]]; then
	echo "== fake Youzan open API on 127.0.0.1"
	# the demo shop's 600 orders over the 300 days up to yesterday (fake-youzan.sh's default
	# shop, on the demo's timeline)
	scripts/fake-youzan.sh start $var/demo-youzan --seed 42 --orders 600 --history-days 300 --bad-orders 3 \
		--end "$yesterday 23:00:00" --client-id demo-client --client-secret demo-secret --kdt-id 44000001 >/dev/null
	export YOUZAN_DEMO_URL="http://127.0.0.1:$(cat $var/demo-youzan/port)"
	export YOUZAN_CLIENT_SECRET=demo-secret
	# A second Youzan shop through the API, in 90-day windows from the start of its history.
	printf '\n[source.youzan_api]\ntype = youzan\nbase_url = ${YOUZAN_DEMO_URL}\nclient_id = demo-client\nclient_secret = ${YOUZAN_CLIENT_SECRET}\nkdt_id = 44000001\nstart = %s\nwindow = 90d\nmax_reject_ratio = 0.05\nrps = 50\n' "$(date -d "$yesterday -300 days" +%F)" >>"$config"
fi

# The five shop platforms' order APIs, each against its fake: a small shop whose orders
# end yesterday 23:00 China time like the rest of the demo (the same shop all day, so a
# second make demo changes nothing), read from a few days before. Pinduoduo's windows are 30 minutes: two days.
shop_end="$yesterday 23:00:00"
export DEMO_SHOP_SECRET=demo-shop-secret DEMO_SHOP_TOKEN=demo-shop-token
shop_conf() {
	local p=$1 url=$2
	case $p in
	taobao) printf 'base_url = %s/router/rest\ntoken_url = %s/token\napp_key = demo-app\napp_secret = ${DEMO_SHOP_SECRET}\nsession = ${DEMO_SHOP_TOKEN}\nshop_id = tb-demo\nwindow = 1d\n' "$url" "$url" ;;
	jd) printf 'base_url = %s/routerjson\ntoken_url = %s/oauth2/refresh_token\napp_key = demo-app\napp_secret = ${DEMO_SHOP_SECRET}\naccess_token = ${DEMO_SHOP_TOKEN}\nshop_id = jd-demo\nwindow = 1d\n' "$url" "$url" ;;
	pdd) printf 'base_url = %s/api/router\nclient_id = demo-app\nclient_secret = ${DEMO_SHOP_SECRET}\naccess_token = ${DEMO_SHOP_TOKEN}\nshop_id = pdd-demo\nwindow = 30m\n' "$url" ;;
	douyin) printf 'base_url = %s\napp_key = 7000000000000000001\napp_secret = ${DEMO_SHOP_SECRET}\nshop_id = 4463800\nwindow = 1d\n' "$url" ;;
	channels) printf 'base_url = %s\nappid = demo-app\nappsecret = ${DEMO_SHOP_SECRET}\nshop_id = ch-demo\nwindow = 1d\n' "$url" ;;
	esac
}
for p in $shop_platforms; do
	[[ -x $fakes/fake_$p ]] || continue
	days=$([[ $p == pdd ]] && echo 2 || echo 14)
	app_key=$([[ $p == douyin ]] && echo 7000000000000000001 || echo demo-app)
	echo "== fake $p open API on 127.0.0.1"
	opts=(--seed 42 --orders $((days * 12)) --history-days "$days" --bad-orders 1 --end "$shop_end"
	      --app-key "$app_key" --app-secret "$DEMO_SHOP_SECRET")
	case $p in
	douyin) opts+=(--shop-id 4463800) ;;
	channels) ;;
	*) opts+=(--access-token "$DEMO_SHOP_TOKEN") ;;
	esac
	scripts/fake.sh "$p" start "$var/demo-$p" "${opts[@]}" >/dev/null
	{
		printf '\n[source.%s_api]\ntype = %s\n' "$p" "$p"
		shop_conf "$p" "$(scripts/fake.sh "$p" url "$var/demo-$p")"
		printf 'start = %s\nrps = 200\n' \
			"$(date -d "$shop_end $((days + 1)) days ago" +%Y-%m-%d)"
	} >>"$config"
done

echo "== siyu migrate"
if ! "$siyu" --config "$config" migrate 2>$var/demo-migrate.log; then
	cat $var/demo-migrate.log
	echo "demo: siyu migrate failed. A demo database from an older checkout can be reset with" \
		"'make distclean' (it removes var/, the demo's cluster and raw zone)."
	exit 1
fi

echo "== siyu import: back-office exports (a Taobao 订单报表 + 宝贝报表 pair, a Douyin .xlsx)"
# Exports carry no shop id: --shop names it. Their orders are old (2025-03), but they were
# downloaded yesterday (--as-of): their version, and how far the KPIs may trust them (the
# end of observation), is yesterday; importing them again the same day changes nothing.
for args in "taobao 106879234 sample/exports/ExportOrderList202503100900.csv sample/exports/ExportOrderDetailList202503100900.csv" \
	    "douyin 4463798 sample/exports/1741568400_订单导出.xlsx"; do
	set -- $args
	if ! "$siyu" --config "$config" import --profile "$1" --shop "$2" --as-of "$yesterday 23:00:00" "${@:3}" \
		2>>$var/demo-import.log; then
		echo "siyu import --profile $1 failed; its log:"
		cat $var/demo-import.log
		exit 1
	fi
done
rm -f $var/demo-import.log

echo "== siyu run"
set +e
"$siyu" --config "$config" run 2>$var/demo-run.log
rc=$?
set -e
[[ $rc -eq 0 ]] || { echo "siyu run exited $rc; its log:"; cat $var/demo-run.log; exit "$rc"; }

# customers_delete CONF — customers who deleted their staff member along the timeline: WeCom
# tells that only by a callback (del_follow_user), so they are sent, signed and encrypted, to
# siyu wecom-callback, which spools them for the next run. One active relationship in 15,
# each deleted at a time between its add and yesterday; only once per demo database.
customers_delete() {
	local pid port n=0 end="$yesterday 00:00:00+08"   # the start of the timeline's last day
	psql -XAtqc "SELECT 1 FROM dw.fact_contact_event WHERE origin = 'callback' LIMIT 1" | grep -q 1 && return 0
	rm -f $var/demo-callback.port
	"$siyu" --config "$1" wecom-callback --listen 127.0.0.1:0 --port-file $var/demo-callback.port \
		2>>$var/demo-run.log &
	pid=$!
	for _ in $(seq 100); do [[ -s $var/demo-callback.port ]] && break; sleep 0.1; done
	port=$(cat $var/demo-callback.port)
	while IFS='|' read -r userid ext at; do
		printf '<xml><ToUserName><![CDATA[ww-demo-corp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>%s</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[del_follow_user]]></ChangeType><UserID><![CDATA[%s]]></UserID><ExternalUserID><![CDATA[%s]]></ExternalUserID></xml>\n' \
			"$at" "$userid" "$ext" >$var/demo-callback.xml
		$fakes/wecom_push --url "http://127.0.0.1:$port/wecom/callback" --token "$WECOM_CB_TOKEN" \
			--aes-key "$WECOM_CB_AES_KEY" --receiver-id ww-demo-corp $var/demo-callback.xml >/dev/null && n=$((n + 1))
	done < <(psql -XAtq -c "
		SELECT s.userid, w.external_userid,
		       extract(epoch FROM f.added_at + ('$end' - f.added_at) * ((f.customer_key * 37) % 100 / 100.0))::bigint
		  FROM dw.fact_contact f JOIN dw.dim_staff s USING (staff_key)
		  JOIN LATERAL (SELECT min(external_userid) AS external_userid FROM dw.wecom_customer w
		                 WHERE w.customer_key = f.customer_key) w ON true
		 WHERE f.removed_at IS NULL AND f.added_at < timestamptz '$end' - interval '1 day' AND f.customer_key % 15 = 0
		 ORDER BY 1, 2")
	kill -TERM "$pid" && wait "$pid" 2>/dev/null || true
	rm -f $var/demo-callback.xml $var/demo-callback.port
	echo "   $n customers deleted their staff member (del_follow_user callbacks, spooled by siyu wecom-callback)"
}

if [[ $wecom == 1 ]]; then
	echo "== the corp changes: deletions by customers (callbacks) and by staff, adds, group joins and quits; siyu run records them"
	customers_delete "$config"
	scripts/fake-wecom.sh admin $var/demo-wecom "/__admin/mutate?step=1" >/dev/null
	"$siyu" --config "$config" run --source wecom 2>>$var/demo-run.log >/dev/null ||
		{ echo "the second siyu run failed; its log:"; cat $var/demo-run.log; exit 1; }
fi

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

echo "== today's first-purchase care list, per staff member (siyu export care; phones in remarks masked)"
"$siyu" --config "$config" export care 2>>$var/demo-run.log | sed '1s/^\xEF\xBB\xBF//' | tr -d '\r' | awk -F, '
	function more() { if (n > 8) printf "    … and %d more (the files below)\n", n - 8 }
	NR == 1 { next }
	$1 != owner || NR == 2 {
		more(); owner = $1; n = 0
		printf "%s\n", owner == "" ? "  未加企微 (outside the private domain: invite)" : "  " $2 " (" $1 ")"
	}
	++n <= 8 {
		gsub(/^="|"$/, "", $11)   # the CSV keeps long order numbers text for Excel: ="…"
		printf "    %-10s %-8s %-12s %s%s  first order %s %s\n", $6, $7, $8, $4, ($5 != "" ? " / " $5 : ""), $11, $13
	}
	END { more(); if (NR <= 1) print "  (nobody is due today)" }'
mkdir -p $var/demo-care
"$siyu" --config "$config" export care --split-by-staff --out $var/demo-care/关怀.xlsx 2>>$var/demo-run.log | tail -1
echo "== at-risk valuable customers: $("$siyu" --config "$config" export at-risk 2>>$var/demo-run.log | tail -n +2 | wc -l) (siyu export at-risk)"
if [[ $wecom == 1 ]]; then
	echo "== siyu push: an audience back into WeCom as a customer tag"
	"$siyu" --config "$config" push 2>>$var/demo-run.log
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
"$siyu" --config "$config" report --out $var/report.html
echo "report: $var/report.html (open it in a browser; it loads nothing from the network)"

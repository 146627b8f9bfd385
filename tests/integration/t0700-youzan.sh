#!/usr/bin/env bash
test_description='youzan source: a first load equals the fake shop exactly; reruns change nothing; an incremental run picks up exactly the changes; a backfill killed after a window resumes from it and ends as a clean run; faults; replay'
. "$(dirname "$0")/../lib.sh"

export SIYU_HTTP_BACKOFF_SCALE=0.001
export YOUZAN_SECRET=test-secret
export SIYU_PII_KEY=t0700-test-key-0123456789
Q="'"

setup_db
"$SIYU" migrate >/dev/null 2>"$TRASH/migrate.err" || die "migrate failed: $(cat "$TRASH/migrate.err")"
MAIN=$PGDATABASE
# Empty warehouses for the backfill (clean and crashed) and the replay.
for db in t0700_clean t0700_crash t0700_mid t0700_mid2 t0700_replay t0700_replay2 t0700_split t0700_short; do
	copy_db $db "$MAIN" || die "cannot copy the database"
	test_atexit "PGDATABASE=postgres psql -Xq -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)' >/dev/null 2>&1 || true"
done

"$TOP/scripts/fake-youzan.sh" start "$TRASH/fake" --seed 7 --orders 300 --history-days 60 \
	--bad-orders 2 >/dev/null || die "cannot start the fake"
test_atexit "kill $(cat "$TRASH/fake/pid") 2>/dev/null || true"
URL=$("$TOP/scripts/fake-youzan.sh" url "$TRASH/fake")
START=$(date -u -d '70 days ago' +%Y-%m-%d)
# A fixed end for the backfill runs, so that clean and resumed runs plan the same windows.
UNTIL=$(date -u -d '1 day ago' '+%Y-%m-%d 00:00:00+00')

admin() { "$TOP/scripts/fake-youzan.sh" admin "$TRASH/fake" "$1"; }
expect_kv() { admin "/__admin/expect?format=kv" | sed -n "s/^$1=//p"; }
stat_kv() { admin "/__admin/stats?format=kv" | sed -n "s/^$1=//p"; }

# conf FILE [LINES...]: a youzan source on the fake ($WIN-long windows, default 7d; $PAGE
# orders a page, default 20)
# and a small csv source beside it.
conf() {
	local file=$1
	shift
	{
		printf '[run]\nraw_dir = %s\n\n' "$TRASH/raw"
		printf '[source.yz]\ntype = youzan\nbase_url = %s\nclient_id = test-client\n' "$URL"
		printf 'client_secret = ${YOUZAN_SECRET}\nkdt_id = 12345678\nstart = %s\n' "$START"
		printf 'window = %s\npage_size = %s\nmax_reject_ratio = 0.2\nrps = 1000\n' "${WIN:-7d}" "${PAGE:-20}"
		printf 'timeout = 2\nconnect_timeout = 2\nretries = 3\n'
		for l in "$@"; do printf '%s\n' "$l"; done
		printf '\n[source.shop_csv]\ntype = csv\npath = %s\n' "$TOP/tests/data/orders-basic.csv"
	} >"$file"
}
conf "$TRASH/yz.conf"
CONF=$TRASH/yz.conf

yz_run() { "$SIYU" --config "$CONF" run --source yz "$@" >out 2>err; }

warehouse() {
	test_psql "
	SELECT 'orders=' || count(*) FROM dw.fact_order;
	SELECT 'lines=' || count(*) FROM dw.fact_order_line;
	SELECT 'items=' || sum(item_count) FROM dw.fact_order;
	SELECT 'gross_fen=' || sum(gross_fen) FROM dw.fact_order;
	SELECT 'paid_fen=' || sum(paid_fen) FROM dw.fact_order;
	SELECT 'refund_fen=' || sum(refund_fen) FROM dw.fact_order;
	SELECT 'qualifying=' || count(*) FILTER (WHERE is_qualifying) FROM dw.fact_order;
	SELECT 'status_' || s || '=' || (SELECT count(*) FROM dw.fact_order f WHERE f.status = s)
	  FROM unnest(ARRAY[${Q}unpaid${Q}, ${Q}paid${Q}, ${Q}shipped${Q}, ${Q}completed${Q},
	                    ${Q}cancelled${Q}, ${Q}refunding${Q}, ${Q}refunded${Q}]) s;
	SELECT 'bad_orders=' || count(DISTINCT natural_key) FROM etl.reject WHERE source = ${Q}yz${Q};
	SELECT 'buyers=' || count(*) FROM dw.customer_identity WHERE id_type = ${Q}buyer_id${Q} AND platform = ${Q}youzan${Q};
	SELECT 'plain_phones=' || count(*) FROM dw.customer_identity WHERE id_type = ${Q}phone${Q};"
}

truth() { admin "/__admin/expect?format=kv"; }

last_run() { test_psql "SELECT max(run_id) FROM etl.run_source WHERE source = ${Q}yz${Q}"; }
watermark() { test_psql "SELECT value FROM etl.watermark WHERE source = ${Q}yz${Q} AND entity = ${Q}orders${Q}"; }

test_expect_success 'first load: the warehouse holds exactly the fake shop' '
	yz_run && grep -E "^yz +ok" out &&
	truth >expect && warehouse >actual && test_cmp expect actual &&
	test_psql "SELECT records_read, rejected FROM etl.run_source WHERE source = ${Q}yz${Q}" >actual &&
	echo "$(($(expect_kv orders) + $(expect_kv bad_orders)))|$(expect_kv bad_orders)" >expect &&
	test_cmp expect actual
'

test_expect_success 'first load: invalid orders are rejects with reason and page/item location' '
	test_psql "SELECT count(*) FROM etl.reject WHERE source = ${Q}yz${Q}
		AND location ~ ${Q}^orders-[0-9]{5}\.jsonl\.gz page [0-9]+ item [0-9]+${Q}
		AND raw LIKE ${Q}{\"full_order_info\":%${Q}
		AND (reason LIKE ${Q}order_info.status: unknown order status%${Q} OR reason LIKE ${Q}price: more than 2 decimals%${Q})" >actual &&
	expect_kv bad_orders >expect && test_cmp expect actual
'

test_expect_success 'first load: every page is in the raw zone before use, no secret or token in it' '
	run=$(last_run) && dir="$TRASH/raw/yz/$run" &&
	pages=$(test_psql "SELECT pages FROM etl.run_source WHERE run_id = $run AND source = ${Q}yz${Q}") &&
	test "$pages" -gt 10 &&
	test "$(ls "$dir" | grep -c "^orders-.*jsonl.gz$")" = "$pages" &&
	test "$(wc -l <"$dir/manifest.jsonl")" = "$pages" &&
	gzip -dc "$dir/orders-00002.jsonl.gz" | grep "\"full_order_info_list\"" >/dev/null &&
	! grep -rq "test-secret" "$TRASH/raw" && ! grep -q "yz-tok-" "$dir/manifest.jsonl" &&
	! grep -q "test-secret" err && ! grep -q "yz-tok-" err
'

test_expect_success 'first load: the watermark is the last window end (now - safety_lag)' '
	test_psql "SELECT value BETWEEN now() - interval ${Q}6 minutes${Q} AND now() - interval ${Q}4 minutes${Q}
		FROM etl.watermark WHERE source = ${Q}yz${Q} AND entity = ${Q}orders${Q}" >actual &&
	echo t >expect && test_cmp expect actual
'

test_expect_success 'a rerun with no change changes nothing (the lookback overlap is harmless)' '
	test_fingerprint >before.fp &&
	admin "/__admin/stats?clear=1" >/dev/null &&
	yz_run && grep -E "^yz +ok .*inserted 0, updated 0" out &&
	test_fingerprint | grep -v "^etl.watermark:" >after.fp &&
	grep -v "^etl.watermark:" before.fp >before2.fp && test_cmp before2.fp after.fp &&
	test "$(stat_kv trades_calls)" -le 3
'

test_expect_success 'after the shop changed, the incremental run applies exactly the changes (a new version with the same content counts unchanged)' '
	admin "/__admin/mutate?step=1" >done &&
	u=$(sed -n "s/.*\"updated\":\([0-9]*\).*/\1/p" done) &&
	c=$(sed -n "s/.*\"changed\":\([0-9]*\).*/\1/p" done) &&
	a=$(sed -n "s/.*\"added\":\([0-9]*\).*/\1/p" done) &&
	test "$u" -gt "$c" && test "$c" -gt 0 && test "$a" -gt 0 &&
	yz_run && grep -E "^yz +ok" out &&
	# a new version whose content the warehouse already holds counts as unchanged
	grep -E "read $((u + a)), inserted $a, updated $c, unchanged $((u - c))," out &&
	truth >expect && warehouse >actual && test_cmp expect actual
'

test_expect_success '--dry-run fetches and merges every window, then rolls back' '
	admin "/__admin/mutate?step=2" >/dev/null &&
	test_fingerprint >before.fp &&
	yz_run --dry-run && grep -E "^yz +ok" out && grep -q "msg=\"unit committed\" source=yz unit=\"window " err &&
	test_fingerprint >after.fp && test_cmp before.fp after.fp
'

# Backfill: 7-day windows from START to UNTIL (about ten), in their own warehouses.
test_expect_success 'backfill, clean: the reference warehouse' '
	PGDATABASE=t0700_clean "$SIYU" --config "$CONF" run --source yz --until "$UNTIL" >clean.out 2>clean.err &&
	grep -c "msg=\"unit committed\" source=yz " clean.err >nwin && test "$(cat nwin)" -ge 8 &&
	PGDATABASE=t0700_clean test_fingerprint >clean.fp &&
	grep -q "^fact_order:" clean.fp
'

test_expect_success 'backfill killed -9 before the 4th window commits: 3 windows stay, the watermark is the 3rd end' '
	rc=0 &&
	PGDATABASE=t0700_crash SIYU_DEBUG_ABORT_AT=commit:4 "$SIYU" --config "$CONF" run --source yz \
		--until "$UNTIL" >crash.out 2>crash.err || rc=$? &&
	test "$rc" = 137 &&
	test "$(grep -c "msg=\"unit committed\" source=yz " crash.err)" = 3 &&
	third=$(grep "msg=\"unit committed\" source=yz " crash.err | sed -n "3s/.*watermark=\"\([^\"]*\)\".*/\1/p") &&
	PGDATABASE=t0700_crash test_psql "SELECT value = ${Q}$third${Q}::timestamptz FROM etl.watermark
		WHERE source = ${Q}yz${Q}" >actual &&
	echo t >expect && test_cmp expect actual &&
	echo "$third" >third
'

test_expect_success 'the rerun resumes after the 3rd window (minus lookback) and ends as the clean run' '
	admin "/__admin/stats?clear=1" >/dev/null &&
	PGDATABASE=t0700_crash "$SIYU" --config "$CONF" run --source yz --until "$UNTIL" >rerun.out 2>rerun.err &&
	min=$(stat_kv min_start) &&
	resume=$(test_psql "SELECT extract(epoch FROM ${Q}$(cat third)${Q}::timestamptz - interval ${Q}1 hour${Q})::bigint") &&
	test "$min" -ge "$resume" &&
	PGDATABASE=t0700_crash test_fingerprint >crash.fp &&
	test_cmp clean.fp crash.fp &&
	PGDATABASE=t0700_crash test_psql "SELECT string_agg(status, ${Q},${Q} ORDER BY run_id) FROM etl.run" >actual &&
	echo "abandoned,succeeded" >expect && test_cmp expect actual
'

test_expect_success 'killed -9 in the middle of a window (COPY), then rerun: the clean warehouse' '
	rc=0 &&
	PGDATABASE=t0700_mid SIYU_DEBUG_ABORT_AT=copy:150 "$SIYU" --config "$CONF" run --source yz \
		--until "$UNTIL" >mid.out 2>mid.err || rc=$? &&
	test "$rc" = 137 &&
	PGDATABASE=t0700_mid "$SIYU" --config "$CONF" run --source yz --until "$UNTIL" >mid2.out 2>mid2.err &&
	PGDATABASE=t0700_mid test_fingerprint >mid.fp && test_cmp clean.fp mid.fp
'

test_expect_success 'replay of the clean backfill raw zone into an empty warehouse reproduces it' '
	run=$(PGDATABASE=t0700_clean test_psql "SELECT max(run_id) FROM etl.run") &&
	PGDATABASE=t0700_replay "$SIYU" --config "$CONF" replay --run "$run" --source yz >replay.out 2>replay.err &&
	PGDATABASE=t0700_replay test_fingerprint >replay.fp && test_cmp clean.fp replay.fp &&
	PGDATABASE=t0700_replay test_psql "SELECT command FROM etl.run" >actual &&
	echo replay >expect && test_cmp expect actual
'

test_expect_success 'killed -9 between two pages of a window: the rerun ends as the clean run' '
	run=$(PGDATABASE=t0700_clean test_psql "SELECT max(run_id) FROM etl.run") &&
	k=$(sed -E "s/.*\"page_no\":([0-9]+).*\"reread\":([0-9]).*/\1 \2/" "$TRASH/raw/yz/$run/manifest.jsonl" |
		awk "NR > 1 && pp == 1 && pr == 0 && \$1 > 1 { print NR - 1; exit } { pp = \$1; pr = \$2 }") &&
	test -n "$k" &&
	rc=0 &&
	PGDATABASE=t0700_mid2 SIYU_DEBUG_ABORT_AT=extract:$k "$SIYU" --config "$CONF" run --source yz \
		--until "$UNTIL" >mid3.out 2>mid3.err || rc=$? &&
	test "$rc" = 137 &&
	PGDATABASE=t0700_mid2 test_psql "SELECT coalesce(max(value)::text, ${Q}none${Q}) FROM etl.watermark" >mid2.wm &&
	PGDATABASE=t0700_mid2 "$SIYU" --config "$CONF" run --source yz --until "$UNTIL" >mid4.out 2>mid4.err &&
	PGDATABASE=t0700_mid2 test_fingerprint >mid2.fp && test_cmp clean.fp mid2.fp
'

test_expect_success 'replay of that killed run loads its finished windows only' '
	run=$(PGDATABASE=t0700_mid2 test_psql "SELECT min(run_id) FROM etl.run") &&
	PGDATABASE=t0700_replay2 "$SIYU" --config "$CONF" replay --run "$run" --source yz >replay2.out 2>replay2.err &&
	grep -q "window not finished by the run, not replayed" replay2.err &&
	PGDATABASE=t0700_replay2 test_psql "SELECT coalesce(max(value)::text, ${Q}none${Q}) FROM etl.watermark" >actual &&
	test_cmp mid2.wm actual
'

test_expect_success 'HTTP 500 and 429 (Retry-After) are retried and the run recovers' '
	test_when_finished "admin /__admin/fault?clear=1 >/dev/null" &&
	admin "/__admin/fault?http=500&count=2" >/dev/null &&
	# rules are tried in order and the first that answers ends the turn: this one first
	# sees the 3rd call
	admin "/__admin/fault?http=429&retry_after=1" >/dev/null &&
	admin "/__admin/stats?clear=1" >/dev/null &&
	f0=$(stat_kv faults_fired) &&
	yz_run && grep -E "^yz +ok" out &&
	test "$(stat_kv faults_fired)" = $((f0 + 3)) &&
	truth >expect && warehouse >actual && test_cmp expect actual
'

test_expect_success 'an invalid token is refreshed once (a run fetches one, then one more) and the run recovers' '
	t0=$(stat_kv tokens_issued) &&
	admin "/__admin/fault?token_invalid=1" >/dev/null &&
	yz_run && grep -E "^yz +ok" out &&
	grep -q "youzan token rejected, fetching a new one" err &&
	grep -q "token_fetches=2 " err &&
	test "$(stat_kv tokens_issued)" = $((t0 + 2))
'

test_expect_success 'a business error fails the source cleanly naming window and page; the csv source still loads' '
	w0=$(watermark) &&
	test_when_finished "admin /__admin/fault?clear=1 >/dev/null" &&
	admin "/__admin/fault?biz=101500500" >/dev/null &&
	test_expect_code 1 "$SIYU" --config "$CONF" run >out 2>err &&
	grep -E "^yz +FAILED" out && grep -E "^shop_csv +ok" out &&
	grep -E "msg=\"source failed\" source=yz object=\"window [0-9-]+ [0-9:]+\.\.[0-9-]+ [0-9:]+ page 1\" reason=\"business error 101500500" err &&
	test "$(watermark)" = "$w0" &&
	test_psql "SELECT status FROM etl.run_source WHERE source = ${Q}yz${Q} ORDER BY run_id DESC LIMIT 1" >actual &&
	echo failed >expect && test_cmp expect actual &&
	admin "/__admin/fault?clear=1" >/dev/null
'

test_expect_success 'a cut JSON page fails the source and keeps the raw page' '
	test_when_finished "admin /__admin/fault?clear=1 >/dev/null" &&
	admin "/__admin/fault?invalid_json=1" >/dev/null &&
	test_expect_code 1 "$SIYU" --config "$CONF" run --source yz >out 2>err &&
	grep -q "the answer is not a JSON object" err && grep -q "raw page kept at" err &&
	admin "/__admin/fault?clear=1" >/dev/null &&
	yz_run && grep -E "^yz +ok" out
'

test_expect_success 'wrong credentials fail with a hint naming the settings, never the secret' '
	YOUZAN_SECRET=wrong-secret-value test_expect_code 1 "$SIYU" --config "$CONF" run --source yz >out 2>err &&
	grep -q "object=\"POST /auth/token\" reason=\"code 40001" err && grep -q "client_secret" err &&
	! grep -q "wrong-secret-value" err
'

test_expect_success 'short-lived tokens are renewed (expires is epoch ms) and the run goes on' '
	"$TOP/scripts/fake-youzan.sh" start "$TRASH/fake2" --seed 3 --orders 40 --history-days 30 \
		--token-ttl 2 >/dev/null &&
	test_when_finished "\"$TOP/scripts/fake-youzan.sh\" stop \"$TRASH/fake2\"" &&
	sed -e "s|^base_url = .*|base_url = $("$TOP/scripts/fake-youzan.sh" url "$TRASH/fake2")|" \
		-e "s|^rps = .*|rps = 2|" -e "s|^window = .*|window = 1d|" "$CONF" >short.conf &&
	PGDATABASE=t0700_short "$SIYU" --config short.conf run --source yz --since "$(date -u -d "8 days ago" +%Y-%m-%d)" \
		--until "$UNTIL" >short.out 2>short.err &&
	grep -E "^yz +ok" short.out &&
	n=$("$TOP/scripts/fake-youzan.sh" admin "$TRASH/fake2" "/__admin/stats?format=kv" | sed -n "s/^tokens_issued=//p") &&
	test "$n" -ge 2
'

test_expect_success 'a window over 100 pages is halved until each part fits, never truncated' '
	PAGE=1 WIN=60d conf "$TRASH/split.conf" &&
	PGDATABASE=t0700_split "$SIYU" --config "$TRASH/split.conf" run --source yz --since "$START" --until "$UNTIL" >out 2>err &&
	grep -q "youzan window split" err &&
	PGDATABASE=t0700_split test_fingerprint | grep "^fact_order:" >split.fp &&
	grep "^fact_order:" clean.fp >clean_fo.fp && test_cmp clean_fo.fp split.fp
'

test_done

# shellcheck shell=bash
# lib-shop.sh — what the shop platforms' integration tests share (t0710-taobao, t0720-pdd,
# t0730-jd, t0740-douyin, t0750-channels): one scenario, run against each platform's fake.
# Sourced after lib.sh.
#
#   shop_setup PREFIX PLATFORM [FAKE OPTIONS...]
#                               the database, migrated, and its copies PREFIX_empty,
#                               PREFIX_clean, PREFIX_faults, PREFIX_replay; fake_PLATFORM
#                               started in $TRASH/fake (stopped at exit); sets PLATFORM,
#                               FAKE_URL, SHOP_DB
#   shop_conf FILE [LINES...]   [run] and the source "shop" of type $PLATFORM: the lines
#                               the test's shop_source_conf prints (URLs, credentials,
#                               window), start = $START, page_size = ${PAGE_SIZE:-20},
#                               quick retries, then LINES
#   shop_admin PATH             call the fake's admin endpoint
#   shop_truth                  the fake's own figures (key=value lines)
#   shop_stat KEY               one value of /__admin/stats
#   shop_warehouse              the same figures, read from the warehouse
#   shop_run [ARGS...]          siyu --config $CONF run --source shop …, to out/err
#   shop_period DB [CONF]       a run of [$SINCE, $UNTIL) into database DB
#   shop_recovers NAME SPEC...  with the fault rules SPEC set, a run of the period into a
#                               fresh warehouse ends with the clean run's fingerprint
#   shop_fails_cleanly NAME CONF SPEC...
#                               with SPEC set, that run exits 1 and the warehouse (and its
#                               watermark) is as before
#   shop_rejects RAW_PREFIX REASON_RE
#                               how many orders the source rejected with raw JSON starting
#                               with RAW_PREFIX and a reason matching REASON_RE
#
#   shop_test_loads MAX_SPAN    the loading tests: a backfill equal to the fake's figures
#                               (windows at most MAX_SPAN seconds, pages of $PAGE_SIZE),
#                               every page in the raw zone and no secret ($SHOP_SECRETS)
#                               in it or in the log; the shop changed, the next run applies
#                               exactly the changes; a third run changes nothing; the clean
#                               run of the fault period
#   shop_test_broken_pages SHOP_ID FIRST_PAGE [WHAT]
#                               a page (WHAT, default "a page") that stays broken fails the
#                               source cleanly, naming platform, shop SHOP_ID, window and the
#                               page (FIRST_PAGE: the number the platform gives its first
#                               page); malformed JSON fails cleanly and keeps the raw page
#   shop_test_replay            a replay of that clean run equals it
#
# The figures compared: orders, lines, items, gross_fen, paid_fen, refund_fen, qualifying,
# status_<canonical> counts, bad_orders (distinct rejected orders) and buyers (the
# platform's buyer ids in dw.customer_identity).

Q="'"

shop_setup() {
	local prefix=$1 db
	PLATFORM=$2
	shift 2
	setup_db
	"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
	SHOP_DB=$PGDATABASE
	for db in "${prefix}_empty" "${prefix}_clean" "${prefix}_faults" "${prefix}_replay"; do
		copy_db "$db" "$SHOP_DB" || die "cannot copy the database"
		test_atexit "PGDATABASE=postgres psql -Xq -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)' >/dev/null 2>&1 || true"
	done
	SHOP_PREFIX=$prefix
	# The shop's history ends at today's 00:00 UTC (08:00 in China), not at the hour the
	# test runs: with a seed, each day of the fault period then holds the same orders on
	# every date, so no test depends on which day happens to be empty (an empty first
	# window commits its watermark before the fault, rightly, and "as before" fails).
	"$TOP/scripts/fake.sh" "$PLATFORM" start "$TRASH/fake" \
		--end "$(date -u +%Y-%m-%d) 08:00:00" "$@" >/dev/null ||
		die "cannot start fake_$PLATFORM"
	# by its pid, read now: at exit the trash (and the working directory) may be gone
	test_atexit "kill $(cat "$TRASH/fake/pid") 2>/dev/null || true"
	FAKE_URL=$("$TOP/scripts/fake.sh" "$PLATFORM" url "$TRASH/fake")
	export PLATFORM FAKE_URL
}

shop_conf() {
	local file=$1
	shift
	{
		printf '[run]\nraw_dir = %s\n\n[source.shop]\ntype = %s\n' "$TRASH/raw" "$PLATFORM"
		shop_source_conf
		printf 'start = %s\npage_size = %s\nmax_reject_ratio = 1\nrps = 1000\n' \
			"$START" "${PAGE_SIZE:-20}"
		printf 'shop_name = %s 旗舰店\n' "$PLATFORM"
		printf 'timeout = 2\nconnect_timeout = 2\nretries = 3\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$file"
}

shop_admin() { "$TOP/scripts/fake.sh" "$PLATFORM" admin "$TRASH/fake" "$1"; }
shop_truth() { shop_admin "/__admin/expect?format=kv"; }
shop_stat() { shop_admin "/__admin/stats?format=kv" | sed -n "s/^$1=//p"; }

shop_warehouse() {
	local f="dw.fact_order f JOIN dw.dim_channel c USING (channel_key)"
	local p="c.platform = '$PLATFORM'"
	test_psql "
	SELECT 'orders=' || count(*) FROM $f WHERE $p;
	SELECT 'lines=' || coalesce(sum(line_count), 0) FROM $f WHERE $p;
	SELECT 'items=' || coalesce(sum(item_count), 0) FROM $f WHERE $p;
	SELECT 'gross_fen=' || coalesce(sum(gross_fen), 0) FROM $f WHERE $p;
	SELECT 'paid_fen=' || coalesce(sum(paid_fen), 0) FROM $f WHERE $p;
	SELECT 'refund_fen=' || coalesce(sum(refund_fen), 0) FROM $f WHERE $p;
	SELECT 'qualifying=' || count(*) FILTER (WHERE is_qualifying) FROM $f WHERE $p;
	SELECT 'status_' || s || '=' || (SELECT count(*) FROM $f WHERE $p AND f.status = s)
	  FROM unnest(ARRAY[${Q}unpaid${Q}, ${Q}paid${Q}, ${Q}shipped${Q}, ${Q}completed${Q},
	                    ${Q}cancelled${Q}, ${Q}refunding${Q}, ${Q}refunded${Q}]) s;
	SELECT 'bad_orders=' || count(DISTINCT natural_key) FROM etl.reject WHERE source = ${Q}shop${Q};
	SELECT 'buyers=' || count(*) FROM dw.customer_identity
	  WHERE id_type = ${Q}buyer_id${Q} AND platform = '$PLATFORM';"
}

shop_run() { "$SIYU" --config "$CONF" run --source shop "$@" >out 2>err; }

shop_period() {
	PGDATABASE=$1 "$SIYU" --config "${2:-$CONF}" run --source shop --since "$SINCE" --until "$UNTIL"
}

# shop_set_faults SPEC... — the fault rules, cleared when the test ends
shop_set_faults() {
	test_when_finished "shop_admin /__admin/fault?clear=1 >/dev/null" &&
	for spec in "$@"; do shop_admin "/__admin/fault?$spec" >/dev/null || return 1; done
}

shop_recovers() {
	local name=$1 db=${SHOP_PREFIX}_faults
	shift
	shop_set_faults "$@" && copy_db "$db" "${SHOP_PREFIX}_empty" &&
	shop_period "$db" >"$name.out" 2>"$name.err" &&
	PGDATABASE=$db test_fingerprint >"$name.fp" && test_cmp clean.fp "$name.fp"
}

shop_fails_cleanly() {
	local name=$1 conf=$2 db=${SHOP_PREFIX}_faults
	shift 2
	shop_set_faults "$@" && copy_db "$db" "${SHOP_PREFIX}_empty" &&
	PGDATABASE=$db test_fingerprint >"$name.before" &&
	test_expect_code 1 shop_period "$db" "$conf" >"$name.out" 2>"$name.err" &&
	PGDATABASE=$db test_fingerprint >"$name.after" && test_cmp "$name.before" "$name.after"
}

shop_rejects() {
	test_psql "SELECT count(DISTINCT natural_key) FROM etl.reject WHERE source = ${Q}shop${Q}
		AND raw LIKE ${Q}$1%${Q} AND reason ~ ${Q}$2${Q}"
}

# no_secret FILE... — none of $SHOP_SECRETS in them
no_secret() {
	local s
	for s in $SHOP_SECRETS; do ! grep -rqF "$s" "$@" || return 1; done
}

shop_test_loads() {
	SHOP_MAX_SPAN=$1
	test_expect_success "a backfill: the warehouse holds exactly the fake $PLATFORM shop" '
		shop_run && grep -E "^shop +ok" out &&
		shop_truth >expect && shop_warehouse >actual && test_cmp expect actual &&
		test "$(shop_stat max_span)" -le "$SHOP_MAX_SPAN" &&
		test "$(shop_stat max_page_size)" = "${PAGE_SIZE:-20}" && test "$(shop_stat rejected)" = 0 &&
		# the order APIs give no shop name: the configured one is used
		test "$(test_psql "SELECT string_agg(shop_name, ${Q},${Q}) FROM dw.dim_channel")" = "$PLATFORM 旗舰店"
	'

	test_expect_success 'every page is in the raw zone, no secret or token in it or in the log' '
		run=$(test_psql "SELECT max(run_id) FROM etl.run_source WHERE source = ${Q}shop${Q}") &&
		pages=$(test_psql "SELECT pages FROM etl.run_source WHERE run_id = $run AND source = ${Q}shop${Q}") &&
		test "$pages" -gt 0 &&
		test "$(ls "$TRASH/raw/shop/$run" | grep -c "\.jsonl\.gz$")" = "$pages" &&
		no_secret "$TRASH/raw/shop/$run/manifest.jsonl" err &&
		for f in "$TRASH/raw/shop/$run"/*.jsonl.gz; do
			gzip -dc "$f" >page.txt && no_secret page.txt || return 1
		done
	'

	test_expect_success 'after the shop changed, the next run applies exactly the changes' '
		shop_admin "/__admin/mutate?step=1" >done &&
		u=$(sed -n "s/.*\"updated\":\([0-9]*\).*/\1/p" done) &&
		a=$(sed -n "s/.*\"added\":\([0-9]*\).*/\1/p" done) &&
		test "$u" -gt 0 &&
		shop_run && grep -E "^shop +ok.*inserted $a, updated $u," out &&
		shop_truth >expect && shop_warehouse >actual && test_cmp expect actual
	'

	test_expect_success 'a third run inserts and updates nothing' '
		test_fingerprint | grep -v "^etl.watermark:" >before.fp &&
		shop_run && grep -E "^shop +ok.*inserted 0, updated 0," out &&
		test_fingerprint | grep -v "^etl.watermark:" >after.fp && test_cmp before.fp after.fp
	'

	test_expect_success 'the clean run of the fault period' '
		shop_period "${SHOP_PREFIX}_clean" >clean.out 2>clean.err &&
		grep -E "^shop +ok" clean.out &&
		PGDATABASE=${SHOP_PREFIX}_clean test_fingerprint >clean.fp
	'
}

shop_test_replay() {
	test_expect_success 'replay of the clean run from the raw zone rebuilds its warehouse' '
		run=$(PGDATABASE=${SHOP_PREFIX}_clean test_psql "SELECT max(run_id) FROM etl.run") &&
		PGDATABASE=${SHOP_PREFIX}_replay "$SIYU" --config "$CONF" replay --run "$run" \
			--source shop >replay.out 2>replay.err &&
		PGDATABASE=${SHOP_PREFIX}_replay test_fingerprint >replay.fp && test_cmp clean.fp replay.fp
	'
}

shop_test_broken_pages() {
	SHOP_ID=$1 FIRST_PAGE=$2
	test_expect_success "${3:-a page} that stays broken fails the source cleanly, naming platform, shop, window and page" '
		shop_fails_cleanly down "$CONF" "http=500&count=100" &&
		grep -E "source failed.*object=\"$PLATFORM shop $SHOP_ID window [0-9-]+ [0-9:]+\.\.[0-9-]+ [0-9:]+ page $FIRST_PAGE\"" down.err
	'

	test_expect_success 'malformed JSON fails cleanly and keeps the raw page' '
		shop_fails_cleanly badjson "$CONF" "invalid_json=1" &&
		grep -q "the answer is not a JSON object" badjson.err && grep -q "raw page kept at" badjson.err
	'
}

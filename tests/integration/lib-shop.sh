# shellcheck shell=bash
# lib-shop.sh — what the shop platforms' integration tests share (t0710-taobao, t0720-pdd,
# t0730-jd, t0740-douyin, t0750-channels), sourced after lib.sh and setup_db.
#
#   shop_start PLATFORM [FAKE OPTIONS...]   start fake_PLATFORM in $TRASH/fake (stopped at
#                                           exit); sets FAKE_URL and PLATFORM
#   shop_admin PATH                         call the fake's admin endpoint
#   shop_truth                              the fake's own figures (key=value lines)
#   shop_stat KEY                           one value of /__admin/stats
#   shop_warehouse                          the same figures, read from the warehouse
#   shop_run [ARGS...]                      siyu --config $CONF run --source shop …, to out/err
#   shop_watermark                          the source's orders watermark
#
# The figures compared: orders, lines, items, gross_fen, paid_fen, refund_fen, qualifying,
# status_<canonical> counts, bad_orders (distinct rejected orders) and buyers (the
# platform's buyer ids in dw.customer_identity).

shop_start() {
	PLATFORM=$1
	shift
	"$TOP/scripts/fake.sh" "$PLATFORM" start "$TRASH/fake" "$@" >/dev/null ||
		die "cannot start fake_$PLATFORM"
	test_atexit "\"$TOP/scripts/fake.sh\" $PLATFORM stop \"$TRASH/fake\""
	FAKE_URL=$("$TOP/scripts/fake.sh" "$PLATFORM" url "$TRASH/fake")
	export PLATFORM FAKE_URL
}

shop_admin() { "$TOP/scripts/fake.sh" "$PLATFORM" admin "$TRASH/fake" "$1"; }
shop_truth() { shop_admin "/__admin/expect?format=kv"; }
shop_stat() { shop_admin "/__admin/stats?format=kv" | sed -n "s/^$1=//p"; }

shop_warehouse() {
	local q="'" f="dw.fact_order f JOIN dw.dim_channel c USING (channel_key)"
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
	  FROM unnest(ARRAY[${q}unpaid${q}, ${q}paid${q}, ${q}shipped${q}, ${q}completed${q},
	                    ${q}cancelled${q}, ${q}refunding${q}, ${q}refunded${q}]) s;
	SELECT 'bad_orders=' || count(DISTINCT natural_key) FROM etl.reject WHERE source = ${q}shop${q};
	SELECT 'buyers=' || count(*) FROM dw.customer_identity
	  WHERE id_type = ${q}buyer_id${q} AND platform = '$PLATFORM';"
}

shop_run() { "$SIYU" --config "$CONF" run --source shop "$@" >out 2>err; }

shop_watermark() {
	test_psql "SELECT value FROM etl.watermark WHERE source = 'shop' AND entity = 'orders'"
}

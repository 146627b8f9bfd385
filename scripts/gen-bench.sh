#!/usr/bin/env bash
# scripts/gen-bench.sh — a large, deterministic order export for `make bench` (bash + awk).
#
#   scripts/gen-bench.sh ORDERS [OUTFILE]     (default OUTFILE: stdout)
#   scripts/gen-bench.sh --increment ORDERS COUNT [OUTFILE]
#                                             a nightly increment of the warehouse loaded
#                                             from `gen-bench.sh ORDERS`: COUNT new orders
#                                             (ORDERS+1 ...), COUNT old ones changed (every
#                                             ORDERS/COUNT-th: a newer version, paid,
#                                             refunded or closed) and COUNT old ones
#                                             again as they were (the overlap of the nightly
#                                             windows: unchanged); the same people buy
#
#   * ORDERS / 2 people: 40 % buy only on Taobao, 40 % only on Youzan, 20 % on both;
#     the people on both show the same phone on both platforms (written differently:
#     13812345678, +86 138 1234 5678, 138-1234-5678), so identity resolution links a
#     Taobao buyer id, a Youzan buyer id and a phone; half of the others have a phone;
#     half of the Youzan buyers a WeChat unionid;
#   * 19-digit Taobao order numbers, Youzan ones like E2025...; statuses in Chinese and
#     English; amounts in yuan; 3 % of the orders also appear in an older (unpaid)
#     version, 1 % of the lines twice (exact duplicates).
# The same ORDERS always gives the same bytes (fixed-seed Park–Miller LCG in awk, exact
# in double arithmetic, never rand() or the clock), so runs are comparable.
set -euo pipefail
export LC_ALL=C

usage="usage: gen-bench.sh ORDERS [OUTFILE] | gen-bench.sh --increment ORDERS COUNT [OUTFILE]"
count=0
if [[ ${1:-} == --increment ]]; then
	count=${3:?$usage}
	set -- "$2" "${4:-}"
fi
orders=${1:?$usage}
for n in "$orders" "$count"; do
	case $n in '' | *[!0-9]*) echo "gen-bench.sh: ORDERS and COUNT must be numbers" >&2; exit 2 ;; esac
done
if ((count > orders)); then echo "gen-bench.sh: COUNT must not exceed ORDERS" >&2; exit 2; fi
out=${2:-/dev/stdout}

# shellcheck disable=SC2016  # awk program
awk -v BASE="$orders" -v INCR="$count" '
function rnd(n) { seed = (seed * 48271) % 2147483647; return seed % n }
function pct(p) { return rnd(100) < p }
function ts(s,   d, m, r) {
	d = int(s / 86400); r = s - d * 86400; m = 1
	while (m < 12 && d >= cum[m + 1]) m++
	return sprintf("2025-%02d-%02d %02d:%02d:%02d", m, d - cum[m] + 1, int(r / 3600), int((r % 3600) / 60), r % 60)
}
function money(f) { return sprintf("%d.%02d", int(f / 100), f % 100) }
function phone_text(p, style,   d) {
	d = sprintf("139%08d", p)
	if (style == 1) return "+86 " substr(d, 1, 3) " " substr(d, 4, 4) " " substr(d, 8, 4)
	if (style == 2) return substr(d, 1, 3) "-" substr(d, 4, 4) "-" substr(d, 8, 4)
	return d
}
function line(o, v, i, st, paid, upd, pf, rf) {
	return plat "," shop "," shopname "," ono "," i "," st "," ts(created) "," (paid < 0 ? "" : ts(paid)) "," \
	       ts(upd) "," buyer "," uid "," ph "," sku[lsku[i]] "," title[lsku[i]] "," lq[i] "," \
	       money(price[lsku[i]]) "," money(pf) "," money(rf) "," money(ship) ",0.00"
}
BEGIN {
	seed = 20250601
	split("0 31 59 90 120 151 181 212 243 273 304 334", cum, " ")
	for (k = 1; k <= 40; k++) { sku[k] = sprintf("SKU-%03d", k); title[k] = "商品" k; price[k] = 990 + rnd(280) * 100 }
	NP = int(BASE / 2); if (NP < 1) NP = 1   # the same people in the increment
	N = BASE + INCR; STEP = INCR ? int(BASE / INCR) : 1
	print "platform,shop_id,shop_name,order_no,line_no,status,created_at,paid_at,updated_at,buyer_id,buyer_unionid,buyer_phone,sku,product_title,quantity,unit_price,line_paid,line_refund,shipping_fee,order_discount"
	for (o = 1; o <= N; o++) {
		p = 1 + rnd(NP)
		t = p % 5                               # 0,1: taobao only; 2,3: youzan only; 4: both
		tb = (t <= 1) || (t == 4 && pct(50))
		if (tb) {
			plat = "taobao"; shop = "106879234"; shopname = "山野咖啡旗舰店"
			ono = sprintf("4%05d%013d", rnd(100000), o)
			buyer = sprintf("tb%07d", p); uid = ""
		} else {
			plat = "youzan"; shop = "44556677"; shopname = "山野咖啡有赞微商城"
			ono = sprintf("E2025%016d", o)
			buyer = sprintf("yz%07d", p); uid = (p % 2) ? sprintf("oBench%022d", p) : ""
		}
		ph = (t == 4 || p % 2 == 0) ? phone_text(p, (p + tb) % 3) : ""
		created = rnd(300) * 86400 + rnd(86400)
		r = rnd(100)
		st = (r < 60) ? "交易成功" : (r < 70) ? "paid" : (r < 80) ? "已发货" : (r < 85) ? "待付款" : \
		     (r < 90) ? "交易关闭" : (r < 95) ? "退款中" : "已退款"
		paid = (r >= 80 && r < 90) ? -1 : created + 30 + rnd(600)
		upd = created + 3600 + rnd(10 * 86400)
		nl = 1 + rnd(3); ship = pct(30) ? 600 + rnd(7) * 100 : 0
		for (i = 1; i <= nl; i++) { lsku[i] = 1 + rnd(40); lq[i] = 1 + rnd(3) }
		if (paid < 0) ship = 0
		# the increment: new orders whole, old ones only when changed or overlapped
		# (the random draws are the same either way, so every order is the same order)
		out_o = !INCR || o > BASE || (o % STEP <= 1 && o / STEP <= INCR)
		changed = INCR && o <= BASE && o % STEP == 0 && o / STEP <= INCR
		older = pct(3)
		if (older && out_o && !(INCR && o <= BASE)) {    # an older, unpaid version first
			for (i = 1; i <= nl; i++)
				print line(o, 0, i, "待付款", -1, created + 1, 0, 0)
		}
		if (changed) {                          # a month on: paid, refunded, or closed after its refund
			if (paid < 0) { st = "paid"; paid = created + 600 }
			else st = (r >= 95) ? "交易关闭" : "已退款"
			upd += 30 * 86400
		}
		for (i = 1; i <= nl; i++) {
			pf = (paid < 0) ? 0 : price[lsku[i]] * lq[i]
			rf = (r >= 95 || (changed && st != "paid")) ? pf : 0
			l = line(o, 1, i, st, paid, upd, pf, rf)
			if (out_o) print l
			if (pct(1) && out_o) print l
		}
	}
}' >"$out"

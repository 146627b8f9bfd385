#!/usr/bin/env bash
# scripts/gen-sample.sh — the demo's sample order exports, deterministic (bash + awk only).
#
#   scripts/gen-sample.sh            write sample/orders-taobao.csv, sample/orders-youzan.csv
#                                    and sample/README.md (with the expected numbers)
#   scripts/gen-sample.sh OUTDIR     the same into OUTDIR
#   scripts/gen-sample.sh --end DATE [OUTDIR]
#                                    the same orders with every time moved by whole days so
#                                    that the last day of orders is DATE (YYYY-MM-DD) instead
#                                    of 2025-10-31, exported at the end of DATE: versions
#                                    updated after it are left out (the demo's data, ending
#                                    yesterday; its numbers are counted from these files)
#   scripts/gen-sample.sh --check    regenerate into a temporary directory and compare with
#                                    sample/ (exit 1 when they differ)
#
# The files follow docs/import-generic.md. Everything comes from a fixed-seed generator
# written in awk (Park–Miller "minimal standard" LCG, exact in double arithmetic), never
# from $RANDOM, awk's rand() or the clock, so that mawk, gawk and busybox awk all write
# the same bytes. Numbers that exceed 2^31 (19-digit order numbers, phone numbers) are
# built as strings.
#
# The expected numbers in sample/README.md are not taken from the generator's memory:
# a second, independent awk pass parses the written CSV files (RFC 4180 quoting, BOM,
# ="..." quoting, ¥ and thousands separators), validates and dedupes them the way
# docs/import-generic.md says, and counts.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd -P)

if [ "${1:-}" = --check ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	"$0" "$tmp"
	rc=0
	for f in orders-taobao.csv orders-youzan.csv README.md; do
		cmp -s "$tmp/$f" "$top/sample/$f" || {
			echo "gen-sample.sh: sample/$f differs from what scripts/gen-sample.sh writes" >&2
			rc=1
		}
	done
	exit "$rc"
fi

end=2025-10-31   # the last day of the committed sample
if [ "${1:-}" = --end ]; then
	end=${2:?gen-sample.sh: --end needs a date YYYY-MM-DD}
	case $end in
	[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]) ;;
	*) echo "gen-sample.sh: --end $end: expected a date YYYY-MM-DD" >&2; exit 2 ;;
	esac
	shift 2
fi
out=${1:-$top/sample}
mkdir -p "$out"

# ---- the generator -----------------------------------------------------------------------
# shellcheck disable=SC2016  # awk program
gen_awk='
function rnd(n) { seed = (seed * 48271) % 2147483647; return seed % n }   # 0 .. n-1
function rint(a, b) { return a + rnd(b - a + 1) }                        # a .. b
function pct(p) { return rnd(1000) < p * 10 }                            # true p % of the time
function pick(list,   a, n) { n = split(list, a, "|"); return a[rnd(n) + 1] }

# days since 1970-01-01 of a civil date, and back (H. Hinnant; years >= 0, integers only)
function days_of(y, m, d,   era, yoe, doy) {
	if (m <= 2) y--
	era = int(y / 400); yoe = y - era * 400
	doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
	return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
}
function civil(z,   era, doe, yoe, doy, mp, y, m, d) {
	z += 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100)); mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1; m = mp < 10 ? mp + 3 : mp - 9; y = yoe + era * 400 + (m <= 2)
	return sprintf("%04d-%02d-%02d", y, m, d)
}
# seconds since 2025-01-01 00:00:00 (local), moved by SHIFT days -> "YYYY-MM-DD HH:MM:SS"
function ts(s,   d, r) {
	d = int(s / 86400); r = s - d * 86400
	return civil(DAY0 + SHIFT + d) sprintf(" %02d:%02d:%02d", int(r / 3600), int((r % 3600) / 60), r % 60)
}
function compact(s) { gsub(/[- :]/, "", s); return s }

# fen -> yuan text
function money(f) { return sprintf("%d.%02d", int(f / 100), f % 100) }
function money_short(f) {            # 59.9, 129
	if (f % 100 == 0) return sprintf("%d", f / 100)
	if (f % 10 == 0) return sprintf("%d.%d", int(f / 100), (f % 100) / 10)
	return money(f)
}
function money_sep(f,   y) {         # 1,280.00
	y = int(f / 100)
	if (y < 1000) return money(f)
	return sprintf("%d,%03d.%02d", int(y / 1000), y % 1000, f % 100)
}
function csvq(s) { if (s ~ /[",]/) { gsub(/"/, "\"\"", s); return "\"" s "\"" } return s }

function unionid(   s, i) {
	s = "o"
	for (i = 0; i < 27; i++) s = s substr(B64, rnd(64) + 1, 1)
	return s
}

function tb_order_no(   n, last) {
	# now and then the neighbour of the previous number: equal as doubles, distinct as text
	if (prev_tb != "" && pct(2)) {
		last = substr(prev_tb, 19, 1) + 0
		if (last < 9) {
			n = substr(prev_tb, 1, 18) (last + 1)
			if (!(n in used)) { used[n] = 1; prev_tb = n; neighbours++; return n }
		}
	}
	do n = sprintf("4%03d%05d%05d%05d", rnd(1000), rnd(100000), rnd(100000), rnd(100000))
	while (n in used)
	used[n] = 1; prev_tb = n
	return n
}

function yz_order_no(created,   n) {
	do n = "E" compact(ts(created)) sprintf("%06d", rnd(1000000))
	while (n in used)
	used[n] = 1
	return n
}

function label(plat, st,   zh, en) {
	en = st
	if (plat == "taobao") {
		zh = (st == "unpaid") ? "待付款" : (st == "paid") ? "待发货|已付款" : (st == "shipped") ? "卖家已发货|已发货" : \
		     (st == "completed") ? "交易成功" : (st == "cancelled") ? "交易关闭" : (st == "refunding") ? "退款中" : "已退款|退款成功"
	} else {
		zh = (st == "unpaid") ? "待付款" : (st == "paid") ? "待发货" : (st == "shipped") ? "已发货" : \
		     (st == "completed") ? "交易成功|已完成" : (st == "cancelled") ? "已取消|交易关闭" : (st == "refunding") ? "退款中" : "退款成功|已退款"
	}
	return pct(70) ? pick(zh) : en
}

# copy version 1 (newest) of order o into version 0 (older); the caller edits it
function copy_version(o,   i) {
	st[o, 0] = st[o, 1]; paid[o, 0] = paid[o, 1]; upd[o, 0] = upd[o, 1]
	ship[o, 0] = ship[o, 1]; odisc[o, 0] = odisc[o, 1]; nl[o, 0] = nl[o, 1]
	for (i = 1; i <= nl[o, 1]; i++) {
		lprod[o, 0, i] = lprod[o, 1, i]; lqty[o, 0, i] = lqty[o, 1, i]
		lpaid[o, 0, i] = lpaid[o, 1, i]; lref[o, 0, i] = lref[o, 1, i]
	}
}

# make version 0 of order o unpaid: nothing paid yet (payment comes 5 s or more after creation)
function make_unpaid(o,   i) {
	st[o, 0] = "unpaid"; paid[o, 0] = -1; upd[o, 0] = created[o] + rint(0, 4)
	ship[o, 0] = 0; odisc[o, 0] = 0
	for (i = 1; i <= nl[o, 0]; i++) { lpaid[o, 0, i] = 0; lref[o, 0, i] = 0 }
}

function row(o, v, i,   p, pr, q, s, r) {
	p = person[o]; pr = lprod[o, v, i]; q = lqty[o, v, i]
	if (plat[o] == "taobao") {
		s = excel[o] ? "=\"" ono[o] "\"" : ono[o]
		r = "taobao," TB_SHOP "," csvq(TB_NAME) "," csvq(s) "," i "," lbl[o, v] "," ts(created[o]) "," \
		    (paid[o, v] < 0 ? "" : ts(paid[o, v])) "," ts(upd[o, v]) "," tbid[p] "," phone_tb[p] "," \
		    sku[pr] "," csvq(title[pr]) "," q "," (short[o] ? money_short(price[pr]) : money(price[pr])) "," \
		    money(lpaid[o, v, i]) "," money(lref[o, v, i]) "," money(ship[o, v]) "," money(odisc[o, v])
	} else {
		r = ono[o] "," ts(created[o]) "," ts(upd[o, v]) "," (paid[o, v] < 0 ? "" : ts(paid[o, v])) "," \
		    lbl[o, v] ",youzan," YZ_SHOP "," csvq(YZ_NAME) "," yzid[p] "," uid[p] "," phone_yz[p] "," \
		    sku[pr] "," csvq(title[pr]) "," q "," (yen[o] ? "¥" money(price[pr]) : money(price[pr])) "," \
		    csvq(money_sep(lpaid[o, v, i])) "," (lref[o, v, i] ? money(lref[o, v, i]) : "") "," \
		    (ship[o, v] || !noship[o] ? money(ship[o, v]) : "") "," (odisc[o, v] ? money(odisc[o, v]) : "")
	}
	return r
}

# append the lines of version v of order o to its file
function emit(o, v,   f, i) {
	f = plat[o]
	for (i = 1; i <= nl[o, v]; i++) { n[f]++; R[f, n[f]] = row(o, v, i) }
}

# print the rows of text (lines) to file; moved (--end), an export taken at the end of the
# last day: without the versions updated later (column col, before any quoted comma)
function write_rows(file, col, text,   rows, nr, k, a) {
	nr = split(text, rows, "\n")
	for (k = 1; k <= nr; k++) {
		split(rows[k], a, ",")
		if (SHIFT == 0 || a[col] <= end " 23:59:59") print rows[k] > file
	}
}

# attach a row after row position pos of file f
function attach(f, pos, r,   had) {
	had = (f SUBSEP pos) in X          # test first: some awks create X[f, pos] on assignment
	X[f, pos] = had ? X[f, pos] "\n" r : r
}

BEGIN {
	seed = 20250101
	B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	TB_SHOP = "106879234"; TB_NAME = "山野咖啡旗舰店"
	YZ_SHOP = "44556677";  YZ_NAME = "山野咖啡有赞微商城"
	LAST_DAY = 303                                   # 2025-10-31, before the shift
	DAY0 = days_of(2025, 1, 1)
	split(end, E, "-"); SHIFT = days_of(E[1] + 0, E[2] + 0, E[3] + 0) - days_of(2025, 10, 31)

	ncat = split("CF-YN-500|云南小粒咖啡豆 中度烘焙 500g|8900\n" \
		"CF-YN-250D|云南小粒咖啡豆 深度烘焙 250g|4990\n" \
		"CF-YN-1KG|云南小粒咖啡豆 商用装 1kg|15800\n" \
		"CF-DRIP-10|挂耳咖啡 10片装|3990\n" \
		"CF-DRIP-30|挂耳咖啡 30片装 家庭装|9900\n" \
		"CF-FD-24|冻干咖啡粉 2g×24颗|5990\n" \
		"CF-CB-12|冷萃咖啡液 25ml×12|6990\n" \
		"CF-CB-36|冷萃咖啡液 25ml×36 囤货装|17900\n" \
		"EQ-KETTLE-600|手冲壶 600ml 不锈钢|12900\n" \
		"EQ-V60|陶瓷滤杯 V60 款|5900\n" \
		"EQ-FILTER-100|滤纸 100张|1290\n" \
		"EQ-GRINDER|手摇磨豆机 \"锥刀\"款|26800\n" \
		"GIFT-BOX-A|咖啡礼盒,送礼佳品|29900\n" \
		"TEA-JAS-20|茉莉花茶 茶包 20包|3590\n" \
		"TEA-DHP-250|大红袍 岩茶 250g|19800\n" \
		"TEA-PO-10|白桃乌龙 冷泡茶 10袋|2990\n" \
		"MILK-OAT-6|燕麦拉花奶 1L×6|8990\n" \
		"SYR-CARA|焦糖风味糖浆 750ml|5900\n" \
		"CUP-TRAVEL|随行杯 380ml|7900\n" \
		"CUP-MUG-2|马克杯 双只装|6800\n" \
		"VIP-YEAR|会员年卡|9900\n" \
		"TRIAL-3|试饮装 3包|990\n" \
		"NUT-30|每日坚果 30袋|12900\n" \
		"CHOC-72|72% 黑巧克力 100g|2590", cat, "\n")
	for (i = 1; i <= ncat; i++) { split(cat[i], a, "|"); sku[i] = a[1]; title[i] = a[2]; price[i] = a[3] + 0 }

	# ---- buyers: 250 Taobao only, 110 Youzan only, 40 on both (linked by phone) ----
	NP = 400; NO = 0
	for (p = 1; p <= NP; p++) {
		type = (p <= 250) ? "tb" : (p <= 360) ? "yz" : "both"
		r = rnd(100)
		k = (r < 30) ? 1 : (r < 55) ? 2 : (r < 72) ? 3 : (r < 84) ? 4 : (r < 91) ? 5 : (r < 96) ? 6 : rint(8, 20)
		if (type == "both" && k < 2) k = 2
		ph = (type == "both" || (type == "tb" && pct(40)) || (type == "yz" && pct(85))) ? sprintf("138%08d", p) : ""
		if (type != "yz") { tbid[p] = sprintf("tb%04d%05d", p, rnd(100000)); phone_tb[p] = ph }
		if (type != "tb") {
			yzid[p] = sprintf("yz%06d%03d", 880000 + p, rnd(1000)); phone_yz[p] = ph
			if (type == "both" || pct(75)) { do u = unionid(); while (u in used); used[u] = 1; uid[p] = u }
		}
		nk[k < 8 ? k : 8]++
		for (j = 1; j <= k; j++) d[j] = rnd(LAST_DAY + 1)
		for (j = 2; j <= k; j++) for (m = j; m > 1 && d[m - 1] > d[m]; m--) { t = d[m]; d[m] = d[m - 1]; d[m - 1] = t }
		for (j = 1; j <= k; j++) {
			o = ++NO; person[o] = p
			plat[o] = (type == "tb") ? "taobao" : (type == "yz") ? "youzan" : (j == 1) ? "taobao" : (j == 2) ? "youzan" : pick("taobao|youzan")
			created[o] = d[j] * 86400 + (pct(15) ? rnd(8 * 3600) : 8 * 3600 + rnd(16 * 3600))
		}
	}

	# ---- orders in creation order (shell sort on created, then o) ----
	for (o = 1; o <= NO; o++) ord[o] = o
	for (gap = int(NO / 2); gap > 0; gap = int(gap / 2))
		for (i = gap + 1; i <= NO; i++) {
			t = ord[i]
			for (j = i; j > gap && (created[ord[j - gap]] > created[t] || (created[ord[j - gap]] == created[t] && ord[j - gap] > t)); j -= gap)
				ord[j] = ord[j - gap]
			ord[j] = t
		}

	# ---- the newest version of each order ----
	for (x = 1; x <= NO; x++) {
		o = ord[x]; c = created[o]
		ono[o] = (plat[o] == "taobao") ? tb_order_no() : yz_order_no(c)
		excel[o] = plat[o] == "taobao" && pct(15)
		short[o] = plat[o] == "taobao" && pct(10)
		yen[o] = plat[o] == "youzan" && pct(10)
		noship[o] = plat[o] == "youzan" && pct(50)

		age = LAST_DAY - int(c / 86400); r = rnd(100)
		if (age <= 2)
			s = (r < 15) ? "unpaid" : (r < 50) ? "paid" : (r < 90) ? "shipped" : "cancelled"
		else if (age <= 9)
			s = (r < 3) ? "unpaid" : (r < 10) ? "paid" : (r < 55) ? "shipped" : (r < 90) ? "completed" : (r < 95) ? "cancelled" : "refunding"
		else
			s = (r < 82) ? "completed" : (r < 89) ? "cancelled" : (r < 94) ? "refunded" : (r < 96) ? "refunding" : (r < 98) ? "shipped" : (r < 99) ? "paid" : "unpaid"
		st[o, 1] = s

		# event times
		tpaid[o] = c + rint(5, 1800)
		tship[o] = tpaid[o] + rint(2 * 3600, 60 * 3600)
		tdone[o] = tship[o] + rint(3 * 86400, 10 * 86400)
		trefq[o] = tship[o] + rint(86400, 5 * 86400)
		paid[o, 1] = (s == "unpaid" || s == "cancelled") ? -1 : tpaid[o]
		upd[o, 1] = (s == "unpaid") ? c + rint(0, 300) : (s == "cancelled") ? c + rint(900, 86400) : \
		            (s == "paid") ? tpaid[o] : (s == "shipped") ? tship[o] : (s == "completed") ? tdone[o] : \
		            (s == "refunding") ? trefq[o] : trefq[o] + rint(86400, 4 * 86400)

		# lines: distinct products
		r = rnd(100); k = (r < 45) ? 1 : (r < 75) ? 2 : (r < 90) ? 3 : (r < 97) ? 4 : 5
		nl[o, 1] = k; delete inord; gross = 0
		for (i = 1; i <= k; i++) {
			do pr = rnd(ncat) + 1; while (pr in inord)
			inord[pr] = 1; lprod[o, 1, i] = pr
			r = rnd(100); q = (r < 75) ? 1 : (r < 90) ? 2 : (r < 96) ? 3 : (r < 98) ? 5 : 10
			lqty[o, 1, i] = q
			g = q * price[pr]; dsc = pct(30) ? int(g * rint(5, 20) / 1000) * 10 : 0
			lpaid[o, 1, i] = g - dsc; lref[o, 1, i] = 0; gross += g - dsc
		}
		# an order-level discount (满减), allocated into line_paid, shown in order_discount
		odisc[o, 1] = 0
		if (gross >= 5000 && pct(10)) {
			od = pick("500|1000|2000") + 0
			if (gross >= 3 * od) {
				odisc[o, 1] = od; left = od
				for (i = 1; i < k; i++) { sh = int(od * lpaid[o, 1, i] / gross); lpaid[o, 1, i] -= sh; left -= sh }
				lpaid[o, 1, k] -= left
			}
		}
		ship[o, 1] = pct(25) ? pick("600|800|1000|1200") + 0 : 0
		if (s == "unpaid" || s == "cancelled") {        # nothing was paid
			ship[o, 1] = 0; odisc[o, 1] = 0
			for (i = 1; i <= k; i++) lpaid[o, 1, i] = 0
		}
		if (s == "refunded")
			for (i = 1; i <= k; i++) lref[o, 1, i] = lpaid[o, 1, i]
		partial[o] = 0
		if (s == "completed" && pct(8)) {               # a partial refund keeps the status
			i = rint(1, k)
			rf = (lqty[o, 1, i] > 1) ? int(lpaid[o, 1, i] / lqty[o, 1, i]) : int(lpaid[o, 1, i] * rint(20, 60) / 100)
			if (rf > 0 && rf < lpaid[o, 1, i]) { lref[o, 1, i] = rf; partial[o] = 1; upd[o, 1] = tdone[o] + rint(86400, 7 * 86400) }
		}
		lbl[o, 1] = label(plat[o], s)
		nstat[s]++
	}

	# ---- 50 orders also appear in an older version ----
	split("completed 16 partial 4 shipped 8 paid 6 refunded 6 refunding 3 cancelled 7", a, " ")
	for (i = 1; i < 14; i += 2) need[a[i]] = a[i + 1] + 0
	for (pass = 1; pass <= 2; pass++)
		for (x = 1; x <= NO; x++) {
			o = ord[x]; cl = partial[o] ? "partial" : st[o, 1]
			if (old[o] || need[cl] <= 0 || (pass == 1 && !pct(35))) continue
			old[o] = 1; need[cl]--; nold++
			copy_version(o)
			if (cl == "partial") { st[o, 0] = "completed"; upd[o, 0] = tdone[o]; for (i = 1; i <= nl[o, 0]; i++) lref[o, 0, i] = 0 }
			else if (cl == "completed" && pct(70)) { st[o, 0] = "shipped"; upd[o, 0] = tship[o] }
			else if (cl == "completed" || cl == "shipped") { st[o, 0] = "paid"; upd[o, 0] = tpaid[o] }
			else if (cl == "refunded") { st[o, 0] = "refunding"; upd[o, 0] = trefq[o]; for (i = 1; i <= nl[o, 0]; i++) lref[o, 0, i] = 0 }
			else if (cl == "refunding") { st[o, 0] = "shipped"; upd[o, 0] = tship[o] }
			else make_unpaid(o)                          # paid, cancelled
			# the first few unpaid older versions had one more line, gone in the newest
			if (st[o, 0] == "unpaid" && nextra < 5) {
				delete inord
				for (i = 1; i <= nl[o, 0]; i++) inord[lprod[o, 0, i]] = 1
				do pr = rnd(ncat) + 1; while (pr in inord)
				i = ++nl[o, 0]; lprod[o, 0, i] = pr; lqty[o, 0, i] = 1; lpaid[o, 0, i] = 0; lref[o, 0, i] = 0
				nextra++
			}
			if (upd[o, 0] >= upd[o, 1]) { printf "gen-sample.sh: bug: order %d: older version not older\n", o > "/dev/stderr"; exit 1 }
			lbl[o, 0] = label(plat[o], st[o, 0])
			late[o] = pct(50)                            # the older version comes after the newer one
			trans[st[o, 0] " -> " st[o, 1] (partial[o] ? " (partial refund)" : "")]++
			nlate += late[o]
		}

	# ---- rows in creation order; an older version just before its newer one, or late ----
	for (x = 1; x <= NO; x++) {
		o = ord[x]
		if (old[o] && !late[o]) emit(o, 0)
		emit(o, 1)
		if (old[o] && late[o]) { f = plat[o]; pos = n[f] + rint(1, 300); lpos[o] = pos }
	}
	for (x = 1; x <= NO; x++) {
		o = ord[x]
		if (!(old[o] && late[o])) continue
		f = plat[o]; pos = lpos[o]; if (pos > n[f]) pos = n[f]
		for (i = 1; i <= nl[o, 0]; i++) attach(f, pos, row(o, 0, i))
	}

	# ---- exact duplicate lines: 60 in the Taobao file, 40 in the Youzan file ----
	ndup["taobao"] = 60; ndup["youzan"] = 40
	for (x = 1; x <= 2; x++) {                           # not "for (f in ndup)": its order varies by awk
		f = (x == 1) ? "taobao" : "youzan"
		delete dup
		for (j = 0; j < ndup[f]; j++) {
			do i = rint(1, n[f]); while (i in dup)
			dup[i] = 1
			pos = pct(20) ? i : i + rint(1, 150); if (pos > n[f]) pos = n[f]
			attach(f, pos, R[f, i])
		}
	}

	# ---- exactly 7 bad rows in the Taobao file, each a single-line order of its own ----
	split("line_paid|unit_price|created_at|status|order_no|quantity0|quantityabc", fault, "|")
	for (j = 1; j <= 7; j++) {
		p = 7 + 31 * j; pr = rint(1, ncat); c = (25 * j + 10) * 86400 + 10 * 3600 + rint(0, 3600)
		on = tb_order_no()
		cs = ts(c); ps = ts(c + 300); us = ts(c + 6 * 86400)
		up = money(price[pr]); lp = money(price[pr]); stl = "交易成功"; q = 1
		if (fault[j] == "line_paid") lp = "12.3.4"
		if (fault[j] == "unit_price") up = "-5.00"
		if (fault[j] == "created_at") { cs = "2025-02-30 10:00:00"; ps = "2025-03-02 10:05:00"; us = "2025-03-09 18:00:00" }
		if (fault[j] == "status") stl = "外星状态"
		if (fault[j] == "order_no") on = ""
		if (fault[j] == "quantity0") q = 0
		if (fault[j] == "quantityabc") q = "abc"
		attach("taobao", int(n["taobao"] * j / 8), "taobao," TB_SHOP "," TB_NAME "," on ",1," stl "," cs "," ps "," us "," \
			tbid[p] "," phone_tb[p] "," sku[pr] "," csvq(title[pr]) "," q "," up "," lp ",0.00,0.00,0.00")
	}

	# ---- write ----
	ftb = outdir "/orders-taobao.csv"; fyz = outdir "/orders-youzan.csv"
	print "platform,shop_id,shop_name,order_no,line_no,status,created_at,paid_at,updated_at,buyer_id,buyer_phone,sku,product_title,quantity,unit_price,line_paid,line_refund,shipping_fee,order_discount" > ftb
	printf "\357\273\277" > fyz
	print "order_no,created_at,updated_at,paid_at,status,platform,shop_id,shop_name,buyer_id,buyer_unionid,buyer_phone,sku,product_title,quantity,unit_price,line_paid,line_refund,shipping_fee,order_discount" > fyz
	for (i = 1; i <= n["taobao"]; i++) { write_rows(ftb, 9, R["taobao", i]); if (("taobao" SUBSEP i) in X) write_rows(ftb, 9, X["taobao", i]) }
	for (i = 1; i <= n["youzan"]; i++) { write_rows(fyz, 3, R["youzan", i]); if (("youzan" SUBSEP i) in X) write_rows(fyz, 3, X["youzan", i]) }
	close(ftb); close(fyz)
	# facts about the generation, for sample/README.md
	for (o = 1; o <= NO; o++) { nexcel += excel[o]; nshort += short[o]; nyen += yen[o] }
	for (p = 1; p <= NP; p++) { nphone += (phone_tb[p] phone_yz[p]) != ""; nunion += uid[p] != "" }
	printf "older_versions=%d\nolder_versions_late=%d\nolder_versions_extra_line=%d\n", nold, nlate, nextra
	nt = split("unpaid -> paid|unpaid -> cancelled|paid -> shipped|paid -> completed|shipped -> completed|" \
		"completed -> completed (partial refund)|shipped -> refunding|refunding -> refunded", tl, "|")
	for (i = 1; i <= nt; i++) printf "transition=%s: %d\n", tl[i], trans[tl[i]]
	printf "neighbour_order_numbers=%d\nexcel_quoted_orders=%d\nshort_price_orders=%d\nyen_price_orders=%d\n", neighbours, nexcel, nshort, nyen
	printf "buyers_with_phone=%d\nbuyers_with_unionid=%d\n", nphone, nunion
	printf "people_by_orders=1: %d, 2: %d, 3: %d, 4: %d, 5: %d, 6: %d, 8-20: %d\n", nk[1], nk[2], nk[3], nk[4], nk[5], nk[6], nk[8]
	for (x = 1; x <= n["youzan"]; x++) nsep += R["youzan", x] ~ /"[0-9],[0-9]/
	printf "youzan_thousands_separator_lines=%d\n", nsep
}
'

# ---- the independent count ---------------------------------------------------------------
# shellcheck disable=SC2016  # awk program
count_awk='
# split one CSV record (RFC 4180, no embedded newlines) into F[1..nf]
function csv_split(line,   i, c, nf, inq, cur, len) {
	nf = 0; cur = ""; inq = 0; len = length(line)
	for (i = 1; i <= len; i++) {
		c = substr(line, i, 1)
		if (inq) {
			if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ } else inq = 0 }
			else cur = cur c
		} else if (c == "\"") inq = 1
		else if (c == ",") { F[++nf] = cur; cur = "" }
		else cur = cur c
	}
	F[++nf] = cur
	return nf
}
function col(name,   v) {
	if (!((FILENAME SUBSEP name) in H)) return ""
	v = F[H[FILENAME, name]]
	gsub(/^[ \t]+|[ \t]+$/, "", v)
	if (v ~ /^="/ && v ~ /"$/) v = substr(v, 3, length(v) - 3)
	return v
}
# yuan text -> fen, or -1 when malformed or negative
function fen(v,   a, n, frac) {
	sub(/^¥/, "", v)
	if (v ~ /,/) {
		if (v !~ /^[0-9][0-9]?[0-9]?(,[0-9][0-9][0-9])+(\.[0-9][0-9]?)?$/) return -1
		gsub(/,/, "", v)
	}
	if (v !~ /^[0-9]+(\.[0-9][0-9]?)?$/) return -1
	n = split(v, a, ".")
	frac = (n == 2) ? a[2] : ""
	while (length(frac) < 2) frac = frac "0"
	return a[1] * 100 + frac
}
function valid_time(v,   y, m, d, dim) {
	if (v !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/) return 0
	y = substr(v, 1, 4) + 0; m = substr(v, 6, 2) + 0; d = substr(v, 9, 2) + 0
	if (m < 1 || m > 12 || d < 1) return 0
	dim = substr("312831303130313130313031", 2 * m - 1, 2) + 0
	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) dim = 29
	return d <= dim && substr(v, 12, 2) + 0 < 24 && substr(v, 15, 2) + 0 < 60 && substr(v, 18, 2) + 0 < 60
}
# the UTC month of a local Asia/Shanghai (UTC+8) time: the 1st before 08:00 is the month before
function utc_month(v,   y, m) {
	y = substr(v, 1, 4) + 0; m = substr(v, 6, 2) + 0
	if (substr(v, 9, 2) == "01" && substr(v, 12, 2) + 0 < 8) { m--; if (m == 0) { m = 12; y-- } }
	return sprintf("%04d-%02d", y, m)
}
function find(x) { while (UF[x] != x) { UF[x] = UF[UF[x]]; x = UF[x] } return x }
function node(x) { if (!(x in UF)) UF[x] = x; return x }
function link(a, b,   ra, rb) { ra = find(a); rb = find(b); if (ra != rb) UF[ra] = rb }
function reject(why) { nbad[plat_of_file]++; bad[++nrej] = base_of_file ":" FNR " " why }
# "prefix.YYYY-MM=count" for every month of counts, in order
function print_months(prefix, counts,   k, n, i, j, t, ym) {
	n = 0
	for (k in counts) ym[++n] = k
	for (i = 2; i <= n; i++) for (j = i; j > 1 && ym[j - 1] > ym[j]; j--) { t = ym[j]; ym[j] = ym[j - 1]; ym[j - 1] = t }
	for (i = 1; i <= n; i++) printf "%s.%s=%d\n", prefix, ym[i], counts[ym[i]]
}

BEGIN {
	split("unpaid paid shipped completed cancelled refunding refunded", STATUSES, " ")
	for (i = 1; i <= 7; i++) CANON[STATUSES[i]] = STATUSES[i]
	CANON["待付款"] = "unpaid"; CANON["待发货"] = "paid"; CANON["已付款"] = "paid"
	CANON["已发货"] = "shipped"; CANON["卖家已发货"] = "shipped"
	CANON["交易成功"] = "completed"; CANON["已完成"] = "completed"
	CANON["交易关闭"] = "cancelled"; CANON["已取消"] = "cancelled"
	CANON["退款中"] = "refunding"; CANON["已退款"] = "refunded"; CANON["退款成功"] = "refunded"
	nrequired = split("platform shop_id order_no status created_at updated_at sku quantity unit_price line_paid", REQ, " ")
	nmoney = split("unit_price line_paid line_refund shipping_fee order_discount", MONEY, " ")
}

FNR == 1 {
	sub(/^\357\273\277/, "")
	nh = csv_split($0)
	for (i = 1; i <= nh; i++) H[FILENAME, tolower(F[i])] = i
	base_of_file = FILENAME; sub(/.*\//, "", base_of_file)
	plat_of_file = base_of_file; sub(/^orders-/, "", plat_of_file); sub(/\.csv$/, "", plat_of_file)
	files[++nfiles] = plat_of_file
	next
}

{
	rows[plat_of_file]++
	if ((FILENAME SUBSEP $0) in SEEN) { ndupl[plat_of_file]++; next }   # exact duplicate line
	SEEN[FILENAME, $0] = 1
	csv_split($0)
	for (i = 1; i <= nrequired; i++) if (col(REQ[i]) == "") { reject("missing " REQ[i]); next }
	for (i = 1; i <= nmoney; i++) {
		v = col(MONEY[i])
		if (v != "" && fen(v) < 0) { reject("bad amount " MONEY[i] "=" v); next }
	}
	if (!valid_time(col("created_at"))) { reject("bad time created_at=" col("created_at")); next }
	if (!valid_time(col("updated_at"))) { reject("bad time updated_at=" col("updated_at")); next }
	if (col("paid_at") != "" && !valid_time(col("paid_at"))) { reject("bad time paid_at=" col("paid_at")); next }
	if (!(col("status") in CANON)) { reject("unknown status " col("status")); next }
	q = col("quantity")
	if (q !~ /^[0-9]+$/ || q + 0 <= 0) { reject("bad quantity " q); next }

	pl = col("platform")
	key = pl SUBSEP col("shop_id") SUBSEP col("order_no"); ver = col("updated_at")
	lid = col("line_no"); if (lid == "") lid = col("sku")
	vk = key SUBSEP ver
	hdr = col("shipping_fee") == "" ? 0 : fen(col("shipping_fee"))
	dsc = col("order_discount") == "" ? 0 : fen(col("order_discount"))
	if (vk in VSHIP) {
		if (VSHIP[vk] != hdr || VDISC[vk] != dsc || VSTAT[vk] != CANON[col("status")] || VPAID[vk] != col("paid_at"))
			{ print "gen-sample.sh: header values disagree in " FILENAME ":" FNR > "/dev/stderr"; exit 1 }
	} else {
		VSHIP[vk] = hdr; VDISC[vk] = dsc; VSTAT[vk] = CANON[col("status")]; VPAID[vk] = col("paid_at")
		VCREATED[vk] = col("created_at"); NVER[key]++
	}
	if ((vk SUBSEP lid) in LQTY) { print "gen-sample.sh: conflicting line " FILENAME ":" FNR > "/dev/stderr"; exit 1 }
	LQTY[vk, lid] = q + 0; LGROSS[vk, lid] = (q + 0) * fen(col("unit_price"))
	LPAID[vk, lid] = fen(col("line_paid")); LREF[vk, lid] = col("line_refund") == "" ? 0 : fen(col("line_refund"))
	if (!(key in NEWEST) || ver > NEWEST[key]) NEWEST[key] = ver
	PLAT[key] = pl
	if (!(key in BUYER)) BUYER[key] = pl SUBSEP col("buyer_id")

	# identity: identifiers seen together are one customer
	b = node("buyer_id:" pl ":" col("buyer_id"))
	if (col("buyer_unionid") != "") link(b, node("unionid:" col("buyer_unionid")))
	if (col("buyer_phone") != "") link(b, node("phone:" col("buyer_phone")))
}

END {
	for (vk in VSHIP) {
		split(vk, a, SUBSEP); key = a[1] SUBSEP a[2] SUBSEP a[3]; pl = a[1]
		if (a[4] != NEWEST[key]) { oldv[pl]++; continue }
		orders[pl]++; st = VSTAT[vk]; nst[pl, st]++
		paidf = VSHIP[vk]; ship[pl] += VSHIP[vk]; disc[pl] += VDISC[vk]
		if (VPAID[vk] != "") paidorders[pl]++
		mon[pl, substr(VCREATED[vk], 1, 7)]++
		mon_utc[pl, utc_month(VCREATED[vk])]++
		if (!((BUYER[key]) in seenb)) { seenb[BUYER[key]] = 1; buyers[pl]++ }
		ORDERPAID[key] = 0
		ORDERQUAL[key] = VPAID[vk] != "" && st != "cancelled" && st != "refunded"
	}
	for (lk in LQTY) {
		split(lk, a, SUBSEP); key = a[1] SUBSEP a[2] SUBSEP a[3]; pl = a[1]
		if (a[4] != NEWEST[key]) { oldl[pl]++; continue }
		lines[pl]++; items[pl] += LQTY[lk]; gross[pl] += LGROSS[lk]; lpaid[pl] += LPAID[lk]; refund[pl] += LREF[lk]
		ORDERPAID[key] += LPAID[lk]
	}
	for (vk in VSHIP) {
		split(vk, a, SUBSEP); key = a[1] SUBSEP a[2] SUBSEP a[3]; pl = a[1]
		if (a[4] != NEWEST[key]) continue
		ORDERPAID[key] += VSHIP[vk]
		if (ORDERQUAL[key]) {
			qual[pl]++; qpaid[pl] += ORDERPAID[key]
			split(BUYER[key], bb, SUBSEP); cu = find("buyer_id:" bb[1] ":" bb[2]); QN[cu]++
		}
	}
	for (x in UF) if (find(x) == x) customers++
	for (cu in QN) { cq1++; if (QN[cu] >= 2) cq2++ }

	files[nfiles + 1] = "total"
	for (i = 1; i <= nfiles; i++) {
		pl = files[i]
		T["rows"] += rows[pl]; T["bad_rows"] += nbad[pl]; T["exact_duplicate_lines"] += ndupl[pl]
		T["orders"] += orders[pl]; T["lines"] += lines[pl]; T["items"] += items[pl]
		T["superseded_versions"] += oldv[pl]; T["superseded_version_lines"] += oldl[pl]
		T["gross_fen"] += gross[pl]; T["line_paid_fen"] += lpaid[pl]; T["shipping_fen"] += ship[pl]
		T["paid_fen"] += lpaid[pl] + ship[pl]; T["refund_fen"] += refund[pl]; T["discount_fen"] += disc[pl]
		T["paid_orders"] += paidorders[pl]; T["qualifying_orders"] += qual[pl]; T["qualifying_paid_fen"] += qpaid[pl]
		T["buyers"] += buyers[pl]
		for (s = 1; s <= 7; s++) T["status." STATUSES[s]] += nst[pl, STATUSES[s]]
	}
	for (i = 1; i <= nfiles + 1; i++) {
		pl = files[i]; tot = pl == "total"
		printf "%s.rows=%d\n", pl, tot ? T["rows"] : rows[pl]
		printf "%s.bad_rows=%d\n", pl, tot ? T["bad_rows"] : nbad[pl]
		printf "%s.exact_duplicate_lines=%d\n", pl, tot ? T["exact_duplicate_lines"] : ndupl[pl]
		printf "%s.superseded_versions=%d\n", pl, tot ? T["superseded_versions"] : oldv[pl]
		printf "%s.superseded_version_lines=%d\n", pl, tot ? T["superseded_version_lines"] : oldl[pl]
		printf "%s.orders=%d\n", pl, tot ? T["orders"] : orders[pl]
		printf "%s.lines=%d\n", pl, tot ? T["lines"] : lines[pl]
		printf "%s.items=%d\n", pl, tot ? T["items"] : items[pl]
		printf "%s.gross_fen=%d\n", pl, tot ? T["gross_fen"] : gross[pl]
		printf "%s.discount_fen=%d\n", pl, tot ? T["discount_fen"] : disc[pl]
		printf "%s.shipping_fen=%d\n", pl, tot ? T["shipping_fen"] : ship[pl]
		printf "%s.line_paid_fen=%d\n", pl, tot ? T["line_paid_fen"] : lpaid[pl]
		printf "%s.paid_fen=%d\n", pl, tot ? T["paid_fen"] : lpaid[pl] + ship[pl]
		printf "%s.refund_fen=%d\n", pl, tot ? T["refund_fen"] : refund[pl]
		for (s = 1; s <= 7; s++)
			printf "%s.status.%s=%d\n", pl, STATUSES[s], tot ? T["status." STATUSES[s]] : nst[pl, STATUSES[s]]
		printf "%s.paid_orders=%d\n", pl, tot ? T["paid_orders"] : paidorders[pl]
		printf "%s.qualifying_orders=%d\n", pl, tot ? T["qualifying_orders"] : qual[pl]
		printf "%s.qualifying_paid_fen=%d\n", pl, tot ? T["qualifying_paid_fen"] : qpaid[pl]
		printf "%s.buyers=%d\n", pl, tot ? T["buyers"] : buyers[pl]
	}
	printf "total.customers=%d\n", customers
	printf "total.customers_with_qualifying_order=%d\n", cq1
	printf "total.customers_with_2plus_qualifying_orders=%d\n", cq2
	for (k in mon) { split(k, a, SUBSEP); ML[a[2]] += mon[k] }
	for (k in mon_utc) { split(k, a, SUBSEP); MU[a[2]] += mon_utc[k] }
	print_months("total.orders_created_local", ML)
	print_months("total.orders_created_utc", MU)
	for (i = 1; i <= nrej; i++) printf "reject.%d=%s\n", i, bad[i]
}
'

# ---- sample/README.md ----------------------------------------------------------------------
# @num:KEY@ is a value of the independent count, @fact:KEY@ one the generator reported;
# a line holding only @numbers@, @rejects@ or @transitions@ becomes that list.
readme_template=$(cat <<'TEMPLATE'
# Sample order exports

Two merchant order exports in the generic CSV profile
([docs/import-generic.md](../docs/import-generic.md)) for the demo (`make demo`) and the
integration tests. They are **generated**, deterministically, by
[`scripts/gen-sample.sh`](../scripts/gen-sample.sh) (bash + awk, fixed seed): do not edit
them by hand. After changing the generator, run `scripts/gen-sample.sh` and commit the CSV
files and this README together; `scripts/gen-sample.sh --check` fails when the committed
files differ from what the generator writes. All buyers, phone numbers and unionids are
fake.

| file | shop | notes |
| --- | --- | --- |
| `orders-taobao.csv` | taobao `106879234` 山野咖啡旗舰店 | has `line_no`; no `buyer_unionid` column; holds the 7 bad rows |
| `orders-youzan.csv` | youzan `44556677` 山野咖啡有赞微商城 | starts with a UTF-8 BOM; another column order; no `line_no` (a line is identified by its `sku`) |

## What is in them

- **Orders**: @num:total.orders@ orders with @num:total.lines@ lines after dedupe (@num:total.rows@
  data rows), created 2025-01-01 .. 2025-10-31 in local time (`YYYY-MM-DD HH:MM:SS`,
  Asia/Shanghai). About 15 % are placed between 00:00 and 08:00, i.e. on the previous day
  in UTC; one, on 2025-01-01, falls into the 2024-12 UTC month.
- **Buyers**: 400 people: 250 buy only on Taobao, 110 only on Youzan, 40 on both. Orders
  per person: @fact:people_by_orders@. Taobao buyer ids look like `tb003812345`, Youzan
  ones like `yz880251123`. @fact:buyers_with_phone@ people carry a phone `13800000000 + n` (n = the
  person's number), @fact:buyers_with_unionid@ Youzan buyers a WeChat unionid (`o` + 27 characters).
  The 40 people on both platforms show the same phone on both and a unionid on Youzan, so
  identity resolution has to link a Taobao buyer id, a Youzan buyer id, a unionid and a
  phone into one customer.
- **Order numbers**: Taobao's have 19 digits (`4…`, above 2^53); @fact:neighbour_order_numbers@ of them
  differ from another one only in the last digit: equal as doubles, distinct as text.
  @fact:excel_quoted_orders@ Taobao orders write the number Excel-style, `="4…"` (RFC 4180 quoted:
  `"=""4…"""`). Youzan's look like `E20250301123456012345` (E, creation time, 6 digits).
- **Statuses** mix canonical English and Chinese labels: 待付款, 待发货, 已付款, 已发货,
  卖家已发货, 交易成功, 已完成, 交易关闭, 已取消, 退款中, 已退款, 退款成功.
- **Amounts** in yuan: list prices like `59.90`; @fact:short_price_orders@ Taobao orders write unit prices
  short (`59.9`, `129`), @fact:yen_price_orders@ Youzan orders with a yen sign (`¥59.90`), and
  @fact:youzan_thousands_separator_lines@ Youzan lines paying 1,000 yuan or more use a separator (`"1,280.00"`).
  `line_paid` is after line discounts and after the order-level discount (满减), which
  is allocated into the lines and also shown in `order_discount`. Some orders carry a
  shipping fee (6–12 yuan), repeated on every line. Unpaid and cancelled orders paid
  nothing (`line_paid` 0.00, no shipping). Fully refunded orders refund every line in
  full; some completed orders have a partial refund on one line (`line_refund` <
  `line_paid`, status kept). Two product titles need CSV quoting (a comma; quotes).
- **Exact duplicates**: @num:total.exact_duplicate_lines@ lines repeat an earlier line byte for byte
  (@num:taobao.exact_duplicate_lines@ Taobao, @num:youzan.exact_duplicate_lines@ Youzan), some right after it, most up to 150 lines later.
- **Versions**: @fact:older_versions@ orders appear twice, with an older and a newer `updated_at`; in
  @fact:older_versions_late@ of them the older version comes *after* the newer one in the file (it
  must not win). In @fact:older_versions_extra_line@ the older (unpaid) version has one line more than the
  newest: an order's lines are those of its newest version. Transitions (older -> newer):
@transitions@
- **Bad rows**: exactly @num:total.bad_rows@, all in the Taobao file, each a one-line order of its own
  (so that rejecting it loses nothing else), one fault each (file:line, fault):

```text
@rejects@
```

## Expected numbers

Counted by an independent awk pass over the written files (in `scripts/gen-sample.sh`)
that applies docs/import-generic.md: drop exact duplicates, reject the bad rows, keep each
order's newest version and that version's lines. Amounts are in fen. A test reads one
value with `sed -n 's/^total\.orders=//p' sample/README.md`.

| key | meaning |
| --- | --- |
| `rows` | data lines in the file (header excluded) |
| `bad_rows` | rows to reject (`etl.reject`) |
| `exact_duplicate_lines` | lines equal to an earlier line of the same file |
| `superseded_versions` | (order, `updated_at`) versions older than the order's newest |
| `superseded_version_lines` | distinct lines of those older versions |
| `orders` | distinct orders (platform, shop_id, order_no): rows of `dw.fact_order` |
| `lines` | distinct lines of the newest versions: rows of `dw.fact_order_line` |
| `items` | Σ quantity over those lines |
| `gross_fen` | Σ quantity × unit_price |
| `discount_fen` | Σ order_discount |
| `shipping_fen` | Σ shipping_fee, once per order |
| `line_paid_fen` | Σ line_paid |
| `paid_fen` | line_paid_fen + shipping_fen = Σ `fact_order.paid_fen` |
| `refund_fen` | Σ line_refund |
| `status.*` | orders by the canonical status of their newest version |
| `paid_orders` | orders with a `paid_at` |
| `qualifying_orders` | paid, not cancelled, not fully refunded (`is_qualifying`) |
| `qualifying_paid_fen` | Σ paid_fen of the qualifying orders |
| `buyers` | distinct buyer ids on the platform |
| `total.customers` | people after identity resolution (buyer id, unionid and phone on one row are linked), over all orders |
| `total.customers_with_qualifying_order` | customers with ≥ 1 qualifying order, any platform |
| `total.customers_with_2plus_qualifying_orders` | customers with ≥ 2 qualifying orders over the whole period |
| `total.orders_created_local.YYYY-MM` | orders by month of `created_at` in Asia/Shanghai |
| `total.orders_created_utc.YYYY-MM` | orders by month of `created_at` in UTC (the fact partitions) |

<!-- expected numbers: begin -->
```text
@numbers@
```
<!-- expected numbers: end -->
TEMPLATE
)

facts=$(awk -v outdir="$out" -v end="$end" "$gen_awk")
numbers=$(awk "$count_awk" "$out/orders-taobao.csv" "$out/orders-youzan.csv")

# shellcheck disable=SC2016  # awk program
fill_awk='
BEGIN {
	n = split(ENVIRON["SAMPLE_NUMBERS"], a, "\n")
	for (i = 1; i <= n; i++) {
		j = index(a[i], "="); k = substr(a[i], 1, j - 1); v = substr(a[i], j + 1)
		if (k ~ /^reject\./) RJ[++nr] = v
		else { NUM[k] = v; NL[++nn] = a[i] }
	}
	n = split(ENVIRON["SAMPLE_FACTS"], a, "\n")
	for (i = 1; i <= n; i++) {
		j = index(a[i], "="); k = substr(a[i], 1, j - 1); v = substr(a[i], j + 1)
		if (k == "transition") TR[++nt] = "  - " v
		else FACT[k] = v
	}
}
$0 == "@numbers@" { for (i = 1; i <= nn; i++) print NL[i]; next }
$0 == "@rejects@" { for (i = 1; i <= nr; i++) print RJ[i]; next }
$0 == "@transitions@" { for (i = 1; i <= nt; i++) print TR[i]; next }
{
	out = ""
	while (match($0, /@(num|fact):[a-z0-9_.]+@/)) {
		k = substr($0, RSTART + 1, RLENGTH - 2)
		v = (k ~ /^num:/) ? NUM[substr(k, 5)] : FACT[substr(k, 6)]
		if (v == "") { print "gen-sample.sh: README: no value for " k > "/dev/stderr"; exit 1 }
		out = out substr($0, 1, RSTART - 1) v
		$0 = substr($0, RSTART + RLENGTH)
	}
	print out $0
}
'
{
	printf '%s\n' "$readme_template" | SAMPLE_NUMBERS=$numbers SAMPLE_FACTS=$facts awk "$fill_awk" |
		if [ "$end" = 2025-10-31 ]; then cat; else
			# the prose describes the committed sample; the numbers are these files'
			sed "1a\\
\\
Generated with \`--end $end\`: every time is moved by whole days so that the last day is\\
$end, and versions updated after it are left out. The prose below describes the\\
committed sample; the expected numbers are these files'."
		fi
} >"$out/README.md"

echo "gen-sample.sh: wrote $out/orders-taobao.csv, $out/orders-youzan.csv and $out/README.md" >&2

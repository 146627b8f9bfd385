#!/usr/bin/env bash
# fake-wecom.sh — run the fake WeCom server (tests/fakes/fake_wecom.c) in the background.
#
#   scripts/fake-wecom.sh start|stop|admin|url DIR ...  as scripts/fake.sh wecom
#   scripts/fake-wecom.sh links SAMPLE_DIR              print the --shared-contacts file made
#                                                       from the sample's buyers (below)
#
# Without options the fake serves the demo corp: corpid ww-demo-corp, secret demo-secret,
# 20 staff, 2000 customers, 80 groups, a year of history (seed 42), plus the contacts of
# `links sample` (DIR/shared-contacts.csv; $SIYU_SAMPLE_DIR instead of sample/ when set: the
# demo's sample ending yesterday): 150 of the sample's 236 buyer phones, and three in four
# of the buyers whose first payment is in the sample's last 35 days (the care list's), as
# remark_mobiles (with the buyer's Youzan unionid when there is one), 8 contacts joining a
# phone-only buyer to a unionid-only one (customer merges), 8 unionid-only ones.
# Its history ends yesterday, or on $SIYU_DEMO_END (YYYY-MM-DD) when set (the pinned demo).
# Tests pass their own (small) corp.
# The binary: $FAKE_WECOM, else $SIYU_FAKES/fake_wecom, else build/rel, else build/san.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# links SAMPLE_DIR: the demo's shared contacts (fake_wecom --shared-contacts), one line
# MOBILE,UNIONID,ANCHOR per contact, ANCHOR the person's first qualifying payment (else
# first order) in local time. Deterministic: the same sample gives the same file.
links() {
	local sample=$1 tmp latest
	tmp=$(mktemp)
	trap 'rm -f "$tmp"' RETURN
	# One record per person: phone people (key p<phone>), then unionid-only ones (u<unionid>).
	# Each order counts in its newest version; columns before product_title hold no commas.
	LC_ALL=C awk -F, '
	FNR == 1 {
		sub(/^\357\273\277/, "")
		for (k in col) delete col[k]
		for (i = 1; i <= NF; i++) col[$i] = i
		f++
		next
	}
	{
		ph = $col["buyer_phone"]; u = ("buyer_unionid" in col) ? $col["buyer_unionid"] : ""
		if (ph == "" && u == "") next
		o = f SUBSEP $col["order_no"]; up = $col["updated_at"]
		if (!(o in upd) || up > upd[o]) {
			upd[o] = up; st[o] = $col["status"]; paid[o] = $col["paid_at"]; cr[o] = $col["created_at"]
			who[o] = ph != "" ? "p" ph : "u" u
		}
		if (ph != "" && u != "") uid["p" ph] = u
	}
	END {
		for (o in upd) {
			p = who[o]
			if (!(p in first) || cr[o] < first[p]) first[p] = cr[o]
			if (paid[o] == "" || st[o] ~ /^(unpaid|cancelled|refunded|待付款|交易关闭|已取消|已退款|退款成功)$/) continue
			if (!(p in q) || paid[o] < q[p]) q[p] = paid[o]
		}
		for (p in first)
			printf "%s,%s,%s\n", p, (p in uid) ? uid[p] : "", (p in q) ? q[p] : first[p]
	}' "$sample/orders-taobao.csv" "$sample/orders-youzan.csv" | LC_ALL=C sort >"$tmp"
	# the newest buyers (a first payment in the sample's last 35 days) are the ones the care
	# list calls for: most of them are in WeCom, so that the demo's list has owners
	latest=$(cut -d, -f3 "$tmp" | LC_ALL=C sort | tail -n 1)
	LC_ALL=C awk -F, -v recent="$(date -d "${latest%% *} -35 days" +%F)" '
	# 150 phone people (every third one skipped), with their unionid when they have one;
	# bridges: a skipped phone person without a unionid and a unionid-only person (half of
	# those, at most 8); the other unionid-only people by their unionid alone.
	/^p/ && $3 >= recent {
		if (r++ % 4 != 3) line[++nl] = substr($1, 2) "," $2 "," $3
		else if ($2 == "") { bph[++nb] = substr($1, 2); ban[nb] = $3 }
		next
	}
	/^p/ {
		ph = substr($1, 2)
		if (n % 3 != 2 && shared < 150) { line[++nl] = ph "," $2 "," $3; shared++ }
		else if ($2 == "") { bph[++nb] = ph; ban[nb] = $3 }
		n++
		next
	}
	/^u/ { uo[++nu] = substr($1, 2); uan[nu] = $3 }
	END {
		nbr = nb < int(nu / 2) ? nb : int(nu / 2)
		nbr = nbr < 8 ? nbr : 8
		print "# fake_wecom --shared-contacts: MOBILE,UNIONID,ANCHOR (scripts/fake-wecom.sh links)"
		printf "# phone=%d bridge=%d unionid=%d\n", nl, nbr, nu - nbr
		for (i = 1; i <= nl; i++) print line[i]
		for (i = 1; i <= nbr; i++) print bph[i] "," uo[i] "," (ban[i] < uan[i] ? ban[i] : uan[i])
		for (i = nbr + 1; i <= nu; i++) print "," uo[i] "," uan[i]
	}' "$tmp"
}

[[ $# -ge 2 ]] || usage
case "$1" in
links)
	[[ $# -eq 2 && -f "$2/orders-taobao.csv" && -f "$2/orders-youzan.csv" ]] || usage
	links "$2"
	;;
start)
	if [[ $# -eq 2 ]]; then
		mkdir -p "$2"
		links "${SIYU_SAMPLE_DIR:-$top/sample}" >"$2/shared-contacts.csv"
		set -- start "$2" --seed 42 --staff 20 --customers 2000 --groups 80 --history-days 365 \
			--corpid ww-demo-corp --secret demo-secret --shared-contacts "$2/shared-contacts.csv" \
			${SIYU_DEMO_END:+--end "$SIYU_DEMO_END"}
	fi
	FAKE_BIN=${FAKE_WECOM:-} exec "$top/scripts/fake.sh" wecom "$@"
	;;
*)
	FAKE_BIN=${FAKE_WECOM:-} exec "$top/scripts/fake.sh" wecom "$@"
	;;
esac

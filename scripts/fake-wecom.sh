#!/usr/bin/env bash
# fake-wecom.sh — run the fake WeCom server (tests/fakes/fake_wecom.c) in the background.
#
#   scripts/fake-wecom.sh start DIR [FAKE OPTIONS...]   start on a free 127.0.0.1 port;
#                                                       writes DIR/port, DIR/pid, DIR/log
#   scripts/fake-wecom.sh stop DIR                      stop it (the pid in DIR/pid)
#   scripts/fake-wecom.sh admin DIR PATH                call an admin endpoint, print the answer
#                                                       (e.g. "/__admin/mutate?step=1")
#   scripts/fake-wecom.sh url DIR                       print http://127.0.0.1:PORT
#   scripts/fake-wecom.sh links SAMPLE_DIR              print the --shared-contacts file made
#                                                       from the sample's buyers (below)
#
# Without options the fake serves the demo corp: corpid ww-demo-corp, secret demo-secret,
# 20 staff, 2000 customers, 80 groups, a year of history (seed 42), plus the contacts of
# `links sample` (DIR/shared-contacts.csv): 150 of the sample's 236 buyer phones as
# remark_mobiles (with the buyer's Youzan unionid when there is one), 8 contacts joining a
# phone-only buyer to a unionid-only one (customer merges), 8 unionid-only ones.
# Tests pass their own (small) corp.
# The binary: $FAKE_WECOM, else $SIYU_FAKES/fake_wecom, else build/rel, else build/san.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

find_binary() {
	local b
	for b in "${FAKE_WECOM:-}" "${SIYU_FAKES:+$SIYU_FAKES/fake_wecom}" \
		"$top/build/rel/fakes/fake_wecom" "$top/build/san/fakes/fake_wecom"; do
		if [[ -n "$b" && -x "$b" ]]; then
			echo "$b"
			return 0
		fi
	done
	echo "fake-wecom.sh: no fake_wecom binary; build it: make build/rel/fakes/fake_wecom" >&2
	return 1
}

# alive: exists and is not a zombie waiting for init to reap it
alive() {
	local _pid _comm state
	kill -0 "$1" 2>/dev/null || return 1
	[[ -r "/proc/$1/stat" ]] || return 0
	read -r _pid _comm state _ <"/proc/$1/stat" 2>/dev/null || return 1
	[[ "$state" != Z ]]
}

running() {
	local dir=$1 pid
	[[ -f "$dir/pid" ]] || return 1
	pid=$(cat "$dir/pid")
	[[ -n "$pid" ]] && alive "$pid"
}

# links SAMPLE_DIR: the demo's shared contacts (fake_wecom --shared-contacts), one line
# MOBILE,UNIONID,ANCHOR per contact, ANCHOR the person's first qualifying payment (else
# first order) in local time. Deterministic: the same sample gives the same file.
links() {
	local sample=$1
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
	}' "$sample/orders-taobao.csv" "$sample/orders-youzan.csv" | LC_ALL=C sort |
	LC_ALL=C awk -F, '
	# 150 phone people (every third one skipped), with their unionid when they have one;
	# bridges: a skipped phone person without a unionid and a unionid-only person (half of
	# those, at most 8); the other unionid-only people by their unionid alone.
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
		printf "# phone=%d bridge=%d unionid=%d\n", shared, nbr, nu - nbr
		for (i = 1; i <= nl; i++) print line[i]
		for (i = 1; i <= nbr; i++) print bph[i] "," uo[i] "," (ban[i] < uan[i] ? ban[i] : uan[i])
		for (i = nbr + 1; i <= nu; i++) print "," uo[i] "," uan[i]
	}'
}

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || usage
shift 2

case "$cmd" in
start)
	bin=$(find_binary)
	mkdir -p "$dir"
	if running "$dir"; then
		echo "fake-wecom.sh: already running in $dir (pid $(cat "$dir/pid"))" >&2
		exit 1
	fi
	rm -f "$dir/port" "$dir/pid"
	if [[ $# -eq 0 ]]; then
		links "$top/sample" >"$dir/shared-contacts.csv"
		set -- --seed 42 --staff 20 --customers 2000 --groups 80 --history-days 365 \
			--corpid ww-demo-corp --secret demo-secret --shared-contacts "$dir/shared-contacts.csv"
	fi
	# setsid: the fake outlives the shell that started it, and a terminal's ^C
	nohup setsid "$bin" --port 0 --port-file "$dir/port" "$@" >"$dir/log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	# a big corp (make bench) takes a while to generate: FAKE_START_WAIT seconds (default 5)
	for _ in $(seq 1 $((${FAKE_START_WAIT:-5} * 20))); do
		[[ -s "$dir/port" ]] && break
		if ! running "$dir"; then
			echo "fake-wecom.sh: the fake exited; its log:" >&2
			cat "$dir/log" >&2
			exit 1
		fi
		sleep 0.05
	done
	[[ -s "$dir/port" ]] || { echo "fake-wecom.sh: no port after ${FAKE_START_WAIT:-5} s" >&2; exit 1; }
	cat "$dir/port"
	;;
stop)
	if running "$dir"; then
		pid=$(cat "$dir/pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			alive "$pid" || break
			sleep 0.02
		done
		if alive "$pid"; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$dir/pid" "$dir/port"
	;;
admin)
	[[ $# -eq 1 ]] || usage
	[[ -s "$dir/port" ]] || { echo "fake-wecom.sh: not running in $dir" >&2; exit 1; }
	"$(find_binary)" --port "$(cat "$dir/port")" --admin "$1"
	;;
links)
	[[ $# -eq 0 && -f "$dir/orders-taobao.csv" && -f "$dir/orders-youzan.csv" ]] || usage
	links "$dir"
	;;
url)
	[[ -s "$dir/port" ]] || { echo "fake-wecom.sh: not running in $dir" >&2; exit 1; }
	echo "http://127.0.0.1:$(cat "$dir/port")"
	;;
*)
	usage
	;;
esac

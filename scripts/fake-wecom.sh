#!/usr/bin/env bash
# fake-wecom.sh — run the fake WeCom server (tests/fakes/fake_wecom.c) in the background.
#
#   scripts/fake-wecom.sh start DIR [FAKE OPTIONS...]   start on a free 127.0.0.1 port;
#                                                       writes DIR/port, DIR/pid, DIR/log
#   scripts/fake-wecom.sh stop DIR                      stop it (the pid in DIR/pid)
#   scripts/fake-wecom.sh admin DIR PATH                call an admin endpoint, print the answer
#                                                       (e.g. "/__admin/mutate?step=1")
#   scripts/fake-wecom.sh url DIR                       print http://127.0.0.1:PORT
#
# Without options the fake serves the demo corp: corpid ww-demo-corp, secret demo-secret,
# 20 staff, 2000 customers, 80 groups, a year of history (seed 42). Tests pass their own (small) corp.
# The binary: $FAKE_WECOM, else $SIYU_FAKES/fake_wecom, else build/rel, else build/san.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
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
		set -- --seed 42 --staff 20 --customers 2000 --groups 80 --history-days 365 \
			--corpid ww-demo-corp --secret demo-secret
	fi
	# setsid: the fake outlives the shell that started it, and a terminal's ^C
	nohup setsid "$bin" --port 0 --port-file "$dir/port" "$@" >"$dir/log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	for _ in $(seq 1 100); do
		[[ -s "$dir/port" ]] && break
		if ! running "$dir"; then
			echo "fake-wecom.sh: the fake exited; its log:" >&2
			cat "$dir/log" >&2
			exit 1
		fi
		sleep 0.05
	done
	[[ -s "$dir/port" ]] || { echo "fake-wecom.sh: no port after 5 s" >&2; exit 1; }
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
url)
	[[ -s "$dir/port" ]] || { echo "fake-wecom.sh: not running in $dir" >&2; exit 1; }
	echo "http://127.0.0.1:$(cat "$dir/port")"
	;;
*)
	usage
	;;
esac

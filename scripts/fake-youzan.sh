#!/usr/bin/env bash
# fake-youzan.sh — run the fake Youzan open API (tests/fakes/fake_youzan.c) in the background.
#
#   scripts/fake-youzan.sh start DIR [FAKE OPTIONS...]   start on a free 127.0.0.1 port;
#                                                        writes DIR/port, DIR/pid, DIR/log
#   scripts/fake-youzan.sh stop DIR                      stop it (the pid in DIR/pid)
#   scripts/fake-youzan.sh admin DIR PATH                call an admin endpoint, print the answer
#                                                        (e.g. "/__admin/mutate?step=1")
#   scripts/fake-youzan.sh url DIR                       print http://127.0.0.1:PORT
#
# Without options the fake serves the demo shop: client_id demo-client, client_secret
# demo-secret, kdt_id 44000001, 600 orders over the 300 days up to 2025-10-31 23:00 (China
# time; the sample's period, the same at every start), seed 42, 3 of them invalid.
# The binary: $FAKE_YOUZAN, else $SIYU_FAKES/fake_youzan, else build/rel, else build/san.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

find_binary() {
	local b
	for b in "${FAKE_YOUZAN:-}" "${SIYU_FAKES:+$SIYU_FAKES/fake_youzan}" \
		"$top/build/rel/fakes/fake_youzan" "$top/build/san/fakes/fake_youzan"; do
		if [[ -n "$b" && -x "$b" ]]; then
			echo "$b"
			return 0
		fi
	done
	echo "fake-youzan.sh: no fake_youzan binary; build it: make build/rel/fakes/fake_youzan" >&2
	return 1
}

# alive: exists and is not a zombie
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
		echo "fake-youzan.sh: already running in $dir (pid $(cat "$dir/pid"))" >&2
		exit 1
	fi
	rm -f "$dir/port" "$dir/pid"
	if [[ $# -eq 0 ]]; then
		set -- --seed 42 --orders 600 --history-days 300 --bad-orders 3 --end "2025-10-31 23:00:00" \
			--client-id demo-client --client-secret demo-secret --kdt-id 44000001
	fi
	nohup setsid "$bin" --port 0 --port-file "$dir/port" "$@" >"$dir/log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	for _ in $(seq 1 100); do
		[[ -s "$dir/port" ]] && break
		if ! running "$dir"; then
			echo "fake-youzan.sh: the fake exited; its log:" >&2
			cat "$dir/log" >&2
			exit 1
		fi
		sleep 0.05
	done
	[[ -s "$dir/port" ]] || { echo "fake-youzan.sh: no port after 5 s" >&2; exit 1; }
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
	[[ -s "$dir/port" ]] || { echo "fake-youzan.sh: not running in $dir" >&2; exit 1; }
	"$(find_binary)" --port "$(cat "$dir/port")" --admin "$1"
	;;
url)
	[[ -s "$dir/port" ]] || { echo "fake-youzan.sh: not running in $dir" >&2; exit 1; }
	echo "http://127.0.0.1:$(cat "$dir/port")"
	;;
*)
	usage
	;;
esac

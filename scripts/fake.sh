#!/usr/bin/env bash
# fake.sh — run one of the fake API servers (tests/fakes/fake_NAME.c) in the background.
#
#   scripts/fake.sh NAME start DIR [FAKE OPTIONS...]   start on a free 127.0.0.1 port;
#                                                      writes DIR/port, DIR/pid, DIR/log
#   scripts/fake.sh NAME stop DIR                      stop it (the pid in DIR/pid)
#   scripts/fake.sh NAME admin DIR PATH                call an admin endpoint, print the answer
#                                                      (e.g. "/__admin/mutate?step=1")
#   scripts/fake.sh NAME url DIR                       print http://127.0.0.1:PORT
#
# NAME is the fake: youzan, wecom, taobao, jd, pdd, douyin, channels. Without options
# `start` runs the fake with its defaults (scripts/fake-NAME.sh passes the demo's).
# The binary: $FAKE_BIN, else $SIYU_FAKES/fake_NAME, else build/rel, else build/san.
# A big generated shop takes a while: `start` waits FAKE_START_WAIT seconds (default 5)
# for the port.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

name=${1:-}
cmd=${2:-}
dir=${3:-}
[[ "$name" =~ ^[a-z]+$ && -n "$cmd" && -n "$dir" ]] || usage
shift 3
me="fake.sh $name"

find_binary() {
	local b
	for b in "${FAKE_BIN:-}" "${SIYU_FAKES:+$SIYU_FAKES/fake_$name}" \
		"$top/build/rel/fakes/fake_$name" "$top/build/san/fakes/fake_$name"; do
		if [[ -n "$b" && -x "$b" ]]; then
			echo "$b"
			return 0
		fi
	done
	echo "$me: no fake_$name binary; build it: make build/rel/fakes/fake_$name" >&2
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
	local pid
	[[ -f "$dir/pid" ]] || return 1
	pid=$(cat "$dir/pid")
	[[ -n "$pid" ]] && alive "$pid"
}

need_port() {
	[[ -s "$dir/port" ]] || { echo "$me: not running in $dir" >&2; exit 1; }
}

case "$cmd" in
start)
	bin=$(find_binary)
	mkdir -p "$dir"
	if running; then
		echo "$me: already running in $dir (pid $(cat "$dir/pid"))" >&2
		exit 1
	fi
	rm -f "$dir/port" "$dir/pid"
	# setsid: the fake outlives the shell that started it, and a terminal's ^C
	nohup setsid "$bin" --port 0 --port-file "$dir/port" "$@" >"$dir/log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	for _ in $(seq 1 $((${FAKE_START_WAIT:-5} * 20))); do
		[[ -s "$dir/port" ]] && break
		if ! running; then
			echo "$me: the fake exited; its log:" >&2
			cat "$dir/log" >&2
			exit 1
		fi
		sleep 0.05
	done
	[[ -s "$dir/port" ]] || { echo "$me: no port after ${FAKE_START_WAIT:-5} s" >&2; exit 1; }
	cat "$dir/port"
	;;
stop)
	if running; then
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
	need_port
	"$(find_binary)" --port "$(cat "$dir/port")" --admin "$1"
	;;
url)
	need_port
	echo "http://127.0.0.1:$(cat "$dir/port")"
	;;
*)
	usage
	;;
esac

# shellcheck shell=bash
# lib-callback.sh — helpers of the callback receiver tests (t035*-wecom-callback*.sh),
# sourced after tests/lib.sh. Not a test file itself (check.sh runs t[0-9]*.sh only).
#
#   start_receiver [CONF]   siyu wecom-callback (CONF, default pipeline.conf in $TRASH) on
#                           a free port of 127.0.0.1, in the background, from $TRASH: the
#                           port goes to port, the pid to receiver.pid, the exit code (when
#                           it exits) to receiver.rc, its log to receiver.log
#   stop_receiver           SIGTERM, and wait until it is gone
#   wait_gone PID           until the process is gone (at most 10 s)
#   push [OPTS] EVENT.xml   sign, encrypt and POST EVENT.xml like WeCom (tests/fakes/wecom_push
#                           with $CORP and the credentials below; OPTS are wecom_push's)
#   callback_conf [LINES]   $TRASH/pipeline.conf: raw zone $TRASH/raw, one wecom source wx
#                           of corp $CORP (default the corpid of tests/data/wecom_push)
#                           with the callback credentials, and LINES added to it; its
#                           spool is $SPOOL
#   spool_lines             the number of lines in the spool files
#
# The credentials are WeCom's published sample ones; a test's pipeline.conf refers to
# them as ${WX_CB_TOKEN} and ${WX_CB_AES_KEY}. Nothing started here outlives the file.

FAKES=${SIYU_FAKES:-$TOP/build/rel/fakes}
[ -x "$FAKES/wecom_push" ] || die "build the test programs first: make check"
export WX_CB_TOKEN=hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo
export WX_CB_AES_KEY=6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt
export FAKES
CORP=${CORP:-ww1436e0e65a779aee}
SPOOL=$TRASH/raw/wx/callbacks
export CORP SPOOL

callback_conf() {
	{
		cat <<-EOF
		[run]
		raw_dir = $TRASH/raw
		timezone = Asia/Shanghai

		[source.wx]
		type = wecom
		corpid = $CORP
		secret = \${WECOM_SECRET}
		callback_token = \${WX_CB_TOKEN}
		callback_aes_key = \${WX_CB_AES_KEY}
		EOF
		printf '%s\n' "$@"
	} >"$TRASH/pipeline.conf"
}

start_receiver() {
	local conf=${1:-pipeline.conf}
	rm -f port receiver.rc receiver.pid
	(
		"$SIYU" --config "$conf" wecom-callback --listen 127.0.0.1:0 --port-file port \
			2>>receiver.log &
		echo $! >receiver.pid
		wait $!
		echo $? >receiver.rc
	) </dev/null >/dev/null 2>&1 &
	for _ in $(seq 200); do
		[ -s port ] && return 0
		sleep 0.05
	done
	cat receiver.log >&2
	return 1
}

wait_gone() {
	for _ in $(seq 200); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "process $1 still running" >&2
	return 1
}

stop_receiver() {
	local pid
	pid=$(cat receiver.pid) &&
	kill -TERM "$pid" &&
	wait_gone "$pid"
}

spool_lines() {
	cat "$SPOOL"/events-*.jsonl 2>/dev/null | wc -l | tr -d ' '
}

push() {
	"$FAKES/wecom_push" --url "http://127.0.0.1:$(cat port)/wecom/callback" \
		--token "$WX_CB_TOKEN" --aes-key "$WX_CB_AES_KEY" --receiver-id "$CORP" "$@"
}

test_atexit '[ -s "$TRASH/receiver.pid" ] && kill -9 "$(cat "$TRASH/receiver.pid")" 2>/dev/null; true'

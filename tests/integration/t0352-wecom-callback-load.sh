#!/usr/bin/env bash
test_description='siyu wecom-callback under load: dozens of slow connections (a byte every 250 ms, never a whole request) neither keep WeCom'"'"'s pushes from being answered and spooled nor hold a slot past the read timeout'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-callback.sh"

# tests/fakes/slow_clients opens the slow connections from other loopback addresses
# (127.0.0.2, 127.0.0.10 …) than the pushes (127.0.0.1), so that the per-address limit
# applies to them and not to WeCom. Small limits keep the test quick.

[ -x "$FAKES/slow_clients" ] || die "build the test programs first: make check"
DATA=$TOP/tests/data/wecom_push
export WECOM_SECRET=unused-by-the-receiver
export DATA
callback_conf "callback_read_timeout = 3s" "callback_max_connections = 40" \
	"callback_max_connections_per_address = 8"

# slow FROM ADDRESSES PER_ADDRESS: slow_clients in the background (output in slow.out,
# pid in slow.pid), returning once every connection is open
slow() {
	rm -f ready slow.out
	"$FAKES/slow_clients" --connect "127.0.0.1:$(cat port)" --from "$1" --addresses "$2" \
		--per-address "$3" --hold 10 --refused-ms 1500 --ready ready >slow.out &
	echo $! >slow.pid
	for _ in $(seq 200); do
		[ -e ready ] && return 0
		sleep 0.05
	done
	return 1
}

# field NAME: a number from slow.out once slow_clients has ended
field() {
	sed -n "s/.*\<$1=\([0-9]*\).*/\1/p" slow.out
}

# push_retrying EVENT.xml: like WeCom, try again (every 0.5 s, for up to 8 s) until a 200
push_retrying() {
	for _ in $(seq 16); do
		push "$1" >out 2>&1 && grep -q "^200$" out && return 0
		sleep 0.5
	done
	cat out >&2
	return 1
}

test_atexit '[ -s "$TRASH/slow.pid" ] && kill "$(cat "$TRASH/slow.pid")" 2>/dev/null; true'

test_expect_success 'the receiver starts with the configured limits and says so' '
	start_receiver &&
	grep -q "max_connections=40 max_per_address=8 read_timeout=3s" receiver.log
'

test_expect_success 'seventy slow connections from one address: WeCom is still answered and spooled' '
	slow 127.0.0.2 1 70 &&
	for f in "$DATA"/01-*.xml "$DATA"/02-*.xml "$DATA"/03-*.xml; do
		push "$f" >out || { cat out; exit 1; }
		assert_grep "^200$" out
	done &&
	kill -0 "$(cat slow.pid)" &&
	test "$(spool_lines)" = 3 &&
	wait_gone "$(cat slow.pid)" &&
	cat slow.out &&
	grep -q "^connections=70 refused=62 cut=8 open=0 " slow.out
'

test_expect_success 'a connection that never finishes its request is closed after the read timeout, though never idle' '
	test "$(field longest_cut_ms)" -ge 2900 &&
	test "$(field longest_cut_ms)" -lt 5000 &&
	grep -q "msg=\"callback connections closed\" count=[0-9]* reason=\"no whole request within 3 s\"" receiver.log
'

# Beyond callback_max_connections the receiver stops accepting: the next connections
# wait in the kernel's listen queue, in order, until slots free up.
test_expect_success 'sixty slow connections from thirty addresses fill every slot; WeCom gets through within the read timeout' '
	slow 127.0.0.10 30 2 &&
	start=$(date +%s%N) &&
	push_retrying "$DATA/04-del-external-contact-c02.xml" &&
	took_ms=$(( ($(date +%s%N) - start) / 1000000 )) &&
	echo "answered after $took_ms ms" &&
	test "$took_ms" -ge 2000 &&
	test "$took_ms" -lt 5000 &&
	test "$(spool_lines)" = 4 &&
	wait_gone "$(cat slow.pid)" &&
	cat slow.out &&
	grep -q "^connections=60 refused=0 cut=60 open=0 " slow.out &&
	test "$(field longest_cut_ms)" -lt 8000
'

test_expect_success 'the receiver still stops cleanly on SIGTERM' '
	stop_receiver &&
	for _ in $(seq 100); do [ -s receiver.rc ] && break; sleep 0.05; done &&
	test "$(cat receiver.rc)" = 0 &&
	grep -q "msg=\"stopped\" spooled=4 duplicates=0 rejected=0 ignored=0" receiver.log
'

test_done

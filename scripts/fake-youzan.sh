#!/usr/bin/env bash
# fake-youzan.sh — run the fake Youzan open API (tests/fakes/fake_youzan.c) in the background.
#
#   scripts/fake-youzan.sh start|stop|admin|url DIR ...   as scripts/fake.sh youzan
#
# Without options the fake serves the demo shop: client_id demo-client, client_secret
# demo-secret, kdt_id 44000001, 600 orders over the 300 days up to 2025-10-31 23:00 (China
# time; the sample's period, the same at every start), seed 42, 3 of them invalid.
# The binary: $FAKE_YOUZAN, else $SIYU_FAKES/fake_youzan, else build/rel, else build/san.
set -euo pipefail

here=$(dirname "$0")
if [[ $# -lt 2 ]]; then
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
if [[ "$1" == start && $# -eq 2 ]]; then
	set -- start "$2" --seed 42 --orders 600 --history-days 300 --bad-orders 3 \
		--end "2025-10-31 23:00:00" --client-id demo-client --client-secret demo-secret \
		--kdt-id 44000001
fi
FAKE_BIN=${FAKE_YOUZAN:-} exec "$here/fake.sh" youzan "$@"

#!/usr/bin/env bash
test_description='progress of run, replay and import: logfmt lines when stderr is not a terminal, one redrawn line on a terminal'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0960-test-key-0123456789
sample_conf >"$TRASH/run.conf"

test_expect_success 'run, stderr a file: logfmt progress per source, records and percent of the file, a final line' '
	SIYU_PROGRESS_EVERY=0 "$SIYU" --config run.conf run >out 2>err &&
	grep "msg=progress source=taobao_csv pages=1 records=[0-9]* rate=[0-9.]* done_pct=[0-9.]* eta_s=[0-9]*" err >lines &&
	grep -q "msg=progress source=taobao_csv pages=1 records=1750 .* final=true$" err &&
	grep -q "msg=progress source=youzan_csv pages=1 records=787 .* final=true$" err &&
	test_must_fail grep -q "$(printf "\r")" err
'

test_expect_success 'the default interval (10 s) says nothing about a load of a second' '
	"$SIYU" --config run.conf run >out 2>err &&
	test_must_fail grep -q "msg=progress" err
'

test_expect_success 'import and replay report too' '
	SIYU_PROGRESS_EVERY=0 "$SIYU" import --source hand "$TOP/tests/data/orders-basic.csv" >out 2>err &&
	grep -q "msg=progress source=hand pages=1 records=[0-9]* .*final=true$" err &&
	SIYU_PROGRESS_EVERY=0 "$SIYU" --config run.conf replay --run 1 >out 2>err &&
	grep -q "msg=progress source=taobao_csv pages=1 records=1750 .*final=true$" err
'

test_expect_success 'a Youzan API source: pages with their orders, windows done for the ETA' '
	"$TOP/scripts/fake-youzan.sh" start "$TRASH/yz" >/dev/null &&
	test_when_finished "\"$TOP/scripts/fake-youzan.sh\" stop \"$TRASH/yz\" >/dev/null 2>&1 || true" &&
	printf "[run]\nraw_dir = %s/raw\n[source.youzan_api]\ntype = youzan\nbase_url = %s\nclient_id = demo-client\nclient_secret = \${YOUZAN_CLIENT_SECRET}\nkdt_id = 44000001\nstart = 2025-01-01\nwindow = 90d\nmax_reject_ratio = 0.05\nrps = 1000\n" \
		"$TRASH" "$("$TOP/scripts/fake-youzan.sh" url "$TRASH/yz")" >yz.conf &&
	YOUZAN_CLIENT_SECRET=demo-secret SIYU_PROGRESS_EVERY=0 "$SIYU" --config yz.conf run >out 2>err &&
	grep -q "msg=progress source=youzan_api pages=[1-9][0-9]* records=[1-9][0-9]* rate=[0-9.]* done_pct=100.0 eta_s=0 final=true$" err &&
	grep "msg=progress source=youzan_api" err | sed -n "s/.* done_pct=\([0-9.]*\) .*/\1/p" | sort -n -c
'

test_expect_success 'on a terminal: one line redrawn in place and cleared, no logfmt progress' '
	command -v script >/dev/null || { echo "script(1) is missing (bsdutils)"; exit 1; } &&
	SIYU_PROGRESS_EVERY=0 script -qec "\"$SIYU\" --config run.conf run 2>&1 >/dev/null" /dev/null >tty.out &&
	grep -q "$(printf "\r\033\\[K")taobao_csv: 1 page, [0-9]* records, [0-9]*/s, [0-9]*% ETA" tty.out &&
	test_must_fail grep -q "msg=progress" tty.out
'

test_done

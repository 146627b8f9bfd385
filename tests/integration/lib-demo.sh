# shellcheck shell=bash
# lib-demo.sh — the demo's data for the tests that read the warehouse like its users
# (t0940 queries, t0950 report), sourced after tests/lib.sh. Not a test file itself.
#
#   demo_setup   (top level) a fresh migrated database (setup_db), the fake WeCom demo corp
#                (its default options, which share about 160 of the sample's buyers) in
#                $TRASH/wecom, and siyu run over it and the sample exports, as make demo
#                does; the config is $TRASH/demo.conf. Dies on failure.

export SIYU_HTTP_BACKOFF_SCALE=0.001 WECOM_SECRET=demo-secret
export SIYU_PII_KEY=${SIYU_PII_KEY:-demo-test-key-0123456789}

demo_setup() {
	setup_db
	"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
	"$TOP/scripts/fake-wecom.sh" start "$TRASH/wecom" >/dev/null || die "cannot start the fake WeCom"
	test_atexit "kill $(cat "$TRASH/wecom/pid") 2>/dev/null || true"
	{
		sample_conf
		printf '[source.wecom]\ntype = wecom\nbase_url = %s\ncorpid = ww-demo-corp\n' \
			"$("$TOP/scripts/fake-wecom.sh" url "$TRASH/wecom")"
		printf 'secret = ${WECOM_SECRET}\nrps = 1000\n'
	} >"$TRASH/demo.conf"
	"$SIYU" --config "$TRASH/demo.conf" run >"$TRASH/run.out" 2>"$TRASH/run.err" ||
		die "the demo load failed: $(tail -5 "$TRASH/run.err")"
}

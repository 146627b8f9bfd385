#!/usr/bin/env bash
test_description='wecom replay: the latest snapshot replays from the raw zone alone to the same warehouse (and repairs it); older snapshots are refused; a run that stopped is not replayed; a raw zone that disagrees with the call plan fails cleanly'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-wecom.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
Q="'"
# An empty migrated warehouse to rebuild from the raw zone alone.
copy_db siyu_t0440_rebuilt || die "cannot copy the database"
fake_start fake "${WECOM_CORP[@]}"
wecom_conf "$TRASH/pipeline.conf" fake
CONF=$TRASH/pipeline.conf

last_run() {
	test_psql "SELECT max(run_id) FROM etl.run_source WHERE source = ${Q}wecom${Q} AND status = ${Q}succeeded${Q}"
}

# Events, relationships and member spans: what a wrong replay would add to.
history() {
	test_psql "SELECT (SELECT count(*) FROM dw.fact_contact_event), (SELECT count(*) FROM dw.fact_contact),
		(SELECT count(*) FROM dw.fact_group_member), (SELECT count(*) FROM dw.bridge_customer_tag)"
}

test_expect_success 'two runs, the corp changing between them (the reference)' '
	wecom_run "$CONF" && grep -E "^wecom +ok" out &&
	fake_admin fake "/__admin/mutate?step=1" >/dev/null &&
	wecom_run "$CONF" && grep -E "^wecom +ok" out &&
	last_run >r2 && test "$(cat r2)" -gt 1 &&
	wecom_fingerprint >"$TRASH/run.fp" && history >"$TRASH/run.history" &&
	test_psql "SELECT run_id FROM etl.watermark WHERE source = ${Q}wecom${Q} AND entity = ${Q}snapshot${Q}" >actual &&
	test_cmp r2 actual
'

test_expect_success 'with the API gone, a replay of the latest run gives the same warehouse' '
	fake_stop fake &&
	r2=$(cat r2) &&
	"$SIYU" --config "$CONF" replay --run "$r2" >out 2>err &&
	grep -E "^wecom +run $r2 +ok" out &&
	wecom_fingerprint >actual && test_cmp "$TRASH/run.fp" actual &&
	history >actual && test_cmp "$TRASH/run.history" actual &&
	pages=$(test_psql "SELECT pages FROM etl.run_source WHERE run_id = $r2 AND source = ${Q}wecom${Q}") &&
	grep -q "msg=\"wecom replay done\" source=wecom raw_run=$r2 status=ok pages=$pages" err &&
	test_psql "SELECT command, status FROM etl.run ORDER BY run_id DESC LIMIT 1" >actual &&
	echo "replay|succeeded" >expect && test_cmp expect actual
'

test_expect_success 'a replay repairs what a wrong transform wrote, adding no history' '
	test_psql "UPDATE dw.wecom_customer SET name = ${Q}damaged${Q}
		WHERE external_userid IN (SELECT external_userid FROM etl.wecom_contact_snapshot ORDER BY 1 LIMIT 5);
		UPDATE dw.fact_staff_daily SET message_cnt = message_cnt + 7
		WHERE date_key = (SELECT max(date_key) FROM dw.fact_staff_daily)" &&
	wecom_fingerprint >broken.fp && ! test_cmp "$TRASH/run.fp" broken.fp >/dev/null &&
	"$SIYU" --config "$CONF" replay --run "$(cat r2)" >out 2>err &&
	wecom_fingerprint >actual && test_cmp "$TRASH/run.fp" actual &&
	history >actual && test_cmp "$TRASH/run.history" actual
'

test_expect_success 'an older snapshot than the warehouse holds is refused, nothing changes' '
	test_expect_code 1 "$SIYU" --config "$CONF" replay --run 1 >out 2>err &&
	grep -E "^wecom +run 1 +FAILED" out &&
	grep -q "run 1 is older than the snapshot the warehouse holds (run $(cat r2))" err &&
	wecom_fingerprint >actual && test_cmp "$TRASH/run.fp" actual
'

test_expect_success 'replay by date on a loaded warehouse: the held snapshot is replayed, older runs are skipped' '
	"$SIYU" --config "$CONF" replay --source wecom --from 2000-01-01 >out 2>err &&
	grep -E "^wecom +run $(cat r2) +ok" out && ! grep -E "^wecom +run 1 " out &&
	grep -q "runs older than the WeCom snapshot the warehouse holds are not replayed.* skipped=1 held_run=$(cat r2)" err &&
	wecom_fingerprint >actual && test_cmp "$TRASH/run.fp" actual
'

test_expect_success 'every run replayed in order into an empty warehouse rebuilds it' '
	cp -r raw raw2 && sed "s|^raw_dir = .*|raw_dir = $TRASH/raw2|" "$CONF" >rebuilt.conf &&
	PGDATABASE=siyu_t0440_rebuilt "$SIYU" --config rebuilt.conf replay --source wecom \
		--from 2000-01-01 >out 2>err &&
	grep -E "^wecom +run 1 +ok" out && grep -E "^wecom +run $(cat r2) +ok" out &&
	PGDATABASE=siyu_t0440_rebuilt wecom_fingerprint >actual && test_cmp "$TRASH/run.fp" actual
'

test_expect_success 'a run that stopped part-way (its raw zone ends early) is not replayed' '
	"$TOP/scripts/fake-wecom.sh" start "$TRASH/fake3" "${WECOM_CORP[@]}" \
		--fault "errcode=60011&path=groupchat/list" >/dev/null &&
	test_when_finished "\"$TOP/scripts/fake-wecom.sh\" stop \"$TRASH/fake3\"" &&
	wecom_conf conf3 fake3 && sed -i "s|^raw_dir = .*|raw_dir = $TRASH/raw|" conf3 &&
	test_expect_code 1 "$SIYU" --config conf3 run --source wecom >out 2>err &&
	grep -E "^wecom +FAILED" out &&
	r3=$(test_psql "SELECT max(run_id) FROM etl.run_source WHERE source = ${Q}wecom${Q}") &&
	test -s "raw/wecom/$r3/manifest.jsonl" &&
	# as if killed while writing its manifest: a last line cut short
	printf "{\"file\":\"groupchat_get-000" >>"raw/wecom/$r3/manifest.jsonl" &&
	"$SIYU" --config "$CONF" replay --run "$r3" >out 2>err &&
	grep -E "^wecom +run $r3 +ok .*read 0, inserted 0" out &&
	grep -q "run did not finish the source, not replayed" err &&
	grep -q "errcode 60011 (the run stopped here)" err &&
	wecom_fingerprint >actual && test_cmp "$TRASH/run.fp" actual
'

test_expect_success 'a raw zone that disagrees with the call plan fails the replay, changing nothing' '
	r2=$(cat r2) && m=raw/wecom/$r2/manifest.jsonl &&
	cp "$m" manifest.orig && test_when_finished "cp manifest.orig $m" &&
	grep -v "groupchat_get-00002" manifest.orig >"$m" &&
	test_expect_code 1 "$SIYU" --config "$CONF" replay --run "$r2" >out 2>err &&
	grep -E "^wecom +run $r2 +FAILED" out &&
	grep -q "chat 2 of 10.*the call plan differs from the run.s; raw page groupchat_get-00003" err &&
	wecom_fingerprint >actual && test_cmp "$TRASH/run.fp" actual
'

test_expect_success 'without the secret in the environment: replay and status work; a run fails only wecom, naming the variable' '
	cp "$CONF" nosecret.conf &&
	printf "[source.orders]\ntype = csv\npath = %s\n" "$TOP/sample/orders-taobao.csv" >>nosecret.conf &&
	(
		unset WECOM_SECRET &&
		"$SIYU" --config nosecret.conf replay --run "$(cat r2)" --source wecom >out 2>err &&
		grep -E "^wecom +run $(cat r2) +ok" out &&
		"$SIYU" --config nosecret.conf status >/dev/null &&
		test_expect_code 1 "$SIYU" --config nosecret.conf run >out 2>err
	) &&
	grep -E "^orders +ok .*inserted 831" out && grep -E "^wecom +FAILED" out &&
	grep -q "msg=\"source failed\" source=wecom .*nosecret.conf:8: environment variable .WECOM_SECRET. is not set (used by .secret. in \[source.wecom\]" err
'

test_done

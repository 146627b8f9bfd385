#!/usr/bin/env bash
test_description='siyu replay: reload runs from the raw zone; same warehouse, repairs after a transform fix, older versions never win'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
export SIYU_PII_KEY=t0410-test-key-0123456789
Q="'"
# An empty migrated warehouse to rebuild from the raw zone alone.
copy_db t0410_rebuilt || die "cannot copy the database"

cat >"$TRASH/run.conf" <<EOC
[run]
timezone = Asia/Shanghai
raw_dir = $TRASH/raw
[source.taobao_csv]
type = csv
path = $TOP/sample/orders-taobao.csv
[source.youzan_csv]
type = csv
path = $TOP/sample/orders-youzan.csv
[source.late_csv]
type = csv
path = $TRASH/late/*.csv
EOC
mkdir -p "$TRASH/late"

test_expect_success 'run, then replay that run: the same warehouse, every order re-applied' '
	"$SIYU" --config run.conf run >out 2>err &&
	test_fingerprint >run1.fp &&
	"$SIYU" --config run.conf replay --run 1 >out 2>err &&
	grep -q "^taobao_csv *run 1 *ok .*read 1750, inserted 0, updated 831, unchanged 0, rejected 7" out &&
	grep -q "^youzan_csv *run 1 *ok .*read 787, inserted 0, updated 364, unchanged 0, rejected 0" out &&
	test_fingerprint >actual && test_cmp run1.fp actual &&
	test_psql "select command, args, status from etl.run where run_id = 2" >actual &&
	echo "replay|--run 1|succeeded" >expect && test_cmp expect actual &&
	test_psql "select source, status, updated from etl.run_source where run_id = 2 order by 1" >actual &&
	printf "taobao_csv|succeeded|831\nyouzan_csv|succeeded|364\n" >expect && test_cmp expect actual &&
	test_psql "select count(*) from etl.reject where run_id = 2" >actual &&
	echo 7 >expect && test_cmp expect actual
'

test_expect_success 'a replay into an empty warehouse rebuilds the same warehouse' '
	# A raw zone of its own (a copy), so that its runs do not mix with the first warehouse.
	cp -r raw raw2 && sed "s|^raw_dir = .*|raw_dir = $TRASH/raw2|" run.conf >rebuilt.conf &&
	PGDATABASE=t0410_rebuilt "$SIYU" --config rebuilt.conf replay --run 1 >out 2>err &&
	grep -q "^taobao_csv *run 1 *ok .*inserted 831" out &&
	PGDATABASE=t0410_rebuilt test_fingerprint >actual && test_cmp run1.fp actual &&
	PGDATABASE=t0410_rebuilt "$SIYU" check >check.out
'

test_expect_success 'a rebuilt warehouse never reuses a run id of the raw zone' '
	PGDATABASE=t0410_rebuilt test_psql "select run_id from etl.run" >actual &&
	echo 2 >expect && test_cmp expect actual &&
	PGDATABASE=t0410_rebuilt "$SIYU" --config rebuilt.conf run >out 2>err &&
	grep -q "^taobao_csv .* ok .*unchanged 831" out &&
	test -d raw2/taobao_csv/3 && test_must_fail grep -q "File exists" err
'

test_expect_success 'after a transform fix, a replay repairs rows loaded at the same version' '
	# What a buggy transform would have written: wrong amounts and status, same versions.
	test_psql "with o as (select order_key from dw.fact_order where line_count = 1 order by order_key limit 3)
		update dw.fact_order_line l set paid_fen = l.paid_fen + 100 from o where l.order_key = o.order_key" &&
	test_psql "with o as (select order_key from dw.fact_order where line_count = 1 order by order_key limit 3)
		update dw.fact_order f set paid_fen = f.paid_fen + 100, status = ${Q}refunding${Q}
		from o where f.order_key = o.order_key" &&
	test_fingerprint >broken.fp && ! test_cmp run1.fp broken.fp >/dev/null &&
	"$SIYU" --config run.conf replay --run 1 >out 2>err &&
	test_fingerprint >actual && test_cmp run1.fp actual
'

test_expect_success 'an older version in the replayed run never replaces a newer one' '
	head -1 "$TOP/sample/orders-taobao.csv" >late/newer.csv &&
	# A later version of one single-line taobao order: refunded in full.
	test_psql "copy (
		select c.platform, c.shop_id, c.shop_name, i.order_no, l.line_no, ${Q}refunded${Q},
		       to_char(f.created_at at time zone ${Q}Asia/Shanghai${Q}, ${Q}YYYY-MM-DD HH24:MI:SS${Q}),
		       to_char(f.paid_at at time zone ${Q}Asia/Shanghai${Q}, ${Q}YYYY-MM-DD HH24:MI:SS${Q}),
		       ${Q}2030-01-01 00:00:00${Q},
		       (select min(id_value) from dw.customer_identity b
		         where b.customer_key = f.customer_key and b.id_type = ${Q}buyer_id${Q}), ${Q}${Q},
		       p.sku, p.title, l.quantity, to_char(l.unit_price_fen / 100.0, ${Q}FM999990.00${Q}),
		       to_char(l.paid_fen / 100.0, ${Q}FM999990.00${Q}), to_char(l.paid_fen / 100.0, ${Q}FM999990.00${Q}),
		       to_char(f.shipping_fen / 100.0, ${Q}FM999990.00${Q}), to_char(f.discount_fen / 100.0, ${Q}FM999990.00${Q})
		  from dw.fact_order f join dw.order_identity i using (order_key)
		  join dw.dim_channel c on c.channel_key = i.channel_key
		  join dw.fact_order_line l on l.order_key = f.order_key
		  join dw.dim_product p using (product_key)
		 where c.platform = ${Q}taobao${Q} and f.line_count = 1 and f.status = ${Q}completed${Q}
		   and f.shipping_fen = 0 and f.customer_key is not null
		 order by i.order_no limit 1) to stdout with (format csv)" >>late/newer.csv &&
	order=$(sed -n 2p late/newer.csv | cut -d, -f4) &&
	"$SIYU" --config run.conf run --source late_csv >out 2>err &&
	grep -q "^late_csv .* ok .*updated 1," out &&
	test_psql "select status from dw.fact_order f join dw.order_identity i using (order_key) where i.order_no = ${Q}$order${Q}" >actual &&
	echo refunded >expect && test_cmp expect actual &&
	test_fingerprint >late.fp &&
	"$SIYU" --config run.conf replay --run 1 --source taobao_csv >out 2>err &&
	grep -q "^taobao_csv *run 1 *ok .*inserted 0, updated 830, unchanged 1," out &&
	test_must_fail grep -q youzan_csv out &&
	test_fingerprint >actual && test_cmp late.fp actual
'

test_expect_success '--source --from/--until replay the runs that started in the range, in run order' '
	late_run=$(test_psql "select max(run_id) from etl.run where command = ${Q}run${Q}") &&
	"$SIYU" --config run.conf run --source taobao_csv >out 2>err &&
	tb_run=$(test_psql "select max(run_id) from etl.run where command = ${Q}run${Q}") &&
	test_psql "update etl.run set started_at = ${Q}2025-01-01 12:00+08${Q} where run_id = 1" &&
	test_psql "update etl.run set started_at = ${Q}2025-02-01 12:00+08${Q} where run_id = $late_run" &&
	test_psql "update etl.run set started_at = ${Q}2025-03-01 00:30+08${Q} where run_id = $tb_run" &&
	"$SIYU" --config run.conf replay --source taobao_csv --source late_csv --from 2025-01-01 >out 2>err &&
	sed -n "s/^\([a-z_]*\) *run \([0-9]*\) .*/\1 \2/p" out >actual &&
	printf "taobao_csv 1\nlate_csv %s\ntaobao_csv %s\n" "$late_run" "$tb_run" >expect && test_cmp expect actual &&
	test_fingerprint >actual && test_cmp late.fp actual &&
	"$SIYU" --config run.conf replay --source taobao_csv --source late_csv --from 2025-01-01 --until 2025-03-01 >out 2>err &&
	sed -n "s/^\([a-z_]*\) *run \([0-9]*\) .*/\1 \2/p" out >actual &&
	printf "taobao_csv 1\nlate_csv %s\n" "$late_run" >expect && test_cmp expect actual &&
	"$SIYU" --config run.conf replay --source taobao_csv --from 2031-01-01 >out 2>err &&
	grep -q "nothing to replay" out
'

# The fingerprint is the warehouse, not its history: etl.run and etl.run_source are left out
# (every run adds to them, a dry or killed one too). A dry run changes no warehouse row and
# no watermark, and the run log records it as a run of its own: that is checked here.
test_expect_success 'a dry run replays and rolls back; the run log records it, nothing else changes' '
	test_runlog >runlog.before &&
	"$SIYU" --config run.conf replay --run 1 --dry-run >out 2>err &&
	grep -q "^taobao_csv *run 1 *ok" out &&
	test_fingerprint >actual && test_cmp late.fp actual &&
	test_runlog >runlog.after &&
	n=$(wc -l <runlog.before) &&
	head -n "$n" runlog.after >runlog.kept && test_cmp runlog.before runlog.kept &&
	tail -n +$((n + 1)) runlog.after | cut -d"|" -f2- >actual &&
	# what the replay would have done (the later version of one order stays: unchanged 1)
	cat >expect <<-\EOT &&
	replay|--run 1 --dry-run|succeeded|taobao_csv|succeeded|1750|0|830|1|7
	replay|--run 1 --dry-run|succeeded|youzan_csv|succeeded|787|0|364|0|0
	EOT
	test_cmp expect actual
'

# A watermark says how far a source has loaded: replaying an older run (whose newest version
# is older than a later export's) must not move it back.
test_expect_success 'a replay of an older run never moves a watermark back' '
	test_psql "update etl.watermark set value = value + interval ${Q}1 day${Q} where source = ${Q}taobao_csv${Q}" &&
	test_psql "select source, entity, value from etl.watermark order by 1, 2" >before &&
	"$SIYU" --config run.conf replay --run 1 --source taobao_csv >out 2>err &&
	grep -q "^taobao_csv *run 1 *ok" out &&
	test_psql "select source, entity, value from etl.watermark order by 1, 2" >after &&
	test_cmp before after
'

test_expect_success 'usage errors exit 2, nothing to replay for a run exits 1' '
	test_expect_code 2 "$SIYU" --config run.conf replay &&
	test_expect_code 2 "$SIYU" --config run.conf replay --run 1 --source taobao_csv --from 2025-01-01 &&
	test_expect_code 2 "$SIYU" --config run.conf replay --from 2025-01-01 &&
	test_expect_code 2 "$SIYU" --config run.conf replay --run abc &&
	test_expect_code 2 "$SIYU" --config run.conf replay --run 1 --source nosuch &&
	test_expect_code 2 "$SIYU" --config run.conf replay --source taobao_csv --from yesterday-ish 2>err &&
	grep -q "bad --from/--until date" err &&
	test_expect_code 1 "$SIYU" --config run.conf replay --run 999 2>err &&
	grep -q "nothing to replay: no configured source has a raw zone directory for run 999" err &&
	"$SIYU" replay --help >help &&
	grep -q "usage: siyu replay" help
'

test_expect_success 'replay takes the warehouse lock: exit 75, nothing recorded' '
	PGAPPNAME=t0410_holder psql -X -q -c "select pg_advisory_lock(hashtextextended(${Q}siyu.run${Q}, 0))" -c "select pg_sleep(30)" >/dev/null 2>&1 &
	holder=$! &&
	# The backend sleeps on after psql is killed: end it, and the lock, from the server.
	test_when_finished "test_psql \"select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${Q}t0410_holder${Q}\" >/dev/null; kill $holder 2>/dev/null; wait $holder 2>/dev/null; true" &&
	for i in $(seq 1 50); do
		test "$(test_psql "select count(*) from pg_locks where locktype = ${Q}advisory${Q} and granted")" = 1 && break
		sleep 0.1
	done &&
	test_psql "select count(*) from etl.run" >before &&
	test_expect_code 75 "$SIYU" --config run.conf replay --run 1 2>err &&
	grep -q "siyu replay: another siyu run holds the warehouse lock" err &&
	test_psql "select count(*) from etl.run" >after && test_cmp before after
'

test_done

#!/usr/bin/env bash
test_description='a warehouse built by the migrations of 467215e (functions and views inside them) upgrades in place to the SQL layout: same schema, data and KPIs as a fresh build of the same data'
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/lib-wecom.sh"

# tests/data/sql-467215e.tar.gz = `git archive 467215e sql/migrations | gzip -n`: the last
# tree whose migrations held the functions and views (sql/README.md).
setup_db
Q="'"
mkdir -p "$TRASH/legacy" && tar -xzf "$TOP/tests/data/sql-467215e.tar.gz" -C "$TRASH/legacy" ||
	die "cannot unpack the 467215e migrations"
fake_start fake "${WECOM_CORP[@]}"

# load DB — the sample exports and the fake WeCom corp, one run each, into database DB
load() {
	local conf=$TRASH/$1.conf
	RAW_DIR=$TRASH/raw-$1 wecom_conf "$conf" fake \
		"[source.taobao_csv]" "type = csv" "path = $TOP/sample/orders-taobao.csv" \
		"[source.youzan_csv]" "type = csv" "path = $TOP/sample/orders-youzan.csv"
	PGDATABASE=$1 "$SIYU" --config "$conf" run >"$TRASH/$1-run.out" 2>&1
}

# kpis DB — every kpi view, materialized view and table, one line each: name, rows, md5 of its rows
# (but kpi.observation: the sources' watermarks, when each load ran)
kpis() {
	PGDATABASE=$1 test_psql "
	DO \$\$ DECLARE v record; line text; BEGIN
	  CREATE TEMP TABLE kpi_lines (line text);
	  FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	            WHERE n.nspname = ${Q}kpi${Q} AND c.relkind IN (${Q}v${Q}, ${Q}m${Q}, ${Q}r${Q})
	              AND c.relname <> ${Q}observation${Q} ORDER BY 1 LOOP
	    EXECUTE format(${Q}SELECT %L || ${Q}${Q}:${Q}${Q} || count(*) || ${Q}${Q}:${Q}${Q} || coalesce(md5(string_agg(r::text, ${Q}${Q},${Q}${Q} ORDER BY r::text)), ${Q}${Q}-${Q}${Q}) FROM kpi.%I r${Q}, v.relname, v.relname) INTO line;
	    INSERT INTO kpi_lines VALUES (line);
	  END LOOP;
	END \$\$;
	SELECT line FROM kpi_lines ORDER BY 1;"
}

# fingerprint — tests/fingerprint.sql without what records when a WeCom run saw something
# (staff first_seen_at, tag valid_from, the snapshot watermark), plus the WeCom tables by
# natural keys (lib-wecom.sh): the same for two loads of the same data at different times
fingerprint() {
	test_fingerprint | grep -v -E "^(dim_staff|bridge_customer_tag|etl.watermark):" &&
	wecom_fingerprint
}

schema() {
	pg_dump -s "$1" | grep -v "^\\\\\\(un\\)\\{0,1\\}restrict "
}

test_expect_success 'a warehouse built and loaded by the migrations of 467215e' '
	"$SIYU" migrate --dir "$TRASH/legacy/sql" >out 2>err &&
	grep -q "^migrations: 28 applied" out &&
	test_psql "drop table etl.schema_script" &&
	# the load runs the binary of this tree, which stores the raw_escaped of rejects
	# (migration 0060) in the transaction of their file: the legacy warehouse has the column
	# while it loads (else the rejects of the sample fail the file), then is as 467215e left it
	test_psql "alter table etl.reject add column raw_escaped boolean not null default false" &&
	# ... and judges the lines of a batch in staging (etl.dedupe_staged_lines, sql/functions/):
	# the legacy warehouse has the function while it loads, then not
	psql -Xq -v ON_ERROR_STOP=1 -f "$TOP/sql/functions/etl.dedupe_staged_lines.sql" >/dev/null &&
	load "$PGDATABASE" &&
	test_psql "drop function etl.dedupe_staged_lines(regclass, regclass)" &&
	test_psql "select count(*) from etl.reject where raw_escaped" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	test_psql "alter table etl.reject drop column raw_escaped" &&
	test_psql "select count(*) > 1000 from dw.fact_order" >actual &&
	test_psql "select count(*) > 0 from dw.fact_contact" >>actual &&
	test_psql "select count(*) > 0 from kpi.growth_daily" >>actual &&
	printf "t\nt\nt\n" >expect && test_cmp expect actual
'

test_expect_success 'migrate upgrades it in place' '
	fingerprint >fingerprint.before &&
	"$SIYU" migrate >out 2>err &&
	n_new=$(ls "$TOP"/sql/migrations/[0-9]*.sql | wc -l) &&
	n_old=$(tar -tzf "$TOP/tests/data/sql-467215e.tar.gz" | grep -c "/[0-9]\{4\}_.*\.sql\$") &&
	n_kept=$(cut -d" " -f4 "$TOP/sql/migrations/legacy.sha256" | wc -l) &&
	grep -q "^migrations: $((n_new - n_kept)) applied, $n_kept already applied" out &&
	test "$n_old" -gt "$n_kept" &&
	fingerprint >fingerprint.after &&
	test_cmp fingerprint.before fingerprint.after &&
	"$SIYU" migrate >out &&
	grep -q "^migrations: 0 applied" out &&
	grep -q "^scripts: 0 applied" out
'

test_expect_success 'a fresh build of the same data has the same schema, fingerprint and KPIs' '
	PGDATABASE=postgres psql -Xq -c "drop database if exists t0120_fresh" -c "create database t0120_fresh" &&
	PGDATABASE=t0120_fresh "$SIYU" migrate >/dev/null 2>&1 &&
	load t0120_fresh &&
	PGDATABASE=t0120_fresh fingerprint >fingerprint.fresh &&
	fingerprint >fingerprint.upgraded &&
	test_cmp fingerprint.fresh fingerprint.upgraded &&
	test_psql "select kpi.refresh()" >/dev/null &&
	kpis t0120_fresh >kpi.fresh &&
	kpis "$PGDATABASE" >kpi.upgraded &&
	test $(wc -l <kpi.fresh) -ge 18 &&
	test_cmp kpi.fresh kpi.upgraded &&
	schema t0120_fresh >schema.fresh &&
	schema "$PGDATABASE" >schema.upgraded &&
	test_cmp schema.fresh schema.upgraded
'

test_expect_success 'the upgraded warehouse loads on: a second run changes nothing' '
	load "$PGDATABASE" &&
	grep -q "^taobao_csv .* ok .*inserted 0, updated 0, unchanged 831" "$TRASH/$PGDATABASE-run.out" &&
	grep -q "^wecom .* ok" "$TRASH/$PGDATABASE-run.out" &&
	fingerprint >fingerprint.again &&
	test_cmp fingerprint.after fingerprint.again
'

test_done

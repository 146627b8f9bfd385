#!/usr/bin/env bash
test_description='siyu migrate: idempotent, checksummed, concurrent-safe; roles and grants'
. "$(dirname "$0")/../lib.sh"

setup_db
Q="'"

test_expect_success 'first migrate applies every migration' '
	"$SIYU" migrate >out 2>err &&
	n=$(ls "$TOP"/sql/migrations/[0-9][0-9][0-9][0-9]_*.sql | wc -l) &&
	echo "migrations: $n applied, 0 already applied" >expect &&
	test_cmp expect out &&
	test_psql "select count(*) from etl.schema_migration" >actual &&
	echo "$n" >expect &&
	test_cmp expect actual
'

test_expect_success 'second migrate changes nothing' '
	test_psql "select string_agg(name || checksum || applied_at, ${Q},${Q} order by name) from etl.schema_migration" >before &&
	"$SIYU" migrate >out &&
	grep -q "^migrations: 0 applied" out &&
	test_psql "select string_agg(name || checksum || applied_at, ${Q},${Q} order by name) from etl.schema_migration" >after &&
	test_cmp before after
'

test_expect_success 'an edited, already-applied migration is an error' '
	mkdir -p mig && cp "$TOP"/sql/migrations/*.sql mig/ &&
	echo "-- edited" >>mig/0002_etl_tables.sql &&
	test_expect_code 1 "$SIYU" migrate --dir mig 2>err &&
	grep -q "applied migration was edited" err &&
	grep -q "0002_etl_tables.sql" err
'

test_expect_success 'a new migration file is applied, and only it' '
	mkdir -p mig2 && cp "$TOP"/sql/migrations/*.sql mig2/ &&
	echo "CREATE TABLE etl.t0100_probe (x int); COMMENT ON TABLE etl.t0100_probe IS ${Q}probe${Q}; COMMENT ON COLUMN etl.t0100_probe.x IS ${Q}x${Q};" >mig2/9999_probe.sql &&
	"$SIYU" migrate --dir mig2 >out &&
	grep -q "^migrations: 1 applied" out &&
	test_psql "select count(*) from etl.t0100_probe" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	test_psql "drop table etl.t0100_probe; delete from etl.schema_migration where name = ${Q}9999_probe.sql${Q}"
'

test_expect_success 'dry run on a fresh database applies nothing' '
	PGDATABASE=postgres psql -Xq -c "create database t0100_dry" &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database t0100_dry\"" &&
	PGDATABASE=t0100_dry "$SIYU" migrate --dry-run >out &&
	grep -q "pending" out &&
	PGDATABASE=t0100_dry test_psql "select count(*) from etl.schema_migration" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'two concurrent migrates on a fresh database do not collide' '
	PGDATABASE=postgres psql -Xq -c "create database t0100_conc" &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database t0100_conc\"" &&
	# both must succeed: the second in the foreground, the first waited for by its pid
	(PGDATABASE=t0100_conc "$SIYU" migrate >out1 2>err1 & p1=$!
	 PGDATABASE=t0100_conc "$SIYU" migrate >out2 2>err2 && wait $p1) &&
	n=$(ls "$TOP"/sql/migrations/[0-9][0-9][0-9][0-9]_*.sql | wc -l) &&
	PGDATABASE=t0100_conc test_psql "select count(*) from etl.schema_migration" >actual &&
	echo "$n" >expect && test_cmp expect actual &&
	cat out1 out2 | grep -c "^migrations:" >count && echo 2 >expect && test_cmp expect count
'

test_expect_success 'bi_reader cannot read rejects or phone hashes' '
	test_must_fail psql -X -q -v ON_ERROR_STOP=1 -c "set role bi_reader" -c "select * from etl.reject" 2>err &&
	grep -q "permission denied" err &&
	test_must_fail psql -X -q -v ON_ERROR_STOP=1 -c "set role bi_reader" -c "select id_value from dw.customer_identity" 2>err &&
	grep -q "permission denied" err &&
	psql -X -q -v ON_ERROR_STOP=1 -c "set role bi_reader" -c "select display_value from dw.customer_identity" -c "select count(*) from dw.fact_order" >/dev/null
'

# A table left out of a fingerprint is a table no "same warehouse" test compares.
test_expect_success 'the fingerprints cover every dw table (but the calendar)' '
	test_psql "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = ${Q}dw${Q} and c.relkind in (${Q}r${Q}, ${Q}p${Q}) and not c.relispartition
		  and c.relname <> ${Q}dim_date${Q} order by 1" >tables &&
	test "$(wc -l <tables)" -ge 18 &&
	test_fingerprint | cut -d: -f1 | grep -v "^etl\\." | sort >covered &&
	test_cmp tables covered &&
	# the WeCom fingerprint: every table the WeCom source writes
	. "$TOP/tests/integration/lib-wecom.sh" &&
	wecom_fingerprint | cut -d"|" -f1 | sort >wecom.covered &&
	printf "%s\n" bridge_customer_tag customer_identity customer_merge dim_customer dim_group \
		dim_staff dim_tag fact_contact fact_contact_event fact_group_daily fact_group_member \
		fact_staff_daily snapshot wecom_customer >expect &&
	test_cmp expect wecom.covered
'

test_expect_success 'every table, view and column carries a comment' '
	test_psql "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname in (${Q}etl${Q}, ${Q}dw${Q}, ${Q}kpi${Q}) and c.relkind in (${Q}r${Q}, ${Q}p${Q}, ${Q}v${Q}, ${Q}m${Q})
		and not c.relispartition and obj_description(c.oid, ${Q}pg_class${Q}) is null" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_done

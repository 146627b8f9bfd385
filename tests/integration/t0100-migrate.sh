#!/usr/bin/env bash
test_description='siyu migrate: idempotent, checksummed, concurrent-safe; repeatable scripts; roles and grants'
. "$(dirname "$0")/../lib.sh"

setup_db
Q="'"
n_migrations=$(ls "$TOP"/sql/migrations/[0-9][0-9][0-9][0-9]_*.sql | wc -l)
n_scripts=$(ls "$TOP"/sql/functions/*.sql "$TOP"/sql/views/*.sql "$TOP"/sql/kpi/*.sql | wc -l)

# sql_copy DIR — a copy of the SQL tree to edit
sql_copy() {
	rm -rf "$1" && mkdir -p "$1" &&
	cp -R "$TOP"/sql/migrations "$TOP"/sql/functions "$TOP"/sql/views "$TOP"/sql/kpi "$1"/
}

# fresh_db NAME — an empty database NAME, dropped when the test ends
fresh_db() {
	PGDATABASE=postgres psql -Xq -c "drop database if exists $1" -c "create database $1"
}

records() {
	test_psql "select string_agg(name || checksum || applied_at, ${Q},${Q} order by name) from $1"
}

test_expect_success 'first migrate applies every migration and script' '
	"$SIYU" migrate >out 2>err &&
	printf "migrations: %d applied, 0 already applied\nscripts: %d applied, 0 unchanged\n" \
		"$n_migrations" "$n_scripts" >expect &&
	test_cmp expect out &&
	test_psql "select (select count(*) from etl.schema_migration) || ${Q} ${Q} || (select count(*) from etl.schema_script)" >actual &&
	echo "$n_migrations $n_scripts" >expect &&
	test_cmp expect actual
'

test_expect_success 'second migrate changes nothing' '
	records etl.schema_migration >before && records etl.schema_script >>before &&
	"$SIYU" migrate >out &&
	grep -q "^migrations: 0 applied" out &&
	grep -q "^scripts: 0 applied, $n_scripts unchanged" out &&
	records etl.schema_migration >after && records etl.schema_script >>after &&
	test_cmp before after
'

test_expect_success 'an edited, already-applied migration is an error' '
	sql_copy sql &&
	echo "-- edited" >>sql/migrations/0002_etl_tables.sql &&
	test_expect_code 1 "$SIYU" migrate --dir sql 2>err &&
	grep -q "applied migration was edited" err &&
	grep -q "0002_etl_tables.sql" err
'

test_expect_success 'a migration recorded with its 467215e checksum counts as applied while unchanged since' '
	sql_copy sql &&
	legacy=$(sed -n "s/ .*  0020_wecom_load.sql\$//p" sql/migrations/legacy.sha256) &&
	test -n "$legacy" &&
	sha256sum sql/migrations/0020_wecom_load.sql >sum &&
	assert_no_grep "^$legacy" sum &&
	test_when_finished "test_psql \"update etl.schema_migration set checksum = ${Q}$(sha256sum <sql/migrations/0020_wecom_load.sql | cut -c1-64)${Q} where name = ${Q}0020_wecom_load.sql${Q}\"" &&
	test_psql "update etl.schema_migration set checksum = ${Q}$legacy${Q} where name = ${Q}0020_wecom_load.sql${Q}" &&
	"$SIYU" migrate --dir sql >out &&
	grep -q "^migrations: 0 applied" out &&
	echo "-- edited" >>sql/migrations/0020_wecom_load.sql &&
	test_expect_code 1 "$SIYU" migrate --dir sql 2>err &&
	grep -q "applied migration was edited.*0020_wecom_load.sql" err &&
	sql_copy sql &&
	test_psql "update etl.schema_migration set checksum = ${Q}0$(echo "$legacy" | cut -c2-)${Q} where name = ${Q}0020_wecom_load.sql${Q}" &&
	test_expect_code 1 "$SIYU" migrate --dir sql 2>err &&
	grep -q "applied migration was edited.*0020_wecom_load.sql" err
'

test_expect_success 'a new migration file is applied, and only it' '
	sql_copy sql &&
	echo "CREATE TABLE etl.t0100_probe (x int); COMMENT ON TABLE etl.t0100_probe IS ${Q}probe${Q}; COMMENT ON COLUMN etl.t0100_probe.x IS ${Q}x${Q};" >sql/migrations/9999_probe.sql &&
	"$SIYU" migrate --dir sql >out &&
	grep -q "^migrations: 1 applied" out &&
	grep -q "^scripts: 0 applied" out &&
	test_psql "select count(*) from etl.t0100_probe" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	test_psql "drop table etl.t0100_probe; delete from etl.schema_migration where name = ${Q}9999_probe.sql${Q}"
'

test_expect_success 'an edited function is applied again, and only it' '
	sql_copy sql &&
	sed -i "s/Earliest WeCom relationship add of a customer/Earliest WeCom add of a customer (t0100)/" \
		sql/functions/dw.first_contact_of.sql &&
	"$SIYU" migrate --dir sql >out 2>err &&
	grep -q "^migrations: 0 applied" out &&
	grep -q "^scripts: 1 applied" out &&
	grep -q "script applied.*functions/dw.first_contact_of.sql" err &&
	test_psql "select obj_description(${Q}dw.first_contact_of(bigint)${Q}::regprocedure)" >actual &&
	grep -q "(t0100)" actual &&
	"$SIYU" migrate >out &&
	grep -q "^scripts: 1 applied" out
'

test_expect_success 'an edited materialized view is created again with its data, and what requires it too' '
	test_psql "insert into dw.dim_staff (userid) values (${Q}t0100${Q}) returning staff_key" >staff &&
	test_psql "insert into dw.dim_customer (first_seen_at) values (now()) returning customer_key" >customer &&
	test_psql "insert into dw.fact_contact (staff_key, customer_key, added_at) values ($(cat staff), $(cat customer), now() - interval ${Q}2 days${Q})" &&
	test_psql "select kpi.refresh()" >/dev/null &&
	sql_copy sql &&
	echo "-- edited by t0100" >>sql/kpi/relationship_span.sql &&
	"$SIYU" migrate --dir sql >out 2>err &&
	grep -q "script applied.*kpi/relationship_span.sql" err &&
	grep -q "script applied.*kpi/pool_membership.sql" err &&
	test_psql "select count(*) from kpi.relationship_span" >actual &&
	echo 1 >expect && test_cmp expect actual &&
	test_psql "select count(*) from kpi.pool_membership where dimension = ${Q}total${Q}" >actual &&
	test_cmp expect actual &&
	test_psql "select count(*) from etl.schema_script" >actual &&
	echo "$n_scripts" >expect && test_cmp expect actual &&
	"$SIYU" migrate >out 2>err &&
	grep -q "script applied.*kpi/pool_membership.sql" err
'

test_expect_success 'killed after a script, the next migrate still applies the scripts that require it' '
	sql_copy sql &&
	echo "-- edited by t0100 again" >>sql/kpi/relationship_span.sql &&
	{ SIYU_DEBUG_ABORT_AT=script "$SIYU" migrate --dir sql >out 2>err; echo $? >rc; } &&
	echo 137 >expect && test_cmp expect rc &&
	test_psql "select count(*) from etl.schema_script where name = ${Q}kpi/pool_membership.sql${Q}" >actual &&
	echo 0 >expect && test_cmp expect actual &&
	test_psql "select count(*) from pg_matviews where matviewname = ${Q}pool_membership${Q}" >actual &&
	test_cmp expect actual &&
	"$SIYU" migrate --dir sql >out 2>err &&
	grep -q "script applied.*kpi/pool_membership.sql" err &&
	! grep -q "script applied.*kpi/relationship_span.sql" err &&
	test_psql "select count(*) from kpi.pool_membership where dimension = ${Q}total${Q}" >actual &&
	echo 1 >expect && test_cmp expect actual &&
	"$SIYU" migrate >/dev/null 2>&1 &&
	test_psql "delete from dw.fact_contact; delete from dw.dim_customer; delete from dw.dim_staff; select kpi.refresh()" >/dev/null
'

test_expect_success 'a migration gets the scripts it requires before it runs, on a fresh database' '
	sql_copy sql &&
	fresh_db t0100_req &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database t0100_req\"" &&
	cat >sql/functions/etl.t0100_answer.sql <<-EOF &&
	CREATE OR REPLACE FUNCTION etl.t0100_answer() RETURNS int LANGUAGE sql AS \$\$ SELECT 42 \$\$;
	COMMENT ON FUNCTION etl.t0100_answer() IS ${Q}t0100${Q};
	EOF
	printf "%s\n" "-- requires: functions/etl.t0100_answer.sql" \
		"CREATE TABLE etl.t0100_req AS SELECT etl.t0100_answer() AS x;" >sql/migrations/0006_t0100_req.sql &&
	PGDATABASE=t0100_req "$SIYU" migrate --dir sql >out 2>err &&
	PGDATABASE=t0100_req test_psql "select x from etl.t0100_req" >actual &&
	echo 42 >expect && test_cmp expect actual &&
	grep -n "t0100" err | cut -d: -f1 >lines &&
	test "$(sed -n 1p lines)" -lt "$(sed -n 2p lines)" &&
	sed -i 1d sql/migrations/0006_t0100_req.sql &&
	fresh_db t0100_req &&
	test_expect_code 1 env PGDATABASE=t0100_req "$SIYU" migrate --dir sql 2>err &&
	grep -q "etl.t0100_answer() does not exist" err
'

test_expect_success 'requires naming no script, or a cycle, is an error naming the file' '
	sql_copy sql &&
	sed -i "1a -- requires: kpi/no_such_view.sql" sql/kpi/growth_daily.sql &&
	test_expect_code 1 "$SIYU" migrate --dir sql 2>err &&
	grep -q "requires a script that does not exist.*file=kpi/growth_daily.sql script=kpi/no_such_view.sql" err &&
	sql_copy sql &&
	sed -i "1a -- requires: kpi/growth_daily.sql" sql/kpi/pool_membership.sql &&
	test_expect_code 1 "$SIYU" migrate --dir sql 2>err &&
	grep -q "scripts require each other in a cycle" err
'

test_expect_success 'an applied script whose file is gone is reported' '
	test_psql "insert into etl.schema_script (name, checksum) values (${Q}functions/etl.gone.sql${Q}, ${Q}x${Q})" &&
	test_when_finished "test_psql \"delete from etl.schema_script where name = ${Q}functions/etl.gone.sql${Q}\"" &&
	"$SIYU" migrate >out 2>err &&
	grep -q "level=warn.*no file any more.*functions/etl.gone.sql" err
'

test_expect_success 'dry run on a fresh database applies nothing' '
	fresh_db t0100_dry &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database t0100_dry\"" &&
	PGDATABASE=t0100_dry "$SIYU" migrate --dry-run >out &&
	grep -q "^migrations: $n_migrations pending" out &&
	grep -q "^scripts: $n_scripts pending" out &&
	PGDATABASE=t0100_dry test_psql "select (select count(*) from etl.schema_migration) + (select count(*) from etl.schema_script)" >actual &&
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'two concurrent migrates on a fresh database do not collide' '
	fresh_db t0100_conc &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database t0100_conc\"" &&
	# both must succeed: the second in the foreground, the first waited for by its pid
	(PGDATABASE=t0100_conc "$SIYU" migrate >out1 2>err1 & p1=$!
	 PGDATABASE=t0100_conc "$SIYU" migrate >out2 2>err2 && wait $p1) &&
	PGDATABASE=t0100_conc test_psql "select count(*) from etl.schema_migration" >actual &&
	echo "$n_migrations" >expect && test_cmp expect actual &&
	cat out1 out2 | grep -c "^migrations:" >count && echo 2 >expect && test_cmp expect count
'

test_expect_success 'bi_reader cannot read rejects or phone hashes' '
	test_must_fail psql -X -q -v ON_ERROR_STOP=1 -c "set role bi_reader" -c "select * from etl.reject" 2>err &&
	grep -q "permission denied" err &&
	test_must_fail psql -X -q -v ON_ERROR_STOP=1 -c "set role bi_reader" -c "select id_value from dw.customer_identity" 2>err &&
	grep -q "permission denied" err &&
	psql -X -q -v ON_ERROR_STOP=1 -c "set role bi_reader" -c "select display_value from dw.customer_identity" -c "select count(*) from dw.fact_order" -c "select count(*) from kpi.pool_membership" >/dev/null
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

# coll_db NAME COLLATION — an empty database NAME of that collation (ctype C.UTF-8)
coll_db() {
	PGDATABASE=postgres psql -Xq -v ON_ERROR_STOP=1 -c "drop database if exists $1" \
		-c "create database $1 template template0 encoding ${Q}UTF8${Q} lc_collate ${Q}$2${Q} lc_ctype ${Q}C.UTF-8${Q}"
}

test_expect_success 'a database whose collation is not C: the migrate that applies something says so, once' '
	coll_db t0100_coll C.UTF-8 &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database if exists t0100_coll\"" &&
	PGDATABASE=t0100_coll "$SIYU" migrate >out 2>err &&
	grep "collation is not C" err >said &&
	test "$(wc -l <said)" -eq 1 &&
	grep -q "collation=C.UTF-8" said &&
	PGDATABASE=t0100_coll "$SIYU" migrate >out 2>err &&
	assert_no_grep "collation" err
'

test_expect_success 'a database of collation C: nothing said' '
	coll_db t0100_collc C &&
	test_when_finished "PGDATABASE=postgres psql -Xq -c \"drop database if exists t0100_collc\"" &&
	PGDATABASE=t0100_collc "$SIYU" migrate >out 2>err &&
	grep -q "^migrations: [1-9]" out &&
	assert_no_grep "collation" err
'

test_done

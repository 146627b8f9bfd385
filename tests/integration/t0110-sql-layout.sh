#!/usr/bin/env bash
test_description='sql/ layout: every function and view defined once, in its own script, none in a migration; no body repeated; views require what they read'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
Q="'"

# definitions FOLDER... — "file name" for every function, view, materialized view and
# trigger a file of the folders creates (the role-playing date views are made in a loop:
# their one CREATE counts)
definitions() {
	(cd "$TOP/sql" && for d in "$@"; do echo "$d"/*.sql; done |
		{ xargs grep -H -oiE "^\s*CREATE (OR REPLACE )?(FUNCTION|VIEW|MATERIALIZED VIEW|TRIGGER) +[a-z_]+(\.[a-z_0-9%]+)?" ||
		  test $? = 123; } |   # xargs: 123 when grep found nothing in some batch
		sed -E "s/:\s*CREATE (OR REPLACE )?(FUNCTION|VIEW|MATERIALIZED VIEW|TRIGGER) +/ /I" |
		tr "[:upper:]" "[:lower:]" | sort -u)
}

test_expect_success 'no migration creates a function, view or trigger' '
	definitions migrations >actual &&
	test_cmp /dev/null actual
'

test_expect_success 'each function, view or trigger is created in one file only' '
	definitions functions views kpi | cut -d" " -f2 | sort | uniq -d >actual &&
	test_cmp /dev/null actual
'

test_expect_success 'a function script is named after its function' '
	definitions functions | grep -v " [a-z_]*$" |
		awk "{ f = \$1; sub(/^functions\//, \"\", f); sub(/\.sql\$/, \"\", f); if (f != \$2) print }" >actual &&
	test_cmp /dev/null actual
'

# No two functions or views of the migrated warehouse have the same body: a copy under
# another name would pass the checks above. The role-playing date views are one
# definition (views/dw.role_playing_dates.sql) and count once.
test_expect_success 'no function or view body is repeated' '
	test_psql "
	WITH body AS (
	    SELECT p.oid::regprocedure::text AS name, regexp_replace(p.prosrc, ${Q}\s+${Q}, ${Q} ${Q}, ${Q}g${Q}) AS text
	      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	     WHERE n.nspname IN (${Q}etl${Q}, ${Q}dw${Q}, ${Q}kpi${Q}) AND length(p.prosrc) > 80
	    UNION ALL
	    SELECT c.oid::regclass::text, regexp_replace(pg_get_viewdef(c.oid), ${Q}\s+${Q}, ${Q} ${Q}, ${Q}g${Q})
	      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	     WHERE n.nspname IN (${Q}dw${Q}, ${Q}kpi${Q}) AND c.relkind IN (${Q}v${Q}, ${Q}m${Q})
	       AND c.relname NOT IN (${Q}dim_paid_date${Q}, ${Q}dim_added_date${Q}))
	SELECT string_agg(name, ${Q} = ${Q} ORDER BY name) FROM body GROUP BY text HAVING count(*) > 1" >actual &&
	test_cmp /dev/null actual
'

# Every view and materialized view that reads another one (pg_depend through its rewrite
# rule) is in a script that requires the reader's script, directly or not: a DROP ...
# CASCADE of what it reads drops it too, and migrate must apply it again (sql/README.md).
test_expect_success 'every view requires the scripts of the views it reads' '
	(cd "$TOP/sql" && for f in functions/*.sql views/*.sql kpi/*.sql; do
		sed -n "s/^-- *requires://p" "$f" | tr ", " "\n\n" | sed "/^\$/d; s|^|$f,|"
	done) >requires.csv &&
	(cd "$TOP/sql" && grep -oE "^CREATE (OR REPLACE )?(MATERIALIZED )?VIEW (kpi|dw)\.[a-z_0-9]+" kpi/*.sql views/*.sql) |
		sed -E "s/:CREATE (OR REPLACE )?(MATERIALIZED )?VIEW /,/" >defines.csv &&
	test -s defines.csv &&
	psql -XAtq -v ON_ERROR_STOP=1 >actual <<-EOF &&
	CREATE TEMP TABLE req (file text, needs text);
	CREATE TEMP TABLE def (file text, rel text);
	\\copy req FROM requires.csv (FORMAT csv)
	\\copy def FROM defines.csv (FORMAT csv)
	WITH RECURSIVE closure (file, needs) AS (
	    SELECT file, needs FROM req
	    UNION
	    SELECT c.file, r.needs FROM closure c JOIN req r ON r.file = c.needs
	), reads AS (
	    SELECT DISTINCT r.ev_class::regclass::text AS reader, d.refobjid::regclass::text AS read
	      FROM pg_rewrite r
	      JOIN pg_depend d ON d.classid = ${Q}pg_rewrite${Q}::regclass AND d.objid = r.oid
	                      AND d.refclassid = ${Q}pg_class${Q}::regclass AND d.refobjid <> r.ev_class
	      JOIN pg_class c ON c.oid = d.refobjid AND c.relkind IN (${Q}v${Q}, ${Q}m${Q})
	      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname IN (${Q}kpi${Q}, ${Q}dw${Q})
	)
	SELECT x.reader || ${Q} (${Q} || coalesce(a.file, ${Q}?${Q}) || ${Q}) reads ${Q} || x.read
	       || ${Q} (${Q} || coalesce(b.file, ${Q}?${Q}) || ${Q}) without requiring it${Q}
	  FROM reads x
	  LEFT JOIN def a ON a.rel = x.reader
	  LEFT JOIN def b ON b.rel = x.read
	 WHERE a.file IS DISTINCT FROM b.file
	   AND NOT EXISTS (SELECT 1 FROM closure c WHERE c.file = a.file AND c.needs = b.file)
	 ORDER BY 1;
	EOF
	test_cmp /dev/null actual
'

test_done

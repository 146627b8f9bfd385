#!/usr/bin/env bash
test_description='docs/warehouse.md is what `make docs` generates from the COMMENT ON text of the schema today'
. "$(dirname "$0")/../lib.sh"

setup_db
SQ="'"
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
psql -X -A -t -q -f "$TOP/scripts/warehouse-doc.sql" >"$TRASH/warehouse.md" 2>"$TRASH/gen.err" ||
	die "scripts/warehouse-doc.sql failed: $(cat "$TRASH/gen.err")"

test_expect_success 'docs/warehouse.md is up to date (else: make docs)' '
	diff -u "$TOP/docs/warehouse.md" warehouse.md >diff ||
		{ echo "docs/warehouse.md is out of date: run make docs"; head -60 diff; exit 1; }
'

test_expect_success 'every dw and kpi table and view is there, every column and table with a comment' '
	test_psql "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname in ($(printf "%s" "${SQ}dw${SQ}, ${SQ}kpi${SQ}")) and c.relkind in (${SQ}r${SQ}, ${SQ}p${SQ}, ${SQ}v${SQ}, ${SQ}m${SQ})
		and not c.relispartition" >expect &&
	grep -c "^## \`" warehouse.md >actual &&
	test_cmp expect actual &&
	test_must_fail grep -n "|  |$" warehouse.md &&
	awk "/^## \`/ { name = \$0; want = NR + 4 }
		NR == want && (/^Keys:/ || /^\| column/) { print \"no comment: \" name; bad = 1 }
		END { exit bad }" warehouse.md
'

test_done

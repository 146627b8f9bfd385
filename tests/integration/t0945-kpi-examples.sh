#!/usr/bin/env bash
test_description='docs/kpi.md: every worked example is followed by its query and the figures it quotes, and on the pinned demo (make demo with the DEMO_END the page names) each query answers exactly those figures'
. "$(dirname "$0")/../lib.sh"

DOC=$TOP/docs/kpi.md

# The pinned day: the page's own reproduction command, DEMO_END=YYYY-MM-DD.
end=$(sed -n 's/.*`DEMO_END=\([0-9-]*\) DEMO_KEEP=1 make demo`.*/\1/p' "$DOC" | head -n 1)
[ -n "$end" ] || die "docs/kpi.md names no DEMO_END=YYYY-MM-DD DEMO_KEEP=1 make demo"

# The demo itself, as make demo runs it, on this build and in this test's directory; its
# cluster is kept (DEMO_KEEP) for the queries and stopped at the end.
test_atexit "'$TOP/scripts/pg.sh' stop '$TRASH/demo/demo-pg' >/dev/null 2>&1 || true"
DEMO_END=$end DEMO_KEEP=1 DEMO_VAR=$TRASH/demo DEMO_SIYU=$SIYU DEMO_FAKES=$SIYU_FAKES \
	bash "$TOP/scripts/demo.sh" >demo.out 2>&1 || die "the pinned demo failed: $(tail -n 20 demo.out)"
eval "$("$TOP/scripts/pg.sh" env "$TRASH/demo/demo-pg")"
export PGDATABASE=siyu

# Each ```sql example block: the query in exNN.sql, its "--> " lines (the expected rows,
# psql -XAt: columns joined by |) in exNN.expect; the example's name (the section) in exNN.name.
awk '/^## / { section = substr($0, 4) }
     /^```sql example$/ { n++; f = sprintf("ex%02d", n); print section > (f ".name"); printf "" > (f ".expect"); on = 1; next }
     /^```$/ { on = 0 }
     on && /^--> / { print substr($0, 5) > (f ".expect"); next }
     on { print > (f ".sql") }' "$DOC"

test_expect_success 'every "Example (demo…" has its query block, and there is one per KPI' '
	grep -c "^Example (demo" "$DOC" >expect &&
	ls ex*.sql | wc -l >actual &&
	test_cmp expect actual &&
	test "$(cat actual)" -ge 15
'

for q in ex*.sql; do
	ex=${q%.sql}
	test_expect_success "$ex ($(cat "$ex.name")): the query answers the quoted figures" "
		test -s $ex.expect &&
		psql -XAtq -v ON_ERROR_STOP=1 -f $q >actual.$ex &&
		test_cmp $ex.expect actual.$ex
	"
done

test_done

#!/usr/bin/env bash
test_description='docs/kpi.md, the KPI dictionary, quotes the COMMENT ON of every column it defines, names only kpi objects that exist, and covers every KPI operators ask for'
. "$(dirname "$0")/../lib.sh"

setup_db
"$SIYU" migrate >/dev/null 2>&1 || die "migrate failed"
DOC=$TOP/docs/kpi.md

# The dictionary's quotes (file quotes: relation, column, text, tab-separated) that differ
# from the database's COMMENT ON COLUMN, one line each.
cat >"$TRASH/differ.sql" <<\SQL
CREATE TEMP TABLE quote (rel text, col text, txt text);
\copy quote FROM quotes (FORMAT csv, DELIMITER E'\t', QUOTE E'\x01')
SELECT q.rel || '.' || q.col || ': the dictionary says "' || q.txt || '", the database "'
       || coalesce(col_description(a.attrelid, a.attnum), '(no such column)') || '"'
  FROM quote q
  LEFT JOIN pg_attribute a ON a.attrelid = to_regclass(q.rel) AND a.attname = q.col AND NOT a.attisdropped
 WHERE col_description(a.attrelid, a.attnum) IS DISTINCT FROM q.txt;
SQL

# Whether each kpi name exists as a relation or a function: "name t" lines.
cat >"$TRASH/exists.sql" <<\SQL
CREATE TEMP TABLE named (name text);
\copy named FROM named
SELECT name || ' ' || (to_regclass(name) IS NOT NULL
                       OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                                   WHERE n.nspname || '.' || p.proname = name))
  FROM named ORDER BY name;
SQL

test_expect_success 'every quoted column comment is the one in the database' '
	sed -n "s/^> \`\(kpi\.[a-z_0-9]*\)\.\([a-z_0-9]*\)\` — \(.*\)\$/\1	\2	\3/p" "$DOC" >quotes &&
	test "$(wc -l <quotes)" -ge 40 &&
	psql -XAtq -v ON_ERROR_STOP=1 -f "$TRASH/differ.sql" >actual &&
	test_cmp /dev/null actual
'

# (kpi.growth_* names a family: not checked)
test_expect_success 'every kpi view, matview or function the dictionary names exists' '
	grep -oE "\`kpi\.[a-z_0-9]*[a-z0-9][\`(]" "$DOC" | sed "s/^.//; s/.\$//" | sort -u >named &&
	test "$(wc -l <named)" -ge 20 &&
	psql -XAtq -v ON_ERROR_STOP=1 -f "$TRASH/exists.sql" >actual &&
	sed "s/\$/ true/" named >expect &&
	test_cmp expect actual
'

test_expect_success 'every KPI operators name has an entry' '
	for name in 新增客户 流失 净增 活跃 留存率 互动率 发言率 回复率 首次回复时长 转化率 复购率 "复购率 30/60/90" 回购率 客单价 LTV RFM; do
		grep -q "^## .*$name" "$DOC" || echo "missing: $name"
	done >actual &&
	test_cmp /dev/null actual
'

test_done

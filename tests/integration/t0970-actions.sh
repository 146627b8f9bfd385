#!/usr/bin/env bash
test_description='action lists: [actions] and [audience.NAME] written by migrate and run, siyu export care|at-risk|audience as CSV (exact bytes) and .xlsx, per staff member, phones masked, errors'
. "$(dirname "$0")/../lib.sh"

setup_db

# conf [LINE...] — a configuration with no sources: [actions] and an audience, then LINEs
conf() {
	printf '%s\n' "[run]" "timezone = Asia/Shanghai" "raw_dir = $TRASH/raw" \
		"[actions]" "care_steps = 1, 7,15" \
		"[audience.tmall_a]" "title = 天猫A类未进群" "platform = taobao" "tag = A类" "in_group = never" "$@"
}
conf >"$TRASH/t.conf"
export SIYU_CONFIG=$TRASH/t.conf

test_expect_success 'siyu migrate writes [actions] and the audiences into the warehouse' '
	"$SIYU" migrate >out 2>err &&
	assert_sql "SELECT value FROM etl.setting WHERE key = '\''care_steps'\''" "1,7,15" &&
	assert_sql "SELECT name, title, platforms, tags, in_group, defined_at FROM etl.audience" \
		"tmall_a|天猫A类未进群|{taobao}|{A类}|never|$TRASH/t.conf:6"
'

# the hand-built warehouse of the pgTAP tests (tests/sql/400_actions_fixture.psql)
test_expect_success 'load the fixture' '
	(cd "$TOP/tests/sql" && psql -Xq -v ON_ERROR_STOP=1 -f 400_actions_fixture.psql) >/dev/null &&
	test_psql "SELECT count(*) FROM kpi.refresh()" >/dev/null
'

test_expect_success 'export care: the list of a date as CSV with a BOM on stdout, the phone in a remark masked' '
	"$SIYU" export care --date 2026-02-01 >care.csv 2>err &&
	printf "\357\273\277" >expect &&
	printf "%s\r\n" \
		"员工账号,员工,客户external_userid,客户昵称,备注名,关怀节点,状态,动作,企微关系,所在群,首单号,首单店铺,首单日期,首单实付(元),复购日期,客户编号" \
		"zhao,赵一,wmA1,王小花,王女士 139****5678,首购后第1天,待关怀,关怀,正常,老客福利群,NO101,山野天猫旗舰店,2026-01-31,99.00,,1" \
		"zhao,赵一,wmA2,李雷,李先生,首购后第1天,待关怀,重新添加好友,客户已删除员工,,NO201,山野天猫旗舰店,2026-01-31,50.00,,2" >>expect &&
	assert_cmp expect care.csv &&
	assert_no_grep 13912345678 care.csv
'

test_expect_success 'the steps come from [actions] care_steps: day 15 done (bought again), day 1 of A4 outside WeCom' '
	"$SIYU" export care --date 2026-02-15 | cut -d, -f1,4,6-9 | tail -n +2 | tr -d "\r" >actual &&
	printf "%s\n" "zhao,王小花,首购后第15天,待关怀,关怀,正常" "zhao,李雷,首购后第15天,已复购,无需,客户已删除员工" \
		",,首购后第1天,待关怀,邀请添加企微,未加企微" >expect &&
	assert_cmp expect actual
'

test_expect_success 'a care list after the end of observation of the orders comes with a warning' '
	"$SIYU" export care --date 2026-02-15 >/dev/null 2>err &&
	assert_no_grep "observed only" err &&
	"$SIYU" export care --date 2099-01-01 >care.csv 2>err &&
	assert_grep "warning: the orders are observed only up to 20[0-9-]* [0-9:]* (kpi.end_of_observation): the care list of 2099-01-01 misses the first purchases and repurchases after it" err
'

test_expect_success 'export care --split-by-staff --out X.xlsx: one workbook per owner, and one for customers outside WeCom' '
	mkdir -p files &&
	"$SIYU" export care --date 2026-02-15 --split-by-staff --out files/关怀.xlsx >summary 2>err &&
	printf "%s\t%s\n" files/关怀-zhao.xlsx 2 files/关怀-unassigned.xlsx 1 >expect &&
	echo "care 2026-02-15: 3 rows in 2 files" >>expect &&
	assert_cmp expect summary &&
	ls files >list && printf "%s\n" 关怀-unassigned.xlsx 关怀-zhao.xlsx >expect && assert_cmp expect list &&
	test "$(head -c 2 files/关怀-zhao.xlsx)" = PK
'

test_expect_success 'export at-risk and an audience (as of the last refresh)' '
	"$SIYU" export at-risk --out risk.csv >summary &&
	assert_grep "^at-risk: [0-9]* rows in 1 file$" summary &&
	assert_grep "^zhao,赵一,wmA1,王小花,王女士 139\*\*\*\*5678,[0-9]* 天未购，超过常规间隔" risk.csv &&
	test_psql "UPDATE etl.audience SET in_group = '\''any'\'', first_order_month = NULL" &&
	test_psql "SELECT count(*) FROM kpi.refresh()" >/dev/null &&
	"$SIYU" export audience tmall_a | cut -d, -f1,3,6 | tr -d "\r" >actual &&
	printf "\357\273\277%s\n" "员工账号,客户external_userid,人群" >expect &&
	printf "%s\n" "qian,wmA6,tmall_a" "zhao,wmA1,tmall_a" "zhao,wmA7,tmall_a" >>expect &&
	assert_cmp expect actual
'

test_expect_success 'a changed audience in the configuration takes effect at the next siyu run' '
	conf "min_orders = 2" >"$TRASH/t.conf" &&
	"$SIYU" run >out 2>err &&
	assert_sql "SELECT min_orders, in_group FROM etl.audience" "2|never" &&
	assert_sql "SELECT count(*) FROM kpi.audience_members WHERE audience = '\''tmall_a'\''" 0 &&
	conf "in_group = no" | grep -v "^in_group = never" >"$TRASH/t.conf" &&
	"$SIYU" run >out 2>err &&
	assert_sql "SELECT string_agg(customer_key::text, '\'','\'' ORDER BY customer_key) FROM kpi.audience_members" "6,7"
'

test_expect_success 'an audience no longer configured is deleted; definitions unchanged keep their time' '
	test_psql "SELECT updated_at FROM etl.audience" >before &&
	"$SIYU" migrate >out 2>&1 &&
	test_psql "SELECT updated_at FROM etl.audience" >after && assert_cmp before after &&
	printf "%s\n" "[run]" "timezone = Asia/Shanghai" "[audience.other]" "min_orders = 1" >"$TRASH/t.conf" &&
	"$SIYU" migrate >out 2>&1 &&
	assert_sql "SELECT string_agg(name, '\'','\'') FROM etl.audience" other &&
	assert_sql "SELECT value FROM etl.setting WHERE key = '\''care_steps'\''" "1,3,7,15,30"
'

test_expect_success 'usage errors exit 2 and say why' '
	assert_exit 2 "$SIYU" export nothing &&
	assert_exit 2 "$SIYU" export at-risk --date 2026-02-01 2>err &&
	assert_grep "date is for the care list" err &&
	assert_exit 2 "$SIYU" export care --out care.txt 2>err &&
	assert_grep "must end in .csv or .xlsx" err &&
	assert_exit 2 "$SIYU" export care --split-by-staff 2>err &&
	assert_grep "give --out FILE.csv or FILE.xlsx" err &&
	assert_exit 2 "$SIYU" export care --date 2026-02-30 2>err &&
	assert_grep "not a date" err &&
	assert_exit 2 "$SIYU" export audience nope 2>err &&
	assert_grep "no audience .nope. in the warehouse (defined: other)" err &&
	assert_exit 2 "$SIYU" export audience 2>err
'

test_expect_success 'a configuration error names the file and line' '
	printf "%s\n" "[actions]" "" "[audience.x]" "in_group = maybe" >bad.conf &&
	assert_exit 2 "$SIYU" --config bad.conf migrate 2>err &&
	assert_grep "bad.conf:4: bad value .maybe. for .in_group. in \[audience.x\]: expected one of any|yes|no|never" err
'

test_done

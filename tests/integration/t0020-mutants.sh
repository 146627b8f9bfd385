#!/usr/bin/env bash
# shellcheck disable=SC2016  # test bodies are single-quoted: they expand when they run
test_description='scripts/mutants.sh: a mutant applies exactly where its anchor is, and fails loudly when the anchor moved or its tests are gone'
. "$(dirname "$0")/../lib.sh"

MUT=$TOP/scripts/mutants.sh
export MUT

# A tree of one file and a list of mutants against it (MUTANTS_DIR).
mkdir -p tree/src list
printf 'int f(int x)\n{\n\treturn x + 1;\n}\n\nint g(int x)\n{\n\treturn x * 2;\n}\n' >tree/src/a.c
cp -r tree pristine
mutant() { # mutant NAME FILE TESTS ORIGINAL MUTANT
	printf '# %s\nfile: %s\ntests: %s\n--- original\n%s--- mutant\n%s' "$1" "$2" "$3" "$4" "$5" >"list/$1.mutant"
}
mutant plus-minus src/a.c integration:t0020 $'\treturn x + 1;\n' $'\treturn x - 1;\n'
mutant no-body src/a.c integration:t0020 $'\treturn x * 2;\n' ''
mutant twice src/a.c integration:t0020 $'(int x)\n' $'(long x)\n'
mutant moved src/a.c integration:t0020 $'\treturn x + 2;\n' $'\treturn x;\n'
mutant gone-file src/b.c integration:t0020 $'x\n' $'y\n'

test_expect_success 'apply replaces the anchor text, exactly' '
	cp -r pristine t1 &&
	MUTANTS_DIR=$TRASH/list "$MUT" apply plus-minus t1 &&
	sed "s/x + 1/x - 1/" pristine/src/a.c >expect &&
	test_cmp expect t1/src/a.c &&
	cp -r pristine t2 &&
	MUTANTS_DIR=$TRASH/list "$MUT" apply no-body t2 &&
	grep -v "x \* 2" pristine/src/a.c >expect &&
	test_cmp expect t2/src/a.c
'

test_expect_success 'an anchor found twice or not at all fails, naming the mutant to update' '
	cp -r pristine t3 &&
	assert_exit 1 env MUTANTS_DIR=$TRASH/list "$MUT" apply twice t3 2>err &&
	assert_grep "update mutant twice: its anchor moved: the original text is found 2 times in src/a.c" err &&
	assert_exit 1 env MUTANTS_DIR=$TRASH/list "$MUT" apply moved t3 2>err &&
	assert_grep "update mutant moved: its anchor moved: the original text is found 0 times" err &&
	assert_exit 1 env MUTANTS_DIR=$TRASH/list "$MUT" apply gone-file t3 2>err &&
	assert_grep "update mutant gone-file: its file .src/b.c. does not exist" err &&
	test_cmp pristine/src/a.c t3/src/a.c
'

test_expect_success 'the repository'\''s mutants all apply to this tree and name tests that exist' '
	"$MUT" check >out 2>err &&
	assert_grep -E "^[0-9]+ passed, 0 failed" out &&
	n=$(ls "$TOP"/tests/mutants/*.mutant | wc -l) &&
	assert test "$n" -ge 15
'

test_expect_success 'a mutant naming a test that does not exist fails the check' '
	mkdir -p list2 &&
	cp "$TOP"/tests/mutants/check-rule-dropped.mutant list2/ &&
	sed -i "s/^tests: .*/tests: integration:t9999-nothing/" list2/check-rule-dropped.mutant &&
	assert_exit 1 env MUTANTS_DIR=$TRASH/list2 "$MUT" check >out 2>err &&
	assert_grep "update mutant check-rule-dropped: its test .integration:t9999-nothing. does not exist" err
'

test_done

#!/usr/bin/env bash
# tests/integration/t0010-layers.sh — includes point one way (scripts/layers.sh, README "Architecture").
# shellcheck disable=SC2016  # test bodies are single-quoted: they expand when they run
test_description='stage layering: common <- extract, transform, load <- source <- cli'
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

LAYERS="$TOP/scripts/layers.sh"

# A copy of the code folders to plant violations in.
copy_tree() {
	rm -rf tree && mkdir tree &&
	cp -r "$TOP"/common "$TOP"/extract "$TOP"/transform "$TOP"/load "$TOP"/source \
		"$TOP"/cli "$TOP"/include tree/
}

# plant FILE LINE: append LINE to tree/FILE; then layers.sh must fail naming FILE.
must_reject() {
	copy_tree &&
	printf '%s\n' "$2" >>"tree/$1" &&
	test_must_fail "$LAYERS" tree >out &&
	grep -F "$1:" out
}

test_expect_success 'this checkout keeps the include direction' '
	"$LAYERS" "$TOP" >out &&
	grep -x "layers: ok" out
'

test_expect_success 'a copy of the tree passes as it is' '
	copy_tree &&
	"$LAYERS" tree
'

test_expect_success 'extract may not include load (PostgreSQL)' '
	must_reject extract/http.c "#include \"siyu/load/db.h\"" &&
	grep "extract may not include load" out
'

test_expect_success 'extract may not include libpq' '
	must_reject extract/rawzone.c "#include <libpq-fe.h>"
'

test_expect_success 'transform may not include extract, load or source' '
	must_reject transform/money.c "#include \"siyu/extract/http.h\"" &&
	must_reject transform/pii.c "#include \"siyu/load/db.h\"" &&
	must_reject transform/dedupe.c "#include \"siyu/source/source.h\""
'

test_expect_success 'transform is pure: no libpq, curl or file headers, no I/O calls' '
	must_reject transform/order_status.c "#include <curl/curl.h>" &&
	must_reject transform/order_status.c "#include <libpq-fe.h>" &&
	must_reject transform/order_status.c "#include <dirent.h>" &&
	must_reject transform/money.c "static void f(void) { FILE *x = fopen(\"a\", \"r\"); }" &&
	grep "transform is pure" out
'

test_expect_success 'an I/O word in a comment or a member name is not a call' '
	copy_tree &&
	printf "%s\n" "/* we never fopen( here */" "static long g(struct { long read; } *c) { return c->read; }" \
		>>tree/transform/money.c &&
	"$LAYERS" tree
'

test_expect_success 'load may not include source or extract; common includes only common' '
	must_reject load/runlog.c "#include \"siyu/source/source.h\"" &&
	must_reject load/order_sink.c "#include \"siyu/extract/csv_file.h\"" &&
	must_reject common/buf.c "#include \"siyu/transform/money.h\""
'

test_expect_success 'a header of a stage follows its stage' '
	must_reject include/siyu/transform/money.h "#include \"siyu/load/db.h\""
'

test_expect_success 'headers live in a stage folder and are included by it' '
	copy_tree &&
	echo "int x;" >tree/include/siyu/flat.h &&
	test_must_fail "$LAYERS" tree >out &&
	grep "include/siyu/flat.h: a header outside" out &&
	must_reject source/source.c "#include \"siyu/buf.h\"" &&
	must_reject source/source.c "#include \"siyu/common/nosuch.h\""
'

test_expect_success 'the driver layer and cli may include every stage below them' '
	copy_tree &&
	printf "%s\n" "#include \"siyu/extract/http.h\"" "#include \"siyu/load/db.h\"" >>tree/source/window.c &&
	printf "%s\n" "#include \"siyu/source/source.h\"" >>tree/cli/cmd_status.c &&
	"$LAYERS" tree
'

test_done

/*
 * test_copytext.c — COPY text fields: escapes inside and around runs of plain
 * bytes, NULL, and integers written without printf.
 */
#include "siyu/common/buf.h"
#include "siyu/common/copytext.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

static void test_field(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain 商品36", "plain 商品36" },
		{ "\\", "\\\\" },
		{ "a\tb\nc\rd\\e", "a\\tb\\nc\\rd\\\\e" },
		{ "\t\t", "\\t\\t" },
		{ "end\n", "end\\n" },
		{ "\\N", "\\\\N" }, /* the text \N is not NULL */
	};
	struct buf b = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		assert_int_equal(copytext_field(&b, cases[i].in, strlen(cases[i].in)), 0);
		assert_string_equal(buf_str(&b), cases[i].out);
	}
	/* a NUL inside the range is copied like any byte (PostgreSQL refuses it later) */
	buf_reset(&b);
	assert_int_equal(copytext_field(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	buf_reset(&b);
	assert_int_equal(copytext_field(&b, NULL, 0), 0);
	assert_string_equal(buf_str(&b), "\\N");
	buf_release(&b);
}

static void test_int(void **state)
{
	static const long long values[] = { 0, 7, -7, 10, 1990, -100, 207700, LLONG_MAX, LLONG_MIN };
	struct buf b = BUF_INIT;
	char want[32];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		buf_reset(&b);
		assert_int_equal(copytext_int(&b, values[i]), 0);
		snprintf(want, sizeof(want), "%lld", values[i]);
		assert_string_equal(buf_str(&b), want);
	}
	buf_release(&b);
}

static void test_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(copytext_field(&b, "abc", 3), 0);
	assert_int_equal(copytext_field(&b, "\t", 1), -1); /* over the cap: refused */
	buf_release(&b);
	buf_init(&b, 4);
	assert_int_equal(copytext_int(&b, 12345), -1);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

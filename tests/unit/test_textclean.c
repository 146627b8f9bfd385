/*
 * test_textclean.c — unit tests of common/textclean.c: trimming (ASCII
 * and CJK spaces), blank tests, Excel long-number quoting, UTF-8 validity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/common/textclean.h"

struct strip_case {
	const char *in;
	const char *out;
};

static void check_strip(size_t (*fn)(const char *, size_t, const char **),
			const struct strip_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *start = NULL;
		size_t len = fn(cases[i].in, strlen(cases[i].in), &start);

		if (len != strlen(cases[i].out) ||
		    memcmp(start, cases[i].out, len) != 0)
			print_error("case %zu \"%s\" -> \"%.*s\"\n", i,
				    cases[i].in, (int)len, start);
		assert_int_equal(len, strlen(cases[i].out));
		assert_memory_equal(start, cases[i].out, len);
		/* the result points into the input */
		assert_true(start >= cases[i].in &&
			    start + len <= cases[i].in + strlen(cases[i].in));
	}
}

static void test_trim(void **state)
{
	static const struct strip_case cases[] = {
		{ "", "" },
		{ "abc", "abc" },
		{ "  abc  ", "abc" },
		{ "\t\r\n\v\fabc\f\v\n\r\t", "abc" },
		{ "a b", "a b" },
		{ " a b ", "a b" },
		{ "\xC2\xA0" "abc\xC2\xA0", "abc" },           /* U+00A0 */
		{ "\xE3\x80\x80" "交易成功\xE3\x80\x80", "交易成功" }, /* U+3000 */
		{ "\xE3\x80\x80 \xC2\xA0\t", "" },
		{ "x\xC2", "x\xC2" },        /* truncated nbsp is kept */
		{ "\xC2" "x", "\xC2" "x" },
		{ "\xE3\x80" "x", "\xE3\x80" "x" },
		{ "x\x80\x80", "x\x80\x80" },
		{ "\xE3\x80\x81", "\xE3\x80\x81" }, /* U+3001 、 is not a space */
	};

	(void)state;
	check_strip(text_trim, cases, sizeof(cases) / sizeof(cases[0]));
	{
		const char *start = NULL;

		assert_int_equal(text_trim(NULL, 0, &start), 0);
	}
}

static void test_blank(void **state)
{
	(void)state;
	assert_true(text_is_blank("", 0));
	assert_true(text_is_blank(NULL, 0));
	assert_true(text_is_blank(" \t\r\n", 4));
	assert_true(text_is_blank("\xE3\x80\x80\xC2\xA0", 5));
	assert_false(text_is_blank(" x ", 3));
	assert_false(text_is_blank("0", 1));
	assert_true(text_is_blank(" x", 1)); /* only len bytes are read */
}

static void test_strip_excel_quote(void **state)
{
	static const struct strip_case cases[] = {
		{ "=\"2231958349000000\"", "2231958349000000" },
		{ "=\"6920012345678901234\"", "6920012345678901234" },
		{ " =\"123\" ", "123" },
		{ "=\" 123 \"", "123" },
		{ "=\"\"", "" },
		{ "=\"E20241104143713093806201\"", "E20241104143713093806201" },
		{ "'2231958349000000", "2231958349000000" },
		{ "'240301-123456789012345", "240301-123456789012345" },
		{ "'SKU_01", "SKU_01" },
		{ "\t2231958349000000", "2231958349000000" },
		{ "2231958349000000", "2231958349000000" },
		{ "  6920012345678901234  ", "6920012345678901234" },
		/* left alone */
		{ "'90s style", "'90s style" },
		{ "'", "'" },
		{ "''", "''" },
		{ "'12 34", "'12 34" },
		{ "=\"a\"b\"", "=\"a\"b\"" },
		{ "=\"123", "=\"123" },
		{ "=123", "=123" },
		{ "\"123\"", "\"123\"" },
		{ "=\"", "=\"" },
		{ "2.23196E+15", "2.23196E+15" }, /* already lost: left for the caller */
	};

	(void)state;
	check_strip(text_strip_excel_quote, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		int valid;
	} cases[] = {
		{ "", 0, 1 },
		{ "abc", 3, 1 },
		{ "交易成功", 12, 1 },
		{ "\xC2\xA5", 2, 1 },                 /* ¥ */
		{ "\xEF\xBF\xA5", 3, 1 },             /* ￥ */
		{ "\xF0\x9F\x98\x80", 4, 1 },         /* U+1F600 */
		{ "\xF4\x8F\xBF\xBF", 4, 1 },         /* U+10FFFF */
		{ "\xED\x9F\xBF", 3, 1 },             /* U+D7FF */
		{ "\xEE\x80\x80", 3, 1 },             /* U+E000 */
		{ "a\0b", 3, 1 },                     /* NUL is valid UTF-8 */
		{ "\x80", 1, 0 },                     /* lone continuation */
		{ "\xBF", 1, 0 },
		{ "\xC0\xAF", 2, 0 },                 /* overlong '/' */
		{ "\xC1\xBF", 2, 0 },
		{ "\xE0\x80\xAF", 3, 0 },             /* overlong 3-byte */
		{ "\xE0\x9F\xBF", 3, 0 },
		{ "\xF0\x80\x80\xAF", 4, 0 },         /* overlong 4-byte */
		{ "\xF0\x8F\xBF\xBF", 4, 0 },
		{ "\xED\xA0\x80", 3, 0 },             /* U+D800 surrogate */
		{ "\xED\xBF\xBF", 3, 0 },             /* U+DFFF */
		{ "\xF4\x90\x80\x80", 4, 0 },         /* U+110000 */
		{ "\xF5\x80\x80\x80", 4, 0 },
		{ "\xFE", 1, 0 },
		{ "\xFF", 1, 0 },
		{ "\xC2", 1, 0 },                     /* truncated */
		{ "\xE4\xBA", 2, 0 },
		{ "\xF0\x9F\x98", 3, 0 },
		{ "\xC2\x41", 2, 0 },                 /* bad continuation */
		{ "\xE4\x41\xA4", 3, 0 },
		{ "\xE4\xBA\x41", 3, 0 },
		{ "\xF0\x9F\x98\x41", 4, 0 },
		{ "\xD6\xD0\xCE\xC4", 4, 0 },         /* "中文" in GBK */
		{ "\xB6\xA9\xB5\xA5\xB1\xE0\xBA\xC5", 8, 0 }, /* "订单编号" in GBK */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (text_utf8_valid(cases[i].s, cases[i].len) != cases[i].valid)
			print_error("case %zu\n", i);
		assert_int_equal(text_utf8_valid(cases[i].s, cases[i].len), cases[i].valid);
	}
	assert_true(text_utf8_valid(NULL, 0));
	/* truncation at the length boundary is seen */
	assert_false(text_utf8_valid("交", 2));
	assert_true(text_utf8_valid("交", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_blank),
		cmocka_unit_test(test_strip_excel_quote),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

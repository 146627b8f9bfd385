/*
 * test_utf8.c — common/utf8.c: the strict validator (byte at a time and over
 * ranges) and the escaped text form of bytes that are not text.
 */
#include "siyu/common/buf.h"
#include "siyu/common/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void test_valid_prefix(void **state)
{
	static const struct {
		const char *s;
		size_t len, prefix;
	} cases[] = {
		{ "abc", 3, 3 },
		{ "龙井", 6, 6 },
		{ "a\xff", 2, 1 },
		{ "\xc0\x80", 2, 0 },             /* overlong NUL */
		{ "\xe0\x80\x80", 3, 0 },         /* overlong */
		{ "\xed\xa0\x80", 3, 0 },         /* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0 },     /* above U+10FFFF */
		{ "\xf0\x9f\x98\x80!", 5, 5 },    /* an emoji */
		{ "ok\xe4\xb8", 4, 2 },           /* cut inside a character */
		{ "a\0b", 3, 3 },                 /* NUL is UTF-8 ... */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(utf8_valid_prefix(cases[i].s, cases[i].len), cases[i].prefix);
	assert_false(utf8_is_text("a\0b", 3)); /* ... but not text */
	assert_true(utf8_is_text("龙井", 6));
	assert_true(utf8_is_text("", 0));
}

static void test_step(void **state)
{
	struct utf8_state s = UTF8_STATE_INIT;

	(void)state;
	assert_int_equal(utf8_step(&s, 0xE9), 0);
	assert_int_equal(utf8_step(&s, 0xBE), 0);
	assert_int_equal(utf8_step(&s, 0x99), 1);
	assert_int_equal(utf8_step(&s, 0xE9), 0);
	assert_int_equal(utf8_step(&s, 'a'), -1);
	assert_int_equal(s.need, 0);
	assert_int_equal(utf8_step(&s, 'a'), 1);
}

static void test_escape(void **state)
{
	static const char in[] = "a\\b\0c\xff龙\xe4\xb8";
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(utf8_escape(&out, in, sizeof(in) - 1), 0);
	assert_string_equal(buf_str(&out), "a\\\\b\\x00c\\xff龙\\xe4\\xb8");
	assert_true(utf8_is_text(out.data, out.len));
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_prefix),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

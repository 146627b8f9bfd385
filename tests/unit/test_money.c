/*
 * test_money.c — unit tests of transform/money.c: every accepted yuan form,
 * every rejection with its reason, bounds, fen text, other scales, and
 * format round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/transform/money.h"

struct ok_case {
	const char *in;
	int64_t fen;
};

struct bad_case {
	const char *in;
	const char *why;
};

static void test_yuan_accepted(void **state)
{
	static const struct ok_case cases[] = {
		{ "0", 0 },
		{ "12", 1200 },
		{ "12.3", 1230 },
		{ "12.30", 1230 },
		{ "12.300", 1230 },
		{ "12.3000000", 1230 },
		{ ".5", 50 },
		{ "12.", 1200 },
		{ "0.01", 1 },
		{ "-0.05", -5 },
		{ "+7.5", 750 },
		{ "-0", 0 },
		{ "007.50", 750 },
		{ "1,234.50", 123450 },
		{ "1,234,567.89", 123456789 },
		{ "999", 99900 },
		{ "  12.30  ", 1230 },
		{ "\t12.30\r\n", 1230 },
		{ "\xC2\xA5" "12.30", 1230 },          /* ¥ */
		{ "\xEF\xBF\xA5" "12.30", 1230 },      /* ￥ */
		{ "\xEF\xBF\xA5 1,234.50", 123450 },   /* ￥ 1,234.50 */
		{ "-\xC2\xA5" "12.30", -1230 },        /* -¥12.30 */
		{ "\xC2\xA5-12.30", -1230 },           /* ¥-12.30 */
		{ "\xE3\x80\x80" "5\xC2\xA0", 500 },   /* ideographic space, nbsp */
		{ "139.14", 13914 },
		{ "29.9", 2990 },
		{ "10000000000000", INT64_C(1000000000000000) },       /* 10^13 yuan */
		{ "10,000,000,000,000.00", INT64_C(1000000000000000) },
		{ "-10000000000000", -INT64_C(1000000000000000) },
		{ "00000000000000000000000000001", 100 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t fen = -42;
		const char *why = NULL;
		int rc = money_parse_yuan(cases[i].in, strlen(cases[i].in), &fen, &why);

		if (rc != 0)
			print_error("case %zu \"%s\": %s\n", i, cases[i].in, why);
		assert_int_equal(rc, 0);
		assert_true(fen == cases[i].fen);
	}
}

static void test_yuan_rejected(void **state)
{
	static const struct bad_case cases[] = {
		{ "", "empty amount" },
		{ "   ", "empty amount" },
		{ "12.345", "more than 2 decimals" },
		{ "12.301", "more than 2 decimals" },
		{ "0.001", "more than 2 decimals" },
		{ "12.3.4", "not a number" },
		{ "1e5", "not a number" },
		{ "1E5", "not a number" },
		{ "abc", "not a number" },
		{ "--1", "not a number" },
		{ "+-1", "not a number" },
		{ "-+1", "not a number" },
		{ "-", "not a number" },
		{ ".", "not a number" },
		{ "\xC2\xA5", "not a number" },
		{ "inf", "not a number" },
		{ "-inf", "not a number" },
		{ "nan", "not a number" },
		{ "NaN", "not a number" },
		{ "Infinity", "not a number" },
		{ "0x10", "not a number" },
		{ "1 234", "not a number" },
		{ "- 1", "not a number" },
		{ "12-", "not a number" },
		{ "12,5", "bad thousands separator" },
		{ "12,34", "bad thousands separator" },
		{ "1,2345", "bad thousands separator" },
		{ "1234,567", "bad thousands separator" },
		{ ",123", "bad thousands separator" },
		{ "1,,234", "bad thousands separator" },
		{ "0,123", "bad thousands separator" },
		{ "1,234,56", "bad thousands separator" },
		{ "1,234.5,6", "not a number" },
		{ "\xC2\xA5\xC2\xA5" "1", "not a number" },
		{ "-\xC2\xA5-1", "not a number" },
		{ "12\xC2\xA5", "not a number" },
		{ "１２", "not a number" },                  /* full-width digits */
		{ "10000000000000.01", "amount too large" },
		{ "92233720368547758.07", "amount too large" },
		{ "2231958349000000123", "amount too large" }, /* a 19-digit tid */
		{ "99999999999999999999999999999", "amount too large" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t fen = -42;
		const char *why = NULL;
		int rc = money_parse_yuan(cases[i].in, strlen(cases[i].in), &fen, &why);

		if (rc != -1 || !why || strcmp(why, cases[i].why) != 0)
			print_error("case %zu \"%s\": rc %d why %s\n", i,
				    cases[i].in, rc, why ? why : "(null)");
		assert_int_equal(rc, -1);
		assert_string_equal(why, cases[i].why);
		assert_true(fen == -42); /* untouched */
	}
}

/* The length argument is honoured: no NUL needed, trailing bytes ignored. */
static void test_yuan_uses_len(void **state)
{
	const char buf[] = { '1', '2', '.', '3', '0', '9', '9' };
	int64_t fen;
	const char *why;

	(void)state;
	assert_int_equal(money_parse_yuan(buf, 5, &fen, &why), 0);
	assert_true(fen == 1230);
	assert_int_equal(money_parse_yuan(buf, 0, &fen, &why), -1);
	assert_string_equal(why, "empty amount");
	assert_int_equal(money_parse_yuan(NULL, 0, &fen, &why), -1);
}

static void test_fen(void **state)
{
	static const struct ok_case ok[] = {
		{ "0", 0 }, { "10900", 10900 }, { " 11900 ", 11900 },
		{ "-5", -5 }, { "+5", 5 }, { "1000000000000000", INT64_C(1000000000000000) },
		{ "-1000000000000000", -INT64_C(1000000000000000) },
	};
	static const struct bad_case bad[] = {
		{ "", "empty amount" },
		{ "12.0", "not an integer" },
		{ "12.5", "not an integer" },
		{ "1,000", "not a number" },
		{ "1e3", "not a number" },
		{ "\xC2\xA5" "1", "not a number" },
		{ "1000000000000001", "amount too large" },
		{ "6920012345678901234", "amount too large" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t fen;
		const char *why = NULL;

		assert_int_equal(money_parse_fen(ok[i].in, strlen(ok[i].in), &fen, &why), 0);
		assert_true(fen == ok[i].fen);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t fen;
		const char *why = NULL;

		assert_int_equal(money_parse_fen(bad[i].in, strlen(bad[i].in), &fen, &why), -1);
		assert_string_equal(why, bad[i].why);
	}
}

static void test_scaled(void **state)
{
	struct scaled_case {
		const char *in;
		int scale;
		int rc;
		int64_t out;
		const char *why;
	};
	static const struct scaled_case cases[] = {
		{ "0.001", 3, 0, 1, NULL },
		{ "12.3", 3, 0, 12300, NULL },
		{ "-1,000.125", 3, 0, -1000125, NULL },
		{ "0.0015", 3, -1, 0, "more than 3 decimals" },
		{ "0.00150", 4, 0, 15, NULL },
		{ "7", 0, 0, 7, NULL },
		{ "7.00", 0, 0, 7, NULL },
		{ "7.5", 0, -1, 0, "not an integer" },
		{ "0.5", 1, 0, 5, NULL },
		{ "0.55", 1, -1, 0, "more than 1 decimal" },
		{ "1.123456789", 9, 0, 1123456789, NULL },
		{ "1000000", 9, 0, INT64_C(1000000000000000), NULL },
		{ "1000000.000000001", 9, -1, 0, "amount too large" },
		{ "1", 10, -1, 0, "unsupported scale" },
		{ "1", -1, -1, 0, "unsupported scale" },
		{ "\xC2\xA5" "1", 2, -1, 0, "not a number" }, /* no currency here */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t out = -42;
		const char *why = NULL;
		int rc = money_parse_decimal_scaled(cases[i].in, strlen(cases[i].in),
						    cases[i].scale, &out, &why);

		assert_int_equal(rc, cases[i].rc);
		if (rc == 0)
			assert_true(out == cases[i].out);
		else
			assert_string_equal(why, cases[i].why);
	}
}

static void test_format(void **state)
{
	static const struct {
		int64_t fen;
		const char *text;
	} cases[] = {
		{ 0, "0.00" }, { 1, "0.01" }, { -5, "-0.05" }, { 1230, "12.30" },
		{ -1230, "-12.30" }, { 100, "1.00" }, { 123456789, "1234567.89" },
		{ INT64_C(1000000000000000), "10000000000000.00" },
		{ INT64_MAX, "92233720368547758.07" },
		{ INT64_MIN, "-92233720368547758.08" },
	};
	char buf[MONEY_FMT_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		money_format_fen(cases[i].fen, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	money_format_fen(1230, buf, 4); /* truncates, stays terminated */
	assert_string_equal(buf, "12.");
	buf[0] = 'x';
	money_format_fen(1230, buf, 0);
	assert_int_equal(buf[0], 'x');
}

/* format(parse(x)) is the canonical form; parse(format(f)) == f. */
static void test_round_trip(void **state)
{
	static const struct {
		const char *in;
		const char *canon;
	} cases[] = {
		{ "12.3", "12.30" }, { ".5", "0.50" }, { "12.", "12.00" },
		{ "-0.05", "-0.05" }, { "1,234.50", "1234.50" },
		{ "\xEF\xBF\xA5 7", "7.00" }, { "-0", "0.00" },
		{ "10000000000000", "10000000000000.00" },
	};
	static const int64_t fens[] = {
		0, 1, -1, 99, 100, 12345, -987654321, INT64_C(1000000000000000),
		-INT64_C(1000000000000000),
	};
	char buf[MONEY_FMT_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t fen;
		const char *why;

		assert_int_equal(money_parse_yuan(cases[i].in, strlen(cases[i].in), &fen, &why), 0);
		money_format_fen(fen, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].canon);
	}
	for (i = 0; i < sizeof(fens) / sizeof(fens[0]); i++) {
		int64_t back;
		const char *why;

		money_format_fen(fens[i], buf, sizeof(buf));
		assert_int_equal(money_parse_yuan(buf, strlen(buf), &back, &why), 0);
		assert_true(back == fens[i]);
	}
}

static void test_yuan_scaled_and_rounding(void **state)
{
	int64_t v = 0;
	const char *why = NULL;

	(void)state;
	assert_int_equal(money_parse_yuan_scaled("¥0.001", strlen("¥0.001"), 4, &v, &why), 0);
	assert_int_equal(v, 10);
	assert_int_equal(money_parse_yuan_scaled("1,234.5678", 10, 4, &v, &why), 0);
	assert_int_equal(v, 12345678);
	assert_int_equal(money_parse_yuan_scaled("0.00001", 7, 4, &v, &why), -1);
	assert_string_equal(why, "more than 4 decimals");
	assert_int_equal(money_parse_yuan_scaled("1", 1, 10, &v, &why), -1);
	assert_int_equal(money_round_half_up(150, 100), 2);
	assert_int_equal(money_round_half_up(149, 100), 1);
	assert_int_equal(money_round_half_up(50, 100), 1);
	assert_int_equal(money_round_half_up(49, 100), 0);
	assert_int_equal(money_round_half_up(0, 100), 0);
	assert_int_equal(money_round_half_up(-150, 100), -2);
	assert_int_equal(money_round_half_up(-149, 100), -1);
	assert_int_equal(money_round_half_up(INT64_MAX, 100), INT64_MAX / 100); /* ...07 */
	assert_int_equal(money_round_half_up(INT64_MAX - 57, 100), INT64_MAX / 100); /* ...50 up */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yuan_accepted),
		cmocka_unit_test(test_yuan_rejected),
		cmocka_unit_test(test_yuan_uses_len),
		cmocka_unit_test(test_fen),
		cmocka_unit_test(test_scaled),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_yuan_scaled_and_rounding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

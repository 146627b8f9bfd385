/*
 * test_ltime.c — unit tests of common/ltime.c: accepted forms, calendar
 * and clock boundaries, offsets, rejections with their reasons, unix time
 * conversions and format round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/common/ltime.h"

#define NO_OFF 99999 /* expected offset "none" in the tables */

struct ok_case {
	const char *in;
	int y, mo, d, h, mi, s, usec;
	int off; /* minutes, or NO_OFF */
};

struct fmt_case {
	const char *in;
	const char *out; /* ltime_format(ltime_parse(in)) */
};

struct bad_case {
	const char *in;
	const char *why;
};

static void check_ok(const struct ok_case *c, size_t i)
{
	struct ltime t;
	const char *why = NULL;
	int rc = ltime_parse(c->in, strlen(c->in), &t, &why);

	if (rc != 0)
		print_error("case %zu \"%s\": %s\n", i, c->in, why);
	assert_int_equal(rc, 0);
	assert_int_equal(t.year, c->y);
	assert_int_equal(t.month, c->mo);
	assert_int_equal(t.day, c->d);
	assert_int_equal(t.hour, c->h);
	assert_int_equal(t.minute, c->mi);
	assert_int_equal(t.second, c->s);
	assert_int_equal(t.usec, c->usec);
	assert_int_equal(t.has_offset, c->off != NO_OFF);
	if (c->off != NO_OFF)
		assert_int_equal(t.offset_minutes, c->off);
}

static void test_parse_accepted(void **state)
{
	static const struct ok_case cases[] = {
		{ "2025-03-07 09:05", 2025, 3, 7, 9, 5, 0, 0, NO_OFF },
		{ "2025-03-07 09:05:01", 2025, 3, 7, 9, 5, 1, 0, NO_OFF },
		{ "2025-03-07T09:05:01", 2025, 3, 7, 9, 5, 1, 0, NO_OFF },
		{ "2025-03-07 09:05:01.1", 2025, 3, 7, 9, 5, 1, 100000, NO_OFF },
		{ "2025-03-07 09:05:01.123", 2025, 3, 7, 9, 5, 1, 123000, NO_OFF },
		{ "2025-03-07 09:05:01.123456", 2025, 3, 7, 9, 5, 1, 123456, NO_OFF },
		{ "2025-03-07 09:05:01.000000", 2025, 3, 7, 9, 5, 1, 0, NO_OFF },
		{ "2025/03/07 09:05:01", 2025, 3, 7, 9, 5, 1, 0, NO_OFF },
		{ "2025/3/7 9:05:00", 2025, 3, 7, 9, 5, 0, 0, NO_OFF },
		{ "2025/3/7 9:05", 2025, 3, 7, 9, 5, 0, 0, NO_OFF },
		{ "2025/12/31 23:59", 2025, 12, 31, 23, 59, 0, 0, NO_OFF },
		{ "2025/3/7", 2025, 3, 7, 0, 0, 0, 0, NO_OFF },
		{ "2025-03-07", 2025, 3, 7, 0, 0, 0, 0, NO_OFF },
		{ "2025-03-07  09:05", 2025, 3, 7, 9, 5, 0, 0, NO_OFF },
		{ "  2025-03-07 09:05:00\r\n", 2025, 3, 7, 9, 5, 0, 0, NO_OFF },
		{ "2025-03-07T01:05:00Z", 2025, 3, 7, 1, 5, 0, 0, 0 },
		{ "2025-03-07T01:05:00z", 2025, 3, 7, 1, 5, 0, 0, 0 },
		{ "2025-03-07 09:05:00+08:00", 2025, 3, 7, 9, 5, 0, 0, 480 },
		{ "2025-03-07 09:05:00+0800", 2025, 3, 7, 9, 5, 0, 0, 480 },
		{ "2025-03-07 09:05:00+08", 2025, 3, 7, 9, 5, 0, 0, 480 },
		{ "2025-03-07 09:05:00 +08:00", 2025, 3, 7, 9, 5, 0, 0, 480 },
		{ "2025-03-07 09:05:00-05:30", 2025, 3, 7, 9, 5, 0, 0, -330 },
		{ "2025-03-07 09:05:00-00:00", 2025, 3, 7, 9, 5, 0, 0, 0 },
		{ "2025-03-07 09:05:00+14:00", 2025, 3, 7, 9, 5, 0, 0, 840 },
		{ "2025-03-07 09:05:00-14:00", 2025, 3, 7, 9, 5, 0, 0, -840 },
		{ "2025-03-07 09:05+05:45", 2025, 3, 7, 9, 5, 0, 0, 345 },
		{ "2025-03-07T09:05:00.5Z", 2025, 3, 7, 9, 5, 0, 500000, 0 },
		{ "2024-02-29 12:00:00", 2024, 2, 29, 12, 0, 0, 0, NO_OFF },
		{ "2000-02-29", 2000, 2, 29, 0, 0, 0, 0, NO_OFF },
		{ "2025-01-31 23:59:59", 2025, 1, 31, 23, 59, 59, 0, NO_OFF },
		{ "2025-04-30 00:00:00", 2025, 4, 30, 0, 0, 0, 0, NO_OFF },
		{ "1970-01-01 00:00:00", 1970, 1, 1, 0, 0, 0, 0, NO_OFF },
		{ "2100-12-31 23:59:59.999999", 2100, 12, 31, 23, 59, 59, 999999, NO_OFF },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_ok(&cases[i], i);
}

static void test_parse_rejected(void **state)
{
	static const struct bad_case cases[] = {
		{ "", "empty time" },
		{ "   ", "empty time" },
		{ "2025-02-29", "impossible date" },
		{ "2025-02-30 10:00", "impossible date" },
		{ "2024-02-30", "impossible date" },
		{ "1900-02-29", "year out of range 1970-2100" },
		{ "2100-02-29", "impossible date" },  /* 2100 is not leap */
		{ "2025-04-31", "impossible date" },
		{ "2025-06-31", "impossible date" },
		{ "2025-09-31", "impossible date" },
		{ "2025-11-31", "impossible date" },
		{ "2025-13-01", "impossible date" },
		{ "2025-00-10", "impossible date" },
		{ "2025-01-00", "impossible date" },
		{ "2025-01-32", "impossible date" },
		{ "2025-03-07 24:00:00", "impossible time" },
		{ "2025-03-07 23:60:00", "impossible time" },
		{ "2025-03-07 23:59:60", "impossible time" }, /* no leap seconds */
		{ "1969-12-31 23:59:59", "year out of range 1970-2100" },
		{ "2101-01-01", "year out of range 1970-2100" },
		{ "0001-01-01 00:00:00", "year out of range 1970-2100" }, /* JD sentinel */
		{ "2025-03-07 09:05:01.1234567", "more than 6 fraction digits" },
		{ "2025-03-07 09:05:01.", "not a time" },
		{ "2025-03-07 09:05:00+15:00", "bad utc offset" },
		{ "2025-03-07 09:05:00+08:60", "bad utc offset" },
		{ "2025-03-07 09:05:00+8", "bad utc offset" },
		{ "2025-03-07 09:05:00+080", "bad utc offset" },
		{ "2025-03-07 09:05:00+08:0", "bad utc offset" },
		{ "2025-03-07 09:05:00 CST", "not a time" },
		{ "2025-03-07 09:05:00Zjunk", "not a time" },
		{ "2025-03-07+08:00", "not a time" },
		{ "2025-3-7", "not a time" },             /* 1 digit needs '/' */
		{ "2025-03-07 9:05", "not a time" },      /* 1 digit hour needs '/' */
		{ "2025/03-07", "not a time" },
		{ "25-03-07", "not a time" },
		{ "20250307", "not a time" },
		{ "2025-03-07 09", "not a time" },
		{ "2025-03-07 09:5", "not a time" },
		{ "2025-03-07 09:05:1", "not a time" },
		{ "2025-03-07T", "not a time" },
		{ "2025-03-07TT09:05", "not a time" },
		{ "2025-03-07 09:05:00 ", "" }, /* trailing space is trimmed: ok */
		{ "1741309500", "not a time" },
		{ "abc", "not a time" },
		{ "2025-03-07 09:05:00.12a", "not a time" },
		{ "2025/3/7 9:05:00 PM", "not a time" },
		{ "2025\xE5\xB9\xB4" "3\xE6\x9C\x88" "7\xE6\x97\xA5", "not a time" }, /* 2025年3月7日 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ltime t;
		const char *why = NULL;
		int rc = ltime_parse(cases[i].in, strlen(cases[i].in), &t, &why);

		if (cases[i].why[0] == '\0') {
			assert_int_equal(rc, 0);
			continue;
		}
		if (rc != -1 || !why || strcmp(why, cases[i].why) != 0)
			print_error("case %zu \"%s\": rc %d why %s\n", i,
				    cases[i].in, rc, why ? why : "(null)");
		assert_int_equal(rc, -1);
		assert_string_equal(why, cases[i].why);
	}
}

/* Only len bytes are read. */
static void test_parse_uses_len(void **state)
{
	const char buf[] = "2025-03-07 09:05:00+08:00 and more";
	struct ltime t;
	const char *why;

	(void)state;
	assert_int_equal(ltime_parse(buf, 10, &t, &why), 0);
	assert_int_equal(t.hour, 0);
	assert_int_equal(t.has_offset, 0);
	assert_int_equal(ltime_parse(buf, 19, &t, &why), 0);
	assert_int_equal(t.second, 0);
	assert_int_equal(t.has_offset, 0);
	assert_int_equal(ltime_parse(buf, 25, &t, &why), 0);
	assert_int_equal(t.offset_minutes, 480);
	assert_int_equal(ltime_parse(buf, 0, &t, &why), -1);
	assert_string_equal(why, "empty time");
}

static void test_format_round_trip(void **state)
{
	static const struct fmt_case cases[] = {
		{ "2025/3/7 9:05:00", "2025-03-07 09:05:00" },
		{ "2025-03-07T09:05", "2025-03-07 09:05:00" },
		{ "2025-03-07", "2025-03-07 00:00:00" },
		{ "2025-03-07 09:05:00.123", "2025-03-07 09:05:00.123000" },
		{ "2025-03-07 09:05:00.000001", "2025-03-07 09:05:00.000001" },
		{ "2025-03-07T01:05:00Z", "2025-03-07 01:05:00+00:00" },
		{ "2025-03-07 09:05:00+0800", "2025-03-07 09:05:00+08:00" },
		{ "2025-03-07 09:05:00+08", "2025-03-07 09:05:00+08:00" },
		{ "2025-03-07 09:05:00-05:30", "2025-03-07 09:05:00-05:30" },
		{ "2025-03-07 09:05:00-00:00", "2025-03-07 09:05:00+00:00" },
		{ "2024-02-29 23:59:59.999999+14:00", "2024-02-29 23:59:59.999999+14:00" },
		{ "2100-12-31 23:59:59", "2100-12-31 23:59:59" },
	};
	char buf[LTIME_FMT_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ltime t, t2;
		const char *why;
		int n;

		assert_int_equal(ltime_parse(cases[i].in, strlen(cases[i].in), &t, &why), 0);
		n = ltime_format(&t, buf, sizeof(buf));
		assert_int_equal(n, (int)strlen(cases[i].out));
		assert_string_equal(buf, cases[i].out);
		/* the formatted text parses back to the same time */
		assert_int_equal(ltime_parse(buf, (size_t)n, &t2, &why), 0);
		assert_memory_equal(&t, &t2, sizeof(t));
	}
}

static void test_format_limits(void **state)
{
	struct ltime t = { 2025, 3, 7, 9, 5, 0, 0, 1, 480 };
	char buf[LTIME_FMT_SIZE];

	(void)state;
	/* "2025-03-07 09:05:00+08:00" is 25 bytes: needs 26 */
	assert_int_equal(ltime_format(&t, buf, 26), 25);
	assert_int_equal(ltime_format(&t, buf, 25), -1);
	assert_string_equal(buf, "");
	assert_int_equal(ltime_format(&t, buf, 0), -1);
	t.month = 2;
	t.day = 30;
	assert_int_equal(ltime_format(&t, buf, sizeof(buf)), -1);
	t.day = 28;
	t.offset_minutes = 15 * 60;
	assert_int_equal(ltime_format(&t, buf, sizeof(buf)), -1);
	t.offset_minutes = -(14 * 60);
	t.usec = 1;
	assert_int_equal(ltime_format(&t, buf, sizeof(buf)), 32);
	assert_string_equal(buf, "2025-02-28 09:05:00.000001-14:00");
}

static void test_days_from_civil(void **state)
{
	(void)state;
	assert_true(ltime_days_from_civil(1970, 1, 1) == 0);
	assert_true(ltime_days_from_civil(1970, 1, 2) == 1);
	assert_true(ltime_days_from_civil(1969, 12, 31) == -1);
	assert_true(ltime_days_from_civil(2000, 3, 1) == 11017);
	assert_true(ltime_days_from_civil(2024, 2, 29) == 19782);
	assert_true(ltime_days_from_civil(2024, 3, 1) == 19783);
	assert_true(ltime_days_from_civil(2101, 1, 1) == 47847);
	assert_true(ltime_days_from_civil(1, 1, 1) == -719162);
}

static void test_unix(void **state)
{
	static const struct {
		int64_t secs;
		const char *text;
	} cases[] = {
		{ 0, "1970-01-01 00:00:00+00:00" },
		{ 951782400, "2000-02-29 00:00:00+00:00" },
		{ 1709262000, "2024-03-01 03:00:00+00:00" },
		{ 1709251199, "2024-02-29 23:59:59+00:00" },
		{ 1741309500, "2025-03-07 01:05:00+00:00" },
		{ INT64_C(4133980799), "2100-12-31 23:59:59+00:00" },
	};
	char buf[LTIME_FMT_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ltime t;
		int64_t back;

		assert_int_equal(ltime_from_unix(cases[i].secs, &t), 0);
		assert_true(ltime_format(&t, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(ltime_to_unix(&t, &back), 0);
		assert_true(back == cases[i].secs);
	}
	{
		struct ltime t = { 7, 7, 7, 7, 7, 7, 7, 7, 7 }, before = t;

		assert_int_equal(ltime_from_unix(-1, &t), -1);
		assert_int_equal(ltime_from_unix(INT64_C(4133980800), &t), -1);
		assert_int_equal(ltime_from_unix(INT64_MAX, &t), -1);
		assert_int_equal(ltime_from_unix(INT64_MIN, &t), -1);
		assert_memory_equal(&t, &before, sizeof(t));
	}
}

static void test_to_unix_offsets(void **state)
{
	static const struct {
		const char *in;
		int64_t secs;
	} cases[] = {
		{ "2025-03-07 09:05:00+08:00", 1741309500 },
		{ "2025-03-07T01:05:00Z", 1741309500 },
		{ "2025-03-06 19:35:00-05:30", 1741309500 },
		{ "2025-03-07 09:05:00.999+08", 1741309500 }, /* usec dropped */
		{ "1970-01-01 08:00:00+08:00", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ltime t;
		const char *why;
		int64_t secs;

		assert_int_equal(ltime_parse(cases[i].in, strlen(cases[i].in), &t, &why), 0);
		assert_int_equal(ltime_to_unix(&t, &secs), 0);
		assert_true(secs == cases[i].secs);
	}
	{
		struct ltime t;
		const char *why;
		int64_t secs = 42;

		/* a local time has no unix time */
		assert_int_equal(ltime_parse("2025-03-07 09:05", 16, &t, &why), 0);
		assert_int_equal(ltime_to_unix(&t, &secs), -1);
		assert_true(secs == 42);
	}
}

static void test_unix_text(void **state)
{
	struct ltime t;
	const char *why;
	char buf[LTIME_FMT_SIZE];

	(void)state;
	assert_int_equal(ltime_parse_unix_text("1709262012", 10, &t, &why), 0);
	ltime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "2024-03-01 03:00:12+00:00");
	assert_int_equal(ltime_parse_unix_text(" 1709262012345 ", 15, &t, &why), 0);
	assert_int_equal(t.usec, 345000);
	ltime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "2024-03-01 03:00:12.345000+00:00");
	assert_int_equal(ltime_parse_unix_text("0", 1, &t, &why), -1);
	assert_string_equal(why, "not a unix time");
	assert_int_equal(ltime_parse_unix_text("170926201", 9, &t, &why), -1);
	assert_int_equal(ltime_parse_unix_text("17092620120", 11, &t, &why), -1);
	assert_int_equal(ltime_parse_unix_text("-709262012", 10, &t, &why), -1);
	assert_int_equal(ltime_parse_unix_text("1709262012.5", 12, &t, &why), -1);
	assert_string_equal(why, "not a unix time");
	assert_int_equal(ltime_parse_unix_text("9999999999", 10, &t, &why), -1);
	assert_string_equal(why, "year out of range 1970-2100");
	/* a 19-digit order number is not a time */
	assert_int_equal(ltime_parse_unix_text("6920012345678901234", 19, &t, &why), -1);
	assert_string_equal(why, "not a unix time");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepted),
		cmocka_unit_test(test_parse_rejected),
		cmocka_unit_test(test_parse_uses_len),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_limits),
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_to_unix_offsets),
		cmocka_unit_test(test_unix_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

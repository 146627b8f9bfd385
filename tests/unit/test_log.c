/*
 * test_log.c — common/log.c: log lines are logfmt, and no value (a file name, a
 * server message, a record) can end its field, add a key=value pair or start a line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/common/log.h"

#define MAX_KEYS 16

/*
 * A logfmt reader: the keys of line, in order, into keys[] (each at most 31
 * bytes); values bare (no blank, '"' or '=') or quoted with \-escapes. Returns
 * the number of pairs, or -1 when line is not logfmt.
 */
static int logfmt_keys(const char *line, char keys[][32])
{
	int n = 0;
	const char *p = line;

	while (*p) {
		const char *k = p;

		while (*p && *p != '=' && *p != ' ' && *p != '"')
			p++;
		if (*p != '=' || p == k || n == MAX_KEYS || p - k >= 32)
			return -1;
		snprintf(keys[n++], 32, "%.*s", (int)(p - k), k);
		p++;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && !*++p)
					return -1;
			if (*p++ != '"')
				return -1;
		} else {
			while (*p && *p != ' ' && *p != '"' && *p != '=')
				p++;
			if (*p == '"' || *p == '=')
				return -1;
		}
		if (*p == ' ')
			p++;
		else if (*p)
			return -1;
	}
	return n;
}

static void assert_keys(const char *line, const char *const *want, int nwant)
{
	char keys[MAX_KEYS][32];
	int n = logfmt_keys(line, keys);

	if (n != nwant)
		print_error("line: %s\n", line);
	assert_int_equal(n, nwant);
	for (int i = 0; i < n; i++)
		assert_string_equal(keys[i], want[i]);
	assert_null(strchr(line, '\n'));
}

static void test_plain_values_stay_bare(void **state)
{
	char out[256];

	(void)state;
	log_format(out, sizeof(out), "msg=\"loading file\" source=%s file=%s rows=%lld", "taobao_csv",
		   "var/raw/taobao_csv/1/orders.csv.gz", 12LL);
	assert_string_equal(out, "msg=\"loading file\" source=taobao_csv "
				 "file=var/raw/taobao_csv/1/orders.csv.gz rows=12");
}

static void test_values_with_blanks_or_quotes_are_quoted(void **state)
{
	char out[256];
	static const char *const keys[] = { "msg", "file", "reason", "empty" };

	(void)state;
	log_format(out, sizeof(out), "msg=\"x\" file=%s reason=%s empty=%s", "my orders.csv",
		   "say \"no\" \\ now", "");
	assert_string_equal(out, "msg=\"x\" file=\"my orders.csv\" reason=\"say \\\"no\\\" \\\\ now\" "
				 "empty=\"\"");
	assert_keys(out, keys, 4);
}

static void test_a_value_cannot_forge_a_field_or_a_line(void **state)
{
	char out[512];
	static const char *const keys[] = { "msg", "source", "file", "rows" };
	static const char *const quoted[] = { "msg", "source", "reason" };

	(void)state;
	/* bare position: a newline, another key=, a quote */
	log_format(out, sizeof(out), "msg=\"rejected\" source=%s file=%s rows=%d", "a level=error",
		   "x.csv\nts=2026-01-01T00:00:00Z level=error msg=forged", 3);
	assert_keys(out, keys, 4);
	assert_non_null(strstr(out, "file=\"x.csv\\nts=2026-01-01T00:00:00Z level=error msg=forged\""));
	/* inside quotes the format opened */
	log_format(out, sizeof(out), "msg=\"bad\" source=%s reason=\"%s\"", "s",
		   "end\" admin=yes \"\n\r\tx\x01");
	assert_keys(out, quoted, 3);
	assert_non_null(strstr(out, "reason=\"end\\\" admin=yes \\\"\\n\\r\\tx\\x01\""));
}

static void test_fragments_keep_their_pairs_but_not_new_lines(void **state)
{
	char out[256];
	static const char *const keys[] = { "msg", "unchanged", "add_events", "remove_events" };

	(void)state;
	log_format(out, sizeof(out), "msg=\"merged\" unchanged=%lld%s%s", 4LL, " ",
		   "add_events=1 remove_events=0");
	assert_string_equal(out, "msg=\"merged\" unchanged=4 add_events=1 remove_events=0");
	assert_keys(out, keys, 4);
	log_format(out, sizeof(out), "msg=\"merged\" unchanged=%lld%s%s", 4LL, " ", "a=1\nb=2");
	assert_null(strchr(out, '\n'));
}

static void test_numbers_and_precision(void **state)
{
	char out[256];

	(void)state;
	log_format(out, sizeof(out), "a=%d b=%5.2f c=%zu d=%*d e=%.*s f=%.3s g=%ld%% h=%u i=%x j=%c",
		   -7, 3.14159, (size_t)42, 4, 9, 2, "abcdef", "xyz123", 5L, 8u, 255u, 'q');
	assert_string_equal(out, "a=-7 b= 3.14 c=42 d=   9 e=ab f=xyz g=5% h=8 i=ff j=q");
	log_format(out, sizeof(out), "q=\"%.*s\"", 3, "a\"bcd");
	assert_string_equal(out, "q=\"a\\\"b\"");
}

static void test_truncation_keeps_a_terminated_line(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(log_format(out, sizeof(out), "msg=%s n=%d", "a very long value here", 1),
			 15);
	assert_int_equal(strlen(out), 15);
	assert_int_equal(log_format(out, 1, "msg=%s", "x"), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_values_stay_bare),
		cmocka_unit_test(test_values_with_blanks_or_quotes_are_quoted),
		cmocka_unit_test(test_a_value_cannot_forge_a_field_or_a_line),
		cmocka_unit_test(test_fragments_keep_their_pairs_but_not_new_lines),
		cmocka_unit_test(test_numbers_and_precision),
		cmocka_unit_test(test_truncation_keeps_a_terminated_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

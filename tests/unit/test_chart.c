/*
 * test_chart.c — unit tests of common/chart.c: escaping, value and axis formats,
 * nice ticks, and the SVG of each chart: one "pt" per value, gaps for NAN, no NaN
 * printed, a note instead of an empty chart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "siyu/common/buf.h"
#include "siyu/common/chart.h"

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void test_escape(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(chart_escape(&b, "a<b & \"c\" 'd'> 私域"), 0);
	assert_string_equal(buf_str(&b), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt; 私域");
	buf_release(&b);
}

static void test_format_value(void **state)
{
	char t[64];

	(void)state;
	assert_string_equal(chart_format_value(0.125, CHART_PERCENT, t, sizeof(t)), "12.5%");
	assert_string_equal(chart_format_value(1234567.5, CHART_YUAN, t, sizeof(t)), "¥1,234,567.50");
	assert_string_equal(chart_format_value(-1234, CHART_YUAN, t, sizeof(t)), "-¥1,234.00");
	assert_string_equal(chart_format_value(999, CHART_NUMBER, t, sizeof(t)), "999");
	assert_string_equal(chart_format_value(1000, CHART_NUMBER, t, sizeof(t)), "1,000");
	assert_string_equal(chart_format_value(2.5, CHART_NUMBER, t, sizeof(t)), "2.50");
	assert_string_equal(chart_format_value(12.34, CHART_MINUTES, t, sizeof(t)), "12.3 分钟");
	assert_string_equal(chart_format_value(NAN, CHART_PERCENT, t, sizeof(t)), "—");
}

static void test_ticks(void **state)
{
	double first, last, step;

	(void)state;
	chart_ticks(0, 190, &first, &last, &step);
	assert_true(step == 50 && first == 0 && last == 200);
	chart_ticks(0, 0.83, &first, &last, &step);
	assert_true(step == 0.2 && first == 0 && fabs(last - 1.0) < 1e-9);
	chart_ticks(-30, 120, &first, &last, &step);
	assert_true(step == 50 && first == -50 && last == 150);
	chart_ticks(0, 0, &first, &last, &step); /* all zero: still a range */
	assert_true(last > first && step > 0);
	chart_ticks(7, 7, &first, &last, &step);
	assert_true(first <= 7 && last >= 7 && last > first);
}

static void test_xy(void **state)
{
	static const char *const x[] = { "2025-01", "2025-02", "2025-03", "2025-04" };
	const double bars[] = { 10, 20, NAN, 5 }, line[] = { 0.1, NAN, 0.3, 0.4 };
	const struct chart_series s[] = {
		{ "新增 <new>", CHART_BAR, bars },
		{ "rate", CHART_LINE_RIGHT, line },
	};
	struct chart c = { "增长", x, 4, s, 2, 0, CHART_NUMBER, CHART_PERCENT };
	struct buf b = BUF_INIT;
	const char *svg;

	(void)state;
	assert_int_equal(chart_xy(&b, &c), 0);
	svg = buf_str(&b);
	assert_int_equal(count(svg, "<svg class=\"chart\""), 1);
	assert_int_equal(count(svg, "class=\"pt\""), 6); /* 3 bars + 3 points: NAN is no point */
	assert_int_equal(count(svg, "<rect class=\"pt\""), 3);
	assert_int_equal(count(svg, "<circle class=\"pt\""), 3);
	assert_non_null(strstr(svg, "新增 &lt;new&gt; · 2025-02: 20</title>"));
	assert_non_null(strstr(svg, "rate · 2025-04: 40.0%</title>"));
	assert_non_null(strstr(svg, "(右轴)"));
	/* the line breaks at the gap: two M moves */
	const char *d = strstr(svg, "class=\"line\"");
	assert_non_null(d);
	assert_int_equal(count(d, "M"), 2);
	assert_null(strstr(svg, "nan"));
	assert_null(strstr(svg, "inf"));
	buf_release(&b);
}

static void test_stacked_and_empty(void **state)
{
	static const char *const x[] = { "a", "b" };
	const double one[] = { 3, 4 }, two[] = { 5, 6 }, none[] = { NAN, NAN };
	const struct chart_series s[] = { { "one", CHART_BAR, one }, { "two", CHART_BAR, two } };
	const struct chart_series e[] = { { "none", CHART_LINE, none } };
	struct chart c = { "stack", x, 2, s, 2, 1, CHART_YUAN, CHART_NUMBER };
	struct chart empty = { "空", x, 2, e, 1, 0, CHART_NUMBER, CHART_NUMBER };
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(chart_xy(&b, &c), 0);
	assert_int_equal(count(buf_str(&b), "class=\"pt\""), 4);
	assert_non_null(strstr(buf_str(&b), "two · b: ¥6.00</title>"));
	buf_reset(&b);
	assert_int_equal(chart_xy(&b, &empty), 0);
	assert_null(strstr(buf_str(&b), "<svg"));
	assert_non_null(strstr(buf_str(&b), "class=\"nodata\""));
	buf_release(&b);
}

static void test_heatmap_and_hbar(void **state)
{
	static const char *const rows[] = { "2025-01", "2025-02" }, *const cols[] = { "+1", "+2" };
	const double v[] = { 0.5, 0.25, 0.4, NAN };
	static const char *const labels[] = { "重要价值", "一般挽留" };
	const double n[] = { 134, 60 };
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(chart_heatmap(&b, "留存", rows, 2, cols, 2, v, CHART_PERCENT), 0);
	assert_int_equal(count(buf_str(&b), "class=\"pt\""), 3); /* the NAN cell is not drawn */
	assert_non_null(strstr(buf_str(&b), "2025-02 · +1: 40.0%</title>"));
	buf_reset(&b);
	assert_int_equal(chart_hbar(&b, "RFM", labels, n, 2, CHART_NUMBER), 0);
	assert_int_equal(count(buf_str(&b), "class=\"pt\""), 2);
	assert_non_null(strstr(buf_str(&b), ">134</text>"));
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_format_value),
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_xy),
		cmocka_unit_test(test_stacked_and_empty),
		cmocka_unit_test(test_heatmap_and_hbar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

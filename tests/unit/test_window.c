/*
 * test_window.c — incremental window planning: lookback overlap, safety lag,
 * the platform's maximum window, first runs and backfills.
 */
#include "siyu/source/window.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#define HOUR 3600
#define DAY 86400

static struct window_request base(void)
{
	struct window_request r = {
		.now = 1000 * DAY,
		.watermark = 999 * DAY,
		.start = WINDOW_NONE,
		.since = WINDOW_NONE,
		.until = WINDOW_NONE,
		.lookback_s = HOUR,
		.safety_lag_s = 300,
		.max_window_s = 30 * 60,
	};
	return r;
}

static void test_incremental_with_lookback_and_lag(void **state)
{
	struct window_request r = base();
	struct time_window w[100];
	char err[128];
	size_t n;

	(void)state;
	assert_int_equal(window_plan(&r, w, 100, &n, err, sizeof(err)), 0);
	/* [watermark - 1h, now - 5m) = 24h55m in 30-minute windows: 50 windows */
	assert_int_equal(n, 50);
	assert_int_equal(w[0].from, 999 * DAY - HOUR);
	assert_int_equal(w[0].to, w[0].from + 30 * 60);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(w[i].from, w[i - 1].to); /* contiguous, no gap */
	assert_int_equal(w[n - 1].to, 1000 * DAY - 300);
	assert_true(w[n - 1].to - w[n - 1].from <= 30 * 60);
}

static void test_nothing_new(void **state)
{
	struct window_request r = base();
	struct time_window w[4];
	char err[128];
	size_t n = 99;

	(void)state;
	r.watermark = r.now; /* watermark - lookback is still before now - lag */
	r.lookback_s = 0;
	assert_int_equal(window_plan(&r, w, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
}

static void test_first_run_needs_a_start(void **state)
{
	struct window_request r = base();
	struct time_window w[100];
	char err[128];
	size_t n;

	(void)state;
	r.watermark = WINDOW_NONE;
	assert_int_equal(window_plan(&r, w, 100, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "start"));
	r.start = r.now - DAY;
	r.max_window_s = DAY;
	assert_int_equal(window_plan(&r, w, 100, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].from, r.now - DAY);
}

static void test_backfill_overrides(void **state)
{
	struct window_request r = base();
	struct time_window w[100];
	char err[128];
	size_t n;

	(void)state;
	r.since = 10 * DAY;
	r.until = 12 * DAY;
	r.max_window_s = DAY;
	assert_int_equal(window_plan(&r, w, 100, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].from, 10 * DAY);
	assert_int_equal(w[1].to, 12 * DAY);
	r.since = 12 * DAY;
	assert_int_equal(window_plan(&r, w, 100, &n, err, sizeof(err)), -1);
}

static void test_too_many_windows(void **state)
{
	struct window_request r = base();
	struct time_window w[10];
	char err[128];
	size_t n;

	(void)state;
	assert_int_equal(window_plan(&r, w, 10, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--since/--until"));
	assert_int_equal(n, 0);
	r.max_window_s = 0;
	assert_int_equal(window_plan(&r, w, 10, &n, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_with_lookback_and_lag),
		cmocka_unit_test(test_nothing_new),
		cmocka_unit_test(test_first_run_needs_a_start),
		cmocka_unit_test(test_backfill_overrides),
		cmocka_unit_test(test_too_many_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

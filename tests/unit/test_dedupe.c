/*
 * test_dedupe.c — streaming dedupe of order lines: newest version wins,
 * repeated lines count once, stale versions drop, header conflicts surface.
 */
#include "siyu/transform/dedupe.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static struct dedupe_line line(const char *order_no, const char *line_id, int64_t version)
{
	struct dedupe_line l = {
		"taobao", 6, "shop1", 5, order_no, strlen(order_no), line_id, strlen(line_id),
		version, 800, 0,
	};
	return l;
}

static enum dedupe_verdict judge(struct dedupe *d, struct dedupe_line l)
{
	enum dedupe_verdict v;

	assert_int_equal(dedupe_check(d, &l, &v), 0);
	return v;
}

static void test_versions(void **state)
{
	struct dedupe *d = dedupe_new();

	(void)state;
	assert_non_null(d);
	assert_int_equal(judge(d, line("A", "sku1", 100)), DEDUPE_KEEP);
	assert_int_equal(judge(d, line("A", "sku2", 100)), DEDUPE_KEEP);
	assert_int_equal(judge(d, line("A", "sku1", 100)), DEDUPE_DUPLICATE);
	assert_int_equal(judge(d, line("A", "sku1", 50)), DEDUPE_STALE);
	/* a newer version starts the order afresh: its sku1 is new again */
	assert_int_equal(judge(d, line("A", "sku1", 200)), DEDUPE_KEEP);
	assert_int_equal(judge(d, line("A", "sku2", 100)), DEDUPE_STALE);
	assert_int_equal(judge(d, line("A", "sku2", 200)), DEDUPE_KEEP);
	assert_int_equal(judge(d, line("B", "sku1", 100)), DEDUPE_KEEP);
	assert_int_equal(dedupe_orders(d), 2);
	dedupe_free(d);
}

static void test_identity_parts_do_not_run_together(void **state)
{
	struct dedupe *d = dedupe_new();
	struct dedupe_line a = line("1", "x", 1), b = line("1", "x", 1);

	(void)state;
	/* ("shop1", "1") and ("shop", "11") must be different orders */
	b.shop_id = "shop";
	b.shop_id_len = 4;
	b.order_no = "11";
	b.order_no_len = 2;
	a.shop_id = "shop1";
	assert_int_equal(judge(d, a), DEDUPE_KEEP);
	assert_int_equal(judge(d, b), DEDUPE_KEEP);
	assert_int_equal(dedupe_orders(d), 2);
	dedupe_free(d);
}

static void test_header_conflict(void **state)
{
	struct dedupe *d = dedupe_new();
	struct dedupe_line l = line("A", "sku2", 100);

	(void)state;
	assert_int_equal(judge(d, line("A", "sku1", 100)), DEDUPE_KEEP);
	l.shipping_fen = 1000;
	assert_int_equal(judge(d, l), DEDUPE_CONFLICT);
	dedupe_free(d);
}

static void test_many_orders_grow_table(void **state)
{
	struct dedupe *d = dedupe_new();
	char no[32];

	(void)state;
	for (int i = 0; i < 50000; i++) {
		snprintf(no, sizeof(no), "41234567890%08d", i);
		assert_int_equal(judge(d, line(no, "s", 1)), DEDUPE_KEEP);
	}
	for (int i = 0; i < 50000; i += 997) {
		snprintf(no, sizeof(no), "41234567890%08d", i);
		assert_int_equal(judge(d, line(no, "s", 1)), DEDUPE_DUPLICATE);
	}
	assert_int_equal(dedupe_orders(d), 50000);
	dedupe_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_identity_parts_do_not_run_together),
		cmocka_unit_test(test_header_conflict),
		cmocka_unit_test(test_many_orders_grow_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_pdd_json.c — unit tests of transform/pdd_json.c (one Pinduoduo order → canonical
 * lines): yuan as JSON numbers read from their text, the status fields, the paid amount
 * spread over the lines (oj_allocate_paid), rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/transform/pdd_json.h"

static const struct pdd_xform X = { "pdd-mall-1" };

/* The order of docs/api-pdd.md (goods 59.80 − discount 5.00 + postage 0 = 54.80). */
#define ORDER(confirm, ship, refund, items)                                                     \
	"{\"order_sn\":\"240301-123456789012345\",\"confirm_status\":" confirm ","                   \
	"\"order_status\":" ship ",\"refund_status\":" refund ",\"after_sales_status\":0,"            \
	"\"created_time\":\"2024-03-01 11:20:05\",\"pay_time\":\"2024-03-01 11:20:09\","             \
	"\"confirm_time\":\"2024-03-01 11:20:09\",\"updated_at\":\"2024-03-01 16:02:44\","           \
	"\"goods_amount\":59.8,\"discount_amount\":5.0,\"postage\":0.0,\"pay_amount\":54.8,"         \
	"\"receiver_name_mask\":\"张*\",\"item_list\":[" items "]}"
#define ITEM "{\"goods_id\":3456,\"sku_id\":7890,\"goods_name\":\"抽纸\",\"goods_spec\":\"24包\"," \
	     "\"goods_count\":2,\"goods_price\":29.9,\"outer_id\":\"SKU-01\"}"
#define ITEM2 "{\"goods_id\":3457,\"sku_id\":7891,\"goods_name\":\"湿巾\",\"goods_count\":1," \
	      "\"goods_price\":0.01,\"outer_id\":\"\"}"

static int run(const char *text, struct order_json *o, char *why)
{
	struct json_object *j = json_tokener_parse(text);
	int rc;

	assert_non_null(j);
	rc = pdd_order_parse(&X, j, o, why, 256);
	json_object_put(j);
	return rc;
}

static void test_shipped_order(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("1", "2", "1", ITEM), &o, why), 0);
	assert_int_equal(o.nlines, 1);
	assert_string_equal(o.key, "pdd/pdd-mall-1/240301-123456789012345");
	assert_int_equal(o.line[0].status, ORDER_SHIPPED);
	assert_int_equal(o.line[0].unit_price_fen, 2990); /* the JSON number's own digits */
	assert_int_equal(o.line[0].gross_fen, 5980);
	assert_int_equal(o.line[0].paid_fen, 5480);
	assert_int_equal(o.line[0].discount_fen, 500);
	assert_int_equal(o.line[0].shipping_fen, 0);
	assert_int_equal(o.line[0].buyer_id.n, 0);
	assert_int_equal(o.line[0].has_paid, 1);
	order_json_release(&o);
}

static void test_statuses(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("0", "1", "1", ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_PAID); /* 拼团中 */
	assert_int_equal(run(ORDER("1", "3", "1", ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_COMPLETED);
	assert_int_equal(run(ORDER("1", "3", "3", ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDING);
	assert_int_equal(o.line[0].refund_fen, 0);
	assert_int_equal(run(ORDER("1", "1", "4", ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDED);
	assert_int_equal(o.line[0].refund_fen, 5480);
	assert_int_equal(run(ORDER("2", "1", "1", ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_CANCELLED);
	assert_int_equal(run(ORDER("7", "1", "1", ITEM), &o, why), -1);
	assert_string_equal(why, "confirm_status/order_status/refund_status: unknown order "
				 "status \"7/1/1\"");
	order_json_release(&o);
}

static void test_two_items_share_the_payment(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	/* gross 59.80 + 0.01; paid 54.80 spread by gross, adding up exactly */
	assert_int_equal(run(ORDER("1", "1", "1", ITEM "," ITEM2), &o, why), 0);
	assert_int_equal(o.nlines, 2);
	assert_int_equal(o.line[0].paid_fen + o.line[1].paid_fen, 5480);
	assert_int_equal(o.line[0].paid_fen, 5479);
	assert_int_equal(o.line[1].paid_fen, 1);
	assert_true(o.line[1].sku.n == 9 && memcmp(o.line[1].sku.p, "3457-7891", 9) == 0);
	order_json_release(&o);
}

static void test_allocate_exact(void **state)
{
	struct order_json o = { 0 };
	int64_t g[] = { 100, 100, 100 }, sum = 0;

	(void)state;
	assert_int_equal(order_json_grow(&o, 3), 0);
	for (int i = 0; i < 3; i++)
		o.line[i].gross_fen = g[i];
	assert_int_equal(oj_allocate_paid(&o, 3, 200), 0);
	for (int i = 0; i < 3; i++)
		sum += o.line[i].paid_fen;
	assert_int_equal(sum, 200);
	assert_int_equal(o.line[0].paid_fen, 67); /* ties to the earlier line */
	assert_int_equal(o.line[2].paid_fen, 66);
	for (int i = 0; i < 3; i++)
		o.line[i].gross_fen = 0;
	assert_int_equal(oj_allocate_paid(&o, 3, 5), 0);
	assert_int_equal(o.line[0].paid_fen, 2);
	assert_int_equal(o.line[2].paid_fen, 1);
	assert_int_equal(oj_allocate_paid(&o, 3, -1), -1);
	order_json_release(&o);
}

static void test_rejects(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("1", "1", "1", "{\"goods_id\":1,\"sku_id\":2,\"goods_name\":\"x\","
				   "\"goods_count\":1,\"goods_price\":12.345}"), &o, why), -1);
	assert_string_equal(why, "goods_price: more than 2 decimals \"12.345\"");
	assert_int_equal(run(ORDER("1", "1", "1", ""), &o, why), -1);
	assert_string_equal(why, "item_list: no lines");
	assert_int_equal(run("{\"order_sn\":240301,\"confirm_status\":1}", &o, why), -1);
	assert_string_equal(why, "created_time: missing");
	order_json_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_order),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_two_items_share_the_payment),
		cmocka_unit_test(test_allocate_exact),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

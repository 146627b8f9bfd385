/*
 * test_douyin_json.c — unit tests of transform/douyin_json.c (one 抖店 shop order →
 * canonical lines): epoch times, integer fen, 4 cancelled or refunded by pay_time, line
 * after-sales (28 = cancelled), rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/transform/douyin_json.h"

static const struct douyin_xform X = { "4463798" };

/* The order of docs/api-douyin.md with its status, pay_time and sku orders given. */
#define ORDER(status, pay_time, skus)                                                          \
	"{\"order_id\":\"6920012345678901234\",\"shop_id\":4463798,\"order_status\":" status ","    \
	"\"order_status_desc\":\"\",\"create_time\":1709262000,\"update_time\":1709290000,"         \
	"\"pay_time\":" pay_time ",\"order_amount\":11900,\"pay_amount\":10900,\"post_amount\":0,"  \
	"\"promotion_amount\":1000,\"doudian_open_id\":\"1@#Xk0pen\",\"mask_post_receiver\":"        \
	"\"张**\",\"sku_order_list\":[" skus "]}"
#define SKU(id, rs, as)                                                                        \
	"{\"order_id\":\"" id "\",\"product_id\":\"3600000001\",\"sku_id\":\"1740000001\","         \
	"\"out_sku_id\":\"SKU-01\",\"code\":\"SKU-01\",\"product_name\":\"保温杯\",\"item_num\":1,"   \
	"\"origin_amount\":11900,\"pay_amount\":10900,\"after_sale_info\":{\"after_sale_status\":"  \
	as ",\"refund_status\":" rs "}}"

static int run(const char *text, struct order_json *o, char *why)
{
	struct json_object *j = json_tokener_parse(text);
	int rc;

	assert_non_null(j);
	rc = douyin_order_parse(&X, j, o, why, 256);
	json_object_put(j);
	return rc;
}

static void test_shipped(void **state)
{
	struct json_object *j = json_tokener_parse(ORDER("3", "1709262012",
							  SKU("6920012345678901235", "0", "0")));
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(douyin_order_parse(&X, j, &o, why, sizeof(why)), 0);
	assert_string_equal(o.key, "douyin/4463798/6920012345678901234");
	assert_int_equal(o.line[0].status, ORDER_SHIPPED);
	assert_int_equal(o.line[0].unit_price_fen, 11900);
	assert_int_equal(o.line[0].paid_fen, 10900);
	assert_int_equal(o.line[0].discount_fen, 1000);
	assert_int_equal(o.line[0].has_paid, 1);
	assert_int_equal(o.line[0].created.has_offset, 1); /* epoch seconds: UTC */
	assert_int_equal(o.line[0].created.hour, 3);
	assert_true(o.line[0].line_id.n == 19 &&
		    !memcmp(o.line[0].line_id.p, "6920012345678901235", 19));
	assert_true(o.line[0].buyer_id.n == 9 && !memcmp(o.line[0].buyer_id.p, "1@#Xk0pen", 9));
	json_object_put(j);
	order_json_release(&o);
}

static void test_statuses_and_refunds(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("4", "0", SKU("1", "0", "0")), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_CANCELLED);
	assert_int_equal(o.line[0].has_paid, 0);
	assert_int_equal(run(ORDER("4", "1709262012", SKU("1", "0", "0")), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDED);
	assert_int_equal(o.line[0].refund_fen, 10900);
	assert_int_equal(run(ORDER("5", "1709262012", SKU("1", "1", "6") "," SKU("2", "0", "0")),
			     &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDING);
	/* a refund_status 1 whose after-sale the buyer cancelled (28) is no refund */
	assert_int_equal(run(ORDER("5", "1709262012", SKU("1", "1", "28")), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_COMPLETED);
	assert_int_equal(run(ORDER("5", "1709262012", SKU("1", "3", "12") "," SKU("2", "0", "0")),
			     &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_COMPLETED);
	assert_int_equal(o.line[0].refund_fen, 10900);
	assert_int_equal(o.line[1].refund_fen, 0);
	assert_int_equal(run(ORDER("105", "1709262012", SKU("1", "3", "12") "," SKU("2", "3", "12")),
			     &o, why), 0);
	assert_int_equal(o.line[1].status, ORDER_REFUNDED);
	order_json_release(&o);
}

static void test_rejects(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("77", "1709262012", SKU("1", "0", "0")), &o, why), -1);
	assert_string_equal(why, "order_status: unknown order status \"77\"");
	assert_int_equal(run(ORDER("5", "1709262012", SKU("1", "9", "0")), &o, why), -1);
	assert_string_equal(why, "after_sale_info.refund_status: unknown refund status \"9\"");
	assert_int_equal(run(ORDER("5", "1709262012", "{\"order_id\":\"1\",\"code\":\"A\","
				   "\"product_name\":\"x\",\"item_num\":1,\"origin_amount\":99.5,"
				   "\"pay_amount\":1}"), &o, why), -1);
	assert_string_equal(why, "origin_amount: not an integer \"99.5\"");
	assert_int_equal(run(ORDER("5", "\"soon\"", SKU("1", "0", "0")), &o, why), -1);
	assert_string_equal(why, "pay_time: not epoch seconds \"soon\"");
	order_json_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_statuses_and_refunds),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

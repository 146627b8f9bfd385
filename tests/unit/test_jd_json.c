/*
 * test_jd_json.c — unit tests of transform/jd_json.c (one JD orderInfo → canonical lines):
 * the 0001-01-01 sentinel, TRADE_CANCELED paid or not, LOCKED, the payment spread over
 * the items, rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/transform/jd_json.h"

static const struct jd_xform X = { "jd-vender-10001" };

/* The order of docs/api-jd.md, with the state and paymentConfirmTime given. */
#define ORDER(state, paid, items)                                                               \
	"{\"orderId\":\"289533745721\",\"venderId\":\"10001\",\"orderType\":\"22\","                 \
	"\"orderState\":\"" state "\",\"orderStartTime\":\"2024-03-01 09:00:02\","                  \
	"\"modified\":\"2024-03-01 18:40:00\",\"paymentConfirmTime\":\"" paid "\","                  \
	"\"orderEndTime\":\"0001-01-01 00:00:00\",\"orderTotalPrice\":\"199.00\","                   \
	"\"sellerDiscount\":\"20.00\",\"orderSellerPrice\":\"179.00\",\"freightPrice\":\"0.00\","    \
	"\"orderPayment\":\"169.00\",\"open_id_buyer\":\"o0xBuyer\",\"xid_buyer\":\"xBuyer\","       \
	"\"itemInfoList\":[" items "],\"consigneeInfo\":{\"fullname\":\"张**\","                      \
	"\"mobile\":\"138****0000\"}}"
#define ITEM "{\"skuId\":\"100012\",\"outerSkuId\":\"SKU-01\",\"wareId\":\"5001\"," \
	     "\"skuName\":\"保温杯 500ml\",\"jdPrice\":\"199.00\",\"itemTotal\":\"1\"}"
#define PAID "2024-03-01 09:00:20"
#define NEVER "0001-01-01 00:00:00"

static int run(const char *text, struct order_json *o, char *why)
{
	struct json_object *j = json_tokener_parse(text);
	int rc;

	assert_non_null(j);
	rc = jd_order_parse(&X, j, o, why, 256);
	json_object_put(j);
	return rc;
}

static void test_shipped(void **state)
{
	struct json_object *j = json_tokener_parse(ORDER("WAIT_GOODS_RECEIVE_CONFIRM", PAID, ITEM));
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(jd_order_parse(&X, j, &o, why, sizeof(why)), 0);
	assert_string_equal(o.key, "jd/jd-vender-10001/289533745721");
	assert_int_equal(o.line[0].status, ORDER_SHIPPED);
	assert_int_equal(o.line[0].gross_fen, 19900);
	assert_int_equal(o.line[0].paid_fen, 16900);
	assert_int_equal(o.line[0].discount_fen, 3000);
	assert_int_equal(o.line[0].has_paid, 1);
	assert_true(o.line[0].buyer_id.n == 8 && !memcmp(o.line[0].buyer_id.p, "o0xBuyer", 8));
	assert_true(o.line[0].line_id.n == 6 && !memcmp(o.line[0].line_id.p, "100012", 6));
	json_object_put(j);
	order_json_release(&o);
}

static void test_states(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("TRADE_CANCELED", PAID, ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDED);
	assert_int_equal(o.line[0].refund_fen, 16900);
	assert_int_equal(run(ORDER("TRADE_CANCELED", NEVER, ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_CANCELLED);
	assert_int_equal(o.line[0].has_paid, 0);
	assert_int_equal(o.line[0].refund_fen, 0);
	assert_int_equal(run(ORDER("LOCKED", PAID, ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDING);
	assert_int_equal(run(ORDER("FINISHED_L", PAID, ITEM "," ITEM), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_COMPLETED);
	assert_int_equal(o.line[0].paid_fen + o.line[1].paid_fen, 16900);
	assert_int_equal(run(ORDER("WAIT_PAY_WHAT", PAID, ITEM), &o, why), -1);
	assert_string_equal(why, "orderState: unknown order status \"WAIT_PAY_WHAT\"");
	order_json_release(&o);
}

static void test_rejects(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("FINISHED_L", PAID, "{\"skuId\":\"1\",\"skuName\":\"x\","
				   "\"jdPrice\":\"12.345\",\"itemTotal\":\"1\"}"), &o, why), -1);
	assert_string_equal(why, "jdPrice: more than 2 decimals \"12.345\"");
	assert_int_equal(run(ORDER("FINISHED_L", PAID, "{\"skuId\":\"1\",\"skuName\":\"x\","
				   "\"jdPrice\":\"1.00\",\"itemTotal\":\"two\"}"), &o, why), -1);
	assert_string_equal(why, "itemTotal: not a whole number of at least 1 \"two\"");
	assert_int_equal(run(ORDER("FINISHED_L", PAID, ""), &o, why), -1);
	assert_string_equal(why, "itemInfoList: no lines");
	assert_int_equal(run("{\"orderId\":2.89e11}", &o, why), -1);
	assert_non_null(strstr(why, "orderId: not an exact integer"));
	order_json_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

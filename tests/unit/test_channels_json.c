/*
 * test_channels_json.c — unit tests of transform/channels_json.c (one WeChat Channels
 * shop order → canonical lines): the shape of /channels/ec/order/get (as in the
 * fudiwei/DotNetCore.SKIT.FlurlHttpClient.Wechat model samples), after-sale counts, the
 * payment spread when real_price is absent, openid + unionid, rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/transform/channels_json.h"

static const struct channels_xform X = { "wx-shop-1" };

#define ORDER(status, products, after)                                                         \
	"{\"errcode\":0,\"errmsg\":\"ok\",\"order\":{\"order_id\":\"3704612354559743232\","         \
	"\"status\":" status ",\"create_time\":1709262000,\"update_time\":1709262030,"               \
	"\"openid\":\"o9AbcOpen\",\"unionid\":\"oU7xyUnion\",\"order_detail\":{\"product_infos\":["  \
	products "],\"price_info\":{\"product_price\":20000,\"order_price\":10500,\"freight\":500,"  \
	"\"discounted_price\":10000,\"is_discounted\":true},\"pay_info\":{\"transaction_id\":"       \
	"\"4200002\",\"pay_time\":1709262012},\"delivery_info\":{\"address_info\":{\"user_name\":"   \
	"\"陈**\",\"tel_number\":\"138****0000\"}}},\"aftersale_detail\":{"                          \
	"\"on_aftersale_order_cnt\":" after "}}}"
#define PRODUCT(on, done)                                                                      \
	"{\"product_id\":\"234245\",\"sku_id\":\"23424\",\"sku_cnt\":10,\"on_aftersale_sku_cnt\":"   \
	on ",\"finish_aftersale_sku_cnt\":" done ",\"title\":\"健身环\",\"sale_price\":2000,"         \
	"\"market_price\":2000}"
#define PRODUCT_REAL "{\"product_id\":\"1\",\"sku_id\":\"2\",\"out_sku_id\":\"SKU-01\"," \
		     "\"sku_cnt\":1,\"title\":\"保温杯\",\"sale_price\":11900,\"real_price\":10900}"

static int run(const char *text, struct order_json *o, char *why)
{
	struct json_object *j = json_tokener_parse(text);
	int rc;

	assert_non_null(j);
	rc = channels_order_parse(&X, j, o, why, 256);
	json_object_put(j);
	return rc;
}

static void test_paid_with_aftersale(void **state)
{
	struct json_object *j = json_tokener_parse(ORDER("20", PRODUCT("10", "0"), "1"));
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(channels_order_parse(&X, j, &o, why, sizeof(why)), 0);
	assert_string_equal(o.key, "channels/wx-shop-1/3704612354559743232");
	assert_int_equal(o.line[0].status, ORDER_REFUNDING);
	assert_int_equal(o.line[0].gross_fen, 20000);
	assert_int_equal(o.line[0].paid_fen, 10000); /* order_price − freight, no real_price */
	assert_int_equal(o.line[0].shipping_fen, 500);
	assert_int_equal(o.line[0].discount_fen, 10000);
	assert_true(o.line[0].buyer_id.n == 9 && !memcmp(o.line[0].buyer_id.p, "o9AbcOpen", 9));
	assert_true(o.line[0].unionid.n == 10 && !memcmp(o.line[0].unionid.p, "oU7xyUnion", 10));
	assert_true(o.line[0].sku.n == 12 && !memcmp(o.line[0].sku.p, "234245-23424", 12));
	json_object_put(j);
	order_json_release(&o);
}

static void test_statuses(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("100", PRODUCT("0", "0"), "0"), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_COMPLETED);
	assert_int_equal(run(ORDER("100", PRODUCT("0", "10"), "0"), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDED);
	assert_int_equal(o.line[0].refund_fen, 10000);
	assert_int_equal(run(ORDER("30", PRODUCT_REAL "," PRODUCT("0", "10"), "0"), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_SHIPPED);
	assert_int_equal(o.line[0].paid_fen + o.line[1].paid_fen, 10000); /* spread: one lacks real_price */
	assert_int_equal(o.line[0].refund_fen, 0);
	assert_int_equal(o.line[1].refund_fen, o.line[1].paid_fen);
	assert_int_equal(run(ORDER("30", PRODUCT_REAL, "1"), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDING); /* the order's count alone */
	assert_int_equal(o.line[0].paid_fen, 10900);         /* real_price */
	assert_int_equal(run(ORDER("250", PRODUCT_REAL, "0"), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_CANCELLED);
	assert_int_equal(run(ORDER("200", PRODUCT_REAL, "0"), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDED);
	order_json_release(&o);
}

static void test_rejects(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(ORDER("77", PRODUCT_REAL, "0"), &o, why), -1);
	assert_string_equal(why, "status: unknown order status \"77\"");
	assert_int_equal(run(ORDER("20", "{\"sku_id\":\"1\",\"sku_cnt\":1,\"title\":\"x\","
				   "\"sale_price\":\"11.9\"}", "0"), &o, why), -1);
	assert_string_equal(why, "sale_price: not an integer \"11.9\"");
	assert_int_equal(run(ORDER("20", "", "0"), &o, why), -1);
	assert_string_equal(why, "order_detail.product_infos: no lines");
	assert_int_equal(run("{\"order\":{\"order_id\":\"1\"}}", &o, why), -1);
	assert_string_equal(why, "order_detail: missing");
	order_json_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paid_with_aftersale),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

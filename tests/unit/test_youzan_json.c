/*
 * test_youzan_json.c — transform/youzan_json.c: one Youzan full_order_info → canonical
 * order lines: the status map (both TRADE_CLOSED cases, refund_state), money to the fen,
 * "" times, lines and skus, phones (plain hashed, ciphertext skipped, no key fails the
 * source) and the records that must be rejected, with their reasons.
 */
#include "siyu/transform/youzan_json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static const unsigned char KEY[] = "unit-test-pii-key-0123";

/* An order with the given status, refund_state, pay_time and an extra order_info field. */
static struct json_object *order(const char *status, int refund, const char *pay_time,
				 const char *price, const char *phone)
{
	char text[4096];
	struct json_object *o;

	snprintf(text, sizeof(text),
		 "{\"full_order_info\":{\"order_info\":{\"tid\":\"E20241104143713093806201\","
		 "\"status\":\"%s\",\"created\":\"2024-11-04 14:37:14\","
		 "\"update_time\":\"2024-11-05 15:20:36\",\"pay_time\":\"%s\",\"consign_time\":\"\","
		 "\"refund_state\":%d,\"type\":0,\"shop_name\":\"小店\"},"
		 "\"pay_info\":{\"total_fee\":\"281.70\",\"post_fee\":\"8.00\",\"payment\":\"264.14\"},"
		 "\"buyer_info\":{\"yz_open_id\":\"lDWyZBas8076\",\"outer_user_id\":\"oY0DB6wv\","
		 "\"buyer_phone\":\"%s\"},"
		 "\"orders\":[{\"oid\":\"3071\",\"item_id\":412,\"sku_id\":0,\"outer_sku_id\":\"SKU-01\","
		 "\"title\":\"猫粮 2kg\",\"num\":1,\"price\":\"%s\",\"total_fee\":\"89.00\","
		 "\"payment\":\"79.14\"},"
		 "{\"oid\":3072,\"item_id\":413,\"sku_id\":77,\"outer_sku_id\":\"\",\"title\":\"猫砂\","
		 "\"num\":3,\"price\":\"64.23\",\"total_fee\":\"192.70\",\"payment\":\"177.00\"}]}}",
		 status, pay_time, refund, phone, price);
	o = json_tokener_parse(text);
	assert_non_null(o);
	return o;
}

static int parse(struct json_object *item, struct order_json *o, char *why, size_t n,
		 const unsigned char *key)
{
	struct youzan_xform x = { "12345678", key, key ? strlen((const char *)key) : 0, 0 };

	return youzan_order_parse(&x, item, o, why, n);
}

static enum order_status status_of(const char *st, int refund, const char *pay_time)
{
	struct json_object *j = order(st, refund, pay_time, "89.00", "");
	struct order_json o = { 0 };
	char why[256] = "";
	enum order_status s;

	assert_int_equal(parse(j, &o, why, sizeof(why), KEY), 0);
	s = o.line[0].status;
	assert_int_equal(o.line[1].status, s);
	order_json_release(&o);
	json_object_put(j);
	return s;
}

static void test_status_map(void **state)
{
	const char *paid = "2024-11-04 14:37:23";

	(void)state;
	assert_int_equal(status_of("WAIT_BUYER_PAY", 0, ""), ORDER_UNPAID);
	assert_int_equal(status_of("WAIT_SELLER_SEND_GOODS", 0, paid), ORDER_PAID);
	assert_int_equal(status_of("WAIT_BUYER_CONFIRM_GOODS", 0, paid), ORDER_SHIPPED);
	assert_int_equal(status_of("TRADE_SUCCESS", 0, paid), ORDER_COMPLETED);
	/* TRADE_CLOSED: never paid → cancelled, paid → refunded */
	assert_int_equal(status_of("TRADE_CLOSED", 0, ""), ORDER_CANCELLED);
	assert_int_equal(status_of("TRADE_CLOSED", 0, paid), ORDER_REFUNDED);
	/* refund_state: 2 partial refunded keeps the status; 1, 11 refunding; 12 refunded */
	assert_int_equal(status_of("TRADE_SUCCESS", 2, paid), ORDER_COMPLETED);
	assert_int_equal(status_of("WAIT_SELLER_SEND_GOODS", 1, paid), ORDER_REFUNDING);
	assert_int_equal(status_of("WAIT_SELLER_SEND_GOODS", 11, paid), ORDER_REFUNDING);
	assert_int_equal(status_of("TRADE_SUCCESS", 12, paid), ORDER_REFUNDED);
}

static void test_lines_money_times(void **state)
{
	struct json_object *j = order("TRADE_SUCCESS", 0, "2024-11-04 14:37:23", "89.00", "");
	struct order_json o = { 0 };
	char why[256] = "", t[LTIME_FMT_SIZE];
	const struct order_line *a, *b;

	(void)state;
	assert_int_equal(parse(j, &o, why, sizeof(why), KEY), 0);
	assert_int_equal(o.nlines, 2);
	assert_string_equal(o.key, "youzan/12345678/E20241104143713093806201");
	a = &o.line[0];
	b = &o.line[1];
	assert_memory_equal(a->platform.p, "youzan", 6);
	assert_memory_equal(a->shop_id.p, "12345678", 8);
	assert_int_equal(a->order_no.n, strlen("E20241104143713093806201"));
	assert_int_equal(a->line_no, 1);
	assert_int_equal(b->line_no, 2);
	assert_memory_equal(a->line_id.p, "3071", 4);
	assert_memory_equal(b->line_id.p, "3072", 4); /* a number oid is text */
	assert_int_equal(a->sku.n, 6);
	assert_memory_equal(a->sku.p, "SKU-01", 6);
	assert_int_equal(b->sku.n, strlen("413-77"));
	assert_memory_equal(b->sku.p, "413-77", 6); /* no outer_sku_id: item_id-sku_id */
	assert_memory_equal(a->buyer_id.p, "lDWyZBas8076", 12);
	assert_int_equal(a->unionid.n, 0);
	/* money to the fen */
	assert_int_equal(a->unit_price_fen, 8900);
	assert_int_equal(a->gross_fen, 8900);
	assert_int_equal(a->paid_fen, 7914);
	assert_int_equal(b->unit_price_fen, 6423);
	assert_int_equal(b->gross_fen, 19269);
	assert_int_equal(b->quantity, 3);
	assert_int_equal(b->paid_fen, 17700);
	assert_int_equal(a->shipping_fen, 800);
	assert_int_equal(b->shipping_fen, 800);
	/* order discount: total_fee 281.70 - Σ payment 256.14 */
	assert_int_equal(a->discount_fen, 2556);
	assert_int_equal(a->refund_fen, 0);
	/* times: local China times, "" is absent */
	assert_true(a->has_paid);
	assert_true(ltime_format(&a->updated, t, sizeof(t)) > 0);
	assert_string_equal(t, "2024-11-05 15:20:36");
	assert_true(ltime_format(&a->created, t, sizeof(t)) > 0);
	assert_string_equal(t, "2024-11-04 14:37:14");
	order_json_release(&o);
	json_object_put(j);

	j = order("WAIT_BUYER_PAY", 0, "", "89.00", "");
	assert_int_equal(parse(j, &o, why, sizeof(why), KEY), 0);
	assert_false(o.line[0].has_paid);
	order_json_release(&o);
	json_object_put(j);
}

static void test_refunded_lines(void **state)
{
	struct json_object *j = order("TRADE_CLOSED", 12, "2024-11-04 14:37:23", "89.00", "");
	struct order_json o = { 0 };
	char why[256] = "";

	(void)state;
	assert_int_equal(parse(j, &o, why, sizeof(why), KEY), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDED);
	assert_int_equal(o.line[0].refund_fen, 7914);
	assert_int_equal(o.line[1].refund_fen, 17700);
	order_json_release(&o);
	json_object_put(j);
}

static void test_phones(void **state)
{
	struct json_object *j = order("TRADE_SUCCESS", 0, "2024-11-04 14:37:23", "89.00",
				      "+86 138-1234-5678");
	struct youzan_xform x = { "1", KEY, sizeof(KEY) - 1, 0 };
	struct order_json o = { 0 };
	char why[256] = "";

	(void)state;
	assert_int_equal(youzan_order_parse(&x, j, &o, why, sizeof(why)), 0);
	assert_true(o.line[0].has_phone);
	assert_string_equal(o.line[0].phone_masked, "138****5678");
	assert_int_equal(strlen(o.line[0].phone_hash), 64);
	json_object_put(j);
	/* ciphertext and masked phones are skipped, not rejected */
	j = order("TRADE_SUCCESS", 0, "2024-11-04 14:37:23", "89.00", "$eTS8Qn/ZH==$1$");
	assert_int_equal(youzan_order_parse(&x, j, &o, why, sizeof(why)), 0);
	assert_false(o.line[0].has_phone);
	assert_int_equal(x.phones_skipped, 1);
	json_object_put(j);
	/* a plain phone without a key stops the source */
	j = order("TRADE_SUCCESS", 0, "2024-11-04 14:37:23", "89.00", "13812345678");
	assert_int_equal(parse(j, &o, why, sizeof(why), NULL), -2);
	assert_non_null(strstr(why, "SIYU_PII_KEY"));
	order_json_release(&o);
	json_object_put(j);
}

/* Parse text (an order), expect a reject whose reason contains want. */
static void expect_reject(const char *text, const char *want)
{
	struct json_object *j = json_tokener_parse(text);
	struct order_json o = { 0 };
	char why[256] = "";

	assert_non_null(j);
	assert_int_equal(parse(j, &o, why, sizeof(why), KEY), -1);
	if (!strstr(why, want))
		fail_msg("reason \"%s\" lacks \"%s\"", why, want);
	order_json_release(&o);
	json_object_put(j);
}

static void test_rejects(void **state)
{
	struct json_object *j;
	struct order_json o = { 0 };
	char why[256] = "";

	(void)state;
	j = order("TRADE_WEIRD", 0, "", "89.00", "");
	assert_int_equal(parse(j, &o, why, sizeof(why), KEY), -1);
	assert_string_equal(why, "order_info.status: unknown order status \"TRADE_WEIRD\"");
	json_object_put(j);
	j = order("TRADE_SUCCESS", 0, "", "12.345", "");
	assert_int_equal(parse(j, &o, why, sizeof(why), KEY), -1);
	assert_string_equal(why, "price: more than 2 decimals \"12.345\"");
	assert_string_equal(o.key, "youzan/12345678/E20241104143713093806201");
	json_object_put(j);
	j = order("TRADE_SUCCESS", 5, "", "89.00", "");
	assert_int_equal(parse(j, &o, why, sizeof(why), KEY), -1);
	assert_string_equal(why, "order_info.refund_state: unknown refund state \"5\"");
	json_object_put(j);
	order_json_release(&o);

	expect_reject("{\"full_order_info\":{\"order_info\":{\"status\":\"TRADE_SUCCESS\"}}}",
		      "order_info.tid: missing");
	expect_reject("{\"full_order_info\":{\"order_info\":{\"tid\":\"E1\",\"status\":\"TRADE_SUCCESS\","
		      "\"created\":\"\",\"update_time\":\"2024-11-05 15:20:36\"}}}",
		      "created: missing");
	expect_reject("{\"full_order_info\":{\"order_info\":{\"tid\":\"E1\",\"status\":\"TRADE_SUCCESS\","
		      "\"created\":\"2024-11-05 15:20:36\",\"update_time\":\"2024-02-30 10:00:00\"}}}",
		      "update_time: impossible date");
	expect_reject("{\"full_order_info\":{\"order_info\":{\"tid\":\"E1\",\"status\":\"TRADE_SUCCESS\","
		      "\"created\":\"2024-11-05 15:20:36\",\"update_time\":\"2024-11-04 10:00:00\"}}}",
		      "earlier than created");
	expect_reject("{\"full_order_info\":{\"order_info\":{\"tid\":\"E1\",\"status\":\"TRADE_SUCCESS\","
		      "\"created\":\"2024-11-04 15:20:36\",\"update_time\":\"2024-11-05 10:00:00\","
		      "\"pay_time\":\"2024-11-04 15:21:00\"},\"pay_info\":{\"post_fee\":\"0.00\"},"
		      "\"orders\":[]}}", "orders: no order lines");
	expect_reject("{\"full_order_info\":{\"order_info\":{\"tid\":\"E1\",\"status\":\"TRADE_SUCCESS\","
		      "\"created\":\"2024-11-04 15:20:36\",\"update_time\":\"2024-11-05 10:00:00\"},"
		      "\"pay_info\":{\"post_fee\":\"0.00\"},\"orders\":[{\"oid\":\"1\",\"item_id\":5,"
		      "\"num\":0,\"price\":\"1.00\",\"payment\":\"1.00\"}]}}",
		      "orders[0].num: not a whole number of at least 1 \"0\"");
	expect_reject("{\"full_order_info\":{\"order_info\":{\"tid\":\"E1\",\"status\":\"TRADE_SUCCESS\","
		      "\"created\":\"2024-11-04 15:20:36\",\"update_time\":\"2024-11-05 10:00:00\"},"
		      "\"pay_info\":{\"post_fee\":\"-1.00\"},\"orders\":[]}}",
		      "post_fee: negative amount");
	expect_reject("[1]", "full_order_info: not an object");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_map),
		cmocka_unit_test(test_lines_money_times),
		cmocka_unit_test(test_refunded_lines),
		cmocka_unit_test(test_phones),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

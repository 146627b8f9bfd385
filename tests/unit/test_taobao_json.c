/*
 * test_taobao_json.c — unit tests of transform/taobao_json.c (one TOP trade → canonical
 * lines) and of the shared readers of transform/order_json.c it uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/transform/taobao_json.h"

static const struct taobao_xform X = { "taobao", "tb-shop-1" };

/* The shape of trades.trade[] in taobao.trades.sold.increment.get (a 19-digit tid). */
#define TRADE(status, tid, lines)                                                              \
	"{\"tid\":" tid ",\"tid_str\":\"" tid "\",\"status\":\"" status "\",\"type\":\"fixed\","    \
	"\"created\":\"2024-03-01 10:02:11\",\"modified\":\"2024-03-01 10:03:40\","                \
	"\"pay_time\":\"2024-03-01 10:03:40\",\"payment\":\"158.00\",\"total_fee\":\"168.00\","     \
	"\"post_fee\":\"0.00\",\"buyer_open_uid\":\"AAHk5d-EAAeGwJedwSFu0XXX\","                    \
	"\"buyer_nick\":\"t**1\",\"orders\":{\"order\":[" lines "]}}"

#define LINE(oid, refund)                                                                      \
	"{\"oid\":" oid ",\"oid_str\":\"" oid "\",\"num_iid\":123456,\"sku_id\":\"5001\","          \
	"\"outer_sku_id\":\"SKU-01\",\"title\":\"保温杯\",\"num\":2,\"price\":\"84.00\","             \
	"\"total_fee\":\"168.00\",\"payment\":\"160.00\",\"divide_order_fee\":\"158.00\","          \
	"\"status\":\"WAIT_SELLER_SEND_GOODS\",\"refund_status\":\"" refund "\"}"

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static int run(const char *text, struct order_json *o, char *why)
{
	struct json_object *t = parse(text);
	int rc = taobao_trade_parse(&X, t, o, why, 256);

	json_object_put(t);
	return rc;
}

static int span_is(struct span s, const char *want)
{
	return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

static void test_paid_trade(void **state)
{
	struct json_object *t = parse(TRADE("WAIT_SELLER_SEND_GOODS", "2231958349001234567",
					    LINE("2231958349001234568", "NO_REFUND")));
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(taobao_trade_parse(&X, t, &o, why, sizeof(why)), 0);
	assert_int_equal(o.nlines, 1);
	assert_string_equal(o.key, "taobao/tb-shop-1/2231958349001234567");
	assert_true(span_is(o.line[0].order_no, "2231958349001234567"));
	assert_true(span_is(o.line[0].line_id, "2231958349001234568"));
	assert_true(span_is(o.line[0].buyer_id, "AAHk5d-EAAeGwJedwSFu0XXX"));
	assert_true(span_is(o.line[0].sku, "SKU-01"));
	assert_int_equal(o.line[0].status, ORDER_PAID);
	assert_int_equal(o.line[0].quantity, 2);
	assert_int_equal(o.line[0].unit_price_fen, 8400);
	assert_int_equal(o.line[0].gross_fen, 16800);
	assert_int_equal(o.line[0].paid_fen, 15800); /* divide_order_fee, not payment */
	assert_int_equal(o.line[0].refund_fen, 0);
	assert_int_equal(o.line[0].discount_fen, 1000);
	assert_int_equal(o.line[0].has_paid, 1);
	assert_int_equal(o.line[0].updated.minute, 3);
	assert_int_equal(o.line[0].updated.has_offset, 0); /* China time, the source's zone */
	json_object_put(t);
	order_json_release(&o);
}

static void test_refunds(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	/* one line of two refunded: the order keeps its status, that line's refund counts */
	assert_int_equal(run(TRADE("TRADE_FINISHED", "2231958349001234567",
				   LINE("11", "SUCCESS") "," LINE("12", "NO_REFUND")), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_COMPLETED);
	assert_int_equal(o.line[0].refund_fen, 15800);
	assert_int_equal(o.line[1].refund_fen, 0);
	/* a line waiting for the seller: refunding */
	assert_int_equal(run(TRADE("TRADE_FINISHED", "1", LINE("11", "WAIT_SELLER_AGREE") ","
					  LINE("12", "CLOSED")), &o, why), 0);
	assert_int_equal(o.line[1].status, ORDER_REFUNDING);
	assert_int_equal(o.line[0].refund_fen, 0);
	/* every line refunded: refunded */
	assert_int_equal(run(TRADE("WAIT_BUYER_CONFIRM_GOODS", "1", LINE("11", "SUCCESS") ","
					  LINE("12", "SUCCESS")), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDED);
	/* closed after a full refund */
	assert_int_equal(run(TRADE("TRADE_CLOSED", "1", LINE("11", "NO_REFUND")), &o, why), 0);
	assert_int_equal(o.line[0].status, ORDER_REFUNDED);
	assert_int_equal(o.line[0].refund_fen, 15800);
	/* closed before payment */
	assert_int_equal(run(TRADE("TRADE_CLOSED_BY_TAOBAO", "1", LINE("11", "NO_REFUND")), &o,
			     why), 0);
	assert_int_equal(o.line[0].status, ORDER_CANCELLED);
	order_json_release(&o);
}

static void test_rejects(void **state)
{
	struct order_json o = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(run(TRADE("TRADE_WEIRD", "1", LINE("11", "NO_REFUND")), &o, why), -1);
	assert_string_equal(why, "status: unknown order status \"TRADE_WEIRD\"");
	assert_int_equal(run(TRADE("TRADE_FINISHED", "1", LINE("11", "NOT_A_REFUND")), &o, why), -1);
	assert_string_equal(why, "refund_status: unknown refund status \"NOT_A_REFUND\"");
	assert_int_equal(run("{\"tid\":2.231958349e18,\"status\":\"TRADE_FINISHED\"}", &o, why), -1);
	assert_non_null(strstr(why, "tid: not an exact integer"));
	assert_int_equal(run(TRADE("TRADE_FINISHED", "1", "{\"oid\":11,\"num\":1,\"price\":\"12.345\","
					  "\"payment\":\"1.00\",\"outer_sku_id\":\"A\"}"), &o, why), -1);
	assert_string_equal(why, "price: more than 2 decimals \"12.345\"");
	assert_int_equal(run(TRADE("TRADE_FINISHED", "1", "{\"oid\":11,\"num\":0,\"price\":\"1.00\","
					  "\"payment\":\"1.00\",\"outer_sku_id\":\"A\"}"), &o, why), -1);
	assert_string_equal(why, "num: not a whole number of at least 1 \"0\"");
	assert_int_equal(run(TRADE("TRADE_FINISHED", "1", ""), &o, why), -1);
	assert_string_equal(why, "orders.order: no lines");
	assert_int_equal(run("{\"tid_str\":\"9\",\"status\":\"TRADE_FINISHED\",\"created\":"
			     "\"2024-03-01 10:02:11\"}", &o, why), -1);
	assert_string_equal(why, "modified: missing");
	assert_int_equal(run("[]", &o, why), -1);
	order_json_release(&o);
}

/* The shared readers: sentinels, epoch, yuan as a JSON number, fen. */
static void test_readers(void **state)
{
	struct json_object *j = parse("{\"end\":\"0001-01-01 00:00:00\",\"zero\":\"1970-01-01 00:00:00\","
				      "\"t\":1709262000,\"t0\":0,\"yuan\":29.9,\"yuan2\":54.80,"
				      "\"bad\":1e3,\"fen\":10900,\"fenstr\":\"10900\",\"neg\":-1,"
				      "\"id\":6920012345678901234}");
	struct ltime t;
	int present;
	int64_t fen;
	const char *id;
	char why[256];

	(void)state;
	assert_int_equal(oj_time(j, "end", 0, &t, &present, why, sizeof(why)), 0);
	assert_int_equal(present, 0);
	assert_int_equal(oj_time(j, "zero", 0, &t, &present, why, sizeof(why)), 0);
	assert_int_equal(present, 0);
	assert_int_equal(oj_time(j, "end", 1, &t, &present, why, sizeof(why)), -1);
	assert_int_equal(oj_epoch(j, "t", 1, &t, &present, why, sizeof(why)), 0);
	assert_int_equal(present, 1);
	assert_int_equal(t.has_offset, 1);
	assert_int_equal(t.hour, 3); /* 2024-03-01 03:00:00 UTC */
	assert_int_equal(oj_epoch(j, "t0", 0, &t, &present, why, sizeof(why)), 0);
	assert_int_equal(present, 0);
	assert_int_equal(oj_yuan(j, "yuan", 1, &fen, why, sizeof(why)), 0);
	assert_int_equal(fen, 2990);
	assert_int_equal(oj_yuan(j, "yuan2", 1, &fen, why, sizeof(why)), 0);
	assert_int_equal(fen, 5480);
	assert_int_equal(oj_yuan(j, "bad", 1, &fen, why, sizeof(why)), -1);
	assert_int_equal(oj_fen(j, "fen", 1, &fen, why, sizeof(why)), 0);
	assert_int_equal(fen, 10900);
	assert_int_equal(oj_fen(j, "fenstr", 1, &fen, why, sizeof(why)), 0);
	assert_int_equal(oj_fen(j, "neg", 1, &fen, why, sizeof(why)), -1);
	assert_string_equal(why, "neg: negative amount \"-1\"");
	assert_int_equal(oj_id(j, "id", 1, &id, why, sizeof(why)), 0);
	assert_string_equal(id, "6920012345678901234");
	assert_int_equal(oj_id(j, "yuan", 1, &id, why, sizeof(why)), -1);
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paid_trade),
		cmocka_unit_test(test_refunds),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_readers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

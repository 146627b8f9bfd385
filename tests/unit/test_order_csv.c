/*
 * test_order_csv.c — the generic CSV profile: header mapping, conversions and
 * the reject reasons an operator reads in etl.reject.
 */
#include "siyu/extract/csv_file.h"
#include "siyu/transform/order_csv.h"

#include "fake_record.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#define HEADER "platform,shop_id,order_no,status,created_at,paid_at,updated_at,buyer_id," \
	       "buyer_phone,sku,quantity,unit_price,line_paid,line_refund,shipping_fee"

static const unsigned char key[] = "siyu-test-key";

static void map_header(struct order_csv_map *m, const unsigned char *pii_key)
{
	struct fake_record h;
	char err[256];

	make_record(&h, HEADER);
	memset(m, 0, sizeof(*m));
	m->status_profile = "generic";
	m->pii_key = pii_key;
	m->pii_key_len = pii_key ? strlen((const char *)pii_key) : 0;
	assert_int_equal(order_csv_map_header(m, &h.rec, err, sizeof(err), NULL, 0), 0);
}

static int parse(const char *line, struct order_line *o, char *why, size_t n)
{
	struct order_csv_map m;
	static struct fake_record r; /* o borrows from it */

	map_header(&m, key);
	make_record(&r, line);
	return order_csv_parse(&m, &r.rec, o, why, n);
}

static void test_good_line(void **state)
{
	struct order_line o;
	char why[256] = "";

	(void)state;
	assert_int_equal(parse("taobao,s1,4123456789012345678,交易成功,2025-03-01 10:00:00,"
			       "2025-03-01 10:05,2025-03-05 10:00:00,tb1,+86 138-1234-1234,SKU1,2,"
			       "59.90,110.00,10.5,8",
			       &o, why, sizeof(why)),
			 0);
	assert_memory_equal(o.order_no.p, "4123456789012345678", 19);
	assert_int_equal(o.status, ORDER_COMPLETED);
	assert_int_equal(o.quantity, 2);
	assert_int_equal(o.unit_price_fen, 5990);
	assert_int_equal(o.gross_fen, 11980);
	assert_int_equal(o.paid_fen, 11000);
	assert_int_equal(o.refund_fen, 1050);
	assert_int_equal(o.shipping_fen, 800);
	assert_true(o.has_paid);
	assert_int_equal(o.paid.minute, 5);
	assert_true(o.has_phone);
	assert_string_equal(o.phone_masked, "138****1234");
	assert_int_equal(strlen(o.phone_hash), 64);
	/* without line_no the line is identified by its sku */
	assert_memory_equal(o.line_id.p, "SKU1", 4);
}

struct bad_case {
	const char *line;
	const char *reason;
};

static void test_rejects_name_column_and_value(void **state)
{
	static const struct bad_case cases[] = {
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,12.3.4,1,,",
		  "unit_price \"12.3.4\": not a number" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,-5.00,1,,",
		  "unit_price \"-5.00\": negative amount" },
		{ "taobao,s1,1,paid,2025-02-30 10:00:00,,2025-03-01 10:00,b,,S,1,5,5,,",
		  "created_at \"2025-02-30 10:00:00\": impossible date" },
		{ "taobao,s1,1,外星状态,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5,,",
		  "status \"外星状态\": unknown order status" },
		{ "taobao,s1,,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5,,",
		  "order_no: missing value" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,0,5,5,,",
		  "quantity \"0\": must be at least 1" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,abc,5,5,,",
		  "quantity \"abc\": not a whole number" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5,6,",
		  "line_refund \"6\": refund exceeds line_paid" },
		{ "taobao,s1,1,paid,2025-03-02 10:00,,2025-03-01 10:00,b,,S,1,5,5,,",
		  "updated_at \"2025-03-01 10:00\": earlier than created_at" },
		{ "TaoBao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5,,",
		  "platform \"TaoBao\": must be a lowercase name like taobao" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,12345,S,1,5,5,,",
		  "buyer_phone: not a mainland mobile number" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct order_line o;
		char why[256] = "";

		assert_int_equal(parse(cases[i].line, &o, why, sizeof(why)), -1);
		assert_string_equal(why, cases[i].reason);
	}
}

static void test_phone_without_key_stops_the_source(void **state)
{
	struct order_csv_map m;
	struct fake_record r;
	struct order_line o;
	char why[256];

	(void)state;
	map_header(&m, NULL);
	make_record(&r, "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,13812341234,S,1,5,5,,");
	assert_int_equal(order_csv_parse(&m, &r.rec, &o, why, sizeof(why)), -2);
	assert_non_null(strstr(why, "SIYU_PII_KEY"));
	assert_null(strstr(why, "13812341234"));
}

static void test_missing_required_column(void **state)
{
	struct order_csv_map m = { 0 };
	struct fake_record h;
	char err[256];

	(void)state;
	make_record(&h, "platform,shop_id,order_no,status,created_at,updated_at,sku,quantity,unit_price");
	assert_int_equal(order_csv_map_header(&m, &h.rec, err, sizeof(err), NULL, 0), -1);
	assert_string_equal(err, "missing required column: line_paid; the header has: platform, "
				 "shop_id, order_no, status, created_at, updated_at, sku, quantity, "
				 "unit_price");
	make_record(&h, "platform,order_no,shop_id,Status,created_at,x,updated_at");
	assert_int_equal(order_csv_map_header(&m, &h.rec, err, sizeof(err), NULL, 0), -1);
	assert_string_equal(err, "missing required columns: sku, quantity, unit_price, line_paid; "
				 "the header has: platform, order_no, shop_id, Status, created_at, x, "
				 "updated_at");
	make_record(&h, "platform,PLATFORM");
	assert_int_equal(order_csv_map_header(&m, &h.rec, err, sizeof(err), NULL, 0), -1);
	assert_string_equal(err, "column 'platform' appears twice in the header");
}

static void test_version_value_orders_times(void **state)
{
	struct ltime a = { 2025, 3, 1, 10, 0, 0, 0, 0, 0 };
	struct ltime b = a;

	(void)state;
	b.usec = 1;
	assert_true(order_version_value(&b) > order_version_value(&a));
	b = a;
	b.has_offset = 1;
	b.offset_minutes = 480; /* 10:00+08:00 is 02:00 UTC: earlier than 10:00 as UTC */
	assert_true(order_version_value(&b) < order_version_value(&a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_line),
		cmocka_unit_test(test_rejects_name_column_and_value),
		cmocka_unit_test(test_phone_without_key_stops_the_source),
		cmocka_unit_test(test_missing_required_column),
		cmocka_unit_test(test_version_value_orders_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

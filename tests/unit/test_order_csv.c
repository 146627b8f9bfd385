/*
 * test_order_csv.c — the generic CSV profile: header mapping, conversions and
 * the reject reasons an operator reads in etl.reject.
 */
#include "siyu/common/buf.h"
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
		{ "taobao,s1,1,外星状态外星状态外星状态外星状态外星状态外星状态,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5,,",
		  "status \"外星状态外星状态外星状态外星状态外星状态外\": unknown order status" },
		{ "taobao,s1,2.20123E+18,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5,,",
		  "order_no \"2.20123E+18\": scientific notation: Excel has rounded the number and "
		  "its digits are lost; export the column as text (or the file from the back office, "
		  "not through Excel)" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,4.1E+17,,S,1,5,5,,",
		  "buyer_id \"4.1E+17\": scientific notation: Excel has rounded the number and "
		  "its digits are lost; export the column as text (or the file from the back office, "
		  "not through Excel)" },
		{ "taobao,s1,4123\x01,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5,,",
		  "order_no: control byte 0x01 at position 5 (an identifier must be printable)" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S\x7f,1,5,5,,",
		  "sku: control byte 0x7F at position 2 (an identifier must be printable)" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,0.00015,5,,",
		  "unit_price \"0.00015\": more than 4 decimals" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5.001,,",
		  "line_paid \"5.001\": more than 2 decimals" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,NaN,5,,",
		  "unit_price \"NaN\": not a number" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,1e3,5,,",
		  "unit_price \"1e3\": not a number" },
		{ "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,99999999999999999999,,",
		  "line_paid \"99999999999999999999\": amount too large" },
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

/* Unit prices to 4 decimals; each line's amount is rounded half up once, to the fen. */
static void test_sub_fen_unit_prices(void **state)
{
	static const struct {
		const char *qty, *price;
		int64_t unit_fen, gross_fen;
	} cases[] = {
		{ "1000", "0.001", 0, 100 },      /* 0.001 per piece, sold by the thousand */
		{ "1", "0.005", 1, 1 },           /* half a fen rounds up */
		{ "1", "0.0049", 0, 0 },
		{ "3", "0.0015", 0, 0 },          /* 0.45 fen: once per line, not per piece */
		{ "7", "1.2345", 123, 864 },      /* 8.6415 yuan */
		{ "2", "59.90", 5990, 11980 },
		{ "100000000", "0.0001", 0, 1000000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[256], why[256] = "";
		struct order_line o;

		snprintf(line, sizeof(line), "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,"
			 "S,%s,%s,0,,", cases[i].qty, cases[i].price);
		assert_int_equal(parse(line, &o, why, sizeof(why)), 0);
		assert_int_equal(o.unit_price_fen, cases[i].unit_fen);
		assert_int_equal(o.gross_fen, cases[i].gross_fen);
	}
}

/* A masked phone is kept masked: no hash, no reject, no key needed. */
static void test_masked_phone_is_kept_masked(void **state)
{
	struct order_csv_map m;
	struct fake_record r;
	struct order_line o;
	char why[256] = "";

	(void)state;
	map_header(&m, NULL);
	make_record(&r, "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,138****5678,S,1,5,5,,");
	assert_int_equal(order_csv_parse(&m, &r.rec, &o, why, sizeof(why)), 0);
	assert_false(o.has_phone);
	assert_string_equal(o.phone_masked, "138****5678");
	assert_string_equal(o.phone_hash, "");
	make_record(&r, "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,+86 138 **** 5678,S,1,5,5,,");
	assert_int_equal(order_csv_parse(&m, &r.rec, &o, why, sizeof(why)), 0);
	assert_string_equal(o.phone_masked, "138****5678");
}

/* Text columns keep control bytes and COPY metacharacters as read. */
static void test_text_keeps_control_bytes(void **state)
{
	struct order_csv_map m;
	struct fake_record h, r;
	struct order_line o;
	struct span name;
	char why[256] = "", err[256];

	(void)state;
	make_record(&h, HEADER ",product_title,remark");
	memset(&m, 0, sizeof(m));
	m.status_profile = "generic";
	assert_int_equal(order_csv_map_header(&m, &h.rec, err, sizeof(err), NULL, 0), 0);
	make_record(&r, "taobao,s1,1,paid,2025-03-01 10:00,,2025-03-01 10:00,b,,S,1,5,5,,,a\tb\\.\x01,x");
	assert_int_equal(order_csv_parse(&m, &r.rec, &o, why, sizeof(why)), 0);
	assert_int_equal(o.title.n, 6);
	assert_memory_equal(o.title.p, "a\tb\\.\x01", 6);
	assert_int_equal(order_csv_column_name(&m, 15, &name), 0);
	assert_memory_equal(name.p, "product_title", name.n);
	assert_int_equal(order_csv_column_name(&m, 8, &name), 0);
	assert_memory_equal(name.p, "buyer_phone", name.n);
	assert_int_equal(order_csv_column_name(&m, 16, &name), -1); /* remark: not read */
}

/* The kept copy of a record masks the phone column whatever it holds. */
static void test_redact_masks_the_phone_column(void **state)
{
	static const struct {
		const char *raw, *out;
	} cases[] = {
		{ "taobao,s1,1,b,13812345678,S", "taobao,s1,1,b,138****5678,S" },
		{ "taobao,s1,1,b,\"+86 138-1234-5678\",S", "taobao,s1,1,b,138****5678,S" },
		{ "taobao,s1,1,b,021-6234 5678,S", "taobao,s1,1,b,***-**** 5678,S" },
		{ "taobao,s1,1,b,=\"12345\",S", "taobao,s1,1,b,*2345,S" },
		{ "taobao,s1,1,b,,S", "taobao,s1,1,b,,S" },
		{ "taobao,s1", "taobao,s1" },
	};
	struct order_csv_map m;
	struct fake_record h;
	char err[256];

	(void)state;
	make_record(&h, "platform,shop_id,order_no,buyer_id,buyer_phone,sku");
	memset(&m, 0, sizeof(m));
	/* required columns are missing: no matter, the map has buyer_phone */
	assert_int_equal(order_csv_map_header(&m, &h.rec, err, sizeof(err), NULL, 0), -1);
	assert_int_equal(m.col[OC_BUYER_PHONE], 4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		assert_int_equal(order_csv_redact(&m, cases[i].raw, strlen(cases[i].raw), &out), 0);
		assert_string_equal(buf_str(&out), cases[i].out);
		buf_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_line),
		cmocka_unit_test(test_rejects_name_column_and_value),
		cmocka_unit_test(test_phone_without_key_stops_the_source),
		cmocka_unit_test(test_missing_required_column),
		cmocka_unit_test(test_version_value_orders_times),
		cmocka_unit_test(test_sub_fen_unit_prices),
		cmocka_unit_test(test_masked_phone_is_kept_masked),
		cmocka_unit_test(test_text_keeps_control_bytes),
		cmocka_unit_test(test_redact_masks_the_phone_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

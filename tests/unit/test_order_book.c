/*
 * test_order_book.c — export rows to complete canonical lines: each profile's
 * amounts (shares of an order's payment add up to the fen), statuses over
 * sub-orders, refunds, unpaid orders, the Taobao pair and its rejects.
 *
 * Rows are written as "column=value;..." against a documented header
 * (export_headers.h), so that a case names what it sets.
 */
#include "siyu/transform/order_book.h"
#include "siyu/transform/order_csv.h"
#include "siyu/transform/order_profile.h"

#include "export_headers.h"
#include "fake_record.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static const unsigned char key[] = "siyu-test-key-0123456789";

/*
 * A record line for header with the values "name=value;name=value" in their
 * columns, fields separated by SEP (values may hold commas and tabs).
 */
#define SEP '\x1f'
static void row(char *out, size_t n, const char *header, const char *values)
{
	struct fake_record h;
	char buf[4096];
	size_t at = 0;

	make_record(&h, header);
	for (size_t i = 0; i < h.rec.nfields; i++) {
		const char *v = "";
		size_t vlen = 0;
		const char *p;

		snprintf(buf, sizeof(buf), ";%s", values);
		for (p = buf; (p = strchr(p, ';')) != NULL; p++) {
			if (strncmp(p + 1, h.fields[i], h.lens[i]) == 0 && p[1 + h.lens[i]] == '=') {
				v = p + 2 + h.lens[i];
				vlen = strcspn(v, ";");
				break;
			}
		}
		at += (size_t)snprintf(out + at, n - at, "%s%.*s", i ? "\x1f" : "", (int)vlen, v);
	}
}

struct result {
	int rejected;
	char why[256];
	char order_no[40], line_id[40], shop[32], buyer[32];
	enum order_status status;
	int line_no, has_paid, has_phone;
	int64_t gross, paid, refund, shipping, discount;
};

struct run {
	const char *profile;
	const char *orders_header;      /* two-file profiles */
	const char *const *orders;
	const char *header;
	const char *const *lines;
	const char *shop;
	struct result out[16];
	size_t n;
	char orphans[256];
};

static void map(struct order_csv_map *m, const struct order_profile *p, int orders_file,
		const char *header, const char *shop)
{
	struct fake_record h;
	char err[1024];

	memset(m, 0, sizeof(*m));
	m->profile = p;
	m->orders_file = orders_file;
	m->pii_key = key;
	m->pii_key_len = sizeof(key) - 1;
	m->shop_id = shop;
	m->as_of = (struct ltime){ 2025, 4, 1, 12, 0, 0, 0, 0, 0 };
	m->has_as_of = 1;
	make_record(&h, header);
	if (order_csv_map_header(m, &h.rec, err, sizeof(err), NULL, 0) < 0)
		print_error("%s\n", err);
	assert_int_equal(order_csv_map_header(m, &h.rec, err, sizeof(err), NULL, 0), 0);
}

static int note_orphan(void *arg, const char *order_no, long src_line)
{
	struct run *r = arg;
	size_t at = strlen(r->orphans);

	snprintf(r->orphans + at, sizeof(r->orphans) - at, "%s@%ld ", order_no, src_line);
	return 0;
}

static void keep(struct result *res, const struct order_line *l)
{
	snprintf(res->order_no, sizeof(res->order_no), "%.*s", (int)l->order_no.n, l->order_no.p);
	snprintf(res->line_id, sizeof(res->line_id), "%.*s", (int)l->line_id.n, l->line_id.p);
	snprintf(res->shop, sizeof(res->shop), "%.*s", (int)l->shop_id.n, l->shop_id.p);
	snprintf(res->buyer, sizeof(res->buyer), "%.*s", (int)l->buyer_id.n, l->buyer_id.p);
	res->status = l->status;
	res->line_no = l->line_no;
	res->has_paid = l->has_paid;
	res->has_phone = l->has_phone;
	res->gross = l->gross_fen;
	res->paid = l->paid_fen;
	res->refund = l->refund_fen;
	res->shipping = l->shipping_fen;
	res->discount = l->discount_fen;
}

/* Parse a row of header; 0, or -1 with why. */
static int parse_row(const struct order_csv_map *m, const char *header, const char *values,
		     struct fake_record *f, struct order_line *l, char *why, size_t n)
{
	char line[4096];

	row(line, sizeof(line), header, values);
	make_record_sep(f, line, SEP);
	return order_csv_parse(m, &f->rec, l, why, n);
}

/* The import's passes over r's rows; r->out gets every line, completed or rejected. */
static void run(struct run *r)
{
	const struct order_profile *p = order_profile_find(r->profile);
	struct order_book *b = order_book_new(p);
	struct order_csv_map m;
	struct fake_record f;
	struct order_line l;
	char why[256];

	assert_non_null(b);
	if (r->orders) {
		map(&m, p, 1, r->orders_header, r->shop);
		for (size_t i = 0; r->orders[i]; i++) {
			long first;

			assert_int_equal(parse_row(&m, r->orders_header, r->orders[i], &f, &l, why,
						   sizeof(why)), 0);
			assert_int_equal(order_book_add_order(b, &l, (long)i + 2, &first), 0);
		}
	}
	map(&m, p, 0, r->header, r->shop);
	for (size_t i = 0; r->lines[i]; i++)
		if (parse_row(&m, r->header, r->lines[i], &f, &l, why, sizeof(why)) == 0)
			assert_int_equal(order_book_note(b, &l), 0);
	for (r->n = 0; r->lines[r->n]; r->n++) {
		struct result *res = &r->out[r->n];

		if (parse_row(&m, r->header, r->lines[r->n], &f, &l, res->why, sizeof(res->why)) ||
		    order_book_complete(b, &l, res->why, sizeof(res->why))) {
			res->rejected = 1;
			continue;
		}
		keep(res, &l);
	}
	order_book_each_orphan(b, note_orphan, r);
	order_book_free(b);
}

static void test_jd_shares_the_order_payment(void **state)
{
	static const char *const lines[] = {
		/* 应付金额 185 + 余额支付 10 = 195 paid, 5 of it shipping: 190 over gross 100 : 100 */
		"订单号=1001;商品ID=11;订购数量=1;京东价=100.00;应付金额=185.00;余额支付=10.00;"
		"运费金额=5.00;订单状态=完成;下单时间=2025-03-01 10:00:00;付款确认时间=2025-03-01 "
		"10:01:00;下单帐号=jd_buyer;联系电话=138****1234",
		"订单号=1001;商品ID=12;订购数量=2;京东价=50.00;应付金额=185.00;余额支付=10.00;"
		"运费金额=5.00;订单状态=完成;下单时间=2025-03-01 10:00:00;付款确认时间=2025-03-01 "
		"10:01:00;下单帐号=jd_buyer",
		/* unpaid: the amount due is not a payment */
		"订单号=1002;商品ID=11;订购数量=1;京东价=100.00;应付金额=100.00;订单状态=等待付款;"
		"下单时间=2025-03-02 10:00:00;下单帐号=j***r",
		/* cancelled after payment = refunded in full; before = cancelled */
		"订单号=1003;商品ID=11;订购数量=1;京东价=30.00;应付金额=30.00;订单状态=已取消;"
		"下单时间=2025-03-03 10:00:00;付款确认时间=2025-03-03 10:00:05",
		"订单号=1004;商品ID=11;订购数量=1;京东价=30.00;应付金额=30.00;订单状态=已取消;"
		"下单时间=2025-03-03 10:00:00",
		NULL,
	};
	struct run r = { .profile = "jd", .header = JD, .lines = lines, .shop = "jd-shop-1" };

	(void)state;
	run(&r);
	assert_int_equal(r.n, 5);
	for (size_t i = 0; i < r.n; i++) {
		if (r.out[i].rejected)
			print_error("line %zu: %s\n", i, r.out[i].why);
		assert_false(r.out[i].rejected);
		assert_string_equal(r.out[i].shop, "jd-shop-1");
	}
	assert_int_equal(r.out[0].paid + r.out[1].paid, 19000);
	assert_int_equal(r.out[0].paid, 9500);
	assert_int_equal(r.out[0].shipping, 500);
	assert_int_equal(r.out[0].discount, 1000); /* 200 + 5 − 195 */
	assert_int_equal(r.out[1].discount, 1000);
	assert_int_equal(r.out[0].gross, 10000);
	assert_int_equal(r.out[0].status, ORDER_COMPLETED);
	assert_int_equal(r.out[0].line_no, 1);
	assert_string_equal(r.out[1].line_id, "2");
	assert_string_equal(r.out[0].buyer, "jd_buyer");
	assert_false(r.out[0].has_phone); /* masked: no identity, never hashed */

	assert_int_equal(r.out[2].status, ORDER_UNPAID);
	assert_false(r.out[2].has_paid);
	assert_int_equal(r.out[2].paid, 0);
	assert_string_equal(r.out[2].buyer, ""); /* masked buyer account */

	assert_int_equal(r.out[3].status, ORDER_REFUNDED);
	assert_int_equal(r.out[3].paid, 3000);
	assert_int_equal(r.out[3].refund, 3000);
	assert_int_equal(r.out[4].status, ORDER_CANCELLED);
	assert_int_equal(r.out[4].paid, 0);
}

static void test_shares_add_up_to_the_fen(void **state)
{
	/* 100.00 over three equal lines: 33.33 + 33.33 + 33.34, never more than the order */
	static const char *const lines[] = {
		"订单号=7;商品ID=1;订购数量=1;京东价=1.00;应付金额=100.00;订单状态=等待出库;"
		"下单时间=2025-03-01 10:00:00;付款确认时间=2025-03-01 10:00:01",
		"订单号=7;商品ID=2;订购数量=1;京东价=1.00;应付金额=100.00;订单状态=等待出库;"
		"下单时间=2025-03-01 10:00:00;付款确认时间=2025-03-01 10:00:01",
		"订单号=7;商品ID=3;订购数量=1;京东价=1.00;应付金额=100.00;订单状态=等待出库;"
		"下单时间=2025-03-01 10:00:00;付款确认时间=2025-03-01 10:00:01",
		NULL,
	};
	struct run r = { .profile = "jd", .header = JD, .lines = lines, .shop = "s" };

	(void)state;
	run(&r);
	assert_int_equal(r.out[0].paid, 3333);
	assert_int_equal(r.out[1].paid, 3333);
	assert_int_equal(r.out[2].paid, 3334);
	assert_int_equal(r.out[2].status, ORDER_PAID);
}

static void test_pdd_one_row_per_order(void **state)
{
	static const char *const lines[] = {
		"订单号=250301-123456789012345;订单状态=已签收;商品总价(元)=30.00;邮费(元)=5.00;"
		"用户实付金额(元)=32.00;商品数量(件)=3;支付时间=2025-03-01 10:00:00;"
		"订单成交时间=2025-03-01 10:00:00;样式ID=77;售后状态=无售后或售后取消",
		"订单号=250301-123456789012346;订单状态=已发货，待签收;商品总价(元)=10.00;"
		"用户实付金额(元)=10.00;商品数量(件)=1;支付时间=2025-03-01 11:00:00;"
		"订单成交时间=2025-03-01 11:00:00;样式ID=78;售后状态=售后处理中",
		"订单号=250301-123456789012347;订单状态=外星状态;商品总价(元)=10.00;"
		"用户实付金额(元)=10.00;商品数量(件)=1;订单成交时间=2025-03-01 11:00:00",
		NULL,
	};
	struct run r = { .profile = "pdd", .header = PDD, .lines = lines, .shop = "pdd-1" };

	(void)state;
	run(&r);
	assert_false(r.out[0].rejected);
	assert_string_equal(r.out[0].order_no, "250301-123456789012345");
	assert_int_equal(r.out[0].gross, 3000);
	assert_int_equal(r.out[0].paid, 2700);
	assert_int_equal(r.out[0].shipping, 500);
	assert_int_equal(r.out[0].discount, 300);
	assert_int_equal(r.out[0].status, ORDER_COMPLETED);
	assert_int_equal(r.out[1].status, ORDER_REFUNDING);
	assert_true(r.out[2].rejected);
	assert_string_equal(r.out[2].why, "订单状态 \"外星状态\": unknown order status");
}

static void test_douyin_sub_orders(void **state)
{
	static const char *const lines[] = {
		"主订单编号=\t6917926768823643751;子订单编号=\t6917926768823643752;商品数量=1;"
		"商品单价=30.00;订单应付金额=30.00;订单状态=已完成;售后状态=-;"
		"订单提交时间=2025-03-01 10:00:00;支付完成时间=2025-03-01 10:00:10;"
		"收件人手机号=$$abc$$;商品ID=3600000001;商家编码=-",
		"主订单编号=\t6917926768823643751;子订单编号=\t6917926768823643753;商品数量=2;"
		"商品单价=10.00;订单应付金额=20.00;订单状态=已关闭;售后状态=退款成功;"
		"订单提交时间=2025-03-01 10:00:00;支付完成时间=2025-03-01 10:00:10;商家编码=SKU-2",
		/* never paid, timed out */
		"主订单编号=6917926768823643760;子订单编号=6917926768823643760;商品数量=1;"
		"商品单价=1,299.00;订单应付金额=1,299.00;订单状态=已关闭;售后状态=-;"
		"订单提交时间=2025-03-01 10:00:00;支付完成时间=-;商家编码=SKU-3",
		NULL,
	};
	struct run r = { .profile = "douyin", .header = DOUYIN, .lines = lines, .shop = "dy" };

	(void)state;
	run(&r);
	for (size_t i = 0; i < 3; i++) {
		if (r.out[i].rejected)
			print_error("line %zu: %s\n", i, r.out[i].why);
		assert_false(r.out[i].rejected);
	}
	assert_string_equal(r.out[0].order_no, "6917926768823643751");
	assert_string_equal(r.out[0].line_id, "6917926768823643752");
	/* one sub-order refunded, one completed: the order is completed with a refund */
	assert_int_equal(r.out[0].status, ORDER_COMPLETED);
	assert_int_equal(r.out[1].status, ORDER_COMPLETED);
	assert_int_equal(r.out[0].refund, 0);
	assert_int_equal(r.out[1].refund, 2000);
	assert_false(r.out[0].has_phone); /* encrypted */
	assert_string_equal(r.out[0].line_id, "6917926768823643752");
	assert_int_equal(r.out[2].status, ORDER_CANCELLED);
	assert_int_equal(r.out[2].paid, 0);
	assert_int_equal(r.out[2].gross, 129900);
}

static void test_channels_order_block(void **state)
{
	static const char *const lines[] = {
		"订单号=3729946591347487488;订单下单时间=2025-03-01 10:00:00;订单状态=已完成;"
		"订单实际支付金额=95.00;订单运费=5.00;支付时间=2025-03-01 10:01:00;"
		"商品价格(单件)=80.00;商品实际价格(总共)=70.00;商品数量=1;SKU编码(自定义)=A",
		"订单号=3729946591347487488;订单下单时间=2025-03-01 10:00:00;订单状态=已完成;"
		"订单实际支付金额=95.00;订单运费=5.00;支付时间=2025-03-01 10:01:00;"
		"商品价格(单件)=30.00;商品实际价格(总共)=30.00;商品数量=1;SKU编码(自定义)=B;"
		"商品售后=退款完成;商品已退款金额=27.00",
		NULL,
	};
	struct run r = { .profile = "channels", .header = CHANNELS, .lines = lines, .shop = "wx" };

	(void)state;
	run(&r);
	assert_false(r.out[0].rejected);
	assert_int_equal(r.out[0].paid, 6300); /* 90 × 70/100 */
	assert_int_equal(r.out[1].paid, 2700);
	assert_int_equal(r.out[1].refund, 2700);
	assert_int_equal(r.out[0].refund, 0);
	assert_int_equal(r.out[0].shipping, 500);
	assert_int_equal(r.out[0].status, ORDER_COMPLETED);
}

static void test_taobao_pair(void **state)
{
	static const char *const orders[] = {
		"订单编号==\"4000000000000000001\";买家会员名=tb_buyer;买家实际支付金额=110.00;"
		"买家应付邮费=10.00;订单状态=交易成功;订单创建时间=2025-03-01 10:00:00;"
		"订单付款时间 =2025-03-01 10:01:00;退款金额=30.00;联系手机='13812341234",
		"订单编号=4000000000000000002;买家会员名=tb_b2;买家实际支付金额=0.00;订单状态=交易关闭;"
		"订单创建时间=2025-03-02 10:00:00;退款金额=0.00",
		"订单编号=4000000000000000003;买家会员名=tb_b3;买家实际支付金额=5.00;"
		"订单状态=买家已付款，等待卖家发货;订单创建时间=2025-03-02 10:00:00;"
		"订单付款时间 =2025-03-02 10:00:00",
		NULL,
	};
	static const char *const lines[] = {
		"订单编号==\"4000000000000000001\";标题=咖啡豆;价格=60.00;购买数量=1;商家编码=A;"
		"订单状态=交易成功",
		"订单编号==\"4000000000000000001\";标题=滤纸;价格=40.00;购买数量=1;订单状态=交易成功",
		"订单编号=4000000000000000002;标题=咖啡豆;价格=60.00;购买数量=1;商家编码=A;"
		"订单状态=交易关闭",
		"订单编号=4000000000000000009;标题=咖啡豆;价格=60.00;购买数量=1;商家编码=A",
		NULL,
	};
	struct run r = { .profile = "taobao", .orders_header = TAOBAO_ORDERS, .orders = orders,
			 .header = TAOBAO_LINES, .lines = lines, .shop = "106879234" };

	(void)state;
	run(&r);
	assert_false(r.out[0].rejected);
	assert_string_equal(r.out[0].order_no, "4000000000000000001");
	assert_string_equal(r.out[0].buyer, "tb_buyer");
	assert_string_equal(r.out[0].shop, "106879234");
	assert_true(r.out[0].has_phone);
	assert_int_equal(r.out[0].paid, 6000);
	assert_int_equal(r.out[1].paid, 4000);
	assert_int_equal(r.out[0].refund, 1800); /* 30 over paid 60 : 40 */
	assert_int_equal(r.out[1].refund, 1200);
	assert_int_equal(r.out[0].shipping, 1000);
	assert_string_equal(r.out[1].line_id, "2");
	assert_int_equal(r.out[1].status, ORDER_COMPLETED);
	/* closed before payment */
	assert_int_equal(r.out[2].status, ORDER_CANCELLED);
	assert_int_equal(r.out[2].paid, 0);
	/* a line whose order is not in the 订单报表 */
	assert_true(r.out[3].rejected);
	assert_string_equal(r.out[3].why, "order 4000000000000000009 is in the 宝贝报表 but not in "
					  "the 订单报表 given with it");
	/* an order of the 订单报表 with no line */
	assert_string_equal(r.orphans, "4000000000000000003@4 ");
}

static void test_shop_is_required(void **state)
{
	static const char *const lines[] = {
		"订单号=1;商品ID=1;订购数量=1;京东价=1.00;应付金额=1.00;订单状态=等待出库;"
		"下单时间=2025-03-01 10:00:00;付款确认时间=2025-03-01 10:00:01",
		NULL,
	};
	struct run r = { .profile = "jd", .header = JD, .lines = lines, .shop = NULL };

	(void)state;
	run(&r);
	assert_true(r.out[0].rejected);
	assert_non_null(strstr(r.out[0].why, "cannot tell the shop"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jd_shares_the_order_payment),
		cmocka_unit_test(test_shares_add_up_to_the_fen),
		cmocka_unit_test(test_pdd_one_row_per_order),
		cmocka_unit_test(test_douyin_sub_orders),
		cmocka_unit_test(test_channels_order_block),
		cmocka_unit_test(test_taobao_pair),
		cmocka_unit_test(test_shop_is_required),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

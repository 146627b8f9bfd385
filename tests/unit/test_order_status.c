/*
 * test_order_status.c — unit tests of transform/order_status.c: names,
 * every profile's table, payment-dependent codes, refund fields, PDD's
 * three-field status, and unknown input rejected rather than guessed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/transform/order_status.h"

/* A value no lookup ever stores. */
#define NOT_SET ((enum order_status)ORDER_STATUS_COUNT)

struct map_case {
	const char *profile;
	const char *src;
	enum order_status st;
};

static void check_maps(const struct map_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum order_status st = NOT_SET;
		int rc = order_status_map(cases[i].profile, cases[i].src,
					  strlen(cases[i].src), &st);

		if (rc != 0 || st != cases[i].st)
			print_error("case %zu %s \"%s\": rc %d st %d\n", i,
				    cases[i].profile, cases[i].src, rc, (int)st);
		assert_int_equal(rc, 0);
		assert_int_equal(st, cases[i].st);
	}
}

static void check_unknown(const char *profile, const char *const *srcs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum order_status st = ORDER_PAID;

		if (order_status_map(profile, srcs[i], strlen(srcs[i]), &st) != -1)
			print_error("%s \"%s\" should be unknown\n", profile, srcs[i]);
		assert_int_equal(order_status_map(profile, srcs[i], strlen(srcs[i]), &st), -1);
		assert_int_equal(st, ORDER_PAID); /* untouched */
	}
}

static void test_names(void **state)
{
	static const char *const names[] = {
		"unpaid", "paid", "shipped", "completed", "cancelled",
		"refunding", "refunded",
	};
	enum order_status st;
	int i;

	(void)state;
	for (i = 0; i < ORDER_STATUS_COUNT; i++) {
		assert_string_equal(order_status_name((enum order_status)i), names[i]);
		assert_int_equal(order_status_from_name(names[i], &st), 0);
		assert_int_equal(st, i);
	}
	assert_null(order_status_name((enum order_status)ORDER_STATUS_COUNT));
	assert_null(order_status_name((enum order_status)-1));
	assert_int_equal(order_status_from_name("Paid", &st), -1);
	assert_int_equal(order_status_from_name("created", &st), -1);
	assert_int_equal(order_status_from_name("", &st), -1);
}

static void test_profiles(void **state)
{
	static const char *const known[] = {
		"generic", "taobao", "tmall", "youzan", "jd", "pdd", "douyin",
		"channels",
	};
	size_t i;
	enum order_status st;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_true(order_status_has_profile(known[i]));
	assert_false(order_status_has_profile("Generic"));
	assert_false(order_status_has_profile("wecom"));
	assert_false(order_status_has_profile(""));
	assert_false(order_status_has_profile(NULL));
	assert_int_equal(order_status_map("nosuch", "paid", 4, &st), -1);
	assert_int_equal(order_status_map(NULL, "paid", 4, &st), -1);
}

static void test_generic(void **state)
{
	static const struct map_case cases[] = {
		{ "generic", "unpaid", ORDER_UNPAID },
		{ "generic", "paid", ORDER_PAID },
		{ "generic", "shipped", ORDER_SHIPPED },
		{ "generic", "completed", ORDER_COMPLETED },
		{ "generic", "cancelled", ORDER_CANCELLED },
		{ "generic", "refunding", ORDER_REFUNDING },
		{ "generic", "refunded", ORDER_REFUNDED },
		{ "generic", "PAID", ORDER_PAID },
		{ "generic", "Completed", ORDER_COMPLETED },
		{ "generic", "  refunded \r", ORDER_REFUNDED },
		/* docs/import-generic.md */
		{ "generic", "待付款", ORDER_UNPAID },
		{ "generic", "待发货", ORDER_PAID },
		{ "generic", "已付款", ORDER_PAID },
		{ "generic", "已发货", ORDER_SHIPPED },
		{ "generic", "卖家已发货", ORDER_SHIPPED },
		{ "generic", "交易成功", ORDER_COMPLETED },
		{ "generic", "已完成", ORDER_COMPLETED },
		{ "generic", "交易关闭", ORDER_CANCELLED },
		{ "generic", "已取消", ORDER_CANCELLED },
		{ "generic", "退款中", ORDER_REFUNDING },
		{ "generic", "已退款", ORDER_REFUNDED },
		{ "generic", "退款成功", ORDER_REFUNDED },
		/* back-office and 千牛 export labels */
		{ "generic", "等待买家付款", ORDER_UNPAID },
		{ "generic", "买家已付款", ORDER_PAID },
		{ "generic", "等待卖家发货", ORDER_PAID },
		{ "generic", "买家已付款，等待卖家发货", ORDER_PAID },
		{ "generic", "买家已付款,等待卖家发货", ORDER_PAID },
		{ "generic", "等待买家确认收货", ORDER_SHIPPED },
		{ "generic", "卖家已发货，等待买家确认", ORDER_SHIPPED },
		{ "generic", "卖家已发货，等待买家确认收货", ORDER_SHIPPED },
		{ "generic", "交易完成", ORDER_COMPLETED },
		{ "generic", "\xE3\x80\x80交易成功\xE3\x80\x80", ORDER_COMPLETED },
	};
	static const char *const unknown[] = {
		"", "  ", "部分退款", "已签收", "售后中", "created", "canceled",
		"pai", "paidx", "TRADE_FINISHED", "WAIT_BUYER_PAY", "1", "交易",
		"交易成功\xE3\x80", /* a truncated U+3000 is not white space */
	};

	(void)state;
	check_maps(cases, sizeof(cases) / sizeof(cases[0]));
	check_unknown("generic", unknown, sizeof(unknown) / sizeof(unknown[0]));
}

static void test_taobao(void **state)
{
	static const struct map_case cases[] = {
		{ "taobao", "TRADE_NO_CREATE_PAY", ORDER_UNPAID },
		{ "taobao", "WAIT_BUYER_PAY", ORDER_UNPAID },
		{ "taobao", "PAY_PENDING", ORDER_UNPAID },
		{ "taobao", "WAIT_PRE_AUTH_CONFIRM", ORDER_UNPAID },
		{ "taobao", "WAIT_SELLER_SEND_GOODS", ORDER_PAID },
		{ "taobao", "PAID_FORBID_CONSIGN", ORDER_PAID },
		{ "taobao", "SELLER_CONSIGNED_PART", ORDER_SHIPPED },
		{ "taobao", "WAIT_BUYER_CONFIRM_GOODS", ORDER_SHIPPED },
		{ "taobao", "TRADE_BUYER_SIGNED", ORDER_SHIPPED },
		{ "taobao", "TRADE_FINISHED", ORDER_COMPLETED },
		{ "taobao", "TRADE_CLOSED_BY_TAOBAO", ORDER_CANCELLED },
		{ "taobao", "TRADE_CLOSED", ORDER_REFUNDED },
		{ "taobao", "trade_finished", ORDER_COMPLETED },
		{ "tmall", "TRADE_CLOSED", ORDER_REFUNDED },
		{ "tmall", "WAIT_BUYER_PAY", ORDER_UNPAID },
	};
	static const char *const unknown[] = {
		"TRADE_CLOSED_BY", "TRADE_SUCCESS", "外星状态", "paid", "NO_REFUND", "已签收",
	};

	(void)state;
	check_maps(cases, sizeof(cases) / sizeof(cases[0]));
	check_unknown("taobao", unknown, sizeof(unknown) / sizeof(unknown[0]));
}

static void test_youzan_jd(void **state)
{
	static const struct map_case cases[] = {
		{ "youzan", "WAIT_BUYER_PAY", ORDER_UNPAID },
		{ "youzan", "TRADE_PAID", ORDER_PAID },
		{ "youzan", "WAIT_CONFIRM", ORDER_PAID },
		{ "youzan", "WAIT_SELLER_SEND_GOODS", ORDER_PAID },
		{ "youzan", "WAIT_BUYER_CONFIRM_GOODS", ORDER_SHIPPED },
		{ "youzan", "TRADE_SUCCESS", ORDER_COMPLETED },
		{ "jd", "WAIT_SELLER_STOCK_OUT", ORDER_PAID },
		{ "jd", "WAIT_SELLER_DELIVERY", ORDER_PAID },
		{ "jd", "PAUSE", ORDER_PAID },
		{ "jd", "POP_ORDER_PAUSE", ORDER_PAID },
		{ "jd", "WAIT_GOODS_RECEIVE_CONFIRM", ORDER_SHIPPED },
		{ "jd", "FINISHED_L", ORDER_COMPLETED },
		{ "jd", "LOCKED", ORDER_REFUNDING },
	};
	static const char *const yz_unknown[] = {
		"TRADE_REFUND", "TRADE_FINISHED", "TRADE_CLOSED", /* needs payment */
	};
	static const char *const jd_unknown[] = {
		"TRADE_CANCELED", "TRADE_CANCELLED", "FINISHED", "16",
	};

	(void)state;
	check_maps(cases, sizeof(cases) / sizeof(cases[0]));
	check_unknown("youzan", yz_unknown, sizeof(yz_unknown) / sizeof(yz_unknown[0]));
	check_unknown("jd", jd_unknown, sizeof(jd_unknown) / sizeof(jd_unknown[0]));
}

static void test_douyin_channels_pdd(void **state)
{
	static const struct map_case cases[] = {
		{ "douyin", "1", ORDER_UNPAID },
		{ "douyin", "105", ORDER_PAID },
		{ "douyin", "2", ORDER_PAID },
		{ "douyin", "101", ORDER_SHIPPED },
		{ "douyin", "3", ORDER_SHIPPED },
		{ "douyin", "5", ORDER_COMPLETED },
		{ "channels", "10", ORDER_UNPAID },
		{ "channels", "12", ORDER_PAID },
		{ "channels", "13", ORDER_PAID },
		{ "channels", "20", ORDER_PAID },
		{ "channels", "21", ORDER_SHIPPED },
		{ "channels", "30", ORDER_SHIPPED },
		{ "channels", "100", ORDER_COMPLETED },
		{ "channels", "200", ORDER_REFUNDED },
		{ "channels", "250", ORDER_CANCELLED },
		{ "pdd", "1", ORDER_PAID },
		{ "pdd", "2", ORDER_SHIPPED },
		{ "pdd", "3", ORDER_COMPLETED },
	};
	static const char *const dy_unknown[] = { "4", "0", "6", "01", "1.0", "105 5" };
	static const char *const ch_unknown[] = { "0", "11", "1000", "010" };
	static const char *const pdd_unknown[] = { "0", "4", "5" };

	(void)state;
	check_maps(cases, sizeof(cases) / sizeof(cases[0]));
	check_unknown("douyin", dy_unknown, sizeof(dy_unknown) / sizeof(dy_unknown[0]));
	check_unknown("channels", ch_unknown, sizeof(ch_unknown) / sizeof(ch_unknown[0]));
	check_unknown("pdd", pdd_unknown, sizeof(pdd_unknown) / sizeof(pdd_unknown[0]));
}

/* Codes whose meaning depends on payment, and the hint ignored elsewhere. */
static void test_paid_dependent(void **state)
{
	static const struct {
		const char *profile, *src;
	} cases[] = {
		{ "youzan", "TRADE_CLOSED" },
		{ "jd", "TRADE_CANCELED" },
		{ "douyin", "4" },
	};
	size_t i;
	enum order_status st;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].src);

		assert_int_equal(order_status_map_paid(cases[i].profile, cases[i].src, n,
						       ORDER_PAID_NO, &st), 0);
		assert_int_equal(st, ORDER_CANCELLED);
		assert_int_equal(order_status_map_paid(cases[i].profile, cases[i].src, n,
						       ORDER_PAID_YES, &st), 0);
		assert_int_equal(st, ORDER_REFUNDED);
		assert_int_equal(order_status_map_paid(cases[i].profile, cases[i].src, n,
						       ORDER_PAID_UNKNOWN, &st), -1);
	}
	/* other codes do not care about the hint */
	assert_int_equal(order_status_map_paid("taobao", "TRADE_CLOSED", 12,
					       ORDER_PAID_NO, &st), 0);
	assert_int_equal(st, ORDER_REFUNDED);
	assert_int_equal(order_status_map_paid("generic", "交易关闭", strlen("交易关闭"),
					       ORDER_PAID_YES, &st), 0);
	assert_int_equal(st, ORDER_CANCELLED);
}

static void test_apply_refund(void **state)
{
	static const struct {
		const char *profile, *src;
		enum order_status before, after;
	} cases[] = {
		{ "youzan", "0", ORDER_COMPLETED, ORDER_COMPLETED },
		{ "youzan", "1", ORDER_SHIPPED, ORDER_REFUNDING },
		{ "youzan", "2", ORDER_COMPLETED, ORDER_COMPLETED },
		{ "youzan", "11", ORDER_PAID, ORDER_REFUNDING },
		{ "youzan", "12", ORDER_PAID, ORDER_REFUNDED },
		{ "youzan", "12", ORDER_CANCELLED, ORDER_REFUNDED },
		{ "youzan", "11", ORDER_REFUNDED, ORDER_REFUNDED },
		{ "youzan", "1", ORDER_CANCELLED, ORDER_CANCELLED },
		{ "taobao", "NO_REFUND", ORDER_PAID, ORDER_PAID },
		{ "taobao", "CLOSED", ORDER_SHIPPED, ORDER_SHIPPED },
		{ "taobao", "WAIT_SELLER_AGREE", ORDER_SHIPPED, ORDER_REFUNDING },
		{ "taobao", "WAIT_BUYER_RETURN_GOODS", ORDER_COMPLETED, ORDER_REFUNDING },
		{ "taobao", "WAIT_SELLER_CONFIRM_GOODS", ORDER_SHIPPED, ORDER_REFUNDING },
		{ "tmall", "SELLER_REFUSE_BUYER", ORDER_PAID, ORDER_REFUNDING },
		{ "tmall", "SUCCESS", ORDER_COMPLETED, ORDER_REFUNDED },
		{ "douyin", "0", ORDER_SHIPPED, ORDER_SHIPPED },
		{ "douyin", "1", ORDER_SHIPPED, ORDER_REFUNDING },
		{ "douyin", "3", ORDER_SHIPPED, ORDER_REFUNDED },
	};
	static const struct {
		const char *profile, *src;
	} bad[] = {
		{ "youzan", "3" }, { "youzan", "" }, { "taobao", "REFUNDING" },
		{ "douyin", "2" }, { "generic", "退款中" }, { "jd", "1" },
		{ "channels", "1" }, { "pdd", "4" }, { "nosuch", "1" },
		{ "douyin", "外星售后" }, { "pdd", "退款中了" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum order_status st = cases[i].before;

		assert_int_equal(order_status_apply_refund(cases[i].profile, cases[i].src,
							   strlen(cases[i].src), &st), 0);
		assert_int_equal(st, cases[i].after);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum order_status st = ORDER_SHIPPED;

		assert_int_equal(order_status_apply_refund(bad[i].profile, bad[i].src,
							   strlen(bad[i].src), &st), -1);
		assert_int_equal(st, ORDER_SHIPPED);
	}
}

/*
 * The back-office export labels (docs/import-<platform>.md) live in the
 * platform's table beside its API codes, folded: "，" or ",", "（）" or "()"
 * and a stray space all match.
 */
static void test_export_labels(void **state)
{
	static const struct map_case cases[] = {
		{ "taobao", "等待买家付款", ORDER_UNPAID },
		{ "taobao", "买家已付款，等待卖家发货", ORDER_PAID },
		{ "taobao", "买家已付款,等待卖家发货", ORDER_PAID },
		{ "taobao", "卖家已发货，等待买家确认 ", ORDER_SHIPPED },
		{ "tmall", "交易成功", ORDER_COMPLETED },
		{ "jd", "等待付款", ORDER_UNPAID },
		{ "jd", "等待出库", ORDER_PAID },
		{ "jd", "等待确认收货", ORDER_SHIPPED },
		{ "jd", "完成", ORDER_COMPLETED },
		{ "jd", "锁定", ORDER_REFUNDING },
		{ "jd", "（锁定）等待出库", ORDER_REFUNDING },
		{ "pdd", "待支付", ORDER_UNPAID },
		{ "pdd", "待发货", ORDER_PAID },
		{ "pdd", "已发货，待签收", ORDER_SHIPPED },
		{ "pdd", "已发货,待签收", ORDER_SHIPPED },
		{ "pdd", "已签收", ORDER_COMPLETED },
		{ "pdd", "已取消", ORDER_CANCELLED },
		{ "pdd", "未发货，退款成功", ORDER_REFUNDED },
		{ "pdd", "已签收，退款成功", ORDER_REFUNDED },
		{ "douyin", "待支付", ORDER_UNPAID },
		{ "douyin", "备货中", ORDER_PAID },
		{ "douyin", "部分发货", ORDER_SHIPPED },
		{ "douyin", "已完成", ORDER_COMPLETED },
		{ "channels", "待付款", ORDER_UNPAID },
		{ "channels", "待收货", ORDER_SHIPPED },
		{ "channels", "已完成", ORDER_COMPLETED },
		{ "youzan", "待发货", ORDER_PAID },
		{ "youzan", "交易成功", ORDER_COMPLETED },
	};
	static const struct {
		const char *profile, *src;
	} by_payment[] = {
		{ "taobao", "交易关闭" }, { "jd", "已取消" }, { "jd", "(删除)等待出库" },
		{ "jd", "（删除）等待付款" }, { "douyin", "已关闭" }, { "channels", "已取消" },
		{ "youzan", "交易关闭" },
	};
	static const struct {
		const char *profile, *src;
		enum order_status before, after;
	} refunds[] = {
		{ "taobao", "没有申请退款", ORDER_COMPLETED, ORDER_COMPLETED },
		{ "taobao", "买家已经申请退款，等待卖家同意", ORDER_SHIPPED, ORDER_REFUNDING },
		{ "taobao", "退款成功", ORDER_COMPLETED, ORDER_REFUNDED },
		{ "pdd", "无售后或售后取消", ORDER_SHIPPED, ORDER_SHIPPED },
		{ "pdd", "售后处理中", ORDER_SHIPPED, ORDER_REFUNDING },
		{ "pdd", "退款成功", ORDER_COMPLETED, ORDER_REFUNDED },
		{ "douyin", "售后关闭", ORDER_COMPLETED, ORDER_COMPLETED },
		{ "douyin", "待退货", ORDER_SHIPPED, ORDER_REFUNDING },
		{ "douyin", "同意退款,退款成功", ORDER_SHIPPED, ORDER_REFUNDED },
		{ "channels", "退款完成", ORDER_COMPLETED, ORDER_REFUNDED },
		{ "youzan", "退款中", ORDER_SHIPPED, ORDER_REFUNDING },
	};
	size_t i;
	enum order_status st;

	(void)state;
	check_maps(cases, sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(by_payment) / sizeof(by_payment[0]); i++) {
		size_t n = strlen(by_payment[i].src);

		assert_int_equal(order_status_map_paid(by_payment[i].profile, by_payment[i].src, n,
						       ORDER_PAID_NO, &st), 0);
		assert_int_equal(st, ORDER_CANCELLED);
		assert_int_equal(order_status_map_paid(by_payment[i].profile, by_payment[i].src, n,
						       ORDER_PAID_YES, &st), 0);
		assert_int_equal(st, ORDER_REFUNDED);
		assert_int_equal(order_status_map(by_payment[i].profile, by_payment[i].src, n, &st),
				 -1);
	}
	for (i = 0; i < sizeof(refunds) / sizeof(refunds[0]); i++) {
		st = refunds[i].before;
		assert_int_equal(order_status_apply_refund(refunds[i].profile, refunds[i].src,
							   strlen(refunds[i].src), &st), 0);
		assert_int_equal(st, refunds[i].after);
	}
}

static void test_pdd_fields(void **state)
{
	static const struct {
		int confirm, order, refund, rc;
		enum order_status st;
	} cases[] = {
		{ 0, 1, 1, 0, ORDER_PAID },       /* 拼团中 */
		{ 1, 1, 1, 0, ORDER_PAID },
		{ 1, 2, 1, 0, ORDER_SHIPPED },
		{ 1, 3, 1, 0, ORDER_COMPLETED },
		{ 2, 1, 1, 0, ORDER_CANCELLED },
		{ 1, 2, 2, 0, ORDER_REFUNDING },
		{ 1, 3, 3, 0, ORDER_REFUNDING },
		{ 1, 3, 4, 0, ORDER_REFUNDED },
		{ 2, 1, 4, 0, ORDER_REFUNDED },
		{ 1, 0, 1, -1, ORDER_PAID },
		{ 1, 4, 1, -1, ORDER_PAID },
		{ 1, 5, 1, -1, ORDER_PAID },      /* 5 is the "all" filter */
		{ 3, 1, 1, -1, ORDER_PAID },
		{ -1, 1, 1, -1, ORDER_PAID },
		{ 1, 1, 0, -1, ORDER_PAID },
		{ 1, 1, 5, -1, ORDER_PAID },
		{ 9, 1, 4, -1, ORDER_PAID },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum order_status st = NOT_SET;
		int rc = order_status_map_pdd(cases[i].confirm, cases[i].order,
					      cases[i].refund, &st);

		assert_int_equal(rc, cases[i].rc);
		if (rc == 0)
			assert_int_equal(st, cases[i].st);
		else
			assert_int_equal(st, NOT_SET);
	}
}

/* Only len bytes are compared: a prefix of a longer code does not match. */
static void test_uses_len(void **state)
{
	enum order_status st;

	(void)state;
	assert_int_equal(order_status_map("taobao", "TRADE_CLOSED_BY_TAOBAO", 12, &st), 0);
	assert_int_equal(st, ORDER_REFUNDED);
	assert_int_equal(order_status_map("generic", "paidx", 4, &st), 0);
	assert_int_equal(st, ORDER_PAID);
	assert_int_equal(order_status_map("generic", "paid", 3, &st), -1);
	assert_int_equal(order_status_map("generic", NULL, 0, &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_taobao),
		cmocka_unit_test(test_youzan_jd),
		cmocka_unit_test(test_douyin_channels_pdd),
		cmocka_unit_test(test_paid_dependent),
		cmocka_unit_test(test_apply_refund),
		cmocka_unit_test(test_export_labels),
		cmocka_unit_test(test_pdd_fields),
		cmocka_unit_test(test_uses_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

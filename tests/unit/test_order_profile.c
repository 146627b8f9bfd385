/*
 * test_order_profile.c — header names to columns (text_fold, aliases, the
 * missing-column message, ignored columns) and the choice of a profile from a
 * header (--profile auto), for the headers documented in docs/import-*.md.
 */
#include "siyu/header_map.h"
#include "siyu/order_line.h"
#include "siyu/order_profile.h"
#include "siyu/textclean.h"

#include "fake_record.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

/* Headers as the back offices write them (docs/import-<platform>.md). */
#define TAOBAO_ORDERS "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额," \
	"返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式," \
	"联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注," \
	"宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,退款金额"
#define TAOBAO_LINES "订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码"
#define TAOBAO_LINES_2023 "子订单编号,主订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息," \
	"备注,订单状态,商家编码,支付单号,买家应付货款,买家实际支付金额,退款状态,退款金额," \
	"订单创建时间,订单付款时间"
#define JD "订单号,商品ID,商品名称,订购数量,支付方式,下单时间,京东价,订单金额,结算金额,余额支付," \
	"应付金额,订单状态,订单类型,下单帐号,客户姓名,客户地址,联系电话,订单备注,发票类型,运费金额," \
	"付款确认时间,商家SKUID"
#define PDD "商品,订单号,订单状态,商品总价(元),店铺优惠折扣(元),平台优惠折扣(元),邮费(元)," \
	"用户实付金额(元),商家实收金额(元),商品数量(件),支付时间,发货时间,确认收货时间,商品id," \
	"商品规格,样式ID,商家编码-规格维度,售后状态,订单成交时间, 用户购买手机号"
#define DOUYIN "主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价," \
	"订单应付金额,运费,优惠总金额,收件人,收件人手机号,订单提交时间,订单完成时间,支付完成时间," \
	"订单状态,售后状态,取消原因"
#define CHANNELS "订单号,订单下单时间,订单发货时间,订单状态,收件人姓名,收件人手机,商品总价," \
	"订单实际支付金额,订单实际收款金额,订单运费,支付时间,商品名称,商品编码(平台)," \
	"商品编码(自定义),SKU编码(自定义),商品价格(单件),商品实际价格(总共),商品数量,商品售后," \
	"商品已退款金额"
#define YOUZAN "订单号,外部订单号,订单商品状态,交易成功时间,商品名称,商品规格,规格编码,商品编码," \
	"商品单价,商品数量,商品实际成交金额,买家手机号,买家付款时间,订单创建时间,商品退款状态," \
	"商品已退款金额"
#define GENERIC "platform,shop_id,order_no,status,created_at,updated_at,sku,quantity,unit_price," \
	"line_paid"

static void test_fold(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "商品总价（元）", "商品总价(元)" },
		{ " 用户购买手机号\t", "用户购买手机号" },
		{ "\xEF\xBB\xBF" "订单编号", "订单编号" },      /* BOM */
		{ "订单\xE2\x80\x8B" "编号", "订单编号" },       /* zero-width space */
		{ "下单帐号", "下单账号" },
		{ "SKU编码 (自定义)", "sku编码(自定义)" },
		{ "Shop_ID", "shop_id" },
		{ "买家已付款，等待卖家发货", "买家已付款,等待卖家发货" },
		{ "ＡＢＣ　１２", "abc12" },                      /* full-width letters, U+3000 */
	};
	char out[TEXT_FOLD_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text_fold(cases[i].in, strlen(cases[i].in), out, sizeof(out));
		assert_string_equal(out, cases[i].out);
	}
	/* truncated, never overrun */
	assert_int_equal(text_fold("abcdef", 6, out, 4), 3);
	assert_string_equal(out, "abc");
}

static void test_aliases_and_messages(void **state)
{
	static const struct header_col cols[] = {
		{ 0, "订单编号|主订单编号", 1 },
		{ 1, "商品总价(元)|商品总价", 1 },
		{ 2, "买家会员名", 0 },
		{ 3, "订单状态", 1 },
	};
	struct fake_record h;
	int col[4];
	char err[512], ignored[256];

	(void)state;
	make_record(&h, "x,主订单编号,商品总价（元）,订单编号,订单状态 ,y");
	assert_int_equal(header_map_build(cols, 4, &h.rec, col, 4, err, sizeof(err), ignored,
					  sizeof(ignored)), 0);
	assert_int_equal(col[0], 3); /* the first name listed wins over a later alias */
	assert_int_equal(col[1], 2);
	assert_int_equal(col[2], -1);
	assert_int_equal(col[3], 4);
	assert_string_equal(ignored, "x, 主订单编号, y");

	make_record(&h, "买家会员名,y");
	assert_int_equal(header_map_build(cols, 4, &h.rec, col, 4, err, sizeof(err), NULL, 0), -1);
	assert_string_equal(err, "missing required columns: 订单编号 (or 主订单编号), 商品总价(元) "
				 "(or 商品总价), 订单状态; the header has: 买家会员名, y");
	assert_int_equal(header_map_score(cols, 4, &h.rec), -1);

	make_record(&h, "订单编号,商品总价,订单状态,订单状态");
	assert_int_equal(header_map_build(cols, 4, &h.rec, col, 4, err, sizeof(err), NULL, 0), -1);
	assert_string_equal(err, "column '订单状态' appears twice in the header");

	make_record(&h, "订单编号,商品总价,订单状态,买家会员名");
	assert_int_equal(header_map_score(cols, 4, &h.rec), 4);
}

struct detect_case {
	const char *header;
	const char *profile;
	enum profile_part part;
};

static void test_detect(void **state)
{
	static const struct detect_case cases[] = {
		{ TAOBAO_ORDERS, "taobao", PROFILE_ORDERS },
		{ TAOBAO_LINES, "taobao", PROFILE_LINES },
		{ TAOBAO_LINES_2023, "taobao", PROFILE_LINES },
		{ JD, "jd", PROFILE_LINES },
		{ PDD, "pdd", PROFILE_LINES },
		{ DOUYIN, "douyin", PROFILE_LINES },
		{ CHANNELS, "channels", PROFILE_LINES },
		{ YOUZAN, "youzan", PROFILE_LINES },
		{ GENERIC, "generic", PROFILE_LINES },
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_record h;
		enum profile_part part = PROFILE_ORDERS + 1;
		const struct order_profile *p;

		make_record(&h, cases[i].header);
		p = order_profile_detect(&h.rec, &part, err, sizeof(err));
		if (!p)
			print_error("case %zu: %s\n", i, err);
		assert_non_null(p);
		assert_string_equal(p->name, cases[i].profile);
		assert_int_equal(part, cases[i].part);
		/* and the profile itself tells its two files apart */
		assert_int_equal(order_profile_part(p, &h.rec, &part, err, sizeof(err)), 0);
		assert_int_equal(part, cases[i].part);
	}
}

static void test_detect_fails_clearly(void **state)
{
	struct fake_record h;
	enum profile_part part;
	char err[1024];

	(void)state;
	make_record(&h, "a,b,c");
	assert_null(order_profile_detect(&h.rec, &part, err, sizeof(err)));
	assert_non_null(strstr(err, "no profile fits this header"));
	assert_non_null(strstr(err, "generic, taobao, jd, pdd, douyin, channels, youzan"));

	/* a JD file without its amounts: the list of what is missing */
	make_record(&h, "订单号,商品ID,商品名称,订购数量,下单时间,订单状态");
	assert_int_equal(order_profile_part(order_profile_find("jd"), &h.rec, &part, err,
					    sizeof(err)), -1);
	assert_string_equal(err, "missing required columns: 京东价 (or 商品单价), 应付金额; the header "
				 "has: 订单号, 商品ID, 商品名称, 订购数量, 下单时间, 订单状态");
}

static void test_find(void **state)
{
	(void)state;
	assert_string_equal(order_profile_find("JD")->platform, "jd");
	assert_null(order_profile_find("generic")->platform);
	assert_null(order_profile_find("auto"));
	assert_null(order_profile_find("tmall2"));
	assert_non_null(order_profile_find("taobao")->orders.cols);
	assert_null(order_profile_find("pdd")->orders.cols);
	assert_string_equal(order_profile_find("douyin")->zone, "Asia/Shanghai");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_aliases_and_messages),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_detect_fails_clearly),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_order_profile.c — header names to columns (text_fold, aliases, the
 * missing-column message, ignored columns) and the choice of a profile from a
 * header (--profile auto), for the headers documented in docs/import-*.md.
 */
#include "siyu/transform/header_map.h"
#include "siyu/transform/order_line.h"
#include "siyu/transform/order_profile.h"
#include "siyu/common/config.h"
#include "siyu/common/textclean.h"

#include "fake_record.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "export_headers.h"

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
		/* text_fold_equals: the folded form against the text, either way round */
		assert_true(text_fold_equals(cases[i].out, cases[i].in, strlen(cases[i].in)));
		assert_true(text_fold_equals(out, cases[i].out, strlen(cases[i].out)));
	}
	/* a prefix either way is not equal */
	assert_false(text_fold_equals("abc", "ABCD", 4));
	assert_false(text_fold_equals("abcd", "ABC", 3));
	assert_false(text_fold_equals("", "x", 1));
	assert_true(text_fold_equals("", " \xE3\x80\x80", 4)); /* only white space folds to "" */
	assert_true(text_fold_equals("ab", "A B", 3));
	assert_false(text_fold_equals("ab", "A C", 3));
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

/*
 * pipeline.conf's profile key lists the profiles in its own table (common/
 * comes before transform/): it names exactly the profiles of this table, and
 * auto, in the same order.
 */
static void test_config_lists_every_profile(void **state)
{
	static const char bad[] = "[source.c]\ntype = csv\npath = x\nprofile = nosuch\n";
	char expected[512], err[1024], text[256];
	const char *names = order_profile_names();
	struct config cfg;
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(expected, sizeof(expected), "expected one of ");
	for (const char *p = names; *p; p++) {
		if (p[0] == ',' && p[1] == ' ') {
			expected[n++] = '|';
			p++;
			continue;
		}
		expected[n++] = *p;
	}
	snprintf(expected + n, sizeof(expected) - n, "|auto");
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_parse_buffer(&cfg, "t.conf", bad, strlen(bad), err, sizeof(err)), -1);
	config_release(&cfg);
	assert_non_null(strstr(err, expected));
	/* and each of them is taken */
	for (const char *p = names; *p;) {
		size_t len = strcspn(p, ",");

		snprintf(text, sizeof(text), "[source.c]\ntype = csv\npath = x\nprofile = %.*s\n",
			 (int)len, p);
		memset(&cfg, 0, sizeof(cfg));
		assert_int_equal(config_parse_buffer(&cfg, "t.conf", text, strlen(text), err,
						     sizeof(err)), 0);
		config_release(&cfg);
		p += len;
		p += strspn(p, ", ");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_aliases_and_messages),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_detect_fails_clearly),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_config_lists_every_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

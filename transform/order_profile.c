/*
 * order_profile.c — the column tables of every order file profile (see
 * include/siyu/transform/order_profile.h) and the choice of a profile from a header.
 *
 * Each name list starts with the name the docs use and goes on with the
 * aliases seen across export versions; names compare after text_fold, so
 * "商品总价(元)" also matches "商品总价（元）" and " 用户购买手机号". Sources of
 * every name: docs/import-<profile>.md.
 */
#include "siyu/transform/order_profile.h"

#include "siyu/transform/order_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REQ 1
#define OPT 0
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* docs/import-generic.md */
static const struct header_col generic_cols[] = {
	{ OC_PLATFORM, "platform", REQ },
	{ OC_SHOP_ID, "shop_id", REQ },
	{ OC_SHOP_NAME, "shop_name", OPT },
	{ OC_ORDER_NO, "order_no", REQ },
	{ OC_LINE_NO, "line_no", OPT },
	{ OC_STATUS, "status", REQ },
	{ OC_CREATED_AT, "created_at", REQ },
	{ OC_PAID_AT, "paid_at", OPT },
	{ OC_UPDATED_AT, "updated_at", REQ },
	{ OC_BUYER_ID, "buyer_id", OPT },
	{ OC_BUYER_UNIONID, "buyer_unionid", OPT },
	{ OC_BUYER_PHONE, "buyer_phone", OPT },
	{ OC_SKU, "sku", REQ },
	{ OC_PRODUCT_TITLE, "product_title", OPT },
	{ OC_QUANTITY, "quantity", REQ },
	{ OC_UNIT_PRICE, "unit_price", REQ },
	{ OC_LINE_PAID, "line_paid", REQ },
	{ OC_LINE_REFUND, "line_refund", OPT },
	{ OC_SHIPPING_FEE, "shipping_fee", OPT },
	{ OC_ORDER_DISCOUNT, "order_discount", OPT },
};

/* docs/import-taobao.md: 宝贝报表 (ExportOrderDetailList), one row per line. */
static const struct header_col taobao_line_cols[] = {
	{ OC_ORDER_NO, "主订单编号|订单编号", REQ },
	{ OC_LINE_ID, "子订单编号", OPT },
	{ OC_PRODUCT_TITLE, "标题|宝贝标题|商品标题", OPT },
	{ OC_UNIT_PRICE, "价格|商品价格|单价", REQ },
	{ OC_QUANTITY, "购买数量|宝贝数量|数量", REQ },
	{ OC_SKU, "商家编码|外部系统编号", OPT },
	{ OC_STATUS, "订单状态", OPT },
	{ OC_AFTERSALE, "退款状态", OPT },
	{ OC_LINE_PAID, "买家实际支付金额|买家实付金额", OPT },
	{ OC_LINE_REFUND, "退款金额", OPT },
};

/* docs/import-taobao.md: 订单报表 (ExportOrderList), one row per order. */
static const struct header_col taobao_order_cols[] = {
	{ OC_ORDER_NO, "订单编号", REQ },
	{ OC_STATUS, "订单状态", REQ },
	{ OC_CREATED_AT, "订单创建时间", REQ },
	{ OC_PAID_AT, "订单付款时间|付款时间", OPT },
	{ OC_ORDER_PAID, "买家实际支付金额|买家实付金额", REQ },
	{ OC_SHIPPING_FEE, "买家应付邮费|买家承担邮费", OPT },
	{ OC_ORDER_REFUND, "退款金额", OPT },
	{ OC_BUYER_ID, "买家会员名|买家昵称", OPT },
	{ OC_BUYER_PHONE, "联系手机", OPT },
	{ OC_SHOP_ID, "店铺Id", OPT },
	{ OC_SHOP_NAME, "店铺名称", OPT },
};

/* docs/import-jd.md: 订单导出, one row per SKU, the order's amounts on each. */
static const struct header_col jd_cols[] = {
	{ OC_ORDER_NO, "订单号", REQ },
	{ OC_PRODUCT_ID, "商品ID|商品编号", REQ },
	{ OC_SKU, "商家SKUID|货号", OPT },
	{ OC_PRODUCT_TITLE, "商品名称", OPT },
	{ OC_QUANTITY, "订购数量|商品数量", REQ },
	{ OC_UNIT_PRICE, "京东价|商品单价", REQ },
	{ OC_CREATED_AT, "下单时间", REQ },
	{ OC_PAID_AT, "付款确认时间", OPT },
	{ OC_STATUS, "订单状态", REQ },
	{ OC_ORDER_PAID, "应付金额", REQ },
	{ OC_ORDER_PAID_MORE, "余额支付", OPT },
	{ OC_SHIPPING_FEE, "运费金额", OPT },
	{ OC_BUYER_ID, "下单账号|下单用户", OPT },
	{ OC_BUYER_PHONE, "联系电话", OPT },
};

/* docs/import-pdd.md: 订单查询 → 导出, one row per order (one goods). */
static const struct header_col pdd_cols[] = {
	{ OC_ORDER_NO, "订单号", REQ },
	{ OC_STATUS, "订单状态", REQ },
	{ OC_AFTERSALE, "售后状态", OPT },
	{ OC_CREATED_AT, "订单成交时间|下单时间", REQ },
	{ OC_PAID_AT, "支付时间", OPT },
	{ OC_PRODUCT_TITLE, "商品|商品名称", OPT },
	{ OC_PRODUCT_ID, "商品id", OPT },
	{ OC_SKU, "样式ID|商家编码-规格维度|商家编码-SKU维度", OPT },
	{ OC_QUANTITY, "商品数量(件)|商品数量", REQ },
	{ OC_LINE_GROSS, "商品总价(元)|商品总价", REQ },
	{ OC_SHIPPING_FEE, "邮费(元)|邮费", OPT },
	{ OC_ORDER_PAID, "用户实付金额(元)|用户实付金额", REQ },
	{ OC_BUYER_PHONE, "用户购买手机号|手机", OPT },
};

/* docs/import-douyin.md: 订单管理 → 批量导出, one row per sub-order. */
static const struct header_col douyin_cols[] = {
	{ OC_ORDER_NO, "主订单编号", REQ },
	{ OC_LINE_ID, "子订单编号", REQ },
	{ OC_PRODUCT_TITLE, "选购商品", OPT },
	{ OC_PRODUCT_ID, "商品ID", OPT },
	{ OC_SKU, "商家编码", OPT },
	{ OC_QUANTITY, "商品数量", REQ },
	{ OC_UNIT_PRICE, "商品单价|商品金额", REQ },
	{ OC_LINE_PAID, "订单应付金额", REQ },
	{ OC_STATUS, "订单状态", REQ },
	{ OC_AFTERSALE, "售后状态", OPT },
	{ OC_CREATED_AT, "订单提交时间", REQ },
	{ OC_PAID_AT, "支付完成时间", OPT },
	{ OC_BUYER_PHONE, "收件人手机号", OPT },
};

/* docs/import-channels.md: 微信小店 订单导出, one row per product, the order's block on each. */
static const struct header_col channels_cols[] = {
	{ OC_ORDER_NO, "订单号", REQ },
	{ OC_CREATED_AT, "订单下单时间", REQ },
	{ OC_PAID_AT, "支付时间", OPT },
	{ OC_STATUS, "订单状态", REQ },
	{ OC_ORDER_PAID, "订单实际支付金额", REQ },
	{ OC_SHIPPING_FEE, "订单运费", OPT },
	{ OC_BUYER_PHONE, "收件人手机", OPT },
	{ OC_PRODUCT_TITLE, "商品名称", OPT },
	{ OC_PRODUCT_ID, "商品编码(平台)", OPT },
	{ OC_SKU, "SKU编码(自定义)|商品编码(自定义)", OPT },
	{ OC_UNIT_PRICE, "商品价格(单件)", REQ },
	{ OC_LINE_WEIGHT, "商品实际价格(总共)", OPT },
	{ OC_QUANTITY, "商品数量", REQ },
	{ OC_AFTERSALE, "商品售后", OPT },
	{ OC_LINE_REFUND, "商品已退款金额", OPT },
};

/* docs/import-youzan.md: 订单导出 with goods rows (商品明细), one row per line. */
static const struct header_col youzan_cols[] = {
	{ OC_ORDER_NO, "订单号", REQ },
	{ OC_STATUS, "订单状态|订单商品状态", REQ },
	{ OC_CREATED_AT, "订单创建时间|下单时间", REQ },
	{ OC_PAID_AT, "买家付款时间|付款时间", OPT },
	{ OC_PRODUCT_TITLE, "商品名称", OPT },
	{ OC_SKU, "规格编码|商品编码", OPT },
	{ OC_UNIT_PRICE, "商品单价", REQ },
	{ OC_QUANTITY, "商品数量", REQ },
	{ OC_LINE_PAID, "商品实际成交金额", REQ },
	{ OC_LINE_REFUND, "商品已退款金额", OPT },
	{ OC_AFTERSALE, "商品退款状态", OPT },
	{ OC_SHIPPING_FEE, "运费", OPT },
	{ OC_BUYER_PHONE, "买家手机号|收货人手机号/提货人手机号|收货人手机号", OPT },
};

#define FILE_OF(label, cols) { label, cols, COUNT(cols) }
#define NO_FILE { "", NULL, 0 }
#define SHANGHAI "Asia/Shanghai"

static const struct order_profile profiles[] = {
	{ "generic", NULL, "generic", NULL, AMOUNTS_LINE, 0,
	  FILE_OF("", generic_cols), NO_FILE },
	{ "taobao", "taobao", "taobao", SHANGHAI, AMOUNTS_ORDER, 1,
	  FILE_OF("宝贝报表", taobao_line_cols), FILE_OF("订单报表", taobao_order_cols) },
	{ "jd", "jd", "jd", SHANGHAI, AMOUNTS_ORDER, 1, FILE_OF("", jd_cols), NO_FILE },
	{ "pdd", "pdd", "pdd", SHANGHAI, AMOUNTS_ORDER, 1, FILE_OF("", pdd_cols), NO_FILE },
	{ "douyin", "douyin", "douyin", SHANGHAI, AMOUNTS_LINE, 1,
	  FILE_OF("", douyin_cols), NO_FILE },
	{ "channels", "channels", "channels", SHANGHAI, AMOUNTS_ORDER, 1,
	  FILE_OF("", channels_cols), NO_FILE },
	{ "youzan", "youzan", "youzan", SHANGHAI, AMOUNTS_LINE, 1,
	  FILE_OF("", youzan_cols), NO_FILE },
};

const struct order_profile *order_profile_find(const char *name)
{
	for (size_t i = 0; name && i < COUNT(profiles); i++)
		if (strcasecmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const char *order_profile_names(void)
{
	static char names[128];

	if (!names[0]) {
		size_t at = 0;

		for (size_t i = 0; i < COUNT(profiles) && at < sizeof(names); i++)
			at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s",
					       i ? ", " : "", profiles[i].name);
	}
	return names;
}

const struct profile_file *order_profile_file(const struct order_profile *p,
					      enum profile_part part)
{
	return part == PROFILE_ORDERS ? &p->orders : &p->lines;
}

/* The score of hdr against one file of p (-1: a required column is missing). */
static int score_part(const struct order_profile *p, enum profile_part part,
		      const struct csv_record *hdr)
{
	const struct profile_file *f = order_profile_file(p, part);

	return f->cols ? header_map_score(f->cols, f->ncols, hdr) : -1;
}

/* "taobao" or "taobao (订单报表)": a profile and file for messages. */
static void describe(const struct order_profile *p, enum profile_part part, char *out, size_t n)
{
	const char *label = order_profile_file(p, part)->label;

	snprintf(out, n, label[0] ? "%s (%s)" : "%s", p->name, label);
}

int order_profile_part(const struct order_profile *p, const struct csv_record *hdr,
		       enum profile_part *part, char *err, size_t errlen)
{
	int cols[OC_COUNT];
	int lines = score_part(p, PROFILE_LINES, hdr);
	int orders = score_part(p, PROFILE_ORDERS, hdr);

	if (lines < 0 && orders < 0) {
		/* the lines file's message lists what is missing */
		header_map_build(p->lines.cols, p->lines.ncols, hdr, cols, OC_COUNT, err, errlen,
				 NULL, 0);
		return -1;
	}
	*part = lines >= orders ? PROFILE_LINES : PROFILE_ORDERS;
	return 0;
}

const struct order_profile *order_profile_detect(const struct csv_record *hdr,
						  enum profile_part *part, char *err,
						  size_t errlen)
{
	const struct order_profile *best = NULL, *tie = NULL;
	enum profile_part best_part = PROFILE_LINES, tie_part = PROFILE_LINES;
	int best_score = -1;

	for (size_t i = 0; i < COUNT(profiles); i++) {
		for (int k = PROFILE_LINES; k <= PROFILE_ORDERS; k++) {
			int score = score_part(&profiles[i], (enum profile_part)k, hdr);

			if (score < 0 || score < best_score)
				continue;
			if (score == best_score) {
				tie = &profiles[i];
				tie_part = (enum profile_part)k;
				continue;
			}
			best = &profiles[i];
			best_part = (enum profile_part)k;
			best_score = score;
			tie = NULL;
		}
	}
	if (!best) {
		snprintf(err, errlen, "no profile fits this header (profiles: %s); give --profile "
			 "to see which columns are missing", order_profile_names());
		return NULL;
	}
	if (tie) {
		char a[64], b[64];

		describe(best, best_part, a, sizeof(a));
		describe(tie, tie_part, b, sizeof(b));
		snprintf(err, errlen, "the header fits two profiles, %s and %s; give --profile", a,
			 b);
		return NULL;
	}
	*part = best_part;
	return best;
}

static int digits_at(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* "YYYYMMDDhhmm[ss]" (n = 12 or 14 digits at s) as a local time; 0 / -1. */
static int compact_time(const char *s, size_t n, struct ltime *out)
{
	char text[24];
	const char *why;

	snprintf(text, sizeof(text), "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", s, s + 4, s + 6, s + 8,
		 s + 10, n == 14 ? s + 12 : "00");
	return ltime_parse(text, strlen(text), out, &why);
}

int order_profile_time_from_name(const char *name, struct ltime *out)
{
	const char *why;
	size_t i = 0, n = strlen(name);

	if (n > 10 && digits_at(name, 10) && name[10] == '_')
		return ltime_parse_unix_text(name, 10, out, &why);
	while (i < n) {
		size_t run = 0;

		while (i + run < n && name[i + run] >= '0' && name[i + run] <= '9')
			run++;
		if ((run == 12 || run == 14) && compact_time(name + i, run, out) == 0)
			return 0;
		i += run ? run : 1;
	}
	return -1;
}

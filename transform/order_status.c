/*
 * order_status.c — status code tables per platform profile and the lookups
 * over them (see include/siyu/transform/order_status.h).
 *
 * Every table cites its source: the platform's page under docs/ (docs/youzan.md,
 * docs/api-taobao.md, docs/api-jd.md, docs/api-pdd.md, docs/api-douyin.md,
 * docs/api-channels.md). "Canonical" is the status set of docs/schema.md. A code
 * maps to one status, or to two when its meaning depends on whether the order
 * was paid (MAP_PAID rows).
 */
#include "siyu/transform/order_status.h"

#include <string.h>

#include "siyu/common/textclean.h"

struct status_code {
	const char *code;
	enum order_status st;      /* meaning when unpaid (or always) */
	enum order_status st_paid; /* meaning when paid */
};

#define MAP(code, st) { code, st, st }
#define MAP_PAID(code, unpaid, paid) { code, unpaid, paid }

enum refund_effect { REFUND_NONE, REFUND_ACTIVE, REFUND_DONE };

struct refund_code {
	const char *code;
	enum refund_effect effect;
};

static const char *const status_names[ORDER_STATUS_COUNT] = {
	"unpaid", "paid", "shipped", "completed", "cancelled", "refunding",
	"refunded",
};

/*
 * generic: docs/import-generic.md (canonical names, and the Chinese labels it
 * lists), plus the 订单状态 texts of Taobao/Tmall 千牛 exports (docs/api-taobao.md,
 * with the full-width comma and with an ASCII one) and common back-office
 * labels whose platform meaning is the same on every platform.
 * Choices: 交易关闭 / 已关闭 → cancelled, as import-generic.md fixes it,
 * although Taobao also writes 交易关闭 for a trade closed by a full refund
 * (either way the order does not qualify; refunds come from line_refund).
 * Left out on purpose: 部分退款 (a partial refund is an amount, not a status),
 * 已签收 (Taobao TRADE_BUYER_SIGNED = shipped but PDD 已签收 = completed),
 * 售后中 (may be an exchange).
 */
static const struct status_code generic_codes[] = {
	MAP("unpaid", ORDER_UNPAID),
	MAP("paid", ORDER_PAID),
	MAP("shipped", ORDER_SHIPPED),
	MAP("completed", ORDER_COMPLETED),
	MAP("cancelled", ORDER_CANCELLED),
	MAP("refunding", ORDER_REFUNDING),
	MAP("refunded", ORDER_REFUNDED),
	MAP("待付款", ORDER_UNPAID),
	MAP("待支付", ORDER_UNPAID),
	MAP("未付款", ORDER_UNPAID),
	MAP("等待买家付款", ORDER_UNPAID),
	MAP("待发货", ORDER_PAID),
	MAP("已付款", ORDER_PAID),
	MAP("已支付", ORDER_PAID),
	MAP("备货中", ORDER_PAID),
	MAP("买家已付款", ORDER_PAID),
	MAP("等待卖家发货", ORDER_PAID),
	MAP("买家已付款，等待卖家发货", ORDER_PAID),
	MAP("买家已付款,等待卖家发货", ORDER_PAID),
	MAP("已发货", ORDER_SHIPPED),
	MAP("部分发货", ORDER_SHIPPED),
	MAP("待收货", ORDER_SHIPPED),
	MAP("卖家已发货", ORDER_SHIPPED),
	MAP("等待买家确认收货", ORDER_SHIPPED),
	MAP("卖家已发货，等待买家确认", ORDER_SHIPPED),
	MAP("卖家已发货,等待买家确认", ORDER_SHIPPED),
	MAP("卖家已发货，等待买家确认收货", ORDER_SHIPPED),
	MAP("卖家已发货,等待买家确认收货", ORDER_SHIPPED),
	MAP("交易成功", ORDER_COMPLETED),
	MAP("交易完成", ORDER_COMPLETED),
	MAP("已完成", ORDER_COMPLETED),
	MAP("交易关闭", ORDER_CANCELLED),
	MAP("已关闭", ORDER_CANCELLED),
	MAP("已取消", ORDER_CANCELLED),
	MAP("退款中", ORDER_REFUNDING),
	MAP("已退款", ORDER_REFUNDED),
	MAP("退款成功", ORDER_REFUNDED),
};

/*
 * taobao / tmall: TOP Trade.status, docs/api-taobao.md "Status map"
 * (bububa/opentaobao model/trade/Trade.go). WAIT_PRE_AUTH_CONFIRM (0元购
 * pre-authorisation, nothing paid yet) → unpaid. TRADE_CLOSED is the close
 * after a full refund; TRADE_CLOSED_BY_TAOBAO the close before payment.
 */
static const struct status_code taobao_codes[] = {
	/*
	 * 千牛 订单报表 / 宝贝报表 订单状态 (docs/import-taobao.md),
	 * (code_equals also takes the ASCII comma a re-save leaves). 交易关闭 is
	 * TOP's TRADE_CLOSED (refunded) after a payment and TRADE_CLOSED_BY_TAOBAO
	 * (cancelled) before one.
	 */
	MAP("等待买家付款", ORDER_UNPAID),
	MAP("买家已付款，等待卖家发货", ORDER_PAID),
	MAP("卖家已发货，等待买家确认", ORDER_SHIPPED),
	MAP("交易成功", ORDER_COMPLETED),
	MAP_PAID("交易关闭", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP("TRADE_NO_CREATE_PAY", ORDER_UNPAID),
	MAP("WAIT_BUYER_PAY", ORDER_UNPAID),
	MAP("PAY_PENDING", ORDER_UNPAID),
	MAP("WAIT_PRE_AUTH_CONFIRM", ORDER_UNPAID),
	MAP("WAIT_SELLER_SEND_GOODS", ORDER_PAID),
	MAP("PAID_FORBID_CONSIGN", ORDER_PAID),
	MAP("SELLER_CONSIGNED_PART", ORDER_SHIPPED),
	MAP("WAIT_BUYER_CONFIRM_GOODS", ORDER_SHIPPED),
	MAP("TRADE_BUYER_SIGNED", ORDER_SHIPPED),
	MAP("TRADE_FINISHED", ORDER_COMPLETED),
	MAP("TRADE_CLOSED_BY_TAOBAO", ORDER_CANCELLED),
	MAP("TRADE_CLOSED", ORDER_REFUNDED),
};

/*
 * taobao / tmall: Order.refund_status, docs/api-taobao.md "Status map", and the
 * same states as the 宝贝报表's 退款状态 column writes them
 * (docs/import-taobao.md).
 */
static const struct refund_code taobao_refunds[] = {
	{ "没有申请退款", REFUND_NONE },
	{ "退款关闭", REFUND_NONE },
	{ "买家已经申请退款，等待卖家同意", REFUND_ACTIVE },
	{ "卖家已经同意退款，等待买家退货", REFUND_ACTIVE },
	{ "买家已经退货，等待卖家确认收货", REFUND_ACTIVE },
	{ "卖家拒绝退款", REFUND_ACTIVE },
	{ "退款成功", REFUND_DONE },
	{ "NO_REFUND", REFUND_NONE },
	{ "CLOSED", REFUND_NONE },
	{ "WAIT_SELLER_AGREE", REFUND_ACTIVE },
	{ "WAIT_BUYER_RETURN_GOODS", REFUND_ACTIVE },
	{ "WAIT_SELLER_CONFIRM_GOODS", REFUND_ACTIVE },
	{ "SELLER_REFUSE_BUYER", REFUND_ACTIVE },
	{ "SUCCESS", REFUND_DONE },
};

/*
 * youzan: youzan.trades.sold.get 4.0.x order_info.status, docs/youzan.md
 * "Status map" (flyinke/youzan-sdk v4_0_0 models). TRADE_PAID is transient,
 * WAIT_CONFIRM is 待成团/待接单. TRADE_CLOSED depends on pay_time.
 * TRADE_REFUND (a request filter value) is not in the documented map and
 * stays unknown.
 */
static const struct status_code youzan_codes[] = {
	/* 有赞 订单导出 订单状态 / 订单商品状态 (docs/import-youzan.md) */
	MAP("待付款", ORDER_UNPAID),
	MAP("待成团", ORDER_PAID),
	MAP("待接单", ORDER_PAID),
	MAP("待发货", ORDER_PAID),
	MAP("已发货", ORDER_SHIPPED),
	MAP("交易成功", ORDER_COMPLETED),
	MAP("已完成", ORDER_COMPLETED),
	MAP_PAID("交易关闭", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP_PAID("已关闭", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP("WAIT_BUYER_PAY", ORDER_UNPAID),
	MAP("TRADE_PAID", ORDER_PAID),
	MAP("WAIT_CONFIRM", ORDER_PAID),
	MAP("WAIT_SELLER_SEND_GOODS", ORDER_PAID),
	MAP("WAIT_BUYER_CONFIRM_GOODS", ORDER_SHIPPED),
	MAP("TRADE_SUCCESS", ORDER_COMPLETED),
	MAP_PAID("TRADE_CLOSED", ORDER_CANCELLED, ORDER_REFUNDED),
};

/*
 * youzan: order_info.refund_state, docs/youzan.md: 0 none, 1 partial
 * refunding, 2 partial refunded (status kept), 11 full refunding, 12 full
 * refunded.
 */
static const struct refund_code youzan_refunds[] = {
	/* 商品退款状态 of the export (docs/import-youzan.md) */
	{ "无退款", REFUND_NONE },
	{ "退款关闭", REFUND_NONE },
	{ "退款中", REFUND_ACTIVE },
	{ "退款成功", REFUND_DONE },
	{ "退款完成", REFUND_DONE },
	{ "0", REFUND_NONE },
	{ "1", REFUND_ACTIVE },
	{ "2", REFUND_NONE },
	{ "11", REFUND_ACTIVE },
	{ "12", REFUND_DONE },
};

/*
 * jd: jingdong.pop.order.enSearch orderInfo.orderState, docs/api-jd.md
 * "Status map" (rise-worlds/jos api/order/order.interface.go). PAUSE and
 * POP_ORDER_PAUSE are on hold after payment → paid (the caller may flag
 * them); LOCKED is usually a pending cancel/refund → refunding;
 * TRADE_CANCELED depends on paymentConfirmTime. Unpaid orders are not
 * returned by this API, so no unpaid code.
 */
static const struct status_code jd_codes[] = {
	/*
	 * 京东 订单导出 订单状态 (docs/import-jd.md). 锁定 is a
	 * pending cancel or refund; a "(删除)" prefix marks an order deleted after
	 * the fact: cancelled when never paid, refunded when paid.
	 */
	MAP("等待付款", ORDER_UNPAID),
	MAP("等待出库", ORDER_PAID),
	MAP("暂停", ORDER_PAID),
	MAP("等待确认收货", ORDER_SHIPPED),
	MAP("完成", ORDER_COMPLETED),
	MAP("锁定", ORDER_REFUNDING),
	MAP("(锁定)等待出库", ORDER_REFUNDING),
	MAP_PAID("已取消", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP_PAID("(删除)等待付款", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP_PAID("(删除)等待出库", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP_PAID("(删除)等待确认收货", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP_PAID("(删除)完成", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP("WAIT_SELLER_STOCK_OUT", ORDER_PAID),
	MAP("WAIT_SELLER_DELIVERY", ORDER_PAID),
	MAP("PAUSE", ORDER_PAID),
	MAP("POP_ORDER_PAUSE", ORDER_PAID),
	MAP("WAIT_GOODS_RECEIVE_CONFIRM", ORDER_SHIPPED),
	MAP("FINISHED_L", ORDER_COMPLETED),
	MAP("LOCKED", ORDER_REFUNDING),
	MAP_PAID("TRADE_CANCELED", ORDER_CANCELLED, ORDER_REFUNDED),
};

/*
 * pdd: the order_status field alone, docs/api-pdd.md (1 待发货, 2 已发货待签收,
 * 3 已签收), valid for a confirmed order without refund. Whole orders should
 * go through order_status_map_pdd, which also reads confirm_status and
 * refund_status.
 */
static const struct status_code pdd_codes[] = {
	/*
	 * 拼多多 订单导出 订单状态 (docs/import-pdd.md).
	 * 未发货，退款成功 was paid, so refunded.
	 */
	MAP("待支付", ORDER_UNPAID),
	MAP("待发货", ORDER_PAID),
	MAP("已发货，待签收", ORDER_SHIPPED),
	MAP("已签收", ORDER_COMPLETED),
	MAP("已取消", ORDER_CANCELLED),
	MAP("未发货，退款成功", ORDER_REFUNDED),
	MAP("已发货，退款成功", ORDER_REFUNDED),
	MAP("已签收，退款成功", ORDER_REFUNDED),
	MAP("1", ORDER_PAID),
	MAP("2", ORDER_SHIPPED),
	MAP("3", ORDER_COMPLETED),
};

/*
 * pdd: the export's 售后状态 (docs/import-pdd.md):
 * an exchange or a withdrawn request refunds nothing.
 */
static const struct refund_code pdd_refunds[] = {
	{ "无售后或售后取消", REFUND_NONE },
	{ "买家撤销", REFUND_NONE },
	{ "售后取消，退款失败", REFUND_NONE },
	{ "换货成功", REFUND_NONE },
	{ "商家已发货，待消费者确认收货", REFUND_NONE },
	{ "售后处理中", REFUND_ACTIVE },
	{ "商家同意退货退款，待买家发货", REFUND_ACTIVE },
	{ "用户已发货，待商家处理", REFUND_ACTIVE },
	{ "退款成功", REFUND_DONE },
};

/*
 * douyin: order.searchList shop_order_list[].order_status, docs/api-douyin.md
 * "Status map" (zsmhub/doudian-sdk order_searchList response): 1 待支付,
 * 105 已支付, 2 备货中, 101 部分发货, 3 已发货, 5 已完成, 4 已取消 (depends on
 * pay_time).
 */
static const struct status_code douyin_codes[] = {
	/*
	 * 抖店 订单导出 订单状态 (docs/import-douyin.md):
	 * 已关闭 is an unpaid order that timed out, or a paid one refunded.
	 */
	MAP("待支付", ORDER_UNPAID),
	MAP("待付款", ORDER_UNPAID),
	MAP("已支付", ORDER_PAID),
	MAP("备货中", ORDER_PAID),
	MAP("待发货", ORDER_PAID),
	MAP("部分发货", ORDER_SHIPPED),
	MAP("已发货", ORDER_SHIPPED),
	MAP("已完成", ORDER_COMPLETED),
	MAP_PAID("已关闭", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP_PAID("已取消", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP("1", ORDER_UNPAID),
	MAP("105", ORDER_PAID),
	MAP("2", ORDER_PAID),
	MAP("101", ORDER_SHIPPED),
	MAP("3", ORDER_SHIPPED),
	MAP("5", ORDER_COMPLETED),
	MAP_PAID("4", ORDER_CANCELLED, ORDER_REFUNDED),
};

/* douyin: after_sale_info.refund_status, docs/api-douyin.md: 1 待退款, 3 done. */
static const struct refund_code douyin_refunds[] = {
	/* the export's 售后状态 (docs/import-douyin.md; "-" is an empty cell) */
	{ "售后关闭", REFUND_NONE },
	{ "售后已拒绝", REFUND_NONE },
	{ "换货成功", REFUND_NONE },
	{ "换货待收货", REFUND_NONE },
	{ "补寄成功", REFUND_NONE },
	{ "退款中", REFUND_ACTIVE },
	{ "待收退货", REFUND_ACTIVE },
	{ "待退货", REFUND_ACTIVE },
	{ "售后待处理", REFUND_ACTIVE },
	{ "退款成功", REFUND_DONE },
	{ "已全额退款", REFUND_DONE },
	{ "同意退款，退款成功", REFUND_DONE },
	{ "0", REFUND_NONE },
	{ "1", REFUND_ACTIVE },
	{ "3", REFUND_DONE },
};

/*
 * channels: /channels/ec/order/get order.status, docs/api-channels.md "Status map"
 * (fudiwei/DotNetCore.SKIT.FlurlHttpClient.Wechat ChannelsECOrderGetResponse):
 * 10 待付款, 12 礼物待收下, 13 凑单买凑团中, 20 待发货, 21 部分发货, 30 待收货,
 * 100 完成, 200 all items after-sold then cancelled, 250 unpaid
 * cancel/timeout. on_aftersale_order_cnt > 0 (→ refunding) is the caller's.
 */
static const struct status_code channels_codes[] = {
	/*
	 * 微信小店 订单导出 订单状态 (docs/import-channels.md): 已取消 is an unpaid
	 * cancel (250) or, after a payment, every item after-sold (200).
	 */
	MAP("待付款", ORDER_UNPAID),
	MAP("待发货", ORDER_PAID),
	MAP("部分发货", ORDER_SHIPPED),
	MAP("已发货", ORDER_SHIPPED),
	MAP("待收货", ORDER_SHIPPED),
	MAP("已完成", ORDER_COMPLETED),
	MAP_PAID("已取消", ORDER_CANCELLED, ORDER_REFUNDED),
	MAP("10", ORDER_UNPAID),
	MAP("12", ORDER_PAID),
	MAP("13", ORDER_PAID),
	MAP("20", ORDER_PAID),
	MAP("21", ORDER_SHIPPED),
	MAP("30", ORDER_SHIPPED),
	MAP("100", ORDER_COMPLETED),
	MAP("200", ORDER_REFUNDED),
	MAP("250", ORDER_CANCELLED),
};

/* channels: the export's 商品售后 (docs/import-channels.md). */
static const struct refund_code channels_refunds[] = {
	{ "无售后", REFUND_NONE },
	{ "售后关闭", REFUND_NONE },
	{ "售后中", REFUND_ACTIVE },
	{ "退款中", REFUND_ACTIVE },
	{ "退款完成", REFUND_DONE },
	{ "退款成功", REFUND_DONE },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct profile {
	const char *name;
	const struct status_code *codes;
	size_t ncodes;
	const struct refund_code *refunds; /* NULL: no refund field */
	size_t nrefunds;
};

static const struct profile profiles[] = {
	{ "generic", generic_codes, COUNT(generic_codes), NULL, 0 },
	{ "taobao", taobao_codes, COUNT(taobao_codes),
	  taobao_refunds, COUNT(taobao_refunds) },
	{ "tmall", taobao_codes, COUNT(taobao_codes),
	  taobao_refunds, COUNT(taobao_refunds) },
	{ "youzan", youzan_codes, COUNT(youzan_codes),
	  youzan_refunds, COUNT(youzan_refunds) },
	{ "jd", jd_codes, COUNT(jd_codes), NULL, 0 },
	{ "pdd", pdd_codes, COUNT(pdd_codes), pdd_refunds, COUNT(pdd_refunds) },
	{ "douyin", douyin_codes, COUNT(douyin_codes),
	  douyin_refunds, COUNT(douyin_refunds) },
	{ "channels", channels_codes, COUNT(channels_codes),
	  channels_refunds, COUNT(channels_refunds) },
};

static const struct profile *find_profile(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < COUNT(profiles); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

/*
 * 1 when the folded input equals the NUL-terminated code after text_fold:
 * ASCII case, white space and full-width forms (a re-saved export writes
 * "，" or "," and "（删除）" or "(删除)") do not matter. The input is folded
 * once by the caller (fold_input); each code costs a byte or two.
 */
static int code_equals(const char *folded, const char *code)
{
	return text_fold_equals(folded, code, strlen(code));
}

/* src trimmed and folded into out: its length (0 when blank). */
static size_t fold_input(const char *src, size_t len, char out[TEXT_FOLD_MAX])
{
	const char *s;
	size_t n = text_trim(src, len, &s);

	out[0] = '\0';
	return n ? text_fold(s, n, out, TEXT_FOLD_MAX) : 0;
}

const char *order_status_name(enum order_status st)
{
	if ((int)st < 0 || (int)st >= ORDER_STATUS_COUNT)
		return NULL;
	return status_names[st];
}

int order_status_from_name(const char *name, enum order_status *out)
{
	int i;

	for (i = 0; i < ORDER_STATUS_COUNT; i++) {
		if (strcmp(status_names[i], name) == 0) {
			*out = (enum order_status)i;
			return 0;
		}
	}
	return -1;
}

int order_status_has_profile(const char *profile)
{
	return find_profile(profile) != NULL;
}

int order_status_map_paid(const char *profile, const char *src, size_t len,
			  enum order_paid paid, enum order_status *out)
{
	const struct profile *p = find_profile(profile);
	char folded[TEXT_FOLD_MAX];
	size_t i;

	if (!p || fold_input(src, len, folded) == 0)
		return -1;
	for (i = 0; i < p->ncodes; i++) {
		const struct status_code *c = &p->codes[i];

		if (!code_equals(folded, c->code))
			continue;
		if (c->st == c->st_paid)
			*out = c->st;
		else if (paid == ORDER_PAID_UNKNOWN)
			return -1;
		else
			*out = paid == ORDER_PAID_YES ? c->st_paid : c->st;
		return 0;
	}
	return -1;
}

int order_status_map(const char *profile, const char *src, size_t len,
		     enum order_status *out)
{
	return order_status_map_paid(profile, src, len, ORDER_PAID_UNKNOWN, out);
}

int order_status_apply_refund(const char *profile, const char *src, size_t len,
			      enum order_status *st)
{
	const struct profile *p = find_profile(profile);
	char folded[TEXT_FOLD_MAX];
	size_t n, i;

	if (!p || !p->refunds)
		return -1;
	n = fold_input(src, len, folded);
	for (i = 0; n > 0 && i < p->nrefunds; i++) {
		enum refund_effect e = p->refunds[i].effect;

		if (!code_equals(folded, p->refunds[i].code))
			continue;
		if (e == REFUND_DONE)
			*st = ORDER_REFUNDED;
		else if (e == REFUND_ACTIVE && *st != ORDER_REFUNDED &&
			 *st != ORDER_CANCELLED)
			*st = ORDER_REFUNDING;
		return 0;
	}
	return -1;
}

/* PDD confirm_status + order_status when there is no refund. */
static int pdd_without_refund(int confirm_status, int order_status,
			      enum order_status *out)
{
	static const enum order_status by_order_status[] = {
		ORDER_PAID, ORDER_SHIPPED, ORDER_COMPLETED, /* 1, 2, 3 */
	};

	switch (confirm_status) {
	case 0: /* 拼团中: paid, group not formed yet */
		*out = ORDER_PAID;
		return 0;
	case 2: /* 已取消 */
		*out = ORDER_CANCELLED;
		return 0;
	case 1: /* 已成交 */
		if (order_status < 1 || order_status > 3)
			return -1;
		*out = by_order_status[order_status - 1];
		return 0;
	default:
		return -1;
	}
}

int order_status_map_pdd(int confirm_status, int order_status,
			 int refund_status, enum order_status *out)
{
	if (confirm_status < 0 || confirm_status > 2)
		return -1;
	switch (refund_status) {
	case 1: /* 无售后或售后关闭 */
		return pdd_without_refund(confirm_status, order_status, out);
	case 2: /* 售后处理中 */
	case 3: /* 退款中 */
		*out = ORDER_REFUNDING;
		return 0;
	case 4: /* 退款成功 */
		*out = ORDER_REFUNDED;
		return 0;
	default:
		return -1;
	}
}

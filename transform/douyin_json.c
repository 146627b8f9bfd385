/*
 * douyin_json.c — one Douyin shop order → canonical order lines (see douyin_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/transform/douyin_json.h"

#include "siyu/transform/order_status.h"
#include "siyu/common/json_get.h"

#include <stdio.h>
#include <string.h>

static int parse_header(const struct douyin_xform *x, struct json_object *order,
			struct order_line *h, char *key, size_t keylen, char *why, size_t whylen)
{
	const char *id, *status, *buyer;
	int present;

	if (oj_id(order, "order_id", 1, &id, why, whylen) < 0)
		return -1;
	snprintf(key, keylen, "douyin/%s/%.120s", x->shop_id, id);
	h->platform = oj_span("douyin");
	h->shop_id = oj_span(x->shop_id);
	h->shop_name = oj_span("");
	h->order_no = oj_span(id);
	h->unionid = oj_span("");
	if (oj_text(order, "doudian_open_id", &buyer) < 0)
		return oj_fail(why, whylen, "doudian_open_id", NULL, "not a text value");
	h->buyer_id = oj_span(buyer);
	if (oj_epoch(order, "create_time", 1, &h->created, &present, why, whylen) ||
	    oj_epoch(order, "update_time", 1, &h->updated, &present, why, whylen) ||
	    oj_epoch(order, "pay_time", 0, &h->paid, &h->has_paid, why, whylen))
		return -1;
	if (order_version_value(&h->updated) < order_version_value(&h->created))
		return oj_fail(why, whylen, "update_time", NULL, "earlier than create_time");
	if (oj_text(order, "order_status", &status) < 0 || !*status)
		return oj_fail(why, whylen, "order_status", NULL, "missing");
	if (order_status_map_paid("douyin", status, strlen(status),
				  h->has_paid ? ORDER_PAID_YES : ORDER_PAID_NO, &h->status) < 0)
		return oj_fail(why, whylen, "order_status", status, "unknown order status");
	return 0;
}

/* The line's after-sale from after_sale_info. 0 / -1. */
static int line_refund(struct json_object *it, enum oj_refund *out, char *why, size_t whylen)
{
	struct json_object *as = NULL;
	const char *rs = "", *ass = "";

	*out = OJ_REFUND_NONE;
	if (wj_object(it, "after_sale_info", &as) == WJ_BAD)
		return oj_fail(why, whylen, "after_sale_info", NULL, "not an object");
	if (oj_text(as, "refund_status", &rs) < 0 || oj_text(as, "after_sale_status", &ass) < 0)
		return oj_fail(why, whylen, "after_sale_info", NULL, "not text or numbers");
	if (!strcmp(rs, "1") && !strcmp(ass, "28")) /* 28: the buyer cancelled the after-sale */
		return 0;
	if (oj_refund_effect("douyin", rs, out) < 0)
		return oj_fail(why, whylen, "after_sale_info.refund_status", rs,
			       "unknown refund status");
	return 0;
}

static const struct oj_line_keys sku_keys = {
	.list = "sku_order_list", .id = "order_id", .sku = "out_sku_id", .sku_alt = "code",
	.product = "product_id", .variant = "sku_id", .title = "product_name",
	.quantity = "item_num", .price = "origin_amount", .paid = "pay_amount", .fen = 1,
};

/* The sku order's pay_amount is required, its after-sale into ((enum oj_refund *)arg)[i]. */
static int sku_refund(struct json_object *it, size_t i, struct order_line *l, void *arg,
		      char *why, size_t whylen)
{
	enum oj_refund *refund = arg;

	(void)l;
	if (!json_object_object_get_ex(it, "pay_amount", NULL))
		return oj_fail(why, whylen, "pay_amount", NULL, "missing");
	return line_refund(it, &refund[i], why, whylen);
}

int douyin_order_parse(const struct douyin_xform *x, struct json_object *order,
		       struct order_json *o, char *why, size_t whylen)
{
	struct json_object *skus = NULL;
	enum oj_refund refund[ORDER_JSON_MAX_LINES];
	struct order_line h;
	int64_t post, promotion;
	int rc;

	o->nlines = 0;
	o->key[0] = '\0';
	memset(&h, 0, sizeof(h));
	if (!order || !json_object_is_type(order, json_type_object))
		return oj_fail(why, whylen, "shop_order", NULL, "not an object");
	if (parse_header(x, order, &h, o->key, sizeof(o->key), why, whylen) < 0)
		return -1;
	if (oj_fen(order, "post_amount", 0, &post, why, whylen) ||
	    oj_fen(order, "promotion_amount", 0, &promotion, why, whylen))
		return -1;
	wj_array(order, "sku_order_list", &skus);
	if ((rc = oj_lines(&sku_keys, skus, &h, o, sku_refund, refund, NULL, why, whylen)) < 0)
		return rc;
	oj_line_refunds(o, o->nlines, refund);
	oj_order_amounts(o, post, promotion);
	return 0;
}

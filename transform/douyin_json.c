/*
 * douyin_json.c — one Douyin shop order → canonical order lines (see douyin_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/douyin_json.h"

#include "siyu/order_status.h"
#include "siyu/textclean.h"
#include "siyu/wecom.h" /* wj_* lenient JSON getters */

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

static int parse_sku(struct json_object *it, size_t i, struct order_line *l, char *sku,
		     size_t skulen, enum oj_refund *refund, char *why, size_t whylen)
{
	const char *id, *product, *sku_id, *outer, *code, *title;
	char field[48];

	snprintf(field, sizeof(field), "sku_order_list[%zu]", i);
	if (!json_object_is_type(it, json_type_object))
		return oj_fail(why, whylen, field, NULL, "not an object");
	if (oj_id(it, "order_id", 1, &id, why, whylen) < 0 ||
	    oj_id(it, "product_id", 0, &product, why, whylen) < 0 ||
	    oj_id(it, "sku_id", 0, &sku_id, why, whylen) < 0)
		return -1;
	if (oj_text(it, "out_sku_id", &outer) < 0 || oj_text(it, "code", &code) < 0 ||
	    oj_text(it, "product_name", &title) < 0)
		return oj_fail(why, whylen, field, NULL, "out_sku_id, code or product_name is not "
							"a text value");
	if (*outer || *code)
		snprintf(sku, skulen, "%.47s", *outer ? outer : code);
	else if (*product)
		snprintf(sku, skulen, "%.23s-%.23s", product, *sku_id ? sku_id : "0");
	else
		return oj_fail(why, whylen, field, NULL, "neither out_sku_id, code nor product_id");
	if (!text_utf8_valid(title, strlen(title)))
		return oj_fail(why, whylen, field, NULL, "product_name is not valid UTF-8");
	if (line_refund(it, refund, why, whylen) < 0)
		return -1;
	l->line_no = (int)i + 1;
	l->line_id = oj_span(id);
	l->sku = oj_span(sku);
	l->title = oj_span(title);
	if (oj_count(it, "item_num", &l->quantity, why, whylen) ||
	    oj_fen(it, "origin_amount", 1, &l->unit_price_fen, why, whylen) ||
	    oj_fen(it, "pay_amount", 1, &l->paid_fen, why, whylen))
		return -1;
	if (l->unit_price_fen > INT64_MAX / l->quantity)
		return oj_fail(why, whylen, field, NULL, "item_num × origin_amount overflows");
	l->gross_fen = l->unit_price_fen * l->quantity;
	return 0;
}

int douyin_order_parse(const struct douyin_xform *x, struct json_object *order,
		       struct order_json *o, char *why, size_t whylen)
{
	struct json_object *skus = NULL;
	struct order_line h;
	int64_t post, promotion;
	enum oj_refund refund[ORDER_JSON_MAX_LINES];
	size_t n;

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
	if (wj_array(order, "sku_order_list", &skus) != WJ_OK ||
	    (n = json_object_array_length(skus)) == 0)
		return oj_fail(why, whylen, "sku_order_list", NULL, "no sku orders");
	if (n > ORDER_JSON_MAX_LINES)
		return oj_fail(why, whylen, "sku_order_list", NULL, "more than 1000 lines");
	if (order_json_grow(o, n) < 0) {
		snprintf(why, whylen, "out of memory");
		return -2;
	}
	for (size_t i = 0; i < n; i++) {
		o->line[i] = h;
		if (parse_sku(json_object_array_get_idx(skus, i), i, &o->line[i], o->sku[i],
			      sizeof(o->sku[i]), &refund[i], why, whylen) < 0)
			return -1;
	}
	oj_line_refunds(o, n, refund);
	for (size_t i = 0; i < n; i++) {
		struct order_line *l = &o->line[i];

		l->shipping_fen = post;
		l->discount_fen = promotion;
	}
	o->nlines = n;
	return 0;
}

/*
 * channels_json.c — one WeChat Channels shop order → canonical order lines (see
 * channels_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/transform/channels_json.h"

#include "siyu/transform/order_status.h"
#include "siyu/common/json_get.h"

#include <stdio.h>
#include <string.h>

static int parse_header(const struct channels_xform *x, struct json_object *order,
			struct json_object *detail, struct order_line *h, char *key,
			size_t keylen, char *why, size_t whylen)
{
	struct json_object *pay = NULL;
	const char *id, *status, *openid, *unionid;
	int present;

	if (oj_id(order, "order_id", 1, &id, why, whylen) < 0)
		return -1;
	snprintf(key, keylen, "channels/%s/%.120s", x->shop_id, id);
	h->platform = oj_span("channels");
	h->shop_id = oj_span(x->shop_id);
	h->shop_name = oj_span("");
	h->order_no = oj_span(id);
	if (oj_text(order, "openid", &openid) < 0 || oj_text(order, "unionid", &unionid) < 0)
		return oj_fail(why, whylen, "openid", NULL, "openid or unionid is not a text value");
	h->buyer_id = oj_span(openid);
	h->unionid = oj_span(unionid);
	if (wj_object(detail, "pay_info", &pay) == WJ_BAD)
		return oj_fail(why, whylen, "order_detail.pay_info", NULL, "not an object");
	if (oj_epoch(order, "create_time", 1, &h->created, &present, why, whylen) ||
	    oj_epoch(order, "update_time", 1, &h->updated, &present, why, whylen) ||
	    oj_epoch(pay, "pay_time", 0, &h->paid, &h->has_paid, why, whylen))
		return -1;
	if (order_version_value(&h->updated) < order_version_value(&h->created))
		return oj_fail(why, whylen, "update_time", NULL, "earlier than create_time");
	if (oj_text(order, "status", &status) < 0 || !*status)
		return oj_fail(why, whylen, "status", NULL, "missing");
	if (order_status_map("channels", status, strlen(status), &h->status) < 0)
		return oj_fail(why, whylen, "status", status, "unknown order status");
	return 0;
}

/* A product's after-sale from its counts. */
static enum oj_refund product_refund(struct json_object *it, long cnt)
{
	int64_t on = 0, finished = 0;

	wj_int64(it, "on_aftersale_sku_cnt", &on);
	wj_int64(it, "finish_aftersale_sku_cnt", &finished);
	if (finished >= cnt)
		return OJ_REFUND_DONE;
	return on > 0 || finished > 0 ? OJ_REFUND_ACTIVE : OJ_REFUND_NONE;
}

static const struct oj_line_keys product_keys = {
	.list = "order_detail.product_infos", .id = "sku_id", .sku = "out_sku_id", .sku_alt = "sku_code",
	.product = "product_id", .variant = "sku_id", .title = "title", .quantity = "sku_cnt",
	.price = "sale_price", .paid = "real_price", .fen = 1,
};

/* The product's after-sale counts into ((enum oj_refund *)arg)[i]. */
static int product_after_sale(struct json_object *it, size_t i, struct order_line *l, void *arg,
			      char *why, size_t whylen)
{
	enum oj_refund *refund = arg;

	(void)why;
	(void)whylen;
	refund[i] = product_refund(it, l->quantity);
	return 0;
}

int channels_order_parse(const struct channels_xform *x, struct json_object *order,
			 struct order_json *o, char *why, size_t whylen)
{
	struct json_object *inner = NULL, *detail = NULL, *price = NULL, *products = NULL;
	struct json_object *after = NULL;
	enum oj_refund refund[ORDER_JSON_MAX_LINES];
	struct order_line h;
	int64_t freight, discounted, order_price, on_after = 0;
	int all_real, rc;

	o->nlines = 0;
	o->key[0] = '\0';
	memset(&h, 0, sizeof(h));
	if (!order || !json_object_is_type(order, json_type_object))
		return oj_fail(why, whylen, "order", NULL, "not an object");
	if (wj_object(order, "order", &inner) == WJ_OK)
		order = inner;
	if (wj_object(order, "order_detail", &detail) != WJ_OK)
		return oj_fail(why, whylen, "order_detail", NULL, "missing");
	if (parse_header(x, order, detail, &h, o->key, sizeof(o->key), why, whylen) < 0)
		return -1;
	if (wj_object(detail, "price_info", &price) != WJ_OK)
		return oj_fail(why, whylen, "order_detail.price_info", NULL, "missing");
	if (oj_fen(price, "freight", 0, &freight, why, whylen) ||
	    oj_fen(price, "discounted_price", 0, &discounted, why, whylen) ||
	    oj_fen(price, "order_price", 1, &order_price, why, whylen))
		return -1;
	if (freight > order_price)
		return oj_fail(why, whylen, "price_info.freight", NULL, "more than order_price");
	wj_array(detail, "product_infos", &products);
	if ((rc = oj_lines(&product_keys, products, &h, o, product_after_sale, refund, &all_real,
			   why, whylen)) < 0)
		return rc;
	if (!all_real)
		oj_allocate_paid(o, o->nlines, order_price - freight);
	/* an after-sale on the order that no product count shows yet */
	if (wj_object(order, "aftersale_detail", &after) == WJ_OK)
		wj_int64(after, "on_aftersale_order_cnt", &on_after);
	if (on_after > 0) {
		size_t k = 0;

		while (k < o->nlines && refund[k] == OJ_REFUND_NONE)
			k++;
		if (k == o->nlines)
			refund[0] = OJ_REFUND_ACTIVE;
	}
	oj_line_refunds(o, o->nlines, refund);
	oj_order_amounts(o, freight, discounted);
	return 0;
}

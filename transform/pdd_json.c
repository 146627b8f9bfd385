/*
 * pdd_json.c — one Pinduoduo order → canonical order lines (see pdd_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/transform/pdd_json.h"

#include "siyu/transform/order_status.h"
#include "siyu/common/json_get.h"

#include <stdio.h>
#include <string.h>

/* An integer status field. */
static int status_field(struct json_object *order, const char *key, int *out, char *why,
			size_t whylen)
{
	int64_t v;
	const char *s = "";

	if (wj_int64(order, key, &v) != WJ_OK || v < 0 || v > 1000) {
		oj_text(order, key, &s);
		return oj_fail(why, whylen, key, s, "not a status number");
	}
	*out = (int)v;
	return 0;
}

static int parse_header(const struct pdd_xform *x, struct json_object *order,
			struct order_line *h, char *key, size_t keylen, char *why, size_t whylen)
{
	const char *sn;
	int present, confirm, ship, refund;

	if (oj_id(order, "order_sn", 1, &sn, why, whylen) < 0)
		return -1;
	snprintf(key, keylen, "pdd/%s/%.120s", x->shop_id, sn);
	h->platform = oj_span("pdd");
	h->shop_id = oj_span(x->shop_id);
	h->shop_name = oj_span("");
	h->order_no = oj_span(sn);
	h->buyer_id = oj_span("");
	h->unionid = oj_span("");
	if (oj_time(order, "created_time", 1, &h->created, &present, why, whylen) ||
	    oj_time(order, "updated_at", 1, &h->updated, &present, why, whylen) ||
	    oj_time(order, "pay_time", 0, &h->paid, &h->has_paid, why, whylen))
		return -1;
	if (order_version_value(&h->updated) < order_version_value(&h->created))
		return oj_fail(why, whylen, "updated_at", NULL, "earlier than created_time");
	if (status_field(order, "confirm_status", &confirm, why, whylen) ||
	    status_field(order, "order_status", &ship, why, whylen) ||
	    status_field(order, "refund_status", &refund, why, whylen))
		return -1;
	if (order_status_map_pdd(confirm, ship, refund, &h->status) < 0) {
		char v[64];

		snprintf(v, sizeof(v), "%d/%d/%d", confirm, ship, refund);
		return oj_fail(why, whylen, "confirm_status/order_status/refund_status", v,
			       "unknown order status");
	}
	return 0;
}

static const struct oj_line_keys item_keys = {
	.list = "item_list", .id = "sku_id", .sku = "outer_id", .product = "goods_id",
	.variant = "sku_id", .title = "goods_name", .quantity = "goods_count",
	.price = "goods_price",
};

int pdd_order_parse(const struct pdd_xform *x, struct json_object *order, struct order_json *o,
		    char *why, size_t whylen)
{
	struct json_object *items = NULL;
	struct order_line h;
	int64_t pay, postage, discount;
	int rc;

	o->nlines = 0;
	o->key[0] = '\0';
	memset(&h, 0, sizeof(h));
	if (!order || !json_object_is_type(order, json_type_object))
		return oj_fail(why, whylen, "order", NULL, "not an object");
	if (parse_header(x, order, &h, o->key, sizeof(o->key), why, whylen) < 0)
		return -1;
	if (oj_yuan(order, "pay_amount", 1, &pay, why, whylen) ||
	    oj_yuan(order, "postage", 0, &postage, why, whylen) ||
	    oj_yuan(order, "discount_amount", 0, &discount, why, whylen))
		return -1;
	if (postage > pay)
		return oj_fail(why, whylen, "postage", NULL, "more than pay_amount");
	wj_array(order, "item_list", &items);
	if ((rc = oj_lines(&item_keys, items, &h, o, NULL, NULL, NULL, why, whylen)) < 0)
		return rc;
	oj_allocate_paid(o, o->nlines, pay - postage);
	for (size_t i = 0; i < o->nlines; i++)
		o->line[i].refund_fen = h.status == ORDER_REFUNDED ? o->line[i].paid_fen : 0;
	oj_order_amounts(o, postage, discount);
	return 0;
}

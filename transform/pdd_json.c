/*
 * pdd_json.c — one Pinduoduo order → canonical order lines (see pdd_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/pdd_json.h"

#include "siyu/order_status.h"
#include "siyu/textclean.h"
#include "siyu/wecom.h" /* wj_* lenient JSON getters */

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

static int parse_item(struct json_object *it, size_t i, struct order_line *l, char *sku,
		      size_t skulen, char *why, size_t whylen)
{
	const char *sku_id, *goods_id, *outer, *title;
	char field[48];

	snprintf(field, sizeof(field), "item_list[%zu]", i);
	if (!json_object_is_type(it, json_type_object))
		return oj_fail(why, whylen, field, NULL, "not an object");
	if (oj_id(it, "sku_id", 1, &sku_id, why, whylen) < 0 ||
	    oj_id(it, "goods_id", 1, &goods_id, why, whylen) < 0)
		return -1;
	if (oj_text(it, "outer_id", &outer) < 0 || oj_text(it, "goods_name", &title) < 0)
		return oj_fail(why, whylen, field, NULL, "outer_id or goods_name is not a text value");
	if (*outer)
		snprintf(sku, skulen, "%.47s", outer);
	else
		snprintf(sku, skulen, "%.23s-%.23s", goods_id, sku_id);
	if (!text_utf8_valid(title, strlen(title)))
		return oj_fail(why, whylen, field, NULL, "goods_name is not valid UTF-8");
	l->line_no = (int)i + 1;
	l->line_id = oj_span(sku_id);
	l->sku = oj_span(sku);
	l->title = oj_span(title);
	if (oj_count(it, "goods_count", &l->quantity, why, whylen) ||
	    oj_yuan(it, "goods_price", 1, &l->unit_price_fen, why, whylen))
		return -1;
	if (l->unit_price_fen > INT64_MAX / l->quantity)
		return oj_fail(why, whylen, field, NULL, "goods_count × goods_price overflows");
	l->gross_fen = l->unit_price_fen * l->quantity;
	return 0;
}

int pdd_order_parse(const struct pdd_xform *x, struct json_object *order, struct order_json *o,
		    char *why, size_t whylen)
{
	struct json_object *items = NULL;
	struct order_line h;
	int64_t pay, postage, discount;
	size_t n;

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
	if (wj_array(order, "item_list", &items) != WJ_OK || (n = json_object_array_length(items)) == 0)
		return oj_fail(why, whylen, "item_list", NULL, "no goods");
	if (n > ORDER_JSON_MAX_LINES)
		return oj_fail(why, whylen, "item_list", NULL, "more than 1000 lines");
	if (order_json_grow(o, n) < 0) {
		snprintf(why, whylen, "out of memory");
		return -2;
	}
	for (size_t i = 0; i < n; i++) {
		o->line[i] = h;
		if (parse_item(json_object_array_get_idx(items, i), i, &o->line[i], o->sku[i],
			       sizeof(o->sku[i]), why, whylen) < 0)
			return -1;
	}
	oj_allocate_paid(o, n, pay - postage);
	for (size_t i = 0; i < n; i++) {
		o->line[i].refund_fen = h.status == ORDER_REFUNDED ? o->line[i].paid_fen : 0;
		o->line[i].shipping_fen = postage;
		o->line[i].discount_fen = discount;
	}
	o->nlines = n;
	return 0;
}

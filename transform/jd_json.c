/*
 * jd_json.c — one JD orderInfo → canonical order lines (see jd_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/jd_json.h"

#include "siyu/order_status.h"
#include "siyu/textclean.h"
#include "siyu/wecom.h" /* wj_* lenient JSON getters */

#include <stdio.h>
#include <string.h>

static int parse_header(const struct jd_xform *x, struct json_object *order,
			struct order_line *h, char *key, size_t keylen, char *why, size_t whylen)
{
	const char *id, *state, *buyer;
	int present;

	if (oj_id(order, "orderId", 1, &id, why, whylen) < 0)
		return -1;
	snprintf(key, keylen, "jd/%s/%.120s", x->shop_id, id);
	h->platform = oj_span("jd");
	h->shop_id = oj_span(x->shop_id);
	h->shop_name = oj_span("");
	h->order_no = oj_span(id);
	h->unionid = oj_span("");
	if (oj_text(order, "open_id_buyer", &buyer) < 0 ||
	    (!*buyer && oj_text(order, "xid_buyer", &buyer) < 0))
		return oj_fail(why, whylen, "open_id_buyer", NULL, "not a text value");
	h->buyer_id = oj_span(buyer);
	if (oj_time(order, "orderStartTime", 1, &h->created, &present, why, whylen) ||
	    oj_time(order, "modified", 1, &h->updated, &present, why, whylen) ||
	    oj_time(order, "paymentConfirmTime", 0, &h->paid, &h->has_paid, why, whylen))
		return -1;
	if (order_version_value(&h->updated) < order_version_value(&h->created))
		return oj_fail(why, whylen, "modified", NULL, "earlier than orderStartTime");
	if (oj_text(order, "orderState", &state) < 0 || !*state)
		return oj_fail(why, whylen, "orderState", NULL, "missing");
	if (order_status_map_paid("jd", state, strlen(state),
				  h->has_paid ? ORDER_PAID_YES : ORDER_PAID_NO, &h->status) < 0)
		return oj_fail(why, whylen, "orderState", state, "unknown order status");
	return 0;
}

static int parse_item(struct json_object *it, size_t i, struct order_line *l, char *sku,
		      size_t skulen, char *why, size_t whylen)
{
	const char *sku_id, *ware, *outer, *title;
	char field[48];

	snprintf(field, sizeof(field), "itemInfoList[%zu]", i);
	if (!json_object_is_type(it, json_type_object))
		return oj_fail(why, whylen, field, NULL, "not an object");
	if (oj_id(it, "skuId", 1, &sku_id, why, whylen) < 0 ||
	    oj_id(it, "wareId", 0, &ware, why, whylen) < 0)
		return -1;
	if (oj_text(it, "outerSkuId", &outer) < 0 || oj_text(it, "skuName", &title) < 0)
		return oj_fail(why, whylen, field, NULL, "outerSkuId or skuName is not a text value");
	if (*outer)
		snprintf(sku, skulen, "%.47s", outer);
	else
		snprintf(sku, skulen, "%.23s-%.23s", *ware ? ware : "0", sku_id);
	if (!text_utf8_valid(title, strlen(title)))
		return oj_fail(why, whylen, field, NULL, "skuName is not valid UTF-8");
	l->line_no = (int)i + 1;
	l->line_id = oj_span(sku_id);
	l->sku = oj_span(sku);
	l->title = oj_span(title);
	if (oj_count(it, "itemTotal", &l->quantity, why, whylen) ||
	    oj_yuan(it, "jdPrice", 1, &l->unit_price_fen, why, whylen))
		return -1;
	if (l->unit_price_fen > INT64_MAX / l->quantity)
		return oj_fail(why, whylen, field, NULL, "itemTotal × jdPrice overflows");
	l->gross_fen = l->unit_price_fen * l->quantity;
	return 0;
}

int jd_order_parse(const struct jd_xform *x, struct json_object *order, struct order_json *o,
		   char *why, size_t whylen)
{
	struct json_object *items = NULL;
	struct order_line h;
	int64_t payment, freight, gross = 0;
	size_t n;

	o->nlines = 0;
	o->key[0] = '\0';
	memset(&h, 0, sizeof(h));
	if (!order || !json_object_is_type(order, json_type_object))
		return oj_fail(why, whylen, "orderInfo", NULL, "not an object");
	if (parse_header(x, order, &h, o->key, sizeof(o->key), why, whylen) < 0)
		return -1;
	if (oj_yuan(order, "orderPayment", 1, &payment, why, whylen) ||
	    oj_yuan(order, "freightPrice", 0, &freight, why, whylen))
		return -1;
	if (freight > payment)
		return oj_fail(why, whylen, "freightPrice", NULL, "more than orderPayment");
	if (wj_array(order, "itemInfoList", &items) != WJ_OK ||
	    (n = json_object_array_length(items)) == 0)
		return oj_fail(why, whylen, "itemInfoList", NULL, "no items");
	if (n > ORDER_JSON_MAX_LINES)
		return oj_fail(why, whylen, "itemInfoList", NULL, "more than 1000 lines");
	if (order_json_grow(o, n) < 0) {
		snprintf(why, whylen, "out of memory");
		return -2;
	}
	for (size_t i = 0; i < n; i++) {
		o->line[i] = h;
		if (parse_item(json_object_array_get_idx(items, i), i, &o->line[i], o->sku[i],
			       sizeof(o->sku[i]), why, whylen) < 0)
			return -1;
		gross += o->line[i].gross_fen;
	}
	oj_allocate_paid(o, n, payment - freight);
	for (size_t i = 0; i < n; i++) {
		o->line[i].refund_fen = h.status == ORDER_REFUNDED ? o->line[i].paid_fen : 0;
		o->line[i].shipping_fen = freight;
		o->line[i].discount_fen = gross > payment - freight ? gross - (payment - freight) : 0;
	}
	o->nlines = n;
	return 0;
}

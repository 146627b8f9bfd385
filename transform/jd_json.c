/*
 * jd_json.c — one JD orderInfo → canonical order lines (see jd_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/transform/jd_json.h"

#include "siyu/transform/order_status.h"
#include "siyu/common/json_get.h"

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

static const struct oj_line_keys item_keys = {
	.list = "itemInfoList", .id = "skuId", .sku = "outerSkuId", .product = "wareId",
	.variant = "skuId", .title = "skuName", .quantity = "itemTotal", .price = "jdPrice",
};

int jd_order_parse(const struct jd_xform *x, struct json_object *order, struct order_json *o,
		   char *why, size_t whylen)
{
	struct json_object *items = NULL;
	struct order_line h;
	int64_t payment, freight, gross = 0;
	int rc;

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
	wj_array(order, "itemInfoList", &items);
	if ((rc = oj_lines(&item_keys, items, &h, o, NULL, NULL, NULL, why, whylen)) < 0)
		return rc;
	oj_allocate_paid(o, o->nlines, payment - freight);
	for (size_t i = 0; i < o->nlines; i++) {
		o->line[i].refund_fen = h.status == ORDER_REFUNDED ? o->line[i].paid_fen : 0;
		gross += o->line[i].gross_fen;
	}
	oj_order_amounts(o, freight, gross > payment - freight ? gross - (payment - freight) : 0);
	return 0;
}

/*
 * youzan_json.c — one Youzan full_order_info → canonical order lines
 * (see include/siyu/transform/youzan_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/transform/youzan_json.h"

#include "siyu/common/json_get.h"
#include "siyu/common/textclean.h"
#include "siyu/transform/order_json.h"
#include "siyu/transform/order_status.h"
#include "siyu/transform/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The buyer phone: plain numbers are hashed, ciphertext and masked ones skipped. */
static int buyer_phone(struct youzan_xform *x, struct json_object *buyer, struct order_line *h,
		       char *why, size_t whylen)
{
	char normalized[PII_PHONE_SIZE];
	const char *s, *reason;

	if (oj_text(buyer, "buyer_phone", &s) < 0 || !*s)
		return 0;
	if (strchr(s, '$') || strchr(s, '*')) {
		x->phones_skipped++; /* encrypted ($…$1$) or masked: nothing to link */
		return 0;
	}
	if (!x->pii_key) {
		snprintf(why, whylen, "buyer_info.buyer_phone given but SIYU_PII_KEY is not set: "
				      "phones are stored only as keyed hashes");
		return -2;
	}
	if (pii_phone_normalize(s, strlen(s), normalized, &reason) < 0 ||
	    pii_phone_hash(x->pii_key, x->pii_key_len, normalized, h->phone_hash) < 0) {
		x->phones_skipped++;
		return 0;
	}
	pii_phone_mask(normalized, h->phone_masked);
	h->has_phone = 1;
	return 0;
}

/* order_info: identity, status, times. */
static int parse_header(struct youzan_xform *x, struct json_object *info, struct order_line *h,
			char *key, size_t keylen, char *why, size_t whylen)
{
	const char *tid, *status, *refund, *shop_name;
	int present;

	if (oj_text(info, "tid", &tid) < 0 || !*tid)
		return oj_fail(why, whylen, "order_info.tid", NULL, "missing");
	snprintf(key, keylen, "youzan/%s/%.120s", x->shop_id, tid);
	h->platform = oj_span("youzan");
	h->shop_id = oj_span(x->shop_id);
	h->order_no = oj_span(tid);
	if (oj_text(info, "shop_name", &shop_name) < 0)
		shop_name = "";
	h->shop_name = oj_span(shop_name);
	if (oj_time(info, "created", 1, &h->created, &present, why, whylen) ||
	    oj_time(info, "update_time", 1, &h->updated, &present, why, whylen) ||
	    oj_time(info, "pay_time", 0, &h->paid, &h->has_paid, why, whylen))
		return -1;
	if (order_version_value(&h->updated) < order_version_value(&h->created))
		return oj_fail(why, whylen, "order_info.update_time", NULL, "earlier than created");
	if (oj_text(info, "status", &status) < 0 || !*status)
		return oj_fail(why, whylen, "order_info.status", NULL, "missing");
	if (order_status_map_paid("youzan", status, strlen(status),
				  h->has_paid ? ORDER_PAID_YES : ORDER_PAID_NO, &h->status) < 0)
		return oj_fail(why, whylen, "order_info.status", status, "unknown order status");
	if (oj_text(info, "refund_state", &refund) < 0)
		return oj_fail(why, whylen, "order_info.refund_state", NULL, "not a number");
	if (*refund && order_status_apply_refund("youzan", refund, strlen(refund), &h->status) < 0)
		return oj_fail(why, whylen, "order_info.refund_state", refund, "unknown refund state");
	return 0;
}

/* orders[i] into l (header fields already copied in). */
static int parse_line(struct json_object *it, size_t i, struct order_line *l, char *sku,
		      size_t skulen, char *why, size_t whylen)
{
	const char *oid, *outer, *item_id, *sku_id, *title;
	int64_t num;
	char field[48];

	snprintf(field, sizeof(field), "orders[%zu]", i);
	if (!json_object_is_type(it, json_type_object))
		return oj_fail(why, whylen, field, NULL, "not an object");
	if (oj_text(it, "oid", &oid) < 0 || !*oid)
		return oj_fail(why, whylen, field, NULL, "oid missing");
	if (oj_text(it, "outer_sku_id", &outer) < 0 || oj_text(it, "item_id", &item_id) < 0 ||
	    oj_text(it, "sku_id", &sku_id) < 0 || oj_text(it, "title", &title) < 0)
		return oj_fail(why, whylen, field, NULL, "item_id, sku_id, outer_sku_id or title is "
						      "not a text value");
	if (*outer)
		snprintf(sku, skulen, "%.47s", outer);
	else if (*item_id)
		snprintf(sku, skulen, "%.23s-%.23s", item_id, *sku_id ? sku_id : "0");
	else
		return oj_fail(why, whylen, field, NULL, "neither outer_sku_id nor item_id");
	if (wj_int64(it, "num", &num) != WJ_OK || num < 1 || num > 100000000) {
		const char *s = "";

		oj_text(it, "num", &s);
		snprintf(field, sizeof(field), "orders[%zu].num", i);
		return oj_fail(why, whylen, field, s, "not a whole number of at least 1");
	}
	if (!text_utf8_valid(title, strlen(title)))
		return oj_fail(why, whylen, field, NULL, "title is not valid UTF-8");
	l->line_no = (int)i + 1;
	l->line_id = oj_span(oid);
	l->sku = oj_span(sku);
	l->title = oj_span(title);
	l->quantity = (long)num;
	if (oj_yuan(it, "price", 1, &l->unit_price_fen, why, whylen) ||
	    oj_yuan(it, "payment", 1, &l->paid_fen, why, whylen))
		return -1;
	if (l->unit_price_fen > INT64_MAX / l->quantity)
		return oj_fail(why, whylen, field, NULL, "num × price overflows");
	l->gross_fen = l->unit_price_fen * l->quantity;
	return 0;
}

int youzan_order_parse(struct youzan_xform *x, struct json_object *item, struct order_json *o,
		       char *why, size_t whylen)
{
	struct json_object *full = NULL, *info = NULL, *pay = NULL, *buyer = NULL, *lines = NULL;
	struct order_line h;
	int64_t total_fee, post_fee, paid_sum = 0;
	const char *buyer_id;
	size_t n;
	int rc;

	o->nlines = 0;
	o->key[0] = '\0';
	memset(&h, 0, sizeof(h));
	if (!item || !json_object_is_type(item, json_type_object))
		return oj_fail(why, whylen, "full_order_info", NULL, "not an object");
	if (wj_object(item, "full_order_info", &full) != WJ_OK)
		full = item;
	if (wj_object(full, "order_info", &info) != WJ_OK)
		return oj_fail(why, whylen, "order_info", NULL, "missing");
	if (parse_header(x, info, &h, o->key, sizeof(o->key), why, whylen) < 0)
		return -1;
	if (wj_object(full, "buyer_info", &buyer) == WJ_BAD)
		return oj_fail(why, whylen, "buyer_info", NULL, "not an object");
	if (oj_text(buyer, "yz_open_id", &buyer_id) < 0)
		return oj_fail(why, whylen, "buyer_info.yz_open_id", NULL, "not a text value");
	h.buyer_id = oj_span(buyer_id);
	h.unionid = oj_span("");
	if ((rc = buyer_phone(x, buyer, &h, why, whylen)) < 0)
		return rc;
	if (wj_object(full, "pay_info", &pay) != WJ_OK)
		return oj_fail(why, whylen, "pay_info", NULL, "missing");
	if (oj_yuan(pay, "post_fee", 0, &post_fee, why, whylen) ||
	    oj_yuan(pay, "total_fee", 0, &total_fee, why, whylen))
		return -1;
	if (wj_array(full, "orders", &lines) != WJ_OK || (n = json_object_array_length(lines)) == 0)
		return oj_fail(why, whylen, "orders", NULL, "no order lines");
	if (n > ORDER_JSON_MAX_LINES)
		return oj_fail(why, whylen, "orders", NULL, "more than 1000 lines");
	if (order_json_grow(o, n) < 0) {
		snprintf(why, whylen, "out of memory");
		return -2;
	}
	for (size_t i = 0; i < n; i++) {
		struct order_line *l = &o->line[i];

		*l = h;
		if (parse_line(json_object_array_get_idx(lines, i), i, l, o->sku[i], sizeof(o->sku[i]),
			       why, whylen) < 0)
			return -1;
		paid_sum += l->paid_fen;
	}
	/* refunded in full: every line's payment went back (no amounts in this API) */
	for (size_t i = 0; i < n; i++) {
		o->line[i].refund_fen = h.status == ORDER_REFUNDED ? o->line[i].paid_fen : 0;
		o->line[i].shipping_fen = post_fee;
		o->line[i].discount_fen = total_fee > paid_sum ? total_fee - paid_sum : 0;
	}
	o->nlines = n;
	return 0;
}

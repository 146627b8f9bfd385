/*
 * taobao_json.c — one TOP trade → canonical order lines (see taobao_json.h).
 *
 * Pure: no I/O, no clock. Every failure names the field and quotes the value.
 */
#include "siyu/transform/taobao_json.h"

#include "siyu/common/json_get.h"
#include "siyu/common/textclean.h"
#include "siyu/transform/order_status.h"

#include <stdio.h>
#include <string.h>

/* Trade-level fields into the header line h. */
static int parse_header(const struct taobao_xform *x, struct json_object *t,
			struct order_line *h, char *key, size_t keylen, char *why, size_t whylen)
{
	const char *tid, *status;
	int present;

	if (oj_id(t, "tid_str", 0, &tid, why, whylen) < 0 ||
	    (!*tid && oj_id(t, "tid", 1, &tid, why, whylen) < 0))
		return -1;
	snprintf(key, keylen, "%s/%s/%.120s", x->platform, x->shop_id, tid);
	h->platform = oj_span(x->platform);
	h->shop_id = oj_span(x->shop_id);
	h->shop_name = oj_span("");
	h->order_no = oj_span(tid);
	if (oj_time(t, "created", 1, &h->created, &present, why, whylen) ||
	    oj_time(t, "modified", 1, &h->updated, &present, why, whylen) ||
	    oj_time(t, "pay_time", 0, &h->paid, &h->has_paid, why, whylen))
		return -1;
	if (order_version_value(&h->updated) < order_version_value(&h->created))
		return oj_fail(why, whylen, "modified", NULL, "earlier than created");
	if (oj_text(t, "status", &status) < 0 || !*status)
		return oj_fail(why, whylen, "status", NULL, "missing");
	if (order_status_map("taobao", status, strlen(status), &h->status) < 0)
		return oj_fail(why, whylen, "status", status, "unknown order status");
	return 0;
}

/* The effect of a line's refund_status: 0 none, 1 in refund, 2 refunded; -1 unknown. */
static int line_refund(const char *refund_status)
{
	enum order_status st = ORDER_PAID;

	if (!*refund_status)
		return 0;
	if (order_status_apply_refund("taobao", refund_status, strlen(refund_status), &st) < 0)
		return -1;
	return st == ORDER_REFUNDED ? 2 : st == ORDER_REFUNDING ? 1 : 0;
}

/* orders.order[i] into l (header fields already copied in); *refund its refund effect. */
static int parse_line(struct json_object *it, size_t i, struct order_line *l, char *sku,
		      size_t skulen, int *refund, char *why, size_t whylen)
{
	const char *oid, *outer, *num_iid, *sku_id, *title, *rs;
	char field[48];

	snprintf(field, sizeof(field), "orders.order[%zu]", i);
	if (!json_object_is_type(it, json_type_object))
		return oj_fail(why, whylen, field, NULL, "not an object");
	if (oj_id(it, "oid_str", 0, &oid, why, whylen) < 0 ||
	    (!*oid && oj_id(it, "oid", 1, &oid, why, whylen) < 0))
		return -1;
	if (oj_text(it, "outer_sku_id", &outer) < 0 || oj_text(it, "num_iid", &num_iid) < 0 ||
	    oj_text(it, "sku_id", &sku_id) < 0 || oj_text(it, "title", &title) < 0 ||
	    oj_text(it, "refund_status", &rs) < 0)
		return oj_fail(why, whylen, field, NULL, "num_iid, sku_id, outer_sku_id, title or "
							"refund_status is not a text value");
	if (*outer)
		snprintf(sku, skulen, "%.47s", outer);
	else if (*num_iid)
		snprintf(sku, skulen, "%.23s-%.23s", num_iid, *sku_id ? sku_id : "0");
	else
		return oj_fail(why, whylen, field, NULL, "neither outer_sku_id nor num_iid");
	if (!text_utf8_valid(title, strlen(title)))
		return oj_fail(why, whylen, field, NULL, "title is not valid UTF-8");
	if ((*refund = line_refund(rs)) < 0)
		return oj_fail(why, whylen, "refund_status", rs, "unknown refund status");
	l->line_no = (int)i + 1;
	l->line_id = oj_span(oid);
	l->sku = oj_span(sku);
	l->title = oj_span(title);
	if (oj_count(it, "num", &l->quantity, why, whylen) ||
	    oj_yuan(it, "price", 1, &l->unit_price_fen, why, whylen))
		return -1;
	if (json_object_object_get_ex(it, "divide_order_fee", NULL)
		    ? oj_yuan(it, "divide_order_fee", 1, &l->paid_fen, why, whylen)
		    : oj_yuan(it, "payment", 1, &l->paid_fen, why, whylen))
		return -1;
	if (l->unit_price_fen > INT64_MAX / l->quantity)
		return oj_fail(why, whylen, field, NULL, "num × price overflows");
	l->gross_fen = l->unit_price_fen * l->quantity;
	return 0;
}

int taobao_trade_parse(const struct taobao_xform *x, struct json_object *trade,
		       struct order_json *o, char *why, size_t whylen)
{
	struct json_object *wrap = NULL, *lines = NULL;
	struct order_line h;
	int64_t total_fee, post_fee, paid_sum = 0;
	int refund[ORDER_JSON_MAX_LINES], done = 0, active = 0;
	const char *buyer;
	size_t n;

	o->nlines = 0;
	o->key[0] = '\0';
	memset(&h, 0, sizeof(h));
	if (!trade || !json_object_is_type(trade, json_type_object))
		return oj_fail(why, whylen, "trade", NULL, "not an object");
	if (parse_header(x, trade, &h, o->key, sizeof(o->key), why, whylen) < 0)
		return -1;
	if (oj_text(trade, "buyer_open_uid", &buyer) < 0)
		return oj_fail(why, whylen, "buyer_open_uid", NULL, "not a text value");
	h.buyer_id = oj_span(buyer);
	h.unionid = oj_span("");
	if (oj_yuan(trade, "post_fee", 0, &post_fee, why, whylen) ||
	    oj_yuan(trade, "total_fee", 0, &total_fee, why, whylen))
		return -1;
	if (wj_object(trade, "orders", &wrap) != WJ_OK || wj_array(wrap, "order", &lines) != WJ_OK ||
	    (n = json_object_array_length(lines)) == 0)
		return oj_fail(why, whylen, "orders.order", NULL, "no order lines");
	if (n > ORDER_JSON_MAX_LINES)
		return oj_fail(why, whylen, "orders.order", NULL, "more than 1000 lines");
	if (order_json_grow(o, n) < 0) {
		snprintf(why, whylen, "out of memory");
		return -2;
	}
	for (size_t i = 0; i < n; i++) {
		o->line[i] = h;
		if (parse_line(json_object_array_get_idx(lines, i), i, &o->line[i], o->sku[i],
			       sizeof(o->sku[i]), &refund[i], why, whylen) < 0)
			return -1;
		paid_sum += o->line[i].paid_fen;
		done += refund[i] == 2;
		active += refund[i] == 1;
	}
	if (done == (int)n)
		h.status = ORDER_REFUNDED;
	else if (active && (h.status == ORDER_PAID || h.status == ORDER_SHIPPED ||
			    h.status == ORDER_COMPLETED))
		h.status = ORDER_REFUNDING;
	for (size_t i = 0; i < n; i++) {
		struct order_line *l = &o->line[i];

		l->status = h.status;
		l->refund_fen = h.status == ORDER_REFUNDED || refund[i] == 2 ? l->paid_fen : 0;
		l->shipping_fen = post_fee;
		l->discount_fen = total_fee > paid_sum ? total_fee - paid_sum : 0;
	}
	o->nlines = n;
	return 0;
}

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

static const struct oj_line_keys order_keys = {
	.list = "orders.order", .id = "oid_str", .id_alt = "oid", .sku = "outer_sku_id",
	.product = "num_iid", .variant = "sku_id", .title = "title", .quantity = "num",
	.price = "price", .paid = "divide_order_fee", .paid_alt = "payment",
};

/* The line's refund_status into ((enum oj_refund *)arg)[i]. */
static int line_refund(struct json_object *it, size_t i, struct order_line *l, void *arg,
		       char *why, size_t whylen)
{
	enum oj_refund *refund = arg;
	const char *rs;

	(void)l;
	if (oj_text(it, "refund_status", &rs) < 0)
		return oj_fail(why, whylen, "refund_status", NULL, "not a text value");
	if (oj_refund_effect("taobao", rs, &refund[i]) < 0)
		return oj_fail(why, whylen, "refund_status", rs, "unknown refund status");
	return 0;
}

int taobao_trade_parse(const struct taobao_xform *x, struct json_object *trade,
		       struct order_json *o, char *why, size_t whylen)
{
	struct json_object *wrap = NULL, *lines = NULL;
	enum oj_refund refund[ORDER_JSON_MAX_LINES];
	struct order_line h;
	int64_t total_fee, post_fee, paid_sum = 0;
	const char *buyer;
	int all_paid, rc;

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
	if (wj_object(trade, "orders", &wrap) == WJ_OK)
		wj_array(wrap, "order", &lines);
	if ((rc = oj_lines(&order_keys, lines, &h, o, line_refund, refund, &all_paid, why,
			   whylen)) < 0)
		return rc;
	if (!all_paid)
		return oj_fail(why, whylen, "orders.order", NULL, "a line without divide_order_fee "
								"or payment");
	for (size_t i = 0; i < o->nlines; i++)
		paid_sum += o->line[i].paid_fen;
	oj_line_refunds(o, o->nlines, refund);
	oj_order_amounts(o, post_fee, total_fee > paid_sum ? total_fee - paid_sum : 0);
	return 0;
}

/*
 * order_target.h — what the order-API targets (fuzz_youzan.c, fuzz_taobao.c) share: the
 * input read as a page of orders or one order, each order through the platform's
 * mapping, and the checks on what comes out (transform/order_json.h).
 */
#ifndef SIYU_FUZZ_ORDER_TARGET_H
#define SIYU_FUZZ_ORDER_TARGET_H

#include "fuzz.h"
#include "json_input.h"

#include "siyu/transform/order_json.h"

#include <string.h>

/* One platform mapping: 0 (lines in *o), -1 rejected, -2 stop; why says why. */
typedef int (*order_parse_fn)(struct json_object *order, struct order_json *o, char *why,
			      size_t whylen);

/* Whatever an order is, it becomes 1..ORDER_JSON_MAX_LINES lines with an order number,
 * or a reason. */
static void one_order(order_parse_fn parse, struct json_object *order, struct order_json *o)
{
	char why[512] = "";
	int rc = parse(order, o, why, sizeof(why));

	if (rc == 0) {
		FUZZ_CHECK(o->nlines >= 1 && o->nlines <= ORDER_JSON_MAX_LINES);
		for (size_t k = 0; k < o->nlines; k++)
			FUZZ_CHECK(o->line[k].order_no.n > 0);
	} else {
		FUZZ_CHECK((rc == -1 || rc == -2) && why[0]);
	}
}

/* The input as a page, {list_outer: {list_inner: [order…]}}, or as one order. */
static int fuzz_orders(const uint8_t *data, size_t size, order_parse_fn parse,
		       const char *list_outer, const char *list_inner)
{
	struct json_object *doc = json_input(data, size), *outer, *list;
	struct order_json o;

	if (!doc)
		return 0;
	memset(&o, 0, sizeof(o));
	if (json_object_object_get_ex(doc, list_outer, &outer) &&
	    json_object_object_get_ex(outer, list_inner, &list) &&
	    json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			one_order(parse, json_object_array_get_idx(list, i), &o);
	} else {
		one_order(parse, doc, &o);
	}
	order_json_release(&o);
	json_object_put(doc);
	return 0;
}

#endif /* SIYU_FUZZ_ORDER_TARGET_H */

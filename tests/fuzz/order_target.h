/*
 * order_target.h — what the order-API targets (fuzz_youzan.c, fuzz_taobao.c, fuzz_pdd.c,
 * fuzz_jd.c, fuzz_douyin.c, fuzz_channels.c) share: the input read as the platform's
 * list answer or as one order, each order through the platform's mapping, and the
 * checks on what comes out (transform/order_json.h).
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

/* A platform's list answer: 0 with its orders (borrowed, NULL when none), or -1 when
 * root is not one (as extract/<platform>_api.c reads them). */
typedef int (*order_list_fn)(struct json_object *root, int64_t *total,
			     struct json_object **orders);

/* The input as a list answer (when list is not NULL and it reads as one), every order
 * through parse; else as one order. */
static int fuzz_orders(const uint8_t *data, size_t size, order_parse_fn parse,
		       order_list_fn list)
{
	struct json_object *doc = json_input(data, size), *orders = NULL;
	struct order_json o;
	int64_t total = 0;

	if (!doc)
		return 0;
	memset(&o, 0, sizeof(o));
	if (list && list(doc, &total, &orders) == 0) {
		FUZZ_CHECK(total >= 0);
		for (size_t i = 0; orders && i < json_object_array_length(orders); i++)
			one_order(parse, json_object_array_get_idx(orders, i), &o);
	} else {
		one_order(parse, doc, &o);
	}
	order_json_release(&o);
	json_object_put(doc);
	return 0;
}

#endif /* SIYU_FUZZ_ORDER_TARGET_H */

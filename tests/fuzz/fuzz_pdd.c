/*
 * fuzz_pdd.c — the Pinduoduo order mapping (transform/pdd_json.c) on any JSON:
 * a page of pdd.order.number.list.increment.get as pdd_list_parse reads it, or one order (checks in order_target.h).
 */
#include "order_target.h"

#include "siyu/extract/pdd_api.h"
#include "siyu/transform/pdd_json.h"

static int parse(struct json_object *order, struct order_json *o, char *why, size_t whylen)
{
	static const struct pdd_xform x = { "shop-1" };

	return pdd_order_parse(&x, order, o, why, whylen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_orders(data, size, parse, pdd_list_parse);
}

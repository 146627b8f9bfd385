/*
 * fuzz_jd.c — the JD order mapping (transform/jd_json.c) on any JSON:
 * a page of jingdong.pop.order.enSearch as jd_list_parse reads it, or one order (checks in order_target.h).
 */
#include "order_target.h"

#include "siyu/extract/jd_api.h"
#include "siyu/transform/jd_json.h"

static int parse(struct json_object *order, struct order_json *o, char *why, size_t whylen)
{
	static const struct jd_xform x = { "shop-1" };

	return jd_order_parse(&x, order, o, why, whylen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_orders(data, size, parse, jd_list_parse);
}

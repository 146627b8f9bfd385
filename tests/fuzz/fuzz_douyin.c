/*
 * fuzz_douyin.c — the Douyin order mapping (transform/douyin_json.c) on any JSON:
 * a page of order.searchList as douyin_list_parse reads it, or one order (checks in order_target.h).
 */
#include "order_target.h"

#include "siyu/extract/douyin_api.h"
#include "siyu/transform/douyin_json.h"

static int parse(struct json_object *order, struct order_json *o, char *why, size_t whylen)
{
	static const struct douyin_xform x = { "shop-1" };

	return douyin_order_parse(&x, order, o, why, whylen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_orders(data, size, parse, douyin_list_parse);
}

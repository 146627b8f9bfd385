/*
 * fuzz_channels.c — the WeChat Channels order mapping (transform/channels_json.c) on any JSON:
 * one order/get answer ({"order":{…}}; the list answers carry ids only) (checks in order_target.h).
 */
#include "order_target.h"

#include "siyu/transform/channels_json.h"

static int parse(struct json_object *order, struct order_json *o, char *why, size_t whylen)
{
	static const struct channels_xform x = { "shop-1" };

	return channels_order_parse(&x, order, o, why, whylen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_orders(data, size, parse, NULL);
}

/*
 * fuzz_youzan.c — the Youzan order mapping (transform/youzan_json.c) on any JSON: a page
 * ({"data":{"full_order_info_list":[…]}}) or one order, as the source reads them
 * (checks in order_target.h).
 */
#include "order_target.h"

#include "siyu/transform/youzan_json.h"

static const unsigned char key[] = "fuzz-pii-key-0123456789";

static int parse(struct json_object *order, struct order_json *o, char *why, size_t whylen)
{
	struct youzan_xform x = { "12345", key, sizeof(key) - 1, 0 };

	return youzan_order_parse(&x, order, o, why, whylen);
}

/* A page of youzan.trades.sold.get: data.full_order_info_list (source/youzan.c). */
static int list(struct json_object *root, int64_t *total, struct json_object **orders)
{
	struct json_object *d;

	*total = 0;
	return json_object_object_get_ex(root, "data", &d) &&
			       json_object_object_get_ex(d, "full_order_info_list", orders) &&
			       json_object_is_type(*orders, json_type_array)
		       ? 0
		       : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_orders(data, size, parse, list);
}

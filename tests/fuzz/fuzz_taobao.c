/*
 * fuzz_taobao.c — the Taobao/Tmall trade mapping (transform/taobao_json.c) on any JSON:
 * a page of taobao.trades.sold.increment.get as top_list_parse reads it, or one trade
 * (checks in order_target.h).
 */
#include "order_target.h"

#include "siyu/extract/top_api.h"
#include "siyu/transform/taobao_json.h"

static int parse(struct json_object *trade, struct order_json *o, char *why, size_t whylen)
{
	static const struct taobao_xform x = { "taobao", "tb-shop-1" };

	return taobao_trade_parse(&x, trade, o, why, whylen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_orders(data, size, parse, top_list_parse);
}

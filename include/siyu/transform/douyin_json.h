/*
 * douyin_json.h — one Douyin shop order (order.searchList shop_order_list[]) → canonical
 * order lines (transform/douyin_json.c; docs/api-douyin.md "Mapping"). Pure.
 */
#ifndef SIYU_TRANSFORM_DOUYIN_JSON_H
#define SIYU_TRANSFORM_DOUYIN_JSON_H

#include "siyu/transform/order_json.h"

#include <json-c/json.h>
#include <stddef.h>

struct douyin_xform {
	const char *shop_id;           /* the shop's id in the warehouse (dim_channel.shop_id) */
};

/*
 * Turn one shop order into canonical lines in *o (reused; release with
 * order_json_release). Valid while order lives. Returns 0, -1 when the order is rejected
 * (why names the field and quotes the value), or -2 (out of memory).
 *
 * Mapping: order_no = order_id; status = order_status by the "douyin" table (4: cancelled
 * when pay_time is 0, else refunded), then the lines' after_sale_info.refund_status (a
 * refund_status 1 with after_sale_status 28, a cancelled after-sale, counts as none):
 * every line 3 → refunded, one line 1 → refunding (a paid, shipped or completed order);
 * times are epoch seconds (0 = not reached): created = create_time, paid = pay_time,
 * version = update_time; lines = sku_order_list (line_id = the sku order's order_id,
 * line_no = position, sku = out_sku_id, else code, else product_id-sku_id, title =
 * product_name, quantity = item_num, unit price = origin_amount, paid = pay_amount — all
 * integer fen); line refund = the line's paid amount when its refund is done or the
 * order is refunded; shipping = post_amount; discount = promotion_amount; buyer_id =
 * doudian_open_id (an encrypted id, kept as sent); the encrypted and masked receiver
 * fields stay in the raw zone.
 */
int douyin_order_parse(const struct douyin_xform *x, struct json_object *order,
		       struct order_json *o, char *why, size_t whylen);

#endif /* SIYU_TRANSFORM_DOUYIN_JSON_H */

/*
 * channels_json.h — one WeChat Channels shop order (/channels/ec/order/get "order") →
 * canonical order lines (transform/channels_json.c; docs/api-channels.md "Mapping"). Pure.
 */
#ifndef SIYU_TRANSFORM_CHANNELS_JSON_H
#define SIYU_TRANSFORM_CHANNELS_JSON_H

#include "siyu/transform/order_json.h"

#include <json-c/json.h>
#include <stddef.h>

struct channels_xform {
	const char *shop_id;           /* the shop's id in the warehouse (dim_channel.shop_id) */
};

/*
 * Turn one order (the "order" object, or the whole order/get answer) into canonical lines
 * in *o (reused; release with order_json_release). Valid while order lives. Returns 0, -1
 * when the order is rejected (why names the field and quotes the value), or -2 (out of
 * memory).
 *
 * Mapping: order_no = order_id; status = status by the "channels" table (10 unpaid; 12,
 * 13, 20 paid; 21, 30 shipped; 100 completed; 200 refunded; 250 cancelled), then the
 * products' after-sales: every product's finish_aftersale_sku_cnt reaching sku_cnt →
 * refunded, one product with on_aftersale_sku_cnt → refunding (and an order with
 * aftersale_detail.on_aftersale_order_cnt but no product counts → refunding); times are
 * epoch seconds: created = create_time, paid = order_detail.pay_info.pay_time, version =
 * update_time; lines = order_detail.product_infos (line_id = sku_id, line_no = position,
 * sku = out_sku_id, else sku_code, else product_id-sku_id, title, quantity = sku_cnt,
 * unit price = sale_price, paid = real_price, else order_price − freight spread by
 * gross — integer fen); line refund = the line's paid amount when its after-sale finished
 * or the order is refunded; shipping = price_info.freight; discount =
 * price_info.discounted_price; buyer_id = openid, unionid = unionid (only when the shop is
 * bound to an Open Platform account); the address stays in the raw zone.
 */
int channels_order_parse(const struct channels_xform *x, struct json_object *order,
			 struct order_json *o, char *why, size_t whylen);

#endif /* SIYU_TRANSFORM_CHANNELS_JSON_H */

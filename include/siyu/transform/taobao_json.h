/*
 * taobao_json.h — one TOP trade (taobao.trades.sold.increment.get) → canonical order
 * lines (transform/taobao_json.c; docs/api-taobao.md "Mapping"). Pure.
 */
#ifndef SIYU_TRANSFORM_TAOBAO_JSON_H
#define SIYU_TRANSFORM_TAOBAO_JSON_H

#include "siyu/transform/order_json.h"

#include <json-c/json.h>
#include <stddef.h>

struct taobao_xform {
	const char *platform;          /* "taobao" or "tmall" (dim_channel.platform) */
	const char *shop_id;           /* the shop's id in the warehouse (dim_channel.shop_id) */
};

/*
 * Turn one element of trades.trade[] into canonical lines in *o (reused between calls;
 * release with order_json_release). Valid while trade lives. Returns 0, or -1 when the
 * trade is rejected (why names the field and quotes the value), or -2 when the source
 * must stop (out of memory).
 *
 * Mapping: order_no = tid_str (else tid's exact digits); status = Trade.status by the
 * "taobao" table; then the lines' refund_status: every line refunded (SUCCESS) → refunded,
 * any line in refund → refunding (a paid, shipped or completed trade); line refund =
 * line paid when the line's refund succeeded or the trade is refunded; version =
 * modified; created, pay_time (absent = unpaid) in China time; line_id = oid_str (else
 * oid), line_no = position; sku = outer_sku_id, else num_iid-sku_id; unit price =
 * price; line paid = divide_order_fee (the allocated payment), else payment; shipping
 * = post_fee; order discount = total_fee − Σ line paid (not below 0); buyer_id =
 * buyer_open_uid; the masked buyer_nick and receiver fields are left in the raw zone.
 */
int taobao_trade_parse(const struct taobao_xform *x, struct json_object *trade,
		       struct order_json *o, char *why, size_t whylen);

#endif /* SIYU_TRANSFORM_TAOBAO_JSON_H */

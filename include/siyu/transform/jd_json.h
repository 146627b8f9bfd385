/*
 * jd_json.h — one JD order (jingdong.pop.order.enSearch orderInfoList[]) → canonical
 * order lines (transform/jd_json.c; docs/api-jd.md "Mapping"). Pure.
 */
#ifndef SIYU_TRANSFORM_JD_JSON_H
#define SIYU_TRANSFORM_JD_JSON_H

#include "siyu/transform/order_json.h"

#include <json-c/json.h>
#include <stddef.h>

struct jd_xform {
	const char *shop_id;           /* the shop's id in the warehouse (dim_channel.shop_id) */
};

/*
 * Turn one orderInfo into canonical lines in *o (reused; release with
 * order_json_release). Valid while order lives. Returns 0, -1 when the order is rejected
 * (why names the field and quotes the value), or -2 (out of memory).
 *
 * Mapping: order_no = orderId (text); status = orderState by the "jd" table, paid =
 * paymentConfirmTime not the 0001-01-01 / 1970-01-01 sentinel (TRADE_CANCELED: cancelled
 * or refunded; LOCKED: refunding); created = orderStartTime, paid at paymentConfirmTime,
 * version = modified (China time); lines = itemInfoList (line_id = skuId, line_no =
 * position, sku = outerSkuId, else wareId-skuId, title = skuName, quantity = itemTotal,
 * unit price = jdPrice); the line paid amounts are orderPayment − freightPrice spread
 * over the lines by gross (JD gives no per-line amounts); refund = every line's paid
 * amount when the order is refunded; shipping = freightPrice; discount = Σ gross − Σ
 * line paid; buyer_id = open_id_buyer, else xid_buyer; the masked consigneeInfo stays in
 * the raw zone.
 */
int jd_order_parse(const struct jd_xform *x, struct json_object *order, struct order_json *o,
		   char *why, size_t whylen);

#endif /* SIYU_TRANSFORM_JD_JSON_H */

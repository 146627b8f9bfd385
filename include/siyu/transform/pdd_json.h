/*
 * pdd_json.h — one Pinduoduo order (pdd.order.number.list.increment.get order_sn_list[])
 * → canonical order lines (transform/pdd_json.c; docs/api-pdd.md "Mapping"). Pure.
 */
#ifndef SIYU_TRANSFORM_PDD_JSON_H
#define SIYU_TRANSFORM_PDD_JSON_H

#include "siyu/transform/order_json.h"

#include <json-c/json.h>
#include <stddef.h>

struct pdd_xform {
	const char *shop_id;           /* the shop's id in the warehouse (dim_channel.shop_id) */
};

/*
 * Turn one order into canonical lines in *o (reused between calls; release with
 * order_json_release). Valid while order lives. Returns 0, -1 when the order is rejected
 * (why names the field and quotes the value), or -2 (out of memory).
 *
 * Mapping: order_no = order_sn; status by order_status_map_pdd(confirm_status,
 * order_status, refund_status) (refund_status 4 refunded, 2/3 refunding; unpaid orders
 * are not shown by this API); created = created_time, paid = pay_time, version =
 * updated_at (China time); lines = item_list (line_id = sku_id, line_no = position, sku
 * = outer_id, else goods_id-sku_id, title = goods_name, quantity = goods_count, unit
 * price = goods_price); the line paid amounts are pay_amount − postage spread over the
 * lines by gross (PDD gives no per-line amounts); refund = every line's paid amount when
 * the order is refunded; shipping = postage; discount = discount_amount. Money is yuan,
 * often a JSON number (29.9): read from the JSON text, never through a double. No buyer id
 * (PDD does not give one); the masked receiver fields stay in the raw zone.
 */
int pdd_order_parse(const struct pdd_xform *x, struct json_object *order, struct order_json *o,
		    char *why, size_t whylen);

#endif /* SIYU_TRANSFORM_PDD_JSON_H */

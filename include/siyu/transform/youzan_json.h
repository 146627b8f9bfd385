/*
 * youzan_json.h — one Youzan full_order_info → canonical order lines (pure).
 */
#ifndef SIYU_TRANSFORM_YOUZAN_JSON_H
#define SIYU_TRANSFORM_YOUZAN_JSON_H

#include "siyu/transform/order_json.h"
#include "siyu/transform/order_line.h"

#include <json-c/json.h>
#include <stddef.h>

struct youzan_xform {
	const char *shop_id;           /* the shop's kdt_id (dim_channel.shop_id) */
	const unsigned char *pii_key;  /* NULL: a plain buyer phone fails the source */
	size_t pii_key_len;
	long phones_skipped;           /* ciphertext, masked or unusable buyer phones */
};

/*
 * Turn one element of data.full_order_info_list ({"full_order_info":{…}}, or
 * the inner object itself) into canonical lines in *o (reused between calls;
 * release with order_json_release); o->key is youzan/<shop>/<tid> once the tid is
 * known. Valid while item lives.
 * Returns 0, -1 when the order is rejected (why names the field and value),
 * or -2 when the source must stop (a plain phone without SIYU_PII_KEY, out of
 * memory; why says so).
 *
 * Mapping (docs/youzan.md): status by order_status_map_paid("youzan") with
 * paid = pay_time not "" (TRADE_CLOSED: cancelled / refunded), then
 * refund_state (1, 11 refunding; 12 refunded); version = update_time;
 * "" times are absent; money is yuan text → fen; line_id = oid, line_no =
 * position; sku = outer_sku_id, else item_id-sku_id; line refund = line
 * payment when the order is refunded in full, else 0 (the list API carries no
 * refund amounts); shipping = post_fee; order discount = pay_info.total_fee −
 * Σ line payment (not below 0); buyer_id = yz_open_id.
 */
int youzan_order_parse(struct youzan_xform *x, struct json_object *item, struct order_json *o,
		       char *why, size_t whylen);

#endif /* SIYU_TRANSFORM_YOUZAN_JSON_H */

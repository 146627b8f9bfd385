/*
 * youzan.h — the Youzan (有赞云) orders source: youzan.trades.sold.get 4.0.4 by
 * update time, window by window (docs/youzan.md).
 *
 *   extract/youzan.c        the source: token, window plan, paging, splitting,
 *                           raw zone, one transaction per window, replay
 *   transform/youzan_json.c one full_order_info → canonical order lines (pure)
 *
 * Each planned window (load/window.c) is paged to the end, transformed, merged
 * and committed with the watermark `orders` = the window's end, so a crash
 * resumes after the last committed window.
 */
#ifndef SIYU_YOUZAN_H
#define SIYU_YOUZAN_H

#include "siyu/order_json.h"
#include "siyu/order_line.h"
#include "siyu/runlog.h"
#include "siyu/source.h"

#include <json-c/json.h>
#include <stddef.h>

/* The source entry points (source_run_fn, source_replay_fn). */
int youzan_source_run(const struct source_ctx *ctx, struct load_counts *counts, char *err,
		      size_t errlen);
int youzan_source_replay(const struct source_ctx *ctx, const char *dir, long long raw_run_id,
			 struct load_counts *counts, char *err, size_t errlen);

/* ---- transform (transform/youzan_json.c) ------------------------------------------- */

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
 * Mapping (ecommerce.md §1): status by order_status_map_paid("youzan") with
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

#endif /* SIYU_YOUZAN_H */

/*
 * order_status.h — map each platform's order status codes onto the one
 * canonical status set the warehouse stores (docs/schema.md:
 * fact_order.status CHECK). Unknown codes are an error, never a guess: the
 * caller rejects the record.
 *
 * Profiles: "generic" (docs/import-generic.md), "taobao" (and "tmall",
 * the same TOP statuses), "youzan", "jd", "pdd", "douyin", "channels"; each
 * platform's table holds both its API's codes and the labels of its back
 * office's order export (docs/import-<platform>.md), so that the API driver
 * and the export profile of a platform map alike. The code tables and their
 * sources are in transform/order_status.c.
 */
#ifndef SIYU_TRANSFORM_ORDER_STATUS_H
#define SIYU_TRANSFORM_ORDER_STATUS_H

#include <stddef.h>

enum order_status {
	ORDER_UNPAID,
	ORDER_PAID,
	ORDER_SHIPPED,
	ORDER_COMPLETED,
	ORDER_CANCELLED, /* closed before payment */
	ORDER_REFUNDING,
	ORDER_REFUNDED   /* closed after payment, fully refunded */
};

#define ORDER_STATUS_COUNT 7

/*
 * Whether the caller knows the order was paid, for codes whose meaning
 * depends on it (Youzan TRADE_CLOSED, JD TRADE_CANCELED, Douyin 4: cancelled
 * when never paid, refunded when paid).
 */
enum order_paid {
	ORDER_PAID_UNKNOWN = -1,
	ORDER_PAID_NO = 0,
	ORDER_PAID_YES = 1
};

/*
 * The canonical lowercase name ("unpaid", "paid", "shipped", "completed",
 * "cancelled", "refunding", "refunded"): a static string, the value the
 * database CHECK accepts. NULL for a value outside the enum.
 */
const char *order_status_name(enum order_status st);

/*
 * Canonical name → status (exact, lowercase, no spaces). 0, or -1 when name
 * is not one of the seven.
 */
int order_status_from_name(const char *name, enum order_status *out);

/* 1 when profile names a known status table, else 0 (for config checks). */
int order_status_has_profile(const char *profile);

/*
 * Map the source status src[0..len) (borrowed, need not be NUL-terminated;
 * compared after text_fold: ASCII case, white space and full-width forms do
 * not matter, so "，" and "," are the same) under the given profile. Returns 0 and sets *out, or -1 for an unknown
 * profile, an unknown code, or a code whose meaning depends on payment
 * (see order_status_map_paid). *out is untouched on failure.
 */
int order_status_map(const char *profile, const char *src, size_t len,
		     enum order_status *out);

/*
 * As order_status_map, with what the caller knows about payment (Youzan:
 * pay_time non-empty; JD: paymentConfirmTime not the 0001-01-01/1970-01-01
 * sentinel; Douyin: pay_time != 0). A payment-dependent code with
 * ORDER_PAID_UNKNOWN fails.
 */
int order_status_map_paid(const char *profile, const char *src, size_t len,
			  enum order_paid paid, enum order_status *out);

/*
 * Apply a separate refund-status field to *st, for the profiles whose API
 * has one: "youzan" order_info.refund_state (0, 2 none; 1, 11 refunding;
 * 12 refunded), "taobao"/"tmall" refund_status (NO_REFUND, CLOSED none;
 * WAIT_SELLER_AGREE, WAIT_BUYER_RETURN_GOODS, WAIT_SELLER_CONFIRM_GOODS,
 * SELLER_REFUSE_BUYER refunding; SUCCESS refunded — a per-line field: the
 * caller decides when it speaks for the whole order), "douyin"
 * after_sale_info.refund_status (0 none, 1 refunding, 3 refunded; the caller
 * must first drop refund_status 1 with after_sale_status 28, a cancelled
 * after-sale). "refunding" never replaces refunded or cancelled; "refunded"
 * replaces anything. Returns 0 (maybe leaving *st as it was), or -1 for an
 * unknown profile or code (*st untouched).
 */
int order_status_apply_refund(const char *profile, const char *src, size_t len,
			      enum order_status *st);

/*
 * Pinduoduo, whose status is spread over three integer fields of an order
 * (pdd.order.number.list.increment.get): refund_status 4 (退款成功) →
 * refunded, 2 or 3 → refunding, 1 (none) → by confirm_status: 0 (拼团中) →
 * paid, 2 → cancelled, 1 → by order_status: 1 待发货 → paid, 2 已发货待签收 →
 * shipped, 3 已签收 → completed. Any other value fails (-1, *out untouched).
 */
int order_status_map_pdd(int confirm_status, int order_status,
			 int refund_status, enum order_status *out);

#endif /* SIYU_TRANSFORM_ORDER_STATUS_H */

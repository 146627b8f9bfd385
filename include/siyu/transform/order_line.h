/*
 * order_line.h — the canonical order line: what every order transform fills and the
 * order sink (include/siyu/load/order_sink.h) loads.
 *
 * One struct order_line is one line of one version of one order, checked and
 * converted: money in fen, times parsed, status canonical, the phone already
 * hashed. Text fields borrow from the input record (valid until the next one).
 */
#ifndef SIYU_TRANSFORM_ORDER_LINE_H
#define SIYU_TRANSFORM_ORDER_LINE_H

#include "siyu/common/ltime.h"
#include "siyu/transform/order_status.h"

#include <stddef.h>
#include <stdint.h>

struct span {
	const char *p;
	size_t n;
};

struct order_line {
	struct span platform, shop_id, shop_name, order_no, line_id;
	struct span buyer_id, unionid, sku, title;
	int line_no;                 /* 0 = not given */
	enum order_status status;
	struct ltime created, paid, updated;
	int has_paid;
	int has_phone;               /* a phone number: phone_hash and phone_masked */
	char phone_hash[65];         /* hex HMAC-SHA256 of the normalized phone */
	char phone_masked[16];       /* 138****1234; also alone for a number the
				      * platform sent masked ("" = none) */
	long quantity;
	int64_t unit_price_e4;       /* unit price in 1/10000 yuan: up to 4 decimals */
	int64_t unit_price_fen;      /* the same rounded half up to the fen */
	int64_t gross_fen;           /* quantity × unit price, rounded half up once */
	int64_t paid_fen, refund_fen;
	int64_t shipping_fen, discount_fen; /* order level, repeated on each line */
	/* export profiles only, for order_book: */
	int has_line_paid;           /* paid_fen came from the row (else a share of order_paid_fen) */
	int has_line_refund;         /* refund_fen came from the row */
	int refund_done;             /* the row's after-sale state says its refund completed */
	int64_t order_paid_fen;      /* the order's payment, shipping included */
	int64_t order_refund_fen;    /* the order's refund (-1: the file has none) */
	int64_t weight_fen;          /* the line's share weight (its actual price, else gross) */
};

/* A comparable number for a version time (microseconds; local times as if UTC). */
int64_t order_version_value(const struct ltime *t);

#endif /* SIYU_TRANSFORM_ORDER_LINE_H */

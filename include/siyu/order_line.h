/*
 * order_line.h — the canonical order line, and the generic CSV profile that fills it.
 *
 * One struct order_line is one line of one version of one order, checked and
 * converted: money in fen, times parsed, status canonical, the phone already
 * hashed. Text fields borrow from the input record (valid until the next one).
 */
#ifndef SIYU_ORDER_LINE_H
#define SIYU_ORDER_LINE_H

#include "siyu/ltime.h"
#include "siyu/order_status.h"

#include <stddef.h>
#include <stdint.h>

struct csv_record;

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
	int has_phone;
	char phone_hash[65];         /* hex HMAC-SHA256 of the normalized phone */
	char phone_masked[16];       /* 138****1234 */
	long quantity;
	int64_t unit_price_fen, gross_fen, paid_fen, refund_fen;
	int64_t shipping_fen, discount_fen; /* order level, repeated on each line */
};

/* The columns of the generic profile (docs/import-generic.md). */
enum order_col {
	OC_PLATFORM, OC_SHOP_ID, OC_SHOP_NAME, OC_ORDER_NO, OC_LINE_NO, OC_STATUS,
	OC_CREATED_AT, OC_PAID_AT, OC_UPDATED_AT, OC_BUYER_ID, OC_BUYER_UNIONID,
	OC_BUYER_PHONE, OC_SKU, OC_PRODUCT_TITLE, OC_QUANTITY, OC_UNIT_PRICE,
	OC_LINE_PAID, OC_LINE_REFUND, OC_SHIPPING_FEE, OC_ORDER_DISCOUNT,
	OC_COUNT
};

struct order_csv_map {
	int col[OC_COUNT];           /* field index of each column, -1 = absent */
	const char *status_profile;  /* order_status_map profile, "generic" */
	const unsigned char *pii_key; /* HMAC key for phones; NULL = refuse phones */
	size_t pii_key_len;
};

/*
 * Map the header record's names to columns. Fails (err filled) when a
 * required column is missing or a name repeats; unknown columns are ignored
 * (exports often carry extra ones) and listed in err as a warning-free note.
 */
int order_csv_map_header(struct order_csv_map *m, const struct csv_record *hdr,
			 char *err, size_t errlen);

/*
 * Check and convert one record. Returns 0, or -1 with why filled with a
 * reason naming the column and the bad value, or -2 when the record holds a
 * phone but no PII key is configured (the whole source must stop).
 */
int order_csv_parse(const struct order_csv_map *m, const struct csv_record *rec,
		    struct order_line *out, char *why, size_t whylen);

/* A comparable number for a version time (microseconds; local times as if UTC). */
int64_t order_version_value(const struct ltime *t);

#endif /* SIYU_ORDER_LINE_H */

/*
 * order_csv.h — the generic CSV profile (docs/import-generic.md): a CSV record
 * → one canonical order line (pure: the record comes from extract/csv_file.c).
 */
#ifndef SIYU_TRANSFORM_ORDER_CSV_H
#define SIYU_TRANSFORM_ORDER_CSV_H

#include "siyu/common/csv_record.h"
#include "siyu/transform/order_line.h"

#include <stddef.h>

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

#endif /* SIYU_TRANSFORM_ORDER_CSV_H */

/*
 * order_csv.h — the generic CSV profile (docs/import-generic.md): a CSV record
 * → one canonical order line (pure: the record comes from extract/csv_file.c).
 */
#ifndef SIYU_TRANSFORM_ORDER_CSV_H
#define SIYU_TRANSFORM_ORDER_CSV_H

#include "siyu/common/csv_record.h"
#include "siyu/transform/order_line.h"

#include <stddef.h>

struct buf;

/* The columns of the generic profile (docs/import-generic.md). */
enum order_col {
	OC_PLATFORM, OC_SHOP_ID, OC_SHOP_NAME, OC_ORDER_NO, OC_LINE_NO, OC_STATUS,
	OC_CREATED_AT, OC_PAID_AT, OC_UPDATED_AT, OC_BUYER_ID, OC_BUYER_UNIONID,
	OC_BUYER_PHONE, OC_SKU, OC_PRODUCT_TITLE, OC_QUANTITY, OC_UNIT_PRICE,
	OC_LINE_PAID, OC_LINE_REFUND, OC_SHIPPING_FEE, OC_ORDER_DISCOUNT,
	OC_COUNT
};

/* A CSV profile: which columns a back-office export has and its status labels. */
struct order_csv_profile {
	const char *name;            /* --profile / [source] profile */
	const char *status_profile;  /* its order_status_map table */
};

/* The profile called name, or NULL when no such profile is implemented. */
const struct order_csv_profile *order_csv_profile_find(const char *name);

/* The names of the implemented profiles, "generic, ..." (truncated to n). */
void order_csv_profile_names(char *out, size_t n);

/*
 * 0 when name is an implemented profile, else -1 with err saying so and
 * listing the profiles that exist.
 */
int order_csv_profile_check(const char *name, char *err, size_t errlen);

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

/* The profile's name of the column in field (0-based), or NULL for a column it ignores. */
const char *order_csv_column_name(const struct order_csv_map *m, int field);

/*
 * Append a record's raw text (raw[0..len), as csv_file gives it) to out with
 * its personal-data columns (buyer_phone) masked whatever they hold
 * (pii_mask_value), for a copy kept outside the raw zone. 0 / -1 (cap).
 */
int order_csv_redact(const struct order_csv_map *m, const char *raw, size_t len, struct buf *out);

#endif /* SIYU_TRANSFORM_ORDER_CSV_H */

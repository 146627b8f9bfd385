/*
 * order_csv.h — file rows → canonical order lines (pure: the record comes from
 * extract/csv_file.c or extract/xlsx_file.c through extract/table_file.h).
 *
 * A profile (include/siyu/transform/order_profile.h) names the columns of one kind of
 * file; order_csv_map_header finds them in a header by name and
 * order_csv_parse turns each record into a line. The generic profile's rows
 * are complete lines (docs/import-generic.md). A back-office export's rows may need
 * the whole file first (an order's payment shared over its lines, a line number within
 * its order, the 订单报表 half of a Taobao pair): order_book
 * (include/siyu/transform/order_book.h) completes them.
 */
#ifndef SIYU_TRANSFORM_ORDER_CSV_H
#define SIYU_TRANSFORM_ORDER_CSV_H

#include "siyu/common/csv_record.h"
#include "siyu/common/ltime.h"
#include "siyu/transform/order_line.h"

#include <stddef.h>

struct buf;

/*
 * The fields a profile can read. The first twenty are the generic profile's
 * columns (docs/import-generic.md); the others are read by back-office
 * export profiles.
 */
enum order_col {
	OC_PLATFORM, OC_SHOP_ID, OC_SHOP_NAME, OC_ORDER_NO, OC_LINE_NO, OC_STATUS,
	OC_CREATED_AT, OC_PAID_AT, OC_UPDATED_AT, OC_BUYER_ID, OC_BUYER_UNIONID,
	OC_BUYER_PHONE, OC_SKU, OC_PRODUCT_TITLE, OC_QUANTITY, OC_UNIT_PRICE,
	OC_LINE_PAID, OC_LINE_REFUND, OC_SHIPPING_FEE, OC_ORDER_DISCOUNT,
	OC_LINE_ID,        /* sub-order number: the line's identity */
	OC_PRODUCT_ID,     /* platform product id: the sku when the merchant code is empty */
	OC_AFTERSALE,      /* after-sale (refund) state of the line */
	OC_LINE_GROSS,     /* the line's list total, when the file gives no unit price */
	OC_LINE_WEIGHT,    /* the line's actual price: its weight in the order's payment */
	OC_ORDER_PAID,     /* the order's payment, shipping included, on each of its rows */
	OC_ORDER_PAID_MORE, /* a part of the payment the paid column leaves out (JD 余额支付) */
	OC_ORDER_REFUND,   /* the order's refund, on each of its rows */
	OC_COUNT
};

struct order_profile;

struct order_csv_map {
	int col[OC_COUNT];           /* field index of each column, -1 = absent */
	struct span name[OC_COUNT];  /* the profile's name of each column, for messages */
	unsigned char required[OC_COUNT];
	const struct order_profile *profile; /* NULL: generic */
	int orders_file;             /* 1: the order file of a two-file export (Taobao 订单报表) */
	const char *status_profile;  /* order_status_map table; NULL: the profile's */
	const unsigned char *pii_key; /* HMAC key for phones; NULL = refuse phones */
	size_t pii_key_len;
	const char *shop_id;         /* the shop when the file has no shop column (--shop) */
	struct ltime as_of;          /* version of every row when the file has no updated_at */
	int has_as_of;
};

/*
 * Map the header record's names to the columns of m->profile (NULL: the
 * generic profile). Fails (err filled) when required columns are missing
 * (all of them are listed, then the header's names) or a name repeats.
 * Columns no field reads are ignored (exports carry many) and their names
 * written to ignored when it is not NULL, for the caller to report once.
 */
int order_csv_map_header(struct order_csv_map *m, const struct csv_record *hdr,
			 char *err, size_t errlen, char *ignored, size_t ignoredlen);

/*
 * Check and convert one record. Returns 0, or -1 with why filled with a
 * reason naming the column and the bad value, or -2 when the record holds a
 * phone but no PII key is configured (the whole source must stop).
 *
 * Export profiles: the platform is the profile's; the shop is the file's
 * column, else m->shop_id (neither is a reject); the version is m->as_of; a
 * masked buyer id (with '*') is no identity and is left out; an export row's
 * paid and refund amounts may be order totals that order_book shares out.
 */
int order_csv_parse(const struct order_csv_map *m, const struct csv_record *rec,
		    struct order_line *out, char *why, size_t whylen);

/*
 * The profile's name of the column in field (0-based) of a record: 0 and
 * *name set, or -1 for a column the profile does not read.
 */
int order_csv_column_name(const struct order_csv_map *m, int field, struct span *name);

/*
 * Append a record's raw text (raw[0..len), as csv_file gives it) to out with
 * its personal-data columns (the buyer's phone) masked whatever they hold
 * (pii_mask_value), for a copy kept outside the raw zone. 0 / -1 (cap).
 */
int order_csv_redact(const struct order_csv_map *m, const char *raw, size_t len, struct buf *out);

#endif /* SIYU_TRANSFORM_ORDER_CSV_H */

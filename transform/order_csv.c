/*
 * order_csv.c — one record of an order file → one canonical order line, by
 * the columns of its profile (include/siyu/transform/order_profile.h).
 *
 * Every check names the column (as the profile's docs name it) and quotes the
 * value, because the reason is what an operator reads in etl.reject next to
 * the raw line.
 */
#include "siyu/transform/order_csv.h"

#include "siyu/common/buf.h"
#include "siyu/common/csv_record.h"
#include "siyu/common/textclean.h"
#include "siyu/common/utf8.h"
#include "siyu/transform/money.h"
#include "siyu/transform/order_profile.h"
#include "siyu/transform/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unit prices have up to 4 decimals (0.001 per piece); amounts are fen. */
#define UNIT_PRICE_SCALE 4
#define E4_PER_FEN 100

static const struct order_profile *profile_of(const struct order_csv_map *m)
{
	return m->profile ? m->profile : order_profile_find("generic");
}

/* The first name of a '|'-separated list, as a span. */
static struct span first_name(const char *names)
{
	const char *bar = strchr(names, '|');

	return (struct span){ names, bar ? (size_t)(bar - names) : strlen(names) };
}

int order_csv_map_header(struct order_csv_map *m, const struct csv_record *hdr,
			 char *err, size_t errlen, char *ignored, size_t ignoredlen)
{
	const struct order_profile *p = profile_of(m);
	const struct profile_file *f = order_profile_file(p, m->orders_file ? PROFILE_ORDERS
									    : PROFILE_LINES);

	memset(m->name, 0, sizeof(m->name));
	memset(m->required, 0, sizeof(m->required));
	for (size_t i = 0; i < f->ncols; i++) {
		m->name[f->cols[i].field] = first_name(f->cols[i].names);
		m->required[f->cols[i].field] = (unsigned char)f->cols[i].required;
	}
	if (!m->status_profile)
		m->status_profile = p->statuses;
	return header_map_build(f->cols, f->ncols, hdr, m->col, OC_COUNT, err, errlen, ignored,
				ignoredlen);
}

int order_csv_column_name(const struct order_csv_map *m, int field, struct span *name)
{
	for (int c = 0; c < OC_COUNT; c++) {
		if (m->col[c] == field && m->name[c].n) {
			*name = m->name[c];
			return 0;
		}
	}
	return -1;
}

/* Personal data: masked in every copy kept outside the raw zone. */
static int is_pii(enum order_col c)
{
	return c == OC_BUYER_PHONE;
}

/* A field as written in raw, without its quotes or Excel's =" ". */
static struct span unquoted(const char *p, size_t n)
{
	if (n && p[0] == '=') {
		p++;
		n--;
	}
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	return (struct span){ p, n };
}

int order_csv_redact(const struct order_csv_map *m, const char *raw, size_t len, struct buf *out)
{
	size_t done = 0;

	/* the columns in the order they appear in the record */
	for (int field = 0; field < CSV_FIELDS_MAX; field++) {
		size_t start, n;
		struct span v;
		int c;

		for (c = 0; c < OC_COUNT && !(m->col[c] == field && is_pii((enum order_col)c)); c++)
			;
		if (c == OC_COUNT)
			continue;
		if (csv_field_span(raw, len, (size_t)field, &start, &n) < 0)
			break;
		v = unquoted(raw + start, n);
		if (buf_add(out, raw + done, start - done) < 0 || pii_mask_value(out, v.p, v.n) < 0)
			return -1;
		done = start + n;
	}
	return buf_add(out, raw + done, len - done);
}

/*
 * The cleaned value of column c (empty span when absent or blank): trimmed
 * (a leading or trailing tab guard included), Excel's ="…" and '… id quoting
 * undone, and in exports the "-" and "--" back offices write for nothing.
 */
static struct span field(const struct order_csv_map *m, const struct csv_record *rec,
			 enum order_col c)
{
	struct span s = { "", 0 };
	int i = m->col[c];

	if (i < 0 || (size_t)i >= rec->nfields)
		return s;
	s.n = text_trim(rec->fields[i], rec->lens[i], &s.p);
	s.n = text_strip_excel_quote(s.p, s.n, &s.p);
	if (m->profile && m->profile->export &&
	    ((s.n == 1 && s.p[0] == '-') || (s.n == 2 && memcmp(s.p, "--", 2) == 0)))
		s.n = 0;
	return s;
}

static int fail(const struct order_csv_map *m, char *why, size_t whylen, enum order_col c,
		struct span v, const char *reason)
{
	struct span name = m->name[c];

	if (v.n == 0)
		snprintf(why, whylen, "%.*s: %s", (int)name.n, name.p, reason);
	else /* at most 64 bytes of the value, never half a character */
		snprintf(why, whylen, "%.*s \"%.*s\": %s", (int)name.n, name.p,
			 (int)utf8_valid_prefix(v.p, v.n > 64 ? 64 : v.n), v.p, reason);
	return -1;
}

/*
 * Excel shows a long number in scientific notation and saves it so when a
 * file is exported from the sheet: "2.20123E+18" is an order number whose
 * digits are gone.
 */
static int excel_scientific(struct span v)
{
	size_t i = 0;

	if (i < v.n && v.p[i] >= '0' && v.p[i] <= '9')
		i++;
	else
		return 0;
	if (i < v.n && v.p[i] == '.')
		for (i++; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++)
			;
	if (v.n < i + 3 || (v.p[i] != 'E' && v.p[i] != 'e') || v.p[i + 1] != '+')
		return 0;
	for (i += 2; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++)
		;
	return i == v.n;
}

/*
 * An identifier (order number, shop, SKU, buyer) must be printable: a
 * control byte makes two ids that look the same differ, so an order would
 * load twice. Text columns (titles, names) keep control bytes as read.
 */
static int check_identifier(const struct order_csv_map *m, enum order_col c, struct span v,
			    char *why, size_t whylen)
{
	char reason[96];

	for (size_t i = 0; i < v.n; i++) {
		unsigned char ch = (unsigned char)v.p[i];

		if (ch < 0x20 || ch == 0x7F) {
			snprintf(reason, sizeof(reason),
				 "control byte 0x%02X at position %zu (an identifier must be printable)",
				 ch, i + 1);
			return fail(m, why, whylen, c, (struct span){ "", 0 }, reason);
		}
	}
	if (excel_scientific(v))
		return fail(m, why, whylen, c, v,
			    "scientific notation: Excel has rounded the number and its digits are "
			    "lost; export the column as text (or the file from the back office, not "
			    "through Excel)");
	return 0;
}

static int need(const struct order_csv_map *m, const struct csv_record *rec, enum order_col c,
		struct span *out, char *why, size_t whylen)
{
	*out = field(m, rec, c);
	if (out->n == 0)
		return fail(m, why, whylen, c, *out, "missing value");
	if (!text_utf8_valid(out->p, out->n))
		return fail(m, why, whylen, c, *out, "not valid UTF-8");
	return 0;
}

static int parse_time(const struct order_csv_map *m, const struct csv_record *rec,
		      enum order_col c, struct ltime *t, int *present, char *why, size_t whylen)
{
	struct span v = field(m, rec, c);
	const char *reason;

	*present = v.n > 0;
	if (!*present)
		return 0;
	if (ltime_parse(v.p, v.n, t, &reason) < 0)
		return fail(m, why, whylen, c, v, reason);
	return 0;
}

/*
 * Yuan of column c with up to scale decimals, as an integer of 10^-scale yuan
 * (0 when absent); *present says whether the row had one.
 */
static int parse_yuan(const struct order_csv_map *m, const struct csv_record *rec,
		      enum order_col c, int scale, int64_t *out, int *present, char *why,
		      size_t whylen)
{
	struct span v = field(m, rec, c);
	const char *reason;

	*out = 0;
	*present = v.n > 0;
	if (v.n == 0)
		return m->required[c] ? fail(m, why, whylen, c, v, "missing value") : 0;
	if (money_parse_yuan_scaled(v.p, v.n, scale, out, &reason) < 0)
		return fail(m, why, whylen, c, v, reason);
	if (*out < 0)
		return fail(m, why, whylen, c, v, "negative amount");
	return 0;
}

/* Amount of column c in fen (0 when absent); *present says whether the row had one. */
static int parse_money(const struct order_csv_map *m, const struct csv_record *rec,
		       enum order_col c, int64_t *fen, int *present, char *why, size_t whylen)
{
	return parse_yuan(m, rec, c, 2, fen, present, why, whylen);
}

static int parse_count(const struct order_csv_map *m, const struct csv_record *rec,
		       enum order_col c, long min, long *out, char *why, size_t whylen)
{
	struct span v = field(m, rec, c);
	char tmp[24];
	char *end;

	*out = 0;
	if (v.n == 0)
		return m->required[c] ? fail(m, why, whylen, c, v, "missing value") : 0;
	if (v.n >= sizeof(tmp) || v.p[0] == '-' || v.p[0] == '+')
		return fail(m, why, whylen, c, v, "not a whole number");
	memcpy(tmp, v.p, v.n);
	tmp[v.n] = '\0';
	*out = strtol(tmp, &end, 10);
	if (*end || end == tmp || *out > 100000000)
		return fail(m, why, whylen, c, v, "not a whole number");
	if (*out < min)
		return fail(m, why, whylen, c, v,
			    min > 0 ? "must be at least 1" : "must not be negative");
	return 0;
}

/*
 * The buyer's phone. A number is stored only as its keyed hash (plus a
 * masked form). A phone the platform masked (138****1234) is no identity: the
 * line keeps the masked form only, never hashed as if it were a number; in an
 * export an encrypted one is left out too.
 */
static int parse_phone(const struct order_csv_map *m, const struct csv_record *rec,
		       struct order_line *o, char *why, size_t whylen)
{
	struct span v = field(m, rec, OC_BUYER_PHONE);
	char normalized[16];
	const char *reason;

	o->has_phone = 0;
	o->phone_masked[0] = '\0';
	if (v.n == 0)
		return 0;
	/* a masked number is kept as it is: never hashed, never a reason to reject */
	if (pii_phone_masked_form(v.p, v.n, o->phone_masked) == 0)
		return 0;
	if (pii_phone_normalize(v.p, v.n, normalized, &reason) < 0) {
		if (m->profile && m->profile->export)
			return 0;
		return fail(m, why, whylen, OC_BUYER_PHONE, (struct span){ "", 0 }, reason);
	}
	if (!m->pii_key) {
		snprintf(why, whylen, "%.*s given but SIYU_PII_KEY is not set: "
			 "phones are stored only as keyed hashes",
			 (int)m->name[OC_BUYER_PHONE].n, m->name[OC_BUYER_PHONE].p);
		return -2;
	}
	if (pii_phone_hash(m->pii_key, m->pii_key_len, normalized, o->phone_hash) < 0)
		return fail(m, why, whylen, OC_BUYER_PHONE, (struct span){ "", 0 }, "cannot hash");
	pii_phone_mask(normalized, o->phone_masked);
	o->has_phone = 1;
	return 0;
}

/* 1 when v holds a '*': a masked id, which would link every buyer masked alike. */
static int is_masked(struct span v)
{
	return memchr(v.p, '*', v.n) != NULL;
}

/* The platform: the profile's, else the file's column (lowercase name). */
static int parse_platform(const struct order_csv_map *m, const struct csv_record *rec,
			  struct order_line *o, char *why, size_t whylen)
{
	if (profile_of(m)->platform) {
		o->platform = (struct span){ profile_of(m)->platform,
					     strlen(profile_of(m)->platform) };
		return 0;
	}
	if (need(m, rec, OC_PLATFORM, &o->platform, why, whylen))
		return -1;
	for (size_t i = 0; i < o->platform.n; i++) {
		char ch = o->platform.p[i];
		if (!((ch >= 'a' && ch <= 'z') || (i > 0 && ((ch >= '0' && ch <= '9') || ch == '_'))))
			return fail(m, why, whylen, OC_PLATFORM, o->platform,
				    "must be a lowercase name like taobao");
	}
	return 0;
}

/*
 * The shop: the file's column, else the one the import was given (--shop).
 * A file naming another shop than the one given is refused. The lines of a
 * two-file export may leave it empty: their order file names it.
 */
static int parse_shop(const struct order_csv_map *m, const struct csv_record *rec,
		      struct order_line *o, char *why, size_t whylen)
{
	const struct order_profile *p = profile_of(m);
	struct span given = { m->shop_id ? m->shop_id : "", m->shop_id ? strlen(m->shop_id) : 0 };

	if (!p->export)
		return need(m, rec, OC_SHOP_ID, &o->shop_id, why, whylen);
	o->shop_id = field(m, rec, OC_SHOP_ID);
	if (o->shop_id.n && given.n &&
	    (o->shop_id.n != given.n || memcmp(o->shop_id.p, given.p, given.n) != 0))
		return fail(m, why, whylen, OC_SHOP_ID, o->shop_id,
			    "is not the shop the import was given (--shop)");
	if (o->shop_id.n == 0)
		o->shop_id = given;
	if (o->shop_id.n == 0 && !(p->orders.cols && !m->orders_file)) {
		snprintf(why, whylen, "cannot tell the shop: the file has no shop column; "
			 "give the shop's id (--shop ID, or shop = ID in the source)");
		return -1;
	}
	return 0;
}

/* Whether the order was paid, as far as the row tells, for the labels whose meaning depends on it. */
static enum order_paid known_payment(const struct order_csv_map *m, const struct order_line *o)
{
	if (o->has_paid)
		return ORDER_PAID_YES;
	if (m->col[OC_PAID_AT] >= 0)
		return ORDER_PAID_NO;
	/* a line of a Taobao pair: its order's status comes from the 订单报表;
	 * its own only says whether the line was refunded */
	if (profile_of(m)->orders.cols && !m->orders_file)
		return ORDER_PAID_YES;
	return ORDER_PAID_UNKNOWN;
}

static int unknown_status(const struct order_csv_map *m, struct span status, char *why,
			  size_t whylen)
{
	enum order_status any;

	if (order_status_map_paid(m->status_profile, status.p, status.n, ORDER_PAID_YES, &any) == 0)
		return fail(m, why, whylen, OC_STATUS, status,
			    "means cancelled or refunded by whether the order was paid, and the "
			    "file has no payment time");
	return fail(m, why, whylen, OC_STATUS, status, "unknown order status");
}

/*
 * A line's after-sale state: a refund under way makes the line refunding; a
 * completed one refunds the line, in full when the file gives no refund
 * amount (抖店, 拼多多: the line is refunded), by the amount given when it
 * does (有赞, 微信小店: a partial refund keeps the order's status).
 */
static int apply_after_sale(const struct order_csv_map *m, const struct csv_record *rec,
			    struct order_line *o, struct span after, char *why, size_t whylen)
{
	enum order_status st = o->status;

	if (order_status_apply_refund(m->status_profile, after.p, after.n, &st) < 0)
		return fail(m, why, whylen, OC_AFTERSALE, after, "unknown after-sale state");
	if (st == ORDER_REFUNDED && o->status != ORDER_REFUNDED) {
		o->refund_done = 1;
		if (field(m, rec, OC_LINE_REFUND).n)
			return 0;
	}
	o->status = st;
	return 0;
}

/*
 * The order status through the profile's table, knowing whether the order was
 * paid (交易关闭, 已取消, 已关闭 mean cancelled or refunded by that), then the
 * row's after-sale state. In an export, a status that says the order was paid,
 * in a file with no payment time for it, dates the payment at the creation.
 */
static int parse_status(const struct order_csv_map *m, const struct csv_record *rec,
			struct order_line *o, char *why, size_t whylen)
{
	struct span status = field(m, rec, OC_STATUS);
	struct span after = field(m, rec, OC_AFTERSALE);

	o->refund_done = 0;
	if (status.n == 0) {
		if (m->required[OC_STATUS])
			return fail(m, why, whylen, OC_STATUS, status, "missing value");
		o->status = ORDER_PAID; /* a Taobao line: its order file gives the status */
	} else if (order_status_map_paid(m->status_profile, status.p, status.n,
					 known_payment(m, o), &o->status) < 0) {
		return unknown_status(m, status, why, whylen);
	}
	if (after.n && apply_after_sale(m, rec, o, after, why, whylen) < 0)
		return -1;
	o->refund_done |= o->status == ORDER_REFUNDED;
	if (profile_of(m)->export && !o->has_paid && o->status != ORDER_UNPAID &&
	    o->status != ORDER_CANCELLED && m->col[OC_CREATED_AT] >= 0) {
		o->paid = o->created;
		o->has_paid = 1;
	}
	return 0;
}

/* Order number, shop, buyer and status: the order-level part of a row. */
static int parse_identity(const struct order_csv_map *m, const struct csv_record *rec,
			  struct order_line *o, char *why, size_t whylen)
{
	struct span buyer;

	if (parse_platform(m, rec, o, why, whylen) ||
	    need(m, rec, OC_ORDER_NO, &o->order_no, why, whylen) ||
	    parse_shop(m, rec, o, why, whylen))
		return -1;
	o->shop_name = field(m, rec, OC_SHOP_NAME);
	buyer = field(m, rec, OC_BUYER_ID);
	o->buyer_id = profile_of(m)->export && is_masked(buyer) ? (struct span){ "", 0 } : buyer;
	o->unionid = field(m, rec, OC_BUYER_UNIONID);
	if (check_identifier(m, OC_ORDER_NO, o->order_no, why, whylen) ||
	    check_identifier(m, OC_SHOP_ID, o->shop_id, why, whylen) ||
	    check_identifier(m, OC_BUYER_ID, o->buyer_id, why, whylen) ||
	    check_identifier(m, OC_BUYER_UNIONID, o->unionid, why, whylen))
		return -1;
	if (!text_utf8_valid(o->shop_name.p, o->shop_name.n) ||
	    !text_utf8_valid(o->buyer_id.p, o->buyer_id.n))
		return fail(m, why, whylen, OC_SHOP_NAME, (struct span){ "", 0 },
			    "text is not valid UTF-8 (a GBK file needs encoding = gbk)");
	return 0;
}

/*
 * Creation, payment and version times. An export has no modified time per
 * order: its version is the export's time (m->as_of), the same for every row.
 */
static int parse_times(const struct order_csv_map *m, const struct csv_record *rec,
		       struct order_line *o, char *why, size_t whylen)
{
	int created, updated;

	if (parse_time(m, rec, OC_CREATED_AT, &o->created, &created, why, whylen) ||
	    parse_time(m, rec, OC_PAID_AT, &o->paid, &o->has_paid, why, whylen))
		return -1;
	if (!created && o->has_paid && profile_of(m)->export) {
		o->created = o->paid; /* PDD leaves 订单成交时间 empty on some rows */
		created = 1;
	}
	if (!created && m->required[OC_CREATED_AT])
		return fail(m, why, whylen, OC_CREATED_AT, (struct span){ "", 0 }, "missing value");
	if (m->col[OC_UPDATED_AT] >= 0) {
		if (parse_time(m, rec, OC_UPDATED_AT, &o->updated, &updated, why, whylen))
			return -1;
		if (!updated)
			return fail(m, why, whylen, OC_UPDATED_AT, (struct span){ "", 0 },
				    "missing value");
		if (order_version_value(&o->updated) < order_version_value(&o->created))
			return fail(m, why, whylen, OC_UPDATED_AT, field(m, rec, OC_UPDATED_AT),
				    "earlier than created_at");
		return 0;
	}
	if (!m->has_as_of) {
		snprintf(why, whylen, "the file has no version: give the export's time (--as-of)");
		return -1;
	}
	o->updated = m->as_of;
	if (created && order_version_value(&o->updated) < order_version_value(&o->created)) {
		snprintf(why, whylen, "the export's time (--as-of) is earlier than %.*s",
			 (int)m->name[OC_CREATED_AT].n, m->name[OC_CREATED_AT].p);
		return -1;
	}
	return 0;
}

/*
 * The product: sku, title and the line's identity. An export's sku is the
 * merchant's code, else the platform's product id, else the title; a line
 * without a sub-order number gets its number within the order from order_book.
 */
static int parse_product(const struct order_csv_map *m, const struct csv_record *rec,
			 struct order_line *o, char *why, size_t whylen)
{
	long line_no;

	o->title = field(m, rec, OC_PRODUCT_TITLE);
	if (!profile_of(m)->export) {
		if (need(m, rec, OC_SKU, &o->sku, why, whylen) ||
		    check_identifier(m, OC_SKU, o->sku, why, whylen) ||
		    parse_count(m, rec, OC_LINE_NO, 1, &line_no, why, whylen))
			return -1;
		o->line_no = (int)line_no;
		o->line_id = o->line_no ? field(m, rec, OC_LINE_NO) : o->sku;
	} else {
		o->sku = field(m, rec, OC_SKU);
		if (o->sku.n == 0)
			o->sku = field(m, rec, OC_PRODUCT_ID);
		if (o->sku.n == 0)
			o->sku = o->title;
		if (o->sku.n == 0)
			return fail(m, why, whylen, OC_SKU, o->sku,
				    "missing value (and no product id or title either)");
		o->line_id = field(m, rec, OC_LINE_ID);
	}
	if (!text_utf8_valid(o->title.p, o->title.n) || !text_utf8_valid(o->sku.p, o->sku.n))
		return fail(m, why, whylen, OC_PRODUCT_TITLE, (struct span){ "", 0 },
			    "text is not valid UTF-8 (a GBK file needs encoding = gbk)");
	return 0;
}

/*
 * Unit price and gross: from the unit price (up to 4 decimals, the line
 * rounded once to the fen), else from the line's total (PDD).
 */
static int parse_price(const struct order_csv_map *m, const struct csv_record *rec,
		       struct order_line *o, char *why, size_t whylen)
{
	int present;

	if (m->col[OC_UNIT_PRICE] < 0 && m->col[OC_LINE_GROSS] >= 0) {
		if (parse_money(m, rec, OC_LINE_GROSS, &o->gross_fen, &present, why, whylen))
			return -1;
		o->unit_price_fen = (o->gross_fen + o->quantity / 2) / o->quantity;
		return 0;
	}
	if (parse_yuan(m, rec, OC_UNIT_PRICE, UNIT_PRICE_SCALE, &o->unit_price_e4, &present, why,
		       whylen))
		return -1;
	if (!present)
		return fail(m, why, whylen, OC_UNIT_PRICE, (struct span){ "", 0 }, "missing value");
	/* quantity ≤ 1e8 and price ≤ 1e15 could overflow together: check */
	if (o->unit_price_e4 > INT64_MAX / o->quantity)
		return fail(m, why, whylen, OC_QUANTITY, field(m, rec, OC_QUANTITY),
			    "quantity × unit_price overflows");
	/* the line's amount is rounded once, half up, to the fen (docs/import-generic.md) */
	o->gross_fen = money_round_half_up(o->unit_price_e4 * o->quantity, E4_PER_FEN);
	o->unit_price_fen = money_round_half_up(o->unit_price_e4, E4_PER_FEN);
	return 0;
}

/* The order-level amounts an export repeats on its rows. */
static int parse_order_amounts(const struct order_csv_map *m, const struct csv_record *rec,
			       struct order_line *o, char *why, size_t whylen)
{
	int64_t more;
	int present;

	if (parse_money(m, rec, OC_SHIPPING_FEE, &o->shipping_fen, &present, why, whylen) ||
	    parse_money(m, rec, OC_ORDER_DISCOUNT, &o->discount_fen, &present, why, whylen) ||
	    parse_money(m, rec, OC_ORDER_PAID, &o->order_paid_fen, &present, why, whylen) ||
	    parse_money(m, rec, OC_ORDER_PAID_MORE, &more, &present, why, whylen) ||
	    parse_money(m, rec, OC_ORDER_REFUND, &o->order_refund_fen, &present, why, whylen))
		return -1;
	o->order_paid_fen += more;
	if (m->col[OC_ORDER_REFUND] < 0)
		o->order_refund_fen = -1; /* the file does not say */
	return 0;
}

static int parse_line_amounts(const struct order_csv_map *m, const struct csv_record *rec,
			      struct order_line *o, char *why, size_t whylen)
{
	int present;

	if (parse_count(m, rec, OC_QUANTITY, 1, &o->quantity, why, whylen))
		return -1;
	if (o->quantity == 0)
		return fail(m, why, whylen, OC_QUANTITY, (struct span){ "", 0 }, "missing value");
	if (parse_price(m, rec, o, why, whylen) ||
	    parse_money(m, rec, OC_LINE_PAID, &o->paid_fen, &o->has_line_paid, why, whylen) ||
	    parse_money(m, rec, OC_LINE_REFUND, &o->refund_fen, &o->has_line_refund, why, whylen) ||
	    parse_money(m, rec, OC_LINE_WEIGHT, &o->weight_fen, &present, why, whylen))
		return -1;
	if (!present)
		o->weight_fen = o->gross_fen;
	if (o->has_line_paid && o->refund_fen > o->paid_fen) {
		char reason[64];

		snprintf(reason, sizeof(reason), "refund exceeds %.*s", (int)m->name[OC_LINE_PAID].n,
			 m->name[OC_LINE_PAID].p);
		return fail(m, why, whylen, OC_LINE_REFUND, field(m, rec, OC_LINE_REFUND), reason);
	}
	return 0;
}

/* An unpaid order paid nothing, whatever amount the export shows as due. */
static void clear_unpaid(struct order_line *o)
{
	if (o->has_paid)
		return;
	o->paid_fen = o->refund_fen = o->shipping_fen = o->order_paid_fen = 0;
	if (o->order_refund_fen > 0)
		o->order_refund_fen = 0;
}

int order_csv_parse(const struct order_csv_map *m, const struct csv_record *rec,
		    struct order_line *o, char *why, size_t whylen)
{
	memset(o, 0, sizeof(*o));
	o->order_refund_fen = -1;
	if (parse_identity(m, rec, o, why, whylen) ||
	    parse_times(m, rec, o, why, whylen) ||
	    parse_status(m, rec, o, why, whylen) ||
	    parse_order_amounts(m, rec, o, why, whylen))
		return -1;
	if (!m->orders_file && (parse_product(m, rec, o, why, whylen) ||
				parse_line_amounts(m, rec, o, why, whylen)))
		return -1;
	/* (a Taobao line does not know: its order file decides, in order_book) */
	if (profile_of(m)->export && !(profile_of(m)->orders.cols && !m->orders_file))
		clear_unpaid(o);
	return parse_phone(m, rec, o, why, whylen);
}

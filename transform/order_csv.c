/*
 * order_csv.c — the generic CSV profile: one record → one canonical order line.
 *
 * Every check names the column and quotes the value, because the reason is
 * what an operator reads in etl.reject next to the raw line.
 */
#include "siyu/transform/order_csv.h"

#include "siyu/common/buf.h"
#include "siyu/common/textclean.h"
#include "siyu/common/utf8.h"
#include "siyu/transform/money.h"
#include "siyu/transform/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Unit prices have up to 4 decimals (0.001 per piece); amounts are fen. */
#define UNIT_PRICE_SCALE 4
#define E4_PER_FEN 100

struct col_spec {
	const char *name;
	int required;
	int pii;      /* personal data: masked in every copy kept outside the raw zone */
};

static const struct col_spec col_specs[OC_COUNT] = {
	[OC_PLATFORM] = { "platform", 1 },
	[OC_SHOP_ID] = { "shop_id", 1 },
	[OC_SHOP_NAME] = { "shop_name", 0 },
	[OC_ORDER_NO] = { "order_no", 1 },
	[OC_LINE_NO] = { "line_no", 0 },
	[OC_STATUS] = { "status", 1 },
	[OC_CREATED_AT] = { "created_at", 1 },
	[OC_PAID_AT] = { "paid_at", 0 },
	[OC_UPDATED_AT] = { "updated_at", 1 },
	[OC_BUYER_ID] = { "buyer_id", 0 },
	[OC_BUYER_UNIONID] = { "buyer_unionid", 0 },
	[OC_BUYER_PHONE] = { "buyer_phone", 0, 1 },
	[OC_SKU] = { "sku", 1 },
	[OC_PRODUCT_TITLE] = { "product_title", 0 },
	[OC_QUANTITY] = { "quantity", 1 },
	[OC_UNIT_PRICE] = { "unit_price", 1 },
	[OC_LINE_PAID] = { "line_paid", 1 },
	[OC_LINE_REFUND] = { "line_refund", 0 },
	[OC_SHIPPING_FEE] = { "shipping_fee", 0 },
	[OC_ORDER_DISCOUNT] = { "order_discount", 0 },
};

/*
 * The CSV profiles that load: a file's columns and status labels. The one
 * list of profile names: siyu import --profile, [source] profile and the
 * error that lists them all read it.
 */
static const struct order_csv_profile profiles[] = {
	{ "generic", "generic" },
};

const struct order_csv_profile *order_csv_profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

void order_csv_profile_names(char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]) && used < n; i++) {
		int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", profiles[i].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int order_csv_profile_check(const char *name, char *err, size_t errlen)
{
	char names[256];

	if (order_csv_profile_find(name))
		return 0;
	order_csv_profile_names(names, sizeof(names));
	snprintf(err, errlen, "profile '%s' is not implemented (profiles: %s; "
		 "docs/import-generic.md)", name, names);
	return -1;
}

int order_csv_map_header(struct order_csv_map *m, const struct csv_record *hdr,
			 char *err, size_t errlen)
{
	for (int c = 0; c < OC_COUNT; c++)
		m->col[c] = -1;
	for (size_t i = 0; i < hdr->nfields; i++) {
		const char *name;
		size_t n = text_trim(hdr->fields[i], hdr->lens[i], &name);

		for (int c = 0; c < OC_COUNT; c++) {
			if (strlen(col_specs[c].name) != n || strncasecmp(name, col_specs[c].name, n))
				continue;
			if (m->col[c] >= 0) {
				snprintf(err, errlen, "column '%s' appears twice in the header",
					 col_specs[c].name);
				return -1;
			}
			m->col[c] = (int)i;
		}
	}
	for (int c = 0; c < OC_COUNT; c++) {
		if (col_specs[c].required && m->col[c] < 0) {
			snprintf(err, errlen, "required column '%s' is missing from the header",
				 col_specs[c].name);
			return -1;
		}
	}
	return 0;
}

const char *order_csv_column_name(const struct order_csv_map *m, int field)
{
	for (int c = 0; c < OC_COUNT; c++)
		if (m->col[c] == field)
			return col_specs[c].name;
	return NULL;
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

		for (c = 0; c < OC_COUNT && !(m->col[c] == field && col_specs[c].pii); c++)
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

/* The trimmed value of column c (empty span when absent or blank). */
static struct span field(const struct order_csv_map *m, const struct csv_record *rec,
			 enum order_col c)
{
	struct span s = { "", 0 };
	int i = m->col[c];

	if (i < 0 || (size_t)i >= rec->nfields)
		return s;
	s.n = text_trim(rec->fields[i], rec->lens[i], &s.p);
	s.n = text_strip_excel_quote(s.p, s.n, &s.p);
	return s;
}

static int fail(char *why, size_t whylen, enum order_col c, struct span v, const char *reason)
{
	if (v.n == 0)
		snprintf(why, whylen, "%s: %s", col_specs[c].name, reason);
	else /* at most 64 bytes of the value, never half a character */
		snprintf(why, whylen, "%s \"%.*s\": %s", col_specs[c].name,
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
static int check_identifier(enum order_col c, struct span v, char *why, size_t whylen)
{
	char reason[96];

	for (size_t i = 0; i < v.n; i++) {
		unsigned char ch = (unsigned char)v.p[i];

		if (ch < 0x20 || ch == 0x7F) {
			snprintf(reason, sizeof(reason),
				 "control byte 0x%02X at position %zu (an identifier must be printable)",
				 ch, i + 1);
			return fail(why, whylen, c, (struct span){ "", 0 }, reason);
		}
	}
	if (excel_scientific(v))
		return fail(why, whylen, c, v,
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
		return fail(why, whylen, c, *out, "missing value");
	if (!text_utf8_valid(out->p, out->n))
		return fail(why, whylen, c, *out, "not valid UTF-8");
	return 0;
}

/* An identifier column: need() (when required) and check_identifier(). */
static int identifier(const struct order_csv_map *m, const struct csv_record *rec,
		      enum order_col c, struct span *out, char *why, size_t whylen)
{
	if (col_specs[c].required) {
		if (need(m, rec, c, out, why, whylen))
			return -1;
	} else {
		*out = field(m, rec, c);
	}
	return check_identifier(c, *out, why, whylen);
}

static int parse_time(const struct order_csv_map *m, const struct csv_record *rec,
		      enum order_col c, struct ltime *t, int *present, char *why, size_t whylen)
{
	struct span v = field(m, rec, c);
	const char *reason;

	*present = v.n > 0;
	if (!*present)
		return col_specs[c].required ? fail(why, whylen, c, v, "missing value") : 0;
	if (ltime_parse(v.p, v.n, t, &reason) < 0)
		return fail(why, whylen, c, v, reason);
	return 0;
}

/* Yuan text with up to scale decimals, as an integer of 10^-scale yuan (2: fen). */
static int parse_money(const struct order_csv_map *m, const struct csv_record *rec,
		       enum order_col c, int scale, int64_t *fen, char *why, size_t whylen)
{
	struct span v = field(m, rec, c);
	const char *reason;

	*fen = 0;
	if (v.n == 0)
		return col_specs[c].required ? fail(why, whylen, c, v, "missing value") : 0;
	if (money_parse_yuan_scaled(v.p, v.n, scale, fen, &reason) < 0)
		return fail(why, whylen, c, v, reason);
	if (*fen < 0)
		return fail(why, whylen, c, v, "negative amount");
	return 0;
}

static int parse_count(const struct order_csv_map *m, const struct csv_record *rec,
		       enum order_col c, long min, long *out, char *why, size_t whylen)
{
	struct span v = field(m, rec, c);
	char tmp[24];
	char *end;

	*out = 0;
	if (v.n == 0)
		return col_specs[c].required ? fail(why, whylen, c, v, "missing value") : 0;
	if (v.n >= sizeof(tmp) || v.p[0] == '-' || v.p[0] == '+')
		return fail(why, whylen, c, v, "not a whole number");
	memcpy(tmp, v.p, v.n);
	tmp[v.n] = '\0';
	*out = strtol(tmp, &end, 10);
	if (*end || end == tmp || *out > 100000000)
		return fail(why, whylen, c, v, "not a whole number");
	if (*out < min)
		return fail(why, whylen, c, v, min > 0 ? "must be at least 1" : "must not be negative");
	return 0;
}

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
	/* a platform's masked number is kept as it is: never hashed, never a reason to reject */
	if (pii_phone_masked_form(v.p, v.n, o->phone_masked) == 0)
		return 0;
	if (!m->pii_key) {
		snprintf(why, whylen, "buyer_phone given but SIYU_PII_KEY is not set: "
			 "phones are stored only as keyed hashes");
		return -2;
	}
	if (pii_phone_normalize(v.p, v.n, normalized, &reason) < 0)
		return fail(why, whylen, OC_BUYER_PHONE, (struct span){ "", 0 }, reason);
	if (pii_phone_hash(m->pii_key, m->pii_key_len, normalized, o->phone_hash) < 0)
		return fail(why, whylen, OC_BUYER_PHONE, (struct span){ "", 0 }, "cannot hash");
	pii_phone_mask(normalized, o->phone_masked);
	o->has_phone = 1;
	return 0;
}

static int parse_identity(const struct order_csv_map *m, const struct csv_record *rec,
			  struct order_line *o, char *why, size_t whylen)
{
	struct span status;
	long line_no;

	if (need(m, rec, OC_PLATFORM, &o->platform, why, whylen) ||
	    identifier(m, rec, OC_SHOP_ID, &o->shop_id, why, whylen) ||
	    identifier(m, rec, OC_ORDER_NO, &o->order_no, why, whylen) ||
	    identifier(m, rec, OC_SKU, &o->sku, why, whylen) ||
	    identifier(m, rec, OC_BUYER_ID, &o->buyer_id, why, whylen) ||
	    identifier(m, rec, OC_BUYER_UNIONID, &o->unionid, why, whylen) ||
	    need(m, rec, OC_STATUS, &status, why, whylen))
		return -1;
	for (size_t i = 0; i < o->platform.n; i++) {
		char ch = o->platform.p[i];
		if (!((ch >= 'a' && ch <= 'z') || (i > 0 && ((ch >= '0' && ch <= '9') || ch == '_'))))
			return fail(why, whylen, OC_PLATFORM, o->platform,
				    "must be a lowercase name like taobao");
	}
	if (order_status_map(m->status_profile, status.p, status.n, &o->status) < 0)
		return fail(why, whylen, OC_STATUS, status, "unknown order status");
	if (parse_count(m, rec, OC_LINE_NO, 1, &line_no, why, whylen))
		return -1;
	o->line_no = (int)line_no;
	o->line_id = o->line_no ? field(m, rec, OC_LINE_NO) : o->sku;
	o->shop_name = field(m, rec, OC_SHOP_NAME);
	o->title = field(m, rec, OC_PRODUCT_TITLE);
	return 0;
}

static int parse_amounts(const struct order_csv_map *m, const struct csv_record *rec,
			 struct order_line *o, char *why, size_t whylen)
{
	if (parse_count(m, rec, OC_QUANTITY, 1, &o->quantity, why, whylen) ||
	    parse_money(m, rec, OC_UNIT_PRICE, UNIT_PRICE_SCALE, &o->unit_price_e4, why, whylen) ||
	    parse_money(m, rec, OC_LINE_PAID, 2, &o->paid_fen, why, whylen) ||
	    parse_money(m, rec, OC_LINE_REFUND, 2, &o->refund_fen, why, whylen) ||
	    parse_money(m, rec, OC_SHIPPING_FEE, 2, &o->shipping_fen, why, whylen) ||
	    parse_money(m, rec, OC_ORDER_DISCOUNT, 2, &o->discount_fen, why, whylen))
		return -1;
	/* quantity ≤ 1e8 and price ≤ 1e15 could overflow int64 together: check */
	if (o->unit_price_e4 > INT64_MAX / o->quantity)
		return fail(why, whylen, OC_QUANTITY, field(m, rec, OC_QUANTITY),
			    "quantity × unit_price overflows");
	/* the line's amount is rounded once, half up, to the fen (docs/import-generic.md) */
	o->gross_fen = money_round_half_up(o->unit_price_e4 * o->quantity, E4_PER_FEN);
	o->unit_price_fen = money_round_half_up(o->unit_price_e4, E4_PER_FEN);
	if (o->refund_fen > o->paid_fen)
		return fail(why, whylen, OC_LINE_REFUND, field(m, rec, OC_LINE_REFUND),
			    "refund exceeds line_paid");
	return 0;
}

int order_csv_parse(const struct order_csv_map *m, const struct csv_record *rec,
		    struct order_line *o, char *why, size_t whylen)
{
	int present;
	int rc;

	memset(o, 0, sizeof(*o));
	if (parse_identity(m, rec, o, why, whylen) ||
	    parse_time(m, rec, OC_CREATED_AT, &o->created, &present, why, whylen) ||
	    parse_time(m, rec, OC_PAID_AT, &o->paid, &o->has_paid, why, whylen) ||
	    parse_time(m, rec, OC_UPDATED_AT, &o->updated, &present, why, whylen) ||
	    parse_amounts(m, rec, o, why, whylen))
		return -1;
	if (order_version_value(&o->updated) < order_version_value(&o->created))
		return fail(why, whylen, OC_UPDATED_AT, field(m, rec, OC_UPDATED_AT),
			    "earlier than created_at");
	rc = parse_phone(m, rec, o, why, whylen);
	return rc;
}

int64_t order_version_value(const struct ltime *t)
{
	int64_t days = ltime_days_from_civil(t->year, t->month, t->day);
	int64_t secs = days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;

	if (t->has_offset)
		secs -= (int64_t)t->offset_minutes * 60;
	return secs * 1000000 + t->usec;
}

/*
 * order_csv.c — the generic CSV profile: one record → one canonical order line.
 *
 * Every check names the column and quotes the value, because the reason is
 * what an operator reads in etl.reject next to the raw line.
 */
#include "siyu/transform/order_csv.h"

#include "siyu/common/textclean.h"
#include "siyu/transform/money.h"
#include "siyu/transform/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct col_spec {
	const char *name;
	int required;
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
	[OC_BUYER_PHONE] = { "buyer_phone", 0 },
	[OC_SKU] = { "sku", 1 },
	[OC_PRODUCT_TITLE] = { "product_title", 0 },
	[OC_QUANTITY] = { "quantity", 1 },
	[OC_UNIT_PRICE] = { "unit_price", 1 },
	[OC_LINE_PAID] = { "line_paid", 1 },
	[OC_LINE_REFUND] = { "line_refund", 0 },
	[OC_SHIPPING_FEE] = { "shipping_fee", 0 },
	[OC_ORDER_DISCOUNT] = { "order_discount", 0 },
};

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
	else
		snprintf(why, whylen, "%s \"%.*s\": %s", col_specs[c].name,
			 (int)(v.n > 64 ? 64 : v.n), v.p, reason);
	return -1;
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

static int parse_money(const struct order_csv_map *m, const struct csv_record *rec,
		       enum order_col c, int64_t *fen, char *why, size_t whylen)
{
	struct span v = field(m, rec, c);
	const char *reason;

	*fen = 0;
	if (v.n == 0)
		return col_specs[c].required ? fail(why, whylen, c, v, "missing value") : 0;
	if (money_parse_yuan(v.p, v.n, fen, &reason) < 0)
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
	if (v.n == 0)
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
	    need(m, rec, OC_SHOP_ID, &o->shop_id, why, whylen) ||
	    need(m, rec, OC_ORDER_NO, &o->order_no, why, whylen) ||
	    need(m, rec, OC_SKU, &o->sku, why, whylen) ||
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
	o->buyer_id = field(m, rec, OC_BUYER_ID);
	o->unionid = field(m, rec, OC_BUYER_UNIONID);
	o->title = field(m, rec, OC_PRODUCT_TITLE);
	if (!text_utf8_valid(o->shop_name.p, o->shop_name.n) ||
	    !text_utf8_valid(o->title.p, o->title.n) ||
	    !text_utf8_valid(o->buyer_id.p, o->buyer_id.n))
		return fail(why, whylen, OC_PRODUCT_TITLE, (struct span){ "", 0 },
			    "text is not valid UTF-8 (a GBK file needs encoding = gbk)");
	return 0;
}

static int parse_amounts(const struct order_csv_map *m, const struct csv_record *rec,
			 struct order_line *o, char *why, size_t whylen)
{
	if (parse_count(m, rec, OC_QUANTITY, 1, &o->quantity, why, whylen) ||
	    parse_money(m, rec, OC_UNIT_PRICE, &o->unit_price_fen, why, whylen) ||
	    parse_money(m, rec, OC_LINE_PAID, &o->paid_fen, why, whylen) ||
	    parse_money(m, rec, OC_LINE_REFUND, &o->refund_fen, why, whylen) ||
	    parse_money(m, rec, OC_SHIPPING_FEE, &o->shipping_fen, why, whylen) ||
	    parse_money(m, rec, OC_ORDER_DISCOUNT, &o->discount_fen, why, whylen))
		return -1;
	/* quantity ≤ 1e8 and |price| ≤ 1e15 fen cannot overflow int64 together
	 * only below 9.2e10 fen; check instead of trusting the bounds */
	if (o->unit_price_fen > INT64_MAX / o->quantity)
		return fail(why, whylen, OC_QUANTITY, field(m, rec, OC_QUANTITY),
			    "quantity × unit_price overflows");
	o->gross_fen = o->unit_price_fen * o->quantity;
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

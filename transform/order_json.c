/*
 * order_json.c — what the platforms' JSON order mappings share (see order_json.h).
 */
#include "siyu/transform/order_json.h"

#include "siyu/common/json_get.h"
#include "siyu/common/textclean.h"
#include "siyu/transform/money.h"
#include "siyu/transform/order_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int order_json_grow(struct order_json *o, size_t n)
{
	struct order_line *l;
	char (*sku)[48];

	if (n <= o->cap)
		return 0;
	l = realloc(o->line, n * sizeof(*l));
	if (!l)
		return -1;
	o->line = l;
	sku = realloc(o->sku, n * sizeof(*sku));
	if (!sku)
		return -1;
	o->sku = sku;
	o->cap = n;
	return 0;
}

void order_json_release(struct order_json *o)
{
	free(o->line);
	free(o->sku);
	memset(o, 0, sizeof(*o));
}

int oj_fail(char *why, size_t whylen, const char *field, const char *value, const char *reason)
{
	if (value)
		snprintf(why, whylen, "%s: %s \"%.80s\"", field, reason, value);
	else
		snprintf(why, whylen, "%s: %s", field, reason);
	return -1;
}

struct span oj_span(const char *s)
{
	return (struct span){ s, strlen(s) };
}

int oj_text(struct json_object *obj, const char *key, const char **out)
{
	switch (wj_text(obj, key, out)) {
	case WJ_OK:
		return 0;
	case WJ_ABSENT:
		*out = "";
		return 0;
	default:
		*out = "";
		return -1;
	}
}

int oj_id(struct json_object *obj, const char *key, int required, const char **out,
	  char *why, size_t whylen)
{
	struct json_object *v = NULL;

	*out = "";
	if (obj && json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_double))
		return oj_fail(why, whylen, key, json_object_get_string(v),
			       "not an exact integer (it went through a double)");
	if (oj_text(obj, key, out) < 0)
		return oj_fail(why, whylen, key, NULL, "not a text or integer value");
	if (!**out && required)
		return oj_fail(why, whylen, key, NULL, "missing");
	return 0;
}

int oj_time(struct json_object *obj, const char *key, int required, struct ltime *t,
	    int *present, char *why, size_t whylen)
{
	const char *s, *reason;

	*present = 0;
	if (oj_text(obj, key, &s) < 0)
		return oj_fail(why, whylen, key, NULL, "not a text value");
	/* JD's "not yet" times */
	if (!strncmp(s, "0001-01-01", 10) || !strcmp(s, "1970-01-01 00:00:00"))
		s = "";
	if (!*s)
		return required ? oj_fail(why, whylen, key, NULL, "missing") : 0;
	if (ltime_parse(s, strlen(s), t, &reason) < 0)
		return oj_fail(why, whylen, key, s, reason);
	*present = 1;
	return 0;
}

int oj_epoch(struct json_object *obj, const char *key, int required, struct ltime *t,
	     int *present, char *why, size_t whylen)
{
	const char *s = "";
	int64_t secs = 0;

	*present = 0;
	switch (wj_int64(obj, key, &secs)) {
	case WJ_BAD:
		oj_text(obj, key, &s);
		return oj_fail(why, whylen, key, s, "not epoch seconds");
	case WJ_ABSENT:
		secs = 0;
		break;
	case WJ_OK:
		break;
	}
	if (secs == 0)
		return required ? oj_fail(why, whylen, key, NULL, "missing") : 0;
	if (secs < 0 || ltime_from_unix(secs, t) < 0) {
		oj_text(obj, key, &s);
		return oj_fail(why, whylen, key, s, "year out of range 1970-2100");
	}
	*present = 1;
	return 0;
}

typedef int (*money_fn)(const char *s, size_t len, int64_t *fen, const char **why);

static int money(struct json_object *obj, const char *key, int required, int64_t *fen,
		 money_fn parse, char *why, size_t whylen)
{
	const char *s, *reason;

	*fen = 0;
	if (oj_text(obj, key, &s) < 0)
		return oj_fail(why, whylen, key, NULL, "not a money value");
	if (!*s)
		return required ? oj_fail(why, whylen, key, NULL, "missing") : 0;
	if (parse(s, strlen(s), fen, &reason) < 0)
		return oj_fail(why, whylen, key, s, reason);
	if (*fen < 0)
		return oj_fail(why, whylen, key, s, "negative amount");
	return 0;
}

int oj_yuan(struct json_object *obj, const char *key, int required, int64_t *fen, char *why,
	    size_t whylen)
{
	/* a JSON number's text is the one it was written with (json-c keeps it) */
	return money(obj, key, required, fen, money_parse_yuan, why, whylen);
}

int oj_fen(struct json_object *obj, const char *key, int required, int64_t *fen, char *why,
	   size_t whylen)
{
	return money(obj, key, required, fen, money_parse_fen, why, whylen);
}

int oj_count(struct json_object *obj, const char *key, long *out, char *why, size_t whylen)
{
	int64_t n;
	const char *s = "";

	if (wj_int64(obj, key, &n) != WJ_OK || n < 1 || n > 100000000) {
		oj_text(obj, key, &s);
		return oj_fail(why, whylen, key, s, "not a whole number of at least 1");
	}
	*out = (long)n;
	return 0;
}

/* paid × gross products exceed 64 bits for large orders */
__extension__ typedef __int128 wide;

int oj_allocate_paid(struct order_json *o, size_t n, int64_t paid)
{
	int64_t gross = 0, given = 0;
	size_t i;

	if (paid < 0)
		return -1;
	for (i = 0; i < n; i++)
		gross += o->line[i].gross_fen;
	if (gross == 0) {
		for (i = 0; i < n; i++)
			o->line[i].paid_fen = paid / (int64_t)n + ((int64_t)i < paid % (int64_t)n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		o->line[i].paid_fen = (int64_t)((wide)paid * o->line[i].gross_fen / gross);
		given += o->line[i].paid_fen;
	}
	/* the rest, one fen at a time, to the lines that rounding shortened most */
	while (given < paid) {
		size_t best = 0;
		wide best_rem = -1;

		for (i = 0; i < n; i++) {
			wide rem = (wide)paid * o->line[i].gross_fen - (wide)o->line[i].paid_fen * gross;

			if (rem > best_rem) {
				best_rem = rem;
				best = i;
			}
		}
		o->line[best].paid_fen++;
		given++;
	}
	return 0;
}

int oj_refund_effect(const char *profile, const char *code, enum oj_refund *out)
{
	enum order_status st = ORDER_PAID;

	*out = OJ_REFUND_NONE;
	if (!*code)
		return 0;
	if (order_status_apply_refund(profile, code, strlen(code), &st) < 0)
		return -1;
	*out = st == ORDER_REFUNDED ? OJ_REFUND_DONE
	       : st == ORDER_REFUNDING ? OJ_REFUND_ACTIVE : OJ_REFUND_NONE;
	return 0;
}

void oj_line_refunds(struct order_json *o, size_t n, const enum oj_refund *refund)
{
	enum order_status st = n ? o->line[0].status : ORDER_PAID;
	size_t done = 0, active = 0;

	for (size_t i = 0; i < n; i++) {
		done += refund[i] == OJ_REFUND_DONE;
		active += refund[i] == OJ_REFUND_ACTIVE;
	}
	if (n && done == n)
		st = ORDER_REFUNDED;
	else if (active && (st == ORDER_PAID || st == ORDER_SHIPPED || st == ORDER_COMPLETED))
		st = ORDER_REFUNDING;
	for (size_t i = 0; i < n; i++) {
		o->line[i].status = st;
		o->line[i].refund_fen = st == ORDER_REFUNDED || refund[i] == OJ_REFUND_DONE
						? o->line[i].paid_fen : 0;
	}
}

/* The first of keys a and b that obj gives as text ("" when neither); -1 for a non-text value. */
static int first_text(struct json_object *obj, const char *a, const char *b, const char **out)
{
	*out = "";
	if (a && oj_text(obj, a, out) < 0)
		return -1;
	if (!**out && b && oj_text(obj, b, out) < 0)
		return -1;
	return 0;
}

/* The line's sku: k->sku or k->sku_alt, else product-variant ("0" for the one not given). */
static int line_sku(const struct oj_line_keys *k, struct json_object *it, const char *field,
		    char *sku, size_t skulen, char *why, size_t whylen)
{
	const char *given, *product = "", *variant = "";

	if (first_text(it, k->sku, k->sku_alt, &given) < 0)
		return oj_fail(why, whylen, field, NULL, "the sku is not a text value");
	if (*given) {
		snprintf(sku, skulen, "%.47s", given);
		return 0;
	}
	if ((k->product && oj_id(it, k->product, 0, &product, why, whylen) < 0) ||
	    (k->variant && oj_id(it, k->variant, 0, &variant, why, whylen) < 0))
		return -1;
	if (!*product && !*variant)
		return oj_fail(why, whylen, field, NULL, "no sku, product or variant id");
	snprintf(sku, skulen, "%.23s-%.23s", *product ? product : "0", *variant ? variant : "0");
	return 0;
}

int oj_line(const struct oj_line_keys *k, struct json_object *it, size_t i, struct order_line *l,
	    char *sku, size_t skulen, int *has_paid, char *why, size_t whylen)
{
	int (*amount)(struct json_object *, const char *, int, int64_t *, char *, size_t) =
		k->fen ? oj_fen : oj_yuan;
	const char *id, *title, *paid_key = NULL;
	char field[64];

	snprintf(field, sizeof(field), "%s[%zu]", k->list, i);
	if (!json_object_is_type(it, json_type_object))
		return oj_fail(why, whylen, field, NULL, "not an object");
	if (oj_id(it, k->id, !k->id_alt, &id, why, whylen) < 0 ||
	    (!*id && oj_id(it, k->id_alt, 1, &id, why, whylen) < 0))
		return -1;
	if (line_sku(k, it, field, sku, skulen, why, whylen) < 0)
		return -1;
	if (oj_text(it, k->title, &title) < 0)
		return oj_fail(why, whylen, k->title, NULL, "not a text value");
	if (!text_utf8_valid(title, strlen(title)))
		return oj_fail(why, whylen, k->title, NULL, "not valid UTF-8");
	l->line_no = (int)i + 1;
	l->line_id = oj_span(id);
	l->sku = oj_span(sku);
	l->title = oj_span(title);
	if (oj_count(it, k->quantity, &l->quantity, why, whylen) ||
	    amount(it, k->price, 1, &l->unit_price_fen, why, whylen))
		return -1;
	if (l->unit_price_fen > INT64_MAX / l->quantity)
		return oj_fail(why, whylen, field, NULL, "quantity × price overflows");
	l->gross_fen = l->unit_price_fen * l->quantity;
	if (k->paid && json_object_object_get_ex(it, k->paid, NULL))
		paid_key = k->paid;
	else if (k->paid_alt && json_object_object_get_ex(it, k->paid_alt, NULL))
		paid_key = k->paid_alt;
	if (has_paid)
		*has_paid = paid_key != NULL;
	return paid_key ? amount(it, paid_key, 1, &l->paid_fen, why, whylen) : 0;
}

int oj_lines(const struct oj_line_keys *k, struct json_object *lines, const struct order_line *h,
	     struct order_json *o, oj_line_fn extra, void *arg, int *all_paid, char *why,
	     size_t whylen)
{
	size_t n = lines && json_object_is_type(lines, json_type_array)
			   ? json_object_array_length(lines) : 0;
	int has_paid = 1;

	o->nlines = 0;
	if (all_paid)
		*all_paid = 1;
	if (n == 0)
		return oj_fail(why, whylen, k->list, NULL, "no lines");
	if (n > ORDER_JSON_MAX_LINES)
		return oj_fail(why, whylen, k->list, NULL, "more than 1000 lines");
	if (order_json_grow(o, n) < 0) {
		snprintf(why, whylen, "out of memory");
		return -2;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(lines, i);

		o->line[i] = *h;
		if (oj_line(k, it, i, &o->line[i], o->sku[i], sizeof(o->sku[i]), &has_paid, why,
			    whylen) < 0 ||
		    (extra && extra(it, i, &o->line[i], arg, why, whylen) < 0))
			return -1;
		if (all_paid && !has_paid)
			*all_paid = 0;
	}
	o->nlines = n;
	return 0;
}

void oj_order_amounts(struct order_json *o, int64_t shipping, int64_t discount)
{
	for (size_t i = 0; i < o->nlines; i++) {
		o->line[i].shipping_fen = shipping;
		o->line[i].discount_fen = discount;
	}
}

/*
 * order_json.h — what the platforms' JSON order mappings share (transform/order_json.c):
 * one order's canonical lines, and field readers that fail naming the field and quoting
 * the value. Pure: no I/O, no clock.
 *
 * Readers return 0 or -1 (why filled: "field: reason \"value\""). Absent, null and ""
 * are "not given"; a required field not given fails. Times and ids never pass through
 * a double; money is read from the JSON text itself (a yuan JSON number such as PDD's
 * 29.9 keeps the digits it was written with).
 */
#ifndef SIYU_TRANSFORM_ORDER_JSON_H
#define SIYU_TRANSFORM_ORDER_JSON_H

#include "siyu/transform/order_line.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* The longest order a mapping accepts, in lines. */
#define ORDER_JSON_MAX_LINES 1000

/* One order's canonical lines; text borrows from the JSON and from sku[]. */
struct order_json {
	struct order_line *line;
	char (*sku)[48];           /* composed sku text per line */
	size_t nlines, cap;
	char key[200];             /* platform/shop/order_no once the number is known, else "" */
};

/* Room for n lines (nlines untouched). 0, or -1 out of memory. */
int order_json_grow(struct order_json *o, size_t n);

void order_json_release(struct order_json *o);

/*
 * Where a platform's order line keeps its fields (the keys of the line's JSON object);
 * NULL for what the platform does not have.
 */
struct oj_line_keys {
	const char *list;              /* the array's name, for messages ("item_list") */
	const char *id, *id_alt;       /* line_id: the first given (id required) */
	const char *sku, *sku_alt;     /* the sku: the first given, else */
	const char *product, *variant; /*   product-variant ("0" for the one not given) */
	const char *title;
	const char *quantity;          /* a whole number ≥ 1 */
	const char *price;             /* the unit price */
	const char *paid, *paid_alt;   /* the line's paid amount, when the platform has one */
	int fen;                       /* 1: price and paid are integer fen, else yuan */
};

/*
 * Fill line i's own fields of l from the line object it per k: line_no (i + 1),
 * line_id, sku (composed into sku[skulen] when needed), title (valid UTF-8), quantity,
 * unit price, gross = quantity × price, and paid_fen when k->paid is given. *has_paid
 * says whether a paid amount was there (may be NULL). 0, or -1 with why.
 */
int oj_line(const struct oj_line_keys *k, struct json_object *it, size_t i, struct order_line *l,
	    char *sku, size_t skulen, int *has_paid, char *why, size_t whylen);

/* Per-line work beyond oj_line (a refund field, …): 0, or -1 with why. */
typedef int (*oj_line_fn)(struct json_object *it, size_t i, struct order_line *l, void *arg,
			  char *why, size_t whylen);

/*
 * An order's lines: every element of the array lines (named k->list in messages; NULL
 * or empty fails) into o, each the header h (borrowed) completed by oj_line and then by
 * extra (may be NULL) with arg. *all_paid (may be NULL) says whether every line had a
 * paid amount. Sets o->nlines. 0, -1 rejected (why), -2 out of memory.
 */
int oj_lines(const struct oj_line_keys *k, struct json_object *lines, const struct order_line *h,
	     struct order_json *o, oj_line_fn extra, void *arg, int *all_paid, char *why,
	     size_t whylen);

/* The order's shipping and discount (fen) on each of o's lines. */
void oj_order_amounts(struct order_json *o, int64_t shipping, int64_t discount);

/* Fill why ("field: reason \"value\"", or "field: reason") and return -1. */
int oj_fail(char *why, size_t whylen, const char *field, const char *value, const char *reason);

struct span oj_span(const char *s);

/* Text at obj[key] (a string or a number's text); not given is "". -1 for an object or array. */
int oj_text(struct json_object *obj, const char *key, const char **out);

/*
 * An identifier (order number, line id): a string, or a JSON integer's exact digits;
 * a number with a fraction or exponent (it went through a double) fails.
 */
int oj_id(struct json_object *obj, const char *key, int required, const char **out,
	  char *why, size_t whylen);

/*
 * A local time "YYYY-MM-DD HH:MM:SS" (no offset: the source's zone applies). The
 * "not finished" sentinels 0001-01-01 00:00:00 and 1970-01-01 00:00:00 are not given.
 * *present says whether one was.
 */
int oj_time(struct json_object *obj, const char *key, int required, struct ltime *t,
	    int *present, char *why, size_t whylen);

/* Epoch seconds (a JSON integer or its text); 0 is not given. */
int oj_epoch(struct json_object *obj, const char *key, int required, struct ltime *t,
	     int *present, char *why, size_t whylen);

/* Yuan with at most 2 decimals (text or a JSON number as written) → fen, not negative. */
int oj_yuan(struct json_object *obj, const char *key, int required, int64_t *fen, char *why,
	    size_t whylen);

/* Integer fen (a JSON integer or its text), not negative. */
int oj_fen(struct json_object *obj, const char *key, int required, int64_t *fen, char *why,
	   size_t whylen);

/* A whole number of at least 1 and at most 100000000 (quantities). */
int oj_count(struct json_object *obj, const char *key, long *out, char *why, size_t whylen);

/*
 * Spread paid (fen) over the first n lines of o in proportion to their gross, largest
 * remainders first (ties to the earlier line), so that the lines add up to paid exactly:
 * the line paid amounts of APIs that give only the order's (JD, Pinduoduo). Lines without
 * gross share evenly when all are without. -1 when paid is negative.
 */
int oj_allocate_paid(struct order_json *o, size_t n, int64_t paid);

/* A line's after-sale, as the per-line refund fields say. */
enum oj_refund { OJ_REFUND_NONE, OJ_REFUND_ACTIVE, OJ_REFUND_DONE };

/*
 * The effect of a line's refund code under the status profile ("taobao", "douyin"; see
 * order_status_apply_refund); "" is none. 0, or -1 for an unknown code.
 */
int oj_refund_effect(const char *profile, const char *code, enum oj_refund *out);

/*
 * Let the lines' refunds (refund[0..n)) speak for the order of o's first n lines (all
 * with the order's status): every line refunded → refunded; one in refund → refunding
 * (when the order was paid, shipped or completed). Sets every line's status and
 * refund_fen (its paid amount when its refund is done or the order is refunded).
 */
void oj_line_refunds(struct order_json *o, size_t n, const enum oj_refund *refund);

#endif /* SIYU_TRANSFORM_ORDER_JSON_H */

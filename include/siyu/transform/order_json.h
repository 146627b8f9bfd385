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

#endif /* SIYU_TRANSFORM_ORDER_JSON_H */

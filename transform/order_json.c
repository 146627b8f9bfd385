/*
 * order_json.c — what the platforms' JSON order mappings share (see order_json.h).
 */
#include "siyu/transform/order_json.h"

#include "siyu/common/json_get.h"
#include "siyu/transform/money.h"

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

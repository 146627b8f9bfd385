/*
 * json_get.c — lenient getters over json-c objects (see include/siyu/common/json_get.h).
 */
#include "siyu/common/json_get.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v; /* NULL for a JSON null */
}

/* Parse an integer from text with surrounding blanks; 1 ok, 0 empty, -1 bad. */
static int parse_int_text(const char *s, int64_t *out)
{
	char *end;
	long long v;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno)
		return -1;
	/* "12.0" is an integer too */
	if (*end == '.') {
		end++;
		while (*end == '0')
			end++;
	}
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*out = v;
	return 1;
}

enum wj_result wj_int64_value(struct json_object *v, int64_t *out)
{
	double d;
	int rc;

	if (!v)
		return WJ_ABSENT;
	switch (json_object_get_type(v)) {
	case json_type_int:
		errno = 0;
		*out = json_object_get_int64(v);
		/* json-c clamps out-of-range integers */
		if (*out == INT64_MAX || *out == INT64_MIN)
			return WJ_BAD;
		return WJ_OK;
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
			return WJ_BAD;
		*out = (int64_t)d;
		return WJ_OK;
	case json_type_string:
		rc = parse_int_text(json_object_get_string(v), out);
		return rc > 0 ? WJ_OK : rc == 0 ? WJ_ABSENT : WJ_BAD;
	case json_type_null:
		return WJ_ABSENT;
	default:
		return WJ_BAD;
	}
}

enum wj_result wj_int64(struct json_object *obj, const char *key, int64_t *out)
{
	return wj_int64_value(member(obj, key), out);
}

enum wj_result wj_text_value(struct json_object *v, const char **out)
{
	if (!v)
		return WJ_ABSENT;
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
		*out = json_object_get_string(v);
		return WJ_OK;
	case json_type_null:
		return WJ_ABSENT;
	default:
		return WJ_BAD;
	}
}

enum wj_result wj_text(struct json_object *obj, const char *key, const char **out)
{
	return wj_text_value(member(obj, key), out);
}

static int is_decimal(const char *s)
{
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (isdigit((unsigned char)*s)) {
		s++;
		digits++;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			s++;
			digits++;
		}
	}
	return digits > 0 && *s == '\0';
}

enum wj_result wj_decimal(struct json_object *obj, const char *key, char *out, size_t n)
{
	struct json_object *v = member(obj, key);
	const char *s;
	size_t len;

	if (!v)
		return WJ_ABSENT;
	switch (json_object_get_type(v)) {
	case json_type_int:
	case json_type_double:
	case json_type_string:
		s = json_object_get_string(v);
		while (isspace((unsigned char)*s))
			s++;
		len = strlen(s);
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		if (len == 0)
			return WJ_ABSENT;
		if (len >= n)
			return WJ_BAD;
		memcpy(out, s, len);
		out[len] = '\0';
		return is_decimal(out) ? WJ_OK : WJ_BAD;
	case json_type_null:
		return WJ_ABSENT;
	default:
		return WJ_BAD;
	}
}

enum wj_result wj_object(struct json_object *obj, const char *key, struct json_object **out)
{
	struct json_object *v = member(obj, key);

	if (!v)
		return WJ_ABSENT;
	if (!json_object_is_type(v, json_type_object))
		return WJ_BAD;
	*out = v;
	return WJ_OK;
}

enum wj_result wj_array(struct json_object *obj, const char *key, struct json_object **out)
{
	struct json_object *v = member(obj, key);

	if (!v)
		return WJ_ABSENT;
	if (!json_object_is_type(v, json_type_array))
		return WJ_BAD;
	*out = v;
	return WJ_OK;
}

/*
 * api_sign.c — request signing and encoding of the shop platforms' open APIs
 * (see api_sign.h; the rules and their sources in docs/api-signing.md).
 */
#include "siyu/extract/api_sign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int by_key(const void *a, const void *b)
{
	const struct api_param *x = *(const struct api_param *const *)a;
	const struct api_param *y = *(const struct api_param *const *)b;

	return strcmp(x->key, y->key);
}

/* key1value1key2value2… of the signed parameters, sorted by key, into s. */
static int sign_base(const struct api_param *p, size_t n, struct buf *s)
{
	const struct api_param **sorted = calloc(n ? n : 1, sizeof(*sorted));
	size_t k = 0;
	int rc = 0;

	if (!sorted)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!p[i].key || !*p[i].key) {
			rc = -1;
			goto out;
		}
		if (strcmp(p[i].key, "sign") != 0 && p[i].value && *p[i].value)
			sorted[k++] = &p[i];
	}
	qsort(sorted, k, sizeof(*sorted), by_key);
	for (size_t i = 0; i < k && rc == 0; i++)
		rc = buf_adds(s, sorted[i]->key) || buf_adds(s, sorted[i]->value) ? -1 : 0;
out:
	free(sorted);
	return rc;
}

static void to_hex(const unsigned char *md, unsigned len, int upper, char *out)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (unsigned i = 0; i < len; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * len] = '\0';
}

int api_sign(enum api_sign_scheme scheme, const struct api_param *p, size_t n,
	     const char *secret, char *out)
{
	struct buf s = BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t slen = strlen(secret);
	int wrap = scheme == API_SIGN_MD5_WRAPPED || scheme == API_SIGN_DOUYIN_HMAC_SHA256 ||
		   scheme == API_SIGN_DOUYIN_MD5;
	int upper = scheme != API_SIGN_DOUYIN_HMAC_SHA256 && scheme != API_SIGN_DOUYIN_MD5;
	int ok;

	out[0] = '\0';
	ok = !(wrap && buf_adds(&s, secret)) && sign_base(p, n, &s) == 0 &&
	     !(wrap && buf_adds(&s, secret));
	if (ok) {
		const unsigned char *d = (const unsigned char *)buf_str(&s);

		switch (scheme) {
		case API_SIGN_MD5_WRAPPED:
		case API_SIGN_DOUYIN_MD5:
			ok = EVP_Digest(d, s.len, md, &mdlen, EVP_md5(), NULL) == 1;
			break;
		case API_SIGN_HMAC_MD5:
			ok = HMAC(EVP_md5(), secret, (int)slen, d, s.len, md, &mdlen) != NULL;
			break;
		case API_SIGN_HMAC_SHA256:
		case API_SIGN_DOUYIN_HMAC_SHA256:
			ok = HMAC(EVP_sha256(), secret, (int)slen, d, s.len, md, &mdlen) != NULL;
			break;
		default:
			ok = 0;
		}
	}
	/* the text held the secret: do not leave it in freed memory */
	if (s.data)
		memset(s.data, 0, s.len);
	buf_release(&s);
	if (!ok || mdlen * 2 >= API_SIGN_MAX)
		return -1;
	to_hex(md, mdlen, upper, out);
	return 0;
}

int api_sign_top_scheme(const char *sign_method, enum api_sign_scheme *out)
{
	if (!sign_method)
		return -1;
	if (strcmp(sign_method, "md5") == 0)
		*out = API_SIGN_MD5_WRAPPED;
	else if (strcmp(sign_method, "hmac") == 0)
		*out = API_SIGN_HMAC_MD5;
	else if (strcmp(sign_method, "hmac-sha256") == 0)
		*out = API_SIGN_HMAC_SHA256;
	else
		return -1;
	return 0;
}

static int form_escape(const char *s, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		int plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			    (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' ||
			    *c == '~';

		if (plain ? buf_addch(out, (char)*c) < 0
			  : buf_addch(out, '%') < 0 || buf_addch(out, hex[*c >> 4]) < 0 ||
				    buf_addch(out, hex[*c & 15]) < 0)
			return -1;
	}
	return 0;
}

int api_form_encode(const struct api_param *p, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++)
		if ((i && buf_addch(out, '&') < 0) || form_escape(p[i].key, out) < 0 ||
		    buf_addch(out, '=') < 0 || form_escape(p[i].value ? p[i].value : "", out) < 0)
			return -1;
	return 0;
}

void api_cn_time(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)(t + API_CN_OFFSET);
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

int api_sign_form(enum api_sign_scheme scheme, const struct api_param *p, size_t n,
		  const char *secret, struct buf *out)
{
	char sign[API_SIGN_MAX];
	struct api_param s = { "sign", sign };

	if (api_sign(scheme, p, n, secret, sign) < 0 || api_form_encode(p, n, out) < 0 ||
	    buf_addch(out, '&') < 0 || api_form_encode(&s, 1, out) < 0)
		return -1;
	return 0;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A JSON string literal of s (json-c's escaping, '/' left alone). */
static int add_string(struct buf *out, const char *s)
{
	struct json_object *str = json_object_new_string(s);
	int rc;

	if (!str)
		return -1;
	rc = buf_adds(out, json_object_to_json_string_ext(str, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(str);
	return rc;
}

static int canonical(struct json_object *o, struct buf *out);

static int canonical_object(struct json_object *o, struct buf *out)
{
	size_t n = (size_t)json_object_object_length(o), k = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	int rc = buf_addch(out, '{');

	if (!keys)
		return -1;
	json_object_object_foreach(o, key, val) {
		(void)val;
		keys[k++] = key;
	}
	qsort(keys, k, sizeof(*keys), strp_cmp);
	for (size_t i = 0; i < k && rc == 0; i++)
		rc = (i && buf_addch(out, ',') < 0) || add_string(out, keys[i]) < 0 ||
				     buf_addch(out, ':') < 0 ||
				     canonical(json_object_object_get(o, keys[i]), out) < 0
			     ? -1 : 0;
	free(keys);
	return rc == 0 && buf_addch(out, '}') == 0 ? 0 : -1;
}

/* o as canonical JSON; NULL is JSON null. */
static int canonical(struct json_object *o, struct buf *out)
{
	int rc;

	if (!o)
		return buf_adds(out, "null");
	switch (json_object_get_type(o)) {
	case json_type_object:
		return canonical_object(o, out);
	case json_type_array:
		rc = buf_addch(out, '[');
		for (size_t i = 0; i < json_object_array_length(o) && rc == 0; i++)
			rc = (i && buf_addch(out, ',') < 0) ||
					     canonical(json_object_array_get_idx(o, i), out) < 0
				     ? -1 : 0;
		return rc == 0 && buf_addch(out, ']') == 0 ? 0 : -1;
	case json_type_string:
		return add_string(out, json_object_get_string(o));
	default:
		return buf_adds(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	}
}

int api_canonical_json(struct json_object *o, struct buf *out)
{
	return o ? canonical(o, out) : buf_adds(out, "{}");
}

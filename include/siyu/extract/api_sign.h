/*
 * api_sign.h — how the shop platforms' open APIs want a request signed and encoded
 * (pure functions: no I/O, no clock). docs/api-signing.md cites the published rules
 * and example vectors these follow; tests/unit/test_api_sign.c checks them.
 *
 * Every scheme sorts the signed parameters by key (byte order), drops `sign` and the
 * parameters whose value is empty, and concatenates key1value1key2value2… (raw UTF-8,
 * not URL-encoded). Then:
 *
 *   scheme                     digest of                         hex
 *   API_SIGN_MD5_WRAPPED       MD5(secret + s + secret)          upper   TOP md5, JD, PDD
 *   API_SIGN_HMAC_MD5          HMAC-MD5(secret, s)               upper   TOP hmac
 *   API_SIGN_HMAC_SHA256       HMAC-SHA256(secret, s)            upper   TOP hmac-sha256
 *   API_SIGN_DOUYIN_HMAC_SHA256 HMAC-SHA256(secret, secret+s+secret) lower Douyin v2
 *   API_SIGN_DOUYIN_MD5        MD5(secret + s + secret)          lower   Douyin md5
 *
 * What is signed differs: TOP, JD and PDD sign every parameter they send (system and
 * business; JD's business parameters are the one JSON text 360buy_param_json); Douyin
 * signs exactly app_key, method, param_json, timestamp and v (the caller passes those
 * five). WeChat Channels signs nothing (an access_token in the query string).
 */
#ifndef SIYU_EXTRACT_API_SIGN_H
#define SIYU_EXTRACT_API_SIGN_H

#include "siyu/common/buf.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

struct api_param {
	const char *key;
	const char *value;
};

enum api_sign_scheme {
	API_SIGN_MD5_WRAPPED,
	API_SIGN_HMAC_MD5,
	API_SIGN_HMAC_SHA256,
	API_SIGN_DOUYIN_HMAC_SHA256,
	API_SIGN_DOUYIN_MD5
};

/* The longest signature in hex (SHA-256), with its NUL. */
#define API_SIGN_MAX 65

/*
 * Sign the n parameters p (borrowed; any order) with secret under scheme. Writes the
 * hex signature into out (at least API_SIGN_MAX bytes). 0, or -1 when a parameter has
 * no key or the digest fails (out is then "").
 */
int api_sign(enum api_sign_scheme scheme, const struct api_param *p, size_t n,
	     const char *secret, char *out);

/*
 * TOP's sign_method value → scheme ("md5", "hmac", "hmac-sha256"). 0, or -1 for
 * another value.
 */
int api_sign_top_scheme(const char *sign_method, enum api_sign_scheme *out);

/*
 * Append p as application/x-www-form-urlencoded text to out ("k=v&k2=v2", in the order
 * given; every byte but the RFC 3986 unreserved ones percent-encoded, so a space is
 * %20 and UTF-8 stays exact). 0, or -1 when out is full.
 */
int api_form_encode(const struct api_param *p, size_t n, struct buf *out);

/*
 * Sign the n parameters p under scheme and append them, then sign=<signature>, to out
 * as form-encoded text: the request of TOP, JD and PDD. 0, or -1 (signing failed or out
 * is full).
 */
int api_sign_form(enum api_sign_scheme scheme, const struct api_param *p, size_t n,
		  const char *secret, struct buf *out);

#define API_CN_OFFSET (8 * 3600) /* the platforms' times are China time, UTC+8 all year */

/*
 * Unix seconds t as "yyyy-MM-dd HH:mm:ss" in China time, the time format of the
 * Youzan, TOP, JD and Pinduoduo parameters, into out (at least 20 bytes).
 */
void api_cn_time(int64_t t, char *out, size_t n);

/*
 * Append o as canonical JSON to out: object keys sorted by byte order at every depth,
 * no white space, '/' and non-ASCII not escaped, numbers as they were parsed or made
 * (JD's 360buy_param_json, Douyin's param_json: the bytes sent are the bytes signed).
 * NULL is written as {}. 0, or -1 when out is full or out of memory.
 */
int api_canonical_json(struct json_object *o, struct buf *out);

#endif /* SIYU_EXTRACT_API_SIGN_H */

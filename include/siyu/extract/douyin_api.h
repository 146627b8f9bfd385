/*
 * douyin_api.h — the Douyin shop open platform (抖店) client of the douyin source
 * (docs/api-douyin.md): order.searchList pages by update time, signed (v2, hmac-sha256),
 * and the token of a self-use app from token.create (authorization_self + shop_id).
 *
 * A page is [from, to) by update_time, asked as update_time_start = from and
 * update_time_end = to − 1 (epoch seconds, inclusive), newest first (order_by update_time,
 * order_asc false), page counting from 0. The request's query holds app_key, method,
 * access_token, timestamp, v=2, sign_method and sign; its body is param_json, the
 * canonical JSON text that was signed. Answers are judged for api_fetch.c: code 10000 is
 * success; 40003 with sub_code isv.access-token-expired or isv.access-token-no-existed
 * an expired token; 60000 a rate limit (backed off); anything else an error.
 */
#ifndef SIYU_EXTRACT_DOUYIN_API_H
#define SIYU_EXTRACT_DOUYIN_API_H

#include "siyu/extract/api_fetch.h"

#include <stdint.h>

#define DOUYIN_LIST_METHOD "order.searchList"

struct http_client;

struct douyin_client {
	const char *base_url;      /* e.g. https://openapi-fxg.jinritemai.com */
	const char *app_key, *app_secret;
	const char *shop_id;       /* the shop authorised to the self-use app */
	char access_token[512];    /* from token.create, "" until the first call */
	struct http_client *http;  /* for token.create */
	int64_t (*now)(void);      /* unix seconds; NULL = time() */
};

/* Set up c (zeroed first) from borrowed settings. */
void douyin_client_init(struct douyin_client *c, const char *base_url, const char *app_key,
			const char *app_secret, const char *shop_id);

void douyin_client_clear(struct douyin_client *c);

/* The api_fetch platform of Douyin (client: struct douyin_client, page: struct api_page);
 * its build gets the first token itself. */
extern const struct api_platform douyin_platform;

/*
 * The list answer's parts: data.total and data.shop_order_list (NULL when absent). 0, or
 * -1 when root is not a list answer.
 */
int douyin_list_parse(struct json_object *root, int64_t *total, struct json_object **orders);

#endif /* SIYU_EXTRACT_DOUYIN_API_H */

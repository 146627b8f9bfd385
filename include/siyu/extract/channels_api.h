/*
 * channels_api.h — the WeChat Channels shop (视频号小店 / 微信小店) client of the channels
 * source (docs/api-channels.md): /channels/ec/order/list/get pages by update time with a
 * next_key cursor (order ids only), /channels/ec/order/get for each order, and the
 * access_token from /cgi-bin/stable_token (appid + secret; no request signing).
 *
 * A list page asks update_time_range [from, to − 1] (epoch seconds, at most 7 days apart),
 * page_size ≤ 100 and the next_key the previous page returned ("" first). Answers are
 * judged for api_fetch.c: errcode 0 is success; 40001, 40014 and 42001 an expired or
 * invalid token (renewed with force_refresh); 45009, 45011 and -1 a rate limit or a busy
 * system (backed off); anything else an error.
 */
#ifndef SIYU_EXTRACT_CHANNELS_API_H
#define SIYU_EXTRACT_CHANNELS_API_H

#include "siyu/extract/api_fetch.h"

#include <stdint.h>

#define CHANNELS_LIST_PATH "/channels/ec/order/list/get"
#define CHANNELS_GET_PATH "/channels/ec/order/get"

struct http_client;

struct channels_client {
	const char *base_url;      /* e.g. https://api.weixin.qq.com */
	const char *appid, *secret;
	char access_token[600];    /* "" until the first call */
	int renewals;              /* stable_token calls so far (the first is not forced) */
	struct http_client *http;  /* for the token call */
};

void channels_client_init(struct channels_client *c, const char *base_url, const char *appid,
			  const char *secret);

void channels_client_clear(struct channels_client *c);

/* The api_fetch platform of Channels (client: struct channels_client, page: struct
 * api_page: a list page by cursor, or the detail of page->id); its build gets the first
 * token itself. */
extern const struct api_platform channels_platform;

/*
 * A list answer's order_id_list (borrowed), next_key (borrowed, "" when absent) and
 * has_more. 0, or -1 when root is not a list answer.
 */
int channels_list_parse(struct json_object *root, struct json_object **ids,
			const char **next_key, int *has_more);

#endif /* SIYU_EXTRACT_CHANNELS_API_H */

/*
 * pdd_api.h — the Pinduoduo open platform client of the pdd source (docs/api-pdd.md):
 * pdd.order.number.list.increment.get pages, signed, and the token's renewal through
 * pdd.pop.auth.token.refresh.
 *
 * A page is [from, to) by updated_at, asked as start_updated_at = from and
 * end_updated_at = to − 1 (epoch seconds, at most 30 minutes apart), every order and
 * refund status. Answers are judged for api_fetch.c: error_code 10019 is an expired
 * token, anything else in error_response an error (throttling comes as HTTP 429, which
 * http.c retries).
 */
#ifndef SIYU_EXTRACT_PDD_API_H
#define SIYU_EXTRACT_PDD_API_H

#include "siyu/extract/api_fetch.h"

#include <stdint.h>

#define PDD_LIST_TYPE "pdd.order.number.list.increment.get"
#define PDD_LIST_RESPONSE "order_sn_increment_get_response"

struct http_client;

struct pdd_client {
	const char *router_url;    /* e.g. https://gw-api.pinduoduo.com/api/router */
	const char *client_id, *client_secret;
	const char *refresh_token; /* NULL or "": an expired token cannot be renewed */
	char access_token[512];
	struct http_client *http;  /* for the refresh call */
	int64_t (*now)(void);      /* unix seconds; NULL = time() */
};

/* Set up c (zeroed first) from borrowed settings. 0, or -1 with err (token too long). */
int pdd_client_init(struct pdd_client *c, const char *router_url, const char *client_id,
		    const char *client_secret, const char *access_token, const char *refresh_token,
		    char *err, size_t errlen);

/* Wipe the token. */
void pdd_client_clear(struct pdd_client *c);

/* The api_fetch platform of Pinduoduo (client: struct pdd_client, page: struct api_page). */
extern const struct api_platform pdd_platform;

/*
 * The list answer's parts: total_count and order_sn_list (NULL when absent). 0, or -1
 * when root is not a list answer.
 */
int pdd_list_parse(struct json_object *root, int64_t *total, struct json_object **orders);

#endif /* SIYU_EXTRACT_PDD_API_H */

/*
 * jd_api.h — the JD open platform (JOS) client of the jd source (docs/api-jd.md):
 * jingdong.pop.order.enSearch pages by modified time, signed, and the access token's
 * renewal through the OAuth refresh_token grant.
 *
 * A page is [from, to) by modified time (dateType 0), asked as start_date = from and
 * end_date = to − 1 s (China time, inclusive, at most one month apart), every order
 * state (the API returns only the states asked), newest first (sortType 1) so that the
 * pages can be read from the last one backwards. The business parameters travel as one
 * canonical JSON text, 360buy_param_json, signed as sent. Answers are judged for
 * api_fetch.c: error_response code 19 (invalid access_token) is an expired token,
 * anything else in error_response, or apiResult.success false, an error.
 */
#ifndef SIYU_EXTRACT_JD_API_H
#define SIYU_EXTRACT_JD_API_H

#include "siyu/extract/api_fetch.h"

#include <stdint.h>

#define JD_LIST_METHOD "jingdong.pop.order.enSearch"
#define JD_LIST_RESPONSE "jingdong_pop_order_enSearch_responce"

/* Every order state (the API answers only those asked). */
#define JD_ORDER_STATES                                                                     \
	"WAIT_SELLER_STOCK_OUT,WAIT_GOODS_RECEIVE_CONFIRM,WAIT_SELLER_DELIVERY,PAUSE,"          \
	"FINISHED_L,TRADE_CANCELED,LOCKED,POP_ORDER_PAUSE"

/* The orderInfo fields the mapping reads (transform/jd_json.c). */
#define JD_ORDER_FIELDS                                                                     \
	"orderId,venderId,orderType,orderTotalPrice,orderSellerPrice,orderPayment,"             \
	"freightPrice,sellerDiscount,orderState,orderStartTime,orderEndTime,"                  \
	"paymentConfirmTime,modified,open_id_buyer,xid_buyer,consigneeInfo,itemInfoList"

struct http_client;

struct jd_client {
	const char *router_url;    /* e.g. https://api.jd.com/routerjson */
	const char *token_url;     /* e.g. https://open-oauth.jd.com/oauth2/refresh_token */
	const char *app_key, *app_secret;
	const char *refresh_token; /* NULL or "": an expired token cannot be renewed */
	char access_token[512];
	struct http_client *http;  /* for the token call */
	int64_t (*now)(void);      /* unix seconds; NULL = time() */
};

/* Set up c (zeroed first) from borrowed settings. 0, or -1 with err (token too long). */
int jd_client_init(struct jd_client *c, const char *router_url, const char *token_url,
		   const char *app_key, const char *app_secret, const char *access_token,
		   const char *refresh_token, char *err, size_t errlen);

void jd_client_clear(struct jd_client *c);

/* The api_fetch platform of JD (client: struct jd_client, page: struct api_page). */
extern const struct api_platform jd_platform;

/*
 * The list answer's parts: orderTotal and orderInfoList (NULL when absent). 0, or -1
 * when root is not a successful list answer.
 */
int jd_list_parse(struct json_object *root, int64_t *total, struct json_object **orders);

#endif /* SIYU_EXTRACT_JD_API_H */

/*
 * top_api.h — the Taobao/Tmall open platform (TOP) client of the taobao source
 * (docs/api-taobao.md): taobao.trades.sold.increment.get pages, signed, and the
 * session's renewal through the OAuth refresh_token grant.
 *
 * A page is [from, to) by modified time, asked as start_modified = from and
 * end_modified = to − 1 s (TOP's bounds are inclusive, in China time, at most one day
 * apart), with every field the mapping needs (TOP answers only the fields asked) and
 * the trade types to return (TOP's default leaves out "fixed", the common 一口价 type).
 * Answers are judged for api_fetch.c: code 7 is a rate limit with its ban time, 26/27
 * an expired or unknown session, anything else in error_response an error.
 */
#ifndef SIYU_EXTRACT_TOP_API_H
#define SIYU_EXTRACT_TOP_API_H

#include "siyu/extract/api_fetch.h"
#include "siyu/extract/api_sign.h"

#include <stdint.h>

#define TOP_LIST_METHOD "taobao.trades.sold.increment.get"
#define TOP_LIST_RESPONSE "trades_sold_increment_get_response"

/* The trade and order fields the mapping reads (transform/taobao_json.c). */
#define TOP_TRADE_FIELDS                                                                    \
	"tid,status,type,created,modified,pay_time,consign_time,end_time,total_fee,post_fee,"   \
	"payment,discount_fee,buyer_open_uid,buyer_nick,receiver_name,receiver_mobile,orders"

/* The trade types asked for (TOP's default is only guarantee_trade,auto_delivery,ec,cod,step). */
#define TOP_TRADE_TYPES                                                                     \
	"fixed,auction,guarantee_trade,step,independent_simple_trade,independent_shop_trade,"   \
	"auto_delivery,ec,cod,game_equipment,shopex_trade,netcn_trade,external_trade,"          \
	"instant_trade,b2c_cod,hotel_trade,super_market_trade,super_market_cod_trade,taohua,"   \
	"waimai,nopaid,eticket,tmall_i18n,insurance_plus,finance,pre_auth_type"

struct http_client;

struct top_client {
	const char *router_url;    /* e.g. https://eco.taobao.com/router/rest */
	const char *token_url;     /* e.g. https://oauth.taobao.com/token */
	const char *app_key, *app_secret;
	const char *refresh_token; /* NULL or "": an expired session cannot be renewed */
	const char *sign_method;   /* md5, hmac, hmac-sha256 */
	enum api_sign_scheme scheme;
	char session[512];         /* the seller's access token */
	struct http_client *http;  /* for the token call */
	int64_t (*now)(void);      /* unix seconds; NULL = time() */
};

/*
 * Set up c (zeroed first) from borrowed settings. sign_method NULL is md5. 0, or -1
 * with err for an unknown sign_method or a session too long.
 */
int top_client_init(struct top_client *c, const char *router_url, const char *token_url,
		    const char *app_key, const char *app_secret, const char *session,
		    const char *refresh_token, const char *sign_method, char *err, size_t errlen);

/* Wipe the session. */
void top_client_clear(struct top_client *c);

/* The api_fetch platform of TOP (client: struct top_client, page: struct api_page). */
extern const struct api_platform top_platform;

/*
 * The list answer's parts: total_results (0 when absent) and the trades array (NULL
 * when the answer has none). 0, or -1 when root is not a list answer.
 */
int top_list_parse(struct json_object *root, int64_t *total, struct json_object **trades);

#endif /* SIYU_EXTRACT_TOP_API_H */

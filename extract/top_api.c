/*
 * top_api.c — the TOP client of the taobao source (see top_api.h, docs/api-taobao.md).
 */
#include "siyu/extract/top_api.h"

#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/extract/http.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FORM "application/x-www-form-urlencoded;charset=utf-8"

int top_client_init(struct top_client *c, const char *router_url, const char *token_url,
		    const char *app_key, const char *app_secret, const char *session,
		    const char *refresh_token, const char *sign_method, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->router_url = router_url;
	c->token_url = token_url;
	c->app_key = app_key;
	c->app_secret = app_secret;
	c->refresh_token = refresh_token;
	c->sign_method = sign_method && *sign_method ? sign_method : "md5";
	if (api_sign_top_scheme(c->sign_method, &c->scheme) < 0) {
		snprintf(err, errlen, "sign_method '%s': not md5, hmac or hmac-sha256", c->sign_method);
		return -1;
	}
	return api_copy_token("session", session, c->session, sizeof(c->session), err, errlen);
}

void top_client_clear(struct top_client *c)
{
	memset(c->session, 0, sizeof(c->session));
}

static int build(void *client, const void *page, struct api_call *call, char *err,
		 size_t errlen)
{
	struct top_client *c = client;
	const struct api_page *pg = page;
	char now[32], from[32], to[32], page_no[24], page_size[24];
	struct api_param p[] = {
		{ "method", TOP_LIST_METHOD },
		{ "app_key", c->app_key },
		{ "session", c->session },
		{ "timestamp", now },
		{ "format", "json" },
		{ "v", "2.0" },
		{ "sign_method", c->sign_method },
		{ "fields", TOP_TRADE_FIELDS },
		{ "type", TOP_TRADE_TYPES },
		{ "start_modified", from },
		{ "end_modified", to },
		{ "page_no", page_no },
		{ "page_size", page_size },
	};
	size_t n = sizeof(p) / sizeof(p[0]);

	api_cn_time(c->now ? c->now() : (int64_t)time(NULL), now, sizeof(now));
	api_cn_time(pg->from, from, sizeof(from));
	api_cn_time(pg->to - 1, to, sizeof(to)); /* end_modified is inclusive */
	snprintf(page_no, sizeof(page_no), "%ld", pg->page);
	snprintf(page_size, sizeof(page_size), "%ld", pg->page_size);
	call->http_method = "POST";
	call->content_type = FORM;
	if (buf_adds(&call->url, c->router_url) < 0 ||
	    api_sign_form(c->scheme, p, n, c->app_secret, &call->body) < 0) {
		snprintf(err, errlen, "cannot sign the request or out of memory");
		return -1;
	}
	return 0;
}

static void judge(void *client, struct json_object *root, struct api_judgement *j)
{
	struct json_object *e;
	const char *msg = "", *sub_code = "", *sub_msg = "";
	int64_t code = 0;
	long ban;

	(void)client;
	if (wj_object(root, "error_response", &e) != WJ_OK) {
		if (json_object_object_get_ex(root, TOP_LIST_RESPONSE, NULL)) {
			j->verdict = API_OK;
			return;
		}
		j->verdict = API_ERROR;
		snprintf(j->what, sizeof(j->what), "no %s in the answer", TOP_LIST_RESPONSE);
		return;
	}
	wj_int64(e, "code", &code);
	wj_text(e, "msg", &msg);
	wj_text(e, "sub_code", &sub_code);
	wj_text(e, "sub_msg", &sub_msg);
	snprintf(j->what, sizeof(j->what), "TOP error %" PRId64 " (%.80s%s%.80s%s%.80s)", code,
		 msg ? msg : "", sub_code && *sub_code ? "; " : "", sub_code ? sub_code : "",
		 sub_msg && *sub_msg ? ": " : "", sub_msg ? sub_msg : "");
	switch (code) {
	case 7: /* App Call Limited: "This ban will last for N more seconds" */
		j->verdict = API_RATE_LIMITED;
		ban = api_ban_seconds(sub_msg);
		if (ban < 0)
			ban = api_ban_seconds(msg);
		j->wait_ms = ban >= 0 ? (ban + 1) * 1000 : 0;
		return;
	case 26: /* Missing Session */
	case 27: /* Invalid Session: expired or revoked */
		j->verdict = API_TOKEN_EXPIRED;
		return;
	case 25:
	case 29:
		j->verdict = API_ERROR;
		snprintf(j->what + strlen(j->what), sizeof(j->what) - strlen(j->what),
			 ": check app_key and app_secret");
		return;
	default:
		j->verdict = API_ERROR;
	}
}

/* The OAuth refresh_token grant: a new session. */
static int renew_token(void *client, char *err, size_t errlen)
{
	struct top_client *c = client;
	const struct api_param p[] = {
		{ "grant_type", "refresh_token" },
		{ "client_id", c->app_key },
		{ "client_secret", c->app_secret },
		{ "refresh_token", c->refresh_token },
	};

	return api_oauth_refresh(c->http, "POST", c->token_url, p, sizeof(p) / sizeof(p[0]),
				 c->refresh_token, "session", c->session, sizeof(c->session), err,
				 errlen);
}

const struct api_platform top_platform = { "taobao", build, judge, renew_token };

int top_list_parse(struct json_object *root, int64_t *total, struct json_object **trades)
{
	struct json_object *resp, *wrap = NULL;

	*total = 0;
	*trades = NULL;
	if (wj_object(root, TOP_LIST_RESPONSE, &resp) != WJ_OK)
		return -1;
	if (wj_int64(resp, "total_results", total) == WJ_BAD || *total < 0)
		return -1;
	switch (wj_object(resp, "trades", &wrap)) {
	case WJ_ABSENT:
		return 0; /* an empty page has no "trades" */
	case WJ_OK:
		return wj_array(wrap, "trade", trades) == WJ_BAD ? -1 : 0;
	default:
		return -1;
	}
}

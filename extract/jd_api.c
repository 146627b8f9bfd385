/*
 * jd_api.c — the JOS client of the jd source (see jd_api.h, docs/api-jd.md).
 */
#include "siyu/extract/jd_api.h"

#include "siyu/extract/api_sign.h"
#include "siyu/common/json_get.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FORM "application/x-www-form-urlencoded;charset=utf-8"

int jd_client_init(struct jd_client *c, const char *router_url, const char *token_url,
		   const char *app_key, const char *app_secret, const char *access_token,
		   const char *refresh_token, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->router_url = router_url;
	c->token_url = token_url;
	c->app_key = app_key;
	c->app_secret = app_secret;
	c->refresh_token = refresh_token;
	return api_copy_token("access_token", access_token, c->access_token,
			      sizeof(c->access_token), err, errlen);
}

void jd_client_clear(struct jd_client *c)
{
	memset(c->access_token, 0, sizeof(c->access_token));
}

/* The business parameters as the canonical JSON text that is both sent and signed. */
static int param_json(const struct api_page *pg, struct buf *out)
{
	struct json_object *o = json_object_new_object();
	char from[32], to[32], page[24], size[24];
	int rc;

	api_cn_time(pg->from, from, sizeof(from));
	api_cn_time(pg->to - 1, to, sizeof(to)); /* end_date is inclusive */
	snprintf(page, sizeof(page), "%ld", pg->page);
	snprintf(size, sizeof(size), "%ld", pg->page_size);
	json_object_object_add(o, "start_date", json_object_new_string(from));
	json_object_object_add(o, "end_date", json_object_new_string(to));
	json_object_object_add(o, "order_state", json_object_new_string(JD_ORDER_STATES));
	json_object_object_add(o, "optional_fields", json_object_new_string(JD_ORDER_FIELDS));
	json_object_object_add(o, "page", json_object_new_string(page));
	json_object_object_add(o, "page_size", json_object_new_string(size));
	json_object_object_add(o, "sortType", json_object_new_string("1"));
	json_object_object_add(o, "dateType", json_object_new_string("0"));
	rc = api_canonical_json(o, out);
	json_object_put(o);
	return rc;
}

static int build(void *client, const void *page, struct api_call *call, char *err,
		 size_t errlen)
{
	struct jd_client *c = client;
	struct buf pj = BUF_INIT;
	char now[32];
	int rc = -1;

	api_cn_time(c->now ? c->now() : (int64_t)time(NULL), now, sizeof(now));
	if (param_json(page, &pj) == 0) {
		const struct api_param p[] = {
			{ "method", JD_LIST_METHOD },
			{ "app_key", c->app_key },
			{ "access_token", c->access_token },
			{ "timestamp", now },
			{ "format", "json" },
			{ "v", "2.0" },
			{ "sign_method", "md5" },
			{ "360buy_param_json", buf_str(&pj) },
		};

		call->http_method = "POST";
		call->content_type = FORM;
		rc = buf_adds(&call->url, c->router_url) < 0 ||
				     api_sign_form(API_SIGN_MD5_WRAPPED, p, sizeof(p) / sizeof(p[0]),
						   c->app_secret, &call->body) < 0
			     ? -1 : 0;
	}
	if (rc < 0)
		snprintf(err, errlen, "cannot sign the request or out of memory");
	buf_release(&pj);
	return rc;
}

static void judge(void *client, struct json_object *root, struct api_judgement *j)
{
	struct json_object *e, *resp, *result, *api;
	const char *code = "", *zh = "", *en = "";

	(void)client;
	j->verdict = API_ERROR;
	if (wj_object(root, "error_response", &e) == WJ_OK) {
		wj_text(e, "code", &code);
		wj_text(e, "zh_desc", &zh);
		wj_text(e, "en_desc", &en);
		snprintf(j->what, sizeof(j->what), "JD error %.20s (%.80s; %.80s)", code ? code : "",
			 zh ? zh : "", en ? en : "");
		if (code && (!strcmp(code, "19") || !strcmp(code, "18"))) /* invalid/expired token */
			j->verdict = API_TOKEN_EXPIRED;
		else if (code && (!strcmp(code, "12") || !strcmp(code, "14")))
			snprintf(j->what + strlen(j->what), sizeof(j->what) - strlen(j->what),
				 ": check app_key and app_secret");
		return;
	}
	if (wj_object(root, JD_LIST_RESPONSE, &resp) != WJ_OK ||
	    wj_object(resp, "searchorderinfo_result", &result) != WJ_OK) {
		snprintf(j->what, sizeof(j->what), "no %s.searchorderinfo_result in the answer",
			 JD_LIST_RESPONSE);
		return;
	}
	if (wj_object(result, "apiResult", &api) == WJ_OK &&
	    !json_object_get_boolean(json_object_object_get(api, "success"))) {
		wj_text(api, "resultCode", &code);
		wj_text(api, "chineseErrCode", &zh);
		wj_text(api, "englishErrCode", &en);
		snprintf(j->what, sizeof(j->what), "JD apiResult %.20s (%.80s; %.80s)",
			 code ? code : "", zh ? zh : "", en ? en : "");
		return;
	}
	j->verdict = API_OK;
}

/* The OAuth refresh_token grant (open-oauth.jd.com/oauth2/refresh_token, GET). */
static int renew_token(void *client, char *err, size_t errlen)
{
	struct jd_client *c = client;
	const struct api_param p[] = {
		{ "app_key", c->app_key },
		{ "app_secret", c->app_secret },
		{ "grant_type", "refresh_token" },
		{ "refresh_token", c->refresh_token },
	};

	return api_oauth_refresh(c->http, "GET", c->token_url, p, sizeof(p) / sizeof(p[0]),
				 c->refresh_token, "access_token", c->access_token,
				 sizeof(c->access_token), err, errlen);
}

const struct api_platform jd_platform = { "jd", build, judge, renew_token };

int jd_list_parse(struct json_object *root, int64_t *total, struct json_object **orders)
{
	struct json_object *resp, *result;

	*total = 0;
	*orders = NULL;
	if (wj_object(root, JD_LIST_RESPONSE, &resp) != WJ_OK ||
	    wj_object(resp, "searchorderinfo_result", &result) != WJ_OK)
		return -1;
	if (wj_int64(result, "orderTotal", total) == WJ_BAD || *total < 0)
		return -1;
	return wj_array(result, "orderInfoList", orders) == WJ_BAD ? -1 : 0;
}

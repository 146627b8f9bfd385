/*
 * douyin_api.c — the 抖店 client of the douyin source (see douyin_api.h,
 * docs/api-douyin.md).
 */
#include "siyu/extract/douyin_api.h"

#include "siyu/extract/api_sign.h"
#include "siyu/extract/http.h"
#include "siyu/common/log.h"
#include "siyu/common/json_get.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TOKEN_METHOD "token.create"

void douyin_client_init(struct douyin_client *c, const char *base_url, const char *app_key,
			const char *app_secret, const char *shop_id)
{
	memset(c, 0, sizeof(*c));
	c->base_url = base_url;
	c->app_key = app_key;
	c->app_secret = app_secret;
	c->shop_id = shop_id;
}

void douyin_client_clear(struct douyin_client *c)
{
	memset(c->access_token, 0, sizeof(c->access_token));
}

/*
 * The URL of method with its signed query (the token when with_token) into url, for
 * the body param_json: path = method with '.' → '/'. 0 / -1.
 */
static int signed_url(struct douyin_client *c, const char *method, const char *param_json,
		      int with_token, struct buf *url)
{
	char now[24], sign[API_SIGN_MAX];
	const struct api_param signed_set[] = {
		{ "app_key", c->app_key },
		{ "method", method },
		{ "param_json", param_json },
		{ "timestamp", now },
		{ "v", "2" },
	};
	struct api_param q[] = {
		{ "app_key", c->app_key },
		{ "method", method },
		{ "access_token", c->access_token },
		{ "timestamp", now },
		{ "v", "2" },
		{ "sign_method", "hmac-sha256" },
		{ "sign", sign },
	};
	size_t nq = sizeof(q) / sizeof(q[0]);

	snprintf(now, sizeof(now), "%" PRId64, c->now ? c->now() : (int64_t)time(NULL));
	if (api_sign(API_SIGN_DOUYIN_HMAC_SHA256, signed_set, 5, c->app_secret, sign) < 0)
		return -1;
	if (!with_token) {
		memmove(&q[2], &q[3], (nq - 3) * sizeof(q[0]));
		nq--;
	}
	if (buf_addf(url, "%s/", c->base_url) < 0)
		return -1;
	for (const char *m = method; *m; m++)
		if (buf_addch(url, *m == '.' ? '/' : *m) < 0)
			return -1;
	return buf_addch(url, '?') < 0 || api_form_encode(q, nq, url) < 0 ? -1 : 0;
}

/* code, sub_code and msg of an answer into what; the code. */
static int64_t answer_code(struct json_object *root, const char **sub_code, char *what, size_t n)
{
	const char *msg = "", *sub_msg = "";
	int64_t code = -1;

	*sub_code = "";
	wj_int64(root, "code", &code);
	wj_text(root, "msg", &msg);
	wj_text(root, "sub_code", sub_code);
	wj_text(root, "sub_msg", &sub_msg);
	if (!*sub_code)
		*sub_code = "";
	snprintf(what, n, "Douyin error %" PRId64 " (%.80s%s%.80s%s%.80s)", code, msg ? msg : "",
		 **sub_code ? "; " : "", *sub_code, sub_msg && *sub_msg ? ": " : "",
		 sub_msg ? sub_msg : "");
	return code;
}

/* token.create with grant_type authorization_self: the token of the shop. */
static int renew_token(void *client, char *err, size_t errlen)
{
	struct douyin_client *c = client;
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct buf url = BUF_INIT, pj = BUF_INIT;
	struct json_object *p = json_object_new_object(), *root = NULL, *data;
	const char *tok = NULL, *sub;
	char why[1024];
	int rc = -1;

	if (!c->shop_id || !*c->shop_id) {
		json_object_put(p);
		snprintf(err, errlen, "the access_token is expired or missing and no shop_id is set "
				      "for token.create: set shop_id (a self-use app) or a new "
				      "access_token");
		return -1;
	}
	json_object_object_add(p, "code", json_object_new_string(""));
	json_object_object_add(p, "grant_type", json_object_new_string("authorization_self"));
	json_object_object_add(p, "shop_id", json_object_new_string(c->shop_id ? c->shop_id : ""));
	if (api_canonical_json(p, &pj) < 0 || signed_url(c, TOKEN_METHOD, buf_str(&pj), 0, &url) < 0) {
		snprintf(err, errlen, "cannot sign the token request");
		goto out;
	}
	if (http_send(c->http, "POST", buf_str(&url), "application/json", buf_str(&pj), &resp, why,
		      sizeof(why)) < 0) {
		snprintf(err, errlen, "token.create: %s", why);
		goto out;
	}
	root = json_tokener_parse(buf_str(&resp.body));
	if (root && answer_code(root, &sub, why, sizeof(why)) == 10000 &&
	    wj_object(root, "data", &data) == WJ_OK && wj_text(data, "access_token", &tok) == WJ_OK &&
	    tok && *tok &&
	    snprintf(c->access_token, sizeof(c->access_token), "%s", tok) < (int)sizeof(c->access_token)) {
		log_info("msg=\"douyin token created\" shop_id=%s", c->shop_id);
		rc = 0;
	} else {
		snprintf(err, errlen, "token.create: no token for shop_id %s: %s: check app_key, "
				      "app_secret and shop_id (the shop must have authorised the app)",
			 c->shop_id, root ? why : "the answer is not JSON");
	}
out:
	/* the answer held a token */
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	json_object_put(p);
	json_object_put(root);
	http_response_release(&resp);
	buf_release(&url);
	buf_release(&pj);
	return rc;
}

static int build(void *client, const void *page, struct api_call *call, char *err,
		 size_t errlen)
{
	struct douyin_client *c = client;
	const struct api_page *pg = page;
	struct json_object *p;
	int rc;

	if (!c->access_token[0] && renew_token(c, err, errlen) < 0)
		return -1;
	p = json_object_new_object();
	json_object_object_add(p, "update_time_start", json_object_new_int64(pg->from));
	json_object_object_add(p, "update_time_end", json_object_new_int64(pg->to - 1));
	json_object_object_add(p, "order_by", json_object_new_string("update_time"));
	json_object_object_add(p, "order_asc", json_object_new_boolean(0));
	json_object_object_add(p, "page", json_object_new_int64(pg->page));
	json_object_object_add(p, "size", json_object_new_int64(pg->page_size));
	call->http_method = "POST";
	call->content_type = "application/json";
	rc = api_canonical_json(p, &call->body) < 0 ||
			     signed_url(c, DOUYIN_LIST_METHOD, buf_str(&call->body), 1, &call->url) < 0
		     ? -1 : 0;
	json_object_put(p);
	if (rc < 0)
		snprintf(err, errlen, "cannot sign the request or out of memory");
	return rc;
}

static void judge(void *client, struct json_object *root, struct api_judgement *j)
{
	const char *sub;
	int64_t code = answer_code(root, &sub, j->what, sizeof(j->what));

	(void)client;
	if (code == 10000) {
		j->verdict = json_object_object_get_ex(root, "data", NULL) ? API_OK : API_ERROR;
		if (j->verdict == API_ERROR)
			snprintf(j->what, sizeof(j->what), "code 10000 but no data in the answer");
	} else if (code == 40003 && (!strcmp(sub, "isv.access-token-expired") ||
				     !strcmp(sub, "isv.access-token-no-existed"))) {
		j->verdict = API_TOKEN_EXPIRED;
	} else if (code == 60000) { /* 触发限流，请稍后重试 */
		j->verdict = API_RATE_LIMITED;
	} else {
		j->verdict = API_ERROR;
		if (!strcmp(sub, "isv.signature-invalid") || !strcmp(sub, "isv.app-id-invalid"))
			snprintf(j->what + strlen(j->what), sizeof(j->what) - strlen(j->what),
				 ": check app_key and app_secret");
	}
}

const struct api_platform douyin_platform = { "douyin", build, judge, renew_token };

int douyin_list_parse(struct json_object *root, int64_t *total, struct json_object **orders)
{
	struct json_object *data;

	*total = 0;
	*orders = NULL;
	if (wj_object(root, "data", &data) != WJ_OK)
		return -1;
	if (wj_int64(data, "total", total) == WJ_BAD || *total < 0)
		return -1;
	return wj_array(data, "shop_order_list", orders) == WJ_BAD ? -1 : 0;
}

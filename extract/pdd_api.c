/*
 * pdd_api.c — the Pinduoduo client of the pdd source (see pdd_api.h, docs/api-pdd.md).
 */
#include "siyu/extract/pdd_api.h"

#include "siyu/extract/api_sign.h"
#include "siyu/extract/http.h"
#include "siyu/common/log.h"
#include "siyu/common/json_get.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FORM "application/x-www-form-urlencoded;charset=utf-8"
#define REFRESH_TYPE "pdd.pop.auth.token.refresh"
#define REFRESH_RESPONSE "pop_auth_token_refresh_response"

int pdd_client_init(struct pdd_client *c, const char *router_url, const char *client_id,
		    const char *client_secret, const char *access_token, const char *refresh_token,
		    char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->router_url = router_url;
	c->client_id = client_id;
	c->client_secret = client_secret;
	c->refresh_token = refresh_token;
	return api_copy_token("access_token", access_token, c->access_token,
			      sizeof(c->access_token), err, errlen);
}

void pdd_client_clear(struct pdd_client *c)
{
	memset(c->access_token, 0, sizeof(c->access_token));
}

static int64_t now_of(const struct pdd_client *c)
{
	return c->now ? c->now() : (int64_t)time(NULL);
}

static int build(void *client, const void *page, struct api_call *call, char *err,
		 size_t errlen)
{
	struct pdd_client *c = client;
	const struct api_page *pg = page;
	char now[24], from[24], to[24], page_no[24], page_size[24];
	const struct api_param p[] = {
		{ "type", PDD_LIST_TYPE },
		{ "client_id", c->client_id },
		{ "access_token", c->access_token },
		{ "timestamp", now },
		{ "data_type", "JSON" },
		{ "version", "V1" },
		{ "is_lucky_flag", "0" },
		{ "order_status", "5" },
		{ "refund_status", "5" },
		{ "start_updated_at", from },
		{ "end_updated_at", to },
		{ "page", page_no },
		{ "page_size", page_size },
	};

	snprintf(now, sizeof(now), "%" PRId64, now_of(c));
	snprintf(from, sizeof(from), "%" PRId64, pg->from);
	snprintf(to, sizeof(to), "%" PRId64, pg->to - 1); /* end_updated_at is inclusive */
	snprintf(page_no, sizeof(page_no), "%ld", pg->page);
	snprintf(page_size, sizeof(page_size), "%ld", pg->page_size);
	call->http_method = "POST";
	call->content_type = FORM;
	if (buf_adds(&call->url, c->router_url) < 0 ||
	    api_sign_form(API_SIGN_MD5_WRAPPED, p, sizeof(p) / sizeof(p[0]), c->client_secret,
			  &call->body) < 0) {
		snprintf(err, errlen, "cannot sign the request or out of memory");
		return -1;
	}
	return 0;
}

/* error_response's code and text; 0 when root has none. */
static int error_of(struct json_object *root, int64_t *code, char *what, size_t n)
{
	struct json_object *e;
	const char *msg = "", *sub_code = "", *sub_msg = "";

	if (wj_object(root, "error_response", &e) != WJ_OK)
		return 0;
	*code = 0;
	wj_int64(e, "error_code", code);
	wj_text(e, "error_msg", &msg);
	wj_text(e, "sub_code", &sub_code);
	wj_text(e, "sub_msg", &sub_msg);
	snprintf(what, n, "PDD error %" PRId64 " (%.80s%s%.80s%s%.80s)", *code, msg ? msg : "",
		 sub_code && *sub_code ? "; " : "", sub_code ? sub_code : "",
		 sub_msg && *sub_msg ? ": " : "", sub_msg ? sub_msg : "");
	return 1;
}

static void judge(void *client, struct json_object *root, struct api_judgement *j)
{
	int64_t code = 0;

	(void)client;
	if (!error_of(root, &code, j->what, sizeof(j->what))) {
		j->verdict = json_object_object_get_ex(root, PDD_LIST_RESPONSE, NULL) ? API_OK
											: API_ERROR;
		if (j->verdict == API_ERROR)
			snprintf(j->what, sizeof(j->what), "no %s in the answer", PDD_LIST_RESPONSE);
		return;
	}
	j->verdict = code == 10019 ? API_TOKEN_EXPIRED : API_ERROR; /* 10019: access_token已过期 */
	if (code == 20004) /* 签名验证失败 */
		snprintf(j->what + strlen(j->what), sizeof(j->what) - strlen(j->what),
			 ": check client_id and client_secret");
}

/* pdd.pop.auth.token.refresh: a new access token. */
static int renew_token(void *client, char *err, size_t errlen)
{
	struct pdd_client *c = client;
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct buf body = BUF_INIT;
	struct json_object *root = NULL, *r;
	const char *tok = NULL;
	char now[24], why[1024];
	const struct api_param p[] = {
		{ "type", REFRESH_TYPE },
		{ "client_id", c->client_id },
		{ "timestamp", now },
		{ "data_type", "JSON" },
		{ "refresh_token", c->refresh_token },
	};
	int64_t code;
	int rc = -1;

	if (!c->refresh_token || !*c->refresh_token) {
		snprintf(err, errlen, "the access_token is expired and no refresh_token is set: "
				      "authorize the app again and set access_token (and refresh_token)");
		return -1;
	}
	snprintf(now, sizeof(now), "%" PRId64, now_of(c));
	if (api_sign_form(API_SIGN_MD5_WRAPPED, p, sizeof(p) / sizeof(p[0]), c->client_secret,
			  &body) < 0) {
		snprintf(err, errlen, "cannot sign the refresh request");
		goto out;
	}
	if (http_send(c->http, "POST", c->router_url, FORM, buf_str(&body), &resp, why,
		      sizeof(why)) < 0) {
		snprintf(err, errlen, "the access_token could not be renewed: %s", why);
		goto out;
	}
	root = json_tokener_parse(buf_str(&resp.body));
	if (root && wj_object(root, REFRESH_RESPONSE, &r) == WJ_OK &&
	    wj_text(r, "access_token", &tok) == WJ_OK && tok && *tok &&
	    snprintf(c->access_token, sizeof(c->access_token), "%s", tok) <
		    (int)sizeof(c->access_token)) {
		log_info("msg=\"pdd access_token renewed with the refresh_token\"");
		rc = 0;
	} else if (root && error_of(root, &code, why, sizeof(why))) {
		snprintf(err, errlen, "the access_token could not be renewed: %s: check client_id, "
				      "client_secret and refresh_token, or authorize the app again", why);
	} else {
		snprintf(err, errlen, "the access_token could not be renewed: no %s.access_token in "
				      "the answer", REFRESH_RESPONSE);
	}
out:
	/* the answer held a token, the body the refresh token */
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	if (body.data)
		memset(body.data, 0, body.len);
	json_object_put(root);
	http_response_release(&resp);
	buf_release(&body);
	return rc;
}

const struct api_platform pdd_platform = { "pdd", build, judge, renew_token };

int pdd_list_parse(struct json_object *root, int64_t *total, struct json_object **orders)
{
	struct json_object *resp;

	*total = 0;
	*orders = NULL;
	if (wj_object(root, PDD_LIST_RESPONSE, &resp) != WJ_OK)
		return -1;
	if (wj_int64(resp, "total_count", total) == WJ_BAD || *total < 0)
		return -1;
	return wj_array(resp, "order_sn_list", orders) == WJ_BAD ? -1 : 0;
}

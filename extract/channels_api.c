/*
 * channels_api.c — the WeChat Channels shop client of the channels source (see
 * channels_api.h, docs/api-channels.md).
 */
#include "siyu/extract/channels_api.h"

#include "siyu/extract/api_sign.h"
#include "siyu/extract/http.h"
#include "siyu/common/log.h"
#include "siyu/common/json_get.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void channels_client_init(struct channels_client *c, const char *base_url, const char *appid,
			  const char *secret)
{
	memset(c, 0, sizeof(*c));
	c->base_url = base_url;
	c->appid = appid;
	c->secret = secret;
}

void channels_client_clear(struct channels_client *c)
{
	memset(c->access_token, 0, sizeof(c->access_token));
}

/* POST /cgi-bin/stable_token: the shop's token (forced after the first, which expired). */
static int renew_token(void *client, char *err, size_t errlen)
{
	struct channels_client *c = client;
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct json_object *req = json_object_new_object(), *root = NULL;
	struct buf url = BUF_INIT, body = BUF_INIT;
	const char *tok = NULL, *msg = "";
	int64_t code = 0;
	char why[1024];
	int rc = -1;

	json_object_object_add(req, "grant_type", json_object_new_string("client_credential"));
	json_object_object_add(req, "appid", json_object_new_string(c->appid ? c->appid : ""));
	json_object_object_add(req, "secret", json_object_new_string(c->secret ? c->secret : ""));
	json_object_object_add(req, "force_refresh", json_object_new_boolean(c->renewals > 0));
	if (buf_addf(&url, "%s/cgi-bin/stable_token", c->base_url) < 0 ||
	    api_canonical_json(req, &body) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	c->renewals++;
	if (http_send(c->http, "POST", buf_str(&url), "application/json", buf_str(&body), &resp,
		      why, sizeof(why)) < 0) {
		snprintf(err, errlen, "stable_token: %s", why);
		goto out;
	}
	root = json_tokener_parse(buf_str(&resp.body));
	if (root && wj_text(root, "access_token", &tok) == WJ_OK && tok && *tok &&
	    snprintf(c->access_token, sizeof(c->access_token), "%s", tok) <
		    (int)sizeof(c->access_token)) {
		log_info("msg=\"channels access_token fetched\" forced=%d", c->renewals > 1);
		rc = 0;
		goto out;
	}
	if (root) {
		wj_int64(root, "errcode", &code);
		wj_text(root, "errmsg", &msg);
	}
	snprintf(err, errlen, "stable_token: errcode %" PRId64 " (%.160s): check appid and secret",
		 code, msg ? msg : "");
out:
	/* the request held the secret, the answer a token */
	if (body.data)
		memset(body.data, 0, body.len);
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	json_object_put(req);
	json_object_put(root);
	http_response_release(&resp);
	buf_release(&url);
	buf_release(&body);
	return rc;
}

static int build(void *client, const void *page, struct api_call *call, char *err,
		 size_t errlen)
{
	struct channels_client *c = client;
	const struct api_page *pg = page;
	struct json_object *b = json_object_new_object();
	const struct api_param tok = { "access_token", c->access_token };
	int rc;

	if (!c->access_token[0] && renew_token(c, err, errlen) < 0) {
		json_object_put(b);
		return -1;
	}
	if (pg->id) {
		json_object_object_add(b, "order_id", json_object_new_string(pg->id));
	} else {
		struct json_object *range = json_object_new_object();

		json_object_object_add(range, "start_time", json_object_new_int64(pg->from));
		json_object_object_add(range, "end_time", json_object_new_int64(pg->to - 1));
		json_object_object_add(b, "update_time_range", range);
		json_object_object_add(b, "page_size", json_object_new_int64(pg->page_size));
		json_object_object_add(b, "next_key",
				       json_object_new_string(pg->cursor ? pg->cursor : ""));
	}
	call->http_method = "POST";
	call->content_type = "application/json";
	rc = buf_addf(&call->url, "%s%s?", c->base_url,
		      pg->id ? CHANNELS_GET_PATH : CHANNELS_LIST_PATH) < 0 ||
			     api_form_encode(&tok, 1, &call->url) < 0 ||
			     api_canonical_json(b, &call->body) < 0
		     ? -1 : 0;
	json_object_put(b);
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	return rc;
}

static void judge(void *client, struct json_object *root, struct api_judgement *j)
{
	const char *msg = "";
	int64_t code = -1;

	(void)client;
	if (wj_int64(root, "errcode", &code) == WJ_ABSENT)
		code = 0; /* a success may leave errcode out */
	wj_text(root, "errmsg", &msg);
	snprintf(j->what, sizeof(j->what), "Channels errcode %" PRId64 " (%.160s)", code,
		 msg ? msg : "");
	switch (code) {
	case 0:
		j->verdict = API_OK;
		break;
	case 40001: /* invalid credential */
	case 40014: /* invalid access_token */
	case 42001: /* access_token expired */
		j->verdict = API_TOKEN_EXPIRED;
		break;
	case -1:    /* system busy */
	case 45009: /* daily quota */
	case 45011: /* minute quota */
		j->verdict = API_RATE_LIMITED;
		break;
	default:
		j->verdict = API_ERROR;
	}
}

const struct api_platform channels_platform = { "channels", build, judge, renew_token };

int channels_list_parse(struct json_object *root, struct json_object **ids,
			const char **next_key, int *has_more)
{
	struct json_object *more = NULL;

	*next_key = "";
	*has_more = 0;
	if (wj_array(root, "order_id_list", ids) == WJ_BAD)
		return -1;
	if (wj_text(root, "next_key", next_key) == WJ_BAD)
		return -1;
	if (!*next_key)
		*next_key = "";
	if (json_object_object_get_ex(root, "has_more", &more))
		*has_more = json_object_get_boolean(more);
	return 0;
}

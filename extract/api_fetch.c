/*
 * api_fetch.c — one page of a shop platform's API: send, keep, parse, judge, and renew
 * the token or wait out a rate limit (see api_fetch.h).
 */
#include "siyu/extract/api_fetch.h"

#include "siyu/common/debug.h"
#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/extract/api_sign.h"
#include "siyu/extract/http.h"
#include "siyu/extract/rawzone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_WAITS 5
#define BACKOFF_MS 2000

void api_call_release(struct api_call *c)
{
	buf_release(&c->url);
	buf_release(&c->body);
}

long api_ban_seconds(const char *s)
{
	static const char lead[] = "This ban will last for ";
	const char *p = s ? strstr(s, lead) : NULL;
	char *end;
	long n;

	if (!p)
		return -1;
	n = strtol(p + sizeof(lead) - 1, &end, 10);
	return end > p + sizeof(lead) - 1 && n >= 0 && strncmp(end, " more second", 12) == 0 ? n
												: -1;
}

/* Send the built request; keep the answer in the raw zone. 0 / -1 err. */
static int send_and_keep(struct api_fetcher *f, struct api_call *call, const char *manifest_json,
			 struct http_response *resp, char *raw_path, size_t pathlen, char *err,
			 size_t errlen)
{
	const char *body = call->body.len ? buf_str(&call->body) : NULL;
	char why[1024];

	if (http_send(f->http, call->http_method, buf_str(&call->url), call->content_type, body,
		      resp, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (rawzone_write_page(f->raw, f->entity, f->endpoint, manifest_json,
			       resp->body.data ? resp->body.data : "", resp->body.len, raw_path,
			       pathlen, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	f->pages++;
	debug_point("extract");
	return 0;
}

int api_fetch_page(struct api_fetcher *f, const void *page, const char *manifest_json,
		   const char *where, struct json_object **root, char *raw_file, size_t rawlen,
		   char *err, size_t errlen)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct api_call call = { 0 };
	struct api_judgement j;
	char raw_path[RAWZONE_PATH_MAX + 128] = "", why[1024];
	int renewed = 0, waits = 0, max_waits = f->max_waits > 0 ? f->max_waits : DEFAULT_MAX_WAITS;
	int rc = -1;

	*root = NULL;
	for (;;) {
		enum json_tokener_error jerr;

		buf_reset(&call.url);
		buf_reset(&call.body);
		if (f->p->build(f->client, page, &call, why, sizeof(why)) < 0 ||
		    send_and_keep(f, &call, manifest_json, &resp, raw_path, sizeof(raw_path), why,
				  sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s", where, why);
			goto out;
		}
		*root = json_tokener_parse_verbose(buf_str(&resp.body), &jerr);
		if (!*root || !json_object_is_type(*root, json_type_object)) {
			snprintf(err, errlen, "%s: the answer is not a JSON object (%s, %zu bytes); raw "
					      "page kept at %s", where,
				 *root ? "another JSON value" : json_tokener_error_desc(jerr),
				 resp.body.len, raw_path);
			goto out;
		}
		memset(&j, 0, sizeof(j));
		f->p->judge(f->client, *root, &j);
		if (j.verdict == API_OK)
			break;
		json_object_put(*root);
		*root = NULL;
		if (j.verdict == API_TOKEN_EXPIRED && !renewed) {
			log_warn("msg=\"token rejected, getting a new one\" platform=%s what=\"%s\"",
				 f->p->name, j.what);
			renewed = 1;
			f->renewals++;
			if (f->p->renew_token(f->client, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "%s: %s; %s", where, j.what, why);
				goto out;
			}
			continue;
		}
		if (j.verdict == API_RATE_LIMITED && waits < max_waits) {
			long ms = j.wait_ms > 0 ? j.wait_ms : (long)BACKOFF_MS << waits;

			log_warn("msg=\"rate limited, waiting\" platform=%s what=\"%s\" wait_ms=%ld",
				 f->p->name, j.what, ms);
			waits++;
			f->waits++;
			http_client_sleep(f->http, ms);
			continue;
		}
		snprintf(err, errlen, "%s: %s%s; raw page kept at %s", where, j.what,
			 j.verdict == API_TOKEN_EXPIRED ? " again after a new token"
			 : j.verdict == API_RATE_LIMITED ? " (still rate limited after waiting)" : "",
			 raw_path);
		goto out;
	}
	{
		const char *base = strrchr(raw_path, '/');

		snprintf(raw_file, rawlen, "%s", base ? base + 1 : raw_path);
	}
	rc = 0;
out:
	if (rc < 0) {
		json_object_put(*root);
		*root = NULL;
	}
	api_call_release(&call);
	http_response_release(&resp);
	return rc;
}

int api_copy_token(const char *what, const char *value, char *token, size_t n, char *err,
		   size_t errlen)
{
	if (snprintf(token, n, "%s", value ? value : "") < (int)n)
		return 0;
	memset(token, 0, n);
	snprintf(err, errlen, "%s: longer than %zu bytes", what, n - 1);
	return -1;
}

int api_oauth_refresh(struct http_client *http, const char *method, const char *url,
		      const struct api_param *p, size_t n, const char *refresh_token,
		      const char *what, char *token, size_t n_token, char *err, size_t errlen)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct buf params = BUF_INIT, full = BUF_INIT;
	struct json_object *root = NULL;
	const char *tok = NULL, *error = "", *desc = "";
	int get = strcmp(method, "GET") == 0, rc = -1;
	char why[1024];

	if (!refresh_token || !*refresh_token) {
		snprintf(err, errlen, "the %s is expired or invalid and no refresh_token is set: "
				      "authorize the app again and set %s (and refresh_token)", what,
			 what);
		return -1;
	}
	if (api_form_encode(p, n, &params) < 0 ||
	    (get && buf_addf(&full, "%s%c%s", url, strchr(url, '?') ? '&' : '?',
			     buf_str(&params)) < 0)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* an error status still has the server's reason in the body */
	http_send(http, method, get ? buf_str(&full) : url,
		  "application/x-www-form-urlencoded;charset=utf-8", get ? NULL : buf_str(&params),
		  &resp, why, sizeof(why));
	root = json_tokener_parse(buf_str(&resp.body));
	if (root && wj_text(root, "access_token", &tok) == WJ_OK && tok && *tok &&
	    snprintf(token, n_token, "%s", tok) < (int)n_token) {
		log_info("msg=\"%s renewed with the refresh_token\" url=\"%s\"", what, url);
		rc = 0;
		goto out;
	}
	if (root && (wj_text(root, "error", &error) == WJ_OK ||
		     wj_text(root, "code", &error) == WJ_OK)) {
		if (wj_text(root, "error_description", &desc) != WJ_OK)
			wj_text(root, "msg", &desc);
		snprintf(err, errlen, "%s %s: the %s could not be renewed: %.40s (%.160s): check the "
				      "app key, its secret and refresh_token, or authorize the app again",
			 method, url, what, error ? error : "", desc ? desc : "");
	} else {
		snprintf(err, errlen, "%s %s: the %s could not be renewed: %s", method, url, what,
			 resp.status ? "no access_token in the answer" : why);
	}
out:
	/* the answer held a token, the request the secret and the refresh token */
	if (resp.body.data)
		memset(resp.body.data, 0, resp.body.len);
	if (params.data)
		memset(params.data, 0, params.len);
	if (full.data)
		memset(full.data, 0, full.len);
	json_object_put(root);
	http_response_release(&resp);
	buf_release(&params);
	buf_release(&full);
	return rc;
}

/*
 * wecom_api.c — one WeCom API call: token, HTTP, raw zone, JSON, errcode
 * (see include/siyu/extract/wecom_api.h).
 *
 * WeCom answers HTTP 200 on errors, so every body's errcode is checked:
 *   40014, 42001          token invalid / expired: fetch a new one once, retry once
 *   45009, 45033, -1      rate limit / concurrency / busy: back off, retry
 *   40001, 40013, 40091,  gettoken: wrong or missing corpid / secret, untrusted IP:
 *   41002, 41004, 60020   fail naming the setting (never retried: repeated wrong
 *                         secrets get the IP banned for an hour)
 *   48002, 60011          app not allowed / member out of scope: configuration
 * Tokens are per app secret and cached until shortly before expires_in.
 */
#include "siyu/extract/wecom_api.h"

#include "siyu/common/debug.h"
#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/extract/http.h"
#include "siyu/extract/rawzone.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUSY_BACKOFF_MS 60000L
#define BUSY_BACKOFF_CAP_MS 3600000L

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int wecom_api_init(struct wecom_api *a, struct http_client *http, struct rawzone *raw,
		   const char *source, const char *base_url, const char *corpid,
		   const char *secret, long busy_retries, struct failure *f)
{
	char why[256];
	size_t n;

	memset(a, 0, sizeof(*a));
	a->http = http;
	a->raw = raw;
	a->source = source;
	a->corpid = corpid;
	a->secret = secret;
	a->busy_retries = busy_retries < 0 ? 0 : busy_retries;
	a->busy_backoff_ms = BUSY_BACKOFF_MS;
	if (!base_url || !*base_url)
		return failure_set(f, NULL, "base_url is empty");
	if (snprintf(a->base, sizeof(a->base), "%s", base_url) >= (int)sizeof(a->base))
		return failure_set(f, NULL, "base_url is too long");
	n = strlen(a->base);
	while (n && a->base[n - 1] == '/')
		a->base[--n] = '\0';
	if (http_url_allowed(a->base, why, sizeof(why)) < 0)
		return failure_set(f, NULL, "base_url: %s", why);
	if (!corpid || !*corpid)
		return failure_set(f, NULL, "corpid is empty: set corpid in [source.%s]", source);
	if (!secret || !*secret)
		return failure_set(f, NULL, "secret is empty: set secret = ${VAR} in [source.%s] and "
				   "export VAR (the self-built app's secret)", source);
	return 0;
}

void wecom_api_init_replay(struct wecom_api *a, struct wecom_replay *replay, const char *source)
{
	memset(a, 0, sizeof(*a));
	a->replay = replay;
	a->source = source;
}

void wecom_api_release(struct wecom_api *a)
{
	memset(a->token, 0, sizeof(a->token));
	a->token_expires_ns = 0;
}

/* The errcode and errmsg of a parsed body; a body without errcode counts as 0. */
static int64_t errcode_of(struct json_object *root, const char **msg)
{
	int64_t code = 0;

	*msg = "";
	if (wj_int64(root, "errcode", &code) != WJ_OK)
		code = 0;
	if (wj_text(root, "errmsg", msg) != WJ_OK)
		*msg = "";
	return code;
}

/* Why an errcode means the configuration is wrong, or NULL. */
static const char *config_hint(int64_t code)
{
	switch (code) {
	case 40013:
		return "the corpid is wrong: check corpid";
	case 41002:
		return "the corpid is missing: check corpid";
	case 40001:
		return "the secret is wrong (reset, or not this app's): check secret (the "
		       "environment variable it names)";
	case 40091:
		return "the secret is invalid: check secret (the environment variable it names)";
	case 41004:
		return "the secret is missing: check secret (the environment variable it names)";
	case 60020:
		return "this server's IP is not in the app's trusted IPs (企业可信IP)";
	case 48002:
		return "the app may not call this API: add it under 客户联系 → 可调用接口的应用";
	case 60011:
		return "no privilege: the member is outside the app's visible scope (可见范围)";
	default:
		return NULL;
	}
}

static int is_busy(int64_t code)
{
	return code == 45009 || code == 45033 || code == -1;
}

/* Back off before busy retry n (0-based). */
static void busy_wait(struct wecom_api *a, int n, const char *what, int64_t code)
{
	long ms = a->busy_backoff_ms;

	for (int i = 0; i < n && ms < BUSY_BACKOFF_CAP_MS; i++)
		ms *= 2;
	if (ms > BUSY_BACKOFF_CAP_MS)
		ms = BUSY_BACKOFF_CAP_MS;
	log_warn("msg=\"wecom busy, backing off\" source=%s call=\"%s\" errcode=%" PRId64
		 " retry=%d delay_ms=%ld", a->source, what, code, n + 1, ms);
	http_client_sleep(a->http, ms);
}

static int fetch_token(struct wecom_api *a, struct failure *f)
{
	char why[512];
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct json_object *root = NULL;
	char *cid = curl_easy_escape(NULL, a->corpid, 0);
	char *sec = curl_easy_escape(NULL, a->secret, 0);
	char *url = NULL;
	size_t ulen;
	int rc = -1;

	if (!cid || !sec)
		goto oom;
	ulen = strlen(a->base) + strlen(cid) + strlen(sec) + 64;
	url = malloc(ulen);
	if (!url)
		goto oom;
	snprintf(url, ulen, "%s/cgi-bin/gettoken?corpid=%s&corpsecret=%s", a->base, cid, sec);
	for (int n = 0;; n++) {
		const char *msg, *tok;
		int64_t code, expires = 7200;

		if (http_request(a->http, "GET", url, NULL, &resp, why, sizeof(why)) < 0) {
			failure_set(f, "GET gettoken", "%s", why);
			goto out;
		}
		json_object_put(root);
		root = json_tokener_parse(buf_str(&resp.body));
		if (!root || !json_object_is_type(root, json_type_object)) {
			failure_set(f, "GET gettoken", "the answer is not a JSON object");
			goto out;
		}
		code = errcode_of(root, &msg);
		if (code == 0) {
			if (wj_text(root, "access_token", &tok) != WJ_OK || !*tok ||
			    strlen(tok) >= sizeof(a->token)) {
				failure_set(f, "GET gettoken", "no usable access_token in the answer");
				goto out;
			}
			if (wj_int64(root, "expires_in", &expires) != WJ_OK || expires <= 0)
				expires = 7200;
			snprintf(a->token, sizeof(a->token), "%s", tok);
			/* renew a little early: a tenth of the lifetime, at most 5 minutes */
			a->token_expires_ns = mono_ns() + (expires - (expires / 10 < 300 ? expires / 10 : 300)) *
								   1000000000LL;
			a->token_fetches++;
			log_debug("msg=\"wecom token\" source=%s expires_in=%" PRId64, a->source, expires);
			rc = 0;
			goto out;
		}
		if (is_busy(code) && n < a->busy_retries) {
			busy_wait(a, n, "gettoken", code);
			continue;
		}
		if (config_hint(code))
			failure_set(f, "GET gettoken", "errcode %" PRId64 " (%.120s): %s in [source.%s]",
				    code, msg, config_hint(code), a->source);
		else
			failure_set(f, "GET gettoken", "errcode %" PRId64 " (%.120s)", code, msg);
		goto out;
	}
oom:
	failure_set(f, "GET gettoken", "out of memory");
out:
	json_object_put(root);
	http_response_release(&resp);
	curl_free(cid);
	curl_free(sec);
	free(url);
	return rc;
}

static int ensure_token(struct wecom_api *a, struct failure *f)
{
	if (a->token_expires_ns && mono_ns() < a->token_expires_ns)
		return 0;
	wecom_api_release(a);
	return fetch_token(a, f);
}

/* A failed call: the object is "METHOD path (where)". Returns -1. */
static int fail_call(struct failure *f, const char *method, const char *path, const char *where,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_call(struct failure *f, const char *method, const char *path, const char *where,
		     const char *fmt, ...)
{
	char object[sizeof(f->object)], reason[sizeof(f->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(object, sizeof(object), "%s %s (%s)", method, path, where);
	return failure_set(f, object, "%s", reason);
}

static int accepted(const int *accept, int64_t code)
{
	for (; accept && *accept; accept++)
		if (*accept == code)
			return 1;
	return 0;
}

/* The manifest's request object: the POST body, or the query. */
static char *request_json(const char *query, const char *body)
{
	struct buf b = BUF_INIT;

	if (body)
		buf_adds(&b, body);
	else if (query)
		buf_addf(&b, "{\"query\":\"%s\"}", query);
	return b.len ? buf_detach(&b, NULL) : NULL;
}

/* Keep the page in the raw zone; 0 / -1. */
static int keep_page(struct wecom_api *a, const char *entity, const char *path, const char *query,
		     const char *body, const struct buf *page, char *raw_path, size_t raw_len,
		     char *err, size_t errlen)
{
	char *req;
	int rc;

	raw_path[0] = '\0';
	a->last_page[0] = '\0';
	a->pages++;
	if (!a->raw)
		return 0;
	req = request_json(query, body);
	rc = rawzone_write_page(a->raw, entity, path, req, page->data ? page->data : "", page->len,
				raw_path, raw_len, err, errlen);
	free(req);
	if (rc == 0) {
		const char *base = strrchr(raw_path, '/');

		snprintf(a->last_page, sizeof(a->last_page), "%.127s", base ? base + 1 : raw_path);
	}
	/* named by endpoint: a crash test dies at "page N of groupchat/get" (debug.h) */
	debug_point_at("extract", path);
	return rc;
}

/* ---- replay: calls answered by an earlier run's raw zone ------------------------------ */

/* JSON text in its compact json-c form (what the run wrote), or NULL for none / "null". */
static char *compact_json(struct json_object *obj)
{
	if (!obj || json_object_is_type(obj, json_type_null))
		return NULL;
	return strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
}

/* Widen the statistics days by one manifest request (seconds fields from, to). */
static void note_stats(struct wecom_replay *rp, struct json_object *req, const char *from_key,
		       const char *to_key)
{
	int64_t from, to;

	if (wj_int64(req, from_key, &from) != WJ_OK || wj_int64(req, to_key, &to) != WJ_OK)
		return;
	if (!rp->has_stats || from < rp->stats_first)
		rp->stats_first = from;
	if (!rp->has_stats || to > rp->stats_last)
		rp->stats_last = to;
	rp->has_stats = 1;
}

static int replay_add(struct wecom_replay *rp, struct json_object *line)
{
	struct json_object *req = NULL;
	const char *file = NULL, *endpoint = NULL, *at = NULL;
	struct wecom_raw_page *p;

	if (wj_text(line, "file", &file) != WJ_OK || !*file ||
	    wj_text(line, "endpoint", &endpoint) != WJ_OK)
		return 1;
	if (rp->n % 256 == 0) {
		struct wecom_raw_page *v = realloc(rp->v, (rp->n + 256) * sizeof(*v));

		if (!v)
			return -1;
		rp->v = v;
	}
	json_object_object_get_ex(line, "request", &req);
	p = &rp->v[rp->n];
	p->file = strdup(file);
	p->endpoint = strdup(endpoint);
	p->request = compact_json(req);
	rp->n++;
	if (!p->file || !p->endpoint || (req && !json_object_is_type(req, json_type_null) && !p->request))
		return -1;
	if (strcmp(endpoint, "externalcontact/get_user_behavior_data") == 0)
		note_stats(rp, req, "start_time", "end_time");
	else if (strcmp(endpoint, "externalcontact/groupchat/statistic_group_by_day") == 0)
		note_stats(rp, req, "day_begin_time", "day_end_time");
	if (rp->n == 1 && wj_text(line, "received_at", &at) == WJ_OK)
		snprintf(rp->first_received, sizeof(rp->first_received), "%s", at);
	return 0;
}

int wecom_replay_open(struct wecom_replay *rp, const char *dir, char *err, size_t errlen)
{
	char path[4096 + 32], *text = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	FILE *f;
	int rc = 0;

	memset(rp, 0, sizeof(*rp));
	snprintf(rp->dir, sizeof(rp->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/manifest.jsonl", dir);
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&text, &cap, f)) > 0) {
		struct json_object *line = json_tokener_parse(text);

		lineno++;
		/* a last line cut short (the run was killed as it wrote it): the run ends before */
		if (!line && text[len - 1] != '\n')
			break;
		rc = line ? replay_add(rp, line) : 1;
		json_object_put(line);
		if (rc > 0) {
			snprintf(err, errlen, "%s line %ld: not a manifest entry", path, lineno);
			rc = -1;
		} else if (rc < 0) {
			snprintf(err, errlen, "out of memory reading '%s'", path);
		}
	}
	free(text);
	fclose(f);
	if (rc < 0)
		wecom_replay_close(rp);
	return rc;
}

void wecom_replay_close(struct wecom_replay *rp)
{
	for (size_t i = 0; i < rp->n; i++) {
		free(rp->v[i].file);
		free(rp->v[i].endpoint);
		free(rp->v[i].request);
	}
	free(rp->v);
	rp->v = NULL;
	rp->n = rp->next = 0;
}

/* The request as the manifest holds it: the body (or query) re-serialized compactly. */
static char *replay_request(const char *query, const char *body)
{
	char *text = request_json(query, body), *out;
	struct json_object *obj;

	if (!text)
		return NULL;
	obj = json_tokener_parse(text);
	out = obj ? compact_json(obj) : NULL;
	json_object_put(obj);
	free(text);
	return out;
}

static int same_text(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/*
 * The next raw page of the run, which must be this call: 0 with *page read,
 * -1 with why (rp->ended when the pages ran out).
 */
static int replay_next_page(struct wecom_api *a, const char *path, const char *want,
			    struct buf *page, char *why, size_t whylen)
{
	struct wecom_replay *rp = a->replay;
	const struct wecom_raw_page *p;
	char file[4096 + 128];

	if (rp->next >= rp->n) {
		rp->ended = 1;
		snprintf(why, whylen, "the run's raw zone ends before this call (the run stopped here)");
		return -1;
	}
	p = &rp->v[rp->next++];
	snprintf(a->last_page, sizeof(a->last_page), "%.127s", p->file);
	if (strcmp(p->endpoint, path) != 0 || !same_text(p->request, want)) {
		snprintf(why, whylen, "the run's next raw page answers %s %.200s, not this call: "
				      "the call plan differs from the run's", p->endpoint,
			 p->request ? p->request : "(no request)");
		return -1;
	}
	snprintf(file, sizeof(file), "%s/%s", rp->dir, p->file);
	if (rawzone_read_page(file, page) < 0) {
		snprintf(why, whylen, "cannot read the raw page '%.900s'", file);
		return -1;
	}
	a->pages++;
	debug_point_at("extract", path);
	return 0;
}

int wecom_api_replay_has(const struct wecom_api *a, const char *path, const char *query,
			 const char *body)
{
	const struct wecom_replay *rp = a->replay;
	char *want;
	int has;

	if (!rp)
		return 1;
	if (rp->next >= rp->n || strcmp(rp->v[rp->next].endpoint, path) != 0)
		return 0;
	want = replay_request(query, body);
	has = same_text(rp->v[rp->next].request, want);
	free(want);
	return has;
}

static int replay_call(struct wecom_api *a, const char *method, const char *path,
		       const char *query, const char *body, const char *where, const int *accept,
		       struct json_object **out, struct failure *f)
{
	struct buf page = BUF_INIT;
	char *want = replay_request(query, body);
	char why[1024] = "";
	int rc = -1;

	if ((query || body) && !want) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	for (;;) {
		struct json_object *root;
		const char *msg;
		int64_t code;

		if (replay_next_page(a, path, want, &page, why, sizeof(why)) < 0)
			goto fail;
		root = json_tokener_parse(buf_str(&page));
		if (!root || !json_object_is_type(root, json_type_object)) {
			json_object_put(root);
			a->replay->ended = 1;
			snprintf(why, sizeof(why), "the answer is not a JSON object (the run stopped here)");
			goto fail;
		}
		code = errcode_of(root, &msg);
		if (code == 0 || accepted(accept, code)) {
			*out = root;
			rc = code == 0 ? 0 : (int)code;
			goto out;
		}
		json_object_put(root);
		/* the run asked again after these, as this loop does */
		if (code == 40014 || code == 42001 || is_busy(code))
			continue;
		a->replay->ended = 1;
		snprintf(why, sizeof(why), "errcode %" PRId64 " (the run stopped here)", code);
		goto fail;
	}
fail:
	fail_call(f, method, path, where, "%s%s%s", why, a->last_page[0] ? "; raw page " : "",
		  a->last_page);
out:
	buf_release(&page);
	free(want);
	return rc;
}

int wecom_api_call(struct wecom_api *a, const char *method, const char *path, const char *query,
		   const char *body, const char *entity, const char *where, const int *accept,
		   struct json_object **out, struct failure *f)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct json_object *root = NULL;
	char raw_path[RAWZONE_PATH_MAX + 128] = "";
	char why[1024] = "";
	int refreshed = 0, busy = 0, rc = -1;
	struct buf url = BUF_INIT;

	*out = NULL;
	if (a->replay)
		return replay_call(a, method, path, query, body, where, accept, out, f);
	for (;;) {
		enum json_tokener_error jerr;
		const char *msg;
		int64_t code;

		if (ensure_token(a, f) < 0)
			goto out;
		buf_reset(&url);
		if (buf_addf(&url, "%s/cgi-bin/%s?access_token=%s%s%s", a->base, path, a->token,
			     query ? "&" : "", query ? query : "") < 0) {
			snprintf(why, sizeof(why), "out of memory");
			break;
		}
		if (http_request(a->http, method, url.data, body, &resp, why, sizeof(why)) < 0)
			break;
		if (keep_page(a, entity, path, query, body, &resp.body, raw_path, sizeof(raw_path),
			      why, sizeof(why)) < 0)
			break;
		json_object_put(root);
		root = json_tokener_parse_verbose(buf_str(&resp.body), &jerr);
		if (!root || !json_object_is_type(root, json_type_object)) {
			snprintf(why, sizeof(why), "the answer is not a JSON object (%s, %zu bytes)",
				 root ? "another JSON value" : json_tokener_error_desc(jerr),
				 resp.body.len);
			break;
		}
		code = errcode_of(root, &msg);
		if (code == 0 || accepted(accept, code)) {
			*out = root;
			root = NULL;
			rc = code == 0 ? 0 : (int)code;
			goto out;
		}
		if ((code == 40014 || code == 42001) && !refreshed) {
			log_warn("msg=\"wecom token rejected, fetching a new one\" source=%s call=\"%s\" "
				 "errcode=%" PRId64, a->source, path, code);
			refreshed = 1;
			wecom_api_release(a);
			continue;
		}
		if (is_busy(code) && busy < a->busy_retries) {
			busy_wait(a, busy++, path, code);
			continue;
		}
		if (config_hint(code))
			snprintf(why, sizeof(why), "errcode %" PRId64 " (%.120s): %s in [source.%s]",
				 code, msg, config_hint(code), a->source);
		else if (is_busy(code))
			snprintf(why, sizeof(why), "errcode %" PRId64 " (%.120s) after %d tries", code,
				 msg, busy + 1);
		else if (code == 40014 || code == 42001)
			snprintf(why, sizeof(why), "errcode %" PRId64 " (%.120s) again after a new token",
				 code, msg);
		else
			snprintf(why, sizeof(why), "errcode %" PRId64 " (%.120s)", code, msg);
		break;
	}
	fail_call(f, method, path, where, "%s%s%s", why, raw_path[0] ? "; raw page kept at " : "",
		  raw_path);
out:
	json_object_put(root);
	http_response_release(&resp);
	buf_release(&url);
	return rc;
}

/*
 * youzan_api.c — the Youzan orders API client and its raw zone
 * (see include/siyu/extract/youzan_api.h, docs/youzan.md).
 */
#include "siyu/extract/youzan_api.h"

#include "siyu/common/buf.h"
#include "siyu/common/debug.h"
#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/extract/api_sign.h"
#include "siyu/extract/http.h"
#include "siyu/extract/rawzone.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int youzan_api_init(struct youzan_api *a, struct http_client *http, struct rawzone *raw,
		    const char *source, const char *base_url, const char *client_id,
		    const char *client_secret, const char *grant_id, long page_size,
		    struct failure *f)
{
	char why[512];
	size_t n;

	memset(a, 0, sizeof(*a));
	a->http = http;
	a->raw = raw;
	a->source = source;
	a->client_id = client_id;
	a->client_secret = client_secret;
	a->grant_id = grant_id ? grant_id : "";
	a->page_size = page_size >= 1 && page_size <= 100 ? page_size : 100;
	if (!base_url || snprintf(a->base, sizeof(a->base), "%s", base_url) >= (int)sizeof(a->base))
		return failure_set(f, NULL, "base_url is empty or too long");
	n = strlen(a->base);
	while (n && a->base[n - 1] == '/')
		a->base[--n] = '\0';
	if (http_url_allowed(a->base, why, sizeof(why)) < 0)
		return failure_set(f, NULL, "base_url: %s", why);
	if (!client_id || !*client_id)
		return failure_set(f, NULL, "client_id is empty: set client_id in [source.%s]", source);
	if (!client_secret || !*client_secret)
		return failure_set(f, NULL, "client_secret is empty: set client_secret = ${VAR} in "
				   "[source.%s] and export VAR", source);
	return 0;
}

void youzan_api_release(struct youzan_api *a)
{
	memset(a->token, 0, sizeof(a->token));
}

/* ---- token ------------------------------------------------------------------------ */

static int fetch_token(struct youzan_api *a, int refresh, struct failure *f)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct json_object *req = json_object_new_object(), *root = NULL, *data = NULL;
	const char *tok, *msg = "";
	char url[600], why[1024];
	int64_t expires = 0, code = 0, now, margin;
	int rc = -1;

	json_object_object_add(req, "client_id", json_object_new_string(a->client_id));
	json_object_object_add(req, "client_secret", json_object_new_string(a->client_secret));
	json_object_object_add(req, "authorize_type", json_object_new_string("silent"));
	json_object_object_add(req, "grant_id", json_object_new_string(a->grant_id));
	json_object_object_add(req, "refresh", json_object_new_boolean(refresh));
	snprintf(url, sizeof(url), "%s/auth/token", a->base);
	if (http_request(a->http, "POST", url, json_object_to_json_string(req), &resp, why,
			 sizeof(why)) < 0) {
		failure_set(f, "POST /auth/token", "%s", why);
		goto out;
	}
	root = json_tokener_parse(buf_str(&resp.body));
	if (!root || !json_object_is_type(root, json_type_object)) {
		failure_set(f, "POST /auth/token", "the answer is not a JSON object");
		goto out;
	}
	wj_int64(root, "code", &code);
	wj_text(root, "message", &msg);
	if (!json_object_get_boolean(json_object_object_get(root, "success")) ||
	    wj_object(root, "data", &data) != WJ_OK) {
		failure_set(f, "POST /auth/token", "code %" PRId64 " (%.160s): check client_id, "
			    "client_secret (the environment variable it names) and kdt_id in "
			    "[source.%s]", code, msg ? msg : "", a->source);
		goto out;
	}
	if (wj_text(data, "access_token", &tok) != WJ_OK || !*tok || strlen(tok) >= sizeof(a->token)) {
		failure_set(f, "POST /auth/token", "no usable access_token in the answer");
		goto out;
	}
	snprintf(a->token, sizeof(a->token), "%s", tok);
	now = wall_ms();
	if (wj_int64(data, "expires", &expires) != WJ_OK || expires <= now)
		expires = now + 3600 * 1000LL;
	/* renew early: a tenth of the lifetime, at most 10 minutes */
	margin = (expires - now) / 10 < 600 * 1000LL ? (expires - now) / 10 : 600 * 1000LL;
	a->token_expires_ms = expires - margin;
	a->token_fetches++;
	log_debug("msg=\"youzan token\" source=%s expires_ms=%" PRId64, a->source, expires);
	rc = 0;
out:
	json_object_put(req);
	json_object_put(root);
	http_response_release(&resp);
	return rc;
}

/* Whether a gateway error is about the token: codes 4201-4203, or a message naming it. */
static int token_error(int64_t code, const char *msg)
{
	if (code >= 4201 && code <= 4203)
		return 1;
	for (; msg && *msg; msg++)
		if (strncasecmp(msg, "token", 5) == 0)
			return 1;
	return 0;
}

/* ---- one page ---------------------------------------------------------------------- */

struct page_req {
	int64_t from, to;    /* this request's range [from, to) */
	int64_t wfrom, wto;  /* the planned window it belongs to */
	long page_no;
	int reread;          /* page 1 read again after the backward pass */
	const char *wlabel;
	char object[320];    /* "window W page N", for messages */
};

/* The request body sent, and the manifest's record of it (with the window). */
static void page_bodies(const struct youzan_api *a, const struct page_req *q, struct buf *body,
			struct buf *manifest)
{
	char from[32], to[32];

	api_cn_time(q->from, from, sizeof(from));
	api_cn_time(q->to - 1, to, sizeof(to)); /* end_update is inclusive: [from, to) */
	buf_addf(body, "{\"start_update\":\"%s\",\"end_update\":\"%s\",\"page_no\":%ld,"
		       "\"page_size\":%ld}", from, to, q->page_no, a->page_size);
	buf_addf(manifest, "{\"start_update\":\"%s\",\"end_update\":\"%s\",\"page_no\":%ld,"
			   "\"page_size\":%ld,\"window\":[%" PRId64 ",%" PRId64 "],\"range\":[%" PRId64
			   ",%" PRId64 "],\"reread\":%d}",
		 from, to, q->page_no, a->page_size, q->wfrom, q->wto, q->from, q->to, q->reread);
}

/*
 * Check one answer (kept at raw_path): 0 usable, 1 the token was refused
 * (fetch a new one and ask again, once), -1 with f.
 */
static int check_answer(struct youzan_api *a, struct page_req *q, struct json_object *root,
			const struct buf *body, enum json_tokener_error jerr, const char *raw_path,
			int refreshed, struct failure *f)
{
	struct json_object *gw = NULL;
	const char *msg = "";
	int64_t code = 0;

	if (!root || !json_object_is_type(root, json_type_object))
		return failure_set(f, q->object, "the answer is not a JSON object (%s, %zu bytes); "
				   "raw page kept at %s",
				   root ? "another JSON value" : json_tokener_error_desc(jerr),
				   body->len, raw_path);
	if (wj_object(root, "gw_err_resp", &gw) == WJ_OK) {
		wj_int64(gw, "err_code", &code);
		wj_text(gw, "err_msg", &msg);
		if (token_error(code, msg) && !refreshed) {
			log_warn("msg=\"youzan token rejected, fetching a new one\" source=%s "
				 "err_code=%" PRId64, a->source, code);
			return 1;
		}
		return failure_set(f, q->object, "gateway error %" PRId64 " (%.160s)%s; raw page "
				   "kept at %s", code, msg ? msg : "",
				   refreshed ? " again after a new token" : "", raw_path);
	}
	if (!json_object_get_boolean(json_object_object_get(root, "success"))) {
		wj_int64(root, "code", &code);
		wj_text(root, "message", &msg);
		return failure_set(f, q->object, "business error %" PRId64 " (%.160s); raw page kept "
				   "at %s", code, msg ? msg : "", raw_path);
	}
	return 0;
}

/*
 * Fetch, keep and check one page; *out is the parsed answer (caller puts it),
 * raw_file its raw-zone file name. 0 / -1 with f.
 */
static int call_page(struct youzan_api *a, struct page_req *q, struct json_object **out,
		     char *raw_file, size_t raw_len, struct failure *f)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct buf body = BUF_INIT, man = BUF_INIT, url = BUF_INIT;
	struct json_object *root = NULL;
	char raw_path[RAWZONE_PATH_MAX + 128] = "", why[1024];
	int refreshed = 0, rc = -1;

	*out = NULL;
	page_bodies(a, q, &body, &man);
	for (;;) {
		enum json_tokener_error jerr = json_tokener_success;

		if ((!a->token[0] || wall_ms() >= a->token_expires_ms) &&
		    fetch_token(a, refreshed, f) < 0)
			goto out;
		buf_reset(&url);
		buf_addf(&url, "%s/api/%s?access_token=%s", a->base, YOUZAN_TRADES_PATH, a->token);
		if (http_request(a->http, "POST", buf_str(&url), buf_str(&body), &resp, why,
				 sizeof(why)) < 0) {
			failure_set(f, q->object, "%s", why);
			goto out;
		}
		if (rawzone_write_page(a->raw, "orders", YOUZAN_TRADES_PATH, buf_str(&man),
				       resp.body.data ? resp.body.data : "", resp.body.len, raw_path,
				       sizeof(raw_path), why, sizeof(why)) < 0) {
			failure_set(f, q->object, "%s", why);
			goto out;
		}
		a->pages++;
		debug_point_at("extract", YOUZAN_TRADES_PATH);
		json_object_put(root);
		root = json_tokener_parse_verbose(buf_str(&resp.body), &jerr);
		rc = check_answer(a, q, root, &resp.body, jerr, raw_path, refreshed, f);
		if (rc != 1)
			break;
		refreshed = 1;
		a->token[0] = '\0';
		rc = -1;
	}
	if (rc == 0) {
		const char *base = strrchr(raw_path, '/');

		snprintf(raw_file, raw_len, "%s", base ? base + 1 : raw_path);
		*out = root;
		root = NULL;
	}
out:
	json_object_put(root);
	http_response_release(&resp);
	buf_release(&body);
	buf_release(&man);
	buf_release(&url);
	return rc;
}

/* data.total_results and data.full_order_info_list of a successful answer. */
static int page_data(struct json_object *root, int64_t *total, struct json_object **list)
{
	struct json_object *data = NULL;

	*list = NULL;
	if (wj_object(root, "data", &data) != WJ_OK || wj_int64(data, "total_results", total) != WJ_OK ||
	    *total < 0)
		return -1;
	return wj_array(data, "full_order_info_list", list) == WJ_BAD ? -1 : 0;
}

struct pager {
	struct youzan_api *a;
	youzan_page_fn fn;
	void *arg;
	struct failure *f;
};

/* One page: fetched, kept, and (unless the range must be split) handed over. */
static int fetch_page(struct pager *pg, struct page_req *q, int64_t *total)
{
	struct json_object *root = NULL, *list;
	char file[160];
	int rc;

	snprintf(q->object, sizeof(q->object), "%s page %ld", q->wlabel, q->page_no);
	if (call_page(pg->a, q, &root, file, sizeof(file), pg->f) < 0)
		return -1;
	if (page_data(root, total, &list) < 0) {
		json_object_put(root);
		return failure_set(pg->f, q->object, "no data.total_results in the answer (%s)", file);
	}
	rc = *total >= YOUZAN_MAX_PAGE_NO * pg->a->page_size ? 0
							      : pg->fn(pg->arg, list, file, q->page_no);
	json_object_put(root);
	return rc;
}

static int fetch_range(struct pager *pg, int64_t from, int64_t to, int64_t wfrom, int64_t wto,
		       const char *wlabel)
{
	struct page_req q = { from, to, wfrom, wto, 1, 0, wlabel, "" };
	int64_t total, pages, ignored;

	if (fetch_page(pg, &q, &total) < 0)
		return -1;
	if (total >= YOUZAN_MAX_PAGE_NO * pg->a->page_size) {
		int64_t mid = from + (to - from) / 2;

		if (to - from <= 1)
			return failure_set(pg->f, q.object, "%" PRId64 " orders updated within one "
					   "second, more than %d pages can hold", total,
					   YOUZAN_MAX_PAGE_NO);
		log_info("msg=\"youzan window split\" source=%s window=%s total=%" PRId64,
			 pg->a->source, wlabel, total);
		return fetch_range(pg, from, mid, wfrom, wto, wlabel) ||
				       fetch_range(pg, mid, to, wfrom, wto, wlabel)
			       ? -1
			       : 0;
	}
	pages = (total + pg->a->page_size - 1) / pg->a->page_size;
	for (int64_t p = pages; p >= 2; p--) {
		q.page_no = (long)p;
		if (fetch_page(pg, &q, &ignored) < 0)
			return -1;
	}
	if (pages > 1) {
		q.page_no = 1;
		q.reread = 1;
		return fetch_page(pg, &q, &ignored);
	}
	return 0;
}

int youzan_api_fetch_range(struct youzan_api *a, int64_t from, int64_t to, int64_t wfrom,
			   int64_t wto, const char *wlabel, youzan_page_fn fn, void *arg,
			   struct failure *f)
{
	struct pager pg = { a, fn, arg, f };

	return fetch_range(&pg, from, to, wfrom, wto, wlabel);
}

/* ---- a run's raw zone ------------------------------------------------------------------ */

/* A page's parsed answer, or NULL when it is not a usable answer (an error the run retried). */
static struct json_object *usable_page(const char *text, int64_t *total, struct json_object **list)
{
	struct json_object *root = json_tokener_parse(text);

	if (!root || json_object_object_get_ex(root, "gw_err_resp", NULL) ||
	    !json_object_get_boolean(json_object_object_get(root, "success")) ||
	    page_data(root, total, list) < 0) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

int youzan_raw_pages(const char *dir, const struct youzan_raw_page *p, size_t n,
		     youzan_page_fn fn, void *arg, long long *pages, struct failure *f)
{
	struct buf text = BUF_INIT;
	char path[4096];
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct json_object *root, *list;
		int64_t total;

		snprintf(path, sizeof(path), "%s/%s", dir, p[i].file);
		if (rawzone_read_page(path, &text) < 0) {
			rc = failure_set(f, path, "cannot read the raw page");
			break;
		}
		(*pages)++;
		root = usable_page(buf_str(&text), &total, &list);
		if (!root)
			continue;
		if (total < YOUZAN_MAX_PAGE_NO * p[i].page_size)
			rc = fn(arg, list, p[i].file, p[i].page_no);
		json_object_put(root);
	}
	buf_release(&text);
	return rc;
}

int youzan_raw_window_complete(const char *dir, const struct youzan_raw_page *p, size_t n)
{
	struct buf text = BUF_INIT;
	char path[4096];
	int done = 0;

	for (size_t i = n; i-- > 0;) {
		struct json_object *root, *list;
		int64_t total;

		snprintf(path, sizeof(path), "%s/%s", dir, p[i].file);
		if (rawzone_read_page(path, &text) < 0)
			break;
		root = usable_page(buf_str(&text), &total, &list);
		if (!root)
			continue;
		done = p[i].rto == p[i].wto && p[i].page_no == 1 &&
		       total < YOUZAN_MAX_PAGE_NO * p[i].page_size &&
		       (p[i].reread || total <= p[i].page_size);
		json_object_put(root);
		break;
	}
	buf_release(&text);
	return done;
}

/* The page a manifest line describes: 1 an orders page, 0 another line. */
static int manifest_page(struct json_object *o, struct youzan_raw_page *p)
{
	struct json_object *req = NULL, *win, *range;
	const char *entity = "", *file = "";
	int64_t v;

	wj_text(o, "entity", &entity);
	wj_text(o, "file", &file);
	if (strcmp(entity, "orders") != 0 || wj_object(o, "request", &req) != WJ_OK ||
	    wj_array(req, "window", &win) != WJ_OK || wj_array(req, "range", &range) != WJ_OK ||
	    json_object_array_length(win) != 2 || json_object_array_length(range) != 2)
		return 0;
	memset(p, 0, sizeof(*p));
	snprintf(p->file, sizeof(p->file), "%s", file);
	wj_int64_value(json_object_array_get_idx(win, 0), &p->wfrom);
	wj_int64_value(json_object_array_get_idx(win, 1), &p->wto);
	wj_int64_value(json_object_array_get_idx(range, 1), &p->rto);
	p->page_no = wj_int64(req, "page_no", &v) == WJ_OK ? (long)v : 0;
	p->page_size = wj_int64(req, "page_size", &v) == WJ_OK && v > 0 ? (long)v : 100;
	p->reread = wj_int64(req, "reread", &v) == WJ_OK && v;
	return 1;
}

int youzan_raw_manifest(const char *dir, struct youzan_raw_page **out, size_t *n,
			struct failure *f)
{
	char path[4096];
	char *line = NULL;
	size_t cap = 0, lcap = 0;
	int rc = 0;
	FILE *in;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/manifest.jsonl", dir);
	if (!(in = fopen(path, "r")))
		return errno == ENOENT ? 0 : failure_set(f, path, "cannot read: %s", strerror(errno));
	while (rc == 0 && getline(&line, &lcap, in) > 0) {
		struct json_object *o = json_tokener_parse(line);
		struct youzan_raw_page p;

		if (o && manifest_page(o, &p)) {
			if (*n == cap) {
				struct youzan_raw_page *np = realloc(*out, (cap = cap ? 2 * cap : 64) *
									   sizeof(*np));

				if (!np)
					rc = failure_set(f, path, "out of memory");
				else
					*out = np;
			}
			if (rc == 0)
				(*out)[(*n)++] = p;
		}
		json_object_put(o);
	}
	free(line);
	fclose(in);
	return rc;
}

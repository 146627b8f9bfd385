/*
 * youzan.c — the Youzan orders source (see include/siyu/source/youzan.h, docs/youzan.md).
 *
 *   POST /auth/token                       silent grant for the shop (kdt_id);
 *                                          cached until shortly before `expires` (ms)
 *                                          (a tenth of its life, at most 10 minutes)
 *   POST /api/youzan.trades.sold.get/4.0.4 start_update/end_update (China time),
 *                                          page_no ≤ 100 × page_size ≤ 100
 *
 * The windows come from window_plan() over [watermark − lookback,
 * now − safety_lag] (or --since/--until). Each window is one transaction:
 * every page goes to the raw zone before it is parsed, its orders through
 * youzan_order_parse() into the order sink, then the merge, the watermark
 * `orders` = the window's end, and COMMIT. A window whose total_results
 * reaches 100 pages is cut in halves (never truncated). Pages are read
 * 1, then last → 2, then 1 again: orders leaving the range while we page
 * (updated meanwhile) shift the later ones towards page 1, which is read last.
 *
 * Answers: HTTP errors are retried by http.c; {"gw_err_resp":…} naming the
 * token (or codes 4201-4203) gets a new token once; success:false is a
 * business error that fails the source naming the window and page.
 */
#include "siyu/source/youzan.h"

#include "siyu/common/debug.h"
#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/extract/http.h"
#include "siyu/extract/rawzone.h"
#include "siyu/load/db.h"
#include "siyu/load/order_sink.h"
#include "siyu/source/window.h"
#include "siyu/transform/youzan_json.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TRADES_PATH "youzan.trades.sold.get/4.0.4"
#define MAX_PAGE_NO 100
#define MAX_WINDOWS 4096
#define CN_OFFSET (8 * 3600) /* Youzan's times are China time, UTC+8 all year */

struct yz_run {
	const struct source_ctx *ctx;
	struct http_client *http;
	struct rawzone *raw;           /* NULL in a replay */
	struct youzan_xform x;
	struct order_json order;
	char base[512];
	char token[256];
	int64_t token_expires_ms;      /* wall clock, ms */
	const char *tz;
	long page_size;
	struct load_counts *total;     /* the source's counts, committed windows */
	struct load_counts wc;         /* the current window's */
	long item_no;                  /* orders handed over in the window (staging src_row) */
	struct seen {                  /* tids already taken in the current window */
		char **slot;
		size_t cap, n;
	} seen;
	struct order_sink sink;
	struct reject_log rejects;
	char wtext[96];                /* the current window, for messages */
	long long token_fetches;
	char *err;
	size_t errlen;
};

/* ---- times ---------------------------------------------------------------------- */

/* "YYYY-MM-DD HH:MM:SS" China time of unix seconds t. */
static void cn_text(int64_t t, char *out, size_t n)
{
	struct ltime lt;

	if (ltime_from_unix(t + CN_OFFSET, &lt) < 0) {
		snprintf(out, n, "?");
		return;
	}
	lt.has_offset = 0;
	ltime_format(&lt, out, n);
}

/* timestamptz text (UTC) of unix seconds t. */
static void utc_text(int64_t t, char *out, size_t n)
{
	struct ltime lt;

	if (ltime_from_unix(t, &lt) < 0)
		snprintf(out, n, "1970-01-01 00:00:00+00");
	else
		ltime_format(&lt, out, n);
}

/* A time from the command line or `start`; without an offset it is China time. */
static int parse_when(const char *s, int64_t *out)
{
	struct ltime lt;
	const char *why;

	if (ltime_parse(s, strlen(s), &lt, &why) < 0)
		return -1;
	if (!lt.has_offset) {
		lt.has_offset = 1;
		lt.offset_minutes = CN_OFFSET / 60;
	}
	return ltime_to_unix(&lt, out);
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int failf(struct yz_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(struct yz_run *r, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "source %s: %s", r->ctx->src->name, msg);
	return -1;
}

/* ---- token ------------------------------------------------------------------------ */

static int fetch_token(struct yz_run *r, int refresh)
{
	const struct config_source *src = r->ctx->src;
	const char *grant = config_source_get(src, "kdt_id");
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct json_object *req = json_object_new_object(), *root = NULL, *data = NULL;
	const char *tok, *msg = "";
	char url[600], why[1024];
	int64_t expires = 0, code = 0, now, margin;
	int rc = -1;

	if (!grant || !*grant)
		grant = config_source_get(src, "grant_id");
	json_object_object_add(req, "client_id",
			       json_object_new_string(config_source_get(src, "client_id")));
	json_object_object_add(req, "client_secret",
			       json_object_new_string(config_source_get(src, "client_secret")));
	json_object_object_add(req, "authorize_type", json_object_new_string("silent"));
	json_object_object_add(req, "grant_id", json_object_new_string(grant ? grant : ""));
	json_object_object_add(req, "refresh", json_object_new_boolean(refresh));
	snprintf(url, sizeof(url), "%s/auth/token", r->base);
	if (http_request(r->http, "POST", url, json_object_to_json_string(req), &resp, why,
			 sizeof(why)) < 0) {
		failf(r, "POST /auth/token failed: %s", why);
		goto out;
	}
	root = json_tokener_parse(buf_str(&resp.body));
	if (!root || !json_object_is_type(root, json_type_object)) {
		failf(r, "POST /auth/token: the answer is not a JSON object");
		goto out;
	}
	wj_int64(root, "code", &code);
	wj_text(root, "message", &msg);
	if (!json_object_get_boolean(json_object_object_get(root, "success")) ||
	    wj_object(root, "data", &data) != WJ_OK) {
		failf(r, "POST /auth/token: code %" PRId64 " (%.160s): check client_id, "
			 "client_secret (the environment variable it names) and kdt_id in [source.%s]",
		      code, msg ? msg : "", src->name);
		goto out;
	}
	if (wj_text(data, "access_token", &tok) != WJ_OK || !*tok || strlen(tok) >= sizeof(r->token)) {
		failf(r, "POST /auth/token: no usable access_token in the answer");
		goto out;
	}
	snprintf(r->token, sizeof(r->token), "%s", tok);
	now = wall_ms();
	if (wj_int64(data, "expires", &expires) != WJ_OK || expires <= now)
		expires = now + 3600 * 1000LL;
	/* renew early: a tenth of the lifetime, at most 10 minutes */
	margin = (expires - now) / 10 < 600 * 1000LL ? (expires - now) / 10 : 600 * 1000LL;
	r->token_expires_ms = expires - margin;
	r->token_fetches++;
	log_debug("msg=\"youzan token\" source=%s expires_ms=%" PRId64, src->name, expires);
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
};

/* The request body sent, and the manifest's record of it (with the window). */
static void page_bodies(const struct yz_run *r, const struct page_req *q, struct buf *body,
			struct buf *manifest)
{
	char a[32], b[32];

	cn_text(q->from, a, sizeof(a));
	cn_text(q->to - 1, b, sizeof(b)); /* end_update is inclusive: [from, to) */
	buf_addf(body, "{\"start_update\":\"%s\",\"end_update\":\"%s\",\"page_no\":%ld,"
		       "\"page_size\":%ld}", a, b, q->page_no, r->page_size);
	buf_addf(manifest, "{\"start_update\":\"%s\",\"end_update\":\"%s\",\"page_no\":%ld,"
			   "\"page_size\":%ld,\"window\":[%" PRId64 ",%" PRId64 "],\"range\":[%" PRId64
			   ",%" PRId64 "],\"reread\":%d}",
		 a, b, q->page_no, r->page_size, q->wfrom, q->wto, q->from, q->to, q->reread);
}

/*
 * Fetch, keep and check one page; *out is the parsed answer (caller puts it),
 * raw_file its raw-zone file name. 0 / -1 with r->err.
 */
static int call_page(struct yz_run *r, const struct page_req *q, struct json_object **out,
		     char *raw_file, size_t raw_len)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct buf body = BUF_INIT, man = BUF_INIT, url = BUF_INIT;
	struct json_object *root = NULL, *gw = NULL;
	char raw_path[RAWZONE_PATH_MAX + 128] = "", why[1024];
	int refreshed = 0, rc = -1;

	*out = NULL;
	page_bodies(r, q, &body, &man);
	for (;;) {
		enum json_tokener_error jerr;
		const char *msg = "";
		int64_t code = 0;

		if ((!r->token[0] || wall_ms() >= r->token_expires_ms) &&
		    fetch_token(r, refreshed) < 0)
			goto out;
		buf_reset(&url);
		buf_addf(&url, "%s/api/%s?access_token=%s", r->base, TRADES_PATH, r->token);
		if (http_request(r->http, "POST", buf_str(&url), buf_str(&body), &resp, why,
				 sizeof(why)) < 0) {
			failf(r, "window %s page %ld: %s", r->wtext, q->page_no, why);
			goto out;
		}
		if (rawzone_write_page(r->raw, "orders", TRADES_PATH, buf_str(&man),
				       resp.body.data ? resp.body.data : "", resp.body.len, raw_path,
				       sizeof(raw_path), why, sizeof(why)) < 0) {
			failf(r, "window %s page %ld: %s", r->wtext, q->page_no, why);
			goto out;
		}
		r->total->pages++;
		debug_point_at("extract", TRADES_PATH);
		json_object_put(root);
		root = json_tokener_parse_verbose(buf_str(&resp.body), &jerr);
		if (!root || !json_object_is_type(root, json_type_object)) {
			failf(r, "window %s page %ld: the answer is not a JSON object (%s, %zu bytes); "
				 "raw page kept at %s", r->wtext, q->page_no,
			      root ? "another JSON value" : json_tokener_error_desc(jerr), resp.body.len,
			      raw_path);
			goto out;
		}
		if (wj_object(root, "gw_err_resp", &gw) == WJ_OK) {
			wj_int64(gw, "err_code", &code);
			wj_text(gw, "err_msg", &msg);
			if (token_error(code, msg) && !refreshed) {
				log_warn("msg=\"youzan token rejected, fetching a new one\" source=%s "
					 "err_code=%" PRId64, r->ctx->src->name, code);
				refreshed = 1;
				r->token[0] = '\0';
				continue;
			}
			failf(r, "window %s page %ld: gateway error %" PRId64 " (%.160s)%s; raw page "
				 "kept at %s", r->wtext, q->page_no, code, msg ? msg : "",
			      refreshed ? " again after a new token" : "", raw_path);
			goto out;
		}
		if (!json_object_get_boolean(json_object_object_get(root, "success"))) {
			wj_int64(root, "code", &code);
			wj_text(root, "message", &msg);
			failf(r, "window %s page %ld: business error %" PRId64 " (%.160s); raw page kept "
				 "at %s", r->wtext, q->page_no, code, msg ? msg : "", raw_path);
			goto out;
		}
		break;
	}
	{
		const char *base = strrchr(raw_path, '/');

		snprintf(raw_file, raw_len, "%s", base ? base + 1 : raw_path);
	}
	*out = root;
	root = NULL;
	rc = 0;
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

/* ---- tids seen in a window (a re-read order counts and is rejected once) ------------ */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void seen_clear(struct seen *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i]);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* 1 when key was seen before, 0 when it is new (now remembered), -1 out of memory. */
static int seen_add(struct seen *t, const char *key)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		struct seen bigger = { calloc(t->cap ? 2 * t->cap : 1024, sizeof(char *)),
				       t->cap ? 2 * t->cap : 1024, 0 };

		if (!bigger.slot)
			return -1;
		for (size_t k = 0; k < t->cap; k++) {
			if (!t->slot[k])
				continue;
			for (i = fnv1a(t->slot[k]) % bigger.cap; bigger.slot[i]; i = (i + 1) % bigger.cap)
				;
			bigger.slot[i] = t->slot[k];
			bigger.n++;
		}
		free(t->slot);
		*t = bigger;
	}
	for (i = fnv1a(key) % t->cap; t->slot[i]; i = (i + 1) % t->cap)
		if (strcmp(t->slot[i], key) == 0)
			return 1;
	if (!(t->slot[i] = strdup(key)))
		return -1;
	t->n++;
	return 0;
}

/* ---- orders into the sink ------------------------------------------------------------ */

static int reject(struct yz_run *r, struct json_object *item, const char *file, long page,
		  size_t idx, const char *key, const char *why)
{
	char location[256];
	const char *raw = json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE);

	snprintf(location, sizeof(location), "%s page %ld item %zu", file, page, idx + 1);
	r->wc.rejected++;
	log_debug("msg=\"order rejected\" source=%s location=\"%s\" reason=\"%s\"",
		  r->ctx->src->name, location, why);
	return reject_log_add(&r->rejects, "order", key && *key ? key : NULL, location, why, raw,
			      strlen(raw));
}

/* Every order of one page into the sink. 0 / -1 with r->err. */
static int take_page(struct yz_run *r, struct json_object *list, const char *file, long page)
{
	size_t n = list ? json_object_array_length(list) : 0;
	char why[512];

	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(list, i);
		int rc, again = 0;

		rc = youzan_order_parse(&r->x, item, &r->order, why, sizeof(why));
		if (rc == -2)
			return failf(r, "%s page %ld item %zu: %s", file, page, i + 1, why);
		/* pages overlap (page 1 is read twice, orders shift): count each order once */
		if (r->order.key[0] && (again = seen_add(&r->seen, r->order.key)) < 0)
			return failf(r, "out of memory");
		if (!again)
			r->wc.read++;
		if (rc == -1) {
			if (!again && reject(r, item, file, page, i, r->order.key, why) < 0)
				return failf(r, "cannot spool a reject");
			continue;
		}
		r->item_no++;
		for (size_t k = 0; k < r->order.nlines; k++) {
			rc = order_sink_add(&r->sink, r->item_no, &r->order.line[k]);
			if (rc < 0)
				return failf(r, "window %s: COPY into staging failed: %s", r->wtext,
					     db_last_error());
			if (rc == ORDER_SINK_CONFLICT &&
			    reject(r, item, file, page, i, r->order.key,
				   "post_fee or discount differs from an earlier copy of the same "
				   "order version") < 0)
				return failf(r, "cannot spool a reject");
		}
	}
	return 0;
}

/* ---- windows ------------------------------------------------------------------------ */

static int fetch_page(struct yz_run *r, struct page_req *q, int64_t *total)
{
	struct json_object *root = NULL, *list;
	char file[160];
	int rc;

	if (call_page(r, q, &root, file, sizeof(file)) < 0)
		return -1;
	if (page_data(root, total, &list) < 0) {
		json_object_put(root);
		return failf(r, "window %s page %ld: no data.total_results in the answer (%s)",
			     r->wtext, q->page_no, file);
	}
	rc = *total >= MAX_PAGE_NO * r->page_size ? 0 : take_page(r, list, file, q->page_no);
	json_object_put(root);
	return rc;
}

/* Page [from, to) to the end, halving it while it holds more than 100 pages. */
static int fetch_range(struct yz_run *r, int64_t from, int64_t to, int64_t wfrom, int64_t wto)
{
	struct page_req q = { from, to, wfrom, wto, 1, 0 };
	int64_t total, pages;

	if (fetch_page(r, &q, &total) < 0)
		return -1;
	if (total >= MAX_PAGE_NO * r->page_size) {
		int64_t mid = from + (to - from) / 2;

		if (to - from <= 1)
			return failf(r, "window %s: %" PRId64 " orders updated within one second, more "
					"than %ld pages can hold", r->wtext, total, (long)MAX_PAGE_NO);
		log_info("msg=\"youzan window split\" source=%s window=\"%s\" total=%" PRId64,
			 r->ctx->src->name, r->wtext, total);
		return fetch_range(r, from, mid, wfrom, wto) || fetch_range(r, mid, to, wfrom, wto) ? -1
														      : 0;
	}
	pages = (total + r->page_size - 1) / r->page_size;
	for (int64_t p = pages; p >= 2; p--) {
		int64_t ignored;

		q.page_no = (long)p;
		if (fetch_page(r, &q, &ignored) < 0)
			return -1;
	}
	if (pages > 1) {
		int64_t ignored;

		q.page_no = 1;
		q.reread = 1;
		return fetch_page(r, &q, &ignored);
	}
	return 0;
}

static void add_counts(struct load_counts *sum, const struct load_counts *c)
{
	sum->read += c->read;
	sum->inserted += c->inserted;
	sum->updated += c->updated;
	sum->unchanged += c->unchanged;
	sum->duplicates += c->duplicates;
	sum->rejected += c->rejected;
	sum->merged_customers += c->merged_customers;
}

typedef int (*window_fill_fn)(struct yz_run *r, void *arg);

/*
 * One window in one transaction: fill (fetch or replay its pages), check the
 * rejects, merge, the watermark at the window's end with the
 * counts so far, and commit. 0 / -1 with r->err (rolled back).
 */
static int load_window(struct yz_run *r, const struct time_window *w, window_fill_fn fill,
		       void *arg)
{
	const struct source_ctx *ctx = r->ctx;
	struct load_counts sum;
	char a[32], b[32], mark[48];
	int rc = -1;

	cn_text(w->from, a, sizeof(a));
	cn_text(w->to, b, sizeof(b));
	snprintf(r->wtext, sizeof(r->wtext), "%s..%s", a, b);
	utc_text(w->to, mark, sizeof(mark));
	memset(&r->wc, 0, sizeof(r->wc));
	r->item_no = 0;
	seen_clear(&r->seen);
	if (reject_log_open(&r->rejects, ctx->run_id, ctx->src->name) < 0)
		return failf(r, "cannot open the reject spool");
	if (order_sink_begin(&r->sink, ctx->conn, ctx->run_id, ctx->src->name, r->tz, ctx->replay,
			     &r->wc) < 0) {
		failf(r, "window %s: cannot prepare staging: %s", r->wtext, db_last_error());
		goto out;
	}
	if (fill(r, arg) < 0)
		goto out;
	if (r->wc.read && (double)r->wc.rejected / (double)r->wc.read > ctx->max_reject_ratio) {
		failf(r, "window %s: %lld of %lld orders rejected, more than max_reject_ratio %.2f%%; "
			 "nothing loaded, see etl.reject", r->wtext, r->wc.rejected, r->wc.read,
		      100.0 * ctx->max_reject_ratio);
		goto out;
	}
	if (order_sink_merge(&r->sink) < 0) {
		failf(r, "window %s: merge into the warehouse failed: %s", r->wtext, db_last_error());
		goto out;
	}
	sum = *r->total;
	add_counts(&sum, &r->wc);
	if (order_sink_commit(&r->sink, "orders", mark, "running", &sum,
			      ctx->dry_run) < 0) {
		failf(r, "window %s: commit failed: %s", r->wtext, db_last_error());
		goto out;
	}
	*r->total = sum;
	log_info("msg=\"youzan window loaded\" source=%s window=\"%s\" orders=%lld inserted=%lld "
		 "updated=%lld unchanged=%lld rejected=%lld watermark=\"%s\"", ctx->src->name,
		 r->wtext, r->wc.read, r->wc.inserted, r->wc.updated, r->wc.unchanged, r->wc.rejected,
		 mark);
	rc = 0;
out:
	if (rc < 0) {
		order_sink_abort(&r->sink);
		r->total->read += r->wc.read;
		r->total->rejected += r->wc.rejected;
	}
	order_sink_release(&r->sink);
	seen_clear(&r->seen);
	if (!ctx->dry_run && reject_log_flush(&r->rejects, ctx->conn) < 0 && rc == 0)
		rc = failf(r, "window %s: loaded, but its rejects could not be stored", r->wtext);
	reject_log_close(&r->rejects);
	return rc;
}

static int fill_from_api(struct yz_run *r, void *arg)
{
	const struct time_window *w = arg;

	return fetch_range(r, w->from, w->to, w->from, w->to);
}

/* ---- setup ------------------------------------------------------------------------- */

static int setup(struct yz_run *r, const struct source_ctx *ctx, struct load_counts *counts,
		 char *err, size_t errlen)
{
	const struct config_source *src = ctx->src;
	const char *base = config_source_get(src, "base_url");
	const char *shop = config_source_get(src, "kdt_id");
	const char *ps = config_source_get(src, "page_size");
	size_t n;

	memset(r, 0, sizeof(*r));
	memset(counts, 0, sizeof(*counts));
	err[0] = '\0';
	r->ctx = ctx;
	r->total = counts;
	r->err = err;
	r->errlen = errlen;
	/* Youzan's times are China time whatever the business zone. */
	r->tz = src->timezone ? src->timezone : "Asia/Shanghai";
	r->page_size = ps ? strtol(ps, NULL, 10) : 100;
	if (r->page_size < 1 || r->page_size > 100)
		r->page_size = 100;
	if (!shop || !*shop)
		shop = config_source_get(src, "grant_id");
	if (!shop || !*shop)
		return failf(r, "kdt_id is empty: set kdt_id (the shop id) in [source.%s]", src->name);
	r->x.shop_id = shop;
	r->x.pii_key = ctx->pii_key;
	r->x.pii_key_len = ctx->pii_key_len;
	if (!base || snprintf(r->base, sizeof(r->base), "%s", base) >= (int)sizeof(r->base))
		return failf(r, "base_url is empty or too long");
	n = strlen(r->base);
	while (n && r->base[n - 1] == '/')
		r->base[--n] = '\0';
	return 0;
}

static int check_credentials(struct yz_run *r)
{
	const struct config_source *src = r->ctx->src;
	const char *id = config_source_get(src, "client_id");
	const char *secret = config_source_get(src, "client_secret");
	char why[512];

	if (http_url_allowed(r->base, why, sizeof(why)) < 0)
		return failf(r, "base_url: %s", why);
	if (!id || !*id)
		return failf(r, "client_id is empty: set client_id in [source.%s]", src->name);
	if (!secret || !*secret)
		return failf(r, "client_secret is empty: set client_secret = ${VAR} in [source.%s] "
				"and export VAR", src->name);
	return 0;
}

/* The planned windows into w (MAX_WINDOWS). 0 / -1. */
static int plan(struct yz_run *r, struct time_window *w, size_t *n)
{
	const struct source_ctx *ctx = r->ctx;
	const char *start = config_source_get(ctx->src, "start");
	const char *params[] = { ctx->src->name };
	struct window_request q = {
		.now = (int64_t)time(NULL),
		.watermark = WINDOW_NONE,
		.start = WINDOW_NONE,
		.since = WINDOW_NONE,
		.until = WINDOW_NONE,
		.lookback_s = ctx->src->lookback_s,
		.safety_lag_s = ctx->src->safety_lag_s,
		.max_window_s = ctx->src->window_s > 0 && ctx->src->window_s <= 92 * 86400
					? ctx->src->window_s : 86400,
	};
	PGresult *res;
	char why[512];

	res = db_query(ctx->conn, "SELECT extract(epoch FROM value)::bigint FROM etl.watermark "
				  "WHERE source = $1 AND entity = 'orders'", 1, params);
	if (!res)
		return failf(r, "cannot read the watermark: %s", db_last_error());
	if (PQntuples(res) == 1)
		q.watermark = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (start && *start && parse_when(start, &q.start) < 0)
		return failf(r, "start: cannot read '%s'", start);
	if (ctx->since && parse_when(ctx->since, &q.since) < 0)
		return failf(r, "--since: cannot read '%s' (YYYY-MM-DD[ HH:MM[:SS]][+HH:MM])",
			     ctx->since);
	if (ctx->until && parse_when(ctx->until, &q.until) < 0)
		return failf(r, "--until: cannot read '%s' (YYYY-MM-DD[ HH:MM[:SS]][+HH:MM])",
			     ctx->until);
	if (window_plan(&q, w, MAX_WINDOWS, n, why, sizeof(why)) < 0)
		return failf(r, "%s", why);
	return 0;
}

static struct http_client *make_http(const struct source_ctx *ctx, char *err, size_t errlen)
{
	struct http_opts o = {
		.label = ctx->src->name,
		.connect_timeout_s = ctx->src->connect_timeout,
		.timeout_s = ctx->src->timeout,
		.retries = ctx->src->retries,
		.rps = ctx->src->rps,
		.max_body = 64u << 20,
	};

	return http_client_new(&o, err, errlen);
}

int youzan_source_run(const struct source_ctx *ctx, struct load_counts *counts, char *err,
		      size_t errlen)
{
	struct yz_run r;
	struct rawzone raw;
	struct time_window *w = NULL;
	size_t n = 0, done = 0;
	int rc = -1;

	memset(&raw, 0, sizeof(raw));
	if (setup(&r, ctx, counts, err, errlen) < 0 || check_credentials(&r) < 0)
		return -1;
	if (!(w = calloc(MAX_WINDOWS, sizeof(*w)))) {
		failf(&r, "out of memory");
		goto out;
	}
	if (plan(&r, w, &n) < 0)
		goto out;
	if (n == 0) {
		log_info("msg=\"youzan: nothing new yet\" source=%s", ctx->src->name);
		rc = 0;
		goto out;
	}
	if (!(r.http = make_http(ctx, err, errlen)) ||
	    rawzone_open(&raw, ctx->raw_dir, ctx->src->name, ctx->run_id, err, errlen) < 0)
		goto out;
	r.raw = &raw;
	log_info("msg=\"youzan plan\" source=%s windows=%zu from=%" PRId64 " to=%" PRId64,
		 ctx->src->name, n, w[0].from, w[n - 1].to);
	for (done = 0; done < n; done++)
		if (load_window(&r, &w[done], fill_from_api, &w[done]) < 0)
			break;
	rc = done == n ? 0 : -1;
	log_info("msg=\"youzan source done\" source=%s status=%s windows=%zu/%zu pages=%ld "
		 "token_fetches=%lld requests=%lld backoff_ms=%lld phones_skipped=%ld",
		 ctx->src->name, rc == 0 ? "ok" : "failed", done, n, counts->pages, r.token_fetches,
		 http_client_requests(r.http), http_client_slept_ms(r.http), r.x.phones_skipped);
out:
	if (rawzone_close(&raw) < 0 && rc == 0)
		rc = failf(&r, "cannot sync the raw zone");
	memset(r.token, 0, sizeof(r.token));
	order_json_release(&r.order);
	http_client_free(r.http);
	free(w);
	return rc;
}

/* ---- replay ------------------------------------------------------------------------- */

/* One page of a run's manifest. */
struct raw_page {
	char file[96];
	int64_t wfrom, wto, rto;
	long page_no, page_size;
	int reread;
};

struct raw_group {
	const char *dir;
	const struct raw_page *p;
	size_t n;
};

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

static int fill_from_raw(struct yz_run *r, void *arg)
{
	const struct raw_group *g = arg;
	struct buf text = BUF_INIT;
	char path[4096];
	int rc = 0;

	for (size_t i = 0; i < g->n && rc == 0; i++) {
		struct json_object *root, *list;
		int64_t total;

		snprintf(path, sizeof(path), "%s/%s", g->dir, g->p[i].file);
		if (rawzone_read_page(path, &text) < 0) {
			rc = failf(r, "cannot read the raw page '%s'", path);
			break;
		}
		r->total->pages++;
		root = usable_page(buf_str(&text), &total, &list);
		if (!root)
			continue;
		if (total < MAX_PAGE_NO * g->p[i].page_size)
			rc = take_page(r, list, g->p[i].file, g->p[i].page_no);
		json_object_put(root);
	}
	buf_release(&text);
	return rc;
}

/* Whether the run finished the window: its last usable page closed the last range. */
static int group_complete(const char *dir, const struct raw_page *p, size_t n)
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
		       total < MAX_PAGE_NO * p[i].page_size && (p[i].reread || total <= p[i].page_size);
		json_object_put(root);
		break;
	}
	buf_release(&text);
	return done;
}

/* The orders pages listed in dir/manifest.jsonl, in the order the run wrote them. */
static int read_manifest(const char *dir, struct raw_page **out, size_t *n, char *why, size_t len)
{
	char path[4096];
	char *line = NULL;
	size_t cap = 0, lcap = 0;
	FILE *f;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/manifest.jsonl", dir);
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, len, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &lcap, f) > 0) {
		struct json_object *o = json_tokener_parse(line), *req = NULL, *win, *range;
		const char *entity = "", *file = "";
		struct raw_page p = { 0 };
		int64_t v;

		if (!o)
			continue;
		wj_text(o, "entity", &entity);
		wj_text(o, "file", &file);
		if (strcmp(entity, "orders") == 0 && wj_object(o, "request", &req) == WJ_OK &&
		    wj_array(req, "window", &win) == WJ_OK && wj_array(req, "range", &range) == WJ_OK &&
		    json_object_array_length(win) == 2 && json_object_array_length(range) == 2) {
			snprintf(p.file, sizeof(p.file), "%s", file);
			wj_int64_value(json_object_array_get_idx(win, 0), &p.wfrom);
			wj_int64_value(json_object_array_get_idx(win, 1), &p.wto);
			wj_int64_value(json_object_array_get_idx(range, 1), &p.rto);
			p.page_no = wj_int64(req, "page_no", &v) == WJ_OK ? (long)v : 0;
			p.page_size = wj_int64(req, "page_size", &v) == WJ_OK && v > 0 ? (long)v : 100;
			p.reread = wj_int64(req, "reread", &v) == WJ_OK && v;
			if (*n == cap) {
				struct raw_page *np = realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof(*np));

				if (!np) {
					json_object_put(o);
					snprintf(why, len, "out of memory");
					break;
				}
				*out = np;
			}
			(*out)[(*n)++] = p;
		}
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return 0;
}

int youzan_source_replay(const struct source_ctx *ctx, const char *dir, long long raw_run_id,
			 struct load_counts *counts, char *err, size_t errlen)
{
	struct yz_run r;
	struct raw_page *p = NULL;
	size_t n = 0;
	int rc = 0;

	if (setup(&r, ctx, counts, err, errlen) < 0)
		return -1;
	if (read_manifest(dir, &p, &n, err, errlen) < 0) {
		free(p);
		return -1;
	}
	if (n == 0)
		log_warn("msg=\"nothing to replay\" source=%s raw_run=%lld dir=%s", ctx->src->name,
			 raw_run_id, dir);
	for (size_t i = 0; i < n && rc == 0;) {
		size_t j = i;
		struct time_window w = { p[i].wfrom, p[i].wto };
		struct raw_group g = { dir, &p[i], 0 };

		while (j < n && p[j].wfrom == w.from && p[j].wto == w.to)
			j++;
		g.n = j - i;
		if (group_complete(dir, g.p, g.n))
			rc = load_window(&r, &w, fill_from_raw, &g);
		else
			log_warn("msg=\"window not finished by the run, not replayed\" source=%s "
				 "raw_run=%lld window_from=%" PRId64 " window_to=%" PRId64,
				 ctx->src->name, raw_run_id, w.from, w.to);
		i = j;
	}
	order_json_release(&r.order);
	free(p);
	return rc;
}

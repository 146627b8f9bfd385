/*
 * youzan.c — the Youzan orders driver (see include/siyu/source/youzan.h,
 * docs/youzan.md).
 *
 *   plan    windows of [watermark − lookback, now − safety_lag] (or
 *           --since/--until, or `start` on a first run), source/window.c;
 *           in a replay, the windows the run finished, from its manifest
 *   stage   page the window to the end through the API client
 *           (extract/youzan_api.c: token, paging, splitting, raw zone) or
 *           read its pages back; each order through youzan_order_parse()
 *           (transform/youzan_json.c) into the order sink
 *   merge   the order sink's merge; the watermark `orders` is the window's
 *           end, so a crash resumes after the last committed window
 */
#include "siyu/source/youzan.h"

#include "siyu/common/log.h"
#include "siyu/common/ltime.h"
#include "siyu/common/strset.h"
#include "siyu/extract/http.h"
#include "siyu/extract/rawzone.h"
#include "siyu/extract/youzan_api.h"
#include "siyu/load/db.h"
#include "siyu/load/order_sink.h"
#include "siyu/source/window.h"
#include "siyu/transform/youzan_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WINDOWS 4096

struct yz_state {
	const struct source_ctx *ctx;
	struct http_client *http;      /* NULL in a replay */
	struct rawzone raw;            /* opened at the first window */
	struct youzan_api api;
	struct youzan_xform x;
	struct order_json order;
	struct youzan_raw_page *pages; /* a replay: the run's manifest */
	size_t npages, nunits, staged;
	const char *tz;
	/* the current window */
	struct source_tx *tx;
	struct order_sink sink;
	struct strset seen;            /* tids already taken (pages overlap) */
	long item_no;                  /* orders handed over (staging src_row) */
	char mark[48];                 /* its watermark */
};

/* A time from the command line or `start`; without an offset it is China time. */
static int parse_when(const char *s, int64_t *out)
{
	struct ltime lt;
	const char *why;

	if (ltime_parse(s, strlen(s), &lt, &why) < 0)
		return -1;
	if (!lt.has_offset) {
		lt.has_offset = 1;
		lt.offset_minutes = YOUZAN_CN_OFFSET / 60;
	}
	return ltime_to_unix(&lt, out);
}

static int yz_open(const struct source_ctx *ctx, void **state, struct failure *f)
{
	const struct config_source *src = ctx->src;
	const char *shop = config_source_get(src, "kdt_id");
	const char *ps = config_source_get(src, "page_size");
	struct yz_state *s = calloc(1, sizeof(*s));
	int rc = 0;

	*state = NULL;
	if (!s)
		return failure_set(f, NULL, "out of memory");
	s->ctx = ctx;
	s->raw.manifest_fd = -1;
	/* Youzan's times are China time whatever the business zone. */
	s->tz = src->timezone ? src->timezone : "Asia/Shanghai";
	if (!shop || !*shop)
		shop = config_source_get(src, "grant_id");
	if (!shop || !*shop)
		rc = failure_set(f, NULL, "kdt_id is empty: set kdt_id (the shop id) in [source.%s]",
				 src->name);
	s->x.shop_id = shop;
	s->x.pii_key = ctx->pii_key;
	s->x.pii_key_len = ctx->pii_key_len;
	if (rc == 0 && ctx->replay) {
		rc = youzan_raw_manifest(ctx->replay_dir, &s->pages, &s->npages, f);
	} else if (rc == 0) {
		rc = youzan_api_init(&s->api, NULL, &s->raw, src->name,
				     config_source_get(src, "base_url"),
				     config_source_get(src, "client_id"),
				     config_source_get(src, "client_secret"), shop,
				     ps ? strtol(ps, NULL, 10) : 100, f);
	}
	*state = s;
	return rc;
}

/* The label of window [from, to) in China time. */
static void window_label(int64_t from, int64_t to, char *out, size_t n)
{
	char a[32], b[32];

	youzan_cn_text(from, a, sizeof(a));
	youzan_cn_text(to, b, sizeof(b));
	snprintf(out, n, "window %s..%s", a, b);
}

static int add_window(struct source_plan *plan, int64_t from, int64_t to, size_t first,
		      size_t n, struct failure *f)
{
	struct source_unit u = { .from = from, .to = to, .first = first, .n = n };

	window_label(from, to, u.label, sizeof(u.label));
	return source_plan_add(plan, &u) < 0 ? failure_set(f, NULL, "out of memory") : 0;
}

/* The windows to fetch, from the watermark (or start, --since, --until). */
static int plan_windows(struct yz_state *s, struct source_plan *plan, struct failure *f)
{
	const struct source_ctx *ctx = s->ctx;
	const char *start = config_source_get(ctx->src, "start");
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
	struct time_window *w = calloc(MAX_WINDOWS, sizeof(*w));
	long long mark = WINDOW_NONE;
	char why[512];
	size_t n = 0;
	int rc = 0;

	if (!w)
		return failure_set(f, NULL, "out of memory");
	if (runlog_watermark_epoch(ctx->conn, ctx->src->name, "orders", &mark) < 0)
		rc = db_fail(f, NULL, "cannot read the watermark");
	q.watermark = mark;
	if (rc == 0 && start && *start && parse_when(start, &q.start) < 0)
		rc = failure_set(f, NULL, "start: cannot read '%s'", start);
	if (rc == 0 && ctx->since && parse_when(ctx->since, &q.since) < 0)
		rc = failure_set(f, NULL, "--since: cannot read '%s' (YYYY-MM-DD[ HH:MM[:SS]][+HH:MM])",
				 ctx->since);
	if (rc == 0 && ctx->until && parse_when(ctx->until, &q.until) < 0)
		rc = failure_set(f, NULL, "--until: cannot read '%s' (YYYY-MM-DD[ HH:MM[:SS]][+HH:MM])",
				 ctx->until);
	if (rc == 0 && window_plan(&q, w, MAX_WINDOWS, &n, why, sizeof(why)) < 0)
		rc = failure_set(f, NULL, "%s", why);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_window(plan, w[i].from, w[i].to, 0, 0, f);
	if (rc == 0 && n == 0)
		log_info("msg=\"youzan: nothing new yet\" source=%s", ctx->src->name);
	else if (rc == 0)
		log_info("msg=\"youzan plan\" source=%s windows=%zu from=%" PRId64 " to=%" PRId64,
			 ctx->src->name, n, w[0].from, w[n - 1].to);
	free(w);
	return rc;
}

/* A replay: the run's windows, each the pages it read for it; unfinished ones are left out. */
static int plan_raw_windows(struct yz_state *s, struct source_plan *plan, struct failure *f)
{
	const struct source_ctx *ctx = s->ctx;
	const struct youzan_raw_page *p = s->pages;

	for (size_t i = 0, j; i < s->npages; i = j) {
		for (j = i; j < s->npages && p[j].wfrom == p[i].wfrom && p[j].wto == p[i].wto; j++)
			;
		if (youzan_raw_window_complete(ctx->replay_dir, p + i, j - i)) {
			if (add_window(plan, p[i].wfrom, p[i].wto, i, j - i, f) < 0)
				return -1;
		} else {
			log_warn("msg=\"window not finished by the run, not replayed\" source=%s "
				 "raw_run=%lld window_from=%" PRId64 " window_to=%" PRId64,
				 ctx->src->name, ctx->raw_run_id, p[i].wfrom, p[i].wto);
		}
	}
	return 0;
}

static int yz_plan(void *state, struct source_plan *plan, struct failure *f)
{
	struct yz_state *s = state;
	int rc = s->ctx->replay ? plan_raw_windows(s, plan, f) : plan_windows(s, plan, f);

	s->nunits = plan->n;
	return rc;
}

/* Spool one rejected order of the window. 0 / -1. */
static int reject(struct yz_state *s, struct json_object *item, const char *file, long page,
		  size_t idx, const char *key, const char *why)
{
	char location[256];
	const char *raw = json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE);

	snprintf(location, sizeof(location), "%s page %ld item %zu", file, page, idx + 1);
	s->tx->c.rejected++;
	log_debug("msg=\"order rejected\" source=%s location=\"%s\" reason=\"%s\"",
		  s->ctx->src->name, location, why);
	if (reject_log_add(&s->tx->rejects, "order", key && *key ? key : NULL, location, why, raw,
			   strlen(raw)) < 0)
		return failure_set(s->tx->fail, location, "cannot spool a reject");
	return 0;
}

/* One order's lines into the sink; a conflicting copy of the order is rejected. */
static int stream_order(struct yz_state *s, struct json_object *item, const char *file,
			long page, size_t idx)
{
	s->item_no++;
	for (size_t k = 0; k < s->order.nlines; k++) {
		int rc = order_sink_add(&s->sink, s->item_no, &s->order.line[k]);

		if (rc < 0)
			return db_fail(s->tx->fail, NULL, "COPY into staging failed");
		if (rc == ORDER_SINK_CONFLICT &&
		    reject(s, item, file, page, idx, s->order.key,
			   "post_fee or discount differs from an earlier copy of the same order "
			   "version") < 0)
			return -1;
	}
	return 0;
}

/* Every order of one page into the sink (youzan_page_fn). */
static int take_page(void *arg, struct json_object *list, const char *file, long page)
{
	struct yz_state *s = arg;
	size_t n = list ? json_object_array_length(list) : 0;
	char why[512], at[256];

	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(list, i);
		int rc, again = 0;

		rc = youzan_order_parse(&s->x, item, &s->order, why, sizeof(why));
		snprintf(at, sizeof(at), "%s page %ld item %zu", file, page, i + 1);
		if (rc == -2)
			return failure_set(s->tx->fail, at, "%s", why);
		/* pages overlap (page 1 is read twice, orders shift): count each order once */
		if (s->order.key[0] && (again = strset_add(&s->seen, s->order.key)) < 0)
			return failure_set(s->tx->fail, at, "out of memory");
		if (!again)
			s->tx->c.read++;
		if (rc == -1) {
			if (!again && reject(s, item, file, page, i, s->order.key, why) < 0)
				return -1;
			continue;
		}
		if (stream_order(s, item, file, page, i) < 0)
			return -1;
	}
	return 0;
}

/* The API's client and the run's raw zone, at the first window. */
static int start_fetching(struct yz_state *s, struct failure *f)
{
	const struct source_ctx *ctx = s->ctx;
	char err[1024];

	if (s->http)
		return 0;
	if (!(s->http = source_http_client(ctx, f)))
		return -1;
	s->api.http = s->http;
	if (rawzone_open(&s->raw, ctx->raw_dir, ctx->src->name, ctx->run_id, err, sizeof(err)) < 0)
		return failure_set(f, NULL, "%s", err);
	return 0;
}

static int yz_stage(void *state, struct source_tx *tx)
{
	struct yz_state *s = state;
	const struct source_ctx *ctx = s->ctx;
	const struct source_unit *u = tx->unit;
	long long pages = s->api.pages;
	int rc;

	s->tx = tx;
	s->item_no = 0;
	s->staged++;
	if (order_sink_begin(&s->sink, ctx->conn, ctx->run_id, ctx->src->name, s->tz, ctx->replay,
			     &tx->c) < 0)
		return db_fail(tx->fail, NULL, "cannot prepare staging");
	if (ctx->replay) {
		long long read = 0;

		rc = youzan_raw_pages(ctx->replay_dir, s->pages + u->first, u->n, take_page, s,
				      &read, tx->fail);
		tx->c.pages += read;
		return rc;
	}
	rc = start_fetching(s, tx->fail);
	if (rc == 0)
		rc = youzan_api_fetch_range(&s->api, u->from, u->to, u->from, u->to, u->label,
					    take_page, s, tx->fail);
	tx->c.pages += s->api.pages - pages;
	return rc;
}

static int yz_merge(void *state, struct source_tx *tx)
{
	struct yz_state *s = state;
	struct ltime lt;

	if (order_sink_merge(&s->sink) < 0)
		return db_fail(tx->fail, NULL, "merge into the warehouse failed");
	/* the window's end, in UTC: committed with the window */
	if (ltime_from_unix(tx->unit->to, &lt) < 0)
		snprintf(s->mark, sizeof(s->mark), "1970-01-01 00:00:00+00");
	else
		ltime_format(&lt, s->mark, sizeof(s->mark));
	tx->entity = "orders";
	tx->watermark = s->mark;
	return 0;
}

static void yz_unit_done(void *state)
{
	struct yz_state *s = state;

	order_sink_release(&s->sink);
	memset(&s->sink, 0, sizeof(s->sink));
	strset_clear(&s->seen);
	s->tx = NULL;
}

static void yz_close(void *state, int failed)
{
	struct yz_state *s = state;

	if (s->http)
		log_info("msg=\"youzan source done\" source=%s status=%s windows=%zu/%zu pages=%lld "
			 "token_fetches=%lld requests=%lld backoff_ms=%lld phones_skipped=%ld",
			 s->ctx->src->name, failed ? "failed" : "ok", s->staged, s->nunits,
			 s->api.pages, s->api.token_fetches, http_client_requests(s->http),
			 http_client_slept_ms(s->http), s->x.phones_skipped);
	if (rawzone_close(&s->raw) < 0)
		log_warn("msg=\"cannot sync the raw zone\" source=%s dir=%s", s->ctx->src->name,
			 s->raw.dir);
	youzan_api_release(&s->api);
	order_json_release(&s->order);
	http_client_free(s->http);
	free(s->pages);
	free(s);
}

const struct source_driver youzan_driver = {
	.type = "youzan",
	.open = yz_open,
	.plan = yz_plan,
	.stage = yz_stage,
	.merge = yz_merge,
	.unit_done = yz_unit_done,
	.close = yz_close,
};

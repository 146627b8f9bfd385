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

#include "siyu/source/api_orders.h"

#include "siyu/common/log.h"
#include "siyu/extract/http.h"
#include "siyu/extract/rawzone.h"
#include "siyu/extract/youzan_api.h"
#include "siyu/transform/youzan_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

struct yz_state {
	const struct source_ctx *ctx;
	struct http_client *http;      /* NULL in a replay */
	struct rawzone raw;            /* opened at the first window */
	struct youzan_api api;
	struct youzan_xform x;
	struct api_orders orders;      /* the current window's orders into the sink */
	struct youzan_raw_page *pages; /* a replay: the run's manifest */
	size_t npages, nunits, staged;
};

static int parse(void *arg, struct json_object *item, struct order_json *o, char *why,
		 size_t whylen)
{
	return youzan_order_parse(arg, item, o, why, whylen);
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
	s->orders.ctx = ctx;
	/* Youzan's times are China time whatever the business zone. */
	s->orders.tz = src->timezone ? src->timezone : "Asia/Shanghai";
	s->orders.parse = parse;
	s->orders.parse_arg = &s->x;
	s->orders.pages = &s->api.pages;
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

/* A replay: the run's windows, each the pages it read for it; unfinished ones are left out. */
static int plan_raw_windows(struct yz_state *s, struct source_plan *plan, struct failure *f)
{
	const struct source_ctx *ctx = s->ctx;
	const struct youzan_raw_page *p = s->pages;

	for (size_t i = 0, j; i < s->npages; i = j) {
		for (j = i; j < s->npages && p[j].wfrom == p[i].wfrom && p[j].wto == p[i].wto; j++)
			;
		if (youzan_raw_window_complete(ctx->replay_dir, p + i, j - i)) {
			if (api_orders_add_window(plan, p[i].wfrom, p[i].wto, i, j - i, f) < 0)
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
	int rc = s->ctx->replay ? plan_raw_windows(s, plan, f)
				: api_orders_plan(s->ctx, "youzan", plan, f);

	s->nunits = plan->n;
	return rc;
}

/* Every order of one page into the sink (youzan_page_fn). */
static int take_page(void *arg, struct json_object *list, const char *file, long page)
{
	struct yz_state *s = arg;
	size_t n = list ? json_object_array_length(list) : 0;
	char at[256];

	for (size_t i = 0; i < n; i++) {
		snprintf(at, sizeof(at), "%s page %ld item %zu", file, page, i + 1);
		if (api_orders_take(&s->orders, json_object_array_get_idx(list, i), at) < 0)
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

	s->staged++;
	if (api_orders_begin(&s->orders, tx) < 0)
		return -1;
	/* a replay counts in api.pages the pages it reads back (the progress watches it) */
	if (ctx->replay)
		rc = youzan_raw_pages(ctx->replay_dir, s->pages + u->first, u->n, take_page, s,
				      &s->api.pages, tx->fail);
	else if ((rc = start_fetching(s, tx->fail)) == 0)
		rc = youzan_api_fetch_range(&s->api, u->from, u->to, u->from, u->to, u->label,
					    take_page, s, tx->fail);
	tx->c.pages += s->api.pages - pages;
	return rc;
}

static int yz_merge(void *state, struct source_tx *tx)
{
	struct yz_state *s = state;

	return api_orders_merge(&s->orders, tx);
}

static void yz_unit_done(void *state)
{
	struct yz_state *s = state;

	api_orders_done(&s->orders);
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
	api_orders_release(&s->orders);
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

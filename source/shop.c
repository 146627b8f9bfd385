/*
 * shop.c — the order drivers of the shop platforms (see include/siyu/source/shop.h):
 * taobao, jd, pdd, douyin and channels, one table row each.
 *
 *   open    the platform's client from [source.NAME] (its keys: pipeline.conf), the
 *           HTTP client, the page fetcher; shop_id is the shop in the warehouse
 *           (default the section's name; douyin: its shop_id)
 *   plan    windows by modified time of the source's `window` (source/api_orders.c);
 *           in a replay, the windows the replayed run finished (extract/api_pages.c)
 *   stage   the window read to the end the platform's way (extract/api_pages.c), or its
 *           pages read back, each order through the platform's mapping into the sink
 *   merge   the sink's merge; the watermark `orders` is the window's end
 *
 * A page that still fails after the fetcher's retries fails the window: rolled back,
 * the watermark kept, the source failed naming platform, shop, window and page.
 */
#include "siyu/source/shop.h"

#include "siyu/common/log.h"
#include "siyu/extract/api_pages.h"
#include "siyu/extract/channels_api.h"
#include "siyu/extract/douyin_api.h"
#include "siyu/extract/http.h"
#include "siyu/extract/jd_api.h"
#include "siyu/extract/pdd_api.h"
#include "siyu/extract/rawzone.h"
#include "siyu/extract/top_api.h"
#include "siyu/source/api_orders.h"
#include "siyu/transform/channels_json.h"
#include "siyu/transform/douyin_json.h"
#include "siyu/transform/jd_json.h"
#include "siyu/transform/pdd_json.h"
#include "siyu/transform/taobao_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shop_state;

/* What a platform plugs in. */
struct shop_platform {
	const char *type;
	const struct api_platform *api;
	const char *endpoint;              /* the list call, for the manifest */
	enum api_paging paging;
	int first_page;
	int (*list)(struct json_object *root, int64_t *total, struct json_object **orders);
	int (*cursor)(struct json_object *root, struct json_object **ids, const char **next,
		      int *more);
	/* the client from [source.NAME]: 0, or -1 with f */
	int (*open)(struct shop_state *s, struct failure *f);
	void (*clear)(void *client);       /* wipe its token */
	api_order_parse_fn parse;          /* arg: the state */
};

struct shop_state {
	const struct source_ctx *ctx;
	const struct shop_platform *p;
	const char *shop_id;
	const char *shop_name;             /* [source.NAME] shop_name, or NULL */
	union {
		struct top_client top;
		struct pdd_client pdd;
		struct jd_client jd;
		struct douyin_client douyin;
		struct channels_client channels;
	} c;
	struct http_client *http;          /* NULL in a replay */
	struct rawzone raw;
	struct api_fetcher fetch;
	struct api_pager pager;
	struct api_orders orders;
	struct api_raw_page *pages;        /* a replay: the run's manifest */
	size_t npages, nunits, staged;
};

static const char *get(const struct shop_state *s, const char *key)
{
	const char *v = config_source_get(s->ctx->src, key);

	return v && *v ? v : NULL;
}

/* ---- the platforms ---------------------------------------------------------------------- */

static int taobao_open(struct shop_state *s, struct failure *f)
{
	char err[256];

	if (top_client_init(&s->c.top, get(s, "base_url"),
			    get(s, "token_url") ? get(s, "token_url") : "https://oauth.taobao.com/token",
			    get(s, "app_key"), get(s, "app_secret"), get(s, "session"),
			    get(s, "refresh_token"), get(s, "sign_method"), err, sizeof(err)) < 0)
		return failure_set(f, NULL, "%s", err);
	s->c.top.http = s->http;
	return 0;
}

/*
 * The shop's display name (dim_channel.shop_name) from [source.NAME] shop_name on every
 * line of a parsed order: the order APIs do not carry it. rc is the platform parse's.
 */
static int with_shop_name(const struct shop_state *s, struct order_json *o, int rc)
{
	if (rc == 0 && s->shop_name)
		for (size_t i = 0; i < o->nlines; i++)
			o->line[i].shop_name = oj_span(s->shop_name);
	return rc;
}

static int taobao_parse(void *arg, struct json_object *item, struct order_json *o, char *why,
			size_t whylen)
{
	const struct shop_state *s = arg;
	const struct taobao_xform x = { "taobao", s->shop_id };

	return with_shop_name(s, o, taobao_trade_parse(&x, item, o, why, whylen));
}

static int pdd_open(struct shop_state *s, struct failure *f)
{
	char err[256];

	if (pdd_client_init(&s->c.pdd, get(s, "base_url"), get(s, "client_id"),
			    get(s, "client_secret"), get(s, "access_token"), get(s, "refresh_token"),
			    err, sizeof(err)) < 0)
		return failure_set(f, NULL, "%s", err);
	s->c.pdd.http = s->http;
	return 0;
}

static int pdd_parse(void *arg, struct json_object *item, struct order_json *o, char *why,
		     size_t whylen)
{
	const struct shop_state *s = arg;
	const struct pdd_xform x = { s->shop_id };

	return with_shop_name(s, o, pdd_order_parse(&x, item, o, why, whylen));
}

static int jd_open(struct shop_state *s, struct failure *f)
{
	char err[256];

	if (jd_client_init(&s->c.jd, get(s, "base_url"),
			   get(s, "token_url") ? get(s, "token_url")
					       : "https://open-oauth.jd.com/oauth2/refresh_token",
			   get(s, "app_key"), get(s, "app_secret"), get(s, "access_token"),
			   get(s, "refresh_token"), err, sizeof(err)) < 0)
		return failure_set(f, NULL, "%s", err);
	s->c.jd.http = s->http;
	return 0;
}

static int jd_parse(void *arg, struct json_object *item, struct order_json *o, char *why,
		    size_t whylen)
{
	const struct shop_state *s = arg;
	const struct jd_xform x = { s->shop_id };

	return with_shop_name(s, o, jd_order_parse(&x, item, o, why, whylen));
}

static int douyin_open(struct shop_state *s, struct failure *f)
{
	char err[256];

	douyin_client_init(&s->c.douyin, get(s, "base_url"), get(s, "app_key"),
			   get(s, "app_secret"), get(s, "shop_id"));
	s->c.douyin.http = s->http;
	if (api_copy_token("access_token", get(s, "access_token"), s->c.douyin.access_token,
			   sizeof(s->c.douyin.access_token), err, sizeof(err)) < 0)
		return failure_set(f, NULL, "%s", err);
	return 0;
}

static int douyin_parse(void *arg, struct json_object *item, struct order_json *o, char *why,
			size_t whylen)
{
	const struct shop_state *s = arg;
	const struct douyin_xform x = { s->shop_id };

	return with_shop_name(s, o, douyin_order_parse(&x, item, o, why, whylen));
}

static int channels_open(struct shop_state *s, struct failure *f)
{
	(void)f;
	channels_client_init(&s->c.channels, get(s, "base_url"), get(s, "appid"),
			     get(s, "appsecret"));
	s->c.channels.http = s->http;
	return 0;
}

static int channels_parse(void *arg, struct json_object *item, struct order_json *o, char *why,
			  size_t whylen)
{
	const struct shop_state *s = arg;
	const struct channels_xform x = { s->shop_id };

	return with_shop_name(s, o, channels_order_parse(&x, item, o, why, whylen));
}

static void top_clear(void *c) { top_client_clear(c); }
static void pdd_clear(void *c) { pdd_client_clear(c); }
static void jd_clear(void *c) { jd_client_clear(c); }
static void douyin_clear(void *c) { douyin_client_clear(c); }
static void channels_clear(void *c) { channels_client_clear(c); }

static const struct shop_platform platforms[] = {
	{ "taobao", &top_platform, TOP_LIST_METHOD, API_PAGED, 1, top_list_parse, NULL,
	  taobao_open, top_clear, taobao_parse },
	{ "jd", &jd_platform, JD_LIST_METHOD, API_PAGED, 1, jd_list_parse, NULL,
	  jd_open, jd_clear, jd_parse },
	{ "pdd", &pdd_platform, PDD_LIST_TYPE, API_PAGED, 1, pdd_list_parse, NULL,
	  pdd_open, pdd_clear, pdd_parse },
	{ "douyin", &douyin_platform, DOUYIN_LIST_METHOD, API_PAGED, 0, douyin_list_parse, NULL, douyin_open, douyin_clear, douyin_parse },
	{ "channels", &channels_platform, CHANNELS_LIST_PATH, API_CURSOR, 1, NULL,
	  channels_list_parse, channels_open, channels_clear, channels_parse },
};

/* ---- the driver ----------------------------------------------------------------------- */

static int shop_open(const struct source_ctx *ctx, const struct shop_platform *p, void **state,
		     struct failure *f)
{
	struct shop_state *s = calloc(1, sizeof(*s));
	const char *ps = config_source_get(ctx->src, "page_size");
	char err[1024];

	*state = s;
	if (!s)
		return failure_set(f, NULL, "out of memory");
	s->ctx = ctx;
	s->p = p;
	s->raw.manifest_fd = -1;
	s->shop_id = get(s, "shop_id") ? get(s, "shop_id") : ctx->src->name;
	s->shop_name = get(s, "shop_name");
	s->orders = (struct api_orders){ .ctx = ctx, .parse = p->parse, .parse_arg = s,
					 .pages = &s->pager.pages,
					 .tz = ctx->src->timezone ? ctx->src->timezone
								  : "Asia/Shanghai" };
	s->pager = (struct api_pager){ .fetch = &s->fetch, .api = p->api, .platform = p->type,
				       .shop = s->shop_id, .paging = p->paging,
				       .first_page = p->first_page, .list = p->list,
				       .cursor = p->cursor,
				       .page_size = ps ? strtol(ps, NULL, 10) : 100 };
	if (s->pager.page_size < 1 || s->pager.page_size > 100)
		s->pager.page_size = 100;
	if (ctx->replay)
		return api_raw_manifest(ctx->replay_dir, &s->pages, &s->npages, f);
	if (http_url_allowed(get(s, "base_url") ? get(s, "base_url") : "", err, sizeof(err)) < 0)
		return failure_set(f, NULL, "base_url: %s", err);
	if (!(s->http = source_http_client(ctx, f)) || p->open(s, f) < 0)
		return -1;
	s->fetch = (struct api_fetcher){ .p = p->api, .client = &s->c, .http = s->http,
					 .raw = &s->raw, .endpoint = p->endpoint };
	if (rawzone_open(&s->raw, ctx->raw_dir, ctx->src->name, ctx->run_id, err, sizeof(err)) < 0)
		return failure_set(f, NULL, "%s", err);
	return 0;
}

/* A replay: the run's windows, each the pages it read for it; unfinished ones left out. */
static int plan_raw_windows(struct shop_state *s, struct source_plan *plan, struct failure *f)
{
	const struct api_raw_page *pg = s->pages;

	for (size_t i = 0, j; i < s->npages; i = j) {
		for (j = i; j < s->npages && pg[j].wfrom == pg[i].wfrom && pg[j].wto == pg[i].wto; j++)
			;
		if (api_raw_window_complete(&s->pager, s->ctx->replay_dir, pg + i, j - i)) {
			if (api_orders_add_window(plan, pg[i].wfrom, pg[i].wto, i, j - i, f) < 0)
				return -1;
		} else {
			log_warn("msg=\"window not finished by the run, not replayed\" source=%s "
				 "raw_run=%lld window_from=%lld window_to=%lld", s->ctx->src->name,
				 s->ctx->raw_run_id, (long long)pg[i].wfrom, (long long)pg[i].wto);
		}
	}
	return 0;
}

static int shop_plan(void *state, struct source_plan *plan, struct failure *f)
{
	struct shop_state *s = state;
	int rc = s->ctx->replay ? plan_raw_windows(s, plan, f)
				: api_orders_plan(s->ctx, s->p->type, plan, f);

	s->nunits = plan->n;
	return rc;
}

static int take(void *arg, struct json_object *order, const char *at)
{
	struct shop_state *s = arg;

	return api_orders_take(&s->orders, order, at);
}

static int shop_stage(void *state, struct source_tx *tx)
{
	struct shop_state *s = state;
	const struct source_unit *u = tx->unit;
	long long pages = s->pager.pages;
	int rc;

	s->staged++;
	if (api_orders_begin(&s->orders, tx) < 0)
		return -1;
	if (s->ctx->replay)
		rc = api_raw_pages(&s->pager, s->ctx->replay_dir, s->pages + u->first, u->n, take, s,
				   tx->fail);
	else
		rc = api_pager_window(&s->pager, u->from, u->to, u->label, take, s, tx->fail);
	tx->c.pages += s->pager.pages - pages;
	return rc;
}

static int shop_merge(void *state, struct source_tx *tx)
{
	struct shop_state *s = state;

	return api_orders_merge(&s->orders, tx);
}

static void shop_unit_done(void *state)
{
	struct shop_state *s = state;

	api_orders_done(&s->orders);
}

static void shop_close(void *state, int failed)
{
	struct shop_state *s = state;

	if (s->http)
		log_info("msg=\"shop source done\" source=%s platform=%s status=%s windows=%zu/%zu "
			 "pages=%lld token_renewals=%lld waits=%lld requests=%lld",
			 s->ctx->src->name, s->p->type, failed ? "failed" : "ok", s->staged,
			 s->nunits, s->pager.pages, s->fetch.renewals, s->fetch.waits,
			 http_client_requests(s->http));
	if (rawzone_close(&s->raw) < 0)
		log_warn("msg=\"cannot sync the raw zone\" source=%s dir=%s", s->ctx->src->name,
			 s->raw.dir);
	s->p->clear(&s->c);
	api_orders_release(&s->orders);
	http_client_free(s->http);
	free(s->pages);
	free(s);
}

#define SHOP_DRIVER(name, index)                                                            \
	static int name##_driver_open(const struct source_ctx *ctx, void **state,           \
				      struct failure *f)                                      \
	{                                                                                    \
		return shop_open(ctx, &platforms[index], state, f);                          \
	}                                                                                    \
	const struct source_driver name##_driver = {                                         \
		.type = #name, .open = name##_driver_open, .plan = shop_plan,                \
		.stage = shop_stage, .merge = shop_merge, .unit_done = shop_unit_done,       \
		.close = shop_close,                                                         \
	}

SHOP_DRIVER(taobao, 0);
SHOP_DRIVER(jd, 1);
SHOP_DRIVER(pdd, 2);
SHOP_DRIVER(douyin, 3);
SHOP_DRIVER(channels, 4);

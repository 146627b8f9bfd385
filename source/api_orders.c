/*
 * api_orders.c — what the order drivers of the API platforms share (see
 * include/siyu/source/api_orders.h).
 */
#include "siyu/source/api_orders.h"

#include "siyu/common/log.h"
#include "siyu/common/ltime.h"
#include "siyu/load/db.h"
#include "siyu/load/runlog.h"
#include "siyu/source/window.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WINDOWS 20000

/* A time from the command line or `start`; without an offset it is China time. */
static int parse_when(const char *s, int64_t *out)
{
	struct ltime lt;
	const char *why;

	if (ltime_parse(s, strlen(s), &lt, &why) < 0)
		return -1;
	if (!lt.has_offset) {
		lt.has_offset = 1;
		lt.offset_minutes = API_CN_OFFSET / 60;
	}
	return ltime_to_unix(&lt, out);
}

int api_orders_add_window(struct source_plan *plan, int64_t from, int64_t to, size_t first,
			  size_t n, struct failure *f)
{
	struct source_unit u = { .from = from, .to = to, .first = first, .n = n };
	char a[32], b[32];

	api_cn_time(from, a, sizeof(a));
	api_cn_time(to, b, sizeof(b));
	snprintf(u.label, sizeof(u.label), "window %s..%s", a, b);
	return source_plan_add(plan, &u) < 0 ? failure_set(f, NULL, "out of memory") : 0;
}

/* The request of the plan: the source's settings, its watermark, --since/--until. */
static int plan_request(const struct source_ctx *ctx, struct window_request *q,
			struct failure *f)
{
	const char *start = config_source_get(ctx->src, "start");
	long long mark = WINDOW_NONE;

	*q = (struct window_request){
		.now = (int64_t)time(NULL),
		.watermark = WINDOW_NONE,
		.start = WINDOW_NONE,
		.since = WINDOW_NONE,
		.until = WINDOW_NONE,
		.lookback_s = ctx->src->lookback_s,
		.safety_lag_s = ctx->src->safety_lag_s,
		/* the config reader keeps it within the platform's longest window */
		.max_window_s = ctx->src->window_s,
	};
	if (runlog_watermark_epoch(ctx->conn, ctx->src->name, "orders", &mark) < 0)
		return db_fail(f, NULL, "cannot read the watermark");
	q->watermark = mark;
	if (start && *start && parse_when(start, &q->start) < 0)
		return failure_set(f, NULL, "start: cannot read '%s'", start);
	if (ctx->since && parse_when(ctx->since, &q->since) < 0)
		return failure_set(f, NULL, "--since: cannot read '%s' (YYYY-MM-DD[ HH:MM[:SS]][+HH:MM])",
				   ctx->since);
	if (ctx->until && parse_when(ctx->until, &q->until) < 0)
		return failure_set(f, NULL, "--until: cannot read '%s' (YYYY-MM-DD[ HH:MM[:SS]][+HH:MM])",
				   ctx->until);
	return 0;
}

int api_orders_plan(const struct source_ctx *ctx, const char *platform, struct source_plan *plan,
		    struct failure *f)
{
	struct window_request q;
	struct time_window *w = calloc(MAX_WINDOWS, sizeof(*w));
	char why[512];
	size_t n = 0;
	int rc;

	if (!w)
		return failure_set(f, NULL, "out of memory");
	rc = plan_request(ctx, &q, f);
	if (rc == 0 && window_plan(&q, w, MAX_WINDOWS, &n, why, sizeof(why)) < 0)
		rc = failure_set(f, NULL, "%s", why);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = api_orders_add_window(plan, w[i].from, w[i].to, 0, 0, f);
	if (rc == 0 && n == 0)
		log_info("msg=\"nothing new yet\" source=%s platform=%s", ctx->src->name, platform);
	else if (rc == 0)
		log_info("msg=\"plan\" source=%s platform=%s windows=%zu from=%" PRId64 " to=%" PRId64,
			 ctx->src->name, platform, n, w[0].from, w[n - 1].to);
	free(w);
	return rc;
}

int api_orders_begin(struct api_orders *a, struct source_tx *tx)
{
	const struct source_ctx *ctx = a->ctx;

	a->tx = tx;
	a->item_no = 0;
	a->pages_before = a->pages ? *a->pages : 0;
	if (order_sink_begin(&a->sink, ctx->conn, ctx->run_id, ctx->src->name, a->tz, ctx->replay,
			     &tx->c) < 0)
		return db_fail(tx->fail, NULL, "cannot prepare staging");
	return 0;
}

/* Spool one rejected order of the unit. 0 / -1. */
static int reject(struct api_orders *a, struct json_object *item, const char *at,
		  const char *why)
{
	const char *raw = json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE);

	a->tx->c.rejected++;
	/* the reason may quote the order's values: etl.reject keeps it, phones masked */
	log_debug("msg=\"order rejected\" source=%s location=\"%s\"", a->ctx->src->name, at);
	if (reject_log_add(&a->tx->rejects, "order", a->order.key[0] ? a->order.key : NULL, at,
			   why, raw, strlen(raw)) < 0)
		return failure_set(a->tx->fail, at, "cannot spool a reject");
	return 0;
}

/* The order's lines into the sink; a conflicting copy of the order is rejected. */
static int stream(struct api_orders *a, struct json_object *item, const char *at)
{
	a->item_no++;
	for (size_t k = 0; k < a->order.nlines; k++) {
		int rc = order_sink_add(&a->sink, a->item_no, &a->order.line[k]);

		if (rc < 0)
			return db_fail(a->tx->fail, NULL, "COPY into staging failed");
		if (rc == ORDER_SINK_CONFLICT &&
		    reject(a, item, at, "shipping or discount differs from an earlier copy of the "
					"same order version") < 0)
			return -1;
	}
	return 0;
}

int api_orders_take(struct api_orders *a, struct json_object *item, const char *at)
{
	char why[512];
	int rc, again = 0;

	source_progress(a->tx, a->pages ? *a->pages - a->pages_before : 0, 0, 0);
	rc = a->parse(a->parse_arg, item, &a->order, why, sizeof(why));
	if (rc == -2)
		return failure_set(a->tx->fail, at, "%s", why);
	/* pages overlap (a first page read twice, orders moving): count each order once */
	if (a->order.key[0] && (again = strset_add(&a->seen, a->order.key)) < 0)
		return failure_set(a->tx->fail, at, "out of memory");
	if (!again)
		a->tx->c.read++;
	if (rc == -1)
		return again ? 0 : reject(a, item, at, why);
	return stream(a, item, at);
}

int api_orders_merge(struct api_orders *a, struct source_tx *tx)
{
	struct ltime lt;

	if (order_sink_merge(&a->sink) < 0)
		return db_fail(tx->fail, NULL, "merge into the warehouse failed");
	/* the window's end, in UTC: committed with the window */
	if (ltime_from_unix(tx->unit->to, &lt) < 0)
		snprintf(a->mark, sizeof(a->mark), "1970-01-01 00:00:00+00");
	else
		ltime_format(&lt, a->mark, sizeof(a->mark));
	tx->entity = "orders";
	tx->watermark = a->mark;
	return 0;
}

void api_orders_done(struct api_orders *a)
{
	order_sink_release(&a->sink);
	memset(&a->sink, 0, sizeof(a->sink));
	strset_clear(&a->seen);
	a->tx = NULL;
}

void api_orders_release(struct api_orders *a)
{
	api_orders_done(a);
	order_json_release(&a->order);
}

/*
 * api_orders.h — what the order drivers of the API platforms share (source/youzan.c,
 * source/shop.c): the windows to fetch, and a window's orders into the order sink.
 *
 *   plan     windows of [watermark − lookback, now − safety_lag] cut to the source's
 *            `window` (or --since/--until, or `start` on a first run; times without an
 *            offset are China time), one unit each (source/window.c)
 *   begin    the unit's sink, inside the driver layer's transaction
 *   take     one order: mapped by the platform's parse into the sink, counted once
 *            however often overlapping pages show it, or rejected with its JSON, its
 *            location and the reason (etl.reject); the pages and records so far go
 *            to the progress reporter
 *   merge    the sink's merge; the watermark `orders` is the window's end, so a crash
 *            resumes after the last committed window
 *   done     free what the unit took
 */
#ifndef SIYU_SOURCE_API_ORDERS_H
#define SIYU_SOURCE_API_ORDERS_H

#include "siyu/common/strset.h"
#include "siyu/extract/api_sign.h"
#include "siyu/load/order_sink.h"
#include "siyu/source/source.h"
#include "siyu/transform/order_json.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* One platform's order mapping: 0, -1 rejected (why), -2 the source must stop (why). */
typedef int (*api_order_parse_fn)(void *arg, struct json_object *item, struct order_json *o,
				  char *why, size_t whylen);

struct api_orders {
	const struct source_ctx *ctx;
	const char *tz;                    /* the zone of the platform's times without offset */
	api_order_parse_fn parse;
	void *parse_arg;
	const long long *pages;            /* the driver's live count of pages read, for the
					    * progress (source_progress); NULL: none */
	struct order_json order;
	/* the current unit */
	struct source_tx *tx;
	struct order_sink sink;
	struct strset seen;                /* orders taken (pages overlap) */
	long item_no;                      /* orders handed over (staging src_row) */
	long long pages_before;            /* *pages when the unit began */
	char mark[48];                     /* its watermark */
};

/*
 * The windows to fetch, one unit each, at most the source's `window` long ("window
 * A..B" in China time); the plan is logged as platform's. 0, or -1 with f.
 */
int api_orders_plan(const struct source_ctx *ctx, const char *platform,
		    struct source_plan *plan, struct failure *f);

/* A unit for window [from, to) of pages first..first+n of a replayed manifest. 0 / -1 f. */
int api_orders_add_window(struct source_plan *plan, int64_t from, int64_t to, size_t first,
			  size_t n, struct failure *f);

/* Start the unit tx: the sink inside its transaction. 0, or -1 with tx->fail. */
int api_orders_begin(struct api_orders *a, struct source_tx *tx);

/*
 * One order of the unit (item borrowed; at names it, "orders-00003.jsonl.gz page 3 item
 * 7"). 0, or -1 with the unit's failure set.
 */
int api_orders_take(struct api_orders *a, struct json_object *item, const char *at);

/* The unit's merge and watermark (the window's end). 0, or -1 with tx->fail. */
int api_orders_merge(struct api_orders *a, struct source_tx *tx);

/* After the unit, whatever its end. */
void api_orders_done(struct api_orders *a);

/* After the source. */
void api_orders_release(struct api_orders *a);

#endif /* SIYU_SOURCE_API_ORDERS_H */

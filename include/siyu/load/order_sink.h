/*
 * order_sink.h — canonical order lines into the warehouse, inside the caller's
 * transaction: dedupe ▸ COPY into the run's staging table ▸ etl.merge_orders.
 *
 * Shared by every order source (a CSV file, an API window: one unit of the
 * driver layer, include/siyu/source/source.h). The caller parses and
 * validates; the transaction, the watermark and the run_source row are the
 * driver layer's:
 *
 *   order_sink_begin      the session TimeZone of local times, a fresh
 *                         staging.order_line_r<run_id>, COPY started
 *   order_sink_add        dedupe one line and stream it (or count it as a
 *                         duplicate, or report a conflict for the caller to reject)
 *   order_sink_hold       an order with a rejected line: none of its lines loads
 *   order_sink_end_copy   end the COPY, take the held orders' lines out of staging
 *                         and hand each to the caller to reject
 *   order_sink_merge      (end the COPY,) merge (counts into c), drop staging
 *   order_sink_watermark  the newest version streamed
 *   order_sink_release    free the dedupe table and the COPY buffer
 *
 * The debug point `copy` (each streamed line) fires here. A failure leaves the
 * COPY open: the caller's rollback (db_rollback) ends it.
 */
#ifndef SIYU_LOAD_ORDER_SINK_H
#define SIYU_LOAD_ORDER_SINK_H

#include "siyu/common/buf.h"
#include "siyu/load/runlog.h"
#include "siyu/transform/order_line.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct dedupe;

struct order_sink {
	PGconn *conn;
	long long run_id;
	const char *source;        /* borrowed: etl.watermark / run_source name */
	int replace_equal;         /* replay: etl.merge_orders_replay */
	struct load_counts *c;     /* borrowed: duplicates and merge counts go here */
	struct dedupe *dedupe;
	struct buf copy;
	struct buf held;           /* COPY rows (platform, shop_id, order_no, bad row) */
	char table[64];
	int in_copy;
	long long kept;            /* lines streamed */
	char max_version[48];      /* newest version streamed ("" = none) */
	int64_t max_version_value;
};

enum order_sink_verdict {
	ORDER_SINK_KEPT = 0,       /* streamed to COPY */
	ORDER_SINK_DUPLICATE = 1,  /* repeated or superseded in this batch (counted) */
	ORDER_SINK_CONFLICT = 2    /* same version, other header amounts: caller rejects */
};

/*
 * Open the sink inside the caller's transaction. source and c are borrowed
 * for the sink's life; timezone is the zone of times without an offset. 0, or
 * -1 (db_last_error() / out of memory; roll back and release).
 */
int order_sink_begin(struct order_sink *s, PGconn *conn, long long run_id, const char *source,
		     const char *timezone, int replace_equal, struct load_counts *c);

/*
 * Judge one line (borrowed) and stream it when kept; src_row is the input
 * record number kept in staging. Returns a verdict, or -1 (COPY failed or
 * out of memory: abort).
 */
int order_sink_add(struct order_sink *s, long src_row, const struct order_line *l);

/*
 * Hold back the order of l (borrowed), whose line bad_row was rejected: no
 * line of it loads in this transaction, so no partial order with wrong totals
 * reaches the warehouse (the version there, if any, stays whole). 0, or -1
 * out of memory.
 */
int order_sink_hold(struct order_sink *s, const struct order_line *l, long bad_row);

/*
 * Called once per staged line of a held order, as it leaves staging: src_row,
 * key ("platform/shop_id/order_no"), bad_row (the rejected line that held the
 * order) and the staged row as JSON. Returns 0, or -1 to fail.
 */
typedef int (*order_sink_held_fn)(void *arg, const char *src_row, const char *key,
				  const char *bad_row, const char *row_json);

/*
 * End the COPY and remove the lines of the held orders from staging, calling
 * held for each (held may be NULL only when nothing was held). 0 / -1.
 */
int order_sink_end_copy(struct order_sink *s, order_sink_held_fn held, void *arg);

/*
 * End the COPY if still open (nothing may be held then), merge the staged
 * lines (counts into c) and drop the staging table. 0 / -1.
 */
int order_sink_merge(struct order_sink *s);

/* The newest version streamed (text timestamptz), or NULL when none was. */
const char *order_sink_watermark(const struct order_sink *s);

/* Free what the sink holds; safe on a zeroed struct. */
void order_sink_release(struct order_sink *s);

#endif /* SIYU_LOAD_ORDER_SINK_H */

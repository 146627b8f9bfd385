/*
 * youzan.h — the Youzan (有赞云) orders source: youzan.trades.sold.get 4.0.4 by
 * update time, window by window (docs/youzan.md).
 *
 *   source/youzan.c         the source: token, window plan, paging, splitting,
 *                           raw zone, one transaction per window, replay
 *   transform/youzan_json.c one full_order_info → canonical order lines (pure)
 *
 * Each planned window (source/window.c) is paged to the end, transformed, merged
 * and committed with the watermark `orders` = the window's end, so a crash
 * resumes after the last committed window.
 */
#ifndef SIYU_SOURCE_YOUZAN_H
#define SIYU_SOURCE_YOUZAN_H

#include "siyu/load/runlog.h"
#include "siyu/source/source.h"

#include <stddef.h>

/* The source entry points (source_run_fn, source_replay_fn). */
int youzan_source_run(const struct source_ctx *ctx, struct load_counts *counts, char *err,
		      size_t errlen);
int youzan_source_replay(const struct source_ctx *ctx, const char *dir, long long raw_run_id,
			 struct load_counts *counts, char *err, size_t errlen);

#endif /* SIYU_SOURCE_YOUZAN_H */

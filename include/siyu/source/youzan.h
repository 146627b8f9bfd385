/*
 * youzan.h — the Youzan (有赞云) orders source: youzan.trades.sold.get 4.0.4 by
 * update time, window by window (docs/youzan.md).
 *
 *   extract/youzan_api.c    the API client: token, paging, splitting, raw zone
 *   transform/youzan_json.c one full_order_info → canonical order lines (pure)
 *   source/youzan.c         the driver: window plan, orders into the order sink,
 *                           replay
 *
 * Each planned window (source/window.c) is paged to the end, transformed, merged
 * and committed with the watermark `orders` = the window's end, so a crash
 * resumes after the last committed window.
 */
#ifndef SIYU_SOURCE_YOUZAN_H
#define SIYU_SOURCE_YOUZAN_H

#include "siyu/source/source.h"

/* The driver (include/siyu/source/source.h): one unit per window. */
extern const struct source_driver youzan_driver;

#endif /* SIYU_SOURCE_YOUZAN_H */

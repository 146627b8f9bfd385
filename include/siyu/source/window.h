/*
 * window.h — plan the incremental time windows of an API source.
 *
 * The next run asks for [watermark − lookback, now − safety_lag],
 * cut into windows no longer than the platform allows. A first run starts at
 * the source's `start`; `--since/--until` override both ends for a backfill.
 * Each window is committed with its watermark, so a crash resumes from the
 * last completed window. Times are unix seconds; windows are half-open
 * [from, to) and contiguous.
 */
#ifndef SIYU_SOURCE_WINDOW_H
#define SIYU_SOURCE_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#define WINDOW_NONE INT64_MIN /* "not given" for watermark, since, until, start */

struct time_window {
	int64_t from; /* inclusive */
	int64_t to;   /* exclusive */
};

struct window_request {
	int64_t now;
	int64_t watermark;   /* the committed watermark, or WINDOW_NONE on a first run */
	int64_t start;       /* where a first run begins, or WINDOW_NONE */
	int64_t since;       /* --since, or WINDOW_NONE */
	int64_t until;       /* --until, or WINDOW_NONE */
	long lookback_s;     /* re-read this much before the watermark (>= 0) */
	long safety_lag_s;   /* stop this much before now (>= 0) */
	long max_window_s;   /* longest window the platform allows (> 0) */
};

/*
 * Fill out (capacity cap) with the windows to fetch, oldest first, and set
 * *n. An empty plan (nothing new yet) is fine: *n = 0. Returns 0, or -1 with
 * err filled: no starting point (first run without `start` or --since),
 * since after until, a bad max window, or more than cap windows (the caller
 * should fetch in several runs or raise the window).
 */
int window_plan(const struct window_request *r, struct time_window *out, size_t cap, size_t *n,
		char *err, size_t errlen);

#endif /* SIYU_SOURCE_WINDOW_H */

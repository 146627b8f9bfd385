/*
 * window.c — incremental window planning (see include/siyu/source/window.h).
 */
#include "siyu/source/window.h"

#include <stdio.h>

static int64_t plan_from(const struct window_request *r)
{
	if (r->since != WINDOW_NONE)
		return r->since;
	if (r->watermark != WINDOW_NONE)
		return r->watermark - r->lookback_s;
	return r->start;
}

static int64_t plan_to(const struct window_request *r)
{
	return r->until != WINDOW_NONE ? r->until : r->now - r->safety_lag_s;
}

int window_plan(const struct window_request *r, struct time_window *out, size_t cap, size_t *n,
		char *err, size_t errlen)
{
	int64_t from = plan_from(r);
	int64_t to = plan_to(r);

	*n = 0;
	if (r->max_window_s <= 0 || r->lookback_s < 0 || r->safety_lag_s < 0) {
		snprintf(err, errlen, "window, lookback and safety_lag must be positive");
		return -1;
	}
	if (from == WINDOW_NONE) {
		snprintf(err, errlen, "first run has no starting point: set `start` for the source "
			 "or pass --since");
		return -1;
	}
	if (r->since != WINDOW_NONE && r->until != WINDOW_NONE && r->since >= r->until) {
		snprintf(err, errlen, "--since must be before --until");
		return -1;
	}
	for (int64_t t = from; t < to; t += r->max_window_s) {
		if (*n == cap) {
			snprintf(err, errlen, "%zu windows of %lds do not cover the range; "
				 "backfill in parts with --since/--until", cap, r->max_window_s);
			*n = 0;
			return -1;
		}
		out[*n].from = t;
		out[*n].to = to - t > r->max_window_s ? t + r->max_window_s : to;
		(*n)++;
	}
	return 0;
}

/*
 * order_line.c — the canonical order line's helpers (see
 * include/siyu/transform/order_line.h).
 */
#include "siyu/transform/order_line.h"

int64_t order_version_value(const struct ltime *t)
{
	int64_t days = ltime_days_from_civil(t->year, t->month, t->day);
	int64_t secs = days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;

	if (t->has_offset)
		secs -= (int64_t)t->offset_minutes * 60;
	return secs * 1000000 + t->usec;
}

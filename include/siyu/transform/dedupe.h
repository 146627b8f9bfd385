/*
 * dedupe.h — drop superseded and repeated order lines while streaming.
 *
 * Remembers, per order identity (platform, shop_id, order_no), the newest
 * version seen in this batch, the header amounts of that version and a
 * 64-bit hash of each of its line identities: keys and versions, never whole
 * records. A line of an older version than one already seen is stale; a line
 * seen before in the same version is a duplicate. A line of a newer version
 * is kept and starts the order afresh; lines of the older version that were
 * already streamed are discarded by the merge, which keeps only the newest
 * version per order.
 */
#ifndef SIYU_TRANSFORM_DEDUPE_H
#define SIYU_TRANSFORM_DEDUPE_H

#include <stddef.h>
#include <stdint.h>

enum dedupe_verdict {
	DEDUPE_KEEP,      /* new order, newer version, or a new line of the version */
	DEDUPE_DUPLICATE, /* same order, version and line seen before */
	DEDUPE_STALE,     /* older version than one seen in this batch */
	DEDUPE_CONFLICT,  /* same version, but header amounts disagree */
};

struct dedupe;

struct dedupe_line {
	const char *platform; size_t platform_len;
	const char *shop_id; size_t shop_id_len;
	const char *order_no; size_t order_no_len;
	const char *line_id; size_t line_id_len;
	int64_t version;
	int64_t shipping_fen, discount_fen;
};

/* NULL when out of memory. */
struct dedupe *dedupe_new(void);
void dedupe_free(struct dedupe *d);

/* Judge one line and remember it when kept. -1 only when out of memory. */
int dedupe_check(struct dedupe *d, const struct dedupe_line *line, enum dedupe_verdict *out);

/* Distinct orders seen. */
size_t dedupe_orders(const struct dedupe *d);

#endif /* SIYU_TRANSFORM_DEDUPE_H */

/*
 * dedupe.c — streaming dedupe of order lines (see include/siyu/transform/dedupe.h).
 *
 * An open-addressing hash table of orders keyed by the 64-bit FNV-1a hash of
 * the identity plus the identity bytes themselves (no false merges); each
 * order keeps a small growable array of line-identity hashes.
 */
#include "siyu/transform/dedupe.h"

#include "siyu/common/hash.h"

#include <stdlib.h>
#include <string.h>

struct order_entry {
	uint64_t hash;
	char *key;            /* platform \x1f shop_id \x1f order_no */
	size_t key_len;
	int64_t version;
	int64_t shipping_fen, discount_fen;
	uint64_t *lines;
	size_t nlines, cap;
};

struct dedupe {
	struct order_entry *slots;
	size_t nslots;        /* power of two */
	size_t used;
};

struct dedupe *dedupe_new(void)
{
	struct dedupe *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->nslots = 1024;
	d->slots = calloc(d->nslots, sizeof(*d->slots));
	if (!d->slots) {
		free(d);
		return NULL;
	}
	return d;
}

void dedupe_free(struct dedupe *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nslots; i++) {
		free(d->slots[i].key);
		free(d->slots[i].lines);
	}
	free(d->slots);
	free(d);
}

size_t dedupe_orders(const struct dedupe *d)
{
	return d->used;
}

static int grow_table(struct dedupe *d)
{
	size_t n = d->nslots * 2;
	struct order_entry *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < d->nslots; i++) {
		struct order_entry *e = &d->slots[i];
		size_t j;

		if (!e->key)
			continue;
		for (j = e->hash & (n - 1); slots[j].key; j = (j + 1) & (n - 1))
			;
		slots[j] = *e;
	}
	free(d->slots);
	d->slots = slots;
	d->nslots = n;
	return 0;
}

/* Find the order's slot, creating an empty entry when absent. */
static struct order_entry *lookup(struct dedupe *d, const char *key, size_t len, uint64_t hash,
				  int *created)
{
	size_t j;

	*created = 0;
	if ((d->used + 1) * 4 > d->nslots * 3 && grow_table(d) < 0)
		return NULL;
	for (j = hash & (d->nslots - 1); d->slots[j].key; j = (j + 1) & (d->nslots - 1)) {
		struct order_entry *e = &d->slots[j];

		if (e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	d->slots[j].key = malloc(len + 1);
	if (!d->slots[j].key)
		return NULL;
	memcpy(d->slots[j].key, key, len);
	d->slots[j].key[len] = '\0';
	d->slots[j].key_len = len;
	d->slots[j].hash = hash;
	d->used++;
	*created = 1;
	return &d->slots[j];
}

static int add_line(struct order_entry *e, uint64_t line)
{
	if (e->nlines == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4;
		uint64_t *p = realloc(e->lines, cap * sizeof(*p));

		if (!p)
			return -1;
		e->lines = p;
		e->cap = cap;
	}
	e->lines[e->nlines++] = line;
	return 0;
}

static int has_line(const struct order_entry *e, uint64_t line)
{
	for (size_t i = 0; i < e->nlines; i++)
		if (e->lines[i] == line)
			return 1;
	return 0;
}

/* Build the identity key into buf; returns its length or 0 if it does not fit. */
static size_t make_key(const struct dedupe_line *l, char *buf, size_t n)
{
	size_t len = l->platform_len + l->shop_id_len + l->order_no_len + 2;

	if (len > n)
		return 0;
	memcpy(buf, l->platform, l->platform_len);
	buf[l->platform_len] = '\x1f';
	memcpy(buf + l->platform_len + 1, l->shop_id, l->shop_id_len);
	buf[l->platform_len + 1 + l->shop_id_len] = '\x1f';
	memcpy(buf + l->platform_len + 2 + l->shop_id_len, l->order_no, l->order_no_len);
	return len;
}

static void start_version(struct order_entry *e, const struct dedupe_line *l)
{
	e->version = l->version;
	e->shipping_fen = l->shipping_fen;
	e->discount_fen = l->discount_fen;
	e->nlines = 0;
}

int dedupe_check(struct dedupe *d, const struct dedupe_line *l, enum dedupe_verdict *out)
{
	char key[1024];
	size_t len = make_key(l, key, sizeof(key));
	uint64_t line = fnv1a(FNV1A_INIT, l->line_id, l->line_id_len);
	struct order_entry *e;
	int created;

	if (len == 0) {
		*out = DEDUPE_KEEP; /* absurdly long ids: let the merge sort it out */
		return 0;
	}
	e = lookup(d, key, len, fnv1a(FNV1A_INIT, key, len), &created);
	if (!e)
		return -1;
	if (created || l->version > e->version) {
		start_version(e, l);
		*out = DEDUPE_KEEP;
		return add_line(e, line);
	}
	if (l->version < e->version) {
		*out = DEDUPE_STALE;
		return 0;
	}
	if (has_line(e, line)) {
		*out = DEDUPE_DUPLICATE;
		return 0;
	}
	if (l->shipping_fen != e->shipping_fen || l->discount_fen != e->discount_fen) {
		*out = DEDUPE_CONFLICT;
		return 0;
	}
	*out = DEDUPE_KEEP;
	return add_line(e, line);
}

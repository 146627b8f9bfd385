/*
 * strset.c — a set of strings (see include/siyu/common/strset.h).
 */
#include "siyu/common/strset.h"

#include "siyu/common/hash.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct strset *t, const char *key)
{
	size_t i = fnv1a(FNV1A_INIT, key, strlen(key)) % t->cap;

	while (t->slot[i] && strcmp(t->slot[i], key) != 0)
		i = (i + 1) % t->cap;
	return i;
}

/* Double the table (kept at most half full). 0 / -1. */
static int grow(struct strset *t)
{
	struct strset bigger = { calloc(t->cap ? 2 * t->cap : 1024, sizeof(char *)),
				 t->cap ? 2 * t->cap : 1024, t->n };

	if (!bigger.slot)
		return -1;
	for (size_t k = 0; k < t->cap; k++)
		if (t->slot[k])
			bigger.slot[slot_of(&bigger, t->slot[k])] = t->slot[k];
	free(t->slot);
	*t = bigger;
	return 0;
}

int strset_add(struct strset *t, const char *key)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap && grow(t) < 0)
		return -1;
	i = slot_of(t, key);
	if (t->slot[i])
		return 1;
	if (!(t->slot[i] = strdup(key)))
		return -1;
	t->n++;
	return 0;
}

void strset_clear(struct strset *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i]);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

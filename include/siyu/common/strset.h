/*
 * strset.h — a set of strings (open addressing on FNV-1a), e.g. the orders
 * already taken in a window whose pages overlap.
 */
#ifndef SIYU_COMMON_STRSET_H
#define SIYU_COMMON_STRSET_H

#include <stddef.h>

struct strset {
	char **slot;
	size_t cap, n;
};

#define STRSET_INIT { NULL, 0, 0 }

/* 1 when key was in the set, 0 when it is new (now added, copied), -1 out of memory. */
int strset_add(struct strset *t, const char *key);

/* Empty the set and free what it holds; safe on a zeroed struct. */
void strset_clear(struct strset *t);

#endif /* SIYU_COMMON_STRSET_H */

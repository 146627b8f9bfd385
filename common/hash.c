/*
 * hash.c — FNV-1a (see include/siyu/common/hash.h).
 */
#include "siyu/common/hash.h"

uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * hash.h — FNV-1a, the one hash of the in-memory tables (the dedupe table,
 * the set of orders seen in a window).
 */
#ifndef SIYU_COMMON_HASH_H
#define SIYU_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit FNV offset basis: the h to start from. */
#define FNV1A_INIT 14695981039346656037ULL

/* 64-bit FNV-1a of data[0..len), continuing from h (FNV1A_INIT to start). */
uint64_t fnv1a(uint64_t h, const void *data, size_t len);

#endif /* SIYU_COMMON_HASH_H */

/*
 * copytext.h — PostgreSQL's COPY text format, written into a buffer.
 *
 * A pure encoding (no connection): the transforms that produce staging rows
 * and the loaders that stream them both write it.
 */
#ifndef SIYU_COMMON_COPYTEXT_H
#define SIYU_COMMON_COPYTEXT_H

#include <stddef.h>

struct buf;

/*
 * Append one field in COPY text format to b: NULL (s == NULL) becomes \N,
 * backslash, tab, newline and carriage return are escaped. The caller adds
 * the '\t' separators and the final '\n'. 0 / -1 (buffer cap).
 */
int copytext_field(struct buf *b, const char *s, size_t len);

/* Append v in decimal (what %lld writes, without printf's cost per row). 0 / -1. */
int copytext_int(struct buf *b, long long v);

#endif /* SIYU_COMMON_COPYTEXT_H */

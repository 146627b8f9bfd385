/*
 * buf.h — a growable byte buffer with a size cap (curl's dynbuf, git's strbuf).
 *
 * The buffer is always NUL-terminated once anything was added. buf_detach
 * hands ownership of the bytes to the caller. A buffer that would grow past
 * its cap fails instead of eating memory: every reader of outside input
 * (HTTP bodies, CSV lines) sets a cap.
 */
#ifndef SIYU_COMMON_BUF_H
#define SIYU_COMMON_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard limit on len; 0 = BUF_DEFAULT_MAX */
};

#define BUF_DEFAULT_MAX ((size_t)1 << 30)
#define BUF_INIT { NULL, 0, 0, 0 }

/* Start empty with the given cap (0 = default). */
void buf_init(struct buf *b, size_t max);

/* Free the bytes; b is reusable as an empty buffer afterwards. */
void buf_release(struct buf *b);

/* Forget the contents but keep the memory. */
void buf_reset(struct buf *b);

/* Make room for extra more bytes (+1 for the NUL); 0 or -1 over the cap / no memory. */
int buf_grow(struct buf *b, size_t extra);

/* Append bytes; 0 or -1 (cap or memory). */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Return the bytes (NUL-terminated, never NULL) and leave b empty; caller frees. */
char *buf_detach(struct buf *b, size_t *len);

/* The contents as a C string ("" when empty); borrowed. */
const char *buf_str(const struct buf *b);

#endif /* SIYU_COMMON_BUF_H */

/*
 * utf8.h — strict UTF-8 (RFC 3629): a byte-at-a-time validator for streams,
 * range checks, and an escaped text form for bytes that are not text.
 *
 * One definition of the rules (no overlong forms, no surrogates, nothing
 * above U+10FFFF) serves the CSV reader's whole-file encoding pass, its
 * per-record checks, the cell checks of the transforms and the reject spool.
 */
#ifndef SIYU_COMMON_UTF8_H
#define SIYU_COMMON_UTF8_H

#include <stddef.h>

struct buf;

/* Where a stream is inside a multi-byte sequence. */
struct utf8_state {
	unsigned char need;   /* continuation bytes still expected */
	unsigned char lo, hi; /* allowed range of the next continuation byte */
};

#define UTF8_STATE_INIT { 0, 0x80, 0xBF }

/*
 * Feed one byte. Returns 1 when a character ends with this byte (an ASCII
 * byte is one), 0 inside a sequence, -1 when the byte cannot continue or
 * start a sequence; the state is reset then. A stream that ends while
 * s->need > 0 ends inside a character.
 */
int utf8_step(struct utf8_state *s, unsigned char c);

/* Length of the valid character at p (left > 0 bytes available), 0 if invalid. */
size_t utf8_char_len(const char *p, size_t left);

/* Length of the longest valid UTF-8 prefix of s[0..len): len when all of it is valid. */
size_t utf8_valid_prefix(const char *s, size_t len);

/*
 * 1 when s[0..len) is valid UTF-8 without a NUL byte, i.e. a PostgreSQL
 * text value as it is; else 0.
 */
int utf8_is_text(const char *s, size_t len);

/*
 * Append s[0..len) to out in the escaped form kept in etl.reject when a
 * record is not text: valid characters as they are, except NUL, which
 * becomes \x00, and '\', which becomes \\; each byte that is not UTF-8
 * becomes \xHH (two lowercase hex digits). The result is always valid text
 * and maps back to the exact bytes. 0, or -1 (the buffer's cap).
 */
int utf8_escape(struct buf *out, const char *s, size_t len);

/* Append the escape \xHH of one byte. 0 / -1. */
int utf8_escape_byte(struct buf *out, unsigned char c);

#endif /* SIYU_COMMON_UTF8_H */

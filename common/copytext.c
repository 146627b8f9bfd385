/*
 * copytext.c — COPY text fields (see include/siyu/common/copytext.h).
 */
#include "siyu/common/copytext.h"

#include "siyu/common/buf.h"

/* The escape of a byte COPY text must not carry as is, or NULL. */
static const char *escape(char c)
{
	switch (c) {
	case '\\': return "\\\\";
	case '\t': return "\\t";
	case '\n': return "\\n";
	case '\r': return "\\r";
	default: return NULL;
	}
}

int copytext_field(struct buf *b, const char *s, size_t len)
{
	size_t i = 0, run;
	const char *esc = NULL;

	if (!s)
		return buf_add(b, "\\N", 2);
	if (buf_grow(b, len) < 0)
		return -1;
	/* runs of plain bytes in one copy each: a field rarely holds anything to escape */
	while (i < len) {
		for (run = i; run < len && !(esc = escape(s[run])); run++)
			;
		if (buf_add(b, s + i, run - i) < 0 || (esc && buf_add(b, esc, 2) < 0))
			return -1;
		i = run + (esc ? 1 : 0);
		esc = NULL;
	}
	return 0;
}

int copytext_int(struct buf *b, long long v)
{
	char digits[24], *p = digits + sizeof(digits);
	/* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return buf_add(b, p, (size_t)(digits + sizeof(digits) - p));
}

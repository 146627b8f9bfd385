/*
 * copytext.c — COPY text fields (see include/siyu/common/copytext.h).
 */
#include "siyu/common/copytext.h"

#include "siyu/common/buf.h"

int copytext_field(struct buf *b, const char *s, size_t len)
{
	if (!s)
		return buf_add(b, "\\N", 2);
	if (buf_grow(b, len) < 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		const char *esc = NULL;

		switch (s[i]) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: break;
		}
		if (esc ? buf_add(b, esc, 2) : buf_addch(b, s[i]))
			return -1;
	}
	return 0;
}

/*
 * utf8.c — strict UTF-8 validation and the escaped text form
 * (see include/siyu/common/utf8.h).
 */
#include "siyu/common/utf8.h"

#include "siyu/common/buf.h"

int utf8_step(struct utf8_state *s, unsigned char c)
{
	if (s->need) {
		if (c < s->lo || c > s->hi) {
			*s = (struct utf8_state)UTF8_STATE_INIT;
			return -1;
		}
		s->lo = 0x80;
		s->hi = 0xBF;
		return --s->need == 0;
	}
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		s->need = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		s->need = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		s->need = 3;
	else
		return -1; /* a continuation byte, overlong C0/C1, or F5..FF */
	/* overlong 3- and 4-byte forms, surrogates, above U+10FFFF */
	s->lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
	s->hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
	return 0;
}

size_t utf8_char_len(const char *p, size_t left)
{
	struct utf8_state s = UTF8_STATE_INIT;

	for (size_t i = 0; i < left && i < 4; i++) {
		int r = utf8_step(&s, (unsigned char)p[i]);

		if (r < 0)
			return 0;
		if (r > 0)
			return i + 1;
	}
	return 0;
}

size_t utf8_valid_prefix(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_char_len(s + i, len - i);

		if (n == 0)
			break;
		i += n;
	}
	return i;
}

int utf8_is_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			return 0;
	return utf8_valid_prefix(s, len) == len;
}

int utf8_escape_byte(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

	return buf_add(out, e, sizeof(e));
}

int utf8_escape(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_char_len(s + i, len - i);
		int rc;

		if (n == 0 || s[i] == '\0') {
			rc = utf8_escape_byte(out, (unsigned char)s[i]);
			n = 1;
		} else if (s[i] == '\\')
			rc = buf_add(out, "\\\\", 2);
		else
			rc = buf_add(out, s + i, n);
		if (rc < 0)
			return -1;
		i += n;
	}
	return 0;
}

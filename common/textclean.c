/*
 * textclean.c — trimming, blank tests, Excel long-number quoting and UTF-8
 * validation for cells and fields (see include/siyu/common/textclean.h).
 */
#include "siyu/common/textclean.h"

#include "siyu/common/utf8.h"

#include <string.h>

/* Length of the white-space character at p (p < end), or 0 if none. */
static size_t space_len(const unsigned char *p, const unsigned char *end)
{
	size_t left = (size_t)(end - p);

	switch (p[0]) {
	case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
		return 1;
	case 0xC2: /* U+00A0 no-break space */
		return left >= 2 && p[1] == 0xA0 ? 2 : 0;
	case 0xE3: /* U+3000 ideographic space */
		return left >= 3 && p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
	default:
		return 0;
	}
}

/* Length of the white-space character ending at end (p < end), or 0. */
static size_t space_len_back(const unsigned char *p, const unsigned char *end)
{
	size_t left = (size_t)(end - p);

	if (space_len(end - 1, end) == 1)
		return 1;
	if (left >= 2 && end[-2] == 0xC2 && end[-1] == 0xA0)
		return 2;
	if (left >= 3 && end[-3] == 0xE3 && end[-2] == 0x80 && end[-1] == 0x80)
		return 3;
	return 0;
}

size_t text_trim(const char *s, size_t len, const char **start)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end;
	size_t n;

	if (len == 0) { /* s may be NULL: no pointer arithmetic on it */
		*start = s;
		return 0;
	}
	end = p + len;
	while (p < end && (n = space_len(p, end)) > 0)
		p += n;
	while (end > p && (n = space_len_back(p, end)) > 0)
		end -= n;
	*start = (const char *)p;
	return (size_t)(end - p);
}

int text_is_blank(const char *s, size_t len)
{
	const char *start;

	return text_trim(s, len, &start) == 0;
}

/* 1 when every byte is an ASCII letter, digit, '-' or '_' (and len > 0). */
static int is_id_chars(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			 (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
		if (!ok)
			return 0;
	}
	return 1;
}

/* 1 when the byte c occurs in s[0..len). */
static int has_byte(const char *s, size_t len, char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == c)
			return 1;
	return 0;
}

size_t text_strip_excel_quote(const char *s, size_t len, const char **start)
{
	const char *p;
	size_t n = text_trim(s, len, &p);

	if (n >= 3 && p[0] == '=' && p[1] == '"' && p[n - 1] == '"' &&
	    !has_byte(p + 2, n - 3, '"'))
		return text_trim(p + 2, n - 3, start);
	if (n >= 2 && p[0] == '\'' && is_id_chars(p + 1, n - 1)) {
		*start = p + 1;
		return n - 1;
	}
	*start = p;
	return n;
}

int text_utf8_valid(const char *s, size_t len)
{
	return utf8_valid_prefix(s, len) == len;
}

/* Bytes of the character at p that text_fold drops (white space, BOM, zero-width), or 0. */
static size_t dropped_len(const unsigned char *p, size_t left)
{
	size_t n = space_len(p, p + left);

	if (n > 0 || left < 3)
		return n;
	if ((p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) ||                /* U+FEFF */
	    (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x8B && p[2] <= 0x8D) || /* U+200B-D */
	    (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0xA0))                  /* U+2060 */
		return 3;
	return 0;
}

/* The ASCII byte of a full-width form U+FF01..U+FF5E at p (3 bytes), or 0. */
static char fullwidth_ascii(const unsigned char *p, size_t left)
{
	unsigned cp;

	if (left < 3 || p[0] != 0xEF || (p[1] != 0xBC && p[1] != 0xBD) || p[2] < 0x80 || p[2] > 0xBF)
		return 0;
	cp = 0xFF00u + ((unsigned)(p[1] - 0xBC) << 6) + (unsigned)(p[2] - 0x80);
	if (cp < 0xFF01 || cp > 0xFF5E)
		return 0;
	return (char)(cp - 0xFEE0);
}

/*
 * The folded form of the character at p (left > 0 bytes) into out: its byte
 * count (0 for a dropped character, 3 for 账, else 1); *used says how many
 * bytes of p it took.
 */
static size_t fold_char(const unsigned char *p, size_t left, char out[3], size_t *used)
{
	static const unsigned char zhang_old[] = { 0xE5, 0xB8, 0x90 }; /* 帐 */
	char c;

	if ((*used = dropped_len(p, left)) > 0)
		return 0;
	if ((c = fullwidth_ascii(p, left)) != 0) {
		*used = 3;
	} else if (left >= 3 && memcmp(p, zhang_old, 3) == 0) {
		memcpy(out, "\xE8\xB4\xA6", 3); /* 账 */
		*used = 3;
		return 3;
	} else {
		c = (char)p[0];
		*used = 1;
	}
	out[0] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	return 1;
}

size_t text_fold(const char *s, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0, used, k;
	char c[3];

	while (i < len) {
		k = fold_char(p + i, len - i, c, &used);
		for (size_t j = 0; j < k && n + 1 < outlen; j++)
			out[n++] = c[j];
		i += used;
	}
	out[n] = '\0';
	return n;
}

int text_fold_equals(const char *folded, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, used, k;
	char c[3];

	while (i < len) {
		k = fold_char(p + i, len - i, c, &used);
		for (size_t j = 0; j < k; j++)
			if (*folded == '\0' || *folded++ != c[j])
				return 0; /* folded ends first, or the first byte that differs */
		i += used;
	}
	return *folded == '\0';
}

/*
 * pii.c — phone normalization, keyed hashing (HMAC-SHA256 via OpenSSL) and
 * masking (see include/siyu/transform/pii.h).
 */
#include "siyu/transform/pii.h"

#include "siyu/common/buf.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* Longest digit run kept while normalizing: "0086" + 11 digits. */
#define MAX_DIGITS 15

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '(' || c == ')';
}

/*
 * Copy the digits of s into digits (at most MAX_DIGITS), dropping
 * separators; a '+' is allowed only before the first digit. Returns the
 * digit count, or -1 with *why.
 */
static int collect_digits(const char *s, size_t len, char *digits, int *plus,
			  const char **why)
{
	int n = 0;
	size_t i;

	*plus = 0;
	*why = "not a mainland mobile number";
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (is_digit(c)) {
			if (n == MAX_DIGITS)
				return -1;
			digits[n++] = c;
		} else if (c == '+' && n == 0 && !*plus) {
			*plus = 1;
		} else if (c == '*') {
			*why = "masked phone number";
			return -1;
		} else if (!is_separator(c)) {
			return -1;
		}
	}
	return n;
}

/* 1 when d[0..11) is a mainland mobile number 1[3-9]XXXXXXXXX. */
static int is_mobile(const char *d)
{
	int i;

	if (d[0] != '1' || d[1] < '3' || d[1] > '9')
		return 0;
	for (i = 2; i < 11; i++)
		if (!is_digit(d[i]))
			return 0;
	return 1;
}

int pii_phone_normalize(const char *s, size_t len, char out[PII_PHONE_SIZE],
			const char **why)
{
	char digits[MAX_DIGITS];
	const char *d = digits;
	int plus, n;

	out[0] = '\0';
	n = collect_digits(s, len, digits, &plus, why);
	if (n < 0)
		return -1;
	if (n == 0) {
		*why = plus ? "not a mainland mobile number" : "empty phone number";
		return -1;
	}
	if (n == 13 && memcmp(digits, "86", 2) == 0) {
		d += 2;
		n -= 2;
	} else if (n == 15 && !plus && memcmp(digits, "0086", 4) == 0) {
		d += 4;
		n -= 4;
	} else if (plus) {
		n = 0; /* a '+' must be followed by 86 */
	}
	if (n != 11 || !is_mobile(d)) {
		*why = "not a mainland mobile number";
		return -1;
	}
	memcpy(out, d, 11);
	out[11] = '\0';
	return 0;
}

int pii_hmac_sha256_hex(const unsigned char *key, size_t keylen,
			const void *data, size_t len, char out_hex[PII_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	out_hex[0] = '\0';
	if (!key || keylen == 0 || keylen > (size_t)0x7fffffff || (!data && len))
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
		  len, md, &mdlen) || mdlen != 32)
		return -1;
	for (i = 0; i < mdlen; i++) {
		out_hex[2 * i] = hex[md[i] >> 4];
		out_hex[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out_hex[2 * mdlen] = '\0';
	return 0;
}

/* 1 when s is exactly 11 digits and a mobile number. */
static int is_normalized(const char *s)
{
	return s && strnlen(s, 12) == 11 && is_mobile(s);
}

int pii_phone_hash(const unsigned char *key, size_t keylen,
		   const char *normalized, char out_hex[PII_HEX_SIZE])
{
	out_hex[0] = '\0';
	if (!is_normalized(normalized))
		return -1;
	return pii_hmac_sha256_hex(key, keylen, normalized, 11, out_hex);
}

void pii_phone_mask(const char *normalized, char out[PII_PHONE_SIZE])
{
	out[0] = '\0';
	if (!is_normalized(normalized))
		return;
	memcpy(out, normalized, 3);
	memcpy(out + 3, "****", 4);
	memcpy(out + 7, normalized + 7, 4);
	out[11] = '\0';
}

int pii_mask_value(struct buf *out, const char *s, size_t len)
{
	char normalized[PII_PHONE_SIZE], masked[PII_PHONE_SIZE];
	const char *why;
	size_t digits = 0, seen = 0;

	if (pii_phone_normalize(s, len, normalized, &why) == 0) {
		pii_phone_mask(normalized, masked);
		return buf_adds(out, masked);
	}
	if (pii_phone_masked_form(s, len, masked) == 0)
		return buf_adds(out, masked);
	for (size_t i = 0; i < len; i++)
		digits += is_digit(s[i]);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (is_digit(c) && ++seen + 4 <= digits)
			c = '*';
		if (buf_addch(out, c) < 0)
			return -1;
	}
	return 0;
}

static int is_alnum(unsigned char c)
{
	return is_digit((char)c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_phone_char(char c)
{
	return is_digit(c) || c == '+' || is_separator(c);
}

/* Append s[0..len) with each bare digit run that is a mobile number masked. */
static int mask_digit_runs(struct buf *out, const char *s, size_t len, int *masked)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		char normalized[PII_PHONE_SIZE], form[PII_PHONE_SIZE];
		const char *why;

		while (j < len && is_digit(s[j]))
			j++;
		if (j > i && pii_phone_normalize(s + i, j - i, normalized, &why) == 0) {
			pii_phone_mask(normalized, form);
			if (buf_adds(out, form) < 0)
				return -1;
			(*masked)++;
		} else if (buf_add(out, s + i, j > i ? j - i : 1) < 0) {
			return -1;
		}
		i = j > i ? j : i + 1;
	}
	return 0;
}

int pii_mask_phones_in_text(struct buf *out, const char *s, size_t len)
{
	int masked = 0;
	size_t i = 0;

	while (i < len) {
		size_t start = i, end;
		char normalized[PII_PHONE_SIZE], form[PII_PHONE_SIZE];
		const char *why;

		/* a candidate starts at a digit or '+' that does not continue a word */
		if (!(is_digit(s[i]) || s[i] == '+') ||
		    (i > 0 && is_alnum((unsigned char)s[i - 1]))) {
			if (buf_addch(out, s[i]) < 0)
				return -1;
			i++;
			continue;
		}
		end = i;
		while (end < len && is_phone_char(s[end]))
			end++;
		while (end > start && !is_digit(s[end - 1]))
			end--; /* trailing separators are not part of it */
		if (end < len && is_alnum((unsigned char)s[end])) {
			/* glued to a word: only its digit runs can be numbers */
			if (mask_digit_runs(out, s + start, end - start, &masked) < 0)
				return -1;
		} else if (end > start &&
			   pii_phone_normalize(s + start, end - start, normalized, &why) == 0) {
			pii_phone_mask(normalized, form);
			if (buf_adds(out, form) < 0)
				return -1;
			masked++;
		} else if (mask_digit_runs(out, s + start, end > start ? end - start : 1,
					   &masked) < 0) {
			return -1;
		}
		i = end > start ? end : start + 1;
	}
	return masked;
}

int pii_phone_masked_form(const char *s, size_t len, char out[PII_PHONE_SIZE])
{
	char compact[32];
	size_t n = 0, stars = 0;
	const char *p = compact;

	out[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (is_separator(c) || (c == '+' && n == 0))
			continue;
		if (!is_digit(c) && c != '*')
			return -1;
		if (n == sizeof(compact) - 1)
			return -1;
		stars += c == '*';
		compact[n++] = c;
	}
	compact[n] = '\0';
	if (n >= 15 && memcmp(compact, "0086", 4) == 0)
		p += 4, n -= 4;
	else if (n >= 13 && memcmp(compact, "86", 2) == 0)
		p += 2, n -= 2;
	if (stars == 0 || n == 0 || n >= PII_PHONE_SIZE)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

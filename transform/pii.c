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

static int is_ascii_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * The end of the longest mobile number starting at s[i] (a digit or '+'): a run of
 * digits, separators and a leading '+' that pii_phone_normalize accepts, ending in a
 * digit that no letter or digit follows. 0 when there is none; norm gets the number.
 */
static size_t phone_at(const char *s, size_t n, size_t i, char norm[PII_PHONE_SIZE])
{
	char cand[PII_PHONE_SIZE];
	const char *why;
	size_t j = i, best = 0;
	int digits = 0;

	while (j < n && digits <= MAX_DIGITS &&
	       (is_digit(s[j]) || is_separator(s[j]) || (s[j] == '+' && j == i))) {
		digits += is_digit(s[j]);
		j++;
		if (is_digit(s[j - 1]) && (j == n || !is_ascii_alnum(s[j])) &&
		    pii_phone_normalize(s + i, j - i, cand, &why) == 0) {
			best = j;
			memcpy(norm, cand, PII_PHONE_SIZE);
		}
	}
	return best;
}

int pii_mask_phones(const char *s, struct buf *out)
{
	size_t n = strlen(s), i = 0, end;
	char norm[PII_PHONE_SIZE], masked[PII_PHONE_SIZE];
	int count = 0;

	while (i < n) {
		if ((is_digit(s[i]) || s[i] == '+') && (i == 0 || !is_ascii_alnum(s[i - 1])) &&
		    (end = phone_at(s, n, i, norm)) > 0) {
			pii_phone_mask(norm, masked);
			if (buf_adds(out, masked) < 0)
				return -1;
			count++;
			i = end;
			continue;
		}
		if (buf_addch(out, s[i]) < 0)
			return -1;
		i++;
	}
	if (n == 0 && buf_adds(out, "") < 0)
		return -1;
	return count;
}

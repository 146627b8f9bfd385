/*
 * pii.h — phone numbers are never stored in clear (docs/schema.md): normalize a
 * mainland mobile number, then keep only its HMAC-SHA256 under a secret key
 * (SIYU_PII_KEY) and a masked form for display.
 */
#ifndef SIYU_TRANSFORM_PII_H
#define SIYU_TRANSFORM_PII_H

#include <stddef.h>

struct buf;

/* Sizes of the output buffers below, NUL included. */
#define PII_PHONE_SIZE 16
#define PII_HEX_SIZE 65

/*
 * Normalize s[0..len) (borrowed, need not be NUL-terminated) to the 11
 * digits of a mainland mobile number 1[3-9]XXXXXXXXX in out. Spaces, tabs,
 * dashes and parentheses are dropped, then one country prefix "+86", "0086"
 * or "86" is removed. Landlines, foreign
 * numbers and anything else fail. Returns 0, or -1 with *why: "empty phone
 * number", "masked phone number" (contains '*', as platforms send them),
 * "not a mainland mobile number". out is "" on failure.
 */
int pii_phone_normalize(const char *s, size_t len, char out[PII_PHONE_SIZE],
			const char **why);

/*
 * HMAC-SHA256 of data[0..len) under key[0..keylen) as 64 lowercase hex digits
 * and a NUL in out_hex. keylen must be > 0. Returns 0, or -1 (out_hex "").
 */
int pii_hmac_sha256_hex(const unsigned char *key, size_t keylen,
			const void *data, size_t len, char out_hex[PII_HEX_SIZE]);

/*
 * The stored identity of a phone: pii_hmac_sha256_hex of the normalized
 * number (NUL-terminated, as pii_phone_normalize writes it). Fails (-1,
 * out_hex "") when keylen is 0 or normalized is not 11 digits starting with
 * 1, so that only normalized numbers are ever hashed.
 */
int pii_phone_hash(const unsigned char *key, size_t keylen,
		   const char *normalized, char out_hex[PII_HEX_SIZE]);

/*
 * Masked display form of a normalized number: "13812341234" → "138****1234".
 * Anything that is not a normalized number (NULL included) gives "", so
 * nothing unexpected is leaked.
 */
void pii_phone_mask(const char *normalized, char out[PII_PHONE_SIZE]);

/*
 * A phone column's value as it may be kept outside the raw zone (a reject's
 * raw record, a message): a mainland mobile number becomes its masked form
 * 138****1234; anything else keeps its non-digits and its last 4 digits,
 * every other digit becoming '*' ("021-6234 5678" → "***-**** 5678").
 * Appends to out. 0 / -1 (the buffer's cap).
 */
int pii_mask_value(struct buf *out, const char *s, size_t len);

/*
 * Append text s[0..len) to out with every mainland mobile number in it
 * masked: a run of digits, spaces, '-', '(', ')' and a leading '+' that is
 * not part of a longer word (no letter or digit right before or after) and
 * that pii_phone_normalize accepts, or failing that each bare run of digits
 * in it that does, becomes 138****1234. Other text is copied unchanged.
 * Returns how many numbers were masked, or -1 (the buffer's cap).
 */
int pii_mask_phones_in_text(struct buf *out, const char *s, size_t len);

/*
 * A masked phone as platforms send it ("138****5678", "+86 138 **** 5678"):
 * at most 15 digits and '*' with at least one '*', after dropping the
 * separators pii_phone_normalize drops and a +86/0086 prefix. Writes the
 * compact form ("138****5678") to out and returns 0, or -1 when s is not
 * one (out "").
 */
int pii_phone_masked_form(const char *s, size_t len, char out[PII_PHONE_SIZE]);

#endif /* SIYU_TRANSFORM_PII_H */

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
 * Append the text s (NUL-terminated) to out with every mainland mobile number in
 * it masked ("王女士 13912345678" → "王女士 139****5678"): a run of digits,
 * separators (space, tab, -, parentheses) and a leading '+' that
 * pii_phone_normalize accepts ("+86 139-1234-5678" too), not glued to an ASCII
 * letter or digit on either side — so an id like "wm13912345678x" or a 19-digit
 * order number is left alone. For text a person typed (remarks, nicknames) that
 * leaves the warehouse. Returns how many numbers were masked, or -1 when out
 * cannot grow.
 */
int pii_mask_phones(const char *s, struct buf *out);

#endif /* SIYU_TRANSFORM_PII_H */

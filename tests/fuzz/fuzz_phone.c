/*
 * fuzz_phone.c — the phone normalizer, mask and keyed hash (transform/pii.c) on any
 * text: an accepted number is 11 digits 1[3-9]…, masks to 138****5678 and hashes to
 * 64 hex digits; a refused one leaves nothing behind.
 */
#include "fuzz.h"

#include "siyu/transform/pii.h"

#include <string.h>

static const unsigned char key[] = "fuzz-pii-key-0123456789";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char norm[PII_PHONE_SIZE], masked[PII_PHONE_SIZE], hex[PII_HEX_SIZE];
	const char *why = NULL;

	if (pii_phone_normalize((const char *)data, size, norm, &why) != 0) {
		FUZZ_CHECK(why && *why && norm[0] == '\0');
		return 0;
	}
	FUZZ_CHECK(strlen(norm) == 11 && norm[0] == '1' && norm[1] >= '3' && norm[1] <= '9');
	FUZZ_CHECK(strspn(norm, "0123456789") == 11);
	pii_phone_mask(norm, masked);
	FUZZ_CHECK(strlen(masked) == 11 && memcmp(masked + 3, "****", 4) == 0);
	FUZZ_CHECK(memcmp(masked, norm, 3) == 0 && memcmp(masked + 7, norm + 7, 4) == 0);
	FUZZ_CHECK(pii_phone_hash(key, sizeof(key) - 1, norm, hex) == 0);
	FUZZ_CHECK(strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64);
	return 0;
}

/*
 * test_pii.c — unit tests of transform/pii.c: phone normalization (accepted
 * forms, rejections with reasons), HMAC-SHA256 against RFC 4231 and an
 * openssl(1) vector, phone hashes, masks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/common/buf.h"
#include "siyu/transform/pii.h"

struct phone_case {
	const char *in;
	const char *out; /* normalized, or the reason when rc is -1 */
	int rc;
};

static void test_normalize(void **state)
{
	static const struct phone_case cases[] = {
		{ "13812341234", "13812341234", 0 },
		{ "19912341234", "19912341234", 0 },
		{ "13012341234", "13012341234", 0 },
		{ " 138 1234 1234 ", "13812341234", 0 },
		{ "138-1234-1234", "13812341234", 0 },
		{ "(138)1234-1234", "13812341234", 0 },
		{ "\t13812341234\t", "13812341234", 0 },
		{ "+8613812341234", "13812341234", 0 },
		{ "+86 138 1234 1234", "13812341234", 0 },
		{ "+86-138-1234-1234", "13812341234", 0 },
		{ "(+86) 13812341234", "13812341234", 0 },
		{ "8613812341234", "13812341234", 0 },
		{ "86 13812341234", "13812341234", 0 },
		{ "008613812341234", "13812341234", 0 },
		{ "0086 138 1234 1234", "13812341234", 0 },
		{ "", "empty phone number", -1 },
		{ "   ", "empty phone number", -1 },
		{ "--()", "empty phone number", -1 },
		{ "138****1234", "masked phone number", -1 },
		{ "+86 138****1234", "masked phone number", -1 },
		{ "12812341234", "not a mainland mobile number", -1 }, /* 12x */
		{ "11812341234", "not a mainland mobile number", -1 },
		{ "10812341234", "not a mainland mobile number", -1 },
		{ "23812341234", "not a mainland mobile number", -1 },
		{ "1381234123", "not a mainland mobile number", -1 },   /* 10 digits */
		{ "138123412345", "not a mainland mobile number", -1 }, /* 12 digits */
		{ "010-12345678", "not a mainland mobile number", -1 }, /* landline */
		{ "021 6123 4567", "not a mainland mobile number", -1 },
		{ "0571-87654321", "not a mainland mobile number", -1 },
		{ "+1 415 555 0100", "not a mainland mobile number", -1 },
		{ "+852 9123 4567", "not a mainland mobile number", -1 },
		{ "+13812341234", "not a mainland mobile number", -1 },  /* '+' needs 86 */
		{ "+008613812341234", "not a mainland mobile number", -1 },
		{ "8612812341234", "not a mainland mobile number", -1 },
		{ "0013812341234", "not a mainland mobile number", -1 },
		{ "13812341234+", "not a mainland mobile number", -1 },
		{ "1381234123a", "not a mainland mobile number", -1 },
		{ "138.1234.1234", "not a mainland mobile number", -1 },
		{ "138/1234/1234", "not a mainland mobile number", -1 },
		{ "13812341234 ext 1", "not a mainland mobile number", -1 },
		{ "$Qn/ZHabc==$1$", "not a mainland mobile number", -1 }, /* ciphertext */
		{ "6920012345678901234", "not a mainland mobile number", -1 }, /* 19 digits */
		{ "\xEF\xBC\x91" "3812341234", "not a mainland mobile number", -1 }, /* full-width */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[PII_PHONE_SIZE] = "junk";
		const char *why = NULL;
		int rc = pii_phone_normalize(cases[i].in, strlen(cases[i].in), out, &why);

		if (rc != cases[i].rc)
			print_error("case %zu \"%s\": rc %d why %s\n", i,
				    cases[i].in, rc, why ? why : "(null)");
		assert_int_equal(rc, cases[i].rc);
		if (rc == 0) {
			assert_string_equal(out, cases[i].out);
		} else {
			assert_string_equal(why, cases[i].out);
			assert_string_equal(out, "");
		}
	}
}

static void test_normalize_uses_len(void **state)
{
	char out[PII_PHONE_SIZE];
	const char *why;

	(void)state;
	assert_int_equal(pii_phone_normalize("13812341234999", 11, out, &why), 0);
	assert_string_equal(out, "13812341234");
	assert_int_equal(pii_phone_normalize(NULL, 0, out, &why), -1);
	assert_string_equal(why, "empty phone number");
}

/* RFC 4231 test cases 1 and 2: the HMAC plumbing is right. */
static void test_hmac_rfc4231(void **state)
{
	static const unsigned char key1[20] = {
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	};
	char hex[PII_HEX_SIZE];

	(void)state;
	assert_int_equal(pii_hmac_sha256_hex(key1, sizeof(key1), "Hi There", 8, hex), 0);
	assert_string_equal(hex,
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	assert_int_equal(pii_hmac_sha256_hex((const unsigned char *)"Jefe", 4,
					     "what do ya want for nothing?", 28, hex), 0);
	assert_string_equal(hex,
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	assert_int_equal(strlen(hex), 64);
}

static void test_hmac_errors(void **state)
{
	char hex[PII_HEX_SIZE] = "junk";

	(void)state;
	assert_int_equal(pii_hmac_sha256_hex((const unsigned char *)"k", 0, "x", 1, hex), -1);
	assert_string_equal(hex, "");
	assert_int_equal(pii_hmac_sha256_hex(NULL, 4, "x", 1, hex), -1);
	assert_int_equal(pii_hmac_sha256_hex((const unsigned char *)"k", 1, NULL, 1, hex), -1);
	/* empty data is fine */
	assert_int_equal(pii_hmac_sha256_hex((const unsigned char *)"k", 1, "", 0, hex), 0);
	assert_int_equal(strlen(hex), 64);
}

/*
 * Expected value computed when this test was written with
 *   printf %s 13812341234 | openssl dgst -sha256 -hmac siyu-test-key
 */
static void test_phone_hash(void **state)
{
	static const unsigned char key[] = "siyu-test-key";
	static const char *const same[] = {
		"13812341234", "+86 138-1234-1234", "0086 13812341234", "(138) 1234 1234",
	};
	char hex[PII_HEX_SIZE], norm[PII_PHONE_SIZE];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_int_equal(pii_phone_normalize(same[i], strlen(same[i]), norm, &why), 0);
		assert_int_equal(pii_phone_hash(key, sizeof(key) - 1, norm, hex), 0);
		assert_string_equal(hex,
			"9b5c45df456e6f6d0bb67753c8c08325d7518aefe91238ac26ce07bd31feda58");
	}
	/* another key, another hash */
	assert_int_equal(pii_phone_hash((const unsigned char *)"other", 5, norm, hex), 0);
	assert_string_not_equal(hex,
		"9b5c45df456e6f6d0bb67753c8c08325d7518aefe91238ac26ce07bd31feda58");
	/* only normalized numbers are hashed, only with a key */
	assert_int_equal(pii_phone_hash(key, 0, "13812341234", hex), -1);
	assert_string_equal(hex, "");
	assert_int_equal(pii_phone_hash(key, sizeof(key) - 1, "+8613812341234", hex), -1);
	assert_int_equal(pii_phone_hash(key, sizeof(key) - 1, "138 1234 1234", hex), -1);
	assert_int_equal(pii_phone_hash(key, sizeof(key) - 1, "1381234123", hex), -1);
	assert_int_equal(pii_phone_hash(key, sizeof(key) - 1, "138123412345", hex), -1);
	assert_int_equal(pii_phone_hash(key, sizeof(key) - 1, "12812341234", hex), -1);
	assert_int_equal(pii_phone_hash(key, sizeof(key) - 1, "", hex), -1);
	assert_int_equal(pii_phone_hash(key, sizeof(key) - 1, NULL, hex), -1);
}

static void test_mask(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "13812341234", "138****1234" },
		{ "19900000000", "199****0000" },
		{ "138****1234", "" },
		{ "1381234123", "" },
		{ "138123412345", "" },
		{ "+8613812341234", "" },
		{ "", "" },
	};
	char out[PII_PHONE_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		pii_phone_mask(cases[i].in, out);
		assert_string_equal(out, cases[i].out);
	}
	pii_phone_mask(NULL, out);
	assert_string_equal(out, "");
}

static void test_mask_value(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "13812341234", "138****1234" },
		{ "+86 138-1234-1234", "138****1234" },
		{ "138****1234", "138****1234" },
		{ "021-6234 5678", "***-**** 5678" },
		{ "12345", "*2345" },
		{ "1234", "1234" },
		{ "n/a", "n/a" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		assert_int_equal(pii_mask_value(&out, cases[i].in, strlen(cases[i].in)), 0);
		assert_string_equal(buf_str(&out), cases[i].out);
		buf_release(&out);
	}
}

static void test_mask_phones_in_text(void **state)
{
	static const struct {
		const char *in, *out;
		int n;
	} cases[] = {
		{ "a,13812341234,b", "a,138****1234,b", 1 },
		{ "{\"mobile\":\"+86 138 1234 1234\"}", "{\"mobile\":\"138****1234\"}", 1 },
		{ "电话13812341234。", "电话138****1234。", 1 },
		{ "13812341234 13912345678", "138****1234 139****5678", 2 },
		/* not phones: order numbers, dates, amounts, ids glued to letters, hex */
		{ "4123456789012345678,2025-05-01 10:00:00,1,288.00", "4123456789012345678,2025-05-01 10:00:00,1,288.00", 0 },
		{ "tb13812341234", "tb13812341234", 0 },
		{ "ab13812341234cd", "ab13812341234cd", 0 },
		{ "12812341234", "12812341234", 0 },
		{ "王女士 13912345678", "王女士 139****5678", 1 },
		{ "王女士13912345678号", "王女士139****5678号", 1 },
		{ "+86 139-1234-5678 或 0086 13712345678", "139****5678 或 137****5678", 2 },
		{ "(138)1234-1234, 李", "(138****1234, 李", 1 },
		{ "tel:13912345678.", "tel:139****5678.", 1 },
		{ "wm13912345678x", "wm13912345678x", 0 },          /* an id: glued to letters */
		{ "4139123456781234567", "4139123456781234567", 0 }, /* a 19-digit order number */
		{ "1391234567", "1391234567", 0 },                   /* 10 digits */
		{ "12912345678", "12912345678", 0 },                 /* not 1[3-9] */
		{ "139****5678", "139****5678", 0 },                 /* already masked */
		{ "vip 618", "vip 618", 0 },
		{ "", "", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		assert_int_equal(pii_mask_phones_in_text(&out, cases[i].in, strlen(cases[i].in)),
				 cases[i].n);
		assert_string_equal(buf_str(&out), cases[i].out);
		buf_release(&out);
	}
}

static void test_masked_form(void **state)
{
	char out[PII_PHONE_SIZE];

	(void)state;
	assert_int_equal(pii_phone_masked_form("138****5678", 11, out), 0);
	assert_string_equal(out, "138****5678");
	assert_int_equal(pii_phone_masked_form("+86 138-****-5678", 17, out), 0);
	assert_string_equal(out, "138****5678");
	assert_int_equal(pii_phone_masked_form("13812345678", 11, out), -1); /* not masked */
	assert_string_equal(out, "");
	assert_int_equal(pii_phone_masked_form("138****x678", 11, out), -1);
	assert_int_equal(pii_phone_masked_form("1234567890123****", 17, out), -1); /* too long */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_normalize_uses_len),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_hmac_errors),
		cmocka_unit_test(test_phone_hash),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_value),
		cmocka_unit_test(test_mask_phones_in_text),
		cmocka_unit_test(test_masked_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * wecom_crypto.c — WeCom's callback signature and AES envelope
 * (see include/siyu/extract/wecom_crypto.h).
 *
 * Written from the protocol description (WeCom docs 90968 「加解密方案说明」) and checked
 * against the official samples' vectors in tests/unit/test_wecom_crypto.c. OpenSSL's
 * EVP interface does the SHA-1 and AES-256-CBC; the PKCS#7 padding is removed by hand
 * because WeCom pads to 32-byte blocks, which OpenSSL's own padding (16) rejects.
 */
#include "siyu/extract/wecom_crypto.h"

#include "siyu/common/buf.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WECOM_PAD_BLOCK 32
#define WECOM_RANDOM_LEN 16

const char *wecom_crypto_strerror(enum wecom_crypto_status st)
{
	switch (st) {
	case WECOM_CRYPTO_OK: return "ok";
	case WECOM_CRYPTO_BAD_SIGNATURE: return "bad signature";
	case WECOM_CRYPTO_BAD_BASE64: return "ciphertext is not base64";
	case WECOM_CRYPTO_BAD_CIPHERTEXT: return "ciphertext is not a whole number of AES blocks";
	case WECOM_CRYPTO_BAD_PADDING: return "bad padding";
	case WECOM_CRYPTO_BAD_LENGTH: return "bad message length";
	case WECOM_CRYPTO_BAD_RECEIVER: return "wrong receiver id";
	case WECOM_CRYPTO_NOMEM: return "out of memory or crypto library failure";
	}
	return "unknown error";
}

/* ---- base64 ------------------------------------------------------------------------ */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == ' ')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int wecom_base64_decode(const char *in, size_t len, struct buf *out)
{
	size_t start = out->len;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;
		unsigned char bytes[3];

		for (int k = 0; k < 4; k++) {
			unsigned char ch = (unsigned char)in[i + (size_t)k];

			/* '=' only as the last one or two characters of the text */
			if (ch == '=' && i + 4 == len && k >= 2 && (k == 3 || in[i + 3] == '=')) {
				v[k] = 0;
				pad++;
				continue;
			}
			v[k] = b64_value(ch);
			if (v[k] < 0 || pad)
				goto bad;
		}
		bytes[0] = (unsigned char)((v[0] << 2) | (v[1] >> 4));
		bytes[1] = (unsigned char)(((v[1] & 0x0f) << 4) | (v[2] >> 2));
		bytes[2] = (unsigned char)(((v[2] & 0x03) << 6) | v[3]);
		if (buf_add(out, bytes, (size_t)(3 - pad)) < 0)
			goto bad;
	}
	return 0;
bad:
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return -1;
}

int wecom_base64_encode(const void *in, size_t len, struct buf *out)
{
	const unsigned char *p = in;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t n = (uint32_t)p[i] << 16;
		size_t left = len - i;
		char q[4];

		if (left > 1)
			n |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			n |= p[i + 2];
		q[0] = b64_alphabet[(n >> 18) & 63];
		q[1] = b64_alphabet[(n >> 12) & 63];
		q[2] = left > 1 ? b64_alphabet[(n >> 6) & 63] : '=';
		q[3] = left > 2 ? b64_alphabet[n & 63] : '=';
		if (buf_add(out, q, 4) < 0)
			return -1;
	}
	if (len == 0 && buf_add(out, "", 0) < 0)
		return -1;
	return 0;
}

/* ---- setup ---------------------------------------------------------------------------- */

int wecom_crypto_init(struct wecom_crypto *c, const char *token, const char *encoding_aes_key,
		      const char *receiver_id, char *err, size_t errlen)
{
	struct buf key = BUF_INIT;
	char padded[WECOM_AES_KEY_CHARS + 2];
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (!token || !*token || strlen(token) > WECOM_CRYPTO_MAX_ID) {
		snprintf(err, errlen, "callback_token must be 1 to %d characters", WECOM_CRYPTO_MAX_ID);
		return -1;
	}
	if (!receiver_id || !*receiver_id || strlen(receiver_id) > WECOM_CRYPTO_MAX_ID) {
		snprintf(err, errlen, "callback_receiver_id (the corpid) must be 1 to %d characters",
			 WECOM_CRYPTO_MAX_ID);
		return -1;
	}
	if (!encoding_aes_key || strlen(encoding_aes_key) != WECOM_AES_KEY_CHARS ||
	    strchr(encoding_aes_key, ' ')) {
		snprintf(err, errlen, "callback_aes_key must be the 43-character EncodingAESKey");
		return -1;
	}
	snprintf(padded, sizeof(padded), "%s=", encoding_aes_key);
	if (wecom_base64_decode(padded, WECOM_AES_KEY_CHARS + 1, &key) < 0 || key.len != 32) {
		snprintf(err, errlen, "callback_aes_key is not a valid EncodingAESKey (base64 of 32 bytes)");
		goto out;
	}
	memcpy(c->key, key.data, 32);
	snprintf(c->token, sizeof(c->token), "%s", token);
	snprintf(c->receiver_id, sizeof(c->receiver_id), "%s", receiver_id);
	rc = 0;
out:
	if (key.data)
		OPENSSL_cleanse(key.data, key.cap);
	buf_release(&key);
	OPENSSL_cleanse(padded, sizeof(padded));
	return rc;
}

void wecom_crypto_release(struct wecom_crypto *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

/* ---- signature ------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void wecom_crypto_sign(const struct wecom_crypto *c, const char *timestamp, const char *nonce,
		       const char *encrypt, char out[WECOM_SIGNATURE_HEX + 1])
{
	const char *parts[4] = { c->token, timestamp, nonce, encrypt };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1;

	qsort(parts, 4, sizeof(parts[0]), cmp_str);
	for (int i = 0; i < 4 && ok; i++)
		ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 20;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		/* Never matches a real signature (those are hex). */
		memset(out, '!', WECOM_SIGNATURE_HEX);
		out[WECOM_SIGNATURE_HEX] = '\0';
		return;
	}
	for (unsigned int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

enum wecom_crypto_status wecom_crypto_verify(const struct wecom_crypto *c,
					     const char *msg_signature, const char *timestamp,
					     const char *nonce, const char *encrypt)
{
	char want[WECOM_SIGNATURE_HEX + 1], got[WECOM_SIGNATURE_HEX + 1];

	if (!msg_signature || !timestamp || !nonce || !encrypt ||
	    strlen(msg_signature) != WECOM_SIGNATURE_HEX)
		return WECOM_CRYPTO_BAD_SIGNATURE;
	for (int i = 0; i < WECOM_SIGNATURE_HEX; i++) {
		char ch = msg_signature[i];

		got[i] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
	}
	got[WECOM_SIGNATURE_HEX] = '\0';
	wecom_crypto_sign(c, timestamp, nonce, encrypt, want);
	return CRYPTO_memcmp(want, got, WECOM_SIGNATURE_HEX) == 0 ? WECOM_CRYPTO_OK
								 : WECOM_CRYPTO_BAD_SIGNATURE;
}

/* ---- AES ------------------------------------------------------------------------------- */

/* AES-256-CBC without OpenSSL's padding; in and out may not overlap. 0 / -1. */
static int aes_cbc(const struct wecom_crypto *c, int encrypt, const unsigned char *in,
		   size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n1 = 0, n2 = 0, ok;

	ok = ctx && len <= (size_t)INT32_MAX &&
	     EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, c->key, c->key, encrypt) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_CipherUpdate(ctx, out, &n1, in, (int)len) == 1 &&
	     EVP_CipherFinal_ex(ctx, out + n1, &n2) == 1 && (size_t)(n1 + n2) == len;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

enum wecom_crypto_status wecom_crypto_decrypt(const struct wecom_crypto *c, const char *encrypt,
					      size_t len, struct buf *msg)
{
	struct buf cipher = BUF_INIT;
	unsigned char *plain = NULL;
	enum wecom_crypto_status st;
	size_t n, pad, msg_len, rid_len;

	if (wecom_base64_decode(encrypt, len, &cipher) < 0) {
		st = WECOM_CRYPTO_BAD_BASE64;
		goto out;
	}
	n = cipher.len;
	if (n == 0 || n % 16 != 0) {
		st = WECOM_CRYPTO_BAD_CIPHERTEXT;
		goto out;
	}
	plain = malloc(n);
	if (!plain || aes_cbc(c, 0, (const unsigned char *)cipher.data, n, plain) < 0) {
		st = WECOM_CRYPTO_NOMEM;
		goto out;
	}
	pad = plain[n - 1];
	if (pad < 1 || pad > WECOM_PAD_BLOCK || pad > n) {
		st = WECOM_CRYPTO_BAD_PADDING;
		goto out;
	}
	for (size_t i = n - pad; i < n; i++) {
		if (plain[i] != pad) {
			st = WECOM_CRYPTO_BAD_PADDING;
			goto out;
		}
	}
	n -= pad;
	if (n < WECOM_RANDOM_LEN + 4) {
		st = WECOM_CRYPTO_BAD_LENGTH;
		goto out;
	}
	msg_len = (size_t)plain[16] << 24 | (size_t)plain[17] << 16 | (size_t)plain[18] << 8 |
		  (size_t)plain[19];
	if (msg_len > n - WECOM_RANDOM_LEN - 4) {
		st = WECOM_CRYPTO_BAD_LENGTH;
		goto out;
	}
	rid_len = n - WECOM_RANDOM_LEN - 4 - msg_len;
	if (rid_len != strlen(c->receiver_id) ||
	    memcmp(plain + WECOM_RANDOM_LEN + 4 + msg_len, c->receiver_id, rid_len) != 0) {
		st = WECOM_CRYPTO_BAD_RECEIVER;
		goto out;
	}
	st = buf_add(msg, plain + WECOM_RANDOM_LEN + 4, msg_len) < 0 ? WECOM_CRYPTO_NOMEM
								       : WECOM_CRYPTO_OK;
out:
	if (plain)
		OPENSSL_cleanse(plain, cipher.len);
	free(plain);
	buf_release(&cipher);
	return st;
}

int wecom_crypto_encrypt(const struct wecom_crypto *c, const unsigned char *random16,
			 const void *msg, size_t len, struct buf *out)
{
	size_t rid_len = strlen(c->receiver_id);
	size_t body, pad, total;
	unsigned char *plain = NULL, *cipher = NULL;
	int rc = -1;

	if (len > UINT32_MAX || len > SIZE_MAX / 2 - rid_len - 64)
		return -1;
	body = WECOM_RANDOM_LEN + 4 + len + rid_len;
	pad = WECOM_PAD_BLOCK - body % WECOM_PAD_BLOCK; /* 1..32: a full block when aligned */
	total = body + pad;
	plain = malloc(total);
	cipher = malloc(total);
	if (!plain || !cipher)
		goto out;
	if (random16)
		memcpy(plain, random16, WECOM_RANDOM_LEN);
	else if (RAND_bytes(plain, WECOM_RANDOM_LEN) != 1)
		goto out;
	plain[16] = (unsigned char)(len >> 24);
	plain[17] = (unsigned char)(len >> 16);
	plain[18] = (unsigned char)(len >> 8);
	plain[19] = (unsigned char)len;
	if (len)
		memcpy(plain + 20, msg, len);
	memcpy(plain + 20 + len, c->receiver_id, rid_len);
	memset(plain + body, (int)pad, pad);
	if (aes_cbc(c, 1, plain, total, cipher) < 0)
		goto out;
	rc = wecom_base64_encode(cipher, total, out);
out:
	if (plain)
		OPENSSL_cleanse(plain, total);
	free(plain);
	free(cipher);
	return rc;
}

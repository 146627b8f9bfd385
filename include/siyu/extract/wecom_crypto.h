/*
 * wecom_crypto.h — WeCom's callback message crypto (WXBizMsgCrypt), in C.
 *
 * WeCom signs and encrypts every callback it pushes:
 *
 *   msg_signature = hex(SHA1(concatenation of sorted(token, timestamp, nonce, encrypt)))
 *   AESKey        = base64_decode(EncodingAESKey + "=")          (43 chars -> 32 bytes)
 *   encrypt       = base64(AES-256-CBC(AESKey, IV = AESKey[0..16),
 *                          PKCS#7 to a multiple of 32 bytes (WeCom's block, not AES's 16)
 *                          of: 16 random bytes | 4-byte big-endian length | msg | receiver id))
 *
 * The receiver id is the corpid for a self-built app (the suite id for a third-party
 * app). The receiver (`siyu wecom-callback`) verifies and decrypts; the test client
 * (tests/fakes/wecom_push) signs and encrypts with the very same code, and
 * tests/unit/test_wecom_crypto.c checks both against the official sample vectors.
 */
#ifndef SIYU_EXTRACT_WECOM_CRYPTO_H
#define SIYU_EXTRACT_WECOM_CRYPTO_H

#include <stddef.h>

struct buf;

#define WECOM_AES_KEY_CHARS 43   /* length of an EncodingAESKey */
#define WECOM_CRYPTO_MAX_ID 128  /* longest token / receiver id accepted */
#define WECOM_SIGNATURE_HEX 40   /* SHA-1 in hex */

struct wecom_crypto {
	char token[WECOM_CRYPTO_MAX_ID + 1];
	char receiver_id[WECOM_CRYPTO_MAX_ID + 1];
	unsigned char key[32];
};

/* Why a verification or decryption failed (wecom_crypto_strerror names it). */
enum wecom_crypto_status {
	WECOM_CRYPTO_OK = 0,
	WECOM_CRYPTO_BAD_SIGNATURE,   /* msg_signature does not match */
	WECOM_CRYPTO_BAD_BASE64,      /* ciphertext is not base64 */
	WECOM_CRYPTO_BAD_CIPHERTEXT,  /* empty, or not a whole number of AES blocks */
	WECOM_CRYPTO_BAD_PADDING,     /* PKCS#7 padding (1..32) does not check out */
	WECOM_CRYPTO_BAD_LENGTH,      /* the inner length runs past the plaintext */
	WECOM_CRYPTO_BAD_RECEIVER,    /* the receiver id is not ours */
	WECOM_CRYPTO_NOMEM,           /* out of memory or an OpenSSL failure */
};

/* A short lowercase text for a status ("bad signature", ...); never NULL. */
const char *wecom_crypto_strerror(enum wecom_crypto_status st);

/*
 * Set up from the configured token, EncodingAESKey (exactly 43 base64 characters)
 * and receiver id (non-empty). Returns 0, or -1 with err filled (naming the setting,
 * never its value).
 */
int wecom_crypto_init(struct wecom_crypto *c, const char *token, const char *encoding_aes_key,
		      const char *receiver_id, char *err, size_t errlen);

/* Wipe the key and token. */
void wecom_crypto_release(struct wecom_crypto *c);

/* msg_signature of (timestamp, nonce, encrypt) into out (40 hex chars + NUL). */
void wecom_crypto_sign(const struct wecom_crypto *c, const char *timestamp, const char *nonce,
		       const char *encrypt, char out[WECOM_SIGNATURE_HEX + 1]);

/*
 * Check msg_signature (hex, either case) in constant time: WECOM_CRYPTO_OK or
 * WECOM_CRYPTO_BAD_SIGNATURE.
 */
enum wecom_crypto_status wecom_crypto_verify(const struct wecom_crypto *c,
					     const char *msg_signature, const char *timestamp,
					     const char *nonce, const char *encrypt);

/*
 * Decrypt a base64 ciphertext (encrypt, len bytes; a space is read as '+', since
 * form decoding turns an unescaped '+' into one) and check the padding, the length
 * and the receiver id. On WECOM_CRYPTO_OK the message is appended to msg
 * (NUL-terminated; msg is borrowed and left as it was on failure).
 */
enum wecom_crypto_status wecom_crypto_decrypt(const struct wecom_crypto *c, const char *encrypt,
					      size_t len, struct buf *msg);

/*
 * Encrypt msg (len bytes) like WeCom does and append the base64 text to out.
 * random16 are the 16 leading random bytes; NULL draws them from the OpenSSL
 * CSPRNG. Returns 0 or -1 (memory, OpenSSL).
 */
int wecom_crypto_encrypt(const struct wecom_crypto *c, const unsigned char *random16,
			 const void *msg, size_t len, struct buf *out);

/*
 * Strict base64 (RFC 4648 alphabet, '=' padding required, no line breaks; ' ' is
 * taken as '+'). Appends the bytes to out. Returns 0 or -1 (not base64, memory).
 */
int wecom_base64_decode(const char *in, size_t len, struct buf *out);

/* Append the base64 text of len bytes to out. 0 or -1 (memory). */
int wecom_base64_encode(const void *in, size_t len, struct buf *out);

#endif /* SIYU_EXTRACT_WECOM_CRYPTO_H */

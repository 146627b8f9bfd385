/*
 * fuzz_callback.c — the WeCom callback receiver's request handling
 * (extract/wecom_callback*.c, extract/wecom_crypto.c) on any input, without HTTP.
 * The first byte picks what the rest is:
 *
 *   0  a POST body as anyone could send it (envelope, signature check)
 *   1  an event's plaintext XML, encrypted and signed as WeCom would, then POSTed:
 *      decryption, the XML reader, the key and the spool line
 *   2  the echostr of a URL check (signed: decryption and the receiver id)
 *   3  a ciphertext as WeCom's Encrypt text, signed: the decryption's checks
 *
 * The answer is always one of 200, 400, 403, 500 (the spool directory is removed after
 * set-up, so an event that gets that far is answered 500 without writing anything).
 */
#include "fuzz.h"

#include "siyu/common/buf.h"
#include "siyu/extract/wecom_callback.h"
#include "siyu/extract/wecom_crypto.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* WeCom's published sample credentials (tests/unit/test_wecom_crypto.c). */
#define TOKEN "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
#define AES_KEY "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
#define CORP "ww1436e0e65a779aee"
#define TS "1717385400"
#define NONCE "1372623149"

static struct wecom_callback cb;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/siyu-fuzz-callback-XXXXXX", err[512];

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir) || wecom_callback_init(&cb, TOKEN, AES_KEY, CORP, dir, err, sizeof(err))) {
		fprintf(stderr, "fuzz_callback: set-up failed: %s\n", err);
		exit(1);
	}
	rmdir(dir);
	return 0;
}

static void check_status(int status)
{
	FUZZ_CHECK(status == 200 || status == 400 || status == 403 || status == 500);
}

/* POST body with msg_signature sig; the reply's status. */
static int post(const char *sig, const char *body, size_t len)
{
	struct timespec now = { 1717459199, 0 };
	struct wecom_reply r;
	int status;

	wecom_reply_init(&r);
	status = wecom_callback_event(&cb, sig, TS, NONCE, body, len, &now, &r);
	FUZZ_CHECK(status == r.status && r.reason[0]);
	wecom_reply_release(&r);
	return status;
}

/* The envelope around a ciphertext, signed: what WeCom POSTs. */
static int post_signed(const char *encrypt)
{
	char sig[WECOM_SIGNATURE_HEX + 1];
	struct buf body = BUF_INIT;
	int status = 500;

	wecom_crypto_sign(&cb.crypto, TS, NONCE, encrypt, sig);
	if (buf_addf(&body, "<xml><ToUserName><![CDATA[" CORP "]]></ToUserName>"
			    "<Encrypt><![CDATA[%s]]></Encrypt><AgentID>1</AgentID></xml>",
		     encrypt) == 0)
		status = post(sig, body.data, body.len);
	buf_release(&body);
	return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char random16[16] = "0123456789abcdef";
	struct buf enc = BUF_INIT, text = BUF_INIT;
	char sig[WECOM_SIGNATURE_HEX + 1];
	struct wecom_reply r;

	if (size < 1 || buf_add(&text, data + 1, size - 1) < 0)
		return 0;
	switch (data[0] % 4) {
	case 0:
		check_status(post("0123456789abcdef0123456789abcdef01234567", text.data ? text.data : "",
				  text.len));
		break;
	case 1:
		if (wecom_crypto_encrypt(&cb.crypto, random16, data + 1, size - 1, &enc) == 0)
			check_status(post_signed(enc.data));
		break;
	case 2:
		if (wecom_crypto_encrypt(&cb.crypto, random16, data + 1, size - 1, &enc) == 0) {
			wecom_crypto_sign(&cb.crypto, TS, NONCE, enc.data, sig);
			wecom_reply_init(&r);
			check_status(wecom_callback_verify_url(&cb, sig, TS, NONCE, enc.data, &r));
			FUZZ_CHECK(r.status != 200 || (r.body.len == size - 1 &&
						       memcmp(buf_str(&r.body), data + 1, size - 1) == 0));
			wecom_reply_release(&r);
		}
		break;
	default:
		if (memchr(data + 1, '\0', size - 1) == NULL)
			check_status(post_signed(buf_str(&text)));
		break;
	}
	buf_release(&enc);
	buf_release(&text);
	return 0;
}

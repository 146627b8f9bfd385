/*
 * wecom_push.c — a test client that talks to `siyu wecom-callback` the way WeCom does.
 *
 *   wecom_push --url URL --token T --aes-key K --receiver-id CORPID [options] EVENT.xml
 *       encrypt EVENT.xml (random prefix, 32-byte PKCS#7, receiver id), wrap it in
 *       <xml><ToUserName/><Encrypt/><AgentID/></xml>, sign it, and POST it to
 *       URL?msg_signature=…&timestamp=…&nonce=…
 *   wecom_push --url URL --token T --aes-key K --receiver-id CORPID --verify
 *       the URL check: GET with an encrypted echostr, expect its plaintext back
 *
 * Options: --timestamp TS, --nonce N (default: now, random), --bad-signature (flip one
 * hex digit of msg_signature), --encrypt-for ID (encrypt for another receiver id),
 * --plus-raw (send base64 '+' unescaped in the query, as a sloppy proxy would).
 * Prints the HTTP status (and a body, if any) on stdout. Exit: 0 for 2xx (and, with
 * --verify, the right echo), 22 for an HTTP error status, 1 for anything else.
 *
 * Signing and encryption use extract/wecom_crypto.c, the code under test, which
 * tests/unit/test_wecom_crypto.c checks against WeCom's official sample vectors.
 */
#include "siyu/common/buf.h"
#include "siyu/extract/wecom_crypto.h"

#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *url, *token, *aes_key, *receiver, *encrypt_for;
	const char *timestamp, *nonce, *agent_id;
	int verify, bad_signature, plus_raw;
};

static size_t collect(char *data, size_t size, size_t n, void *userdata)
{
	return buf_add(userdata, data, size * n) < 0 ? 0 : size * n;
}

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(out, chunk, n) < 0)
			break;
	fclose(f);
	return 0;
}

/* query value: URL-escaped, or raw when asked (keeps '+' as is) */
static int add_param(CURL *curl, struct buf *url, const char *name, const char *value, int raw)
{
	char *esc = raw ? NULL : curl_easy_escape(curl, value, 0);
	int rc = buf_addf(url, "%c%s=%s", strchr(buf_str(url), '?') ? '&' : '?', name,
			  raw ? value : esc);

	curl_free(esc);
	return rc;
}

static int perform(CURL *curl, const char *url, const struct buf *post, struct buf *resp,
		   long *status)
{
	CURLcode cc;
	struct curl_slist *hdr = NULL;

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	if (post) {
		hdr = curl_slist_append(hdr, "Content-Type: text/xml; charset=utf-8");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, buf_str(post));
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)post->len);
	}
	cc = curl_easy_perform(curl);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK) {
		fprintf(stderr, "wecom_push: %s\n", curl_easy_strerror(cc));
		return -1;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

static int run(const struct opts *o, const char *file)
{
	struct wecom_crypto c, enc_c;
	struct buf msg = BUF_INIT, enc = BUF_INIT, body = BUF_INIT, url = BUF_INIT,
		   resp = BUF_INIT;
	char sig[WECOM_SIGNATURE_HEX + 1], ts[32], nonce[32], echo[32], err[256];
	CURL *curl = curl_easy_init();
	long status = 0;
	int rc = 1;

	if (!curl || wecom_crypto_init(&c, o->token, o->aes_key, o->receiver, err, sizeof(err)) < 0 ||
	    wecom_crypto_init(&enc_c, o->token, o->aes_key,
			      o->encrypt_for ? o->encrypt_for : o->receiver, err, sizeof(err)) < 0) {
		fprintf(stderr, "wecom_push: %s\n", curl ? err : "curl_easy_init failed");
		goto out;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	snprintf(ts, sizeof(ts), "%s", o->timestamp ? o->timestamp : "");
	if (!o->timestamp)
		snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	snprintf(nonce, sizeof(nonce), "%s", o->nonce ? o->nonce : "");
	if (!o->nonce)
		snprintf(nonce, sizeof(nonce), "%d", rand() % 1000000000);
	if (o->verify) {
		snprintf(echo, sizeof(echo), "%d%d", rand() % 100000, rand() % 100000);
		if (buf_adds(&msg, echo) < 0)
			goto out;
	} else if (read_file(file, &msg) < 0) {
		goto out;
	}
	if (wecom_crypto_encrypt(&enc_c, NULL, msg.data, msg.len, &enc) < 0)
		goto out;
	wecom_crypto_sign(&c, ts, nonce, enc.data, sig);
	if (o->bad_signature)
		sig[7] = sig[7] == '0' ? '1' : '0';
	if (buf_adds(&url, o->url) < 0 || add_param(curl, &url, "msg_signature", sig, 0) < 0 ||
	    add_param(curl, &url, "timestamp", ts, 0) < 0 ||
	    add_param(curl, &url, "nonce", nonce, 0) < 0)
		goto out;
	if (o->verify) {
		if (add_param(curl, &url, "echostr", enc.data, o->plus_raw) < 0 ||
		    perform(curl, url.data, NULL, &resp, &status) < 0)
			goto out;
	} else {
		if (buf_addf(&body,
			     "<xml><ToUserName><![CDATA[%s]]></ToUserName>\n"
			     "<Encrypt><![CDATA[%s]]></Encrypt>\n"
			     "<AgentID><![CDATA[%s]]></AgentID>\n</xml>",
			     o->receiver, enc.data, o->agent_id ? o->agent_id : "1000002") < 0 ||
		    perform(curl, url.data, &body, &resp, &status) < 0)
			goto out;
	}
	printf("%ld%s%s\n", status, resp.len ? " " : "", buf_str(&resp));
	if (status < 200 || status >= 300)
		rc = 22;
	else if (o->verify && strcmp(buf_str(&resp), echo) != 0)
		fprintf(stderr, "wecom_push: URL check answered '%s', expected '%s'\n",
			buf_str(&resp), echo);
	else
		rc = 0;
out:
	if (curl)
		curl_easy_cleanup(curl);
	buf_release(&msg);
	buf_release(&enc);
	buf_release(&body);
	buf_release(&url);
	buf_release(&resp);
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: wecom_push --url URL --token T --aes-key K --receiver-id ID\n"
		     "                  [--timestamp TS] [--nonce N] [--agent-id N] [--bad-signature]\n"
		     "                  [--encrypt-for ID] [--plus-raw] (--verify | EVENT.xml)\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "token", required_argument, NULL, 't' },
		{ "aes-key", required_argument, NULL, 'k' },
		{ "receiver-id", required_argument, NULL, 'r' },
		{ "encrypt-for", required_argument, NULL, 'e' },
		{ "timestamp", required_argument, NULL, 'T' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "agent-id", required_argument, NULL, 'a' },
		{ "verify", no_argument, NULL, 'V' },
		{ "bad-signature", no_argument, NULL, 'B' },
		{ "plus-raw", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'u': o.url = optarg; break;
		case 't': o.token = optarg; break;
		case 'k': o.aes_key = optarg; break;
		case 'r': o.receiver = optarg; break;
		case 'e': o.encrypt_for = optarg; break;
		case 'T': o.timestamp = optarg; break;
		case 'n': o.nonce = optarg; break;
		case 'a': o.agent_id = optarg; break;
		case 'V': o.verify = 1; break;
		case 'B': o.bad_signature = 1; break;
		case 'P': o.plus_raw = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (!o.url || !o.token || !o.aes_key || !o.receiver ||
	    (o.verify ? optind != argc : optind != argc - 1)) {
		usage(stderr);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = run(&o, o.verify ? NULL : argv[optind]);
	curl_global_cleanup();
	return rc;
}

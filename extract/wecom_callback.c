/*
 * wecom_callback.c — the change-callback receiver's logic (see wecom_callback.h): the
 * dedupe key, the spool line, the durable append, and the answers to the URL check
 * and to event pushes. The XML parser is in wecom_callback_xml.c, the HTTP server in
 * wecom_callback_http.c.
 */
#include "siyu/extract/wecom_callback.h"

#include "siyu/common/config.h"
#include "siyu/common/log.h"
#include "siyu/extract/rawzone.h"

#include <json-c/json.h>
#include <openssl/evp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ======================================================================================
 * The event: key and spool line
 * ====================================================================================== */

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int cmp_field_ptr(const void *a, const void *b)
{
	const struct wecom_xml_field *fa = *(const struct wecom_xml_field *const *)a;
	const struct wecom_xml_field *fb = *(const struct wecom_xml_field *const *)b;

	return strcmp(fa->name, fb->name);
}

void wecom_event_key(const struct wecom_xml *x, char out[WECOM_EVENT_KEY_HEX + 1])
{
	const struct wecom_xml_field *sorted[WECOM_XML_MAX_FIELDS];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

	for (size_t i = 0; i < x->nfields && n < WECOM_XML_MAX_FIELDS; i++)
		if (strcmp(x->fields[i].name, "WelcomeCode") != 0)
			sorted[n++] = &x->fields[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_field_ptr);
	/* name US value RS; a list: name GS item US item ... RS (separators never occur
	 * in the text: the parser refuses control characters) */
	for (size_t i = 0; i < n && ok; i++) {
		const struct wecom_xml_field *f = sorted[i];

		ok = EVP_DigestUpdate(ctx, f->name, strlen(f->name)) == 1;
		if (f->is_list) {
			ok = ok && EVP_DigestUpdate(ctx, "\x1d", 1) == 1;
			for (size_t k = 0; k < f->nitems && ok; k++)
				ok = EVP_DigestUpdate(ctx, f->items[k], strlen(f->items[k])) == 1 &&
				     EVP_DigestUpdate(ctx, "\x1f", 1) == 1;
		} else {
			ok = ok && EVP_DigestUpdate(ctx, "\x1f", 1) == 1 &&
			     EVP_DigestUpdate(ctx, f->value, strlen(f->value)) == 1;
		}
		ok = ok && EVP_DigestUpdate(ctx, "\x1e", 1) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= WECOM_EVENT_KEY_HEX / 2;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		memset(out, '0', WECOM_EVENT_KEY_HEX);
		out[WECOM_EVENT_KEY_HEX] = '\0';
		return;
	}
	for (int i = 0; i < WECOM_EVENT_KEY_HEX / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* json_object_object_add that fails on a NULL value (an allocation that failed). */
static int jadd(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val)
		return -1;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

static int jappend(struct json_object *arr, const char *s, size_t len)
{
	struct json_object *v = json_object_new_string_len(s, (int)len);

	if (!v)
		return -1;
	if (json_object_array_add(arr, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

/* A list field as a JSON array; MemChangeList given as text is split on commas. */
static struct json_object *field_array(const struct wecom_xml_field *f)
{
	struct json_object *arr = json_object_new_array();
	int rc = 0;

	if (!arr)
		return NULL;
	if (f->is_list) {
		for (size_t k = 0; k < f->nitems && rc == 0; k++)
			rc = jappend(arr, f->items[k], strlen(f->items[k]));
	} else {
		const char *s = f->value;

		while (*s && rc == 0) {
			const char *comma = strchr(s, ',');
			size_t len = comma ? (size_t)(comma - s) : strlen(s);
			const char *a = s, *z = s + len;

			while (a < z && is_space(*a))
				a++;
			while (z > a && is_space(z[-1]))
				z--;
			if (z > a)
				rc = jappend(arr, a, (size_t)(z - a));
			s = comma ? comma + 1 : s + len;
		}
	}
	if (rc != 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

int wecom_event_json(const struct wecom_xml *x, const char *key, const struct timespec *received,
		     struct buf *out)
{
	struct json_object *root = json_object_new_object(), *ev = json_object_new_object();
	char stamp[48];
	struct tm tm;
	const char *text;
	int rc = -1;

	if (!root || !ev)
		goto out;
	gmtime_r(&received->tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
		 tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100,
		 (int)(received->tv_nsec / 1000000 % 1000));
	for (size_t i = 0; i < x->nfields; i++) {
		const struct wecom_xml_field *f = &x->fields[i];
		struct json_object *v;

		if (f->is_list || strcmp(f->name, "MemChangeList") == 0)
			v = field_array(f);
		else
			v = json_object_new_string(f->value);
		if (jadd(ev, f->name, v) < 0)
			goto out;
	}
	if (jadd(root, "received_at", json_object_new_string(stamp)) < 0 ||
	    jadd(root, "key", json_object_new_string(key)) < 0)
		goto out;
	if (jadd(root, "event", ev) < 0) {
		ev = NULL; /* jadd dropped it */
		goto out;
	}
	ev = NULL; /* owned by root */
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text && !strchr(text, '\n'))
		rc = buf_adds(out, text);
out:
	json_object_put(ev);
	json_object_put(root);
	return rc;
}

/* ======================================================================================
 * The spool
 * ====================================================================================== */

int wecom_spool_mkdir(const char *dir, char *err, size_t errlen)
{
	if (!*dir || rawzone_make_dirs(dir) < 0) {
		snprintf(err, errlen, "cannot create spool directory '%s': %s", dir,
			 *dir ? strerror(errno) : "empty name");
		return -1;
	}
	return 0;
}

int wecom_spool_dir(const struct config *cfg, const struct config_source *src, char *out,
		    size_t n)
{
	const char *dir = config_source_get(src, "spool_dir");
	int len;

	if (dir && *dir)
		len = snprintf(out, n, "%s", dir);
	else
		len = snprintf(out, n, "%s/%s/callbacks", cfg->raw_dir, src->name);
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int wecom_spool_append(const char *dir, time_t when, const char *line, size_t len, char *err,
		       size_t errlen)
{
	char path[4200];
	struct tm tm;
	struct stat st;
	char *rec = NULL;
	size_t n = 0;
	int fd, created = 1, rc = -1;

	gmtime_r(&when, &tm);
	if (snprintf(path, sizeof(path), "%s/events-%04d%02d%02d.jsonl", dir, tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday) >= (int)sizeof(path)) {
		snprintf(err, errlen, "spool path too long");
		return -1;
	}
	fd = rawzone_create(path, O_APPEND);
	if (fd < 0 && errno == EEXIST) {
		created = 0;
		fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open spool file '%s': %s", path, strerror(errno));
		return -1;
	}
	rec = malloc(len + 2);
	if (!rec) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!created && fstat(fd, &st) == 0 && st.st_size > 0) {
		char last = '\n';

		if (pread(fd, &last, 1, st.st_size - 1) != 1) {
			snprintf(err, errlen, "cannot read spool file '%s': %s", path,
				 strerror(errno));
			goto out;
		}
		if (last != '\n') /* a line cut short by a crash: end it */
			rec[n++] = '\n';
	}
	memcpy(rec + n, line, len);
	n += len;
	rec[n++] = '\n';
	if (write_all(fd, rec, n) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write spool file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (created && fsync_dir(dir) < 0) {
		snprintf(err, errlen, "cannot sync spool directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(rec);
	if (close(fd) < 0 && rc == 0) {
		snprintf(err, errlen, "cannot write spool file '%s': %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* ======================================================================================
 * The receiver
 * ====================================================================================== */

static int recent_has(const struct wecom_callback *cb, const char *key)
{
	for (size_t i = 0; i < cb->nrecent; i++)
		if (memcmp(cb->recent[i], key, WECOM_EVENT_KEY_HEX) == 0)
			return 1;
	return 0;
}

static void recent_add(struct wecom_callback *cb, const char *key)
{
	memcpy(cb->recent[cb->next_recent], key, WECOM_EVENT_KEY_HEX);
	cb->recent[cb->next_recent][WECOM_EVENT_KEY_HEX] = '\0';
	cb->next_recent = (cb->next_recent + 1) % WECOM_RECENT_KEYS;
	if (cb->nrecent < WECOM_RECENT_KEYS)
		cb->nrecent++;
}

/* Remember the keys of one spool file (a retry after a restart is still a retry). */
static void recent_load_file(struct wecom_callback *cb, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f)
		return;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct json_object *obj = json_tokener_parse(line), *key;
		const char *k;

		if (obj && json_object_object_get_ex(obj, "key", &key) &&
		    (k = json_object_get_string(key)) && strlen(k) == WECOM_EVENT_KEY_HEX &&
		    !recent_has(cb, k))
			recent_add(cb, k);
		json_object_put(obj);
	}
	free(line);
	fclose(f);
}

int wecom_spool_is_name(const char *name)
{
	size_t len = strlen(name);

	if (len != strlen("events-YYYYMMDD.jsonl") || strncmp(name, "events-", 7) != 0 ||
	    strcmp(name + 15, ".jsonl") != 0)
		return 0;
	for (int i = 7; i < 15; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return 1;
}

/* Load the keys of the newest two spool files. */
static void recent_load(struct wecom_callback *cb)
{
	char newest[2][64] = { "", "" };
	char path[4200];
	DIR *d = opendir(cb->spool_dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!wecom_spool_is_name(de->d_name))
			continue;
		/* a spool name is exactly 21 bytes: fits */
		if (strcmp(de->d_name, newest[0]) > 0) {
			memcpy(newest[1], newest[0], sizeof(newest[0]));
			memcpy(newest[0], de->d_name, strlen(de->d_name) + 1);
		} else if (strcmp(de->d_name, newest[1]) > 0) {
			memcpy(newest[1], de->d_name, strlen(de->d_name) + 1);
		}
	}
	closedir(d);
	for (int i = 1; i >= 0; i--) {
		if (!newest[i][0])
			continue;
		snprintf(path, sizeof(path), "%s/%s", cb->spool_dir, newest[i]);
		recent_load_file(cb, path);
	}
}

int wecom_callback_init(struct wecom_callback *cb, const char *token, const char *aes_key,
			const char *receiver_id, const char *spool_dir, char *err, size_t errlen)
{
	memset(cb, 0, sizeof(*cb));
	if (wecom_crypto_init(&cb->crypto, token, aes_key, receiver_id, err, errlen) < 0)
		return -1;
	cb->spool_dir = strdup(spool_dir);
	cb->recent = calloc(WECOM_RECENT_KEYS, sizeof(*cb->recent));
	if (!cb->spool_dir || !cb->recent) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (wecom_spool_mkdir(spool_dir, err, errlen) < 0)
		goto fail;
	if (pthread_mutex_init(&cb->lock, NULL) != 0) {
		snprintf(err, errlen, "cannot create a mutex");
		goto fail;
	}
	recent_load(cb);
	return 0;
fail:
	wecom_crypto_release(&cb->crypto);
	free(cb->spool_dir);
	free(cb->recent);
	memset(cb, 0, sizeof(*cb));
	return -1;
}

void wecom_callback_release(struct wecom_callback *cb)
{
	if (!cb->recent)
		return;
	pthread_mutex_destroy(&cb->lock);
	wecom_crypto_release(&cb->crypto);
	free(cb->spool_dir);
	free(cb->recent);
	memset(cb, 0, sizeof(*cb));
}

void wecom_reply_init(struct wecom_reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 1 << 20);
	r->status = 500;
}

void wecom_reply_release(struct wecom_reply *r)
{
	buf_release(&r->body);
}

static int reply(struct wecom_reply *r, int status, const char *reason)
{
	size_t len = strlen(reason);

	if (len >= sizeof(r->reason))
		len = sizeof(r->reason) - 1;
	memcpy(r->reason, reason, len);
	r->reason[len] = '\0';
	r->status = status;
	return status;
}

/* 403 for a signature or a receiver that is not ours, 400 for anything else. */
static int crypto_reply(struct wecom_reply *r, enum wecom_crypto_status st)
{
	int status = st == WECOM_CRYPTO_BAD_SIGNATURE || st == WECOM_CRYPTO_BAD_RECEIVER ? 403
		     : st == WECOM_CRYPTO_NOMEM					 ? 500
										 : 400;

	return reply(r, status, wecom_crypto_strerror(st));
}

static const char *missing_param(const char *sig, const char *ts, const char *nonce)
{
	if (!sig || !*sig)
		return "missing msg_signature";
	if (!ts || !*ts)
		return "missing timestamp";
	if (!nonce || !*nonce)
		return "missing nonce";
	return NULL;
}

int wecom_callback_verify_url(struct wecom_callback *cb, const char *msg_signature,
			      const char *timestamp, const char *nonce, const char *echostr,
			      struct wecom_reply *r)
{
	const char *missing = missing_param(msg_signature, timestamp, nonce);
	enum wecom_crypto_status st;
	char *echo;

	if (missing)
		return reply(r, 400, missing);
	if (!echostr || !*echostr)
		return reply(r, 400, "missing echostr");
	/* echostr is base64: a space can only be a '+' that came unescaped in the query
	 * and was form-decoded; the signature is over the '+' */
	echo = strdup(echostr);
	if (!echo)
		return reply(r, 500, "out of memory");
	for (char *p = echo; *p; p++)
		if (*p == ' ')
			*p = '+';
	st = wecom_crypto_verify(&cb->crypto, msg_signature, timestamp, nonce, echo);
	if (st == WECOM_CRYPTO_OK)
		st = wecom_crypto_decrypt(&cb->crypto, echo, strlen(echo), &r->body);
	free(echo);
	if (st != WECOM_CRYPTO_OK)
		return crypto_reply(r, st);
	return reply(r, 200, "url verified");
}

/* Append s to out (size cap, at *n) keeping letters, digits, '_' and '-': log-safe. */
static void add_safe(char *out, size_t cap, size_t *n, const char *s)
{
	for (; *s && *n + 1 < cap; s++)
		out[(*n)++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'
				      ? *s
				      : '?';
	out[*n] = '\0';
}

/* "Event/ChangeType" into r->event for the log line. */
static void note_event(struct wecom_reply *r, const struct wecom_xml *x)
{
	const char *ev = wecom_xml_get(x, "Event");
	const char *ct = wecom_xml_get(x, "ChangeType");
	size_t n = 0;

	if (!ev)
		ev = wecom_xml_get(x, "InfoType");
	add_safe(r->event, sizeof(r->event), &n, ev ? ev : "-");
	if (n + 1 < sizeof(r->event))
		r->event[n++] = '/';
	add_safe(r->event, sizeof(r->event), &n, ct ? ct : "-");
}

/* Spool an event unless it is a retry of one spooled lately; 200 or 500. */
static int spool_event(struct wecom_callback *cb, const struct wecom_xml *ev,
		       const struct timespec *now, struct wecom_reply *r)
{
	struct buf line = BUF_INIT;
	char err[512];
	int status;

	wecom_event_key(ev, r->key);
	pthread_mutex_lock(&cb->lock);
	if (recent_has(cb, r->key)) {
		cb->duplicates++;
		status = reply(r, 200, "duplicate of a spooled event (retry)");
	} else if (wecom_event_json(ev, r->key, now, &line) < 0) {
		status = reply(r, 500, "out of memory");
	} else if (wecom_spool_append(cb->spool_dir, now->tv_sec, line.data, line.len, err,
				      sizeof(err)) < 0) {
		status = reply(r, 500, err);
	} else {
		recent_add(cb, r->key);
		cb->spooled++;
		status = reply(r, 200, "spooled");
	}
	pthread_mutex_unlock(&cb->lock);
	buf_release(&line);
	return status;
}

/* The first occurrence of lit in s[0..n), or NULL. */
static const char *find_lit(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	for (size_t i = 0; l <= n && i <= n - l; i++)
		if (memcmp(s + i, lit, l) == 0)
			return s + i;
	return NULL;
}

/*
 * The ciphertext of WeCom's envelope, <xml>…<Encrypt><![CDATA[base64]]></Encrypt>…</xml>,
 * taken without parsing any XML: the text between the one "<Encrypt>" and the next
 * "</Encrypt>", inside an optional CDATA section, base64 characters only (a space is
 * a '+' a form decoder turned). Nothing of an unsigned request reaches an XML parser:
 * this is all that is read before the signature over it is checked. Returns a copy,
 * or NULL with *why set.
 */
static char *envelope_encrypt(const char *body, size_t len, const char **why)
{
	static const char open[] = "<Encrypt>", close[] = "</Encrypt>";
	static const char cdata[] = "<![CDATA[", cdata_end[] = "]]>";
	const char *a = find_lit(body, len, open), *z;
	size_t n;

	*why = "no Encrypt in the body";
	if (!a)
		return NULL;
	a += strlen(open);
	z = find_lit(a, len - (size_t)(a - body), close);
	if (!z)
		return NULL;
	*why = "more than one Encrypt in the body";
	if (find_lit(z, len - (size_t)(z - body), open))
		return NULL;
	n = (size_t)(z - a);
	if (n >= strlen(cdata) + strlen(cdata_end) && memcmp(a, cdata, strlen(cdata)) == 0 &&
	    memcmp(z - strlen(cdata_end), cdata_end, strlen(cdata_end)) == 0) {
		a += strlen(cdata);
		n -= strlen(cdata) + strlen(cdata_end);
	}
	*why = "Encrypt is not base64 text";
	if (n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= ",
			    a[i]) || a[i] == '\0')
			return NULL;
	*why = "out of memory";
	return strndup(a, n);
}

int wecom_callback_event(struct wecom_callback *cb, const char *msg_signature,
			 const char *timestamp, const char *nonce, const char *body, size_t len,
			 const struct timespec *now, struct wecom_reply *r)
{
	const char *missing = missing_param(msg_signature, timestamp, nonce);
	struct wecom_xml ev = { 0 };
	struct buf plain = BUF_INIT;
	enum wecom_crypto_status st;
	const char *msgtype, *bad_envelope;
	char *encrypt, err[200], why[256];
	int status;

	if (missing)
		return reply(r, 400, missing);
	encrypt = envelope_encrypt(body, len, &bad_envelope);
	if (!encrypt) {
		status = reply(r, strcmp(bad_envelope, "out of memory") == 0 ? 500 : 400, bad_envelope);
		goto out;
	}
	/* the signature first: nothing unsigned is parsed as XML */
	st = wecom_crypto_verify(&cb->crypto, msg_signature, timestamp, nonce, encrypt);
	if (st == WECOM_CRYPTO_OK)
		st = wecom_crypto_decrypt(&cb->crypto, encrypt, strlen(encrypt), &plain);
	if (st != WECOM_CRYPTO_OK) {
		status = crypto_reply(r, st);
		goto out;
	}
	if (wecom_xml_parse(&ev, plain.data, plain.len, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "decrypted event is not WeCom's XML: %s", err);
		status = reply(r, 400, why);
		goto out;
	}
	note_event(r, &ev);
	msgtype = wecom_xml_get(&ev, "MsgType");
	if (msgtype ? strcmp(msgtype, "event") != 0 : !wecom_xml_get(&ev, "InfoType")) {
		/* a chat message or something else sent to the app: not ours to keep */
		pthread_mutex_lock(&cb->lock);
		cb->ignored++;
		pthread_mutex_unlock(&cb->lock);
		status = reply(r, 200, "not an event; not spooled");
		goto out;
	}
	status = spool_event(cb, &ev, now, r);
out:
	if (status >= 400) {
		pthread_mutex_lock(&cb->lock);
		cb->rejected++;
		pthread_mutex_unlock(&cb->lock);
	}
	free(encrypt);
	wecom_xml_release(&ev);
	buf_release(&plain);
	return status;
}

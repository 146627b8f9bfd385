/*
 * http.c — libcurl client with timeouts, retries, backoff and a rate limit
 * (see include/siyu/extract/http.h).
 */
#include "siyu/extract/http.h"

#include "siyu/common/log.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define DEFAULT_BACKOFF_BASE_MS 500
#define DEFAULT_BACKOFF_CAP_MS 30000
#define DEFAULT_RETRY_AFTER_CAP_MS 300000
#define URL_LOG_MAX 512

struct http_client {
	CURL *curl;
	struct http_opts o;
	char label[64];
	struct http_limiter limiter;
	http_sleep_fn sleep_fn;
	void *sleep_arg;
	uint64_t rng;
	long long slept_ms;
	long long requests;
	/* per attempt */
	struct buf *body;
	int body_overflow;
	long retry_after_ms;     /* from Retry-After (libcurl parses it); 0 = none */
	char content_type[128];
};

/* ---- building blocks ------------------------------------------------------------------ */

void http_limiter_init(struct http_limiter *l, double rate, double burst)
{
	l->rate = rate;
	l->burst = burst < 1.0 ? 1.0 : burst;
	l->tokens = l->burst;
	l->last_ns = 0;
}

int64_t http_limiter_take(struct http_limiter *l, int64_t now_ns)
{
	double wait_s;

	if (l->rate <= 0)
		return 0;
	if (l->last_ns != 0 && now_ns > l->last_ns) {
		l->tokens += (double)(now_ns - l->last_ns) / 1e9 * l->rate;
		if (l->tokens > l->burst)
			l->tokens = l->burst;
	}
	if (l->last_ns == 0 || now_ns > l->last_ns)
		l->last_ns = now_ns;
	l->tokens -= 1.0;
	if (l->tokens >= 0)
		return 0;
	/* In debt: wait until the debt is paid back. */
	wait_s = -l->tokens / l->rate;
	return (int64_t)ceil(wait_s * 1e9);
}

long http_backoff_ms(int attempt, long base_ms, long cap_ms, double r)
{
	double ceiling = (double)base_ms;

	if (attempt < 0)
		attempt = 0;
	for (int i = 0; i < attempt && ceiling < (double)cap_ms; i++)
		ceiling *= 2;
	if (ceiling > (double)cap_ms)
		ceiling = (double)cap_ms;
	if (r < 0)
		r = 0;
	if (r >= 1)
		r = 0.999999;
	return (long)(ceiling * r);
}

enum http_verdict http_classify(int curl_code, long status)
{
	switch ((CURLcode)curl_code) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return HTTP_RETRY;
	default:
		return HTTP_FAIL;
	}
	if (status >= 200 && status < 300)
		return HTTP_DONE;
	if (status >= 500 || status == 429 || status == 408)
		return HTTP_RETRY;
	return HTTP_FAIL;
}

static int host_is_loopback(const char *host, size_t n)
{
	return (n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	       (n == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
	       (n == 5 && strncmp(host, "[::1]", 5) == 0);
}

int http_url_allowed(const char *url, char *err, size_t errlen)
{
	const char *host, *end;

	if (strncasecmp(url, "https://", 8) == 0) {
		if (!url[8] || url[8] == '/') {
			snprintf(err, errlen, "URL '%s' has no host", url);
			return -1;
		}
		return 0;
	}
	if (strncasecmp(url, "http://", 7) != 0) {
		snprintf(err, errlen, "URL must start with https:// (got '%.40s')", url);
		return -1;
	}
	host = url + 7;
	if (*host == '[') {
		end = strchr(host, ']');
		end = end ? end + 1 : host + strlen(host);
	} else {
		end = host + strcspn(host, ":/?#");
	}
	if (!host_is_loopback(host, (size_t)(end - host)) ||
	    (*end && *end != ':' && *end != '/')) {
		snprintf(err, errlen,
			 "plain http:// is allowed only to 127.0.0.1 or localhost (test servers); "
			 "use https:// for '%.*s'", (int)(end - host), host);
		return -1;
	}
	return 0;
}

/* ---- the client ----------------------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void curl_global(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The default backoff sleep: ms scaled by $SIYU_HTTP_BACKOFF_SCALE. */
static void default_sleep(void *arg, long ms)
{
	const char *s = getenv("SIYU_HTTP_BACKOFF_SCALE");
	double scale = 1.0;

	(void)arg;
	if (s && *s) {
		char *end;
		double v = strtod(s, &end);

		if (*end == '\0' && v >= 0 && v <= 1000)
			scale = v;
	}
	if (ms > 0 && scale > 0)
		sleep_ns((int64_t)((double)ms * scale * 1e6));
}

static uint64_t next_random(struct http_client *c)
{
	/* splitmix64 */
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform01(struct http_client *c)
{
	return (double)(next_random(c) >> 11) / 9007199254740992.0; /* 2^53 */
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_client *c = userdata;
	size_t n = size * nmemb;

	if (buf_add(c->body, ptr, n) < 0) {
		c->body_overflow = 1;
		return 0; /* short count: curl stops with CURLE_WRITE_ERROR */
	}
	return n;
}

static void copy_header_value(char *out, size_t outlen, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_client *c = userdata;
	size_t n = size * nmemb;

	if (n > 13 && strncasecmp(ptr, "Content-Type:", 13) == 0)
		copy_header_value(c->content_type, sizeof(c->content_type), ptr + 13, n - 13);
	return n;
}

struct http_client *http_client_new(const struct http_opts *o, char *err, size_t errlen)
{
	struct http_client *c;

	pthread_once(&curl_once, curl_global);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "cannot initialize libcurl: %s", curl_easy_strerror(curl_init_rc));
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->o = *o;
	snprintf(c->label, sizeof(c->label), "%s", o->label ? o->label : "http");
	c->o.label = c->label;
	if (c->o.connect_timeout_s < 1)
		c->o.connect_timeout_s = 10;
	if (c->o.timeout_s < 1)
		c->o.timeout_s = 30;
	if (c->o.retries < 0)
		c->o.retries = 0;
	if (!c->o.max_body)
		c->o.max_body = DEFAULT_MAX_BODY;
	if (c->o.backoff_base_ms <= 0)
		c->o.backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;
	if (c->o.backoff_cap_ms <= 0)
		c->o.backoff_cap_ms = DEFAULT_BACKOFF_CAP_MS;
	if (c->o.retry_after_cap_ms <= 0)
		c->o.retry_after_cap_ms = DEFAULT_RETRY_AFTER_CAP_MS;
	/* A burst of one second's worth (at least one request). */
	http_limiter_init(&c->limiter, c->o.rps, c->o.rps > 1 ? c->o.rps : 1);
	c->rng = (uint64_t)mono_ns() ^ ((uint64_t)getpid() << 32);
	c->curl = curl_easy_init();
	if (!c->curl) {
		snprintf(err, errlen, "cannot create a curl handle");
		free(c);
		return NULL;
	}
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c);
}

void http_client_set_sleep(struct http_client *c, http_sleep_fn fn, void *arg)
{
	c->sleep_fn = fn;
	c->sleep_arg = arg;
}

void http_client_set_seed(struct http_client *c, uint64_t seed)
{
	c->rng = seed;
}

void http_client_sleep(struct http_client *c, long ms)
{
	if (ms <= 0)
		return;
	c->slept_ms += ms;
	if (c->sleep_fn)
		c->sleep_fn(c->sleep_arg, ms);
	else
		default_sleep(NULL, ms);
}

long long http_client_slept_ms(const struct http_client *c)
{
	return c->slept_ms;
}

long long http_client_requests(const struct http_client *c)
{
	return c->requests;
}

void http_response_release(struct http_response *r)
{
	buf_release(&r->body);
}

/* Set the per-request options of the reused handle. */
static CURLcode setup(struct http_client *c, const char *method, const char *url, const char *body,
		      struct curl_slist *headers)
{
	CURL *h = c->curl;
	CURLcode rc = CURLE_OK;

	curl_easy_reset(h);
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, c->o.connect_timeout_s);
	SET(CURLOPT_TIMEOUT, c->o.timeout_s);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	/* Verification is the default; say so explicitly, and never turn it off. */
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_USERAGENT, "siyu/1 (+libcurl)");
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, c);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, c);
	SET(CURLOPT_HTTPHEADER, headers);
	if (strcmp(method, "POST") == 0) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, body ? body : "");
		SET(CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
	} else {
		SET(CURLOPT_HTTPGET, 1L);
	}
#undef SET
	return rc;
}

/* Wait for the rate limiter. */
static void pace(struct http_client *c)
{
	int64_t wait = http_limiter_take(&c->limiter, mono_ns());

	if (wait > 0)
		sleep_ns(wait);
}

/* One attempt; fills resp and reason. */
static enum http_verdict attempt(struct http_client *c, const char *method, const char *url,
				 const char *body, struct curl_slist *headers,
				 struct http_response *resp, char *reason, size_t reasonlen)
{
	CURLcode rc;
	long status = 0;
	curl_off_t retry_after = 0;

	buf_reset(&resp->body);
	c->body = &resp->body;
	c->body_overflow = 0;
	c->retry_after_ms = 0;
	c->content_type[0] = '\0';
	rc = setup(c, method, url, body, headers);
	if (rc != CURLE_OK) {
		snprintf(reason, reasonlen, "cannot set up the request: %s", curl_easy_strerror(rc));
		return HTTP_FAIL;
	}
	pace(c);
	c->requests++;
	rc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	/* Retry-After as delta-seconds or an HTTP-date, in seconds from now; 0 when
	 * absent, unparsable or in the past */
	if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
	    retry_after > 0)
		c->retry_after_ms = retry_after > 86400 ? 86400 * 1000L : (long)retry_after * 1000;
	resp->status = status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", c->content_type);
	if (c->body_overflow) {
		snprintf(reason, reasonlen, "response body larger than %zu bytes", c->o.max_body);
		return HTTP_FAIL;
	}
	if (rc != CURLE_OK)
		snprintf(reason, reasonlen, "%s", curl_easy_strerror(rc));
	else
		snprintf(reason, reasonlen, "HTTP %ld", status);
	return http_classify((int)rc, status);
}

/* How long to wait before retry number n (0-based). */
static long retry_delay(struct http_client *c, int n, long status)
{
	long ms = http_backoff_ms(n, c->o.backoff_base_ms, c->o.backoff_cap_ms, uniform01(c));

	if ((status == 429 || status == 503) && c->retry_after_ms > 0)
		ms = c->retry_after_ms > c->o.retry_after_cap_ms ? c->o.retry_after_cap_ms
								 : c->retry_after_ms;
	return ms;
}

int http_request(struct http_client *c, const char *method, const char *url, const char *body,
		 struct http_response *resp, char *err, size_t errlen)
{
	return http_send(c, method, url, body ? "application/json" : NULL, body, resp, err, errlen);
}

int http_send(struct http_client *c, const char *method, const char *url,
	      const char *content_type, const char *body, struct http_response *resp, char *err,
	      size_t errlen)
{
	char ctype[160];
	char shown[URL_LOG_MAX], reason[256] = "";
	struct curl_slist *headers = NULL;
	enum http_verdict v = HTTP_FAIL;
	int64_t t0;

	log_redact_url(url, shown, sizeof(shown));
	if (http_url_allowed(url, err, errlen) < 0)
		return -1;
	resp->status = 0;
	resp->attempts = 0;
	if (!resp->body.max)
		buf_init(&resp->body, c->o.max_body);
	resp->body.max = c->o.max_body;
	if (body) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s",
			 content_type ? content_type : "application/json");
		headers = curl_slist_append(NULL, ctype);
		if (!headers) {
			snprintf(err, errlen, "%s %s: out of memory", method, shown);
			return -1;
		}
	}
	/* Avoid curl's "Expect: 100-continue" round trip on larger POSTs. */
	if (body && !(headers = curl_slist_append(headers, "Expect:"))) {
		snprintf(err, errlen, "%s %s: out of memory", method, shown);
		return -1;
	}
	for (int n = 0; n <= c->o.retries; n++) {
		t0 = mono_ns();
		resp->attempts = n + 1;
		v = attempt(c, method, url, body, headers, resp, reason, sizeof(reason));
		log_debug("msg=\"http\" source=%s method=%s url=\"%s\" status=%ld ms=%lld attempt=%d "
			  "result=\"%s\"", c->label, method, shown, resp->status,
			  (long long)((mono_ns() - t0) / 1000000), n + 1, reason);
		if (v != HTTP_RETRY || n == c->o.retries)
			break;
		long delay = retry_delay(c, n, resp->status);

		log_warn("msg=\"retrying request\" source=%s method=%s url=\"%s\" reason=\"%s\" "
			 "attempt=%d delay_ms=%ld", c->label, method, shown, reason, n + 1, delay);
		http_client_sleep(c, delay);
	}
	curl_slist_free_all(headers);
	if (v == HTTP_DONE)
		return 0;
	if (v == HTTP_RETRY)
		snprintf(err, errlen, "%s %s: %s after %d attempts", method, shown, reason,
			 resp->attempts);
	else
		snprintf(err, errlen, "%s %s: %s", method, shown, reason);
	return -1;
}

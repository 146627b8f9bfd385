/*
 * http.h — the HTTP client of the API sources (libcurl), shared by WeCom and
 * the shop platforms.
 *
 * One client per source: it reuses one curl easy handle (connections stay
 * open between calls), applies the source's connect and total timeouts,
 * spaces requests with a token bucket (rps, monotonic clock), and retries
 * with exponential backoff and full jitter on network errors, HTTP 5xx, 408
 * and 429 (honoring Retry-After on 429 and 503, in either form, as libcurl's
 * CURLINFO_RETRY_AFTER reads it). TLS peer and host verification are always
 * on; plain http:// is refused except to 127.0.0.1 / localhost / [::1], the
 * fake servers of the tests. URLs are logged through log_redact_url only, so
 * tokens and secrets in query strings never reach the log.
 *
 * Backoff sleeps go through a replaceable function (http_client_set_sleep);
 * the default one sleeps ms × $SIYU_HTTP_BACKOFF_SCALE (default 1), so tests
 * run retries in milliseconds. The rate limiter always sleeps for real.
 */
#ifndef SIYU_EXTRACT_HTTP_H
#define SIYU_EXTRACT_HTTP_H

#include "siyu/common/buf.h"

#include <stddef.h>
#include <stdint.h>

/* ---- building blocks (pure, unit-tested) ------------------------------------------ */

/* A token bucket: rate tokens per second, at most burst stored. */
struct http_limiter {
	double rate;     /* <= 0: unlimited */
	double burst;    /* >= 1 */
	double tokens;
	int64_t last_ns; /* monotonic time of the last update; 0 = not started */
};

/* Start full (a first burst goes out at once). */
void http_limiter_init(struct http_limiter *l, double rate, double burst);

/*
 * Take one token at monotonic time now_ns. Returns how many nanoseconds the
 * caller must wait before sending (0 = send now); the token is reserved either
 * way, so callers that wait and then send keep the rate.
 */
int64_t http_limiter_take(struct http_limiter *l, int64_t now_ns);

/*
 * Full-jitter exponential backoff (AWS's "full jitter"): a delay uniform in
 * [0, min(cap_ms, base_ms * 2^attempt)], r being uniform in [0, 1).
 * attempt counts from 0 (the first retry).
 */
long http_backoff_ms(int attempt, long base_ms, long cap_ms, double r);

enum http_verdict {
	HTTP_DONE,  /* a response to hand to the caller (2xx) */
	HTTP_RETRY, /* transient: network error, 5xx, 408, 429 */
	HTTP_FAIL   /* permanent: other 4xx/3xx, bad URL, TLS verification, body cap */
};

/* Classify the outcome of one attempt: a CURLcode and the HTTP status (0 if none). */
enum http_verdict http_classify(int curl_code, long status);

/*
 * Check that url may be called: https://, or http:// to a loopback host
 * (127.0.0.1, localhost, [::1]) for test servers. 0, or -1 with err.
 */
int http_url_allowed(const char *url, char *err, size_t errlen);

/* ---- the client ------------------------------------------------------------------- */

struct http_opts {
	const char *label;     /* source name, for logs */
	long connect_timeout_s; /* >= 1 */
	long timeout_s;        /* total per attempt, >= 1 */
	long retries;          /* retries after the first attempt */
	double rps;            /* requests per second; <= 0 unlimited */
	size_t max_body;       /* response cap in bytes; 0 = 64 MiB */
	long backoff_base_ms;  /* 0 = 500 */
	long backoff_cap_ms;   /* 0 = 30000 */
	long retry_after_cap_ms; /* longest Retry-After honored; 0 = 300000 */
};

struct http_response {
	long status;        /* HTTP status of the last attempt; 0 = none */
	struct buf body;    /* the body of the last attempt (capped); caller releases */
	int attempts;       /* attempts made */
	char content_type[128];
};

#define HTTP_RESPONSE_INIT { 0, BUF_INIT, 0, "" }

/* Sleep ms milliseconds (backoff); arg is the one given to http_client_set_sleep. */
typedef void (*http_sleep_fn)(void *arg, long ms);

struct http_client;

/* A client with o's settings (copied). NULL with err on failure. Free with http_client_free. */
struct http_client *http_client_new(const struct http_opts *o, char *err, size_t errlen);
void http_client_free(struct http_client *c);

/* Replace the backoff sleep (tests); NULL restores the default. */
void http_client_set_sleep(struct http_client *c, http_sleep_fn fn, void *arg);

/* Seed the jitter (tests); the default seed comes from the clock and pid. */
void http_client_set_seed(struct http_client *c, uint64_t seed);

/* Sleep through the client's backoff sleep (for API-level back-off such as WeCom 45009). */
void http_client_sleep(struct http_client *c, long ms);

/* Total backoff asked for so far, in ms (before scaling). */
long long http_client_slept_ms(const struct http_client *c);

/* Requests sent so far (attempts, retries included). */
long long http_client_requests(const struct http_client *c);

/*
 * Send method ("GET" or "POST") to url with body (NULL for none; sent as
 * application/json), retrying transient failures. Returns 0 when a 2xx
 * response arrived (resp filled: status, body), -1 otherwise with err naming
 * the redacted URL, the attempts and the last reason (resp still holds the
 * last status and body). resp->body is reset first; the caller releases it.
 */
int http_request(struct http_client *c, const char *method, const char *url, const char *body,
		 struct http_response *resp, char *err, size_t errlen);

/*
 * http_request with the body's content type given (e.g.
 * "application/x-www-form-urlencoded;charset=utf-8"; NULL is application/json).
 */
int http_send(struct http_client *c, const char *method, const char *url,
	      const char *content_type, const char *body, struct http_response *resp, char *err,
	      size_t errlen);

void http_response_release(struct http_response *r);

#endif /* SIYU_EXTRACT_HTTP_H */

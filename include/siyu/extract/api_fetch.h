/*
 * api_fetch.h — one page of a shop platform's open API, the way every order source
 * reads it (Taobao, JD, Pinduoduo, Douyin, WeChat Channels):
 *
 *   1. the platform builds the signed request for the page (with the token it holds
 *      and the clock now);
 *   2. http.c sends it, retrying network errors, 5xx, 408 and 429 (Retry-After);
 *   3. the answer goes to the raw zone before anything reads it (a page that then fails
 *      to parse is kept for inspection and named in the error);
 *   4. it must parse as a JSON object, and the platform judges it:
 *        API_OK            the page;
 *        API_TOKEN_EXPIRED the token is expired or unknown: renewed once per page and
 *                          the request rebuilt and re-signed (a second one fails);
 *        API_RATE_LIMITED  throttled: wait what the platform says (TOP's "This ban will
 *                          last for N more seconds") or back off, and send again, at
 *                          most max_waits times per page;
 *        API_ERROR         anything else: fail, naming the platform's code and message.
 *
 * A failed page is never an empty page: the caller fails its window (rolled back,
 * watermark kept). Tokens and secrets never reach the raw zone, the manifest or a message.
 */
#ifndef SIYU_EXTRACT_API_FETCH_H
#define SIYU_EXTRACT_API_FETCH_H

#include "siyu/common/buf.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

struct http_client;
struct rawzone;

enum api_verdict { API_OK, API_TOKEN_EXPIRED, API_RATE_LIMITED, API_ERROR };

struct api_judgement {
	enum api_verdict verdict;
	long wait_ms;              /* API_RATE_LIMITED: the platform's ban; 0 = back off */
	char what[320];            /* not API_OK: the platform's code and message */
};

/* The request of one page, as the platform sends it. */
struct api_call {
	const char *http_method;   /* "GET" or "POST" */
	struct buf url;            /* may hold a token in its query: http.c logs it redacted */
	struct buf body;           /* empty for GET */
	const char *content_type;  /* of the body; NULL = application/json */
};

/*
 * A page of a list by time — [from, to) and its number (TOP, JD, Pinduoduo, Douyin) or
 * its cursor (Channels) — or one order's detail call (id set).
 */
struct api_page {
	int64_t from, to;          /* unix seconds */
	long page;                 /* from 1 (from 0 on Douyin) */
	long page_size;
	const char *cursor;        /* a cursor list: the cursor ("" first) */
	const char *id;            /* a detail call: the order; else NULL */
};

struct api_platform {
	const char *name;          /* "taobao", … (messages) */
	/* (Re)build the signed request of page into call (reset by the caller). 0 / -1 err. */
	int (*build)(void *client, const void *page, struct api_call *call, char *err,
		     size_t errlen);
	/* Judge a parsed answer. */
	void (*judge)(void *client, struct json_object *root, struct api_judgement *j);
	/* Get a new token (the platform's refresh or grant). 0 / -1 err (a configuration
	 * error: name the settings to check). */
	int (*renew_token)(void *client, char *err, size_t errlen);
};

struct api_fetcher {
	const struct api_platform *p;
	void *client;
	struct http_client *http;
	struct rawzone *raw;       /* where pages are kept */
	const char *entity;        /* raw-zone file prefix: "orders", "order_detail" */
	const char *endpoint;      /* API name, for the manifest */
	int max_waits;             /* rate-limit waits per page (default 5 when 0) */
	long long pages, renewals, waits; /* counters over the fetcher's life */
};

/*
 * Fetch one page: page is the platform's description of it (borrowed), manifest_json
 * the raw-zone manifest's record of the request (no secrets), where names the page in
 * messages ("window … page 3"). On success *root is the parsed answer (the caller puts
 * it) and raw_file the raw-zone file name (basename). 0, or -1 with err naming where,
 * the reason and the raw page kept.
 */
int api_fetch_page(struct api_fetcher *f, const void *page, const char *manifest_json,
		   const char *where, struct json_object **root, char *raw_file, size_t rawlen,
		   char *err, size_t errlen);

void api_call_release(struct api_call *c);

struct api_param;

/*
 * An OAuth refresh_token grant (TOP, JD): send the n parameters p — as a form body with
 * POST, in the query string with GET — to url and copy the answer's top-level
 * access_token into token (size n_token). refresh_token is the one p carries: without
 * one (NULL or "") nothing is sent and the error says to authorize the app again; what
 * names the token in messages ("session", "access_token"). 0, or -1 with err naming the
 * url and what the server said (error/error_description, or code/msg), never a secret.
 */
int api_oauth_refresh(struct http_client *http, const char *method, const char *url,
		      const struct api_param *p, size_t n, const char *refresh_token,
		      const char *what, char *token, size_t n_token, char *err, size_t errlen);

/* Copy a configured token (NULL is "") into token (size n). 0, or -1 with err when too long. */
int api_copy_token(const char *what, const char *value, char *token, size_t n, char *err,
		   size_t errlen);

/*
 * The seconds of a TOP-style ban text, "This ban will last for N more seconds"
 * (anywhere in s): N, or -1 when s says no such thing.
 */
long api_ban_seconds(const char *s);

#endif /* SIYU_EXTRACT_API_FETCH_H */

/*
 * wecom_api.h — the WeCom API client: token cache and one API call (HTTP via
 * http.h, every page kept in the raw zone via rawzone.h before it is parsed,
 * errcode policy), and the same calls answered from an earlier run's raw zone.
 */
#ifndef SIYU_EXTRACT_WECOM_API_H
#define SIYU_EXTRACT_WECOM_API_H

#include "siyu/common/failure.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

struct http_client;
struct rawzone;


/* One page of a run's raw zone, as its manifest.jsonl lists it. */
struct wecom_raw_page {
	char *file;     /* "contacts-00003.jsonl.gz" */
	char *endpoint; /* "externalcontact/batch/get_by_user" */
	char *request;  /* the request as compact JSON text, NULL when none */
};

/* An earlier run's raw zone, read back in the order the run wrote it. */
struct wecom_replay {
	char dir[4096];
	struct wecom_raw_page *v;
	size_t n, next;          /* pages; the next one to answer a call */
	int ended;               /* the run stopped before the plan did */
	int has_stats;           /* the run asked for statistics days */
	int64_t stats_first;     /* ... from this midnight ... */
	int64_t stats_last;      /* ... to this one (unix seconds) */
	char first_received[32]; /* received_at of its first page ("" if none) */
};

/* Read dir/manifest.jsonl. 0, or -1 with err (a missing manifest is an empty run). */
int wecom_replay_open(struct wecom_replay *rp, const char *dir, char *err, size_t errlen);
void wecom_replay_close(struct wecom_replay *rp);

struct wecom_api {
	struct http_client *http;   /* borrowed */
	struct rawzone *raw;        /* borrowed; NULL: pages are not kept (tests) */
	const char *source;         /* source name, for messages */
	const char *corpid;         /* borrowed */
	const char *secret;         /* borrowed; never logged */
	char base[512];             /* base_url without a trailing '/' */
	char token[1024];
	int64_t token_expires_ns;   /* monotonic; 0 = no token */
	long busy_retries;          /* tries after 45009 / -1 / 45033 */
	long busy_backoff_ms;       /* first wait after 45009; doubles, at most 1 h */
	long long pages;            /* response pages received (gettoken excluded) */
	long long token_fetches;
	char last_page[128];        /* raw-zone file of the last page ("" when not kept) */
	struct wecom_replay *replay; /* borrowed; set: calls are answered from it, no HTTP */
};

/*
 * Set up a client for one source. base_url is checked (https, or http to a
 * loopback test server). 0, or -1 with f.
 */
int wecom_api_init(struct wecom_api *a, struct http_client *http, struct rawzone *raw,
		   const char *source, const char *base_url, const char *corpid,
		   const char *secret, long busy_retries, struct failure *f);

/*
 * In a replay: whether the run's next raw page answers this call (a call the
 * run may not have made: older versions did not describe staff). Outside a
 * replay: 1.
 */
int wecom_api_replay_has(const struct wecom_api *a, const char *path, const char *query,
			 const char *body);

/* Set up a client that answers every call from an earlier run's raw zone. */
void wecom_api_init_replay(struct wecom_api *a, struct wecom_replay *replay, const char *source);

/* Forget the token (wiped). */
void wecom_api_release(struct wecom_api *a);

/*
 * Call /cgi-bin/<path>: GET with query (url-encoded "k=v&k=v" without the
 * token, or NULL) or POST with body (JSON text). The response is kept in the
 * raw zone as <entity>-NNNNN before it is parsed; where says which page this
 * is (for messages: "staff 1-100, cursor \"...\", page 3").
 *
 * Errcodes are checked: 40014/42001 refresh the token once and retry once;
 * 45009/45033/-1 back off and retry (busy_retries times); config errors fail
 * with the setting to fix. An errcode listed in accept (0-terminated, may be
 * NULL) is returned to the caller (e.g. 84061) with *out set.
 *
 * Returns 0 (errcode 0) or the accepted errcode, with *out the parsed body
 * (caller json_object_put()s it); -1 with f: object "METHOD path (where)",
 * the reason (and the raw page path when one was kept).
 *
 * In a replay the call must be the raw zone's next one (same endpoint, same
 * request); pages the run retried past (busy, token) are skipped as the run
 * skipped them. When the run's pages end, or its page is one the run failed
 * on, replay->ended is set.
 */
int wecom_api_call(struct wecom_api *a, const char *method, const char *path, const char *query,
		   const char *body, const char *entity, const char *where, const int *accept,
		   struct json_object **out, struct failure *f);

#endif /* SIYU_EXTRACT_WECOM_API_H */

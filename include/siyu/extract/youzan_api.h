/*
 * youzan_api.h — the Youzan (有赞云) open API client for orders:
 * youzan.trades.sold.get 4.0.4 by update time (docs/youzan.md).
 *
 *   POST /auth/token                       silent grant for the shop (kdt_id);
 *                                          cached until shortly before `expires` (ms)
 *   POST /api/youzan.trades.sold.get/4.0.4 start_update/end_update (China time),
 *                                          page_no ≤ 100 × page_size ≤ 100
 *
 * Every page goes to the raw zone before it is parsed. A range whose
 * total_results reaches 100 pages is cut in halves (never truncated). Pages
 * are read 1, then last → 2, then 1 again: orders leaving the range while we
 * page (updated meanwhile) shift the later ones towards page 1, read last.
 * A gateway error naming the token (or codes 4201-4203) gets a new token
 * once; success:false is a business error.
 *
 * The replay half reads a run's raw zone back: its manifest, which windows
 * the run finished, and their pages in the order the run read them.
 */
#ifndef SIYU_EXTRACT_YOUZAN_API_H
#define SIYU_EXTRACT_YOUZAN_API_H

#include "siyu/common/failure.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#define YOUZAN_TRADES_PATH "youzan.trades.sold.get/4.0.4"
#define YOUZAN_MAX_PAGE_NO 100

struct http_client;
struct rawzone;

struct youzan_api {
	struct http_client *http;      /* borrowed */
	struct rawzone *raw;           /* borrowed */
	const char *source;            /* for messages */
	const char *client_id, *client_secret, *grant_id; /* borrowed; the secret never logged */
	char base[512];                /* base_url without a trailing '/' */
	long page_size;
	char token[256];
	int64_t token_expires_ms;      /* wall clock, ms */
	long long token_fetches;
	long long pages;               /* answers kept in the raw zone */
};

/*
 * Set up a client: base_url checked (https, or http to a loopback test
 * server), client_id and client_secret required. 0, or -1 with f naming the
 * setting to fix.
 */
int youzan_api_init(struct youzan_api *a, struct http_client *http, struct rawzone *raw,
		    const char *source, const char *base_url, const char *client_id,
		    const char *client_secret, const char *grant_id, long page_size,
		    struct failure *f);

/* Forget the token (wiped). */
void youzan_api_release(struct youzan_api *a);

/*
 * Called with each page's data.full_order_info_list (borrowed, may be NULL),
 * its raw-zone file name and page number. Returns 0, or -1 to stop (f filled).
 */
typedef int (*youzan_page_fn)(void *arg, struct json_object *orders, const char *raw_file,
			      long page_no);

/*
 * Page the update-time range [from, to) of the planned window [wfrom, wto)
 * to the end, halving it while it holds 100 pages or more, and hand every
 * page to fn. wlabel names the window in messages ("window A..B"). 0, or -1
 * with f (object: "<wlabel> page N").
 */
int youzan_api_fetch_range(struct youzan_api *a, int64_t from, int64_t to, int64_t wfrom,
			   int64_t wto, const char *wlabel, youzan_page_fn fn, void *arg,
			   struct failure *f);

/* ---- a run's raw zone ------------------------------------------------------------------ */

/* One orders page of a run's manifest. */
struct youzan_raw_page {
	char file[96];
	int64_t wfrom, wto, rto;       /* its window, and the end of its range */
	long page_no, page_size;
	int reread;                    /* page 1 read again after the backward pass */
};

/*
 * The orders pages listed in dir/manifest.jsonl, in the order the run wrote
 * them, into *out (malloc'ed; caller frees). A missing manifest is no pages.
 * 0, or -1 with f.
 */
int youzan_raw_manifest(const char *dir, struct youzan_raw_page **out, size_t *n,
			struct failure *f);

/* Whether the run finished the window of p[0..n): its last usable page closed the last range. */
int youzan_raw_window_complete(const char *dir, const struct youzan_raw_page *p, size_t n);

/*
 * Hand the orders of every usable page of p[0..n) (answers the run retried
 * past are skipped, as the run skipped them) to fn, in order; *pages counts
 * the pages read. 0, or -1 with f.
 */
int youzan_raw_pages(const char *dir, const struct youzan_raw_page *p, size_t n,
		     youzan_page_fn fn, void *arg, long long *pages, struct failure *f);

#endif /* SIYU_EXTRACT_YOUZAN_API_H */

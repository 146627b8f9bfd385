/*
 * api_pages.h — a window of a shop platform read to the end, the platform's way, every
 * page kept in the raw zone first (api_fetch.c); and a run's pages read back for a replay.
 *
 *   API_PAGED   numbered pages, newest first (TOP, JD, Pinduoduo, Douyin): the first
 *               page for the total, then the last page down to the second, then the first
 *               again — an order changed while we page leaves the window and the older
 *               ones move up a place, towards the first page, which is read last, so none
 *               is skipped. A range with more pages than the platform serves (max_pages)
 *               is cut in halves, never truncated.
 *   API_CURSOR  a cursor over ids (Channels): the list's next cursor until has_more is
 *               false — a cursor that does not move is an error, not a loop — then one
 *               detail call per id.
 *
 * Each page's manifest record holds its window, its range, its number (or the detail
 * call's), whether it re-read the first page and, on the last detail call, "final": a
 * replay takes the windows a run finished and reads their pages in the run's order,
 * skipping the answers the run retried past.
 */
#ifndef SIYU_EXTRACT_API_PAGES_H
#define SIYU_EXTRACT_API_PAGES_H

#include "siyu/common/failure.h"
#include "siyu/extract/api_fetch.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* One order of a page (borrowed; at names it in messages and rejects). 0, or -1 to stop (f). */
typedef int (*api_order_fn)(void *arg, struct json_object *order, const char *at);

enum api_paging { API_PAGED, API_CURSOR };

struct api_pager {
	struct api_fetcher *fetch;     /* borrowed; NULL in a replay */
	const struct api_platform *api;
	const char *platform;          /* "taobao", for messages */
	const char *shop;              /* the shop, for messages */
	enum api_paging paging;
	int first_page;                /* 1, or 0 (Douyin) */
	long page_size;
	long max_pages;                /* pages served per query; 0 = no limit */
	/* API_PAGED: the total and the orders of a list answer. 0 / -1. */
	int (*list)(struct json_object *root, int64_t *total, struct json_object **orders);
	/* API_CURSOR: the ids, next cursor and has_more of a list answer. 0 / -1. */
	int (*cursor)(struct json_object *root, struct json_object **ids, const char **next,
		      int *more);
	long long pages;               /* pages read */
};

/*
 * Read window [from, to) (labelled wlabel in messages) to the end and hand every order
 * to fn. 0, or -1 with f (object: "<platform> shop <shop> <wlabel> page N").
 */
int api_pager_window(struct api_pager *p, int64_t from, int64_t to, const char *wlabel,
		     api_order_fn fn, void *arg, struct failure *f);

/* ---- a run's raw zone --------------------------------------------------------------------- */

struct api_raw_page {
	char file[96];
	int64_t wfrom, wto;            /* its window */
	int64_t rfrom, rto;            /* its range (a half of the window when split) */
	long page, page_size;
	int reread, detail, final;
};

/*
 * The pages of dir/manifest.jsonl written by api_pager_window, in the order the run
 * wrote them, into *out (malloc'ed; the caller frees). A missing manifest is no pages; a
 * last line a kill cut ends the list. 0, or -1 with f.
 */
int api_raw_manifest(const char *dir, struct api_raw_page **out, size_t *n, struct failure *f);

/* Whether the run finished the window of pages pg[0..n): its last usable page closed it. */
int api_raw_window_complete(const struct api_pager *p, const char *dir,
			    const struct api_raw_page *pg, size_t n);

/*
 * Hand the orders of every usable page of pg[0..n) to fn, in the run's order (answers it
 * retried past are skipped, as the run skipped them). 0, or -1 with f.
 */
int api_raw_pages(struct api_pager *p, const char *dir, const struct api_raw_page *pg,
		  size_t n, api_order_fn fn, void *arg, struct failure *f);

#endif /* SIYU_EXTRACT_API_PAGES_H */

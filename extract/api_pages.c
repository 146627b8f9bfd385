/*
 * api_pages.c — a window of a shop platform read to the end, and a run's pages read back
 * (see include/siyu/extract/api_pages.h).
 */
#include "siyu/extract/api_pages.h"

#include "siyu/common/buf.h"
#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/common/strset.h"
#include "siyu/extract/rawzone.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one request asks, as the manifest records it. */
struct ask {
	int64_t wfrom, wto, rfrom, rto;
	long page;
	int reread, detail, final;
};

static char *manifest_of(const struct api_pager *p, const struct ask *a, const char *id)
{
	struct json_object *o = json_object_new_object(), *w = json_object_new_array();
	struct json_object *r = json_object_new_array();
	char *text;

	json_object_array_add(w, json_object_new_int64(a->wfrom));
	json_object_array_add(w, json_object_new_int64(a->wto));
	json_object_array_add(r, json_object_new_int64(a->rfrom));
	json_object_array_add(r, json_object_new_int64(a->rto));
	json_object_object_add(o, "platform", json_object_new_string(p->platform));
	json_object_object_add(o, "window", w);
	json_object_object_add(o, "range", r);
	json_object_object_add(o, "page", json_object_new_int64(a->page));
	json_object_object_add(o, "page_size", json_object_new_int64(p->page_size));
	json_object_object_add(o, "reread", json_object_new_int(a->reread));
	json_object_object_add(o, "detail", json_object_new_int(a->detail));
	json_object_object_add(o, "final", json_object_new_int(a->final));
	if (id)
		json_object_object_add(o, "id", json_object_new_string(id));
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

/* Fetch one request into *root, its raw-zone file into file. 0, or -1 with f. */
static int fetch(struct api_pager *p, const struct api_page *pg, const struct ask *a,
		 const char *wlabel, struct json_object **root, char *file, size_t filelen,
		 struct failure *f)
{
	char where[512], err[2048];
	char *man = manifest_of(p, a, pg->id);
	int rc;

	if (pg->id)
		snprintf(where, sizeof(where), "%s shop %s %s order %s", p->platform, p->shop, wlabel,
			 pg->id);
	else
		snprintf(where, sizeof(where), "%s shop %s %s page %ld", p->platform, p->shop, wlabel,
			 a->page);
	if (!man)
		return failure_set(f, where, "out of memory");
	p->fetch->entity = a->detail ? "order_detail" : "orders";
	rc = api_fetch_page(p->fetch, pg, man, where, root, file, filelen, err, sizeof(err));
	free(man);
	if (rc < 0) /* err is "where: reason" */
		return failure_set(f, where, "%s", err + strlen(where) + (err[strlen(where)] ? 2 : 0));
	p->pages++;
	return 0;
}

/* Every order of a list of them to fn. */
static int each_order(struct json_object *orders, const char *file, long page, api_order_fn fn,
		      void *arg)
{
	size_t n = orders ? json_object_array_length(orders) : 0;
	char at[256];

	for (size_t i = 0; i < n; i++) {
		snprintf(at, sizeof(at), "%.96s page %ld item %zu", file, page, i + 1);
		if (fn(arg, json_object_array_get_idx(orders, i), at) < 0)
			return -1;
	}
	return 0;
}

/* ---- numbered pages, read backwards ------------------------------------------------------- */

struct paged {
	struct api_pager *p;
	int64_t wfrom, wto;
	const char *wlabel;
	api_order_fn fn;
	void *arg;
	struct failure *f;
};

static int read_page(struct paged *w, int64_t from, int64_t to, long page, int reread,
		     int64_t *total)
{
	struct api_pager *p = w->p;
	struct api_page pg = { from, to, page, p->page_size, NULL, NULL };
	struct ask a = { w->wfrom, w->wto, from, to, page, reread, 0, 0 };
	struct json_object *root = NULL, *orders = NULL;
	char file[RAWZONE_PATH_MAX];
	int rc;

	if (fetch(p, &pg, &a, w->wlabel, &root, file, sizeof(file), w->f) < 0)
		return -1;
	if (p->list(root, total, &orders) < 0) {
		json_object_put(root);
		return failure_set(w->f, file, "the answer has no order list");
	}
	rc = each_order(orders, file, page, w->fn, w->arg);
	json_object_put(root);
	return rc;
}

static int read_range(struct paged *w, int64_t from, int64_t to)
{
	struct api_pager *p = w->p;
	long first = p->first_page, pages;
	int64_t total, ignored;

	if (read_page(w, from, to, first, 0, &total) < 0)
		return -1;
	pages = (long)((total + p->page_size - 1) / p->page_size);
	if (p->max_pages && pages > p->max_pages) {
		int64_t mid = from + (to - from) / 2;

		if (to - from <= 1)
			return failure_set(w->f, w->wlabel, "%" PRId64 " orders changed within one "
					   "second, more than %ld pages hold", total, p->max_pages);
		log_info("msg=\"window split\" platform=%s window=\"%s\" total=%" PRId64, p->platform,
			 w->wlabel, total);
		return read_range(w, from, mid) < 0 || read_range(w, mid, to) < 0 ? -1 : 0;
	}
	for (long pg = first + pages - 1; pg > first; pg--)
		if (read_page(w, from, to, pg, 0, &ignored) < 0)
			return -1;
	return pages > 1 ? read_page(w, from, to, first, 1, &ignored) : 0;
}

/* ---- a cursor over ids, then one order at a time ------------------------------------------- */

/* The ids of the window into ids (in order, each once). 0, or -1 with f. */
static int read_ids(struct api_pager *p, int64_t from, int64_t to, const char *wlabel,
		    char ***ids, size_t *n, struct failure *f)
{
	struct strset seen = STRSET_INIT;
	char cursor[512] = "", file[RAWZONE_PATH_MAX];
	long page = 1;
	int more = 1, rc = 0;

	while (rc == 0 && more) {
		struct api_page pg = { from, to, page, p->page_size, cursor, NULL };
		struct ask a = { from, to, from, to, page, 0, 0, 0 };
		struct json_object *root = NULL, *list = NULL;
		const char *next;

		if ((rc = fetch(p, &pg, &a, wlabel, &root, file, sizeof(file), f)) < 0)
			break;
		if (p->cursor(root, &list, &next, &more) < 0 ||
		    (more && (!*next || !strcmp(next, cursor))))
			/* a cursor that does not move would read the same page for ever */
			rc = failure_set(f, file, "the answer has no order list, or has_more without a "
					 "new cursor");
		for (size_t i = 0; rc == 0 && list && i < json_object_array_length(list); i++) {
			const char *id = json_object_get_string(json_object_array_get_idx(list, i));
			char **v;
			int dup;

			if (!id || (dup = strset_add(&seen, id)) == 1)
				continue;
			if (dup < 0 || !(v = realloc(*ids, (*n + 1) * sizeof(*v))) ||
			    !(v[*n] = strdup(id))) {
				rc = failure_set(f, file, "out of memory");
				break;
			}
			*ids = v;
			(*n)++;
		}
		if (rc == 0)
			snprintf(cursor, sizeof(cursor), "%s", next);
		json_object_put(root);
		page++;
	}
	strset_clear(&seen);
	return rc;
}

static int read_details(struct api_pager *p, int64_t from, int64_t to, const char *wlabel,
			api_order_fn fn, void *arg, struct failure *f)
{
	char **ids = NULL, file[RAWZONE_PATH_MAX], at[320];
	size_t n = 0;
	int rc = read_ids(p, from, to, wlabel, &ids, &n, f);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct api_page pg = { from, to, (long)i + 1, 0, NULL, ids[i] };
		struct ask a = { from, to, from, to, (long)i + 1, 0, 1, i + 1 == n };
		struct json_object *root = NULL;

		if ((rc = fetch(p, &pg, &a, wlabel, &root, file, sizeof(file), f)) == 0) {
			snprintf(at, sizeof(at), "%.96s order %.64s", file, ids[i]);
			rc = fn(arg, root, at);
			json_object_put(root);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

int api_pager_window(struct api_pager *p, int64_t from, int64_t to, const char *wlabel,
		     api_order_fn fn, void *arg, struct failure *f)
{
	struct paged w = { p, from, to, wlabel, fn, arg, f };

	return p->paging == API_CURSOR ? read_details(p, from, to, wlabel, fn, arg, f)
				       : read_range(&w, from, to);
}

/* ---- a run's raw zone ---------------------------------------------------------------------- */

/* One manifest line as a page of ours; 0 when it is one. */
static int raw_page_of(const char *line, struct api_raw_page *m)
{
	struct json_object *o = json_tokener_parse(line), *req = NULL, *w, *r;
	const char *file = "";
	int64_t v;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (o && wj_object(o, "request", &req) == WJ_OK && wj_array(req, "window", &w) == WJ_OK &&
	    wj_array(req, "range", &r) == WJ_OK && json_object_array_length(w) == 2 &&
	    json_object_array_length(r) == 2 && wj_text(o, "file", &file) == WJ_OK) {
		snprintf(m->file, sizeof(m->file), "%s", file);
		wj_int64_value(json_object_array_get_idx(w, 0), &m->wfrom);
		wj_int64_value(json_object_array_get_idx(w, 1), &m->wto);
		wj_int64_value(json_object_array_get_idx(r, 0), &m->rfrom);
		wj_int64_value(json_object_array_get_idx(r, 1), &m->rto);
		m->page = wj_int64(req, "page", &v) == WJ_OK ? (long)v : 0;
		m->page_size = wj_int64(req, "page_size", &v) == WJ_OK ? (long)v : 0;
		m->reread = wj_int64(req, "reread", &v) == WJ_OK && v;
		m->detail = wj_int64(req, "detail", &v) == WJ_OK && v;
		m->final = wj_int64(req, "final", &v) == WJ_OK && v;
		rc = 0;
	}
	json_object_put(o);
	return rc;
}

int api_raw_manifest(const char *dir, struct api_raw_page **out, size_t *n, struct failure *f)
{
	char path[RAWZONE_PATH_MAX + 32], *line = NULL;
	size_t lcap = 0, cap = 0;
	struct api_raw_page m;
	FILE *in;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/manifest.jsonl", dir);
	if (!(in = fopen(path, "r")))
		return errno == ENOENT ? 0 : failure_set(f, path, "cannot read: %s", strerror(errno));
	while (getline(&line, &lcap, in) > 0) {
		if (raw_page_of(line, &m) < 0)
			continue;
		if (*n == cap) {
			struct api_raw_page *v = realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!v) {
				free(line);
				fclose(in);
				return failure_set(f, path, "out of memory");
			}
			*out = v;
		}
		(*out)[(*n)++] = m;
	}
	free(line);
	fclose(in);
	return 0;
}

/* The page's answer when the platform took it (not an error the run retried past). */
static struct json_object *usable(const struct api_pager *p, const char *dir,
				  const struct api_raw_page *m, struct buf *text, int *missing)
{
	struct api_judgement j = { 0 };
	struct json_object *root;
	char path[RAWZONE_PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/%s", dir, m->file);
	*missing = 0;
	if (rawzone_read_page(path, text) < 0) {
		*missing = 1;
		return NULL;
	}
	if (!(root = json_tokener_parse(buf_str(text))))
		return NULL;
	p->api->judge(NULL, root, &j);
	if (j.verdict != API_OK) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

int api_raw_window_complete(const struct api_pager *p, const char *dir,
			    const struct api_raw_page *pg, size_t n)
{
	struct buf text = BUF_INIT;
	int done = 0, missing;

	for (size_t i = n; i-- > 0;) {
		struct json_object *root = usable(p, dir, &pg[i], &text, &missing), *items;
		const char *next;
		int64_t total;
		int more;

		if (!root)
			continue;
		if (pg[i].detail)
			done = pg[i].final;
		else if (p->paging == API_CURSOR)
			/* a list that ended without ids: the window had no order */
			done = p->cursor(root, &items, &next, &more) == 0 && !more &&
			       (!items || json_object_array_length(items) == 0);
		else
			done = p->list(root, &total, &items) == 0 && pg[i].rto == pg[i].wto &&
			       pg[i].page == p->first_page &&
			       (pg[i].reread || total <= pg[i].page_size);
		json_object_put(root);
		break;
	}
	buf_release(&text);
	return done;
}

int api_raw_pages(struct api_pager *p, const char *dir, const struct api_raw_page *pg,
		  size_t n, api_order_fn fn, void *arg, struct failure *f)
{
	struct buf text = BUF_INIT;
	int rc = 0, missing;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct json_object *root = usable(p, dir, &pg[i], &text, &missing), *orders = NULL;
		int64_t total;
		char at[160];

		if (missing) {
			rc = failure_set(f, pg[i].file, "cannot read the raw page in %s", dir);
			break;
		}
		if (!root)
			continue;
		p->pages++;
		if (pg[i].detail) {
			snprintf(at, sizeof(at), "%s", pg[i].file);
			rc = fn(arg, root, at);
		} else if (p->paging == API_PAGED && p->list(root, &total, &orders) == 0) {
			rc = each_order(orders, pg[i].file, pg[i].page, fn, arg);
		}
		json_object_put(root);
	}
	buf_release(&text);
	return rc;
}

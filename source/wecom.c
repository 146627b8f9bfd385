/*
 * wecom.c — the WeCom source: one nightly snapshot of the corp
 * (see include/siyu/source/wecom.h).
 *
 * Call plan (docs/wecom.md), all inside the source's
 * one transaction, every page kept in the raw zone before it is parsed:
 *
 *   gettoken (cached)
 *   get_follow_user_list                         -> staff
 *   user/get per staff member not read for staff_refresh, department/list
 *                                                -> staff names, departments
 *   batch/get_by_user   ≤100 userids, limit 100, cursor to the end
 *                                                -> relationships, customers, tags, phones
 *   get_corp_tag_list   (complete list)          -> tags
 *   groupchat/list      owner_filter ≤100, status_filter 0, limit 1000, cursor
 *   groupchat/get       per chat; members only when member_version changed
 *   get_user_behavior_data        per staff member, ≤30-day windows
 *   groupchat/statistic_group_by_day  per group owner, same windows
 *   callback spool, etl.wecom_merge, callback spool again
 *
 * Statistics days are WeCom's days (China time, Asia/Shanghai): the last
 * stats_days days ending yesterday, re-pulled every run.
 *
 * A replay runs the same plan with every call answered by the run's raw
 * zone (wecom_api_call in replay mode): the statistics days are the run's,
 * member lists are always re-read, callbacks wait for the next run, and the
 * 'snapshot' watermark names the raw-zone run the warehouse now reflects.
 */
#include "siyu/source/wecom.h"

#include "siyu/common/debug.h"
#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/extract/http.h"
#include "siyu/extract/rawzone.h"
#include "siyu/extract/wecom_api.h"
#include "siyu/load/db.h"
#include "siyu/load/wecom_load.h"
#include "siyu/source/wecom_events.h"
#include "siyu/common/failure.h"
#include "siyu/transform/wecom_json.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 100             /* userids per batch/get_by_user and owner_filter */
#define CONTACT_LIMIT 100     /* batch/get_by_user page size (the maximum) */
#define GROUP_LIST_LIMIT 1000 /* groupchat/list page size (the maximum) */
#define STATS_WINDOW_DAYS 30  /* the statistics APIs' longest range */
#define STATS_TZ "Asia/Shanghai"
#define FLUSH_BYTES (1u << 20)
#define MAX_PAGES_PER_LOOP 100000

struct strlist {
	char **v;
	size_t n, cap;
};

struct wecom_run {
	const struct source_ctx *ctx;
	struct http_client *http;       /* NULL in a replay */
	struct rawzone raw;             /* the run's raw zone (not in a replay) */
	struct wecom_replay rp;         /* a replay: the run's raw zone */
	struct wecom_api api;
	struct wecom_xform x;
	/* the snapshot's unit */
	struct source_tx *tx;
	struct load_counts *c;          /* tx->c */
	struct failure *fail;           /* tx->fail */
	struct wecom_rows rows;
	struct wecom_versions versions;
	struct strlist staff;   /* follow users, in the API's order */
	struct strlist chats;   /* listed chat ids */
	struct strlist owners;  /* owners of the fetched groups */
	int64_t *chat_status;
};

/* ---- small helpers --------------------------------------------------------------------- */

static int strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static int strlist_add(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int oom(struct wecom_run *r)
{
	return failure_set(r->fail, NULL, "out of memory");
}

/* The compact JSON text of obj, copied (caller frees); obj is released. */
static char *json_take(struct json_object *obj)
{
	char *s = obj ? strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN)) : NULL;

	json_object_put(obj);
	return s;
}

static struct json_object *userid_array(char *const *ids, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(ids[i]));
	return a;
}

/* Spool one reject (its raw JSON as parsed). */
static int reject(struct wecom_run *r, const char *entity, const char *key, size_t item,
		  const char *why, struct json_object *raw)
{
	char location[192];
	const char *text = raw ? json_object_to_json_string_ext(raw, JSON_C_TO_STRING_PLAIN) : "";

	snprintf(location, sizeof(location), "%s#%zu", r->api.last_page[0] ? r->api.last_page : "page",
		 item + 1);
	r->c->rejected++;
	/* the reason may quote the record's values: etl.reject keeps it, phones masked */
	log_debug("msg=\"record rejected\" source=%s entity=%s key=\"%s\" location=\"%s\"",
		  r->ctx->src->name, entity, key, location);
	if (reject_log_add(&r->tx->rejects, entity, key && *key ? key : NULL, location, why, text,
			   strlen(text)) < 0)
		return oom(r);
	return 0;
}

/*
 * After each page's rows (and at the end): the rows into staging once they
 * pass threshold bytes; the pages and records so far to the progress (a
 * snapshot's size is unknown until it is read: no ETA).
 */
static int flush(struct wecom_run *r, size_t threshold)
{
	source_progress(r->tx, r->api.pages, 0, 0);
	if (wecom_load_flush(r->ctx->conn, &r->rows, threshold) < 0) {
		return db_fail(r->fail, NULL, "COPY into staging failed");
	}
	return 0;
}

/* "abc…" for messages: cursors are opaque and can be long. */
static void short_cursor(const char *cursor, char *out, size_t n)
{
	size_t len = strlen(cursor);

	if (len > 32)
		snprintf(out, n, "%.32s...", cursor);
	else
		snprintf(out, n, "%s", cursor);
}

/* next_cursor of a page: 1 there is a next page (copied to next), 0 done, -1 stuck. */
static int next_cursor(struct json_object *root, char *next, size_t n, const char *prev)
{
	const char *s = NULL;

	if (wj_text(root, "next_cursor", &s) != WJ_OK || !*s)
		return 0;
	if (strcmp(s, prev) == 0 || strlen(s) >= n)
		return -1;
	snprintf(next, n, "%s", s);
	return 1;
}

/* ---- staff ----------------------------------------------------------------------------- */

static int extract_staff(struct wecom_run *r)
{
	struct json_object *root = NULL, *arr = NULL;
	int rc;

	rc = wecom_api_call(&r->api, "GET", "externalcontact/get_follow_user_list", NULL, NULL,
			    "follow_users", "the follow-user list", NULL, &root, r->fail);
	if (rc < 0)
		return -1;
	if (wj_array(root, "follow_user", &arr) == WJ_BAD) {
		failure_set(r->fail, "GET externalcontact/get_follow_user_list",
			    "follow_user is not an array; raw page %s", r->api.last_page);
		json_object_put(root);
		return -1;
	}
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		const char *u;

		if (wj_text_value(json_object_array_get_idx(arr, i), &u) != WJ_OK || !*u ||
		    strlist_has(&r->staff, u))
			continue;
		if (strlist_add(&r->staff, u) < 0 || wecom_rows_add_staff(&r->rows, u) < 0) {
			json_object_put(root);
			return oom(r);
		}
	}
	json_object_put(root);
	log_info("msg=\"wecom staff\" source=%s follow_users=%zu", r->ctx->src->name, r->staff.n);
	return 0;
}

/* ---- staff details (the address book) ------------------------------------------------- */

/* A described member, kept until the department names are known. */
struct staff_detail {
	char *userid, *name;
	int64_t dept[16];
	int ndept;
};

/*
 * user/get for one member into d: 0 described, 1 not described (out of the
 * app's scope, unknown), 2 the app may not read the address book (48002), -1.
 */
static int describe_member(struct wecom_run *r, const char *userid, const char *query,
			   struct staff_detail *d)
{
	static const int accept[] = { 48002, 60011, 60111, 0 };
	struct json_object *root = NULL, *dept = NULL;
	const char *name = NULL;
	char where[320];
	int rc;

	snprintf(where, sizeof(where), "userid \"%.200s\"", userid);
	rc = wecom_api_call(&r->api, "GET", "user/get", query, NULL, "users", where, accept, &root,
			    r->fail);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		log_warn("msg=\"wecom member not described\" source=%s userid=%s errcode=%d",
			 r->ctx->src->name, userid, rc);
		json_object_put(root);
		return rc == 48002 ? 2 : 1;
	}
	memset(d, 0, sizeof(*d));
	if (wj_text(root, "name", &name) == WJ_OK && *name)
		d->name = strdup(name);
	if (wj_array(root, "department", &dept) == WJ_OK)
		for (size_t i = 0; i < json_object_array_length(dept) && d->ndept < 16; i++)
			if (wj_int64_value(json_object_array_get_idx(dept, i), &d->dept[d->ndept]) == WJ_OK)
				d->ndept++;
	d->userid = strdup(userid);
	json_object_put(root);
	if (d->userid)
		return 0;
	free(d->name);
	return oom(r);
}

/* The name of department id in department/list's answer, or NULL. */
static const char *department_name(struct json_object *list, int64_t id)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);
		const char *name;
		int64_t v;

		if (wj_int64(d, "id", &v) == WJ_OK && v == id && wj_text(d, "name", &name) == WJ_OK &&
		    *name)
			return name;
	}
	return NULL;
}

/* The rows of the described members, department ids read as names ("华东大区, 会员运营部"). */
static int detail_rows(struct wecom_run *r, struct staff_detail *d, size_t n,
		       struct json_object *departments)
{
	for (size_t i = 0; i < n; i++) {
		struct buf names = BUF_INIT;
		int rc = 0;

		for (int k = 0; k < d[i].ndept; k++) {
			const char *name = department_name(departments, d[i].dept[k]);

			if (name)
				rc |= buf_addf(&names, "%s%s", names.len ? ", " : "", name);
		}
		rc |= wecom_rows_add_staff_detail(&r->rows, d[i].userid, d[i].name,
						  names.len ? buf_str(&names) : NULL);
		buf_release(&names);
		if (rc)
			return oom(r);
	}
	return 0;
}

/* department/list once (the names of every department the app can see), or NULL. */
static int list_departments(struct wecom_run *r, struct json_object **out)
{
	static const int accept[] = { 48002, 60011, 0 };
	struct json_object *root = NULL;
	int rc;

	*out = NULL;
	if (!wecom_api_replay_has(&r->api, "department/list", NULL, NULL))
		return 0;
	rc = wecom_api_call(&r->api, "GET", "department/list", NULL, NULL, "departments",
			    "the department list", accept, &root, r->fail);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		log_warn("msg=\"wecom department names not readable\" source=%s errcode=%d",
			 r->ctx->src->name, rc);
		json_object_put(root);
		return 0;
	}
	*out = root;
	return 0;
}

/*
 * user/get for each follow user to describe (named: the staff read recently,
 * skipped; a replay: the members the run asked about) into d[*n].
 * 0, or -1; an app that may not read the address book ends the loop early.
 */
static int describe_members(struct wecom_run *r, const PGresult *named, struct staff_detail *d,
			    size_t *n)
{
	int rc = 0;

	for (size_t i = 0; i < r->staff.n && rc == 0; i++) {
		char *esc = curl_easy_escape(NULL, r->staff.v[i], 0);
		char query[1024];

		if (!esc)
			return oom(r);
		snprintf(query, sizeof(query), "userid=%s", esc);
		curl_free(esc);
		if (named ? db_find_sorted(named, 0, r->staff.v[i]) >= 0
			  : !wecom_api_replay_has(&r->api, "user/get", query, NULL))
			continue;
		rc = describe_member(r, r->staff.v[i], query, &d[*n]);
		if (rc == 0)
			(*n)++;
		else if (rc == 1)
			rc = 0; /* that member stays unnamed */
	}
	if (rc == 2)
		log_warn("msg=\"the app may not read the address book (48002): staff names not "
			 "loaded\" source=%s", r->ctx->src->name);
	return rc < 0 ? -1 : 0;
}

/*
 * Names and departments of the staff not read in the last staff_refresh
 * (user/get costs a call per member, so a name is re-read only that often).
 * A replay asks what the run asked: older runs asked nothing. Members
 * outside the app's scope stay unnamed; an app that may not read the
 * address book (48002) stops it.
 */
static int describe_staff(struct wecom_run *r)
{
	struct staff_detail *d = calloc(r->staff.n ? r->staff.n : 1, sizeof(*d));
	struct json_object *departments = NULL, *list = NULL;
	PGresult *named = NULL;
	size_t n = 0;
	int rc, any_dept = 0;

	if (!d)
		return oom(r);
	if (!r->api.replay &&
	    !(named = wecom_load_named_staff(r->ctx->conn, r->ctx->src->name,
					     r->ctx->src->staff_refresh_s > 0 ? r->ctx->src->staff_refresh_s
									     : 30 * 86400L))) {
		free(d);
		return db_fail(r->fail, NULL, "cannot read the named staff");
	}
	rc = describe_members(r, named, d, &n);
	for (size_t i = 0; i < n; i++)
		any_dept |= d[i].ndept > 0;
	if (rc == 0 && any_dept)
		rc = list_departments(r, &departments);
	if (rc == 0 && departments && wj_array(departments, "department", &list) == WJ_BAD)
		list = NULL;
	if (rc == 0)
		rc = detail_rows(r, d, n, list);
	if (n)
		log_info("msg=\"wecom staff described\" source=%s members=%zu", r->ctx->src->name, n);
	for (size_t i = 0; i < n; i++) {
		free(d[i].userid);
		free(d[i].name);
	}
	free(d);
	json_object_put(departments);
	PQclear(named);
	return rc;
}

/* ---- relationships ----------------------------------------------------------------------- */

/* A record that cannot be read: keep its relationships out of the removal diff. */
static int skip_unreadable(struct wecom_run *r, char *const *chunk, size_t n, const char *key)
{
	char userid[640] = "", *slash;
	const char *ext;

	snprintf(userid, sizeof(userid), "%s", key ? key : "");
	slash = strchr(userid, '/');
	ext = slash && slash[1] ? slash + 1 : NULL;
	if (slash)
		*slash = '\0';
	if (userid[0])
		return wecom_rows_add_skip(&r->rows, userid, ext) < 0 ? oom(r) : 0;
	for (size_t i = 0; i < n; i++)
		if (wecom_rows_add_skip(&r->rows, chunk[i], ext) < 0)
			return oom(r);
	return 0;
}

static int contacts_page(struct wecom_run *r, struct json_object *root, char *const *chunk,
			 size_t n)
{
	struct json_object *list = NULL, *fail = NULL, *unl = NULL;
	char key[600], why[256], src[160];

	snprintf(src, sizeof(src), "%s", r->api.last_page);
	if (wj_array(root, "external_contact_list", &list) == WJ_BAD) {
		failure_set(r->fail, NULL, "external_contact_list is not an array");
		return -2;
	}
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *item = json_object_array_get_idx(list, i);
		int rc;

		r->c->read++;
		rc = wecom_xform_contact(&r->x, item, n == 1 ? chunk[0] : NULL, src, &r->rows, key,
					 sizeof(key), why, sizeof(why));
		if (rc == -2)
			return oom(r);
		if (rc < 0 && (reject(r, "contact", key, i, why, item) < 0 ||
			       skip_unreadable(r, chunk, n, key) < 0))
			return -1;
	}
	/* Members without an interop license: their customers were not listed. */
	if (wj_object(root, "fail_info", &fail) == WJ_OK &&
	    wj_array(fail, "unlicensed_userid_list", &unl) == WJ_OK) {
		for (size_t i = 0; i < json_object_array_length(unl); i++) {
			const char *u;

			if (wj_text_value(json_object_array_get_idx(unl, i), &u) == WJ_OK && *u) {
				log_warn("msg=\"wecom member without license, customers not listed\" "
					 "source=%s userid=%s", r->ctx->src->name, u);
				if (wecom_rows_add_skip(&r->rows, u, NULL) < 0)
					return oom(r);
			}
		}
	}
	return 0;
}

static int extract_contacts_chunk(struct wecom_run *r, size_t from, size_t n)
{
	char cursor[1024] = "", shown[48], where[256];
	char *const *chunk = r->staff.v + from;

	for (int page = 1;; page++) {
		struct json_object *req = json_object_new_object(), *root = NULL;
		char *body;
		int rc;

		json_object_object_add(req, "userid_list", userid_array(chunk, n));
		json_object_object_add(req, "cursor", json_object_new_string(cursor));
		json_object_object_add(req, "limit", json_object_new_int(CONTACT_LIMIT));
		if (!(body = json_take(req)))
			return oom(r);
		short_cursor(cursor, shown, sizeof(shown));
		snprintf(where, sizeof(where), "staff %zu-%zu of %zu, page %d, cursor \"%s\"", from + 1,
			 from + n, r->staff.n, page, shown);
		rc = wecom_api_call(&r->api, "POST", "externalcontact/batch/get_by_user", NULL, body,
				    "contacts", where, NULL, &root, r->fail);
		free(body);
		if (rc < 0)
			return -1;
		rc = contacts_page(r, root, chunk, n);
		if (rc == 0) {
			rc = next_cursor(root, cursor, sizeof(cursor), cursor);
			if (rc < 0 || page >= MAX_PAGES_PER_LOOP) {
				failure_set(r->fail, NULL, "next_cursor does not advance");
				rc = -2;
			}
		}
		json_object_put(root);
		if (rc == -2) {
			char object[320];

			snprintf(object, sizeof(object), "POST externalcontact/batch/get_by_user (%s)",
				 where);
			return failure_set(r->fail, object, "%s; raw page %s", r->fail->reason,
					   r->api.last_page);
		}
		if (rc < 0)
			return -1;
		if (flush(r, FLUSH_BYTES) < 0)
			return -1;
		if (rc == 0)
			return 0;
	}
}

static int extract_contacts(struct wecom_run *r)
{
	long long before = r->c->read;

	for (size_t i = 0; i < r->staff.n; i += CHUNK)
		if (extract_contacts_chunk(r, i, r->staff.n - i < CHUNK ? r->staff.n - i : CHUNK) < 0)
			return -1;
	log_info("msg=\"wecom relationships\" source=%s records=%lld", r->ctx->src->name,
		 r->c->read - before);
	return 0;
}

/* ---- tags ------------------------------------------------------------------------------ */

static int extract_tags(struct wecom_run *r)
{
	struct json_object *root = NULL, *groups = NULL;
	char key[256], why[256];
	size_t item = 0;
	long tags = 0;

	if (wecom_api_call(&r->api, "POST", "externalcontact/get_corp_tag_list", NULL, "{}", "tags",
			   "the corporate tag list", NULL, &root, r->fail) < 0)
		return -1;
	if (wj_array(root, "tag_group", &groups) == WJ_BAD) {
		failure_set(r->fail, "POST externalcontact/get_corp_tag_list",
			    "tag_group is not an array; raw page %s", r->api.last_page);
		json_object_put(root);
		return -1;
	}
	for (size_t g = 0; groups && g < json_object_array_length(groups); g++) {
		struct json_object *grp = json_object_array_get_idx(groups, g), *list = NULL;

		if (wj_array(grp, "tag", &list) != WJ_OK)
			continue;
		for (size_t t = 0; t < json_object_array_length(list); t++, item++) {
			struct json_object *tag = json_object_array_get_idx(list, t);
			int rc;

			r->c->read++;
			tags++;
			rc = wecom_xform_tag(&r->x, grp, tag, &r->rows, key, sizeof(key), why,
					     sizeof(why));
			if (rc == -2 || (rc < 0 && reject(r, "tag", key, item, why, tag) < 0)) {
				json_object_put(root);
				return rc == -2 ? oom(r) : -1;
			}
		}
	}
	json_object_put(root);
	log_info("msg=\"wecom tags\" source=%s tags=%ld", r->ctx->src->name, tags);
	return 0;
}

/* ---- groups ---------------------------------------------------------------------------- */

static int list_groups_chunk(struct wecom_run *r, size_t from, size_t n)
{
	char cursor[1024] = "", shown[48], where[256];

	for (int page = 1;; page++) {
		struct json_object *req = json_object_new_object(), *filter = json_object_new_object();
		struct json_object *root = NULL, *list = NULL;
		char *body;
		int rc;

		json_object_object_add(req, "status_filter", json_object_new_int(0));
		json_object_object_add(filter, "userid_list", userid_array(r->staff.v + from, n));
		json_object_object_add(req, "owner_filter", filter);
		json_object_object_add(req, "cursor", json_object_new_string(cursor));
		json_object_object_add(req, "limit", json_object_new_int(GROUP_LIST_LIMIT));
		if (!(body = json_take(req)))
			return oom(r);
		short_cursor(cursor, shown, sizeof(shown));
		snprintf(where, sizeof(where), "owners %zu-%zu of %zu, page %d, cursor \"%s\"",
			 from + 1, from + n, r->staff.n, page, shown);
		rc = wecom_api_call(&r->api, "POST", "externalcontact/groupchat/list", NULL, body,
				    "groupchat_list", where, NULL, &root, r->fail);
		free(body);
		if (rc < 0)
			return -1;
		if (wj_array(root, "group_chat_list", &list) == WJ_BAD)
			rc = -2;
		for (size_t i = 0; rc == 0 && list && i < json_object_array_length(list); i++) {
			struct json_object *chat = json_object_array_get_idx(list, i);
			const char *id = NULL;
			int64_t status = 0;

			if (wj_text(chat, "chat_id", &id) != WJ_OK || !*id) {
				if (reject(r, "group", "", i, "group_chat_list item without chat_id",
					   chat) < 0)
					rc = -1;
				continue;
			}
			if (strlist_has(&r->chats, id))
				continue;
			if (wj_int64(chat, "status", &status) != WJ_OK)
				status = 0;
			if (strlist_add(&r->chats, id) < 0) {
				rc = oom(r);
				break;
			}
			r->chat_status = realloc(r->chat_status, r->chats.cap * sizeof(int64_t));
			if (!r->chat_status) {
				rc = oom(r);
				break;
			}
			r->chat_status[r->chats.n - 1] = status;
		}
		if (rc == 0) {
			rc = next_cursor(root, cursor, sizeof(cursor), cursor);
			if (rc < 0 || page >= MAX_PAGES_PER_LOOP)
				rc = -3;
		}
		json_object_put(root);
		if (rc == -2 || rc == -3) {
			char object[320];

			snprintf(object, sizeof(object), "POST externalcontact/groupchat/list (%s)", where);
			return failure_set(r->fail, object, "%s; raw page %s",
					   rc == -2 ? "group_chat_list is not an array"
						    : "next_cursor does not advance",
					   r->api.last_page);
		}
		if (rc <= 0)
			return rc;
	}
}

/* Members of one group into out; 0, -1 (a member was rejected: keep the old members), -2 fatal. */
static int group_members(struct wecom_run *r, const char *chat_id, struct json_object *chat,
			 struct buf *out)
{
	struct json_object *list = NULL;
	char key[600], why[256];
	int rc = 0;

	if (wj_array(chat, "member_list", &list) != WJ_OK) {
		if (reject(r, "group_member", chat_id, 0, "group_chat without member_list", chat) < 0)
			return -2;
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *m = json_object_array_get_idx(list, i);
		int x;

		r->c->read++;
		x = wecom_xform_member(&r->x, chat_id, m, out, key, sizeof(key), why, sizeof(why));
		if (x == -2) {
			oom(r);
			return -2;
		}
		if (x < 0) {
			if (reject(r, "group_member", key, i, why, m) < 0)
				return -2;
			rc = -1;
		}
	}
	return rc;
}

static int fetch_group(struct wecom_run *r, size_t idx)
{
	static const int accept[] = { 40050, 0 };
	const char *id = r->chats.v[idx];
	struct json_object *req = json_object_new_object(), *root = NULL, *chat = NULL;
	struct buf members = BUF_INIT;
	const char *version = NULL, *committed;
	char where[320], chat_id[256], owner[256], why[256];
	char *body;
	int rc, load = 0;

	json_object_object_add(req, "chat_id", json_object_new_string(id));
	json_object_object_add(req, "need_name", json_object_new_int(0));
	if (!(body = json_take(req)))
		return oom(r);
	snprintf(where, sizeof(where), "chat %zu of %zu, chat_id \"%.200s\"", idx + 1, r->chats.n, id);
	rc = wecom_api_call(&r->api, "POST", "externalcontact/groupchat/get", NULL, body,
			    "groupchat_get", where, accept, &root, r->fail);
	free(body);
	if (rc < 0)
		return -1;
	r->c->read++;
	if (rc > 0 || wj_object(root, "group_chat", &chat) != WJ_OK) {
		/* gone between list and get, or no details: keep it as it was */
		log_warn("msg=\"wecom group not described\" source=%s chat_id=\"%s\" errcode=%d",
			 r->ctx->src->name, id, rc);
		json_object_put(root);
		return wecom_xform_group_listed(id, r->chat_status[idx], &r->rows) ? oom(r) : 0;
	}
	if (wj_text(chat, "member_version", &version) != WJ_OK || !*version)
		version = NULL;
	committed = wecom_versions_find(&r->versions, id);
	load = !version || !committed || strcmp(version, committed) != 0;
	if (load) {
		rc = group_members(r, id, chat, &members);
		if (rc == -2) {
			buf_release(&members);
			json_object_put(root);
			return -1;
		}
		load = rc == 0;
	}
	rc = wecom_xform_group(&r->x, chat, load, &r->rows, chat_id, sizeof(chat_id), owner,
			       sizeof(owner), why, sizeof(why));
	if (rc == 0 && load && buf_add(&r->rows.t[WT_GROUP_MEMBER], members.data, members.len) < 0)
		rc = -2;
	if (rc == -1) {
		rc = reject(r, "group", id, 0, why, chat);
		if (rc == 0 && wecom_xform_group_listed(id, r->chat_status[idx], &r->rows))
			rc = -2;
	}
	if (rc == 0 && owner[0] && !strlist_has(&r->owners, owner) && strlist_add(&r->owners, owner) < 0)
		rc = -2;
	buf_release(&members);
	json_object_put(root);
	if (rc == -2)
		return oom(r);
	return rc < 0 ? -1 : flush(r, FLUSH_BYTES);
}

static int extract_groups(struct wecom_run *r)
{
	for (size_t i = 0; i < r->staff.n; i += CHUNK)
		if (list_groups_chunk(r, i, r->staff.n - i < CHUNK ? r->staff.n - i : CHUNK) < 0)
			return -1;
	for (size_t i = 0; i < r->chats.n; i++)
		if (fetch_group(r, i) < 0)
			return -1;
	log_info("msg=\"wecom groups\" source=%s groups=%zu owners=%zu", r->ctx->src->name,
		 r->chats.n, r->owners.n);
	return 0;
}

/* ---- statistics ------------------------------------------------------------------------ */

/* Midnights (China time) of the first and the last day to pull. */
static int stats_range(struct wecom_run *r, int64_t *first, int64_t *last)
{
	struct wecom_replay *rp = r->api.replay;

	if (rp) {
		/* the run's days; a run that never asked for them stopped before */
		if (!rp->has_stats && r->staff.n > 0) {
			rp->ended = 1;
			return failure_set(r->fail, NULL, "the run's raw zone ends before the "
					   "statistics calls (the run stopped there)");
		}
		*first = rp->stats_first;
		*last = rp->has_stats ? rp->stats_last : rp->stats_first - 1;
		return 0;
	}
	if (wecom_load_stats_days(r->ctx->conn, r->ctx->src->stats_days > 0 ? r->ctx->src->stats_days : 7,
				  STATS_TZ, first, last) < 0)
		return db_fail(r->fail, NULL, "cannot compute the statistics days");
	return 0;
}

typedef int (*stat_xform)(struct wecom_xform *x, const char *who, struct json_object *item,
			  struct wecom_rows *rows, char *why, size_t whylen);

static int stats_call(struct wecom_run *r, const char *path, const char *entity,
		      const char *list_key, const char *who, const char *body, const char *where,
		      stat_xform fn)
{
	struct json_object *root = NULL, *items = NULL;
	char why[256];
	int rc = 0;

	if (wecom_api_call(&r->api, "POST", path, NULL, body, entity, where, NULL, &root,
			   r->fail) < 0)
		return -1;
	if (wj_array(root, list_key, &items) == WJ_BAD) {
		char object[640];

		snprintf(object, sizeof(object), "POST %s (%s)", path, where);
		rc = failure_set(r->fail, object, "%s is not an array; raw page %s", list_key,
				 r->api.last_page);
	}
	for (size_t i = 0; rc == 0 && items && i < json_object_array_length(items); i++) {
		struct json_object *item = json_object_array_get_idx(items, i);
		int x;

		r->c->read++;
		x = fn(&r->x, who, item, &r->rows, why, sizeof(why));
		if (x == -2)
			rc = oom(r);
		else if (x < 0)
			rc = reject(r, entity, who, i, why, item);
	}
	json_object_put(root);
	return rc < 0 ? -1 : flush(r, FLUSH_BYTES);
}

static int extract_stats(struct wecom_run *r)
{
	int64_t first, last;
	char where[320];

	if (stats_range(r, &first, &last) < 0)
		return -1;
	for (int64_t from = first; from <= last; from += STATS_WINDOW_DAYS * 86400LL) {
		int64_t to = from + (STATS_WINDOW_DAYS - 1) * 86400LL;

		if (to > last)
			to = last;
		for (size_t i = 0; i < r->staff.n; i++) {
			struct json_object *req = json_object_new_object();
			char *body;
			int rc;

			json_object_object_add(req, "userid", userid_array(r->staff.v + i, 1));
			json_object_object_add(req, "start_time", json_object_new_int64(from));
			json_object_object_add(req, "end_time", json_object_new_int64(to));
			if (!(body = json_take(req)))
				return oom(r);
			snprintf(where, sizeof(where), "userid \"%.200s\", days %" PRId64 "-%" PRId64,
				 r->staff.v[i], from, to);
			rc = stats_call(r, "externalcontact/get_user_behavior_data", "behavior",
					"behavior_data", r->staff.v[i], body, where, wecom_xform_behavior);
			free(body);
			if (rc < 0)
				return -1;
		}
		for (size_t i = 0; i < r->owners.n; i++) {
			struct json_object *req = json_object_new_object(), *f = json_object_new_object();
			char *body;
			int rc;

			json_object_object_add(req, "day_begin_time", json_object_new_int64(from));
			json_object_object_add(req, "day_end_time", json_object_new_int64(to));
			json_object_object_add(f, "userid_list", userid_array(r->owners.v + i, 1));
			json_object_object_add(req, "owner_filter", f);
			if (!(body = json_take(req)))
				return oom(r);
			snprintf(where, sizeof(where), "owner \"%.200s\", days %" PRId64 "-%" PRId64,
				 r->owners.v[i], from, to);
			rc = stats_call(r, "externalcontact/groupchat/statistic_group_by_day",
					"group_stats", "items", r->owners.v[i], body, where,
					wecom_xform_group_stat);
			free(body);
			if (rc < 0)
				return -1;
		}
	}
	log_info("msg=\"wecom statistics\" source=%s staff=%zu owners=%zu from=%" PRId64 " to=%" PRId64,
		 r->ctx->src->name, r->staff.n, r->owners.n, first, last);
	return 0;
}

/* ---- the driver ------------------------------------------------------------------------ */

static int apply_callbacks(struct wecom_run *r)
{
	char why[1024];

	if (r->api.replay)
		return 0; /* the spool is the next run's: a replay loads what the run extracted */
	if (wecom_events_apply(r->ctx, r->c, why, sizeof(why)) < 0)
		return failure_set(r->fail, NULL, "loading the callback spool failed: %s", why);
	return 0;
}

static long long wecom_replay_floor(PGconn *conn, const char *source, struct failure *f)
{
	long long held = wecom_load_snapshot_run(conn, source);

	if (held < 0)
		return db_fail(f, NULL, "cannot read the snapshot watermark");
	return held;
}

/* May the warehouse take the replayed run's snapshot? 0 yes, -1 no (f says why). */
static int replay_allowed(const struct source_ctx *ctx, struct failure *f)
{
	long long held = wecom_replay_floor(ctx->conn, ctx->src->name, f);

	if (held < 0 || ctx->raw_run_id >= held)
		return held < 0 ? -1 : 0;
	return failure_set(f, NULL, "run %lld is older than the snapshot the warehouse holds (run "
			   "%lld); a WeCom run is a snapshot of the whole corp, and loading an older "
			   "one over a newer one would reopen relationships and record removals that "
			   "never happened: replay run %lld or a later one (or replay every run into "
			   "an empty warehouse)", ctx->raw_run_id, held, held);
}

/* A run: the API through the run's raw zone. A replay: the replayed run's raw zone. */
static int wecom_open(const struct source_ctx *ctx, void **state, struct failure *f)
{
	struct wecom_run *r = calloc(1, sizeof(*r));
	char err[1024];

	*state = r;
	if (!r)
		return failure_set(f, NULL, "out of memory");
	r->ctx = ctx;
	r->raw.manifest_fd = -1;
	r->x.now = (int64_t)time(NULL);
	r->x.pii_key = ctx->pii_key;
	r->x.pii_key_len = ctx->pii_key_len;
	wecom_rows_init(&r->rows);
	if (ctx->replay) {
		if (replay_allowed(ctx, f) < 0)
			return -1;
		if (wecom_replay_open(&r->rp, ctx->replay_dir, err, sizeof(err)) < 0)
			return failure_set(f, NULL, "%s", err);
		wecom_api_init_replay(&r->api, &r->rp, ctx->src->name);
		return 0;
	}
	if (!(r->http = source_http_client(ctx, f)))
		return -1;
	if (rawzone_open(&r->raw, ctx->raw_dir, ctx->src->name, ctx->run_id, err, sizeof(err)) < 0)
		return failure_set(f, NULL, "%s", err);
	return wecom_api_init(&r->api, r->http, &r->raw, ctx->src->name,
			      config_source_get(ctx->src, "base_url"),
			      config_source_get(ctx->src, "corpid"),
			      config_source_get(ctx->src, "secret"), ctx->src->retries, f);
}

/* One unit: the whole corp's snapshot (a replay of a run that kept no page: none). */
static int wecom_plan(void *state, struct source_plan *plan, struct failure *f)
{
	struct wecom_run *r = state;
	struct source_unit u = { .label = "snapshot" };

	if (r->ctx->replay && r->rp.n == 0)
		return 0;
	return source_plan_add(plan, &u) < 0 ? failure_set(f, NULL, "out of memory") : 0;
}

/* The call plan, into the run's temp staging tables. */
static int extract_all(struct wecom_run *r)
{
	const struct source_ctx *ctx = r->ctx;

	/* a replay re-reads every member list: the point may be a fixed transform */
	if (wecom_load_begin(ctx->conn) < 0 ||
	    (!r->api.replay && wecom_load_versions(ctx->conn, &r->versions) < 0))
		return db_fail(r->fail, NULL, "cannot prepare staging");
	if (extract_staff(r) < 0 || describe_staff(r) < 0 || extract_contacts(r) < 0 ||
	    extract_tags(r) < 0 || extract_groups(r) < 0 || extract_stats(r) < 0 || flush(r, 0) < 0)
		return -1;
	if (r->api.replay && r->api.replay->next < r->api.replay->n)
		return failure_set(r->fail, NULL, "the run's raw zone has %zu more pages from %s on: "
				   "the call plan differs from the run's",
				   r->api.replay->n - r->api.replay->next,
				   r->api.replay->v[r->api.replay->next].file);
	return 0;
}

static int wecom_stage(void *state, struct source_tx *tx)
{
	struct wecom_run *r = state;
	int rc;

	r->tx = tx;
	r->c = &tx->c;
	r->fail = tx->fail;
	rc = extract_all(r);
	tx->c.pages = (long)r->api.pages;
	if (rc < 0 && r->api.replay && r->rp.ended) {
		/* as a failed file is not replayed: the run loaded nothing from these pages */
		char text[sizeof(tx->fail->object) + sizeof(tx->fail->reason) + 4];

		log_warn("msg=\"run did not finish the source, not replayed\" source=%s raw_run=%lld "
			 "reason=%s", r->ctx->src->name, r->ctx->raw_run_id,
			 failure_text(tx->fail, text, sizeof(text)));
		return SOURCE_UNIT_SKIP;
	}
	return rc;
}

/*
 * Callbacks, the snapshot diff, staff details, callbacks again; the
 * 'snapshot' watermark: when the snapshot now in the warehouse was taken (a
 * run: its transaction's start; a replay: the run's first page) and, as its
 * run, the raw-zone run that holds it, which a replay must not go behind.
 */
static int merge_snapshot(void *state, struct source_tx *tx)
{
	struct wecom_run *r = state;
	const struct source_ctx *ctx = r->ctx;

	/* Callbacks first: the snapshot must not reopen what a callback closed. */
	if (apply_callbacks(r) < 0)
		return -1;
	if (wecom_load_merge(ctx->conn, ctx->run_id, ctx->src->name, STATS_TZ, r->c) < 0)
		return db_fail(r->fail, NULL, "merge into the warehouse failed");
	if (wecom_load_staff_details(ctx->conn, ctx->run_id, ctx->src->name) < 0)
		return db_fail(r->fail, NULL, "loading the staff details failed");
	/* Again: removals that waited for their relationship find it now. */
	if (apply_callbacks(r) < 0)
		return -1;
	tx->entity = "snapshot";
	tx->watermark = ctx->replay && r->rp.first_received[0] ? r->rp.first_received : NULL;
	tx->watermark_run = ctx->replay ? ctx->raw_run_id : ctx->run_id;
	return 0;
}

static void wecom_unit_done(void *state)
{
	struct wecom_run *r = state;

	wecom_versions_release(&r->versions);
	wecom_rows_release(&r->rows);
	wecom_rows_init(&r->rows);
	r->tx = NULL;
}

static void wecom_close(void *state, int failed)
{
	struct wecom_run *r = state;
	const struct source_ctx *ctx = r->ctx;

	if (r->x.phones_skipped)
		log_info("msg=\"remark phones not linked\" source=%s count=%ld reason=%s",
			 ctx->src->name, r->x.phones_skipped,
			 ctx->pii_key ? "not a mainland mobile number" : "SIYU_PII_KEY is not set");
	if (ctx->replay && r->rp.n)
		log_info("msg=\"wecom replay done\" source=%s raw_run=%lld status=%s pages=%lld",
			 ctx->src->name, ctx->raw_run_id, failed ? "failed" : "ok", r->api.pages);
	else if (r->http && r->api.corpid)
		log_info("msg=\"wecom source done\" source=%s status=%s pages=%lld token_fetches=%lld "
			 "requests=%lld backoff_ms=%lld", ctx->src->name, failed ? "failed" : "ok",
			 r->api.pages, r->api.token_fetches, http_client_requests(r->http),
			 http_client_slept_ms(r->http));
	if (rawzone_close(&r->raw) < 0)
		log_warn("msg=\"cannot sync the raw zone\" source=%s dir=%s", ctx->src->name,
			 r->raw.dir);
	wecom_api_release(&r->api);
	wecom_replay_close(&r->rp);
	wecom_versions_release(&r->versions);
	wecom_rows_release(&r->rows);
	strlist_free(&r->staff);
	strlist_free(&r->chats);
	strlist_free(&r->owners);
	free(r->chat_status);
	http_client_free(r->http);
	free(r);
}

const struct source_driver wecom_driver = {
	.type = "wecom",
	.open = wecom_open,
	.plan = wecom_plan,
	.stage = wecom_stage,
	.merge = merge_snapshot,
	.unit_done = wecom_unit_done,
	.close = wecom_close,
	.replay_floor = wecom_replay_floor,
};

/*
 * source/push.c — siyu push: audiences written back to WeCom as customer tags
 * (include/siyu/source/push.h, docs/actions.md).
 */
#include "siyu/source/push.h"

#include "siyu/common/buf.h"
#include "siyu/common/debug.h"
#include "siyu/common/failure.h"
#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/extract/http.h"
#include "siyu/extract/wecom_api.h"
#include "siyu/load/db.h"
#include "siyu/source/source.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_TAGS "externalcontact/get_corp_tag_list"
#define ADD_TAG "externalcontact/add_corp_tag"
#define MARK_TAG "externalcontact/mark_tag"
#define ADD_TASK "externalcontact/add_msg_template"

/* Answers about one relationship that mean it is gone: the push skips it. */
static const int gone[] = { 84061, 40096, 60111, 0 };

struct push {
	PGconn *conn;
	const struct config *cfg;
	const struct push_opts *o;
	struct wecom_api api;
	long long id;
	struct json_object *tags; /* the get_corp_tag_list answer */
	char *err;
	size_t errlen;
};

/* One audience being pushed. */
struct audience {
	const char *name, *tag_name, *message;
	char tag_id[128];   /* "" in a dry run when the tag is still to be created */
	const char *how;    /* "found", "created", "to be created" */
	struct push_counts c;
	int would_tag, would_untag, would_tasks;
};

static int failf(struct push *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int db_failed(struct push *p)
{
	return failf(p, "the warehouse: %s", db_last_error());
}

/* Is code one of list (0-terminated)? */
static int in(const int *list, int code)
{
	for (; *list; list++)
		if (*list == code)
			return 1;
	return 0;
}

/*
 * POST body (consumed) to endpoint and log the call. Returns the errcode (0, or
 * one of accept) with *out the answer, or -1 with p->err. In a dry run only the
 * tag list is read; another call is logged as not called and returns 0, *out NULL.
 */
static int call(struct push *p, const char *audience, const char *endpoint, struct json_object *body,
		const int *accept, const char *where, struct json_object **out)
{
	const char *req = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	const char *msg = NULL, *result = NULL;
	struct json_object *summary = NULL;
	struct failure f;
	int rc;

	*out = NULL;
	memset(&f, 0, sizeof(f));
	if (p->o->dry_run && strcmp(endpoint, LIST_TAGS) != 0) {
		rc = push_store_log(p->conn, p->id, audience, endpoint, req, -1, "dry run: not called", NULL);
		json_object_put(body);
		return rc < 0 ? db_failed(p) : 0;
	}
	rc = wecom_api_call(&p->api, "POST", endpoint, NULL, req, "push", where, accept, out, &f);
	if (rc < 0)
		failure_text(&f, p->err, p->errlen);
	if (rc >= 0) {
		wj_text(*out, "errmsg", &msg);
		if (strcmp(endpoint, LIST_TAGS) == 0) { /* the whole tag library is not worth a copy */
			struct json_object *groups = NULL;

			summary = json_object_new_object();
			wj_array(*out, "tag_group", &groups);
			json_object_object_add(summary, "tag_groups",
					       json_object_new_int64(groups ? (int64_t)json_object_array_length(groups) : 0));
			result = json_object_to_json_string_ext(summary, JSON_C_TO_STRING_PLAIN);
		} else {
			result = json_object_to_json_string_ext(*out, JSON_C_TO_STRING_PLAIN);
		}
	}
	if (push_store_log(p->conn, p->id, audience, endpoint, req, rc, rc < 0 ? p->err : msg, result) < 0) {
		json_object_put(*out);
		*out = NULL;
		rc = db_failed(p);
	}
	debug_point_at("push", endpoint); /* logged, its effect not yet recorded: the crash tests stop here */
	json_object_put(summary);
	json_object_put(body);
	return rc;
}

/* {"userid":..., "external_userid":..., "add_tag"|"remove_tag":[tag_id]} */
static struct json_object *mark_body(const char *userid, const char *ext, const char *op,
				     const char *tag_id)
{
	struct json_object *b = json_object_new_object(), *tags = json_object_new_array();

	json_object_object_add(b, "userid", json_object_new_string(userid));
	json_object_object_add(b, "external_userid", json_object_new_string(ext));
	json_object_array_add(tags, json_object_new_string(tag_id));
	json_object_object_add(b, op, tags);
	return b;
}

/* The group [actions] push_tag_group in the tag list, or NULL. */
static struct json_object *tag_group(struct push *p)
{
	struct json_object *groups = NULL;
	const char *name;

	wj_array(p->tags, "tag_group", &groups);
	for (size_t g = 0; groups && g < json_object_array_length(groups); g++) {
		struct json_object *grp = json_object_array_get_idx(groups, g);

		if (wj_text(grp, "group_name", &name) == WJ_OK && strcmp(name, p->cfg->push_tag_group) == 0)
			return grp;
	}
	return NULL;
}

/* The id of the tag named name in grp (a tag_group object), or NULL. */
static const char *tag_in(struct json_object *grp, const char *name)
{
	struct json_object *tags = NULL;
	const char *n, *id;

	wj_array(grp, "tag", &tags);
	for (size_t t = 0; tags && t < json_object_array_length(tags); t++) {
		struct json_object *tag = json_object_array_get_idx(tags, t);

		if (wj_text(tag, "name", &n) == WJ_OK && strcmp(n, name) == 0 &&
		    wj_text(tag, "id", &id) == WJ_OK && *id)
			return id;
	}
	return NULL;
}

/* Find the audience's tag in the group, or add it (into the group, created when missing). */
static int find_or_add_tag(struct push *p, struct audience *a)
{
	static const int refused[] = { 40068, 40071, 40072, 40058, 40126, 0 };
	struct json_object *grp = tag_group(p), *body, *tags, *tag, *ans = NULL, *made = NULL, *list = NULL;
	const char *id = grp ? tag_in(grp, a->tag_name) : NULL, *gid;
	int rc;

	if (id) {
		snprintf(a->tag_id, sizeof(a->tag_id), "%s", id);
		a->how = "found";
	} else {
		body = json_object_new_object();
		tags = json_object_new_array();
		tag = json_object_new_object();
		if (grp && wj_text(grp, "group_id", &gid) == WJ_OK)
			json_object_object_add(body, "group_id", json_object_new_string(gid));
		else
			json_object_object_add(body, "group_name", json_object_new_string(p->cfg->push_tag_group));
		json_object_object_add(tag, "name", json_object_new_string(a->tag_name));
		json_object_array_add(tags, tag);
		json_object_object_add(body, "tag", tags);
		rc = call(p, a->name, ADD_TAG, body, refused, "the audience's tag", &ans);
		if (rc < 0)
			return -1;
		if (p->o->dry_run) {
			a->how = "to be created";
			return 0;
		}
		if (rc > 0) {
			json_object_put(ans);
			return failf(p, "audience %s: add_corp_tag refused the tag '%s' in group '%s': errcode %d "
					"(see etl.push_log)", a->name, a->tag_name, p->cfg->push_tag_group, rc);
		}
		wj_object(ans, "tag_group", &made);
		wj_array(made, "tag", &list);
		if (!list || !json_object_array_length(list) ||
		    wj_text(json_object_array_get_idx(list, 0), "id", &id) != WJ_OK || !*id) {
			json_object_put(ans);
			return failf(p, "audience %s: add_corp_tag answered without the new tag's id", a->name);
		}
		snprintf(a->tag_id, sizeof(a->tag_id), "%s", id);
		a->how = "created";
		json_object_put(ans);
	}
	if (p->o->dry_run)
		return 0;
	if (push_store_tag(p->conn, a->name, p->cfg->push_tag_group, a->tag_name, a->tag_id,
			   strcmp(a->how, "created") == 0, p->id) < 0 ||
	    push_store_forget_other_tags(p->conn, a->name, a->tag_id) < 0)
		return db_failed(p);
	return 0;
}

/* mark_tag op (add_tag / remove_tag) on one relationship: 0 done, 1 gone, -1 failed. */
static int mark(struct push *p, struct audience *a, const char *userid, const char *ext, const char *op)
{
	static const int accept[] = { 84061, 40096, 60111, 40068, 41017, 40058, 0 };
	struct json_object *ans = NULL;
	char where[256];
	int rc;

	snprintf(where, sizeof(where), "audience %s, %s %s", a->name, userid, ext);
	rc = call(p, a->name, MARK_TAG, mark_body(userid, ext, op, a->tag_id), accept, where, &ans);
	json_object_put(ans);
	if (rc > 0 && !in(gone, rc))
		return failf(p, "audience %s: mark_tag %s %s: errcode %d (see etl.push_log)", a->name,
			     userid, ext, rc);
	return rc > 0 ? 1 : rc;
}

static int tag_members(struct push *p, struct audience *a)
{
	PGresult *res = push_store_to_tag(p->conn, a->name, a->tag_id);
	int n, rc = 0;

	if (!res)
		return db_failed(p);
	n = PQntuples(res);
	a->would_tag = n;
	for (int r = 0; r < n && rc == 0; r++) {
		const char *userid = PQgetvalue(res, r, 0), *ext = PQgetvalue(res, r, 1);

		rc = mark(p, a, userid, ext, "add_tag");
		if (p->o->dry_run)
			continue;
		if (rc == 1) {
			a->c.skipped++;
			rc = 0;
		} else if (rc == 0) {
			if (push_store_tagged(p->conn, a->name, userid, ext, a->tag_id,
					      PQgetisnull(res, r, 2) ? NULL : PQgetvalue(res, r, 2), p->id) < 0)
				rc = db_failed(p);
			a->c.tagged += rc == 0;
		}
	}
	PQclear(res);
	return rc;
}

static int untag_leavers(struct push *p, struct audience *a)
{
	PGresult *res = push_store_to_untag(p->conn, a->name, a->tag_id);
	int n, rc = 0;

	if (!res)
		return db_failed(p);
	n = PQntuples(res);
	a->would_untag = n;
	for (int r = 0; r < n && rc == 0; r++) {
		const char *userid = PQgetvalue(res, r, 0), *ext = PQgetvalue(res, r, 1);

		rc = mark(p, a, userid, ext, "remove_tag");
		if (rc >= 0 && !p->o->dry_run) { /* gone: so is its tag */
			if (push_store_untagged(p->conn, a->name, userid, ext) < 0)
				return PQclear(res), db_failed(p);
			a->c.untagged += rc == 0;
			a->c.skipped += rc == 1;
			rc = 0;
		}
	}
	PQclear(res);
	return rc;
}

/* Add ext to the text[] literal lit ({"a","b"}; ids hold no quotes, escaped anyway). */
static int lit_add(struct buf *lit, const char *ext)
{
	if (buf_adds(lit, lit->len > 1 ? ",\"" : "\"") < 0)
		return -1;
	for (; *ext; ext++)
		if ((strchr("\"\\", *ext) && buf_addch(lit, '\\') < 0) || buf_addch(lit, *ext) < 0)
			return -1;
	return buf_addch(lit, '"');
}

/* One group-message task for userid's members rows [from, to) of res. */
static int task(struct push *p, struct audience *a, PGresult *res, int from, int to)
{
	static const int accept[] = { 41048, 60111, 40058, 0 };
	const char *userid = PQgetvalue(res, from, 0);
	struct json_object *b = json_object_new_object(), *ext = json_object_new_array(),
			   *text = json_object_new_object(), *ans = NULL;
	struct buf lit = BUF_INIT;
	char where[256];
	int rc;

	for (int r = from; r < to; r++)
		json_object_array_add(ext, json_object_new_string(PQgetvalue(res, r, 1)));
	json_object_object_add(b, "chat_type", json_object_new_string("single"));
	json_object_object_add(b, "external_userid", ext);
	json_object_object_add(b, "sender", json_object_new_string(userid));
	json_object_object_add(text, "content", json_object_new_string(a->message));
	json_object_object_add(b, "text", text);
	snprintf(where, sizeof(where), "audience %s, %d customers of %s", a->name, to - from, userid);
	rc = call(p, a->name, ADD_TASK, b, accept, where, &ans);
	json_object_put(ans);
	if (rc < 0 || p->o->dry_run)
		return rc;
	if (rc != 0 && rc != 41048)
		return failf(p, "audience %s: add_msg_template for %s: errcode %d (see etl.push_log)",
			     a->name, userid, rc);
	/* in a task (or none could receive it, 41048): not messaged again; fail_list is in the log */
	rc = buf_addch(&lit, '{');
	for (int r = from; r < to && rc == 0; r++)
		rc = lit_add(&lit, PQgetvalue(res, r, 1));
	if (rc < 0 || buf_addch(&lit, '}') < 0)
		rc = failf(p, "out of memory");
	else if (push_store_messaged(p->conn, a->name, userid, buf_str(&lit), p->id) < 0)
		rc = db_failed(p);
	buf_release(&lit);
	return rc;
}

static int message_members(struct push *p, struct audience *a)
{
	PGresult *res = push_store_unmessaged(p->conn, a->name, a->tag_id);
	int n, from = 0, rc = 0;

	if (!res)
		return db_failed(p);
	n = PQntuples(res);
	for (int r = 1; r <= n && rc == 0; r++) {
		if (r < n && strcmp(PQgetvalue(res, r, 0), PQgetvalue(res, from, 0)) == 0)
			continue;
		a->would_tasks++;
		rc = task(p, a, res, from, r);
		a->c.tasks += rc == 0 && !p->o->dry_run;
		from = r;
	}
	PQclear(res);
	return rc;
}

static void report(const struct push *p, const struct audience *a)
{
	FILE *f = p->o->report;

	if (!f)
		return;
	fprintf(f, "audience %s: tag %s/%s (%s%s%s): ", a->name, p->cfg->push_tag_group, a->tag_name,
		a->how, a->tag_id[0] ? " " : "", a->tag_id);
	if (p->o->dry_run)
		fprintf(f, "would tag %d, untag %d%s", a->would_tag, a->would_untag,
			a->message ? "; message tasks for the newly tagged" : "");
	else
		fprintf(f, "%d tagged, %d untagged, %d skipped (relationship gone), %d message tasks",
			a->c.tagged, a->c.untagged, a->c.skipped, a->c.tasks);
	fputc('\n', f);
}

static int push_audience(struct push *p, struct audience *a, struct push_counts *total)
{
	int rc = find_or_add_tag(p, a);

	if (rc == 0)
		rc = tag_members(p, a);
	if (rc == 0)
		rc = untag_leavers(p, a);
	if (rc == 0 && a->message && !p->o->dry_run)
		rc = message_members(p, a);
	total->tagged += a->c.tagged;
	total->untagged += a->c.untagged;
	total->skipped += a->c.skipped;
	total->tasks += a->c.tasks;
	if (rc == 0)
		report(p, a);
	log_info("msg=\"audience pushed\" push_id=%lld audience=%s tag_id=%s status=%s tagged=%d "
		 "untagged=%d skipped=%d tasks=%d", p->id, a->name, a->tag_id[0] ? a->tag_id : "-",
		 rc == 0 ? "ok" : "failed", a->c.tagged, a->c.untagged, a->c.skipped, a->c.tasks);
	return rc;
}

/* Two audiences with one tag would untag each other's members. */
static int check_distinct_tags(struct push *p, PGresult *auds)
{
	for (int i = 0; i < PQntuples(auds); i++)
		for (int j = 0; j < i; j++)
			if (strcmp(PQgetvalue(auds, i, 1), PQgetvalue(auds, j, 1)) == 0)
				return failf(p, "audiences %s and %s have the same push_tag '%s': give each its own tag",
					     PQgetvalue(auds, j, 0), PQgetvalue(auds, i, 0), PQgetvalue(auds, i, 1));
	return 0;
}

static int push_all(struct push *p, PGresult *auds, struct push_counts *c)
{
	int rc = call(p, NULL, LIST_TAGS, json_object_new_object(), NULL, "the corporate tag list", &p->tags);

	for (int i = 0; i < PQntuples(auds) && rc == 0; i++) {
		struct audience a = {
			.name = PQgetvalue(auds, i, 0),
			.tag_name = PQgetvalue(auds, i, 1),
			.message = PQgetisnull(auds, i, 2) ? NULL : PQgetvalue(auds, i, 2),
		};

		rc = push_audience(p, &a, c);
	}
	return rc;
}

/* The HTTP client of the source's settings (source_http_client). NULL with err. */
static struct http_client *push_http(PGconn *conn, const struct config *cfg,
				     const struct config_source *src, char *err, size_t errlen)
{
	const struct source_ctx ctx = { .conn = conn, .cfg = cfg, .src = src };
	struct failure f;
	struct http_client *http;

	memset(&f, 0, sizeof(f));
	http = source_http_client(&ctx, &f);

	if (!http)
		failure_text(&f, err, errlen);
	return http;
}

int push_run(PGconn *conn, const struct config *cfg, const struct config_source *src,
	     const struct push_opts *o, long long *push_id, struct push_counts *c, char *err,
	     size_t errlen)
{
	struct push p = { .conn = conn, .cfg = cfg, .o = o, .err = err, .errlen = errlen };
	struct http_client *http = NULL;
	struct failure f;
	PGresult *auds = push_store_audiences(conn, o->audience);
	int rc = -1;

	*push_id = 0;
	memset(c, 0, sizeof(*c));
	if (!auds)
		return db_failed(&p);
	if (o->audience && PQntuples(auds) == 0) {
		failf(&p, "no audience '%s' with a push_tag in the warehouse (push_tag = ... in its "
			  "[audience.%s] section; siyu migrate or siyu run writes it)", o->audience, o->audience);
		goto out;
	}
	if (check_distinct_tags(&p, auds) < 0)
		goto out;
	if (push_store_begin(conn, o->dry_run, src->name, &p.id) < 0) {
		db_failed(&p);
		goto out;
	}
	*push_id = p.id;
	memset(&f, 0, sizeof(f));
	if (!(http = push_http(conn, cfg, src, err, errlen)))
		goto finish;
	if (wecom_api_init(&p.api, http, NULL, src->name, config_source_get(src, "base_url"),
			   config_source_get(src, "corpid"), config_source_get(src, "secret"),
			   src->retries, &f) < 0) {
		failure_text(&f, err, errlen);
		goto finish;
	}
	rc = push_all(&p, auds, c);
finish:
	if (push_store_finish(conn, p.id, c, rc == 0 ? NULL : err) < 0 && rc == 0)
		rc = db_failed(&p);
out:
	json_object_put(p.tags);
	wecom_api_release(&p.api);
	http_client_free(http);
	PQclear(auds);
	return rc;
}

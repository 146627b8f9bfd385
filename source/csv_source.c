/*
 * csv_source.c — the csv driver: order export files, one transaction per file (per
 * Taobao pair) (see include/siyu/source/csv_source.h and include/siyu/source/source.h).
 *
 *   plan    the files matching `path` (glob, name order), or the files siyu import
 *           was given, grouped into inputs (order_import_plan: a two-file export's
 *           order file with its lines file); in a replay, the copies in the run's
 *           raw zone, as its manifest lists them
 *   stage   copy each file into the raw zone (gzip, fsync'd, listed in the manifest
 *           with how it is read) and read the copies: order_import.c
 *   merge   the order sink's merge; the watermark `orders` is the newest version
 *           the input held
 */
#include "siyu/source/csv_source.h"

#include "siyu/common/debug.h"
#include "siyu/common/json_get.h"
#include "siyu/common/log.h"
#include "siyu/extract/csv_file.h"
#include "siyu/extract/rawzone.h"
#include "siyu/load/db.h"
#include "siyu/load/order_sink.h"
#include "siyu/source/order_import.h"
#include "siyu/transform/order_profile.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* One input: a file, or the two files of a two-file export. */
struct csv_input {
	char *path;                    /* the (lines) file */
	char *orders_path;             /* a two-file export's order file, or NULL */
	char profile[32];              /* the profile that reads it ("auto" resolved) */
	char as_of[48];                /* an export's time as the run knew it, or "" */
};

struct csv_state {
	const struct source_ctx *ctx;
	const char *profile, *encoding, *shop, *as_of;
	enum csv_encoding enc;
	struct csv_input *in;          /* the plan's inputs (unit.first indexes them) */
	size_t nin;
	struct rawzone raw;            /* opened at the first copy */
	struct order_sink sink;        /* the current unit's */
	char copy[RAWZONE_PATH_MAX + 300], orders_copy[RAWZONE_PATH_MAX + 300];
};

static int csv_open(const struct source_ctx *ctx, void **state, struct failure *f)
{
	const char *profile = config_source_get(ctx->src, "profile");
	const char *encoding = config_source_get(ctx->src, "encoding");
	struct csv_state *s = calloc(1, sizeof(*s));

	*state = s;
	if (!s)
		return failure_set(f, NULL, "out of memory");
	s->ctx = ctx;
	s->profile = profile ? profile : "generic";
	s->encoding = encoding ? encoding : "auto";
	/* siyu import's (csv_import_export) */
	s->shop = config_source_get(ctx->src, "shop_id");
	s->as_of = config_source_get(ctx->src, "as_of");
	s->raw.manifest_fd = -1;
	if (csv_encoding_parse(s->encoding, &s->enc) < 0)
		return failure_set(f, NULL, "unknown encoding '%s' (auto, utf-8, gbk)", s->encoding);
	if (strcasecmp(s->profile, "auto") != 0 && !order_profile_find(s->profile))
		return failure_set(f, NULL, "unknown profile '%s' (profiles: %s, or auto)",
				   s->profile, order_profile_names());
	return 0;
}

/* Add an input and its unit (labelled by its file). 0 / -1. */
static int add_input(struct csv_state *s, struct source_plan *plan, const char *path,
		     const char *orders_path, const char *profile, const char *as_of,
		     struct failure *f)
{
	struct source_unit u = { .path = (char *)path, .first = s->nin, .n = 1 };
	struct csv_input *v = realloc(s->in, (s->nin + 1) * sizeof(*v)), *in;

	if (!v)
		return failure_set(f, NULL, "out of memory");
	s->in = v;
	in = &s->in[s->nin];
	memset(in, 0, sizeof(*in));
	in->path = strdup(path);
	in->orders_path = orders_path ? strdup(orders_path) : NULL;
	snprintf(in->profile, sizeof(in->profile), "%s", profile);
	snprintf(in->as_of, sizeof(in->as_of), "%s", as_of ? as_of : "");
	s->nin++;
	snprintf(u.label, sizeof(u.label), "%s", path);
	if (!in->path || (orders_path && !in->orders_path) || source_plan_add(plan, &u) < 0)
		return failure_set(f, NULL, "out of memory");
	return 0;
}

/* files grouped into inputs the way siyu import groups them (the Taobao pairs). */
static int plan_files(struct csv_state *s, struct source_plan *plan, char *const *files,
		      size_t n, struct failure *f)
{
	struct import_unit *units = calloc(n ? n : 1, sizeof(*units));
	char err[4096];
	int nunits, rc = 0;

	if (!units)
		return failure_set(f, NULL, "out of memory");
	nunits = order_import_plan(s->profile, files, (int)n, s->enc, units, err, sizeof(err));
	if (nunits < 0)
		rc = failure_set(f, NULL, "%s", err);
	for (int i = 0; rc == 0 && i < nunits; i++)
		rc = add_input(s, plan, units[i].path, units[i].orders_path, units[i].profile,
			       s->as_of, f);
	free(units);
	return rc;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of a raw-zone directory without a manifest (older runs), in name order. */
static int list_copies(const char *dir, char ***out, size_t *n, struct failure *f)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char path[4096], **v;

	*out = NULL;
	*n = 0;
	if (!d)
		return failure_set(f, dir, "cannot read the raw zone directory: %s", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "manifest.jsonl") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!(v = realloc(*out, (*n + 1) * sizeof(*v))) || !(v[*n] = strdup(path))) {
			*out = v ? v : *out;
			closedir(d);
			return failure_set(f, dir, "out of memory");
		}
		*out = v;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), compare_names);
	return 0;
}

/*
 * A replayed run's inputs as its manifest lists its copies, in the order the run
 * loaded them: an order file ("role":"orders") goes with the lines file after it.
 * 1 read, 0 no manifest, -1 with f.
 */
static int plan_manifest(struct csv_state *s, struct source_plan *plan, struct failure *f)
{
	const char *dir = s->ctx->replay_dir;
	char path[4096], orders[4096] = "", *line = NULL;
	size_t cap = 0;
	int rc = 0;
	FILE *m;

	snprintf(path, sizeof(path), "%s/manifest.jsonl", dir);
	if (!(m = fopen(path, "r")))
		return errno == ENOENT ? 0 : failure_set(f, path, "cannot read: %s", strerror(errno));
	while (rc == 0 && getline(&line, &cap, m) > 0) {
		struct json_object *o = json_tokener_parse(line), *req = NULL;
		const char *file = "", *entity = "", *role = "", *profile = NULL, *as_of = NULL;
		char copy[4096];

		if (!o || wj_text(o, "entity", &entity) != WJ_OK || strcmp(entity, "file") != 0 ||
		    wj_text(o, "file", &file) != WJ_OK || !*file) {
			json_object_put(o);
			continue;
		}
		wj_object(o, "request", &req);
		wj_text(req, "role", &role);
		wj_text(req, "profile", &profile);
		wj_text(req, "as_of", &as_of);
		snprintf(copy, sizeof(copy), "%s/%s", dir, file);
		if (strcmp(role, "orders") == 0) {
			snprintf(orders, sizeof(orders), "%s", copy);
		} else {
			/* the run's profile as it resolved it ("auto" read the header) */
			rc = add_input(s, plan, copy, orders[0] ? orders : NULL,
				       profile && *profile ? profile : s->profile,
				       as_of && *as_of ? as_of : NULL, f);
			orders[0] = '\0';
		}
		json_object_put(o);
	}
	free(line);
	fclose(m);
	return rc < 0 ? -1 : 1;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int csv_plan(void *state, struct source_plan *plan, struct failure *f)
{
	struct csv_state *s = state;
	const struct source_ctx *ctx = s->ctx;
	const char *pattern = config_source_get(ctx->src, "path");
	char **names;
	size_t n;
	glob_t g;
	int rc;

	if (ctx->replay) {
		if ((rc = plan_manifest(s, plan, f)) != 0)
			return rc < 0 ? -1 : 0;
		if (list_copies(ctx->replay_dir, &names, &n, f) < 0)
			return -1;
		rc = plan_files(s, plan, names, n, f);
		free_names(names, n);
		return rc;
	}
	if (ctx->files)
		return plan_files(s, plan, (char *const *)ctx->files, ctx->nfiles, f);
	if (!pattern || !*pattern)
		return failure_set(f, NULL, "no path configured");
	rc = glob(pattern, GLOB_ERR, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		/* No new export today is not an error: nothing to load. */
		log_warn("msg=\"no file matches\" source=%s path=%s", ctx->src->name, pattern);
		return 0;
	}
	if (rc != 0)
		return failure_set(f, pattern, "cannot list the files of path");
	/* glob sorts: files load in name order, so dated exports load oldest first */
	rc = plan_files(s, plan, g.gl_pathv, g.gl_pathc, f);
	globfree(&g);
	return rc;
}

/* What the manifest says of a copy: where it came from and how it is read. */
static char *copy_request(const struct csv_state *s, const struct csv_input *in,
			  const char *input, const char *role)
{
	struct json_object *o = json_object_new_object();
	char *text;

	json_object_object_add(o, "command", json_object_new_string(s->ctx->command));
	json_object_object_add(o, "input", json_object_new_string(input));
	json_object_object_add(o, "role", json_object_new_string(role));
	json_object_object_add(o, "profile", json_object_new_string(in->profile));
	json_object_object_add(o, "encoding", json_object_new_string(s->encoding));
	json_object_object_add(o, "timezone", json_object_new_string(s->ctx->timezone));
	if (s->shop)
		json_object_object_add(o, "shop_id", json_object_new_string(s->shop));
	if (in->as_of[0])
		json_object_object_add(o, "as_of", json_object_new_string(in->as_of));
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

/* Keep input in the raw zone as copy: the unit loads from the copy, and so does a replay later. */
static int keep_copy(struct csv_state *s, const struct csv_input *in, const char *input,
		     const char *role, char *copy, size_t copylen, struct failure *f)
{
	const struct source_ctx *ctx = s->ctx;
	char err[1024], *request;
	int rc;

	if (!s->raw.dir[0] &&
	    rawzone_open(&s->raw, ctx->raw_dir, ctx->src->name, ctx->run_id, err, sizeof(err)) < 0)
		return failure_set(f, input, "%s", err);
	if (!(request = copy_request(s, in, input, role)))
		return failure_set(f, input, "out of memory");
	rc = rawzone_copy_file(&s->raw, input, request, copy, copylen, err, sizeof(err));
	free(request);
	return rc < 0 ? failure_set(f, input, "%s", err) : 0;
}

/*
 * The version of an export's rows: as the run or the import knew it, else the
 * export's time from its original file (its name, else its mtime). 0 / -1.
 */
static int export_version(const struct source_ctx *ctx, struct csv_input *in,
			  struct order_import_opts *o, struct failure *f)
{
	const char *how = ctx->replay ? "manifest" : "--as-of";
	char err[512];

	if (in->as_of[0]) {
		const char *why;

		if (ltime_parse(in->as_of, strlen(in->as_of), &o->as_of, &why) < 0)
			return failure_set(f, in->path, "as_of '%s': %s", in->as_of, why);
	} else if (order_import_file_time(in->orders_path ? in->orders_path : in->path, &o->as_of,
					  &how, err, sizeof(err)) < 0) {
		return failure_set(f, in->path, "%s", err);
	} else {
		ltime_format(&o->as_of, in->as_of, sizeof(in->as_of));
	}
	log_info("msg=\"export version\" file=%s as_of=\"%s\" from=\"%s\"", in->path, in->as_of,
		 how);
	o->has_as_of = 1;
	return 0;
}

static int csv_stage(void *state, struct source_tx *tx)
{
	struct csv_state *s = state;
	const struct source_ctx *ctx = s->ctx;
	struct csv_input *in = &s->in[tx->unit->first];
	const struct order_profile *p = order_profile_find(in->profile);
	struct order_import_opts o = {
		.path = in->path,
		.name = in->path,
		.orders_path = in->orders_path,
		.orders_name = in->orders_path,
		.profile = in->profile,
		.shop_id = s->shop,
		.encoding = s->enc,
		/* an export's times are its back office's, unless the source names a zone */
		.timezone = p && p->zone && !ctx->src->timezone ? p->zone : ctx->timezone,
		.pii_key = ctx->pii_key,
		.pii_key_len = ctx->pii_key_len,
	};

	if (p && p->export && export_version(ctx, in, &o, tx->fail) < 0)
		return -1;
	if (ctx->replay) {
		log_info("msg=\"replaying file\" source=%s raw_run=%lld file=%s", ctx->src->name,
			 ctx->raw_run_id, in->path);
		return order_import_stage(&o, &s->sink, tx);
	}
	/* the order file first: a replay pairs it with the lines file after it */
	if (in->orders_path && keep_copy(s, in, in->orders_path, "orders", s->orders_copy,
					 sizeof(s->orders_copy), tx->fail) < 0)
		return -1;
	if (keep_copy(s, in, in->path, "lines", s->copy, sizeof(s->copy), tx->fail) < 0)
		return -1;
	debug_point("extract");
	log_info("msg=\"loading file\" source=%s file=%s raw=%s", ctx->src->name, in->path, s->copy);
	o.path = s->copy;
	o.orders_path = in->orders_path ? s->orders_copy : NULL;
	/* a file given to siyu import is named as given; a source's, by its kept copy */
	if (!ctx->files) {
		o.name = o.path;
		o.orders_name = o.orders_path;
	}
	return order_import_stage(&o, &s->sink, tx);
}

static int csv_merge(void *state, struct source_tx *tx)
{
	struct csv_state *s = state;

	if (order_sink_merge(&s->sink) < 0)
		return db_fail(tx->fail, NULL, "merge into the warehouse failed");
	tx->watermark = order_sink_watermark(&s->sink);
	tx->entity = tx->watermark ? "orders" : NULL;
	return 0;
}

static void csv_unit_done(void *state)
{
	struct csv_state *s = state;

	order_sink_release(&s->sink);
	memset(&s->sink, 0, sizeof(s->sink));
}

static void csv_close(void *state, int failed)
{
	struct csv_state *s = state;

	(void)failed;
	if (rawzone_close(&s->raw) < 0)
		log_warn("msg=\"cannot sync the raw zone\" source=%s dir=%s error=%s",
			 s->ctx->src->name, s->raw.dir, strerror(errno));
	for (size_t i = 0; i < s->nin; i++) {
		free(s->in[i].path);
		free(s->in[i].orders_path);
	}
	free(s->in);
	free(s);
}

const struct source_driver csv_driver = {
	.type = "csv",
	.open = csv_open,
	.plan = csv_plan,
	.stage = csv_stage,
	.merge = csv_merge,
	.unit_done = csv_unit_done,
	.close = csv_close,
};

/* ---- siyu import: a csv source given on the command line ------------------------------ */

/* Add key = value to imp's section (value copied into buf). */
static void import_key(struct csv_import *imp, const char *key, char *buf, size_t n,
		       const char *value)
{
	if (!value || imp->src.nkv == sizeof(imp->kv) / sizeof(imp->kv[0]))
		return;
	snprintf(buf, n, "%s", value);
	imp->kv[imp->src.nkv++] = (struct config_kv){ .key = (char *)key, .value = buf };
}

void csv_import_source(struct csv_import *imp, const char *name, const char *profile,
		       const char *encoding, const char *timezone)
{
	memset(imp, 0, sizeof(*imp));
	snprintf(imp->name, sizeof(imp->name), "%s", name);
	imp->src.name = imp->name;
	imp->src.type = (char *)"csv";
	imp->src.enabled = 1;
	imp->src.max_reject_ratio = -1;
	imp->src.kv = imp->kv;
	import_key(imp, "profile", imp->profile, sizeof(imp->profile),
		   profile ? profile : "generic");
	import_key(imp, "encoding", imp->encoding, sizeof(imp->encoding),
		   encoding ? encoding : "auto");
	if (timezone) {
		snprintf(imp->timezone, sizeof(imp->timezone), "%s", timezone);
		imp->src.timezone = imp->timezone;
	}
}

void csv_import_export(struct csv_import *imp, const char *shop_id, const char *as_of)
{
	import_key(imp, "shop_id", imp->shop, sizeof(imp->shop), shop_id);
	import_key(imp, "as_of", imp->as_of, sizeof(imp->as_of), as_of);
}

int csv_import_read(const char *dir, const char *name, struct csv_import *imp)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	int found = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/manifest.jsonl", dir);
	if (!(in = fopen(path, "r")))
		return errno == ENOENT ? 0 : -1;
	while (!found && getline(&line, &cap, in) > 0) {
		struct json_object *o = json_tokener_parse(line), *req = NULL;
		const char *command = "", *encoding = NULL, *tz = NULL, *shop = NULL;

		if (o && wj_object(o, "request", &req) == WJ_OK &&
		    wj_text(req, "command", &command) == WJ_OK && strcmp(command, "import") == 0) {
			wj_text(req, "encoding", &encoding);
			wj_text(req, "timezone", &tz);
			wj_text(req, "shop_id", &shop);
			/* each file's profile and export time come from its own manifest line */
			csv_import_source(imp, name, "auto", encoding, tz);
			csv_import_export(imp, shop, NULL);
			found = 1;
		}
		json_object_put(o);
	}
	free(line);
	fclose(in);
	return found;
}

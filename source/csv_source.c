/*
 * csv_source.c — the csv driver: order export files, one transaction each (see
 * include/siyu/source/csv_source.h and include/siyu/source/source.h).
 *
 *   plan    the files matching `path` (glob, name order), or the files siyu
 *           import was given; in a replay, the copies in the run's raw zone
 *   stage   copy the file into the raw zone (gzip, fsync'd, listed in the
 *           manifest with how it is read) and read the copy: order_import.c
 *   merge   the order sink's merge; the watermark `orders` is the newest
 *           version the file held
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

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct csv_state {
	const struct source_ctx *ctx;
	const char *profile, *encoding;
	struct order_import_opts o;
	struct rawzone raw;            /* opened at the first copy */
	struct order_sink sink;        /* the current unit's */
	char copy[RAWZONE_PATH_MAX + 300];
};

static int csv_open(const struct source_ctx *ctx, void **state, struct failure *f)
{
	const char *profile = config_source_get(ctx->src, "profile");
	const char *encoding = config_source_get(ctx->src, "encoding");
	struct csv_state *s = calloc(1, sizeof(*s));

	*state = NULL;
	if (!s)
		return failure_set(f, NULL, "out of memory");
	s->ctx = ctx;
	s->profile = profile ? profile : "generic";
	s->encoding = encoding ? encoding : "auto";
	s->raw.manifest_fd = -1;
	*state = s;
	if (csv_encoding_parse(s->encoding, &s->o.encoding) < 0)
		return failure_set(f, NULL, "unknown encoding '%s' (auto, utf-8, gbk)", s->encoding);
	if (strcmp(s->profile, "generic") != 0)
		return failure_set(f, NULL, "profile '%s' is not implemented yet; only the generic "
				   "profile (docs/import-generic.md) loads in this version", s->profile);
	s->o.profile = s->profile;
	s->o.timezone = ctx->timezone;
	s->o.pii_key = ctx->pii_key;
	s->o.pii_key_len = ctx->pii_key_len;
	return 0;
}

static int add_file(struct source_plan *plan, const char *path, struct failure *f)
{
	struct source_unit u = { .path = (char *)path };

	snprintf(u.label, sizeof(u.label), "%s", path);
	if (source_plan_add(plan, &u) < 0)
		return failure_set(f, NULL, "out of memory");
	return 0;
}

static int compare_units(const void *a, const void *b)
{
	return strcmp(((const struct source_unit *)a)->path, ((const struct source_unit *)b)->path);
}

/*
 * The copies in a replayed run's raw zone, in name order (the run loaded its
 * inputs in name order, and the copies keep their names).
 */
static int plan_raw_zone(const char *dir, struct source_plan *plan, struct failure *f)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char path[4096];
	size_t first = plan->n;
	int rc = 0;

	if (!d)
		return failure_set(f, dir, "cannot read the raw zone directory: %s", strerror(errno));
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "manifest.jsonl") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = add_file(plan, path, f);
	}
	closedir(d);
	if (rc == 0 && plan->n - first > 1)
		qsort(plan->v + first, plan->n - first, sizeof(*plan->v), compare_units);
	return rc;
}

static int csv_plan(void *state, struct source_plan *plan, struct failure *f)
{
	struct csv_state *s = state;
	const struct source_ctx *ctx = s->ctx;
	const char *pattern = config_source_get(ctx->src, "path");
	glob_t g;
	int rc;

	if (ctx->replay)
		return plan_raw_zone(ctx->replay_dir, plan, f);
	if (ctx->files) {
		for (size_t i = 0; i < ctx->nfiles; i++)
			if (add_file(plan, ctx->files[i], f) < 0)
				return -1;
		return 0;
	}
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
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
		rc = add_file(plan, g.gl_pathv[i], f);
	globfree(&g);
	return rc;
}

/* What the manifest says of a copy: where it came from and how it is read. */
static char *copy_request(const struct csv_state *s, const char *input)
{
	struct json_object *o = json_object_new_object();
	char *text;

	json_object_object_add(o, "command", json_object_new_string(s->ctx->command));
	json_object_object_add(o, "input", json_object_new_string(input));
	json_object_object_add(o, "profile", json_object_new_string(s->profile));
	json_object_object_add(o, "encoding", json_object_new_string(s->encoding));
	json_object_object_add(o, "timezone", json_object_new_string(s->o.timezone));
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

/* Keep the file in the raw zone: the unit loads from the copy, and so does a replay later. */
static int keep_copy(struct csv_state *s, const char *input, struct failure *f)
{
	const struct source_ctx *ctx = s->ctx;
	char err[1024], *request;
	int rc;

	if (!s->raw.dir[0] &&
	    rawzone_open(&s->raw, ctx->raw_dir, ctx->src->name, ctx->run_id, err, sizeof(err)) < 0)
		return failure_set(f, input, "%s", err);
	if (!(request = copy_request(s, input)))
		return failure_set(f, input, "out of memory");
	rc = rawzone_copy_file(&s->raw, input, request, s->copy, sizeof(s->copy), err, sizeof(err));
	free(request);
	if (rc < 0)
		return failure_set(f, input, "%s", err);
	return 0;
}

static int csv_stage(void *state, struct source_tx *tx)
{
	struct csv_state *s = state;
	const struct source_ctx *ctx = s->ctx;
	const char *input = tx->unit->path;

	if (ctx->replay) {
		log_info("msg=\"replaying file\" source=%s raw_run=%lld file=%s", ctx->src->name,
			 ctx->raw_run_id, input);
	} else {
		if (keep_copy(s, input, tx->fail) < 0)
			return -1;
		debug_point("extract");
		log_info("msg=\"loading file\" source=%s file=%s raw=%s", ctx->src->name, input,
			 s->copy);
		input = s->copy;
	}
	s->o.path = input;
	/* a file given to siyu import is named as given; a source's, by its kept copy */
	s->o.name = ctx->files ? tx->unit->path : input;
	return order_import_stage(&s->o, &s->sink, tx);
}

static int csv_merge(void *state, struct source_tx *tx)
{
	struct csv_state *s = state;

	if (order_sink_merge(&s->sink) < 0)
		return db_fail(tx->fail, s->o.name, "merge into the warehouse failed");
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

void csv_import_source(struct csv_import *imp, const char *name, const char *profile,
		       const char *encoding, const char *timezone)
{
	memset(imp, 0, sizeof(*imp));
	snprintf(imp->name, sizeof(imp->name), "%s", name);
	snprintf(imp->profile, sizeof(imp->profile), "%s", profile ? profile : "generic");
	snprintf(imp->encoding, sizeof(imp->encoding), "%s", encoding ? encoding : "auto");
	imp->kv[0] = (struct config_kv){ .key = (char *)"profile", .value = imp->profile };
	imp->kv[1] = (struct config_kv){ .key = (char *)"encoding", .value = imp->encoding };
	imp->src.name = imp->name;
	imp->src.type = (char *)"csv";
	imp->src.enabled = 1;
	imp->src.max_reject_ratio = -1;
	imp->src.kv = imp->kv;
	imp->src.nkv = 2;
	if (timezone) {
		snprintf(imp->timezone, sizeof(imp->timezone), "%s", timezone);
		imp->src.timezone = imp->timezone;
	}
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
		const char *command = "", *profile = NULL, *encoding = NULL, *tz = NULL;

		if (o && wj_object(o, "request", &req) == WJ_OK &&
		    wj_text(req, "command", &command) == WJ_OK && strcmp(command, "import") == 0) {
			wj_text(req, "profile", &profile);
			wj_text(req, "encoding", &encoding);
			wj_text(req, "timezone", &tz);
			csv_import_source(imp, name, profile, encoding, tz);
			found = 1;
		}
		json_object_put(o);
	}
	free(line);
	fclose(in);
	return found;
}

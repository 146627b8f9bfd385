/*
 * source.c — the table of source types and the csv source (see include/siyu/source/source.h).
 */
#include "siyu/source/source.h"

#include "siyu/common/debug.h"
#include "siyu/common/log.h"
#include "siyu/extract/rawzone.h"
#include "siyu/source/order_import.h"
#include "siyu/source/wecom.h"
#include "siyu/source/youzan.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static const struct source_type source_types[] = {
	{ "csv", csv_source_run, csv_source_replay },
	{ "wecom", wecom_source_run, wecom_source_replay },
	/* The platform APIs come with their extractors. */
	{ "youzan", youzan_source_run, youzan_source_replay },
	{ "taobao", NULL, NULL },
	{ "jd", NULL, NULL },
	{ "pdd", NULL, NULL },
	{ "douyin", NULL, NULL },
	{ "channels", NULL, NULL },
};

const struct source_type *source_type_find(const char *type)
{
	for (size_t i = 0; i < sizeof(source_types) / sizeof(source_types[0]); i++)
		if (strcmp(source_types[i].type, type) == 0)
			return &source_types[i];
	return NULL;
}

/*
 * Keep an immutable gzip copy of the file in the raw zone and return its
 * path in out: the run loads from the copy, so `siyu replay` loads the very
 * same bytes later.
 */
static int copy_to_raw_zone(const struct source_ctx *ctx, const char *path, char *out, size_t n,
			    char *err, size_t errlen)
{
	char dir[4096];
	const char *base = strrchr(path, '/');
	gzFile in = NULL, gz = NULL;
	char chunk[65536];
	int fd, len, rc = -1;

	base = base ? base + 1 : path;
	snprintf(dir, sizeof(dir), "%s/%s/%lld", ctx->raw_dir, ctx->src->name, ctx->run_id);
	if (rawzone_make_dirs(dir) < 0) {
		snprintf(err, errlen, "cannot create raw zone directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	len = snprintf(out, n, "%.3000s/%.1000s%s", dir, base,
		       strlen(base) > 3 && strcmp(base + strlen(base) - 3, ".gz") == 0 ? "" : ".gz");
	if (len < 0 || (size_t)len >= n) {
		snprintf(err, errlen, "raw zone path too long for '%s'", path);
		return -1;
	}
	in = gzopen(path, "rb");
	/* never overwrite (two inputs with one name in a run, or a reused run id) */
	fd = rawzone_create(out, 0);
	gz = fd >= 0 ? gzdopen(fd, "wb6") : NULL;
	if (fd >= 0 && !gz)
		close(fd);
	if (!in || !gz) {
		snprintf(err, errlen, "cannot copy '%s' to the raw zone '%s': %s", path, out,
			 strerror(errno));
		goto out;
	}
	while ((len = gzread(in, chunk, sizeof(chunk))) > 0)
		if (gzwrite(gz, chunk, (unsigned)len) != len)
			break;
	if (len != 0) {
		snprintf(err, errlen, "cannot copy '%s' to the raw zone", path);
		goto out;
	}
	rc = 0;
out:
	if (in)
		gzclose(in);
	if (gz && gzclose(gz) != Z_OK && rc == 0) {
		snprintf(err, errlen, "cannot write the raw zone copy '%s'", out);
		rc = -1;
	}
	return rc;
}

/* Load one file (the raw-zone copy) in its own transaction; counts add to total. */
static int import_path(const struct source_ctx *ctx, const char *path, struct load_counts *total,
		       char *err, size_t errlen)
{
	const char *profile = config_source_get(ctx->src, "profile");
	const char *encoding = config_source_get(ctx->src, "encoding");
	struct order_import_opts o = {
		.run_id = ctx->run_id,
		.source = ctx->src->name,
		.path = path,
		.profile = profile ? profile : "generic",
		.timezone = ctx->timezone,
		.pii_key = ctx->pii_key,
		.pii_key_len = ctx->pii_key_len,
		.max_reject_ratio = ctx->max_reject_ratio,
		.dry_run = ctx->dry_run,
		.own_run_source = 0,
		.replace_equal = ctx->replay,
	};
	struct load_counts c;
	int rc;

	if (encoding && csv_encoding_parse(encoding, &o.encoding) < 0) {
		snprintf(err, errlen, "source %s: unknown encoding '%s' (auto, utf-8, gbk)",
			 ctx->src->name, encoding);
		return -1;
	}
	/* the export profiles need a version and a shop from outside: siyu import's options */
	if (strcmp(o.profile, "generic") != 0) {
		snprintf(err, errlen, "source %s: profile '%s' loads with siyu import (--profile "
			 "%s); a csv source reads the generic profile in this version",
			 ctx->src->name, o.profile, o.profile);
		return -1;
	}
	rc = order_import_file(ctx->conn, &o, &c, err, errlen);
	load_counts_add(total, &c);
	return rc;
}

static int import_one(const struct source_ctx *ctx, const char *path, struct load_counts *total,
		      char *err, size_t errlen)
{
	char raw[4096];

	if (copy_to_raw_zone(ctx, path, raw, sizeof(raw), err, errlen) < 0)
		return -1;
	debug_point("extract");
	log_info("msg=\"loading file\" source=%s file=%s raw=%s", ctx->src->name, path, raw);
	return import_path(ctx, raw, total, err, errlen);
}

int csv_source_run(const struct source_ctx *ctx, struct load_counts *counts, char *err,
		   size_t errlen)
{
	const char *pattern = config_source_get(ctx->src, "path");
	glob_t g;
	int rc = 0;

	memset(counts, 0, sizeof(*counts));
	if (!pattern || !*pattern) {
		snprintf(err, errlen, "source %s: no path configured", ctx->src->name);
		return -1;
	}
	rc = glob(pattern, GLOB_ERR, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		/* No new export today is not an error: nothing to load. */
		log_warn("msg=\"no file matches\" source=%s path=\"%s\"", ctx->src->name, pattern);
		return 0;
	}
	if (rc != 0) {
		snprintf(err, errlen, "source %s: cannot list '%s'", ctx->src->name, pattern);
		return -1;
	}
	/* glob sorts: files load in name order, so dated exports load oldest first */
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
		rc = import_one(ctx, g.gl_pathv[i], counts, err, errlen);
	globfree(&g);
	return rc;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The regular files of dir (not manifest.jsonl), sorted by name, as a
 * malloc'ed array of malloc'ed names in *out. 0 / -1 with err.
 */
static int list_files(const char *dir, char ***out, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, path[4096];
	size_t cap = 0;
	struct stat st;

	*n = 0;
	if (!d) {
		snprintf(err, errlen, "cannot read raw zone directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "manifest.jsonl") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			char **nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv)
				goto oom;
			v = nv;
		}
		if (!(v[*n] = strdup(e->d_name)))
			goto oom;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), compare_names);
	*out = v;
	return 0;
oom:
	closedir(d);
	free_names(v, *n);
	*n = 0;
	snprintf(err, errlen, "out of memory listing '%s'", dir);
	return -1;
}

int csv_source_replay(const struct source_ctx *ctx, const char *dir, long long raw_run_id,
		      struct load_counts *counts, char *err, size_t errlen)
{
	char **names = NULL, path[4096];
	size_t n = 0;
	int rc = 0;

	memset(counts, 0, sizeof(*counts));
	if (list_files(dir, &names, &n, err, errlen) < 0)
		return -1;
	if (n == 0)
		log_warn("msg=\"nothing to replay\" source=%s raw_run=%lld dir=%s", ctx->src->name,
			 raw_run_id, dir);
	/* The raw copies are named after their inputs, which run loaded in name order. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		log_info("msg=\"replaying file\" source=%s raw_run=%lld file=%s", ctx->src->name,
			 raw_run_id, path);
		rc = import_path(ctx, path, counts, err, errlen);
	}
	free_names(names, n);
	return rc;
}

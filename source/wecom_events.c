/*
 * wecom_events.c — the callback spool into the warehouse
 * (see include/siyu/source/wecom_events.h).
 *
 *   events-*.jsonl (whole lines past etl.wecom_spool_file's offset)
 *       ─▶ COPY tmp_wecom_spool(file, line_no, raw) ─▶ etl.wecom_events_load(run, source)
 *
 * The SQL does the parsing, dedupe and applying; this file only finds the new lines,
 * streams them, and moves the per-file offsets, all inside the caller's transaction.
 */
#include "siyu/source/wecom_events.h"

#include "siyu/common/buf.h"
#include "siyu/common/copytext.h"
#include "siyu/common/log.h"
#include "siyu/extract/wecom_callback.h"
#include "siyu/load/db.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define COPY_CHUNK (1 << 20)
#define MAX_LINE (4 << 20) /* longer is no spool line: kept truncated, rejected by the SQL */

/* How far one spool file was read before and after this run. */
struct spool_file {
	char name[32];
	long long bytes, lines;         /* already loaded (etl.wecom_spool_file) */
	long long new_bytes, new_lines; /* after this run */
};

struct load {
	const struct source_ctx *ctx;
	char dir[4096];
	struct spool_file *files;
	size_t nfiles;
	struct buf copy;
	int in_copy;
	char *err;
	size_t errlen;
};

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct spool_file *)a)->name, ((const struct spool_file *)b)->name);
}

/* The spool files of the directory, sorted by name (= by day). 0 or -1. */
static int list_files(struct load *l)
{
	DIR *d = opendir(l->dir);
	struct dirent *de;
	size_t cap = 0;

	if (!d) {
		if (errno == ENOENT) {
			log_debug("msg=\"no callback spool yet\" source=%s dir=\"%s\"",
				  l->ctx->src->name, l->dir);
			return 0;
		}
		snprintf(l->err, l->errlen, "cannot read the callback spool '%s': %s", l->dir,
			 strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!wecom_spool_is_name(de->d_name))
			continue;
		if (l->nfiles == cap) {
			struct spool_file *grown;

			cap = cap ? 2 * cap : 64;
			grown = realloc(l->files, cap * sizeof(*grown));
			if (!grown) {
				closedir(d);
				snprintf(l->err, l->errlen, "out of memory");
				return -1;
			}
			l->files = grown;
		}
		memset(&l->files[l->nfiles], 0, sizeof(l->files[0]));
		snprintf(l->files[l->nfiles].name, sizeof(l->files[0].name), "%.31s", de->d_name);
		l->nfiles++;
	}
	closedir(d);
	qsort(l->files, l->nfiles, sizeof(l->files[0]), cmp_file);
	return 0;
}

/* Fill bytes/lines from etl.wecom_spool_file. */
static int read_offsets(struct load *l)
{
	const char *params[] = { l->ctx->src->name };
	PGresult *res;

	res = db_query(l->ctx->conn,
		       "SELECT file, bytes_loaded, lines_loaded FROM etl.wecom_spool_file "
		       "WHERE source = $1",
		       1, params);
	if (!res) {
		snprintf(l->err, l->errlen, "cannot read etl.wecom_spool_file: %s", db_last_error());
		return -1;
	}
	for (int r = 0; r < PQntuples(res); r++) {
		for (size_t i = 0; i < l->nfiles; i++) {
			if (strcmp(l->files[i].name, PQgetvalue(res, r, 0)) != 0)
				continue;
			l->files[i].bytes = strtoll(PQgetvalue(res, r, 1), NULL, 10);
			l->files[i].lines = strtoll(PQgetvalue(res, r, 2), NULL, 10);
		}
	}
	PQclear(res);
	return 0;
}

static int flush_spool_copy(struct load *l, size_t threshold)
{
	if (l->copy.len < threshold)
		return 0;
	if (db_copy_put(l->ctx->conn, l->copy.data, l->copy.len) < 0)
		return -1;
	buf_reset(&l->copy);
	return 0;
}

/* One COPY row: file, line number, the line (not UTF-8 text: shown as \xNN escapes). */
static int copy_line(struct load *l, const char *file, long long line_no, const char *text,
		     size_t len)
{
	size_t bad;

	if (copytext_field(&l->copy, file, strlen(file)) < 0 ||
	    buf_addf(&l->copy, "\t%lld\t", line_no) < 0)
		return -1;
	if (wecom_utf8_check(text, len, &bad) == 0) {
		if (copytext_field(&l->copy, text, len) < 0)
			return -1;
	} else {
		struct buf esc = BUF_INIT;
		int rc = 0;

		for (size_t i = 0; i < len && i < 4096 && rc == 0; i++) {
			unsigned char ch = (unsigned char)text[i];

			rc = ch >= 0x20 && ch < 0x7f ? buf_addch(&esc, (char)ch)
						     : buf_addf(&esc, "\\x%02x", ch);
		}
		rc = rc || copytext_field(&l->copy, buf_str(&esc), esc.len);
		buf_release(&esc);
		if (rc)
			return -1;
	}
	return buf_addch(&l->copy, '\n') < 0 ? -1 : flush_spool_copy(l, COPY_CHUNK);
}

/* Stream the whole new lines of one file; a last line without '\n' waits. */
static int stream_file(struct load *l, struct spool_file *f)
{
	char path[4200];
	FILE *fp;
	struct stat st;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", l->dir, f->name);
	f->new_bytes = f->bytes;
	f->new_lines = f->lines;
	fp = fopen(path, "re");
	if (!fp || fstat(fileno(fp), &st) < 0) {
		snprintf(l->err, l->errlen, "cannot read spool file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size < f->bytes) {
		/* the raw zone is append-only: a shorter file was replaced; read it again
		 * (the keys keep the events from loading twice) */
		log_warn("msg=\"spool file shorter than already loaded; reading it again\" file=\"%s\" "
			 "size=%lld loaded=%lld", path, (long long)st.st_size, f->bytes);
		f->new_bytes = f->new_lines = f->bytes = f->lines = 0;
	}
	if (st.st_size == f->bytes) {
		rc = 0;
		goto out;
	}
	if (fseeko(fp, (off_t)f->bytes, SEEK_SET) < 0) {
		snprintf(l->err, l->errlen, "cannot seek in spool file '%s': %s", path,
			 strerror(errno));
		goto out;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		size_t n = (size_t)len;

		if (line[n - 1] != '\n')
			break; /* being written right now, or cut by a crash: next run */
		if (copy_line(l, f->name, f->new_lines + 1, line, n - 1 > MAX_LINE ? MAX_LINE : n - 1) < 0) {
			snprintf(l->err, l->errlen, "%s:%lld: COPY of the spool line failed: %s", path,
				 f->new_lines + 1, db_last_error());
			goto out;
		}
		f->new_bytes += len;
		f->new_lines++;
	}
	if (ferror(fp)) {
		snprintf(l->err, l->errlen, "cannot read spool file '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	if (fp)
		fclose(fp);
	return rc;
}

static int stream_spool(struct load *l, struct wecom_events_result *res)
{
	if (db_exec(l->ctx->conn,
		    "DROP TABLE IF EXISTS tmp_wecom_spool; "
		    "CREATE TEMP TABLE tmp_wecom_spool (file text, line_no bigint, raw text) "
		    "ON COMMIT DROP") < 0 ||
	    db_copy_begin(l->ctx->conn, "COPY tmp_wecom_spool (file, line_no, raw) FROM STDIN") < 0) {
		snprintf(l->err, l->errlen, "cannot stage the callback spool: %s", db_last_error());
		return -1;
	}
	l->in_copy = 1;
	for (size_t i = 0; i < l->nfiles; i++) {
		if (stream_file(l, &l->files[i]) < 0)
			return -1;
		if (l->files[i].new_lines > l->files[i].lines) {
			res->files++;
			res->lines += l->files[i].new_lines - l->files[i].lines;
		}
	}
	l->in_copy = 0;
	if (flush_spool_copy(l, 0) < 0) {
		db_copy_end(l->ctx->conn, "client failed");
		snprintf(l->err, l->errlen, "COPY of the callback spool failed: %s", db_last_error());
		return -1;
	}
	if (db_copy_end(l->ctx->conn, NULL) < 0) {
		snprintf(l->err, l->errlen, "COPY of the callback spool failed: %s", db_last_error());
		return -1;
	}
	return 0;
}

/* Record the new offsets of the files that moved. */
static int save_offsets(struct load *l)
{
	char run[32], bytes[32], lines[32];

	snprintf(run, sizeof(run), "%lld", l->ctx->run_id);
	for (size_t i = 0; i < l->nfiles; i++) {
		const struct spool_file *f = &l->files[i];
		const char *params[] = { l->ctx->src->name, f->name, bytes, lines, run };

		if (f->new_bytes == f->bytes && f->new_lines == f->lines)
			continue;
		snprintf(bytes, sizeof(bytes), "%lld", f->new_bytes);
		snprintf(lines, sizeof(lines), "%lld", f->new_lines);
		if (db_exec_params(l->ctx->conn,
				   "INSERT INTO etl.wecom_spool_file (source, file, bytes_loaded, "
				   "lines_loaded, run_id) VALUES ($1, $2, $3, $4, $5) "
				   "ON CONFLICT (source, file) DO UPDATE SET bytes_loaded = EXCLUDED.bytes_loaded, "
				   "lines_loaded = EXCLUDED.lines_loaded, run_id = EXCLUDED.run_id, "
				   "updated_at = now()",
				   5, params) < 0) {
			snprintf(l->err, l->errlen, "cannot record how far '%s' was read: %s", f->name,
				 db_last_error());
			return -1;
		}
	}
	return 0;
}

static int load_events(struct load *l, struct wecom_events_result *res)
{
	char run[32];
	const char *params[] = { run, l->ctx->src->name };
	PGresult *r;

	snprintf(run, sizeof(run), "%lld", l->ctx->run_id);
	r = db_query(l->ctx->conn,
		     "SELECT stored, duplicates, rejected, applied, ignored, orphaned, pending "
		     "FROM etl.wecom_events_load($1::bigint, $2)",
		     2, params);
	if (!r) {
		snprintf(l->err, l->errlen, "loading the callback events failed: %s", db_last_error());
		return -1;
	}
	res->stored = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	res->duplicates = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	res->rejected = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	res->applied = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
	res->ignored = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
	res->orphaned = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
	res->pending = strtoll(PQgetvalue(r, 0, 6), NULL, 10);
	PQclear(r);
	return 0;
}

int wecom_events_apply_ex(const struct source_ctx *ctx, struct load_counts *counts,
			  struct wecom_events_result *result, char *err, size_t errlen)
{
	struct load l = { 0 };
	struct wecom_events_result res = { 0 };
	int rc = -1;

	l.ctx = ctx;
	l.err = err;
	l.errlen = errlen;
	err[0] = '\0';
	buf_init(&l.copy, 4 * COPY_CHUNK + 2 * MAX_LINE);
	if (PQtransactionStatus(ctx->conn) != PQTRANS_INTRANS) {
		snprintf(err, errlen, "wecom_events_apply must run inside the source's transaction");
		goto out;
	}
	if (wecom_spool_dir(ctx->cfg, ctx->src, l.dir, sizeof(l.dir)) < 0) {
		snprintf(err, errlen, "source %s: spool directory name too long", ctx->src->name);
		goto out;
	}
	if (list_files(&l) < 0 || read_offsets(&l) < 0 || stream_spool(&l, &res) < 0 ||
	    save_offsets(&l) < 0 || load_events(&l, &res) < 0)
		goto out;
	rc = 0;
	log_info("msg=\"callback events loaded\" source=%s files=%ld lines=%lld stored=%lld "
		 "duplicates=%lld rejected=%lld applied=%lld ignored=%lld orphaned=%lld pending=%lld",
		 ctx->src->name, res.files, res.lines, res.stored, res.duplicates, res.rejected,
		 res.applied, res.ignored, res.orphaned, res.pending);
	counts->pages += res.files;
	counts->read += res.lines;
	counts->inserted += res.applied;
	counts->duplicates += res.duplicates;
	counts->rejected += res.rejected;
	counts->unchanged += res.ignored + res.orphaned;
	if (result)
		*result = res;
out:
	if (l.in_copy)
		db_copy_end(ctx->conn, "spool read failed");
	free(l.files);
	buf_release(&l.copy);
	return rc;
}

int wecom_events_apply(const struct source_ctx *ctx, struct load_counts *counts, char *err,
		       size_t errlen)
{
	return wecom_events_apply_ex(ctx, counts, NULL, err, errlen);
}

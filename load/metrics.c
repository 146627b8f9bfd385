/*
 * metrics.c — the run metrics as a Prometheus textfile (see metrics.h).
 *
 * Three queries give one row per label set (a command, a source, a source's
 * watermark entity); each metric is one value column of one of them. The
 * values are gauges: the last run's figures, timestamps in Unix seconds.
 */
#include "siyu/metrics.h"

#include "siyu/db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct metrics_query {
	const char *sql;
	int nlabels;         /* the first nlabels columns are the labels */
	const char *labels[2];
};

enum { Q_RUNS, Q_SOURCES, Q_WATERMARKS };

static const struct metrics_query queries[] = {
	[Q_RUNS] = {
		/* per command: the last run, and the end of the last successful one */
		"SELECT l.command, extract(epoch FROM s.finished_at), "
		"extract(epoch FROM l.finished_at - l.started_at), l.exit_code "
		"FROM (SELECT DISTINCT ON (command) command, started_at, finished_at, exit_code "
		"      FROM etl.run WHERE status <> 'running' ORDER BY command, run_id DESC) l "
		"LEFT JOIN (SELECT command, max(finished_at) AS finished_at FROM etl.run "
		"      WHERE status = 'succeeded' GROUP BY command) s USING (command) "
		"ORDER BY l.command",
		1, { "command" } },
	[Q_SOURCES] = {
		/* per source: its last finished run, and its last success */
		"SELECT l.source, extract(epoch FROM s.finished_at), "
		"(l.status = 'succeeded')::int, l.records_read, l.inserted, l.updated, l.unchanged, "
		"l.rejected "
		"FROM (SELECT DISTINCT ON (source) * FROM etl.run_source "
		"      WHERE status IN ('succeeded', 'failed') ORDER BY source, run_id DESC) l "
		"LEFT JOIN (SELECT source, max(finished_at) AS finished_at FROM etl.run_source "
		"      WHERE status = 'succeeded' GROUP BY source) s USING (source) "
		"ORDER BY l.source",
		1, { "source" } },
	[Q_WATERMARKS] = {
		"SELECT source, entity, extract(epoch FROM value), "
		"greatest(extract(epoch FROM now() - value), 0) "
		"FROM etl.watermark ORDER BY source, entity",
		2, { "source", "entity" } },
};

struct metric {
	const char *name;
	const char *help;
	int query;
	int column;
};

static const struct metric metrics[] = {
	{ "siyu_run_last_success_timestamp_seconds",
	  "When the last successful run of this command ended (Unix time).", Q_RUNS, 1 },
	{ "siyu_run_duration_seconds",
	  "How long the last finished run of this command took.", Q_RUNS, 2 },
	{ "siyu_run_last_exit_code",
	  "Exit code of the last finished run of this command (0 ok, 1 a source failed).",
	  Q_RUNS, 3 },
	{ "siyu_source_last_success_timestamp_seconds",
	  "When the source last loaded successfully (Unix time).", Q_SOURCES, 1 },
	{ "siyu_source_last_run_success",
	  "1 when the source's last run succeeded, 0 when it failed.", Q_SOURCES, 2 },
	{ "siyu_source_records_read",
	  "Records the source read in its last run.", Q_SOURCES, 3 },
	{ "siyu_source_records_inserted",
	  "Records new to the warehouse in the source's last run.", Q_SOURCES, 4 },
	{ "siyu_source_records_updated",
	  "Records replaced by a newer version in the source's last run.", Q_SOURCES, 5 },
	{ "siyu_source_records_unchanged",
	  "Records seen again unchanged in the source's last run.", Q_SOURCES, 6 },
	{ "siyu_source_records_rejected",
	  "Records rejected (kept in etl.reject) in the source's last run.", Q_SOURCES, 7 },
	{ "siyu_source_watermark_timestamp_seconds",
	  "How far the source is loaded, in source time (Unix time).", Q_WATERMARKS, 2 },
	{ "siyu_source_watermark_lag_seconds",
	  "Seconds between the watermark and the time this file was written.", Q_WATERMARKS, 3 },
};

#define NQUERIES (sizeof(queries) / sizeof(queries[0]))
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

/* A label value in the exposition format: backslash, quote and newline escaped. */
static void print_label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

static void print_metric(FILE *out, const struct metric *m, const PGresult *res,
			 const struct metrics_query *q)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", m->name, m->help, m->name);
	for (int r = 0; r < PQntuples(res); r++) {
		if (PQgetisnull(res, r, m->column))
			continue; /* never happened: no sample rather than a made-up one */
		fprintf(out, "%s{", m->name);
		for (int l = 0; l < q->nlabels; l++) {
			fprintf(out, "%s%s=\"", l ? "," : "", q->labels[l]);
			print_label_value(out, PQgetvalue(res, r, l));
			fputc('"', out);
		}
		fprintf(out, "} %s\n", PQgetvalue(res, r, m->column));
	}
}

int metrics_print(PGconn *conn, FILE *out, char *err, size_t errlen)
{
	PGresult *res[NQUERIES] = { 0 };
	int rc = 0;

	for (size_t i = 0; i < NQUERIES; i++) {
		res[i] = db_query(conn, queries[i].sql, 0, NULL);
		if (!res[i]) {
			snprintf(err, errlen, "metrics: %s", db_last_error());
			rc = -1;
			goto out;
		}
	}
	for (size_t i = 0; i < NMETRICS; i++)
		print_metric(out, &metrics[i], res[metrics[i].query], &queries[metrics[i].query]);
out:
	for (size_t i = 0; i < NQUERIES; i++)
		PQclear(res[i]);
	return rc;
}

int metrics_write(PGconn *conn, const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char tmp[4096];
	FILE *out = NULL;
	int fd, rc = -1;

	/* The temporary name has no .prom suffix: the collector ignores it. */
	if (slash)
		snprintf(tmp, sizeof(tmp), "%.*s/.siyu-metrics.XXXXXX", (int)(slash - path), path);
	else
		snprintf(tmp, sizeof(tmp), ".siyu-metrics.XXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write metrics file '%s': %s", path, strerror(errno));
		return -1;
	}
	out = fdopen(fd, "w");
	if (!out) {
		snprintf(err, errlen, "cannot write metrics file '%s': %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (metrics_print(conn, out, err, errlen) < 0)
		goto out;
	/* Readable by the node exporter's user; mkstemp made it 0600. */
	if (fchmod(fd, 0644) < 0 || fflush(out) != 0 || fsync(fd) < 0 || ferror(out)) {
		snprintf(err, errlen, "cannot write metrics file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fclose(out) != 0) {
		out = NULL;
		snprintf(err, errlen, "cannot write metrics file '%s': %s", path, strerror(errno));
		goto out;
	}
	out = NULL;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename '%s' to metrics file '%s': %s", tmp, path,
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (out)
		fclose(out);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/*
 * metrics.c — the run metrics as a Prometheus textfile (see metrics.h).
 *
 * Four queries give one row per label set (a command, a source, a source's
 * watermark entity, a kind of KPI); each metric is one value column of one of them. The
 * values are gauges: the last run's figures, timestamps in Unix seconds.
 */
#include "siyu/load/metrics.h"

#include "siyu/common/atomic_file.h"
#include "siyu/common/buf.h"
#include "siyu/load/db.h"

#include <stdio.h>

struct metrics_query {
	const char *sql;
	int nlabels;         /* the first nlabels columns are the labels */
	const char *labels[2];
};

enum { Q_RUNS, Q_SOURCES, Q_WATERMARKS, Q_OBSERVATION };

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
	[Q_OBSERVATION] = {
		/* per kind of KPI: the end of observation the KPI views are bounded by */
		"SELECT kind, extract(epoch FROM e), greatest(extract(epoch FROM now() - e), 0) "
		"FROM (SELECT kind, kpi.end_of_observation(kind) AS e "
		"      FROM (VALUES ('orders'), ('wecom')) k (kind)) o ORDER BY kind",
		1, { "kind" } },
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
	{ "siyu_kpi_end_of_observation_timestamp_seconds",
	  "End of observation of this kind of KPI (kpi.end_of_observation, Unix time): "
	  "the KPIs count nothing after it.", Q_OBSERVATION, 1 },
	{ "siyu_kpi_end_of_observation_lag_seconds",
	  "Seconds between the end of observation and the time this file was written.",
	  Q_OBSERVATION, 2 },
};

#define NQUERIES (sizeof(queries) / sizeof(queries[0]))
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

/* A label value in the exposition format: backslash, quote and newline escaped. */
static int add_label_value(struct buf *out, const char *v)
{
	int rc = 0;

	for (; *v && !rc; v++) {
		if (*v == '\\' || *v == '"')
			rc = buf_addf(out, "\\%c", *v);
		else if (*v == '\n')
			rc = buf_adds(out, "\\n");
		else
			rc = buf_addch(out, *v);
	}
	return rc;
}

static int add_metric(struct buf *out, const struct metric *m, const PGresult *res,
		      const struct metrics_query *q)
{
	int rc = buf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", m->name, m->help, m->name);

	for (int r = 0; r < PQntuples(res) && !rc; r++) {
		if (PQgetisnull(res, r, m->column))
			continue; /* never happened: no sample rather than a made-up one */
		rc |= buf_addf(out, "%s{", m->name);
		for (int l = 0; l < q->nlabels; l++)
			rc |= buf_addf(out, "%s%s=\"", l ? "," : "", q->labels[l]) ||
			      add_label_value(out, PQgetvalue(res, r, l)) || buf_addch(out, '"');
		rc |= buf_addf(out, "} %s\n", PQgetvalue(res, r, m->column));
	}
	return rc;
}

int metrics_print(PGconn *conn, struct buf *out, char *err, size_t errlen)
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
	for (size_t i = 0; i < NMETRICS && rc == 0; i++) {
		if (add_metric(out, &metrics[i], res[metrics[i].query], &queries[metrics[i].query])) {
			snprintf(err, errlen, "metrics: out of memory");
			rc = -1;
		}
	}
out:
	for (size_t i = 0; i < NQUERIES; i++)
		PQclear(res[i]);
	return rc;
}

int metrics_write(PGconn *conn, const char *path, char *err, size_t errlen)
{
	struct buf text = BUF_INIT;
	char why[1024];
	int rc = -1;

	if (metrics_print(conn, &text, err, errlen) < 0)
		goto out;
	if (atomic_file_write(path, buf_str(&text), text.len, 0644, why, sizeof(why)) < 0) {
		/* 0644: the node exporter runs as another user */
		snprintf(err, errlen, "metrics file: %s", why);
		goto out;
	}
	rc = 0;
out:
	buf_release(&text);
	return rc;
}

/*
 * cmd_status.c — siyu status: recent runs, per-source counts, rejects by
 * reason and watermarks, as tables for people or as JSON for machines
 * (docs/json.md).
 *
 * Each section is one query; its column names are the JSON keys and the
 * table headings, so the two outputs cannot say different things.
 */
#include "cli.h"

#include "siyu/load/db.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schema version of --json; bump when a key changes meaning or goes away. */
#define STATUS_SCHEMA "siyu.status/1"

static void status_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu status [--runs N] [--json]\n"
		"\n"
		"Show the last N runs (default 5) with each source's counts and status,\n"
		"the rejects of those runs by reason, and each source's watermark.\n"
		"Times are in the business time zone ([run] timezone).\n"
		"\n"
		"  --runs N   how many runs, 1..1000 (default 5)\n"
		"  --json     the same content as one JSON object (docs/json.md)\n");
}

struct section {
	const char *title;   /* table heading */
	const char *key;     /* JSON key */
	const char *sql;     /* $1 (when it has one): the number of runs */
};

static const struct section sections[] = {
	{ "Runs", "runs",
	  "SELECT r.run_id, r.command, r.status, r.started_at, r.finished_at, "
	  "round(extract(epoch FROM r.finished_at - r.started_at)::numeric, 1) AS duration_seconds, "
	  "r.exit_code "
	  "FROM etl.run r ORDER BY r.run_id DESC LIMIT $1::int" },
	{ "Sources", "sources",
	  "SELECT s.run_id, s.source, s.status, s.records_read, s.inserted, s.updated, "
	  "s.unchanged, s.rejected, s.error "
	  "FROM etl.run_source s "
	  "WHERE s.run_id IN (SELECT run_id FROM etl.run ORDER BY run_id DESC LIMIT $1::int) "
	  "ORDER BY s.run_id DESC, s.source" },
	{ "Rejects by reason", "rejects",
	  "SELECT j.run_id, j.source, count(*) AS rejects, j.reason, "
	  "min(j.location) AS first_location "
	  "FROM (SELECT run_id, source, location, "
	  "      regexp_replace(reason, ' \"[^\"]*\"', '') AS reason FROM etl.reject "
	  "      WHERE run_id IN (SELECT run_id FROM etl.run ORDER BY run_id DESC LIMIT $1::int)) j "
	  "GROUP BY j.run_id, j.source, j.reason ORDER BY j.run_id DESC, rejects DESC, reason" },
	{ "Watermarks", "watermarks",
	  "SELECT source, entity, value, run_id FROM etl.watermark ORDER BY source, entity" },
};

/* Type OIDs (PostgreSQL's pg_type.dat; stable across versions). */
enum {
	BOOL_OID = 16, INT8_OID = 20, INT2_OID = 21, INT4_OID = 23, FLOAT4_OID = 700,
	FLOAT8_OID = 701, TIMESTAMPTZ_OID = 1184, NUMERIC_OID = 1700
};

/*
 * A timestamptz as the server prints it (DateStyle ISO: "2025-10-01
 * 03:30:00.25+08") for a table: without the fraction of a second.
 */
static void timestamp_for_table(const char *in, char *out, size_t n)
{
	const char *dot = strlen(in) > 19 && in[19] == '.' ? in + 19 : NULL;
	size_t end = dot ? strcspn(dot, "+-") : 0;

	if (!dot)
		snprintf(out, n, "%s", in);
	else
		snprintf(out, n, "%.19s%s", in, dot + end);
}

/*
 * The same as RFC 3339 ("2025-10-01T03:30:00.25+08:00"); an offset with
 * seconds (zones before 1900) is cut to minutes. "infinity" stays as it is.
 */
static void timestamp_rfc3339(const char *in, char *out, size_t n)
{
	size_t len = strlen(in), off;

	if (len < 22 || in[10] != ' ') {
		snprintf(out, n, "%s", in);
		return;
	}
	off = 19 + strcspn(in + 19, "+-");
	if (len - off == 3)       /* +08 */
		snprintf(out, n, "%.10sT%.*s:00", in, (int)(len - 11), in + 11);
	else                      /* +05:30 or +05:30:15 */
		snprintf(out, n, "%.10sT%.*s", in, (int)(off + 6 - 11), in + 11);
}

static json_object *cell_json(const PGresult *res, int r, int c)
{
	const char *v = PQgetvalue(res, r, c);
	char ts[64];

	if (PQgetisnull(res, r, c))
		return NULL; /* json null */
	switch (PQftype(res, c)) {
	case INT2_OID: case INT4_OID: case INT8_OID:
		return json_object_new_int64(strtoll(v, NULL, 10));
	case NUMERIC_OID: case FLOAT4_OID: case FLOAT8_OID:
		/* keep the server's digits: 3.2 stays 3.2, not 3.2000000000000002 */
		return json_object_new_double_s(strtod(v, NULL), v);
	case BOOL_OID:
		return json_object_new_boolean(v[0] == 't');
	case TIMESTAMPTZ_OID:
		timestamp_rfc3339(v, ts, sizeof(ts));
		return json_object_new_string(ts);
	default:
		return json_object_new_string(v);
	}
}

/* The rows of res as an array of objects keyed by column name. */
static json_object *result_json(const PGresult *res)
{
	json_object *rows = json_object_new_array();

	for (int r = 0; r < PQntuples(res); r++) {
		json_object *row = json_object_new_object();

		for (int c = 0; c < PQnfields(res); c++)
			json_object_object_add(row, PQfname(res, c), cell_json(res, r, c));
		json_object_array_add(rows, row);
	}
	return rows;
}

#define MAX_COLS 32
#define MAX_WIDTH 60

/* The text of one cell as the table shows it (NULL as ""). */
static const char *cell_text(const PGresult *res, int r, int c, char *buf, size_t n)
{
	if (PQgetisnull(res, r, c))
		return "";
	if (PQftype(res, c) == TIMESTAMPTZ_OID) {
		timestamp_for_table(PQgetvalue(res, r, c), buf, n);
		return buf;
	}
	return PQgetvalue(res, r, c);
}

static void print_table(const PGresult *res)
{
	int rows = PQntuples(res), cols = PQnfields(res) < MAX_COLS ? PQnfields(res) : MAX_COLS;
	int width[MAX_COLS] = { 0 };
	char buf[64];

	for (int c = 0; c < cols; c++) {
		width[c] = (int)strlen(PQfname(res, c));
		for (int r = 0; r < rows; r++) {
			int w = (int)strlen(cell_text(res, r, c, buf, sizeof(buf)));
			if (w > width[c])
				width[c] = w > MAX_WIDTH ? MAX_WIDTH : w;
		}
	}
	for (int c = 0; c < cols; c++)
		printf("  %-*s", width[c], PQfname(res, c));
	printf("\n");
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++)
			printf("  %-*.*s", width[c], width[c], cell_text(res, r, c, buf, sizeof(buf)));
		printf("\n");
	}
	if (rows == 0)
		printf("  (none)\n");
}

/* Run each section's query; print it as a table, or add it to json. 0 / -1. */
static int show_sections(PGconn *conn, const char *runs, json_object *json)
{
	const char *params[] = { runs };

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const struct section *s = &sections[i];
		int nparams = strstr(s->sql, "$1") ? 1 : 0;
		PGresult *res = db_query(conn, s->sql, nparams, nparams ? params : NULL);

		if (!res) {
			fprintf(stderr, "siyu status: %s: %s\n", s->key, db_last_error());
			return -1;
		}
		if (json) {
			json_object_object_add(json, s->key, result_json(res));
		} else {
			printf("%s\n", s->title);
			print_table(res);
			printf("\n");
		}
		PQclear(res);
	}
	return 0;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "runs", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *runs = "5";
	json_object *json = NULL;
	int opt, rc, as_json = 0;
	PGconn *conn;

	while ((opt = getopt_long(argc, argv, "c:vhr:", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': status_usage(stdout); return EXIT_OK;
		case 'r': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1000) {
				fprintf(stderr, "siyu status: --runs wants a number 1..1000\n");
				return EXIT_USAGE;
			}
			runs = optarg;
			break;
		}
		case 'j': as_json = 1; break;
		default: status_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "siyu status: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	conn = cli_connect_business_time(cli, "status");
	if (!conn)
		return EXIT_FAILED;
	if (as_json) {
		json = cli_json_document(STATUS_SCHEMA);
		json_object_object_add(json, "timezone", json_object_new_string(cli->cfg.timezone));
	}
	rc = show_sections(conn, runs, json) < 0 ? EXIT_FAILED : EXIT_OK;
	if (json && rc == EXIT_OK)
		cli_json_print(json);
	json_object_put(json);
	db_close(conn);
	return rc;
}

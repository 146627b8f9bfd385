/*
 * cmd_status.c — siyu status: recent runs, per-source counts, rejects by reason.
 */
#include "cli.h"

#include "siyu/load/db.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void status_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu status [--runs N]\n"
		"\n"
		"Show the last N runs (default 5) with each source's counts and status,\n"
		"the rejects of those runs by reason, and each source's watermark.\n");
}

static void print_result(PGresult *res)
{
	int rows = PQntuples(res), cols = PQnfields(res);
	int width[32] = { 0 };

	for (int c = 0; c < cols && c < 32; c++) {
		width[c] = (int)strlen(PQfname(res, c));
		for (int r = 0; r < rows; r++) {
			int w = PQgetlength(res, r, c);
			if (w > width[c])
				width[c] = w > 60 ? 60 : w;
		}
	}
	for (int c = 0; c < cols && c < 32; c++)
		printf("%s%-*s", c ? "  " : "  ", width[c], PQfname(res, c));
	printf("\n");
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols && c < 32; c++)
			printf("%s%-*.*s", c ? "  " : "  ", width[c], width[c], PQgetvalue(res, r, c));
		printf("\n");
	}
	if (rows == 0)
		printf("  (none)\n");
}

static int show(PGconn *conn, const char *title, const char *sql, const char *limit)
{
	const char *params[] = { limit };
	PGresult *res = db_query(conn, sql, limit ? 1 : 0, limit ? params : NULL);

	if (!res)
		return -1;
	printf("%s\n", title);
	print_result(res);
	printf("\n");
	PQclear(res);
	return 0;
}

static const char runs_sql[] =
	"SELECT r.run_id, r.command, r.status, "
	"to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SS') AS started, "
	"COALESCE(round(extract(epoch FROM r.finished_at - r.started_at)::numeric, 1)::text, '') "
	"AS seconds, COALESCE(r.exit_code::text, '') AS exit "
	"FROM etl.run r ORDER BY r.run_id DESC LIMIT $1::int";

static const char sources_sql[] =
	"SELECT s.run_id, s.source, s.status, s.records_read AS read, s.inserted, s.updated, "
	"s.unchanged, s.rejected, COALESCE(s.error, '') AS error "
	"FROM etl.run_source s "
	"WHERE s.run_id IN (SELECT run_id FROM etl.run ORDER BY run_id DESC LIMIT $1::int) "
	"ORDER BY s.run_id DESC, s.source";

static const char rejects_sql[] =
	"SELECT j.run_id, j.source, count(*) AS rejects, j.reason_kind AS reason, "
	"min(j.location) AS first_at "
	"FROM (SELECT run_id, source, location, "
	"      regexp_replace(reason, ' \"[^\"]*\"', '') AS reason_kind FROM etl.reject "
	"      WHERE run_id IN (SELECT run_id FROM etl.run ORDER BY run_id DESC LIMIT $1::int)) j "
	"GROUP BY j.run_id, j.source, j.reason_kind ORDER BY j.run_id DESC, rejects DESC, reason";

static const char watermarks_sql[] =
	"SELECT source, entity, to_char(value, 'YYYY-MM-DD HH24:MI:SSOF') AS watermark, run_id "
	"FROM etl.watermark ORDER BY source, entity";

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "runs", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *runs = "5";
	int opt, rc;
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
		default: status_usage(stderr); return EXIT_USAGE;
		}
	}
	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	conn = cli_connect(cli);
	if (!conn)
		return EXIT_FAILED;
	/* Show times in the business zone, the one the operators think in. */
	const char *tz[] = { cli->cfg.timezone };
	db_exec_params(conn, "SELECT set_config('TimeZone', $1, false)", 1, tz);
	rc = show(conn, "Runs", runs_sql, runs) || show(conn, "Sources", sources_sql, runs) ||
	     show(conn, "Rejects by reason", rejects_sql, runs) ||
	     show(conn, "Watermarks", watermarks_sql, NULL)
		     ? EXIT_FAILED : EXIT_OK;
	db_close(conn);
	return rc;
}

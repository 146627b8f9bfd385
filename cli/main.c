/*
 * main.c — the siyu command: global options and the subcommand table.
 */
#include "cli.h"

#include "siyu/common/log.h"
#include "siyu/load/db.h"
#include "siyu/load/metrics.h"
#include "siyu/load/runlog.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct command commands[] = {
	{ "migrate", cmd_migrate, "create or upgrade the warehouse schema" },
	{ "run", cmd_run, "the nightly job: every configured source, then the KPIs" },
	{ "replay", cmd_replay, "reload earlier runs from the raw zone, without calling any API" },
	{ "import", cmd_import, "load order files (CSV) into the warehouse" },
	{ "check", cmd_check, "data tests and source freshness of the warehouse" },
	{ "status", cmd_status, "show recent runs, per-source counts and rejects" },
	{ "report", cmd_report, "write the KPI dashboard as one offline HTML file" },
	{ "export", cmd_export, "write an action list (care, at-risk, an audience) as CSV or .xlsx" },
	{ "push", cmd_push, "write audiences back to WeCom as customer tags" },
	{ "wecom-callback", cmd_wecom_callback, "receive WeCom change events into the spool" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: siyu [--config FILE] [--verbose] COMMAND [ARGS]\n"
		"\n"
		"siyu loads a brand's orders and WeCom relationships into a PostgreSQL\n"
		"star schema with KPI views. Commands:\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-15s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -c, --config FILE  configuration (default $SIYU_CONFIG or ./pipeline.conf)\n"
		"  -v, --verbose      log debug detail to stderr\n"
		"  -h, --help         this help; 'siyu COMMAND --help' for a command's\n"
		"\n"
		"Exit codes: 0 ok, 1 a source or load failed, 2 usage or configuration\n"
		"error, 75 another run holds the warehouse lock.\n");
}

int cli_common_option(struct cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case 'c':
		cli->config_path = arg;
		cli->config_explicit = 1;
		return 1;
	case 'v':
		cli->verbose = 1;
		log_set_level(LOG_DEBUG);
		return 1;
	default:
		return 0;
	}
}

/* A conninfo whose password is written in the file is refused: 0, or -1 after a message. */
static int refuse_literal_password(const struct config *cfg)
{
	int literal;

	if (!cfg->conninfo_as_written)
		return 0;
	literal = db_conninfo_literal_password(cfg->conninfo_as_written);
	if (literal == 0)
		return 0;
	if (literal < 0)
		fprintf(stderr, "siyu: %s: out of memory\n", cfg->path);
	else
		fprintf(stderr, "siyu: %s:%d: 'conninfo' in [warehouse] holds a literal password: "
			"secret values must come from the environment (use ~/.pgpass, PGPASSWORD, "
			"or password=${VAR})\n", cfg->path, cfg->conninfo_line);
	return -1;
}

int cli_load_config(struct cli *cli)
{
	char err[1024];

	if (cli->config_loaded)
		return 0;
	if (!cli->config_explicit && access(cli->config_path, F_OK) != 0) {
		/* No configuration file: built-in defaults, libpq's PG* environment. */
		if (config_parse_buffer(&cli->cfg, "(defaults)", "", 0, err, sizeof(err)) < 0) {
			fprintf(stderr, "siyu: %s\n", err);
			return EXIT_USAGE;
		}
	} else if (config_load(&cli->cfg, cli->config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "siyu: %s\n", err);
		return EXIT_USAGE;
	}
	if (refuse_literal_password(&cli->cfg) < 0) {
		config_release(&cli->cfg);
		return EXIT_USAGE;
	}
	cli->config_loaded = 1;
	if (!cli->verbose)
		log_set_level((enum log_level)cli->cfg.log_level);
	return 0;
}

PGconn *cli_connect(struct cli *cli)
{
	char err[1024];
	PGconn *conn = db_connect(cli->cfg.conninfo, cli->cfg.application_name, err, sizeof(err));

	if (!conn)
		fprintf(stderr, "siyu: %s\n", err);
	return conn;
}

PGconn *cli_connect_business_time(struct cli *cli, const char *command)
{
	const char *tz[] = { cli->cfg.timezone };
	PGconn *conn = cli_connect(cli);

	if (conn && db_exec_params(conn, "SELECT set_config('TimeZone', $1, false), "
				   "set_config('DateStyle', 'ISO', false)", 1, tz) < 0) {
		fprintf(stderr, "siyu %s: %s\n", command, db_last_error());
		db_close(conn);
		return NULL;
	}
	return conn;
}

int cli_take_run_lock(PGconn *conn, const char *command)
{
	int rc = runlog_lock(conn);

	if (rc == 0) {
		fprintf(stderr, "siyu %s: another siyu run holds the warehouse lock; "
				"try again when it has finished\n", command);
		return EXIT_LOCKED;
	}
	if (rc < 0 || runlog_mark_abandoned(conn) < 0) {
		fprintf(stderr, "siyu %s: cannot take the warehouse lock: %s\n", command,
			db_last_error());
		return EXIT_FAILED;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int cli_recover_connection(PGconn *conn, const char *command)
{
	char err[512] = "";
	long delay = 500;

	if (PQstatus(conn) == CONNECTION_OK)
		return 0;
	log_warn("msg=\"lost the connection to the warehouse; reconnecting\" command=%s", command);
	/* 0.5 + 1 + 2 + 4 + 8 s: long enough for a server restart. */
	for (int attempt = 0; attempt < 6; attempt++, delay *= 2) {
		if (db_reconnect(conn, err, sizeof(err)) == 0)
			break;
		if (attempt < 5)
			sleep_ms(delay);
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "siyu %s: lost the connection to the warehouse: %s; stopping\n",
			command, err);
		return -1;
	}
	if (runlog_lock(conn) != 1) {
		fprintf(stderr, "siyu %s: reconnected, but another siyu run took the warehouse lock "
				"meanwhile; stopping\n", command);
		return -1;
	}
	log_info("msg=\"reconnected to the warehouse\" command=%s", command);
	return 0;
}

void cli_source_ctx(struct cli *cli, PGconn *conn, long long run_id,
		    const struct config_source *src, const char *command, struct source_ctx *ctx)
{
	const char *key = getenv("SIYU_PII_KEY");

	memset(ctx, 0, sizeof(*ctx));
	ctx->conn = conn;
	ctx->run_id = run_id;
	ctx->cfg = &cli->cfg;
	ctx->src = src;
	ctx->command = command;
	ctx->raw_dir = cli->cfg.raw_dir;
	ctx->timezone = src->timezone ? src->timezone : cli->cfg.timezone;
	ctx->max_reject_ratio = src->max_reject_ratio >= 0 ? src->max_reject_ratio
							   : cli->cfg.max_reject_ratio;
	if (key && strlen(key) >= PII_KEY_MIN) {
		ctx->pii_key = (const unsigned char *)key;
		ctx->pii_key_len = strlen(key);
	}
	ctx->reconnect = cli_recover_connection;
}

int cli_refresh_kpis(PGconn *conn)
{
	int has = db_object_exists(conn, "kpi.refresh()");

	if (has <= 0)
		return has;
	return db_exec(conn, "SELECT kpi.refresh()");
}

void cli_finish_run(struct cli *cli, PGconn *conn, const char *command, long long run_id,
		    int exit_code)
{
	const char *path = cli->cfg.metrics_file;
	char err[1024];

	runlog_finish(conn, run_id, exit_code);
	log_info("msg=\"%s finished\" run_id=%lld exit=%d", command, run_id, exit_code);
	if (!path || !*path)
		return;
	/* Monitoring must not fail the load it watches: a warning, the exit code stays. */
	if (metrics_write(conn, path, err, sizeof(err)) < 0)
		log_warn("msg=\"metrics file not written\" error=\"%s\"", err);
	else
		log_debug("msg=\"metrics file written\" path=%s", path);
}

const char *cli_sql_dir(const char *argv0, char *buf, size_t n)
{
	const char *env = getenv("SIYU_SQL");
	char exe[PATH_MAX];
	ssize_t len;

	(void)argv0;
	if (env && *env)
		return env;
	/* Before the scripts left the migrations, $SIYU_MIGRATIONS named sql/migrations. */
	env = getenv("SIYU_MIGRATIONS");
	if (env && *env) {
		const char *slash = strrchr(env, '/');

		snprintf(buf, n, "%.*s", slash ? (int)(slash - env) : 1, slash ? env : ".");
		return buf;
	}
	/*
	 * bin/siyu and build/<kind>/bin/siyu both sit below the checkout;
	 * an installed PREFIX/bin/siyu has PREFIX/share/siyu/sql (make install).
	 */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		for (int up = 0; up < 4; up++) {
			char *slash = strrchr(exe, '/');

			if (!slash)
				break;
			*slash = '\0';
			snprintf(buf, n, "%s/sql/migrations", exe);
			if (access(buf, F_OK) == 0) {
				snprintf(buf, n, "%s/sql", exe);
				return buf;
			}
			snprintf(buf, n, "%s/share/siyu/sql/migrations", exe);
			if (access(buf, F_OK) == 0) {
				snprintf(buf, n, "%s/share/siyu/sql", exe);
				return buf;
			}
		}
	}
	snprintf(buf, n, "sql");
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option options[] = { CLI_COMMON_LONG_OPTIONS, { NULL, 0, NULL, 0 } };
	struct cli cli = { 0 };
	const char *env = getenv("SIYU_CONFIG");
	int opt, rc;

	cli.argv0 = argv[0];
	cli.config_path = "pipeline.conf";
	if (env && *env) {
		cli.config_path = env;
		cli.config_explicit = 1;
	}
	while ((opt = getopt_long(argc, argv, "+c:vh", options, NULL)) != -1) {
		if (cli_common_option(&cli, opt, optarg))
			continue;
		if (opt == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		argc -= optind;
		argv += optind;
		optind = 1;
		rc = commands[i].run(&cli, argc, argv);
		config_release(&cli.cfg);
		return rc;
	}
	fprintf(stderr, "siyu: '%s' is not a siyu command; see 'siyu --help'\n", argv[optind]);
	return EXIT_USAGE;
}

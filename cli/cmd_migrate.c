/*
 * cmd_migrate.c — siyu migrate: create or upgrade the warehouse schema.
 */
#include "cli.h"

#include "siyu/load/actions.h"
#include "siyu/load/db.h"
#include "siyu/load/migrate.h"
#include "siyu/load/runlog.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>

static void migrate_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu migrate [--dry-run] [--dir DIR]\n"
		"\n"
		"Apply the schema migrations (sql/migrations/NNNN_*.sql) that the warehouse\n"
		"has not seen, in order, each in its own transaction, recorded in\n"
		"etl.schema_migration; then every function and view script (sql/functions,\n"
		"sql/views, sql/kpi) that is new or changed, recorded in etl.schema_script.\n"
		"A second run changes nothing. An applied migration whose file changed is an\n"
		"error; an edited script is simply applied again. Concurrent migrates wait\n"
		"for each other. Then writes [run] timezone, [actions] and the [audience.NAME]\n"
		"sections of the configuration into the warehouse (etl.setting, etl.audience).\n"
		"\n"
		"  --dry-run   list what would be applied, apply nothing\n"
		"  --dir DIR   the SQL directory holding migrations/ (default: sql/ of this\n"
		"              checkout, or $SIYU_SQL)\n");
}

int cmd_migrate(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "dry-run", no_argument, NULL, 'n' },
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	char dirbuf[PATH_MAX];
	const char *dir = NULL;
	struct migrate_result result;
	int dry_run = 0, opt, rc;
	PGconn *conn;

	while ((opt = getopt_long(argc, argv, "c:vhnd:", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': migrate_usage(stdout); return EXIT_OK;
		case 'n': dry_run = 1; break;
		case 'd': dir = optarg; break;
		default: migrate_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		migrate_usage(stderr);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	if (!dir)
		dir = cli_sql_dir(cli->argv0, dirbuf, sizeof(dirbuf));
	conn = cli_connect(cli);
	if (!conn)
		return EXIT_FAILED;
	rc = migrate_apply(conn, dir, dry_run, &result) < 0 ? EXIT_FAILED : EXIT_OK;
	if (rc == EXIT_OK && !dry_run && runlog_set_timezone(conn, cli->cfg.timezone) < 0)
		rc = EXIT_USAGE;
	if (rc == EXIT_OK && !dry_run && actions_config_sync(conn, &cli->cfg) < 0)
		rc = EXIT_FAILED;
	if (rc == EXIT_OK) {
		printf("migrations: %d %s, %d already applied\n", result.applied,
		       dry_run ? "pending" : "applied", result.skipped);
		printf("scripts: %d %s, %d unchanged\n", result.scripts_applied,
		       dry_run ? "pending" : "applied", result.scripts_unchanged);
	}
	db_close(conn);
	return rc;
}

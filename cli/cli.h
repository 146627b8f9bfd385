/*
 * cli.h — what the subcommands of the siyu command share.
 */
#ifndef SIYU_CLI_H
#define SIYU_CLI_H

#include "siyu/config.h"

#include <libpq-fe.h>

/* Exit codes (README "Exit codes"). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,  /* a source or the load failed */
	EXIT_USAGE = 2,   /* usage or configuration error */
	EXIT_LOCKED = 75, /* another run holds the warehouse lock (EX_TEMPFAIL) */
};

struct cli {
	const char *config_path;  /* --config, $SIYU_CONFIG or ./pipeline.conf */
	int config_explicit;      /* given by --config or $SIYU_CONFIG */
	int verbose;
	struct config cfg;
	int config_loaded;
	const char *argv0;
};

struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
};

/*
 * Load the configuration (once). A missing default ./pipeline.conf means
 * built-in defaults; a missing explicit one is an error. Returns 0 or
 * EXIT_USAGE (message printed).
 */
int cli_load_config(struct cli *cli);

/* Connect to the warehouse named by the configuration; NULL after a message. */
PGconn *cli_connect(struct cli *cli);

/*
 * Handle the options every subcommand accepts (--config, --verbose, --help).
 * Returns 1 when opt was one of them, 0 otherwise.
 */
int cli_common_option(struct cli *cli, int opt, const char *arg);

/* Where the migrations live: $SIYU_MIGRATIONS, beside the binary, or ./sql/migrations. */
const char *cli_migrations_dir(const char *argv0, char *buf, size_t n);

int cmd_migrate(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_wecom_callback(struct cli *cli, int argc, char **argv);

/* Long options every command shares; splice into each command's table. */
#define CLI_COMMON_LONG_OPTIONS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }

#endif /* SIYU_CLI_H */

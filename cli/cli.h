/*
 * cli.h — what the subcommands of the siyu command share.
 */
#ifndef SIYU_CLI_H
#define SIYU_CLI_H

#include "siyu/common/config.h"
#include "siyu/source/source.h"

#include <json-c/json.h>
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
 * cli_connect, then set the session's TimeZone to [run] timezone (times as the
 * operators think of them, dates of the business day) and DateStyle ISO.
 * NULL after a message naming command.
 */
PGconn *cli_connect_business_time(struct cli *cli, const char *command);

/*
 * Handle the options every subcommand accepts (--config, --verbose, --help).
 * Returns 1 when opt was one of them, 0 otherwise.
 */
int cli_common_option(struct cli *cli, int opt, const char *arg);

/*
 * Take the warehouse run lock for command ("run", "import", "replay": named
 * in the message), then mark runs that died while running as abandoned
 * (runlog_mark_abandoned). Returns 0, EXIT_LOCKED when another run holds the
 * lock (message printed; nothing changed), or EXIT_FAILED.
 */
int cli_take_run_lock(PGconn *conn, const char *command);

/*
 * After a failed step: when the connection broke (the server restarted),
 * reconnect with backoff for about 15 s and take the run lock again. Returns
 * 0 when the connection is usable (it was, or is again), -1 when it is lost
 * for good or another run took the lock meanwhile (message printed): stop.
 */
int cli_recover_connection(PGconn *conn, const char *command);

/* kpi.care_list's action in the team's words (siyu export care, siyu report). */
#define CARE_ACTION_SQL \
	"CASE action WHEN 'care' THEN '关怀' WHEN 're-add' THEN '重新添加好友' " \
	"WHEN 'invite' THEN '邀请添加企微' ELSE '无需' END"

/* The shortest $SIYU_PII_KEY siyu accepts. */
#define PII_KEY_MIN 16

/*
 * Fill *ctx for loading src under command ("run", "import", "replay"): the
 * source's zone and reject ratio, else [run]'s; $SIYU_PII_KEY when long
 * enough; reconnecting after a failure with cli_recover_connection. The rest
 * is zero: the command sets what it needs.
 */
void cli_source_ctx(struct cli *cli, PGconn *conn, long long run_id,
		    const struct config_source *src, const char *command, struct source_ctx *ctx);

/* Refresh the KPI materialized views, when the schema has kpi.refresh(). 0 / -1. */
int cli_refresh_kpis(PGconn *conn);

/*
 * The end of a run, import or replay: record exit_code in etl.run
 * (runlog_finish), log "COMMAND finished" and, when [run] metrics_file is
 * set, rewrite the metrics file (a failure to write it is a warning).
 */
void cli_finish_run(struct cli *cli, PGconn *conn, const char *command, long long run_id,
		    int exit_code);

/*
 * The SQL directory (migrations/ and the repeatable scripts): $SIYU_SQL, the parent of
 * $SIYU_MIGRATIONS, sql/ of the checkout the binary sits in, PREFIX/share/siyu/sql of an
 * installed binary (make install), or ./sql.
 */
const char *cli_sql_dir(const char *argv0, char *buf, size_t n);

/*
 * A new --json document: {"schema": schema, "generated_at": now in UTC}.
 * The caller adds its keys, prints it with cli_json_print and frees it
 * with json_object_put. schema names the format and its version
 * ("siyu.status/1"), documented in docs/json.md.
 */
json_object *cli_json_document(const char *schema);

/* Print doc to stdout, indented, UTF-8 as is, then a newline. */
void cli_json_print(json_object *doc);

int cmd_migrate(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_report(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_push(struct cli *cli, int argc, char **argv);
int cmd_replay(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_wecom_callback(struct cli *cli, int argc, char **argv);

/* Long options every command shares; splice into each command's table. */
#define CLI_COMMON_LONG_OPTIONS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }

#endif /* SIYU_CLI_H */

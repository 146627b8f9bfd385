/*
 * cmd_run.c — siyu run: the nightly job over every configured source.
 */
#include "cli.h"

#include "siyu/common/log.h"
#include "siyu/load/actions.h"
#include "siyu/load/db.h"
#include "siyu/source/replay.h"
#include "siyu/source/source.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_NAMED 64

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu run [--source NAME]... [--since TIME] [--until TIME] [--dry-run]\n"
		"\n"
		"The nightly job: for every enabled source of pipeline.conf (or those named),\n"
		"extract (raw zone first), transform, COPY into staging and merge into the\n"
		"warehouse, each source in its own transaction together with its watermark.\n"
		"A failed source rolls back and keeps its watermark; the others still load.\n"
		"At the end the KPI materialized views are refreshed.\n"
		"\n"
		"  --source NAME   run only this source (repeatable)\n"
		"  --since TIME    backfill from TIME instead of the watermark\n"
		"  --until TIME    stop at TIME instead of now - safety_lag\n"
		"  --dry-run       do everything, then roll each source back\n"
		"\n"
		"Exit: 0 every source loaded, 1 a source failed, 2 usage or configuration,\n"
		"75 another run holds the warehouse lock.\n");
}

struct run_args {
	const char *named[MAX_NAMED];
	int nnamed;
	const char *since, *until;
	int dry_run;
};

static int parse_run_args(struct cli *cli, int argc, char **argv, struct run_args *a)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "source", required_argument, NULL, 's' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:vhs:n", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': run_usage(stdout); return -1;
		case 's':
			if (a->nnamed == MAX_NAMED) {
				fprintf(stderr, "siyu run: too many --source options\n");
				return EXIT_USAGE;
			}
			a->named[a->nnamed++] = optarg;
			break;
		case 'S': a->since = optarg; break;
		case 'U': a->until = optarg; break;
		case 'n': a->dry_run = 1; break;
		default: run_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "siyu run: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

static int is_named(const struct run_args *a, const char *name)
{
	if (a->nnamed == 0)
		return 1;
	for (int i = 0; i < a->nnamed; i++)
		if (strcmp(a->named[i], name) == 0)
			return 1;
	return 0;
}

/* Every --source must name a configured source. */
static int check_named(const struct cli *cli, const struct run_args *a)
{
	for (int i = 0; i < a->nnamed; i++) {
		if (!config_source_find(&cli->cfg, a->named[i])) {
			fprintf(stderr, "siyu run: no source '%s' in %s\n", a->named[i],
				cli->cfg.path);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static double elapsed_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Run one source through its driver; returns 0 when it loaded, -1 when it
 * failed, -2 when the connection is lost for good (stop).
 */
static int run_source(struct cli *cli, PGconn *conn, long long run_id, const struct run_args *a,
		      const struct config_source *src)
{
	struct source_ctx ctx;
	struct load_counts c;
	struct failure f;
	struct timespec t0;
	int rc;

	cli_source_ctx(cli, conn, run_id, src, "run", &ctx);
	ctx.dry_run = a->dry_run;
	ctx.since = a->since;
	ctx.until = a->until;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = source_load(&ctx, &c, &f);
	printf("%-20s %-9s %6.1fs  read %lld, inserted %lld, updated %lld, unchanged %lld, "
	       "rejected %lld\n",
	       src->name, rc == 0 ? "ok" : "FAILED", elapsed_since(&t0), c.read, c.inserted,
	       c.updated, c.unchanged, c.rejected);
	log_info("msg=\"source finished\" run_id=%lld source=%s status=%s read=%lld inserted=%lld "
		 "updated=%lld unchanged=%lld rejected=%lld",
		 run_id, src->name, rc == 0 ? "succeeded" : "failed", c.read, c.inserted, c.updated,
		 c.unchanged, c.rejected);
	return rc;
}

static int run_all(struct cli *cli, PGconn *conn, long long run_id, const struct run_args *a)
{
	int failed = 0, ran = 0, rc;

	for (size_t i = 0; i < cli->cfg.nsources; i++) {
		const struct config_source *src = &cli->cfg.sources[i];

		if (!is_named(a, src->name) || (!src->enabled && a->nnamed == 0))
			continue;
		ran++;
		rc = run_source(cli, conn, run_id, a, src);
		if (rc == -2) {
			fprintf(stderr, "siyu run: the sources after %s did not run\n", src->name);
			return EXIT_FAILED;
		}
		if (rc < 0)
			failed++;
	}
	if (ran == 0)
		log_warn("msg=\"no enabled source configured\" config=%s", cli->cfg.path);
	if (!a->dry_run && cli_refresh_kpis(conn) < 0) {
		fprintf(stderr, "siyu run: refreshing the KPI views failed: %s\n", db_last_error());
		failed++;
	}
	return failed ? EXIT_FAILED : EXIT_OK;
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	struct run_args a = { 0 };
	long long run_id = 0;
	PGconn *conn;
	int rc;

	rc = parse_run_args(cli, argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(cli)) != 0 || (rc = check_named(cli, &a)) != 0)
		return rc;
	conn = cli_connect(cli);
	if (!conn)
		return EXIT_FAILED;
	if ((rc = cli_take_run_lock(conn, "run")) != 0) {
		db_close(conn);
		return rc;
	}
	/* A warehouse rebuilt from scratch must not reuse the raw zone's run ids. */
	if (runlog_set_timezone(conn, cli->cfg.timezone) < 0 ||
	    actions_config_sync(conn, &cli->cfg) < 0 ||
	    replay_reserve_run_ids(conn, cli->cfg.raw_dir) < 0 ||
	    runlog_begin(conn, "run", cli->cfg.path, &run_id) < 0) {
		db_close(conn);
		return EXIT_FAILED;
	}
	log_info("msg=\"run started\" run_id=%lld config=%s", run_id, cli->cfg.path);
	rc = run_all(cli, conn, run_id, &a);
	cli_finish_run(cli, conn, "run", run_id, rc);
	db_close(conn);
	return rc;
}

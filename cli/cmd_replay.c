/*
 * cmd_replay.c — siyu replay: reload earlier runs from the raw zone.
 */
#include "cli.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"
#include "siyu/load/db.h"
#include "siyu/source/replay.h"
#include "siyu/source/source.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_NAMED 64

static void replay_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu replay --run ID [--source NAME]... [--dry-run]\n"
		"       siyu replay --source NAME... --from DATE [--until DATE] [--dry-run]\n"
		"\n"
		"Reload earlier runs from the raw zone (<raw_dir>/<source>/<run_id>/) without\n"
		"calling any API: transform, COPY and merge again what those runs extracted,\n"
		"run by run in run order, each source's inputs in the order the run loaded\n"
		"them, with the transform and configuration of this version. An order whose\n"
		"version equals the warehouse's is replaced (so a replay after a transform\n"
		"fix repairs it); an older version still never replaces a newer one. A replay\n"
		"into an empty warehouse rebuilds what those runs loaded.\n"
		"\n"
		"  --run ID        replay this run: every configured source (or those named)\n"
		"                  that has a directory for it in the raw zone\n"
		"  --source NAME   only this source (repeatable; required with --from)\n"
		"  --from DATE     replay the runs that started at or after DATE (a date or a\n"
		"                  time; without an offset in [run] timezone)\n"
		"  --until DATE    ... and before DATE\n"
		"  --dry-run       do everything, then roll each file back\n"
		"\n"
		"A run's start is etl.run.started_at when this warehouse has the run, else its\n"
		"raw-zone directory's modification time. The replay is a run of its own\n"
		"(etl.run command 'replay'), takes the warehouse lock and refreshes the KPIs.\n"
		"Exit: 0 everything replayed, 1 a source failed or nothing to replay for --run,\n"
		"2 usage or configuration, 75 another run holds the warehouse lock.\n");
}

struct replay_args {
	const char *named[MAX_NAMED];
	int nnamed;
	long long run_id;
	const char *from, *until;
	int dry_run;
};

static int parse_run_id(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return *s && !*end && !errno && *out > 0 ? 0 : -1;
}

static int check_replay_args(const struct cli *cli, const struct replay_args *a)
{
	if (!a->run_id == !a->from) {
		fprintf(stderr, "siyu replay: give either --run ID or --source NAME --from DATE\n");
		return EXIT_USAGE;
	}
	if (a->from && a->nnamed == 0) {
		fprintf(stderr, "siyu replay: --from needs --source NAME\n");
		return EXIT_USAGE;
	}
	if (a->until && !a->from) {
		fprintf(stderr, "siyu replay: --until goes with --from\n");
		return EXIT_USAGE;
	}
	for (int i = 0; i < a->nnamed; i++) {
		if (!replay_source_known(&cli->cfg, a->named[i])) {
			fprintf(stderr, "siyu replay: no source '%s' in %s, and no import of that name "
					"in the raw zone %s\n", a->named[i], cli->cfg.path,
				cli->cfg.raw_dir);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static int parse_replay_args(struct cli *cli, int argc, char **argv, struct replay_args *a)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "run", required_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },
		{ "until", required_argument, NULL, 'U' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:vhr:s:n", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': replay_usage(stdout); return -1;
		case 'r':
			if (parse_run_id(optarg, &a->run_id) < 0) {
				fprintf(stderr, "siyu replay: --run wants a run id, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			if (a->nnamed == MAX_NAMED) {
				fprintf(stderr, "siyu replay: too many --source options\n");
				return EXIT_USAGE;
			}
			a->named[a->nnamed++] = optarg;
			break;
		case 'F': a->from = optarg; break;
		case 'U': a->until = optarg; break;
		case 'n': a->dry_run = 1; break;
		default: replay_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "siyu replay: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

/* What one source did over all the runs replayed. */
struct source_total {
	struct load_counts c;
	int failed;
	char err[1024];
};

struct replay_state {
	struct cli *cli;
	PGconn *conn;
	const struct replay_args *a;
	const struct replay_plan *plan;
	long long run_id;              /* the replay's own etl.run */
	struct source_total *totals;   /* one per plan->sources */
	int lost;                      /* the connection is gone for good */
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Replay one (raw run, source) through the source's driver; returns 0 when it loaded. */
static int replay_item(struct replay_state *st, const struct replay_item *it)
{
	const struct config_source *src = st->plan->sources[it->source];
	struct source_total *t = &st->totals[it->source];
	char dir[4096];
	struct source_ctx ctx;
	struct load_counts c;
	struct failure f;
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(dir, sizeof(dir), "%s/%s/%lld", st->cli->cfg.raw_dir, src->name, it->raw_run_id);
	cli_source_ctx(st->cli, st->conn, st->run_id, src, "replay", &ctx);
	ctx.dry_run = st->a->dry_run;
	ctx.replay = 1;
	ctx.replay_dir = dir;
	ctx.raw_run_id = it->raw_run_id;
	rc = source_load(&ctx, &c, &f);
	load_counts_add(&t->c, &c);
	printf("%-20s run %-6lld %-7s %6.1fs  read %lld, inserted %lld, updated %lld, "
	       "unchanged %lld, rejected %lld\n",
	       src->name, it->raw_run_id, rc == 0 ? "ok" : "FAILED", seconds_since(&t0), c.read,
	       c.inserted, c.updated, c.unchanged, c.rejected);
	if (rc < 0) {
		t->failed = 1;
		failure_text(&f, t->err, sizeof(t->err));
		st->lost = rc == -2;
	}
	return rc;
}

/*
 * Replay the plan in order. A source stops at its first failure (as run
 * stops at a failed file); the other sources go on.
 */
static int replay_plan(struct replay_state *st, const struct replay_plan *plan)
{
	int failed = 0;

	for (size_t i = 0; i < plan->nsources; i++)
		runlog_source_begin(st->conn, st->run_id, plan->sources[i]->name);
	for (size_t i = 0; i < plan->n && !st->lost; i++) {
		const struct replay_item *it = &plan->items[i];

		if (st->totals[it->source].failed) {
			log_warn("msg=\"skipped: the source failed on an earlier run\" source=%s "
				 "raw_run=%lld", plan->sources[it->source]->name, it->raw_run_id);
			continue;
		}
		replay_item(st, it);
	}
	for (size_t i = 0; i < plan->nsources && !st->lost; i++) {
		struct source_total *t = &st->totals[i];

		failed += t->failed;
		runlog_source_finish(st->conn, st->run_id, plan->sources[i]->name,
				     t->failed ? "failed" : "succeeded", &t->c,
				     t->failed ? t->err : NULL);
	}
	if (st->lost)
		return EXIT_FAILED;
	if (!st->a->dry_run && cli_refresh_kpis(st->conn) < 0) {
		fprintf(stderr, "siyu replay: refreshing the KPI views failed: %s\n",
			db_last_error());
		failed++;
	}
	return failed ? EXIT_FAILED : EXIT_OK;
}

/* The arguments as given, for etl.run.args. */
static void join_args(int argc, char **argv, struct buf *b)
{
	for (int i = 1; i < argc; i++)
		if (buf_addf(b, "%s%s", i > 1 ? " " : "", argv[i]) < 0)
			break;
}

static int plan_replay(struct cli *cli, PGconn *conn, const struct replay_args *a,
		       struct replay_plan *plan)
{
	struct replay_request req = {
		.run_id = a->run_id,
		.sources = a->named,
		.nsources = a->nnamed,
		.from = a->from,
		.until = a->until,
		.timezone = cli->cfg.timezone,
	};
	char err[1024];
	int bad_input;

	if (replay_plan_build(conn, &cli->cfg, &req, plan, &bad_input, err, sizeof(err)) < 0) {
		fprintf(stderr, "siyu replay: %s\n", err);
		return bad_input ? EXIT_USAGE : EXIT_FAILED;
	}
	if (plan->n == 0 && a->run_id) {
		fprintf(stderr, "siyu replay: nothing to replay: no configured source has a raw "
				"zone directory for run %lld under %s\n", a->run_id, cli->cfg.raw_dir);
		return EXIT_FAILED;
	}
	if (plan->n == 0)
		printf("nothing to replay: no run of the named sources in the raw zone %s "
		       "started in that range\n", cli->cfg.raw_dir);
	return 0;
}

static int replay_locked(struct cli *cli, PGconn *conn, const struct replay_args *a, int argc,
			 char **argv)
{
	struct replay_plan plan = { 0 };
	struct buf args = BUF_INIT;
	struct replay_state st = { .cli = cli, .conn = conn, .a = a };
	int rc;

	if ((rc = plan_replay(cli, conn, a, &plan)) != 0 || plan.n == 0)
		goto out;
	join_args(argc, argv, &args);
	st.plan = &plan;
	st.totals = calloc(plan.nsources, sizeof(*st.totals));
	if (!st.totals || replay_reserve_run_ids(conn, cli->cfg.raw_dir) < 0 ||
	    runlog_begin(conn, "replay", buf_str(&args), &st.run_id) < 0) {
		fprintf(stderr, "siyu replay: cannot record the run: %s\n", db_last_error());
		rc = EXIT_FAILED;
		goto out;
	}
	log_info("msg=\"replay started\" run_id=%lld runs=%zu", st.run_id, plan.n);
	rc = replay_plan(&st, &plan);
	cli_finish_run(cli, conn, "replay", st.run_id, rc);
out:
	free(st.totals);
	buf_release(&args);
	replay_plan_release(&plan);
	return rc;
}

int cmd_replay(struct cli *cli, int argc, char **argv)
{
	struct replay_args a = { 0 };
	PGconn *conn;
	int rc;

	rc = parse_replay_args(cli, argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(cli)) != 0 || (rc = check_replay_args(cli, &a)) != 0)
		return rc;
	conn = cli_connect(cli);
	if (!conn)
		return EXIT_FAILED;
	if ((rc = cli_take_run_lock(conn, "replay")) == 0) {
		if (runlog_set_timezone(conn, cli->cfg.timezone) < 0)
			rc = EXIT_USAGE;
		else
			rc = replay_locked(cli, conn, &a, argc, argv);
	}
	db_close(conn);
	return rc;
}

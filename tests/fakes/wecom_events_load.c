/*
 * wecom_events_load.c — test driver of wecom_events_apply (source/wecom_events.c) until
 * the WeCom source of `siyu run` calls it: one run (etl.run), one transaction, the
 * callback spool of a wecom source loaded into the warehouse.
 *
 *   wecom_events_load --config FILE [--source NAME] [--rollback]
 *
 * Connects with the [warehouse] conninfo (or libpq's PG* environment), prints
 *   files=N lines=N stored=N duplicates=N rejected=N applied=N ignored=N orphaned=N pending=N
 * and commits (or rolls back with --rollback). Exit 0, or 1 with the error on stderr.
 */
#include "siyu/common/config.h"
#include "siyu/load/db.h"
#include "siyu/load/runlog.h"
#include "siyu/source/source.h"
#include "siyu/source/wecom_events.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const struct config_source *find_wecom(const struct config *cfg, const char *name)
{
	if (name)
		return config_source_find(cfg, name);
	for (size_t i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].type, "wecom") == 0)
			return &cfg->sources[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "source", required_argument, NULL, 's' },
		{ "rollback", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "pipeline.conf", *name = NULL;
	struct config cfg = { 0 };
	const struct config_source *src;
	struct load_counts counts = { 0 };
	struct wecom_events_result res = { 0 };
	long long run_id = 0;
	char err[2048];
	int opt, rollback = 0, rc = 1;
	PGconn *conn = NULL;

	while ((opt = getopt_long(argc, argv, "c:s:r", options, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 's': name = optarg; break;
		case 'r': rollback = 1; break;
		default:
			fprintf(stderr, "usage: wecom_events_load --config FILE [--source NAME] [--rollback]\n");
			return 2;
		}
	}
	if (config_load(&cfg, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "wecom_events_load: %s\n", err);
		return 2;
	}
	src = find_wecom(&cfg, name);
	if (!src) {
		fprintf(stderr, "wecom_events_load: no wecom source in %s\n", path);
		goto out;
	}
	conn = db_connect(cfg.conninfo, "wecom_events_load", err, sizeof(err));
	if (!conn) {
		fprintf(stderr, "wecom_events_load: %s\n", err);
		goto out;
	}
	if (runlog_set_timezone(conn, cfg.timezone) < 0 ||
	    runlog_begin(conn, "test", "wecom_events_load", &run_id) < 0 ||
	    db_exec(conn, "BEGIN") < 0)
		goto out;
	{
		struct source_ctx ctx = {
			.conn = conn, .run_id = run_id, .cfg = &cfg, .src = src,
			.raw_dir = cfg.raw_dir, .timezone = cfg.timezone,
			.max_reject_ratio = cfg.max_reject_ratio,
		};

		if (wecom_events_apply_ex(&ctx, &counts, &res, err, sizeof(err)) < 0) {
			fprintf(stderr, "wecom_events_load: %s\n", err);
			db_exec(conn, "ROLLBACK");
			runlog_finish(conn, run_id, 1);
			goto out;
		}
	}
	if (db_exec(conn, rollback ? "ROLLBACK" : "COMMIT") < 0 || runlog_finish(conn, run_id, 0) < 0)
		goto out;
	printf("files=%ld lines=%lld stored=%lld duplicates=%lld rejected=%lld applied=%lld "
	       "ignored=%lld orphaned=%lld pending=%lld\n",
	       res.files, res.lines, res.stored, res.duplicates, res.rejected, res.applied,
	       res.ignored, res.orphaned, res.pending);
	rc = 0;
out:
	db_close(conn);
	config_release(&cfg);
	return rc;
}

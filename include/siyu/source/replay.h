/*
 * replay.h — what `siyu replay` reloads: the runs kept in the raw zone.
 *
 * Every run writes what it extracted under <raw_dir>/<source>/<run_id>/
 * before transforming it (csv: gzip copies of the input files; API sources:
 * pages and a manifest). A replay plan is a list of (raw run, source) pairs,
 * in run order and, within a run, in the order of the sources in
 * pipeline.conf (then siyu import's); the source's driver reloads each pair
 * (source_load with ctx->replay). Files siyu import loaded are a csv source
 * of their own, named as the import named it, read as the import read them
 * (the raw zone's manifest says how).
 */
#ifndef SIYU_SOURCE_REPLAY_H
#define SIYU_SOURCE_REPLAY_H

#include "siyu/common/config.h"

#include <libpq-fe.h>
#include <stddef.h>

struct csv_import;

struct replay_item {
	long long raw_run_id;
	size_t source;                     /* its index in plan->sources */
};

struct replay_plan {
	struct replay_item *items;
	size_t n, cap;
	/* the sources replayed: configured ones (borrowed) and siyu import's (owned) */
	const struct config_source **sources;
	size_t nsources, sources_cap;
	struct csv_import **imports;
	size_t nimports;
};

/* What to replay: one run, or the runs of the named sources in a date range. */
struct replay_request {
	long long run_id;                  /* --run ID, or 0 */
	const char *const *sources;        /* --source NAMEs (all configured when none) */
	int nsources;
	const char *from, *until;          /* --from / --until (text timestamptz), or NULL */
	const char *timezone;              /* zone of dates without an offset */
};

/*
 * Build the plan: for --run ID every selected source with a directory
 * <raw_dir>/<source>/<ID>, and every directory of that run siyu import
 * wrote; for --from every raw run of the selected sources that started in
 * [from, until) — the start is etl.run.started_at when this warehouse has
 * that run (not a replay), else the directory's modification time. Runs
 * older than the oldest the source's driver may replay (a WeCom source: the
 * snapshot the warehouse holds) are left out (logged). Sorted by run id,
 * then config order. plan must be zeroed; release it with
 * replay_plan_release(). Returns 0 (an empty plan is not an error), -1 with
 * err (bad date: *bad_input is set; else an I/O or database error).
 */
int replay_plan_build(PGconn *conn, const struct config *cfg, const struct replay_request *r,
		      struct replay_plan *plan, int *bad_input, char *err, size_t errlen);

void replay_plan_release(struct replay_plan *plan);

/* 1 when name is a configured source or has runs siyu import kept in the raw zone under raw_dir. */
int replay_source_known(const struct config *cfg, const char *name);

/*
 * Make sure that the run ids this warehouse hands out from now on are larger
 * than every run id of the raw zone under raw_dir, so a new run never writes
 * into the directory of an old one (a warehouse rebuilt by replay starts its
 * etl.run ids at 1 again). siyu run and siyu replay call it before
 * runlog_begin(). 0 / -1.
 */
int replay_reserve_run_ids(PGconn *conn, const char *raw_dir);

#endif /* SIYU_SOURCE_REPLAY_H */

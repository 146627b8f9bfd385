/*
 * source.h — the interface every source implements for `siyu run`.
 *
 * A source runs inside one nightly run: it extracts (writing every page to the
 * raw zone first), transforms, COPYs into staging and merges into dw, and
 * advances its watermarks — the merge and the watermarks in one transaction
 * of its own (or one per completed window for long backfills). It records
 * its counts with runlog_source_finish() inside that transaction; on failure
 * it rolls back, and the runner records the failure.
 */
#ifndef SIYU_SOURCE_SOURCE_H
#define SIYU_SOURCE_SOURCE_H

#include "siyu/common/config.h"
#include "siyu/load/runlog.h"

#include <libpq-fe.h>
#include <stddef.h>

struct source_ctx {
	PGconn *conn;                      /* the run's connection, autocommit, no open tx */
	long long run_id;
	const struct config *cfg;          /* the whole pipeline.conf */
	const struct config_source *src;   /* this source's section */
	const char *raw_dir;               /* raw zone root, e.g. var/raw */
	const char *timezone;              /* the source's zone (source's, else [run]) */
	double max_reject_ratio;           /* the source's, else [run] */
	const unsigned char *pii_key;      /* $SIYU_PII_KEY or NULL */
	size_t pii_key_len;
	int dry_run;
	const char *since;                 /* --since override (text timestamptz) or NULL */
	const char *until;                 /* --until override or NULL */
	int replay;                        /* siyu replay: merge replacing equal versions */
};

/*
 * Run one source. Returns 0 when it loaded (counts filled), -1 when it failed:
 * everything it did is rolled back, its watermarks did not move, err says
 * what failed (naming the endpoint/page or file/line and the reason).
 */
typedef int (*source_run_fn)(const struct source_ctx *ctx, struct load_counts *counts,
			     char *err, size_t errlen);

/*
 * Replay one earlier run of the source from its raw zone, without calling any
 * API: dir is <raw_dir>/<source>/<raw_run_id> (borrowed), holding what that
 * run extracted (csv: <file>.gz copies; API sources: <entity>-NNNNN.jsonl.gz
 * pages and manifest.jsonl). Transform and load it as run did — same order,
 * same transaction boundaries, same watermark rule — under ctx->run_id (the
 * replay's own run, which writes no raw zone). ctx->replay is set: merge with
 * etl.merge_orders_replay (or the entity's equivalent), so that rows whose
 * version equals the warehouse's are replaced (a fixed transform repairs
 * them) while older versions still never win. Same return, rollback and
 * err contract as source_run_fn; counts add up over the directory.
 */
typedef int (*source_replay_fn)(const struct source_ctx *ctx, const char *dir,
				long long raw_run_id, struct load_counts *counts, char *err,
				size_t errlen);

/* The source types and their entry points (NULL = not implemented yet). */
struct source_type {
	const char *type;
	source_run_fn run;
	source_replay_fn replay;
};

/* Look up a source type by its pipeline.conf `type`; NULL when unknown. */
const struct source_type *source_type_find(const char *type);

/* csv: every file matching `path` (a glob), one transaction each. */
int csv_source_run(const struct source_ctx *ctx, struct load_counts *counts, char *err,
		   size_t errlen);

/* csv: every file of the raw-zone directory, in name order, one transaction each. */
int csv_source_replay(const struct source_ctx *ctx, const char *dir, long long raw_run_id,
		      struct load_counts *counts, char *err, size_t errlen);

#endif /* SIYU_SOURCE_SOURCE_H */

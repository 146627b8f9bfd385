/*
 * source.h — the source-driver layer: one driver per source type behind one
 * interface, and the one transaction protocol every source runs.
 *
 * A driver knows one source type's whole path and nothing of transactions:
 *
 *   open    check the configuration, set up clients (HTTP, raw zone); *state
 *           is set even when it fails (close frees it)
 *   plan    the units to load, in order: the files of a csv source, the
 *           windows of an API source, the one snapshot of WeCom; in a replay,
 *           what the raw zone of the replayed run holds
 *   stage   inside the unit's transaction: fetch into the raw zone (or read it
 *           back in a replay), transform to canonical records, COPY them into
 *           staging; counts and rejects into the unit
 *   merge   staging into the warehouse; name the watermark the unit reaches
 *   unit_done  free what the unit took (after its transaction, whatever its end)
 *   close   free what open took
 *
 * source_load() runs the protocol, written once here (source/source.c):
 *
 *   run_source 'running' ─▶ open ─▶ plan ─▶ for each unit:
 *       BEGIN ▸ stage ▸ reject ratio ▸ merge ▸ watermark ▸ run_source row ▸
 *       the unit's rejects ▸ COMMIT (ROLLBACK on any error, or instead of COMMIT
 *       with --dry-run); a failed unit's rejects are then stored in a
 *       transaction of their own: never data without its rejects, and never
 *       rejects lost with a failed unit
 *   ─▶ run_source succeeded, or failed with the failure printed once (mobile
 *      numbers in it masked)
 *
 * A failed unit stops its source: what committed before stays (with its
 * watermark), what follows loads next time. No driver opens a transaction.
 */
#ifndef SIYU_SOURCE_SOURCE_H
#define SIYU_SOURCE_SOURCE_H

#include "siyu/common/config.h"
#include "siyu/common/failure.h"
#include "siyu/common/progress.h"
#include "siyu/load/runlog.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct source_ctx {
	PGconn *conn;                      /* the run's connection, autocommit, no open tx */
	long long run_id;
	const struct config *cfg;          /* the whole pipeline.conf */
	const struct config_source *src;   /* this source's section */
	const char *command;               /* "run", "import" or "replay" (messages) */
	const char *raw_dir;               /* raw zone root, e.g. var/raw */
	const char *timezone;              /* the source's zone (source's, else [run]) */
	double max_reject_ratio;           /* the source's, else [run] */
	const unsigned char *pii_key;      /* $SIYU_PII_KEY or NULL */
	size_t pii_key_len;
	int dry_run;
	const char *since;                 /* --since override (text timestamptz) or NULL */
	const char *until;                 /* --until override or NULL */
	const char *const *files;          /* csv: load these files instead of `path` */
	size_t nfiles;                     /* (siyu import) */
	/*
	 * siyu replay: reload the raw zone replay_dir (<raw_dir>/<source>/<raw_run_id>)
	 * without calling any API; merges replace equal versions (a fixed
	 * transform repairs them), older ones still never win. The replay's
	 * run_source rows are siyu replay's, over all the runs it replays.
	 */
	int replay;
	const char *replay_dir;
	long long raw_run_id;
	/* After a failure: make a broken connection usable again (0) or give up (-1). */
	int (*reconnect)(PGconn *conn, const char *command);
	/* Loads that share this source's run_source row (siyu import), or NULL. */
	struct source_share *share;
};

/*
 * siyu import loads each file (each Taobao pair) with a source_load of its
 * own, and files may share a source name (--source, or one file name in two
 * directories): their one etl.run_source row is the sum of those loads,
 * 'running' until the last, failed when one of them failed. Zero it, set
 * loads, and pass it to each of the loads; source_load keeps the rest.
 */
struct source_share {
	int loads;                         /* how many loads share the row */
	int done;                          /* how many have finished */
	struct load_counts c;              /* their counts */
	char failure[sizeof(((struct failure *)0)->object) +
		     sizeof(((struct failure *)0)->reason) + 4]; /* the first failure, or "" */
};

/* One unit of a source: loaded in one transaction. */
struct source_unit {
	char label[256];                   /* "orders.csv", "window 2025-01-01 00:00:00..
					    * 2025-04-01 00:00:00", "snapshot" */
	char *path;                        /* a file, or NULL (owned by the plan) */
	int64_t from, to;                  /* a window, or 0 */
	size_t first, n;                   /* replay: its pages in the driver's manifest */
};

struct source_plan {
	struct source_unit *v;
	size_t n, cap;
};

/* Append a copy of u (its path copied). 0 / -1 out of memory. */
int source_plan_add(struct source_plan *p, const struct source_unit *u);
void source_plan_release(struct source_plan *p);

/* One unit's transaction, as stage and merge see it. */
struct source_tx {
	const struct source_ctx *ctx;
	const struct source_unit *unit;
	struct load_counts c;              /* this unit's counts */
	struct reject_log rejects;         /* stored with the unit, or after it when it failed */
	/* set by merge: the watermark (entity, value) this unit commits */
	const char *entity;                /* NULL: none */
	const char *watermark;             /* text timestamptz; NULL: now() */
	long long watermark_run;           /* the run it names; 0: this run */
	struct failure *fail;
	/* where the source stands, for source_progress() */
	struct progress *progress;
	const struct load_counts *before;  /* the source's counts before this unit */
	size_t unit_no, units;             /* this unit's place in the plan */
};

/*
 * Progress of the unit being staged, for the one progress reporter
 * (common/progress.c): drivers call it as they go (after a page, every few
 * thousand records) with the unit's pages so far and, when they know it, how
 * far into the unit they are (done of total: bytes of a file; 0 of 0 unknown).
 * The records are tx->c.read; the driver layer adds the units before and
 * reports the unit's end itself, so a driver that never calls it still shows
 * pages, records and (over several units) the share done and an ETA.
 */
void source_progress(struct source_tx *tx, long long pages, double done, double total);

/* What stage may return besides 0 and -1: nothing of the unit loads, and that is not a failure. */
#define SOURCE_UNIT_SKIP 1

struct source_driver {
	const char *type;                  /* pipeline.conf `type` */
	int (*open)(const struct source_ctx *ctx, void **state, struct failure *f);
	int (*plan)(void *state, struct source_plan *plan, struct failure *f);
	int (*stage)(void *state, struct source_tx *tx);
	int (*merge)(void *state, struct source_tx *tx);
	void (*unit_done)(void *state);    /* after each unit, whatever its end; may be NULL */
	void (*close)(void *state, int failed);
	/*
	 * Replay: the oldest raw run of this source the warehouse may take
	 * (WeCom: the snapshot it holds; 0: any), or -1 with f filled. NULL: any.
	 */
	long long (*replay_floor)(PGconn *conn, const char *source, struct failure *f);
};

/* The driver of a pipeline.conf `type`; NULL when unknown. */
const struct source_driver *source_driver_find(const char *type);

struct http_client;

/*
 * An HTTP client with the source's settings (timeouts, retries, rate), for a
 * driver's API client; NULL with f filled. Free with http_client_free().
 */
struct http_client *source_http_client(const struct source_ctx *ctx, struct failure *f);

/*
 * Load one source through its driver under the protocol above. counts get the
 * source's totals; f->source is set to the source's name and, on failure, f
 * says what failed (already logged). Returns 0 when it loaded, -1 when it
 * failed (the failed unit rolled back, its watermark did not move), -2 when
 * it failed and the connection is lost for good (stop the command).
 */
int source_load(const struct source_ctx *ctx, struct load_counts *counts, struct failure *f);

#endif /* SIYU_SOURCE_SOURCE_H */

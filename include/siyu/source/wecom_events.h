/*
 * wecom_events.h — loading the WeCom change-callback spool into the warehouse.
 *
 * `siyu wecom-callback` appends events to <spool_dir>/events-YYYYMMDD.jsonl; the nightly
 * run hands them to the warehouse here, inside the WeCom source's transaction (the
 * WeCom source calls this before its snapshot diff):
 *
 *   spool lines not read yet ─▶ COPY temp table tmp_wecom_spool ─▶ etl.wecom_events_load
 *       (etl.wecom_event once per key; pending events applied in event-time order:
 *        fact_contact / fact_contact_event, fact_group_member, dim_group, dim_tag, …)
 *
 * See sql/migrations/0030_wecom_events.sql for what each event does. Spool files are
 * never deleted; etl.wecom_spool_file remembers how far each was read (only whole
 * lines: a line being written right now waits for the next run). Calling this twice
 * in one transaction is harmless; calling it again after the snapshot has loaded
 * applies the removals that were waiting for their relationship.
 */
#ifndef SIYU_SOURCE_WECOM_EVENTS_H
#define SIYU_SOURCE_WECOM_EVENTS_H

#include "siyu/load/runlog.h"
#include "siyu/source/source.h"

#include <stddef.h>

/* What one load did (also added to the source's load_counts, see below). */
struct wecom_events_result {
	long files;           /* spool files with new lines */
	long long lines;      /* new spool lines read */
	long long stored;     /* new events stored in etl.wecom_event */
	long long duplicates; /* lines whose event was stored before (WeCom's retries) */
	long long rejected;   /* lines or events sent to etl.reject */
	long long applied, ignored, orphaned, pending;
};

/*
 * Load the spool of ctx->src (a wecom source) through ctx->conn, which must be inside
 * an open transaction (the source's); nothing is committed or rolled back here. Adds
 * to counts: pages += files, read += lines, inserted += applied events, duplicates +=
 * duplicate lines, rejected += rejected lines and events, unchanged += ignored and
 * orphaned events. result may be NULL. Returns 0, or -1 with err filled (the caller
 * rolls back).
 */
int wecom_events_apply(const struct source_ctx *ctx, struct load_counts *counts, char *err,
		       size_t errlen);

/* The same, also filling *result. */
int wecom_events_apply_ex(const struct source_ctx *ctx, struct load_counts *counts,
			  struct wecom_events_result *result, char *err, size_t errlen);

#endif /* SIYU_SOURCE_WECOM_EVENTS_H */

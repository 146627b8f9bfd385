/*
 * wecom_load.h — the WeCom source's staging temp tables, COPY and merge.
 */
#ifndef SIYU_LOAD_WECOM_LOAD_H
#define SIYU_LOAD_WECOM_LOAD_H

#include "siyu/load/runlog.h"
#include "siyu/transform/wecom_json.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>


/* The run's empty temp tables tmp_wecom_<x> (ON COMMIT DROP), in the caller's transaction. 0 / -1. */
int wecom_load_begin(PGconn *conn);

/* COPY every table holding at least threshold bytes (0: all non-empty) and empty it. 0 / -1. */
int wecom_load_flush(PGconn *conn, struct wecom_rows *rows, size_t threshold);

/* Committed member_version of every active group, for skipping unchanged member lists. */
struct wecom_versions {
	PGresult *res; /* chat_id, member_version, sorted by chat_id (bytewise) */
};

int wecom_load_versions(PGconn *conn, struct wecom_versions *v);
/* The committed member_version of chat_id, or NULL. */
const char *wecom_versions_find(const struct wecom_versions *v, const char *chat_id);
void wecom_versions_release(struct wecom_versions *v);

/*
 * The raw-zone run whose snapshot the warehouse holds (the run_id of the
 * source's 'snapshot' watermark; 0: none yet), or -1. Replays may not go
 * behind it.
 */
long long wecom_load_snapshot_run(PGconn *conn, const char *source);

/*
 * Run etl.wecom_staff_details over the staged address-book details (after the
 * merge, which creates new staff) and record when they were read: the number
 * of staff rows changed, or -1.
 */
long long wecom_load_staff_details(PGconn *conn, long long run_id, const char *source);

/*
 * Run etl.wecom_merge and add its counts to c (inserted, updated, unchanged);
 * log one line per entity. 0 / -1.
 */
int wecom_load_merge(PGconn *conn, long long run_id, const char *source, const char *stats_tz,
		     struct load_counts *c);

/*
 * The userids of source whose address-book details were read less than
 * refresh_s ago, sorted bytewise (db_find_sorted), or NULL (caller PQclears).
 */
PGresult *wecom_load_named_staff(PGconn *conn, const char *source, long refresh_s);

/*
 * The statistics days to pull: midnights in zone tz of the day `days` days
 * before today and of yesterday, as unix seconds. 0 / -1.
 */
int wecom_load_stats_days(PGconn *conn, long days, const char *tz, int64_t *first, int64_t *last);

#endif /* SIYU_LOAD_WECOM_LOAD_H */

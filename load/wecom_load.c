/*
 * wecom_load.c — the WeCom source's staging temp tables, COPY and merge
 * (see include/siyu/load/wecom_load.h).
 */
#include "siyu/load/wecom_load.h"

#include "siyu/common/debug.h"
#include "siyu/common/log.h"
#include "siyu/load/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wecom_load_begin(PGconn *conn)
{
	char sql[256];

	for (int t = 0; t < WT_COUNT; t++) {
		const char *name = wecom_table_name((enum wecom_table)t);

		snprintf(sql, sizeof(sql),
			 "CREATE TEMP TABLE tmp_wecom_%s (LIKE staging.wecom_%s_in) ON COMMIT DROP",
			 name, name);
		if (db_exec(conn, sql) < 0)
			return -1;
	}
	return 0;
}

/* The "copy" debug point once per staged row (the crash tests die inside a COPY). */
static void count_copy_rows(const struct buf *b)
{
	const char *p = b->data, *end = b->data + b->len;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		debug_point("copy");
		p++;
	}
}

int wecom_load_flush(PGconn *conn, struct wecom_rows *rows, size_t threshold)
{
	char sql[128];

	for (int t = 0; t < WT_COUNT; t++) {
		struct buf *b = &rows->t[t];

		if (b->len == 0 || b->len < threshold)
			continue;
		snprintf(sql, sizeof(sql), "COPY tmp_wecom_%s FROM STDIN",
			 wecom_table_name((enum wecom_table)t));
		if (db_copy_begin(conn, sql) < 0)
			return -1;
		count_copy_rows(b);
		if (db_copy_put(conn, b->data, b->len) < 0) {
			db_copy_end(conn, "client failed");
			return -1;
		}
		if (db_copy_end(conn, NULL) < 0)
			return -1;
		buf_reset(b);
	}
	return 0;
}

long long wecom_load_snapshot_run(PGconn *conn, const char *source)
{
	const char *params[] = { source };
	PGresult *res = db_query(conn, "SELECT run_id FROM etl.watermark "
				       "WHERE source = $1 AND entity = 'snapshot'", 1, params);
	long long id;

	if (!res)
		return -1;
	id = PQntuples(res) && !PQgetisnull(res, 0, 0) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return id;
}

long long wecom_load_staff_details(PGconn *conn, long long run_id, const char *source)
{
	char run[32];
	const char *params[] = { run, source };
	PGresult *res;
	long long n;

	snprintf(run, sizeof(run), "%lld", run_id);
	res = db_query(conn, "SELECT etl.wecom_staff_details($1::bigint, $2)", 2, params);
	if (!res)
		return -1;
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

int wecom_load_versions(PGconn *conn, struct wecom_versions *v)
{
	v->res = db_query(conn,
			  "SELECT chat_id, member_version FROM dw.dim_group "
			  "WHERE member_version IS NOT NULL AND dismissed_at IS NULL "
			  "ORDER BY chat_id COLLATE \"C\"",
			  0, NULL);
	return v->res ? 0 : -1;
}

const char *wecom_versions_find(const struct wecom_versions *v, const char *chat_id)
{
	int row = db_find_sorted(v->res, 0, chat_id);

	return row < 0 ? NULL : PQgetvalue(v->res, row, 1);
}

void wecom_versions_release(struct wecom_versions *v)
{
	PQclear(v->res);
	v->res = NULL;
}

int wecom_load_merge(PGconn *conn, long long run_id, const char *source, const char *stats_tz,
		     struct load_counts *c)
{
	char run[32];
	const char *params[] = { run, source, stats_tz };
	PGresult *res;

	snprintf(run, sizeof(run), "%lld", run_id);
	res = db_query(conn,
		       "SELECT entity, inserted, updated, unchanged, COALESCE(detail, '') "
		       "FROM etl.wecom_merge($1, $2, $3)",
		       3, params);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		long long ins = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		long long upd = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		long long same = strtoll(PQgetvalue(res, i, 3), NULL, 10);

		c->inserted += ins;
		c->updated += upd;
		c->unchanged += same;
		log_info("msg=\"merged\" source=%s entity=%s inserted=%lld updated=%lld unchanged=%lld%s%s",
			 source, PQgetvalue(res, i, 0), ins, upd, same,
			 *PQgetvalue(res, i, 4) ? " " : "", PQgetvalue(res, i, 4));
		if (strcmp(PQgetvalue(res, i, 0), "customers") == 0) {
			const char *m = strstr(PQgetvalue(res, i, 4), "merged=");

			if (m)
				c->merged_customers += strtoll(m + 7, NULL, 10);
		}
	}
	PQclear(res);
	return 0;
}

PGresult *wecom_load_named_staff(PGconn *conn, const char *source, long refresh_s)
{
	char secs[32];
	const char *params[] = { source, secs };

	snprintf(secs, sizeof(secs), "%ld", refresh_s);
	return db_query(conn, "SELECT userid FROM etl.wecom_staff_detail_read "
			      "WHERE source = $1 AND read_at > now() - make_interval(secs => $2::float8) "
			      "ORDER BY userid COLLATE \"C\"", 2, params);
}

int wecom_load_stats_days(PGconn *conn, long days, const char *tz, int64_t *first, int64_t *last)
{
	char n[24];
	const char *params[] = { n, tz };
	PGresult *res;

	snprintf(n, sizeof(n), "%ld", days);
	res = db_query(conn,
		       "SELECT extract(epoch FROM ((d - $1::int)::timestamp AT TIME ZONE $2))::bigint, "
		       "extract(epoch FROM ((d - 1)::timestamp AT TIME ZONE $2))::bigint "
		       "FROM (SELECT (now() AT TIME ZONE $2)::date AS d) x",
		       2, params);
	if (!res)
		return -1;
	*first = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*last = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return 0;
}

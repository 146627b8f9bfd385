/*
 * runlog.c — run bookkeeping, the run lock, watermarks and the reject spool
 * (see include/siyu/load/runlog.h).
 */
#include "siyu/load/runlog.h"

#include "siyu/common/buf.h"
#include "siyu/common/copytext.h"
#include "siyu/common/log.h"
#include "siyu/common/utf8.h"
#include "siyu/load/db.h"
#include "siyu/transform/pii.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUN_LOCK "siyu.run"

int runlog_lock(PGconn *conn)
{
	return db_try_advisory_lock(conn, RUN_LOCK);
}

int runlog_mark_abandoned(PGconn *conn)
{
	PGresult *res;
	int n;

	/* A data-modifying WITH runs whether or not the query reads it. */
	res = db_query(conn,
		       "WITH s AS (UPDATE etl.run_source SET status = 'abandoned', "
		       "  error = 'abandoned: the process ended before recording an outcome "
		       "(killed, crashed or disconnected); nothing it had not committed was kept' "
		       "  WHERE status = 'running' RETURNING run_id), "
		       "r AS (UPDATE etl.run SET status = 'abandoned' WHERE status = 'running' "
		       "  RETURNING run_id, command, host, pid, started_at) "
		       "SELECT run_id, command, COALESCE(host, ''), COALESCE(pid::text, ''), "
		       "  started_at FROM r ORDER BY run_id",
		       0, NULL);
	if (!res)
		return -1;
	n = PQntuples(res);
	for (int i = 0; i < n; i++)
		log_warn("msg=\"marked a run left running as abandoned\" run_id=%s command=%s "
			 "host=%s pid=%s started_at=\"%s\"",
			 PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			 PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
	PQclear(res);
	return n;
}

int runlog_begin(PGconn *conn, const char *command, const char *args, long long *run_id)
{
	char host[256] = "";
	char pid[32];
	const char *params[] = { command, args, host, pid };
	PGresult *res;

	gethostname(host, sizeof(host) - 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	res = db_query(conn,
		       "INSERT INTO etl.run (command, args, status, host, pid) "
		       "VALUES ($1, $2, 'running', $3, $4) RETURNING run_id",
		       4, params);
	if (!res)
		return -1;
	*run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int runlog_finish(PGconn *conn, long long run_id, int exit_code)
{
	char id[32], code[16];
	const char *params[] = { id, code };

	snprintf(id, sizeof(id), "%lld", run_id);
	snprintf(code, sizeof(code), "%d", exit_code);
	return db_exec_params(conn,
			      "UPDATE etl.run SET finished_at = now(), exit_code = $2::int, "
			      "status = CASE WHEN $2::int = 0 THEN 'succeeded' ELSE 'failed' END "
			      "WHERE run_id = $1",
			      2, params);
}

int runlog_source_begin(PGconn *conn, long long run_id, const char *source)
{
	char id[32];
	const char *params[] = { id, source };

	snprintf(id, sizeof(id), "%lld", run_id);
	return db_exec_params(conn,
			      "INSERT INTO etl.run_source (run_id, source, status, started_at) "
			      "VALUES ($1, $2, 'running', now()) "
			      "ON CONFLICT (run_id, source) DO UPDATE SET status = 'running', "
			      "started_at = now(), finished_at = NULL, error = NULL",
			      2, params);
}

int runlog_source_finish(PGconn *conn, long long run_id, const char *source, const char *status,
			 const struct load_counts *c, const char *error_text)
{
	char v[8][32];
	const char *params[10];

	snprintf(v[0], sizeof(v[0]), "%lld", run_id);
	snprintf(v[1], sizeof(v[1]), "%ld", c->pages);
	snprintf(v[2], sizeof(v[2]), "%lld", c->read);
	snprintf(v[3], sizeof(v[3]), "%lld", c->inserted);
	snprintf(v[4], sizeof(v[4]), "%lld", c->updated);
	snprintf(v[5], sizeof(v[5]), "%lld", c->unchanged);
	snprintf(v[6], sizeof(v[6]), "%lld", c->rejected);
	params[0] = v[0];
	params[1] = source;
	params[2] = status;
	for (int i = 1; i <= 6; i++)
		params[i + 2] = v[i];
	params[9] = error_text;
	return db_exec_params(conn,
			      "UPDATE etl.run_source SET status = $3, finished_at = now(), "
			      "pages = $4, records_read = $5, inserted = $6, updated = $7, "
			      "unchanged = $8, rejected = $9, error = $10 "
			      "WHERE run_id = $1 AND source = $2",
			      10, params);
}

void load_counts_add(struct load_counts *sum, const struct load_counts *c)
{
	sum->pages += c->pages;
	sum->read += c->read;
	sum->inserted += c->inserted;
	sum->updated += c->updated;
	sum->unchanged += c->unchanged;
	sum->duplicates += c->duplicates;
	sum->rejected += c->rejected;
	sum->merged_customers += c->merged_customers;
}

int runlog_set_timezone(PGconn *conn, const char *tz)
{
	const char *params[] = { tz };

	/* Validate the name with the server's own zone database first. */
	if (db_exec_params(conn, "SELECT now() AT TIME ZONE $1", 1, params) < 0)
		return error("msg=\"unknown time zone\" timezone=\"%s\"", tz);
	return db_exec_params(conn,
			      "INSERT INTO etl.setting (key, value) VALUES ('timezone', $1) "
			      "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value "
			      "WHERE etl.setting.value IS DISTINCT FROM EXCLUDED.value",
			      1, params);
}

int runlog_watermark_epoch(PGconn *conn, const char *source, const char *entity, long long *out)
{
	const char *params[] = { source, entity };
	PGresult *res = db_query(conn, "SELECT extract(epoch FROM value)::bigint FROM etl.watermark "
				       "WHERE source = $1 AND entity = $2", 2, params);

	if (!res)
		return -1;
	if (PQntuples(res) == 1)
		*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int runlog_advance_watermark(PGconn *conn, const char *source, const char *entity,
			     const char *value, long long run_id)
{
	char id[32];
	const char *params[] = { source, entity, value, id };

	snprintf(id, sizeof(id), "%lld", run_id);
	return db_exec_params(conn,
			      "INSERT INTO etl.watermark (source, entity, value, run_id) "
			      "VALUES ($1, $2, COALESCE($3::timestamptz, now()), $4) "
			      "ON CONFLICT (source, entity) DO UPDATE "
			      "SET value = GREATEST(etl.watermark.value, EXCLUDED.value), "
			      "run_id = EXCLUDED.run_id, updated_at = now()",
			      4, params);
}

int reject_log_open(struct reject_log *r, long long run_id, const char *source)
{
	r->count = 0;
	r->written = r->stored = 0;
	r->run_id = run_id;
	r->source = strdup(source);
	r->spool = tmpfile();
	if (!r->spool || !r->source) {
		free(r->source);
		r->source = NULL;
		return error("msg=\"cannot create the reject spool\" error=\"%s\"", strerror(errno));
	}
	return 0;
}

static int add_text(struct buf *b, const char *s, size_t len, int last)
{
	return copytext_field(b, s, len) || buf_addch(b, last ? '\n' : '\t');
}

/*
 * A text column of the spool: s as it is when it is text, else escaped
 * (utf8_escape), so that the COPY never fails on a byte PostgreSQL's text
 * cannot hold (a NUL, invalid UTF-8) and the reject is never lost that way.
 * Returns 1 when escaped, 0 when not, -1 on the buffer's cap.
 */
static int add_text_safe(struct buf *b, struct buf *tmp, const char *s, size_t len)
{
	if (utf8_is_text(s, len))
		return add_text(b, s, len, 0) ? -1 : 0;
	buf_reset(tmp);
	if (utf8_escape(tmp, s, len) < 0 || add_text(b, tmp->data, tmp->len, 0))
		return -1;
	return 1;
}

/*
 * Phones in the raw record and the reason are masked: etl.reject is outside
 * the raw zone (README: phones only as HMAC + masked form). The text then
 * goes in as add_text_safe does.
 */
static int add_masked(struct buf *b, struct buf *tmp, const char *s, size_t len, int *escaped)
{
	struct buf masked = BUF_INIT;
	int rc;

	if (pii_mask_phones_in_text(&masked, s, len) < 0) {
		buf_release(&masked);
		return -1;
	}
	rc = add_text_safe(b, tmp, buf_str(&masked), masked.len);
	buf_release(&masked);
	if (rc < 0)
		return -1;
	*escaped |= rc;
	return 0;
}

int reject_log_add(struct reject_log *r, const char *entity, const char *natural_key,
		   const char *location, const char *reason, const char *raw, size_t raw_len)
{
	return reject_log_add_raw(r, entity, natural_key, location, reason, raw, raw_len, 0);
}

int reject_log_add_raw(struct reject_log *r, const char *entity, const char *natural_key,
		       const char *location, const char *reason, const char *raw, size_t raw_len,
		       int raw_escaped)
{
	struct buf row = BUF_INIT, tmp = BUF_INIT;
	int unused = 0, rc = 0;

	if (buf_addf(&row, "%lld\t", r->run_id) < 0 ||
	    add_text_safe(&row, &tmp, r->source, strlen(r->source)) < 0 ||
	    add_text_safe(&row, &tmp, entity, strlen(entity)) < 0 ||
	    (natural_key ? add_text_safe(&row, &tmp, natural_key, strlen(natural_key)) < 0
			 : buf_add(&row, "\\N\t", 3) < 0) ||
	    (location ? add_text_safe(&row, &tmp, location, strlen(location)) < 0
		      : buf_add(&row, "\\N\t", 3) < 0) ||
	    add_masked(&row, &tmp, reason, strlen(reason), &unused) < 0 ||
	    add_masked(&row, &tmp, raw, raw_len, &raw_escaped) < 0 ||
	    buf_adds(&row, raw_escaped ? "t\n" : "f\n") < 0 ||
	    fwrite(row.data, 1, row.len, r->spool) != row.len)
		rc = error("msg=\"cannot spool a reject\" source=%s", r->source);
	else {
		r->count++;
		r->written += (long)row.len;
	}
	buf_release(&row);
	buf_release(&tmp);
	return rc;
}

int reject_log_copy(struct reject_log *r, PGconn *conn)
{
	char chunk[65536];
	size_t n;

	if (r->count == 0)
		return 0;
	if (fflush(r->spool) != 0 || fseek(r->spool, r->stored, SEEK_SET) != 0)
		return error("msg=\"cannot read the reject spool\" error=\"%s\"", strerror(errno));
	if (db_copy_begin(conn, "COPY etl.reject (run_id, source, entity, natural_key, location, "
				"reason, raw, raw_escaped) FROM STDIN") < 0)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), r->spool)) > 0) {
		if (db_copy_put(conn, chunk, n) < 0) {
			db_copy_end(conn, "spool read failed");
			return -1;
		}
	}
	if (ferror(r->spool)) {
		db_copy_end(conn, "spool read failed");
		return error("msg=\"cannot read the reject spool\" error=\"%s\"", strerror(errno));
	}
	if (fseek(r->spool, 0, SEEK_END) != 0)
		return error("msg=\"cannot seek the reject spool\" error=\"%s\"", strerror(errno));
	return db_copy_end(conn, NULL);
}

void reject_log_forget(struct reject_log *r)
{
	r->stored = r->written;
	r->count = 0;
}

/* COPY the whole spool into etl.reject in a transaction of its own on conn. 0 / -1. */
static int copy_spool(struct reject_log *r, PGconn *conn)
{
	if (db_exec(conn, "BEGIN") < 0)
		return -1;
	if (reject_log_copy(r, conn) < 0 || db_exec(conn, "COMMIT") < 0) {
		if (PQstatus(conn) == CONNECTION_OK)
			db_exec(conn, "ROLLBACK");
		return -1;
	}
	return 0;
}

/*
 * When the source failed because its connection died (a server restart), the
 * rejects go through a connection of their own: reconnecting the run's session
 * is the runner's job (it must take the run lock again), and the rejects must
 * not wait for it or be lost with the spool. Tried for about 15 s, as long as
 * the runner waits for a restarting server.
 */
static int copy_spool_aside(struct reject_log *r, PGconn *dead)
{
	char err[512] = "";
	long delay_ms = 500;

	for (int attempt = 0; attempt < 6; attempt++, delay_ms *= 2) {
		PGconn *side = db_connect_like(dead, err, sizeof(err));

		if (side) {
			int rc = copy_spool(r, side);

			db_close(side);
			if (rc == 0)
				log_info("msg=\"rejects stored through a new connection\" source=%s "
					 "count=%lld", r->source, r->count);
			return rc;
		}
		if (attempt < 5) {
			struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	log_warn("msg=\"cannot reach the warehouse to store rejects\" error=\"%s\"", err);
	return -1;
}

int reject_log_flush(struct reject_log *r, PGconn *conn)
{
	if (r->count == 0)
		return 0;
	if (PQstatus(conn) == CONNECTION_OK && copy_spool(r, conn) == 0)
		return 0;
	if (PQstatus(conn) != CONNECTION_OK && copy_spool_aside(r, conn) == 0)
		return 0;
	return error("msg=\"rejects could not be stored\" source=%s count=%lld", r->source,
		     r->count);
}

void reject_log_close(struct reject_log *r)
{
	if (r->spool)
		fclose(r->spool);
	r->spool = NULL;
	free(r->source);
	r->source = NULL;
}

/*
 * order_import.c — one order file through the whole pipeline (see order_import.h).
 *
 *   csv_file ─▶ order_csv_parse ─▶ dedupe ─▶ COPY staging ─▶ etl.merge_orders ─▶ watermark
 *                     └─▶ reject spool ─▶ etl.reject (own transaction)
 *
 * Parsing and the server's COPY processing overlap: libpq hands each 1 MiB
 * chunk to the socket and returns, so the server parses the previous chunk
 * on the other core while this process parses the next.
 */
#include "siyu/order_import.h"

#include "siyu/buf.h"
#include "siyu/csv_file.h"
#include "siyu/db.h"
#include "siyu/debug.h"
#include "siyu/dedupe.h"
#include "siyu/log.h"
#include "siyu/order_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COPY_CHUNK (1 << 20)

struct import_state {
	PGconn *conn;
	const struct order_import_opts *o;
	struct load_counts *c;
	struct csv_file *csv;
	struct order_csv_map map;
	struct dedupe *dedupe;
	struct reject_log rejects;
	struct buf copy;
	struct buf held;           /* COPY rows (platform, shop_id, order_no, line) of orders
				    * with a rejected line: see hold_back_partial_orders() */
	char table[64];
	char *err;
	size_t errlen;
	int in_copy;
	int in_tx;
	char max_version[48];
	int64_t max_version_value;
	int progress;              /* stderr is a terminal: show a progress line */
	struct timespec last_progress;
};

/* A progress line on a terminal only (never in logs), at most twice a second. */
static void show_progress(struct import_state *s, int done)
{
	struct timespec now;

	if (!s->progress)
		return;
	if (done) {
		if (s->last_progress.tv_sec)
			fputs("\r\033[K", stderr);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - s->last_progress.tv_sec) * 1000 +
		    (now.tv_nsec - s->last_progress.tv_nsec) / 1000000 < 500)
		return;
	s->last_progress = now;
	fprintf(stderr, "\r%s: %lld records, %llu MB read", s->o->source, s->c->read,
		csv_file_offset(s->csv) >> 20);
}

static int add_span(struct buf *b, struct span s, int empty_is_null)
{
	if (empty_is_null && s.n == 0)
		return db_copy_field(b, NULL, 0) || buf_addch(b, '\t');
	return db_copy_field(b, s.p, s.n) || buf_addch(b, '\t');
}

static int add_time(struct buf *b, const struct ltime *t, int present)
{
	char text[48];

	if (!present)
		return buf_add(b, "\\N\t", 3);
	if (ltime_format(t, text, sizeof(text)) < 0)
		return -1;
	return buf_adds(b, text) || buf_addch(b, '\t');
}

/* One COPY text row in staging.order_line_in's column order. */
static int copy_row(struct buf *b, long src_row, const struct order_line *l)
{
	struct span none = { "", 0 };

	return buf_addf(b, "%ld\t", src_row) || add_span(b, l->platform, 0) ||
	       add_span(b, l->shop_id, 0) || add_span(b, l->shop_name, 1) ||
	       add_span(b, l->order_no, 0) ||
	       (l->line_no ? buf_addf(b, "%d\t", l->line_no) : buf_add(b, "\\N\t", 3)) ||
	       add_span(b, l->line_id, 0) ||
	       buf_addf(b, "%s\t", order_status_name(l->status)) ||
	       add_time(b, &l->created, 1) || add_time(b, &l->paid, l->has_paid) ||
	       add_time(b, &l->updated, 1) || add_span(b, l->buyer_id, 0) ||
	       add_span(b, l->unionid, 0) ||
	       add_span(b, l->has_phone ? (struct span){ l->phone_hash, 64 } : none, 0) ||
	       add_span(b, l->has_phone ? (struct span){ l->phone_masked, strlen(l->phone_masked) }
					: none, 1) ||
	       add_span(b, l->sku, 0) || add_span(b, l->title, 1) ||
	       buf_addf(b, "%ld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n", l->quantity,
			(long long)l->unit_price_fen, (long long)l->gross_fen,
			(long long)l->paid_fen, (long long)l->refund_fen,
			(long long)l->shipping_fen, (long long)l->discount_fen);
}

static int flush_copy(struct import_state *s, size_t threshold)
{
	if (s->copy.len < threshold)
		return 0;
	if (db_copy_put(s->conn, s->copy.data, s->copy.len) < 0)
		return -1;
	buf_reset(&s->copy);
	return 0;
}

static int reject(struct import_state *s, const struct csv_record *rec, const char *key,
		  const char *reason)
{
	char location[512];

	snprintf(location, sizeof(location), "%s:%ld", s->o->path, rec->line);
	s->c->rejected++;
	log_debug("msg=\"record rejected\" location=\"%s\" reason=\"%s\"", location, reason);
	return reject_log_add(&s->rejects, "order_line", key, location, reason, rec->raw,
			      rec->raw_len);
}

static void natural_key(const struct order_line *l, char *out, size_t n)
{
	snprintf(out, n, "%.*s/%.*s/%.*s", (int)l->platform.n, l->platform.p, (int)l->shop_id.n,
		 l->shop_id.p, (int)l->order_no.n, l->order_no.p);
}

/* Remember the order of a rejected line, so that none of its lines load. */
static int note_held_order(struct import_state *s, const struct order_line *l, long line)
{
	return db_copy_field(&s->held, l->platform.p, l->platform.n) ||
	       buf_addch(&s->held, '\t') ||
	       db_copy_field(&s->held, l->shop_id.p, l->shop_id.n) || buf_addch(&s->held, '\t') ||
	       db_copy_field(&s->held, l->order_no.p, l->order_no.n) ||
	       buf_addf(&s->held, "\t%ld\n", line);
}

static void note_version(struct import_state *s, const struct order_line *l)
{
	int64_t v = order_version_value(&l->updated);

	if (s->max_version[0] && v <= s->max_version_value)
		return;
	s->max_version_value = v;
	ltime_format(&l->updated, s->max_version, sizeof(s->max_version));
}

static int oom(struct import_state *s)
{
	snprintf(s->err, s->errlen, "%s: out of memory", s->o->path);
	return -1;
}

/* Judge one parsed line: stream it, or count it as a duplicate, or reject it. */
static int take_line(struct import_state *s, const struct csv_record *rec,
		     const struct order_line *l)
{
	struct dedupe_line d = {
		l->platform.p, l->platform.n, l->shop_id.p, l->shop_id.n,
		l->order_no.p, l->order_no.n, l->line_id.p, l->line_id.n,
		order_version_value(&l->updated), l->shipping_fen, l->discount_fen,
	};
	enum dedupe_verdict v;
	char key[256];

	if (dedupe_check(s->dedupe, &d, &v) < 0) {
		snprintf(s->err, s->errlen, "%s: out of memory in dedupe", s->o->path);
		return -1;
	}
	switch (v) {
	case DEDUPE_KEEP:
		note_version(s, l);
		if (copy_row(&s->copy, rec->line, l) < 0 || flush_copy(s, COPY_CHUNK) < 0) {
			snprintf(s->err, s->errlen, "%s:%ld: COPY into staging failed: %s",
				 s->o->path, rec->line, db_last_error());
			return -1;
		}
		debug_point("copy");
		return 0;
	case DEDUPE_DUPLICATE:
	case DEDUPE_STALE:
		s->c->duplicates++;
		return 0;
	case DEDUPE_CONFLICT:
		natural_key(l, key, sizeof(key));
		if (note_held_order(s, l, rec->line) < 0)
			return oom(s);
		return reject(s, rec, key, "shipping_fee or order_discount differs from an earlier "
				       "line of the same order version");
	}
	return 0;
}

/* Read every data record of the file into the COPY stream. */
static int stream_records(struct import_state *s)
{
	struct csv_record rec;
	struct order_line line;
	char why[512];
	int rc;

	while ((rc = csv_file_next(s->csv, &rec, why, sizeof(why))) != 0) {
		if (rc == -1) {
			snprintf(s->err, s->errlen, "%s", why);
			return -1;
		}
		s->c->read++;
		if ((s->c->read & 4095) == 0)
			show_progress(s, 0);
		if (rc == -2) {
			if (reject(s, &rec, NULL, why) < 0)
				return -1;
			continue;
		}
		rc = order_csv_parse(&s->map, &rec, &line, why, sizeof(why));
		if (rc == -2) {
			snprintf(s->err, s->errlen, "%s:%ld: %s", s->o->path, rec.line, why);
			return -1;
		}
		if (rc == -1) {
			char key[256] = "";

			if (line.order_no.n) {
				natural_key(&line, key, sizeof(key));
				if (note_held_order(s, &line, rec.line) < 0)
					return oom(s);
			}
			if (reject(s, &rec, key[0] ? key : NULL, why) < 0)
				return -1;
			continue;
		}
		if (take_line(s, &rec, &line) < 0)
			return -1;
	}
	show_progress(s, 1);
	return 0;
}

static int open_input(struct import_state *s)
{
	struct csv_record hdr;
	char why[512];
	int rc;

	s->csv = csv_file_open_enc(s->o->path, s->o->encoding, s->err, s->errlen);
	if (!s->csv)
		return -1;
	rc = csv_file_next(s->csv, &hdr, why, sizeof(why));
	if (rc == 0) {
		snprintf(s->err, s->errlen, "%s: empty file (no header)", s->o->path);
		return -1;
	}
	if (rc == -1) {
		snprintf(s->err, s->errlen, "%s", why);
		return -1;
	}
	if (rc == -2) {
		snprintf(s->err, s->errlen, "%s:%ld: bad header: %s", s->o->path, hdr.line, why);
		return -1;
	}
	log_debug("msg=\"reading file\" file=%s encoding=%s", s->o->path, csv_file_encoding(s->csv));
	s->map.status_profile = s->o->profile;
	s->map.pii_key = s->o->pii_key;
	s->map.pii_key_len = s->o->pii_key_len;
	if (order_csv_map_header(&s->map, &hdr, why, sizeof(why)) < 0) {
		snprintf(s->err, s->errlen, "%s:%ld: %s", s->o->path, hdr.line, why);
		return -1;
	}
	return 0;
}

static int begin_staging(struct import_state *s)
{
	const char *tz[] = { s->o->timezone };
	char sql[320];

	if (db_exec(s->conn, "BEGIN") < 0)
		return -1;
	s->in_tx = 1;
	snprintf(s->table, sizeof(s->table), "staging.order_line_r%lld", s->o->run_id);
	snprintf(sql, sizeof(sql),
		 "DROP TABLE IF EXISTS %s; CREATE UNLOGGED TABLE %s (LIKE staging.order_line_in)",
		 s->table, s->table);
	/* Local times in the file are read in the source's zone. */
	if (db_exec_params(s->conn, "SELECT set_config('TimeZone', $1, true)", 1, tz) < 0 ||
	    db_exec(s->conn, sql) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN", s->table);
	if (db_copy_begin(s->conn, sql) < 0)
		return -1;
	s->in_copy = 1;
	return 0;
}

static int end_copy(struct import_state *s)
{
	s->in_copy = 0;
	if (flush_copy(s, 0) < 0) {
		db_copy_end(s->conn, "client failed");
		return -1;
	}
	return db_copy_end(s->conn, NULL);
}

/*
 * An order with a rejected line loads none of its lines: a partial order would
 * carry wrong totals (its paid_fen is the sum of its lines), and the version in
 * the warehouse, if any, stays whole until a good version arrives. The staged
 * lines of such orders are removed and each is rejected too, naming the line
 * that caused it; their raw is the staged row as JSON (the original bytes are
 * in the raw zone's copy of the file at the location given).
 */
static int hold_back_partial_orders(struct import_state *s)
{
	char sql[640];
	PGresult *res;

	if (s->held.len == 0)
		return 0;
	if (db_exec(s->conn, "CREATE TEMP TABLE held_order (platform text, shop_id text, "
			     "order_no text, bad_line bigint) ON COMMIT DROP") < 0 ||
	    db_copy_begin(s->conn, "COPY held_order FROM STDIN") < 0)
		return -1;
	if (db_copy_put(s->conn, s->held.data, s->held.len) < 0) {
		db_copy_end(s->conn, "client failed");
		return -1;
	}
	if (db_copy_end(s->conn, NULL) < 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "DELETE FROM %s t USING (SELECT platform, shop_id, order_no, min(bad_line) AS bad_line "
		 "FROM held_order GROUP BY 1, 2, 3) h "
		 "WHERE (t.platform, t.shop_id, t.order_no) = (h.platform, h.shop_id, h.order_no) "
		 "RETURNING t.src_row, t.platform || '/' || t.shop_id || '/' || t.order_no, "
		 "h.bad_line, row_to_json(t)::text",
		 s->table);
	res = db_query(s->conn, sql, 0, NULL);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		char location[512], reason[160];
		const char *raw = PQgetvalue(res, i, 3);

		snprintf(location, sizeof(location), "%s:%s", s->o->path, PQgetvalue(res, i, 0));
		snprintf(reason, sizeof(reason),
			 "held back: line %s of the same order was rejected (no partial order loads)",
			 PQgetvalue(res, i, 2));
		s->c->rejected++;
		if (reject_log_add(&s->rejects, "order_line", PQgetvalue(res, i, 1), location, reason,
				   raw, strlen(raw)) < 0) {
			PQclear(res);
			return oom(s);
		}
	}
	PQclear(res);
	return db_exec(s->conn, "DROP TABLE held_order");
}

static int check_reject_ratio(struct import_state *s)
{
	double ratio = s->c->read ? (double)s->c->rejected / (double)s->c->read : 0.0;

	if (ratio <= s->o->max_reject_ratio)
		return 0;
	snprintf(s->err, s->errlen,
		 "%s: %lld of %lld records rejected (%.2f%%), more than max_reject_ratio %.2f%%; "
		 "nothing loaded, see etl.reject", s->o->path, s->c->rejected, s->c->read,
		 100.0 * ratio, 100.0 * s->o->max_reject_ratio);
	return -1;
}

/*
 * A replay merges with etl.merge_orders_replay (0012): an order whose version
 * equals the warehouse's is replaced too, so a fixed transform repairs it.
 */
static int merge(struct import_state *s)
{
	char run[32];
	const char *params[] = { run, s->table, s->o->source };
	PGresult *res;

	debug_point("merge");
	snprintf(run, sizeof(run), "%lld", s->o->run_id);
	res = db_query(s->conn,
		       s->o->replace_equal
			       ? "SELECT inserted, updated, unchanged, merged_customers "
				 "FROM etl.merge_orders_replay($1, $2::regclass, $3)"
			       : "SELECT inserted, updated, unchanged, merged_customers "
				 "FROM etl.merge_orders($1, $2::regclass, $3)",
		       3, params);
	if (!res)
		return -1;
	s->c->inserted = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	s->c->updated = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	s->c->unchanged = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	s->c->merged_customers = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	PQclear(res);
	return 0;
}

static int commit(struct import_state *s)
{
	char sql[128];

	if (s->max_version[0] &&
	    runlog_advance_watermark(s->conn, s->o->source, "orders", s->max_version,
				     s->o->run_id) < 0)
		return -1;
	if (s->o->own_run_source &&
	    runlog_source_finish(s->conn, s->o->run_id, s->o->source, "succeeded", s->c, NULL) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "DROP TABLE %s", s->table);
	if (db_exec(s->conn, sql) < 0)
		return -1;
	debug_point("commit");
	if (db_exec(s->conn, s->o->dry_run ? "ROLLBACK" : "COMMIT") < 0)
		return -1;
	s->in_tx = 0;
	return 0;
}

/* Run every step; on failure the caller rolls back. */
static int import_steps(struct import_state *s)
{
	if (open_input(s) < 0 || begin_staging(s) < 0)
		return -1;
	if (stream_records(s) < 0)
		return -1;
	if (end_copy(s) < 0) {
		snprintf(s->err, s->errlen, "%s: COPY into staging failed: %s", s->o->path,
			 db_last_error());
		return -1;
	}
	if (hold_back_partial_orders(s) < 0) {
		if (!s->err[0])
			snprintf(s->err, s->errlen, "%s: holding back orders with a rejected line "
				 "failed: %s", s->o->path, db_last_error());
		return -1;
	}
	if (check_reject_ratio(s) < 0)
		return -1;
	if (merge(s) < 0 || commit(s) < 0) {
		snprintf(s->err, s->errlen, "%s: merge into the warehouse failed: %s", s->o->path,
			 db_last_error());
		return -1;
	}
	return 0;
}

static void abandon(struct import_state *s)
{
	if (s->in_copy)
		db_copy_end(s->conn, "import failed");
	if (s->in_tx)
		db_exec(s->conn, "ROLLBACK");
	s->in_copy = s->in_tx = 0;
}

int order_import_file(PGconn *conn, const struct order_import_opts *o, struct load_counts *c,
		      char *err, size_t errlen)
{
	struct import_state s = { 0 };
	int rc;

	memset(c, 0, sizeof(*c));
	s.conn = conn;
	s.o = o;
	s.c = c;
	s.err = err;
	s.errlen = errlen;
	s.progress = isatty(STDERR_FILENO) && log_threshold < LOG_DEBUG;
	err[0] = '\0';
	buf_init(&s.copy, 4 * COPY_CHUNK);
	buf_init(&s.held, 0);
	s.dedupe = dedupe_new();
	if (!s.dedupe || reject_log_open(&s.rejects, o->run_id, o->source) < 0) {
		snprintf(err, errlen, "%s: out of memory", o->path);
		rc = -1;
		goto out;
	}
	if (o->own_run_source && runlog_source_begin(conn, o->run_id, o->source) < 0) {
		snprintf(err, errlen, "%s: cannot record the run: %s", o->path, db_last_error());
		rc = -1;
		goto out;
	}
	c->pages = 1;
	rc = import_steps(&s);
	if (rc < 0) {
		abandon(&s);
		c->inserted = c->updated = c->unchanged = 0;
		if (o->own_run_source)
			runlog_source_finish(conn, o->run_id, o->source, "failed", c, err);
	}
	if (!o->dry_run && reject_log_flush(&s.rejects, conn) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: loaded, but its rejects could not be stored", o->path);
		rc = -1;
	}
out:
	csv_file_close(s.csv);
	dedupe_free(s.dedupe);
	reject_log_close(&s.rejects);
	buf_release(&s.copy);
	buf_release(&s.held);
	return rc;
}

/*
 * order_import.c — one order file through the whole pipeline
 * (see include/siyu/source/order_import.h).
 *
 *   csv_file ─▶ order_csv_parse ─▶ order_sink (dedupe ─▶ COPY staging ─▶
 *                     │                etl.merge_orders ─▶ watermark)
 *                     └─▶ reject spool ─▶ etl.reject (own transaction)
 */
#include "siyu/source/order_import.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"
#include "siyu/extract/csv_file.h"
#include "siyu/load/db.h"
#include "siyu/load/order_sink.h"
#include "siyu/transform/order_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct import_state {
	PGconn *conn;
	const struct order_import_opts *o;
	struct load_counts *c;
	struct csv_file *csv;
	struct order_csv_map map;
	struct order_sink sink;
	struct reject_log rejects;
	char *err;
	size_t errlen;
	int progress;              /* stderr is a terminal: show a progress line */
	struct timespec last_progress;
};

static int oom(struct import_state *s)
{
	snprintf(s->err, s->errlen, "%s: out of memory", s->o->path);
	return -1;
}

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

static int reject(struct import_state *s, const struct csv_record *rec, const char *key,
		  const char *reason)
{
	char location[512];
	struct buf raw = BUF_INIT;
	int rc;

	snprintf(location, sizeof(location), "%s:%ld", s->o->path, rec->line);
	s->c->rejected++;
	log_debug("msg=\"record rejected\" location=\"%s\"", location);
	/* the header's mapping masks the personal-data columns of the kept copy */
	if (order_csv_redact(&s->map, rec->raw, rec->raw_len, &raw) < 0)
		rc = oom(s);
	else
		rc = reject_log_add_raw(&s->rejects, "order_line", key, location, reason, raw.data,
					raw.len, rec->raw_escaped);
	buf_release(&raw);
	return rc;
}

/* A record csv_file could not read (-2): its reason names the column at fault. */
static int reject_unreadable(struct import_state *s, const struct csv_record *rec,
			     const char *why)
{
	char reason[640];
	const char *column = rec->fault_field >= 0
				     ? order_csv_column_name(&s->map, rec->fault_field) : NULL;

	if (column)
		snprintf(reason, sizeof(reason), "%s: %s", column, why);
	else if (rec->fault_field >= 0)
		snprintf(reason, sizeof(reason), "column %d: %s", rec->fault_field + 1, why);
	else
		snprintf(reason, sizeof(reason), "%s", why);
	return reject(s, rec, NULL, reason);
}

static void natural_key(const struct order_line *l, char *out, size_t n)
{
	snprintf(out, n, "%.*s/%.*s/%.*s", (int)l->platform.n, l->platform.p, (int)l->shop_id.n,
		 l->shop_id.p, (int)l->order_no.n, l->order_no.p);
}

/*
 * A staged line of an order with a rejected line (order_sink_hold): rejected
 * too, naming that line. Its raw is the staged row as JSON; the original bytes
 * are in the raw zone's copy of the file at the location given.
 */
static int reject_held_line(void *arg, const char *src_row, const char *key, const char *bad_row,
			    const char *row_json)
{
	struct import_state *s = arg;
	char location[512], reason[160];

	snprintf(location, sizeof(location), "%s:%s", s->o->path, src_row);
	snprintf(reason, sizeof(reason),
		 "held back: line %s of the same order was rejected (no partial order loads)",
		 bad_row);
	s->c->rejected++;
	if (reject_log_add(&s->rejects, "order_line", key, location, reason, row_json,
			   strlen(row_json)) < 0)
		return oom(s);
	return 0;
}

/* Judge one parsed line: stream it, or count it as a duplicate, or reject it. */
static int take_line(struct import_state *s, const struct csv_record *rec,
		     const struct order_line *l)
{
	char key[256];

	switch (order_sink_add(&s->sink, rec->line, l)) {
	case ORDER_SINK_KEPT:
	case ORDER_SINK_DUPLICATE:
		return 0;
	case ORDER_SINK_CONFLICT:
		natural_key(l, key, sizeof(key));
		if (order_sink_hold(&s->sink, l, rec->line) < 0)
			return oom(s);
		return reject(s, rec, key, "shipping_fee or order_discount differs from an earlier "
				       "line of the same order version");
	default:
		snprintf(s->err, s->errlen, "%s:%ld: COPY into staging failed: %s",
			 s->o->path, rec->line, db_last_error());
		return -1;
	}
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
			if (reject_unreadable(s, &rec, why) < 0)
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
				if (order_sink_hold(&s->sink, &line, rec.line) < 0)
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
	log_info("msg=\"reading file\" file=%s encoding=%s why=\"%s\"", s->o->path,
		 csv_file_encoding(s->csv), csv_file_encoding_reason(s->csv));
	s->map.status_profile = order_csv_profile_find(s->o->profile)->status_profile;
	s->map.pii_key = s->o->pii_key;
	s->map.pii_key_len = s->o->pii_key_len;
	if (order_csv_map_header(&s->map, &hdr, why, sizeof(why)) < 0) {
		snprintf(s->err, s->errlen, "%s:%ld: %s", s->o->path, hdr.line, why);
		return -1;
	}
	return 0;
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

/* Run every step; on failure the caller rolls back. */
static int import_steps(struct import_state *s)
{
	if (open_input(s) < 0 ||
	    order_sink_begin(&s->sink, s->conn, s->o->run_id, s->o->source, s->o->timezone,
			     s->o->replace_equal, s->c) < 0)
		return -1;
	if (stream_records(s) < 0)
		return -1;
	if (order_sink_end_copy(&s->sink, reject_held_line, s) < 0) {
		if (!s->err[0])
			snprintf(s->err, s->errlen, "%s: COPY into staging failed: %s", s->o->path,
				 db_last_error());
		return -1;
	}
	if (check_reject_ratio(s) < 0)
		return -1;
	if (order_sink_merge(&s->sink) < 0) {
		snprintf(s->err, s->errlen, "%s: merge into the warehouse failed: %s", s->o->path,
			 db_last_error());
		return -1;
	}
	/* the rejects commit with the data: never data without its rejects */
	if (!s->o->dry_run && reject_log_copy(&s->rejects, s->conn) < 0) {
		snprintf(s->err, s->errlen, "%s: its rejects could not be stored: %s", s->o->path,
			 db_last_error());
		return -1;
	}
	if (order_sink_commit(&s->sink, "orders", NULL, "succeeded",
			      s->o->own_run_source ? s->c : NULL, s->o->dry_run) < 0) {
		snprintf(s->err, s->errlen, "%s: commit failed: %s", s->o->path, db_last_error());
		return -1;
	}
	reject_log_forget(&s->rejects);
	return 0;
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
	if (order_csv_profile_check(o->profile, err, errlen) < 0)
		return -1;
	if (reject_log_open(&s.rejects, o->run_id, o->source) < 0) {
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
		order_sink_abort(&s.sink);
		c->inserted = c->updated = c->unchanged = 0;
		/* a failed file's rejects are stored in a transaction of their own */
		if (!o->dry_run && reject_log_flush(&s.rejects, conn) < 0) {
			size_t n = strlen(err);

			snprintf(err + n, errlen - n, "; its %lld rejected records could not be "
				 "stored either: import the file again to see them", s.rejects.count);
		}
		if (o->own_run_source)
			runlog_source_finish(conn, o->run_id, o->source, "failed", c, err);
	} else if (o->dry_run && o->own_run_source) {
		/* the outcome recorded inside the transaction was rolled back with it */
		runlog_source_finish(conn, o->run_id, o->source, "succeeded", c, NULL);
	}
out:
	csv_file_close(s.csv);
	order_sink_release(&s.sink);
	reject_log_close(&s.rejects);
	return rc;
}

/*
 * order_import.c — one order file through the whole pipeline
 * (see include/siyu/source/order_import.h).
 *
 *   csv_file ─▶ order_csv_parse ─▶ order_sink (dedupe ─▶ COPY staging ─▶
 *                     │                etl.merge_orders ─▶ watermark)
 *                     └─▶ reject spool ─▶ etl.reject (own transaction)
 */
#include "siyu/source/order_import.h"

#include "siyu/common/log.h"
#include "siyu/extract/csv_file.h"
#include "siyu/load/db.h"
#include "siyu/load/order_sink.h"
#include "siyu/transform/order_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	off_t file_size;           /* of the input, for the progress ETA; 0 unknown */
};

/* Every 4096 records (and at the end): records and how far into the file. */
static void show_progress(struct import_state *s, long long records)
{
	progress_add(s->o->progress, 0, records);
	if (s->file_size > 0)
		progress_position(s->o->progress, (double)csv_file_offset(s->csv),
				  (double)s->file_size);
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

static int oom(struct import_state *s)
{
	snprintf(s->err, s->errlen, "%s: out of memory", s->o->path);
	return -1;
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
			show_progress(s, 4096);
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
	show_progress(s, s->c->read & 4095);
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
	if (order_sink_merge(&s->sink) < 0 ||
	    order_sink_commit(&s->sink, "orders", NULL, "succeeded",
			      s->o->own_run_source ? s->c : NULL, s->o->dry_run) < 0) {
		snprintf(s->err, s->errlen, "%s: merge into the warehouse failed: %s", s->o->path,
			 db_last_error());
		return -1;
	}
	return 0;
}

int order_import_file(PGconn *conn, const struct order_import_opts *o, struct load_counts *c,
		      char *err, size_t errlen)
{
	struct import_state s = { 0 };
	struct stat st;
	int rc;

	memset(c, 0, sizeof(*c));
	s.conn = conn;
	s.o = o;
	s.c = c;
	s.err = err;
	s.errlen = errlen;
	if (stat(o->path, &st) == 0)
		s.file_size = st.st_size;
	progress_add(o->progress, 1, 0); /* a file is a page */
	err[0] = '\0';
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
		if (o->own_run_source)
			runlog_source_finish(conn, o->run_id, o->source, "failed", c, err);
	}
	if (!o->dry_run && reject_log_flush(&s.rejects, conn) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: loaded, but its rejects could not be stored", o->path);
		rc = -1;
	}
out:
	csv_file_close(s.csv);
	order_sink_release(&s.sink);
	reject_log_close(&s.rejects);
	return rc;
}

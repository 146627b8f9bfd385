/*
 * order_import.c — one order file read into the order sink: the csv driver's
 * stage (see include/siyu/source/order_import.h, source/csv_source.c).
 *
 *   csv_file ─▶ order_csv_parse ─▶ order_sink (dedupe ─▶ COPY staging)
 *                     │
 *                     └─▶ tx->rejects (stored by the driver layer, own transaction)
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
#include <time.h>
#include <unistd.h>

struct import_state {
	const struct order_import_opts *o;
	struct source_tx *tx;
	struct load_counts *c;     /* tx->c */
	struct csv_file *csv;
	struct order_csv_map map;
	struct order_sink *sink;
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
	fprintf(stderr, "\r%s: %lld records, %llu MB read", s->tx->ctx->src->name, s->c->read,
		csv_file_offset(s->csv) >> 20);
}

static int reject(struct import_state *s, const struct csv_record *rec, const char *key,
		  const char *reason)
{
	char location[512];

	snprintf(location, sizeof(location), "%s:%ld", s->o->name, rec->line);
	s->c->rejected++;
	log_debug("msg=\"record rejected\" location=\"%s\" reason=\"%s\"", location, reason);
	if (reject_log_add(&s->tx->rejects, "order_line", key, location, reason, rec->raw,
			   rec->raw_len) < 0)
		return failure_set(s->tx->fail, location, "cannot spool a reject");
	return 0;
}

static void natural_key(const struct order_line *l, char *out, size_t n)
{
	snprintf(out, n, "%.*s/%.*s/%.*s", (int)l->platform.n, l->platform.p, (int)l->shop_id.n,
		 l->shop_id.p, (int)l->order_no.n, l->order_no.p);
}

static int oom(struct import_state *s)
{
	return failure_set(s->tx->fail, s->o->name, "out of memory");
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

	snprintf(location, sizeof(location), "%s:%s", s->o->name, src_row);
	snprintf(reason, sizeof(reason),
		 "held back: line %s of the same order was rejected (no partial order loads)",
		 bad_row);
	s->c->rejected++;
	if (reject_log_add(&s->tx->rejects, "order_line", key, location, reason, row_json,
			   strlen(row_json)) < 0)
		return oom(s);
	return 0;
}

/* Judge one parsed line: stream it, or count it as a duplicate, or reject it. */
static int take_line(struct import_state *s, const struct csv_record *rec,
		     const struct order_line *l)
{
	char key[256];

	switch (order_sink_add(s->sink, rec->line, l)) {
	case ORDER_SINK_KEPT:
	case ORDER_SINK_DUPLICATE:
		return 0;
	case ORDER_SINK_CONFLICT:
		natural_key(l, key, sizeof(key));
		if (order_sink_hold(s->sink, l, rec->line) < 0)
			return oom(s);
		return reject(s, rec, key, "shipping_fee or order_discount differs from an earlier "
				       "line of the same order version");
	default:
		snprintf(key, sizeof(key), "%s:%ld", s->o->name, rec->line);
		return db_fail(s->tx->fail, key, "COPY into staging failed");
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
		if (rc == -1)
			return failure_set(s->tx->fail, s->o->name, "%s", why);
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
			char at[512];

			snprintf(at, sizeof(at), "%s:%ld", s->o->name, rec.line);
			return failure_set(s->tx->fail, at, "%s", why);
		}
		if (rc == -1) {
			char key[256] = "";

			if (line.order_no.n) {
				natural_key(&line, key, sizeof(key));
				if (order_sink_hold(s->sink, &line, rec.line) < 0)
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
	struct failure *f = s->tx->fail;
	struct csv_record hdr;
	char why[512], at[512];
	int rc;

	s->csv = csv_file_open_enc(s->o->path, s->o->encoding, why, sizeof(why));
	if (!s->csv)
		return failure_set(f, s->o->name, "%s", why);
	rc = csv_file_next(s->csv, &hdr, why, sizeof(why));
	if (rc == 0)
		return failure_set(f, s->o->name, "empty file (no header)");
	if (rc == -1)
		return failure_set(f, s->o->name, "%s", why);
	snprintf(at, sizeof(at), "%s:%ld", s->o->name, hdr.line);
	if (rc == -2)
		return failure_set(f, at, "bad header: %s", why);
	log_debug("msg=\"reading file\" file=%s encoding=%s", s->o->name, csv_file_encoding(s->csv));
	s->map.status_profile = s->o->profile;
	s->map.pii_key = s->o->pii_key;
	s->map.pii_key_len = s->o->pii_key_len;
	if (order_csv_map_header(&s->map, &hdr, why, sizeof(why)) < 0)
		return failure_set(f, at, "%s", why);
	return 0;
}

int order_import_stage(const struct order_import_opts *o, struct order_sink *sink,
		       struct source_tx *tx)
{
	const struct source_ctx *ctx = tx->ctx;
	struct import_state s = { 0 };
	int rc;

	s.o = o;
	s.tx = tx;
	s.c = &tx->c;
	s.sink = sink;
	s.progress = isatty(STDERR_FILENO) && log_threshold < LOG_DEBUG;
	s.c->pages = 1;
	rc = open_input(&s);
	if (rc == 0 && order_sink_begin(sink, ctx->conn, ctx->run_id, ctx->src->name, o->timezone,
					ctx->replay, s.c) < 0)
		rc = db_fail(tx->fail, o->name, "cannot prepare staging");
	if (rc == 0)
		rc = stream_records(&s);
	if (rc == 0 && order_sink_end_copy(sink, reject_held_line, &s) < 0)
		rc = failure_is_set(tx->fail) ? -1 : db_fail(tx->fail, o->name,
							     "COPY into staging failed");
	csv_file_close(s.csv);
	return rc < 0 ? -1 : 0;
}

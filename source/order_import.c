/*
 * order_import.c — one order file (or a two-file export) read into the order
 * sink: the csv driver's stage (see include/siyu/source/order_import.h,
 * source/csv_source.c).
 *
 *   table_file ─▶ order_csv_parse ─▶ [order_book] ─▶ order_sink (dedupe ─▶ COPY staging)
 *                     │
 *                     └─▶ tx->rejects (stored by the driver layer: with the unit in its
 *                                      transaction, a failed unit's in one of their own)
 *
 * A generic file is read once. A back-office export is read twice (first to
 * learn each order's lines, weights and statuses, then to load), after its
 * order file when it has one (Taobao 订单报表): see
 * include/siyu/transform/order_book.h.
 */
#include "siyu/source/order_import.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"
#include "siyu/extract/table_file.h"
#include "siyu/load/db.h"
#include "siyu/load/order_sink.h"
#include "siyu/transform/order_book.h"
#include "siyu/transform/order_csv.h"
#include "siyu/transform/order_profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct import_state {
	const struct order_import_opts *o;
	struct source_tx *tx;
	struct load_counts *c;     /* tx->c */
	struct table_file *in;     /* the file being read */
	const char *in_file;       /* its path (a raw-zone copy) */
	const char *in_path;       /* its name as the caller knows it, for locations */
	const struct order_profile *profile;
	struct order_csv_map map;
	struct order_book *book;   /* export profiles */
	struct order_sink *sink;
	char *err;                 /* why the file stops: the failure's reason */
	size_t errlen;
	unsigned reported;         /* bit per profile_part: its ignored columns were logged */
};

/* Records so far and how far into the file (every 4096 records and at the end). */
static void show_progress(struct import_state *s)
{
	double share = table_file_share_read(s->in);

	source_progress(s->tx, s->c->pages, share < 0 ? 0 : share, share < 0 ? 0 : 1);
}

static int oom(struct import_state *s)
{
	snprintf(s->err, s->errlen, "%s: out of memory", s->o->name);
	return -1;
}

/* Spool a reject (reject_log masks phones; the reason is not logged: it may quote data). */
static int reject_at(struct import_state *s, const char *path, long line, const char *raw,
		     size_t raw_len, int raw_escaped, const char *key, const char *reason)
{
	char location[512];

	snprintf(location, sizeof(location), "%s:%ld", path, line);
	s->c->rejected++;
	log_debug("msg=\"record rejected\" location=\"%s\"", location);
	return reject_log_add_raw(&s->tx->rejects, "order_line", key, location, reason, raw, raw_len,
				  raw_escaped);
}

static int reject(struct import_state *s, const struct csv_record *rec, const char *key,
		  const char *reason)
{
	struct buf raw = BUF_INIT;
	int rc;

	/* the header's mapping masks the personal-data columns of the kept copy */
	if (order_csv_redact(&s->map, rec->raw, rec->raw_len, &raw) < 0)
		rc = oom(s);
	else
		rc = reject_at(s, s->in_path, rec->line, raw.data, raw.len, rec->raw_escaped, key,
			       reason);
	buf_release(&raw);
	return rc;
}

/* A record the reader could not read (-2): its reason names the column at fault. */
static void name_fault(struct import_state *s, const struct csv_record *rec, char *why,
		       size_t whylen)
{
	char fault[400];
	struct span column;

	if (rec->fault_field < 0)
		return;
	snprintf(fault, sizeof(fault), "%.399s", why);
	if (order_csv_column_name(&s->map, rec->fault_field, &column) == 0)
		snprintf(why, whylen, "%.*s: %s", (int)column.n, column.p, fault);
	else
		snprintf(why, whylen, "column %d: %s", rec->fault_field + 1, fault);
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
		snprintf(s->err, s->errlen, "%s:%ld: COPY into staging failed: %s",
			 s->in_path, rec->line, db_last_error());
		return -1;
	}
}

/* Reject rec for why; the order of line (when it has a number) loads none of its lines. */
static int reject_line(struct import_state *s, const struct csv_record *rec,
		       const struct order_line *line, const char *why)
{
	char key[256] = "";

	if (line->order_no.n) {
		natural_key(line, key, sizeof(key));
		if (order_sink_hold(s->sink, line, rec->line) < 0)
			return oom(s);
	}
	return reject(s, rec, key[0] ? key : NULL, why);
}

/*
 * A failure of the reader (table_file) of path, which names the file it
 * reads (a raw-zone copy), as s->err naming the file as the caller knows it.
 */
static int reader_failed(struct import_state *s, const char *path, const char *msg)
{
	size_t n = strlen(path);

	if (strncmp(msg, path, n) == 0)
		snprintf(s->err, s->errlen, "%s%s", s->in_path, msg + n);
	else
		snprintf(s->err, s->errlen, "%s", msg);
	return -1;
}

/*
 * The next data record of s->in: 1 (parsed into line, or rejected when
 * *bad), 0 at the end, -1 on a failure that stops the file (s->err filled).
 * A record holding a phone with no PII key stops the file too.
 */
static int next_line(struct import_state *s, struct csv_record *rec, struct order_line *line,
		     char *why, size_t whylen, int *bad)
{
	int rc = table_file_next(s->in, rec, why, whylen);

	*bad = 0;
	if (rc == 0)
		return 0;
	if (rc == -1)
		return reader_failed(s, s->in_file, why);
	memset(line, 0, sizeof(*line));
	if (rc == -2) {
		name_fault(s, rec, why, whylen);
		*bad = 1;
		return 1;
	}
	rc = order_csv_parse(&s->map, rec, line, why, whylen);
	if (rc == -2) {
		snprintf(s->err, s->errlen, "%s:%ld: %s", s->in_path, rec->line, why);
		return -1;
	}
	*bad = rc < 0;
	return 1;
}

/* Open path, read its header and map it to the profile's part (detecting it for "auto"). */
static int open_input(struct import_state *s, const char *path, enum profile_part want)
{
	struct csv_record hdr;
	char why[4096], ignored[2048];
	enum profile_part part = PROFILE_LINES;
	int rc;

	table_file_close(s->in);
	/* locations name the file as the caller knows it */
	s->in_path = path == s->o->orders_path ? s->o->orders_name : s->o->name;
	s->in_file = path;
	if (!(s->in = table_file_open(path, s->o->encoding, why, sizeof(why))))
		return reader_failed(s, path, why);
	rc = table_file_next(s->in, &hdr, why, sizeof(why));
	if (rc == -1)
		return reader_failed(s, path, why);
	if (rc == 0 || rc == -2) {
		snprintf(s->err, s->errlen, rc == 0 ? "%s: empty file (no header)%s"
				      : "%s: bad header: %s", s->in_path, rc == 0 ? "" : why);
		return -1;
	}
	if (!s->profile) {
		if (!(s->profile = order_profile_detect(&hdr, &part, why, sizeof(why)))) {
			snprintf(s->err, s->errlen, "%s:%ld: %s", s->in_path, hdr.line, why);
			return -1;
		}
		log_info("msg=\"profile chosen from the header\" file=%s profile=%s", path,
			 s->profile->name);
	} else if (s->profile->orders.cols &&
		   order_profile_part(s->profile, &hdr, &part, why, sizeof(why)) < 0) {
		snprintf(s->err, s->errlen, "%s:%ld: %s", s->in_path, hdr.line, why);
		return -1;
	}
	if (part != want) {
		snprintf(s->err, s->errlen, "%s: this is a %s %s, not its %s", s->in_path,
			 s->profile->name,
			 order_profile_file(s->profile, part)->label,
			 order_profile_file(s->profile, want)->label);
		return -1;
	}
	if (s->profile->orders.cols && want == PROFILE_LINES && !s->o->orders_path) {
		snprintf(s->err, s->errlen, "%s: a %s %s loads only with its %s: give both files",
			 s->in_path, s->profile->name, s->profile->lines.label,
			 s->profile->orders.label);
		return -1;
	}
	log_info("msg=\"reading file\" file=%s format=\"%s\"", path, table_file_format(s->in));
	memset(&s->map, 0, sizeof(s->map));
	s->map.profile = s->profile;
	s->map.orders_file = want == PROFILE_ORDERS;
	s->map.pii_key = s->o->pii_key;
	s->map.pii_key_len = s->o->pii_key_len;
	s->map.shop_id = s->o->shop_id;
	s->map.as_of = s->o->as_of;
	s->map.has_as_of = s->o->has_as_of;
	if (order_csv_map_header(&s->map, &hdr, why, sizeof(why), ignored, sizeof(ignored)) < 0) {
		snprintf(s->err, s->errlen, "%s:%ld: %s", s->in_path, hdr.line, why);
		return -1;
	}
	if (ignored[0] && !(s->reported & (1u << want)))
		log_info("msg=\"columns ignored\" file=%s columns=\"%s\"", s->in_path, ignored);
	s->reported |= 1u << want;
	return 0;
}

/* What a pass does with each record: bad says it was rejected (why), line is parsed otherwise. */
typedef int (*line_fn)(struct import_state *s, const struct csv_record *rec,
		       const struct order_line *line, char *why, size_t whylen, int bad);

/* One pass: open path as part and hand every data record to fn. 0, or -1 (s->err). */
static int each_line(struct import_state *s, const char *path, enum profile_part part, line_fn fn)
{
	struct csv_record rec;
	struct order_line line;
	char why[512];
	int bad, rc;

	if (open_input(s, path, part) < 0)
		return -1;
	while ((rc = next_line(s, &rec, &line, why, sizeof(why), &bad)) == 1)
		if (fn(s, &rec, &line, why, sizeof(why), bad) < 0)
			return -1;
	return rc;
}

/* A row of a two-file export's order file (Taobao 订单报表): into the book, or rejected. */
static int add_order(struct import_state *s, const struct csv_record *rec,
		     const struct order_line *line, char *why, size_t whylen, int bad)
{
	long first;
	int rc = 0;

	s->c->read++;
	if (!bad && (rc = order_book_add_order(s->book, line, rec->line, &first)) == 1) {
		snprintf(why, whylen, "order %.*s appears twice (first at line %ld)",
			 (int)line->order_no.n, line->order_no.p, first);
		bad = 1;
	}
	if (rc < 0)
		return oom(s);
	if (bad && ((line->order_no.n &&
		     order_book_add_rejected(s->book, line->order_no, rec->line) < 0) ||
		    reject(s, rec, NULL, why) < 0))
		return oom(s);
	return 0;
}

/* First pass over an export's lines: what each order has (order_book_note). */
static int note_line(struct import_state *s, const struct csv_record *rec,
		     const struct order_line *line, char *why, size_t whylen, int bad)
{
	(void)rec, (void)why, (void)whylen;
	return !bad && order_book_note(s->book, line) < 0 ? oom(s) : 0;
}

/* The load pass: each line completed (exports), then streamed or rejected. */
static int load_line(struct import_state *s, const struct csv_record *rec,
		     const struct order_line *parsed, char *why, size_t whylen, int bad)
{
	struct order_line line = *parsed;

	s->c->read++;
	if ((s->c->read & 4095) == 0)
		show_progress(s);
	if (!bad && s->book && order_book_complete(s->book, &line, why, whylen) < 0)
		bad = 1;
	return bad ? reject_line(s, rec, &line, why) : take_line(s, rec, &line);
}

/* An order of the order file that no line named: rejected at its row. */
static int reject_orphan(void *arg, const char *order_no, long src_line)
{
	struct import_state *s = arg;
	char why[256];

	snprintf(why, sizeof(why), "order %s has no line in the %s given with it", order_no,
		 s->profile->lines.label);
	return reject_at(s, s->o->orders_name, src_line, order_no, strlen(order_no), 0, NULL, why);
}

/* Every read of the input: the order file, the first pass and the load. */
static int read_input(struct import_state *s)
{
	if (s->o->profile && strcasecmp(s->o->profile, "auto") != 0 &&
	    !(s->profile = order_profile_find(s->o->profile))) {
		snprintf(s->err, s->errlen, "unknown profile '%s' (profiles: %s, or auto)",
			 s->o->profile, order_profile_names());
		return -1;
	}
	/* auto: the header of the first file read tells the profile */
	if (!s->profile && open_input(s, s->o->orders_path ? s->o->orders_path : s->o->path,
				      s->o->orders_path ? PROFILE_ORDERS : PROFILE_LINES) < 0)
		return -1;
	if (s->profile && s->profile->export && !(s->book = order_book_new(s->profile)))
		return oom(s);
	if (s->book && s->o->orders_path &&
	    each_line(s, s->o->orders_path, PROFILE_ORDERS, add_order) < 0)
		return -1;
	if (s->book && each_line(s, s->o->path, PROFILE_LINES, note_line) < 0)
		return -1;
	if (each_line(s, s->o->path, PROFILE_LINES, load_line) < 0)
		return -1;
	show_progress(s);
	return s->book && order_book_each_orphan(s->book, reject_orphan, s) < 0 ? oom(s) : 0;
}

/*
 * err as the unit's failure: a message that starts with a location of the
 * input ("orders.csv:12: why", "orders.csv: why") gives the failure's object,
 * the rest its reason. Returns -1.
 */
static int stage_failed(struct source_tx *tx, const struct order_import_opts *o, const char *err)
{
	const char *names[] = { o->name, o->orders_name };
	char object[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = names[i] ? strlen(names[i]) : 0;
		const char *p = err + n;

		if (!n || strncmp(err, names[i], n) != 0 || *p != ':')
			continue;
		if (isdigit((unsigned char)p[1])) /* a line: "name:12: why" */
			for (p++; isdigit((unsigned char)*p); p++)
				;
		if (p[0] != ':' || p[1] != ' ' || (size_t)(p - err) >= sizeof(object))
			continue;
		snprintf(object, sizeof(object), "%.*s", (int)(p - err), err);
		return failure_set(tx->fail, object, "%s", p + 2);
	}
	return failure_set(tx->fail, NULL, "%s", err);
}

int order_import_stage(const struct order_import_opts *o, struct order_sink *sink,
		       struct source_tx *tx)
{
	const struct source_ctx *ctx = tx->ctx;
	struct import_state s = { 0 };
	char err[4096] = "";
	int rc;

	s.o = o;
	s.tx = tx;
	s.c = &tx->c;
	s.sink = sink;
	s.err = err;
	s.errlen = sizeof(err);
	s.c->pages = 1;
	if (order_sink_begin(sink, ctx->conn, ctx->run_id, ctx->src->name, o->timezone,
			     ctx->replay, s.c) < 0)
		rc = db_fail(tx->fail, o->name, "cannot prepare staging");
	else if ((rc = read_input(&s)) == 0 && order_sink_end_copy(sink, reject_held_line, &s) < 0)
		rc = err[0] ? -1 : db_fail(tx->fail, o->name, "COPY into staging failed");
	/* the messages above name the file and line themselves */
	if (rc < 0 && !failure_is_set(tx->fail))
		stage_failed(tx, o, err);
	table_file_close(s.in);
	order_book_free(s.book);
	return rc < 0 ? -1 : 0;
}

int order_import_file_time(const char *path, struct ltime *out, const char **how, char *err,
			   size_t errlen)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (order_profile_time_from_name(slash ? slash + 1 : path, out) == 0) {
		*how = "file name";
		return 0;
	}
	if (stat(path, &st) < 0 || ltime_from_unix((int64_t)st.st_mtime, out) < 0) {
		snprintf(err, errlen, "%s: cannot tell the export's time: %s", path,
			 strerror(errno));
		return -1;
	}
	*how = "file mtime";
	return 0;
}

/* The profile and part of one file, from its header (profile NULL or "auto": detected). */
static int file_part(const char *profile, const char *path, enum csv_encoding enc,
		     const struct order_profile **p, enum profile_part *part, char *err,
		     size_t errlen)
{
	struct table_file *t = table_file_open(path, enc, err, errlen);
	struct csv_record hdr;
	char why[2048];
	int rc = -1;

	if (!t)
		return -1;
	*p = profile && strcasecmp(profile, "auto") != 0 ? order_profile_find(profile) : NULL;
	*part = PROFILE_LINES;
	if (table_file_next(t, &hdr, why, sizeof(why)) != 1)
		snprintf(err, errlen, "%s: no header row", path);
	else if (!*p && !(*p = order_profile_detect(&hdr, part, why, sizeof(why))))
		snprintf(err, errlen, "%s: %s", path, why);
	else if ((*p)->orders.cols && order_profile_part(*p, &hdr, part, why, sizeof(why)) < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	else
		rc = 0;
	table_file_close(t);
	return rc;
}

int order_import_plan(const char *profile, char *const *files, int n, enum csv_encoding enc,
		      struct import_unit *units, char *err, size_t errlen)
{
	int nunits = 0;

	const struct order_profile *given =
		profile && strcasecmp(profile, "auto") != 0 ? order_profile_find(profile) : NULL;

	for (int i = 0; i < n; i++) {
		const struct order_profile *p = given;
		enum profile_part part = PROFILE_LINES;
		int k;

		/* a one-file profile needs no look at the header here: the import reads it */
		if ((!given || given->orders.cols) &&
		    file_part(profile, files[i], enc, &p, &part, err, errlen) < 0)
			return -1;
		if (!p) {
			snprintf(err, errlen, "unknown profile '%s' (profiles: %s, or auto)", profile,
				 order_profile_names());
			return -1;
		}
		if (!given)
			log_info("msg=\"profile chosen from the header\" file=%s profile=%s", files[i],
				 p->name);
		if (!p->orders.cols) {
			units[nunits++] = (struct import_unit){ files[i], NULL, p->name };
			continue;
		}
		/* the first unit of this profile still missing this half */
		for (k = 0; k < nunits; k++)
			if (units[k].profile == p->name &&
			    (part == PROFILE_ORDERS ? !units[k].orders_path : !units[k].path))
				break;
		if (k == nunits)
			units[nunits++] = (struct import_unit){ NULL, NULL, p->name };
		if (part == PROFILE_ORDERS)
			units[k].orders_path = files[i];
		else
			units[k].path = files[i];
	}
	for (int k = 0; k < nunits; k++) {
		const struct order_profile *p = order_profile_find(units[k].profile);

		if (p->orders.cols && (!units[k].path || !units[k].orders_path)) {
			snprintf(err, errlen, "%s: a %s %s loads only with its %s: give both files",
				 units[k].path ? units[k].path : units[k].orders_path, p->name,
				 units[k].path ? p->lines.label : p->orders.label,
				 units[k].path ? p->orders.label : p->lines.label);
			return -1;
		}
	}
	return nunits;
}

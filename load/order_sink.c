/*
 * order_sink.c — canonical order lines → staging → dedupe → etl.merge_orders →
 * watermark (see include/siyu/load/order_sink.h).
 *
 * The COPY goes in 64 KiB chunks: PQputCopyData returns once the socket has
 * taken a chunk, and a local socket holds ~200 KiB, so the server parses the
 * chunks in flight on one core while the caller parses the next records on the
 * other (with 1 MiB chunks the caller waited for the server to drain most of
 * each one, then the server waited for the next: the COPY of the bench's
 * 100k orders took ~1.35x as long). The
 * client keeps no state per order (its memory does not grow with the input):
 * the batch's dedupe is etl.dedupe_staged_lines, over the staging table.
 */
#include "siyu/load/order_sink.h"

#include "siyu/common/copytext.h"
#include "siyu/common/debug.h"
#include "siyu/load/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_CHUNK (1 << 16) /* under a local socket's buffer: see above */
#define COPY_BUF_MAX (4 << 20) /* the chunk and one long row (the cap it always had) */

static int add_span(struct buf *b, struct span s, int empty_is_null)
{
	if (empty_is_null && s.n == 0)
		return copytext_field(b, NULL, 0) || buf_addch(b, '\t');
	return copytext_field(b, s.p, s.n) || buf_addch(b, '\t');
}

static int add_int(struct buf *b, long long v, char end)
{
	return copytext_int(b, v) || buf_addch(b, end);
}

static int add_time(struct buf *b, const struct ltime *t, int present)
{
	char text[48];
	int n;

	if (!present)
		return buf_add(b, "\\N\t", 3);
	if ((n = ltime_format(t, text, sizeof(text))) < 0)
		return -1;
	return buf_add(b, text, (size_t)n) || buf_addch(b, '\t');
}

/* One COPY text row in staging.order_line_in's column order (no printf: it runs per line). */
static int copy_row(struct buf *b, long src_row, const struct order_line *l)
{
	struct span none = { "", 0 };
	const char *status = order_status_name(l->status);

	return !status || add_int(b, src_row, '\t') || add_span(b, l->platform, 0) ||
	       add_span(b, l->shop_id, 0) || add_span(b, l->shop_name, 1) ||
	       add_span(b, l->order_no, 0) ||
	       (l->line_no ? add_int(b, l->line_no, '\t') : buf_add(b, "\\N\t", 3)) ||
	       add_span(b, l->line_id, 0) ||
	       buf_adds(b, status) || buf_addch(b, '\t') ||
	       add_time(b, &l->created, 1) || add_time(b, &l->paid, l->has_paid) ||
	       add_time(b, &l->updated, 1) || add_span(b, l->buyer_id, 0) ||
	       add_span(b, l->unionid, 0) ||
	       add_span(b, l->has_phone ? (struct span){ l->phone_hash, 64 } : none, 0) ||
	       add_span(b, (struct span){ l->phone_masked, strlen(l->phone_masked) }, 1) ||
	       add_span(b, l->sku, 0) || add_span(b, l->title, 1) ||
	       add_int(b, l->quantity, '\t') || add_int(b, l->unit_price_fen, '\t') ||
	       add_int(b, l->gross_fen, '\t') || add_int(b, l->paid_fen, '\t') ||
	       add_int(b, l->refund_fen, '\t') || add_int(b, l->shipping_fen, '\t') ||
	       add_int(b, l->discount_fen, '\n');
}

static int flush_copy(struct order_sink *s, size_t threshold)
{
	if (s->copy.len < threshold)
		return 0;
	if (db_copy_put(s->conn, s->copy.data, s->copy.len) < 0)
		return -1;
	buf_reset(&s->copy);
	return 0;
}

int order_sink_begin(struct order_sink *s, PGconn *conn, long long run_id, const char *source,
		     const char *timezone, int replace_equal, struct load_counts *c)
{
	const char *tz[] = { timezone };
	char sql[320];

	memset(s, 0, sizeof(*s));
	s->conn = conn;
	s->run_id = run_id;
	s->source = source;
	s->replace_equal = replace_equal;
	s->c = c;
	buf_init(&s->copy, COPY_BUF_MAX);
	buf_init(&s->held, 0);
	snprintf(s->table, sizeof(s->table), "staging.order_line_r%lld", run_id);
	snprintf(sql, sizeof(sql),
		 "DROP TABLE IF EXISTS %s; CREATE UNLOGGED TABLE %s (LIKE staging.order_line_in)",
		 s->table, s->table);
	/* Local times of the input are read in the source's zone. */
	if (db_exec_params(conn, "SELECT set_config('TimeZone', $1, true)", 1, tz) < 0 ||
	    db_exec(conn, sql) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN", s->table);
	if (db_copy_begin(conn, sql) < 0)
		return -1;
	s->in_copy = 1;
	return 0;
}

static void note_version(struct order_sink *s, const struct order_line *l)
{
	int64_t v = order_version_value(&l->updated);

	if (s->max_version[0] && v <= s->max_version_value)
		return;
	s->max_version_value = v;
	ltime_format(&l->updated, s->max_version, sizeof(s->max_version));
}

int order_sink_add(struct order_sink *s, long src_row, const struct order_line *l)
{
	note_version(s, l);
	if (copy_row(&s->copy, src_row, l) < 0 || flush_copy(s, COPY_CHUNK) < 0)
		return -1;
	s->kept++;
	debug_point("copy");
	return 0;
}

/*
 * A replay merges with etl.merge_orders_replay (0012): an order whose version
 * equals the warehouse's is replaced too, so a fixed transform repairs it.
 */
int order_sink_hold(struct order_sink *s, const struct order_line *l, long bad_row)
{
	return copytext_field(&s->held, l->platform.p, l->platform.n) ||
	       buf_addch(&s->held, '\t') ||
	       copytext_field(&s->held, l->shop_id.p, l->shop_id.n) || buf_addch(&s->held, '\t') ||
	       copytext_field(&s->held, l->order_no.p, l->order_no.n) ||
	       buf_addf(&s->held, "\t%ld\n", bad_row) ? -1 : 0;
}

/*
 * held_order: the orders held by the caller (order_sink_hold) and, from
 * etl.dedupe_staged_lines, the lines that conflict with their order version;
 * counts the superseded and repeated lines. 0 / -1.
 */
static int judge_staged(struct order_sink *s)
{
	const char *params[] = { s->table };
	PGresult *res;

	if (db_exec(s->conn, "CREATE TEMP TABLE held_order (platform text, shop_id text, "
			     "order_no text, bad_row bigint, reason text) ON COMMIT DROP") < 0)
		return -1;
	if (s->held.len > 0) {
		if (db_copy_begin(s->conn, "COPY held_order (platform, shop_id, order_no, bad_row) "
					   "FROM STDIN") < 0)
			return -1;
		if (db_copy_put(s->conn, s->held.data, s->held.len) < 0) {
			db_copy_end(s->conn, "client failed");
			return -1;
		}
		if (db_copy_end(s->conn, NULL) < 0)
			return -1;
	}
	res = db_query(s->conn, "SELECT etl.dedupe_staged_lines($1::regclass, 'held_order')", 1,
		       params);
	if (!res)
		return -1;
	s->c->duplicates += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/*
 * Delete the held orders' staged lines, handing each to held(): reason is the
 * line's own fault when it is one of the held rows, else NULL (held back by
 * bad_row, the order's first bad line). Returns the lines handed, or -1.
 */
static long long remove_held(struct order_sink *s, order_sink_held_fn held, void *arg)
{
	char sql[900];
	PGresult *res;
	long long n;
	int rc = 0;

	snprintf(sql, sizeof(sql),
		 "DELETE FROM %s t USING (SELECT platform, shop_id, order_no, min(bad_row) AS bad_row "
		 "FROM held_order GROUP BY 1, 2, 3) h "
		 "WHERE (t.platform, t.shop_id, t.order_no) = (h.platform, h.shop_id, h.order_no) "
		 "RETURNING t.src_row, t.platform || '/' || t.shop_id || '/' || t.order_no, "
		 "h.bad_row, (SELECT min(r.reason) FROM held_order r WHERE (r.platform, r.shop_id, "
		 "r.order_no, r.bad_row) = (t.platform, t.shop_id, t.order_no, t.src_row)), "
		 "row_to_json(t)::text",
		 s->table);
	res = db_query(s->conn, sql, 0, NULL);
	if (!res)
		return -1;
	n = PQntuples(res);
	if (n > 0 && !held) {
		fprintf(stderr, "siyu: order_sink_end_copy: orders were held but nobody rejects "
				"their lines\n");
		rc = -1;
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = held(arg, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			  PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
	PQclear(res);
	return rc < 0 ? -1 : n;
}

int order_sink_end_copy(struct order_sink *s, order_sink_held_fn held, void *arg)
{
	s->in_copy = 0;
	if (flush_copy(s, 0) < 0) {
		db_copy_end(s->conn, "client failed");
		return -1;
	}
	if (db_copy_end(s->conn, NULL) < 0)
		return -1;
	if (s->kept == 0)
		return 0;
	if (judge_staged(s) < 0 || remove_held(s, held, arg) < 0)
		return -1;
	return db_exec(s->conn, "DROP TABLE held_order");
}

int order_sink_merge(struct order_sink *s)
{
	char run[32];
	const char *params[] = { run, s->table, s->source };
	char sql[128];
	PGresult *res;

	if (s->in_copy && order_sink_end_copy(s, NULL, NULL) < 0)
		return -1;
	if (s->kept == 0) {
		/* an empty batch (an API window without orders) changes nothing: the merge
		 * would still cost its dozen temporary tables */
		s->c->inserted = s->c->updated = s->c->unchanged = s->c->merged_customers = 0;
		goto drop;
	}
	snprintf(run, sizeof(run), "%lld", s->run_id);
	res = db_query(s->conn,
		       s->replace_equal
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
drop:
	snprintf(sql, sizeof(sql), "DROP TABLE %s", s->table);
	return db_exec(s->conn, sql);
}

const char *order_sink_watermark(const struct order_sink *s)
{
	return s->max_version[0] ? s->max_version : NULL;
}

void order_sink_release(struct order_sink *s)
{
	buf_release(&s->copy);
	buf_release(&s->held);
}

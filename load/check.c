/*
 * check.c — data tests and source freshness (see include/siyu/load/check.h).
 *
 * Each data test is one query returning a text line per row that breaks its
 * rule, naming the row by its natural key (platform/shop/order_no, userid,
 * ...) and the values in question. The runner counts the rows and keeps the
 * first five in text order.
 */
#include "siyu/load/check.h"

#include "siyu/load/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct data_test {
	const char *name;
	const char *rule;
	const char *sql;
};

/* platform/shop_id/order_no of the order of row a (anything with order_key). */
#define ORDER_NK(a) \
	"COALESCE((SELECT ch.platform || '/' || ch.shop_id || '/' || oi.order_no " \
	"FROM dw.order_identity oi JOIN dw.dim_channel ch ON ch.channel_key = oi.channel_key " \
	"WHERE oi.order_key = " a ".order_key LIMIT 1), 'order_key ' || " a ".order_key)"

/* platform/shop_id of the channel of row a. */
#define CHANNEL_NK(a) \
	"COALESCE((SELECT ch.platform || '/' || ch.shop_id FROM dw.dim_channel ch " \
	"WHERE ch.channel_key = " a ".channel_key LIMIT 1), 'channel_key ' || " a ".channel_key)"

/* An identity as operators may see it: phones masked, never the hash. */
#define IDENTITY(a) \
	"(" a ".id_type || ' ' || CASE WHEN " a ".id_type = 'phone' " \
	"THEN COALESCE(" a ".display_value, 'hash ' || left(" a ".id_value, 8) || '...') " \
	"WHEN " a ".platform <> '' THEN " a ".platform || ':' || " a ".id_value " \
	"ELSE " a ".id_value END)"

/* Rows of dw.tbl whose col does not resolve in dw.ref(refcol); key names the row. */
#define FK(tbl, key, col, ref, refcol) \
	"SELECT " key " || ': " col " ' || t." col " || ' not in " ref "' FROM dw." tbl " t " \
	"WHERE t." col " IS NOT NULL AND NOT EXISTS " \
	"(SELECT 1 FROM dw." ref " r WHERE r." refcol " = t." col ")"

/* Per order: the sums over its lines. */
#define LINE_SUMS \
	"(SELECT order_key, created_at, sum(gross_fen) AS gross, sum(paid_fen) AS paid, " \
	"sum(refund_fen) AS refund, count(*) AS n, sum(quantity) AS items " \
	"FROM dw.fact_order_line GROUP BY order_key, created_at) l " \
	"ON l.order_key = f.order_key AND l.created_at = f.created_at"

static const struct data_test tests[] = {
	/* natural keys */
	{ "unique.order_identity", "one dw.order_identity per (channel, order_no)",
	  "SELECT format('%s/%s: %s rows', " CHANNEL_NK("i") ", i.order_no, count(*)) "
	  "FROM dw.order_identity i GROUP BY i.channel_key, i.order_no HAVING count(*) > 1" },
	{ "unique.fact_order", "one dw.fact_order row per order, over all partitions",
	  "SELECT format('%s: %s rows', " ORDER_NK("f") ", count(*)) "
	  "FROM dw.fact_order f GROUP BY f.order_key HAVING count(*) > 1" },
	{ "unique.fact_order_line", "one dw.fact_order_line per (order, line_no)",
	  "SELECT format('%s line %s: %s rows', " ORDER_NK("l") ", l.line_no, count(*)) "
	  "FROM dw.fact_order_line l GROUP BY l.order_key, l.line_no HAVING count(*) > 1" },
	{ "unique.dim_channel", "one dw.dim_channel per (platform, shop_id)",
	  "SELECT format('%s/%s: %s rows', platform, shop_id, count(*)) "
	  "FROM dw.dim_channel GROUP BY platform, shop_id HAVING count(*) > 1" },
	{ "unique.dim_product", "one dw.dim_product per (channel, sku)",
	  "SELECT format('%s/%s: %s rows', " CHANNEL_NK("p") ", p.sku, count(*)) "
	  "FROM dw.dim_product p GROUP BY p.channel_key, p.sku HAVING count(*) > 1" },
	{ "unique.customer_identity", "one dw.customer_identity per (id_type, platform, id_value)",
	  "SELECT format('%s: %s rows', " IDENTITY("i") ", i.n) FROM (SELECT id_type, platform, "
	  "id_value, max(display_value) AS display_value, count(*) AS n FROM dw.customer_identity "
	  "GROUP BY id_type, platform, id_value HAVING count(*) > 1) i" },
	{ "unique.dim_staff", "one dw.dim_staff per userid",
	  "SELECT format('%s: %s rows', userid, count(*)) FROM dw.dim_staff "
	  "GROUP BY userid HAVING count(*) > 1" },
	{ "unique.dim_group", "one dw.dim_group per chat_id",
	  "SELECT format('%s: %s rows', chat_id, count(*)) FROM dw.dim_group "
	  "GROUP BY chat_id HAVING count(*) > 1" },
	{ "unique.dim_tag", "one dw.dim_tag per tag_id",
	  "SELECT format('%s: %s rows', tag_id, count(*)) FROM dw.dim_tag "
	  "GROUP BY tag_id HAVING count(*) > 1" },

	/* foreign keys */
	{ "relationships.fact_order.order_identity",
	  "every fact_order row has its dw.order_identity, with the same channel and created_at",
	  "SELECT format('%s: %s', " ORDER_NK("f") ", CASE WHEN i.order_key IS NULL THEN "
	  "'no order_identity' WHEN i.created_at <> f.created_at THEN "
	  "format('created_at %s, order_identity says %s', f.created_at, i.created_at) ELSE "
	  "format('channel_key %s, order_identity says %s', f.channel_key, i.channel_key) END) "
	  "FROM dw.fact_order f LEFT JOIN dw.order_identity i ON i.order_key = f.order_key "
	  "WHERE i.order_key IS NULL OR i.created_at <> f.created_at "
	  "OR i.channel_key <> f.channel_key" },
	{ "relationships.order_identity.fact_order", "every dw.order_identity has its fact_order row",
	  "SELECT format('%s/%s: no fact_order row', " CHANNEL_NK("i") ", i.order_no) "
	  "FROM dw.order_identity i "
	  "WHERE NOT EXISTS (SELECT 1 FROM dw.fact_order f WHERE f.order_key = i.order_key)" },
	{ "relationships.fact_order.customer_key",
	  "fact_order.customer_key is a live dw.dim_customer (NULL: a guest)",
	  "SELECT format('%s: customer_key %s', " ORDER_NK("f") ", f.customer_key) "
	  "FROM dw.fact_order f WHERE f.customer_key IS NOT NULL AND NOT EXISTS "
	  "(SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = f.customer_key)" },
	{ "relationships.fact_order.channel_key", "fact_order.channel_key is in dw.dim_channel",
	  "SELECT format('%s: channel_key %s', " ORDER_NK("f") ", f.channel_key) "
	  "FROM dw.fact_order f WHERE NOT EXISTS "
	  "(SELECT 1 FROM dw.dim_channel c WHERE c.channel_key = f.channel_key)" },
	{ "relationships.fact_order.date_keys",
	  "fact_order.order_date_key and paid_date_key are in dw.dim_date",
	  "SELECT format('%s: order_date_key %s, paid_date_key %s', " ORDER_NK("f") ", "
	  "f.order_date_key, f.paid_date_key) FROM dw.fact_order f "
	  "WHERE NOT EXISTS (SELECT 1 FROM dw.dim_date d WHERE d.date_key = f.order_date_key) "
	  "OR (f.paid_date_key IS NOT NULL AND NOT EXISTS "
	  "(SELECT 1 FROM dw.dim_date d WHERE d.date_key = f.paid_date_key))" },
	{ "relationships.fact_order_line.fact_order",
	  "every line belongs to a fact_order row (same order_key and created_at)",
	  "SELECT format('%s line %s: no fact_order row', " ORDER_NK("l") ", l.line_no) "
	  "FROM dw.fact_order_line l WHERE NOT EXISTS (SELECT 1 FROM dw.fact_order f "
	  "WHERE f.order_key = l.order_key AND f.created_at = l.created_at)" },
	{ "relationships.fact_order_line.product_key", "fact_order_line.product_key is in dw.dim_product",
	  "SELECT format('%s line %s: product_key %s', " ORDER_NK("l") ", l.line_no, l.product_key) "
	  "FROM dw.fact_order_line l WHERE NOT EXISTS "
	  "(SELECT 1 FROM dw.dim_product p WHERE p.product_key = l.product_key)" },
	{ "relationships.dim_product.channel_key", "dim_product.channel_key is in dw.dim_channel",
	  FK("dim_product", "'sku ' || t.sku", "channel_key", "dim_channel", "channel_key") },
	{ "relationships.customer_identity.customer_key",
	  "every identity points at a live dw.dim_customer",
	  "SELECT format('%s: customer_key %s', " IDENTITY("i") ", i.customer_key) "
	  "FROM dw.customer_identity i WHERE NOT EXISTS "
	  "(SELECT 1 FROM dw.dim_customer d WHERE d.customer_key = i.customer_key)" },
	{ "relationships.customer_merge",
	  "customer_merge.into_key is a live customer and from_key is not (merges are one hop)",
	  "SELECT format('merge %s (%s into %s): %s', m.merge_id, m.from_key, m.into_key, "
	  "CASE WHEN d.customer_key IS NULL THEN 'into_key is not a live customer' "
	  "ELSE 'from_key is still a live customer' END) "
	  "FROM dw.customer_merge m LEFT JOIN dw.dim_customer d ON d.customer_key = m.into_key "
	  "WHERE d.customer_key IS NULL OR EXISTS "
	  "(SELECT 1 FROM dw.dim_customer f WHERE f.customer_key = m.from_key)" },
	{ "relationships.fact_contact", "fact_contact's staff and customer resolve",
	  FK("fact_contact", "'contact_key ' || t.contact_key", "staff_key", "dim_staff", "staff_key")
	  " UNION ALL "
	  FK("fact_contact", "'contact_key ' || t.contact_key", "customer_key", "dim_customer",
	     "customer_key") },
	{ "relationships.fact_contact_event", "fact_contact_event's staff, customer and date resolve",
	  FK("fact_contact_event", "'event_key ' || t.event_key", "staff_key", "dim_staff",
	     "staff_key")
	  " UNION ALL "
	  FK("fact_contact_event", "'event_key ' || t.event_key", "customer_key", "dim_customer",
	     "customer_key")
	  " UNION ALL "
	  FK("fact_contact_event", "'event_key ' || t.event_key", "date_key", "dim_date",
	     "date_key") },
	{ "relationships.fact_group_member", "fact_group_member's group, customer and staff resolve",
	  FK("fact_group_member", "'member_span_key ' || t.member_span_key", "group_key",
	     "dim_group", "group_key")
	  " UNION ALL "
	  FK("fact_group_member", "'member_span_key ' || t.member_span_key", "customer_key",
	     "dim_customer", "customer_key")
	  " UNION ALL "
	  FK("fact_group_member", "'member_span_key ' || t.member_span_key", "staff_key",
	     "dim_staff", "staff_key") },
	{ "relationships.fact_staff_daily", "fact_staff_daily's staff and date resolve",
	  FK("fact_staff_daily", "'staff_key ' || t.staff_key || ' day ' || t.date_key",
	     "staff_key", "dim_staff", "staff_key")
	  " UNION ALL "
	  FK("fact_staff_daily", "'staff_key ' || t.staff_key || ' day ' || t.date_key",
	     "date_key", "dim_date", "date_key") },
	{ "relationships.fact_group_daily", "fact_group_daily's owner and date resolve",
	  FK("fact_group_daily", "'owner ' || t.owner_staff_key || ' day ' || t.date_key",
	     "owner_staff_key", "dim_staff", "staff_key")
	  " UNION ALL "
	  FK("fact_group_daily", "'owner ' || t.owner_staff_key || ' day ' || t.date_key",
	     "date_key", "dim_date", "date_key") },
	{ "relationships.bridge_customer_tag", "bridge_customer_tag's customer, tag and staff resolve",
	  FK("bridge_customer_tag", "'customer_key ' || t.customer_key || ' tag_key ' || t.tag_key",
	     "customer_key", "dim_customer", "customer_key")
	  " UNION ALL "
	  FK("bridge_customer_tag", "'customer_key ' || t.customer_key || ' tag_key ' || t.tag_key",
	     "tag_key", "dim_tag", "tag_key")
	  " UNION ALL "
	  FK("bridge_customer_tag", "'customer_key ' || t.customer_key || ' tag_key ' || t.tag_key",
	     "staff_key", "dim_staff", "staff_key") },
	{ "relationships.dim_group.owner_staff_key", "dim_group.owner_staff_key is in dw.dim_staff",
	  FK("dim_group", "'chat ' || t.chat_id", "owner_staff_key", "dim_staff", "staff_key") },

	/* accepted values */
	{ "accepted_values.fact_order.status",
	  "fact_order.status is unpaid, paid, shipped, completed, cancelled, refunding or refunded",
	  "SELECT format('%s: status %s', " ORDER_NK("f") ", quote_nullable(f.status)) "
	  "FROM dw.fact_order f WHERE f.status IS NULL OR f.status NOT IN ('unpaid', 'paid', "
	  "'shipped', 'completed', 'cancelled', 'refunding', 'refunded')" },
	{ "accepted_values.customer_identity.id_type",
	  "customer_identity.id_type is external_userid, unionid, phone or buyer_id",
	  "SELECT format('%s: id_type %s', " IDENTITY("i") ", quote_nullable(i.id_type)) "
	  "FROM dw.customer_identity i WHERE i.id_type IS NULL OR i.id_type NOT IN "
	  "('external_userid', 'unionid', 'phone', 'buyer_id')" },
	{ "accepted_values.fact_contact_event.event_type",
	  "fact_contact_event.event_type is add or remove",
	  "SELECT format('event_key %s: event_type %s', event_key, quote_nullable(event_type)) "
	  "FROM dw.fact_contact_event WHERE event_type IS NULL OR event_type NOT IN ('add', 'remove')" },
	{ "accepted_values.fact_group_member.member_type",
	  "fact_group_member.member_type is customer or staff",
	  "SELECT format('member_span_key %s: member_type %s', member_span_key, "
	  "quote_nullable(member_type)) FROM dw.fact_group_member "
	  "WHERE member_type IS NULL OR member_type NOT IN ('customer', 'staff')" },

	/* money */
	{ "non_negative.fact_order", "fact_order gross, discount, shipping, paid and refund fen are >= 0",
	  "SELECT format('%s: %s', " ORDER_NK("f") ", concat_ws(', ', "
	  "'gross_fen ' || NULLIF(least(f.gross_fen, 0), 0), "
	  "'discount_fen ' || NULLIF(least(f.discount_fen, 0), 0), "
	  "'shipping_fen ' || NULLIF(least(f.shipping_fen, 0), 0), "
	  "'paid_fen ' || NULLIF(least(f.paid_fen, 0), 0), "
	  "'refund_fen ' || NULLIF(least(f.refund_fen, 0), 0))) FROM dw.fact_order f "
	  "WHERE least(f.gross_fen, f.discount_fen, f.shipping_fen, f.paid_fen, f.refund_fen) < 0" },
	{ "non_negative.fact_order_line",
	  "fact_order_line unit price, gross, paid and refund fen are >= 0, quantity > 0",
	  "SELECT format('%s line %s: %s', " ORDER_NK("l") ", l.line_no, concat_ws(', ', "
	  "'quantity ' || NULLIF(least(l.quantity, 0), 0), "
	  "CASE WHEN l.quantity = 0 THEN 'quantity 0' END, "
	  "'unit_price_fen ' || NULLIF(least(l.unit_price_fen, 0), 0), "
	  "'gross_fen ' || NULLIF(least(l.gross_fen, 0), 0), "
	  "'paid_fen ' || NULLIF(least(l.paid_fen, 0), 0), "
	  "'refund_fen ' || NULLIF(least(l.refund_fen, 0), 0))) FROM dw.fact_order_line l "
	  "WHERE l.quantity <= 0 OR "
	  "least(l.unit_price_fen, l.gross_fen, l.paid_fen, l.refund_fen) < 0" },

	/* lines against their header (README "Choices": header amounts live on the order) */
	{ "lines.exist", "every order has at least one line",
	  "SELECT format('%s: no lines', " ORDER_NK("f") ") FROM dw.fact_order f "
	  "WHERE NOT EXISTS (SELECT 1 FROM dw.fact_order_line l "
	  "WHERE l.order_key = f.order_key AND l.created_at = f.created_at)" },
	{ "lines.gross", "fact_order.gross_fen = sum of its lines' gross_fen",
	  "SELECT format('%s: gross_fen %s, lines %s', " ORDER_NK("f") ", f.gross_fen, l.gross) "
	  "FROM dw.fact_order f JOIN " LINE_SUMS " WHERE f.gross_fen <> l.gross" },
	{ "lines.paid", "fact_order.paid_fen = sum of its lines' paid_fen + shipping_fen",
	  "SELECT format('%s: paid_fen %s, lines %s + shipping %s', " ORDER_NK("f") ", f.paid_fen, "
	  "l.paid, f.shipping_fen) FROM dw.fact_order f JOIN " LINE_SUMS
	  " WHERE f.paid_fen <> l.paid + f.shipping_fen" },
	{ "lines.refund", "fact_order.refund_fen = sum of its lines' refund_fen",
	  "SELECT format('%s: refund_fen %s, lines %s', " ORDER_NK("f") ", f.refund_fen, l.refund) "
	  "FROM dw.fact_order f JOIN " LINE_SUMS " WHERE f.refund_fen <> l.refund" },
	{ "lines.counts", "fact_order.line_count = its lines, item_count = sum of their quantity",
	  "SELECT format('%s: line_count %s, lines %s; item_count %s, quantity %s', "
	  ORDER_NK("f") ", f.line_count, l.n, f.item_count, l.items) "
	  "FROM dw.fact_order f JOIN " LINE_SUMS
	  " WHERE f.line_count <> l.n OR f.item_count <> l.items" },

	/* derived columns */
	{ "derived.is_qualifying",
	  "is_qualifying = paid_at is set, status not cancelled or refunded, and not refunded "
	  "in full by amount (migration 0015)",
	  "SELECT format('%s: is_qualifying %s (status %s, paid_at %s, paid_fen %s, refund_fen %s)', "
	  ORDER_NK("f") ", f.is_qualifying::text, f.status, COALESCE(f.paid_at::text, 'NULL'), "
	  "f.paid_fen, f.refund_fen) FROM dw.fact_order f "
	  "WHERE f.is_qualifying IS DISTINCT FROM (f.paid_at IS NOT NULL AND f.status NOT IN "
	  "('cancelled', 'refunded') AND NOT (f.refund_fen > 0 AND f.refund_fen >= f.paid_fen))" },
	{ "derived.order_seq",
	  "order_seq numbers each customer's qualifying orders 1..n by (paid_at, order_key); "
	  "NULL for the others and for guests",
	  "SELECT format('%s: order_seq %s, expected %s', " ORDER_NK("x") ", "
	  "COALESCE(x.order_seq::text, 'NULL'), COALESCE(x.expected::text, 'NULL')) "
	  "FROM (SELECT f.order_key, f.order_seq, CASE WHEN f.is_qualifying AND "
	  "f.customer_key IS NOT NULL THEN row_number() OVER (PARTITION BY f.customer_key, "
	  "f.is_qualifying ORDER BY f.paid_at, f.order_key) END AS expected "
	  "FROM dw.fact_order f) x WHERE x.order_seq IS DISTINCT FROM x.expected" },
	{ "derived.is_first_order", "is_first_order exactly when order_seq = 1",
	  "SELECT format('%s: is_first_order %s, order_seq %s', " ORDER_NK("f") ", f.is_first_order::text, "
	  "COALESCE(f.order_seq::text, 'NULL')) FROM dw.fact_order f "
	  "WHERE f.is_first_order IS DISTINCT FROM COALESCE(f.order_seq = 1, false)" },
	{ "derived.first_order_at",
	  "dim_customer.first_order_at = the earliest paid_at of its qualifying orders",
	  "SELECT format('customer_key %s: first_order_at %s, expected %s', d.customer_key, "
	  "COALESCE(d.first_order_at::text, 'NULL'), COALESCE(m.first_paid::text, 'NULL')) "
	  "FROM dw.dim_customer d LEFT JOIN (SELECT customer_key, min(paid_at) AS first_paid "
	  "FROM dw.fact_order WHERE is_qualifying AND customer_key IS NOT NULL "
	  "GROUP BY customer_key) m ON m.customer_key = d.customer_key "
	  "WHERE d.first_order_at IS DISTINCT FROM m.first_paid" },
	{ "derived.date_keys",
	  "order_date_key / paid_date_key are the business dates of created_at / paid_at",
	  "SELECT format('%s: order_date_key %s, paid_date_key %s, expected %s, %s', "
	  ORDER_NK("f") ", f.order_date_key, COALESCE(f.paid_date_key::text, 'NULL'), "
	  "to_char(f.created_at AT TIME ZONE z.tz, 'YYYYMMDD'), "
	  "COALESCE(to_char(f.paid_at AT TIME ZONE z.tz, 'YYYYMMDD'), 'NULL')) "
	  "FROM dw.fact_order f, (SELECT COALESCE((SELECT value FROM etl.setting "
	  "WHERE key = 'timezone'), 'Asia/Shanghai') AS tz) z "
	  "WHERE f.order_date_key <> to_char(f.created_at AT TIME ZONE z.tz, 'YYYYMMDD')::int "
	  "OR f.paid_date_key IS DISTINCT FROM to_char(f.paid_at AT TIME ZONE z.tz, 'YYYYMMDD')::int" },

	/* customers */
	{ "customers.identity", "every dim_customer has at least one identity",
	  "SELECT format('customer_key %s: no identity (first seen %s)', d.customer_key, "
	  "d.first_seen_at) FROM dw.dim_customer d WHERE NOT EXISTS "
	  "(SELECT 1 FROM dw.customer_identity i WHERE i.customer_key = d.customer_key)" },
};

#define NTESTS (sizeof(tests) / sizeof(tests[0]))

int check_selected(const char *name, const char *const *select, int nselect)
{
	if (nselect == 0)
		return 1;
	for (int i = 0; i < nselect; i++)
		if (strncmp(name, select[i], strlen(select[i])) == 0)
			return 1;
	return 0;
}

void check_list(check_report_fn report, void *arg)
{
	struct check_result r;

	for (size_t i = 0; i < NTESTS; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", tests[i].name);
		r.rule = tests[i].rule;
		report(&r, arg);
	}
}

/* Run one test: count its failing rows, keep the first examples. 0 / -1. */
static int run_test(PGconn *conn, const struct data_test *t, struct check_result *r)
{
	static const char wrap[] = "SELECT e, count(*) OVER () FROM (%s) t(e) ORDER BY e LIMIT %d";
	size_t len = strlen(t->sql) + sizeof(wrap) + 16;
	char *sql = malloc(len);
	PGresult *res;

	if (!sql)
		return -1;
	snprintf(sql, len, wrap, t->sql, CHECK_EXAMPLES);
	res = db_query(conn, sql, 0, NULL);
	free(sql);
	if (!res)
		return -1;
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", t->name);
	r->rule = t->rule;
	r->nexamples = PQntuples(res);
	r->failing = r->nexamples ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
	r->status = r->failing ? CHECK_FAIL : CHECK_OK;
	for (int i = 0; i < r->nexamples; i++)
		snprintf(r->example[i], sizeof(r->example[i]), "%s", PQgetvalue(res, i, 0));
	PQclear(res);
	return 0;
}

int check_data(PGconn *conn, const char *const *select, int nselect, check_report_fn report,
	       void *arg, char *err, size_t errlen)
{
	struct check_result r;
	int failed = 0;

	/* One snapshot for every test: a load committing meanwhile cannot
	 * make two tests disagree. */
	if (db_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") < 0) {
		snprintf(err, errlen, "%s", db_last_error());
		return -1;
	}
	for (size_t i = 0; i < NTESTS; i++) {
		if (!check_selected(tests[i].name, select, nselect))
			continue;
		if (run_test(conn, &tests[i], &r) < 0) {
			snprintf(err, errlen, "test %s: %s", tests[i].name, db_last_error());
			db_exec(conn, "ROLLBACK");
			return -1;
		}
		failed += r.status == CHECK_FAIL;
		report(&r, arg);
	}
	db_exec(conn, "COMMIT");
	return failed;
}

/* "3d 4h", "36h", "15m", "42s". */
static void format_duration(double seconds, char *out, size_t n)
{
	long s = seconds < 0 ? 0 : (long)seconds;

	if (s >= 86400 && s % 86400 >= 3600)
		snprintf(out, n, "%ldd %ldh", s / 86400, s % 86400 / 3600);
	else if (s >= 86400)
		snprintf(out, n, "%ldd", s / 86400);
	else if (s >= 3600)
		snprintf(out, n, "%ldh", s / 3600);
	else if (s >= 60)
		snprintf(out, n, "%ldm", s / 60);
	else
		snprintf(out, n, "%lds", s);
}

/* The lags of one source; < 0 when unknown (never loaded). */
struct lags {
	double watermark, success;
};

static int source_lags(PGconn *conn, const char *source, struct lags *l)
{
	const char *params[] = { source };
	PGresult *res = db_query(conn,
				 "SELECT extract(epoch FROM now() - (SELECT max(value) "
				 "FROM etl.watermark WHERE source = $1)), "
				 "extract(epoch FROM now() - (SELECT max(finished_at) "
				 "FROM etl.run_source WHERE source = $1 AND status = 'succeeded'))",
				 1, params);

	if (!res)
		return -1;
	l->watermark = PQgetisnull(res, 0, 0) ? -1 : strtod(PQgetvalue(res, 0, 0), NULL);
	l->success = PQgetisnull(res, 0, 1) ? -1 : strtod(PQgetvalue(res, 0, 1), NULL);
	PQclear(res);
	return 0;
}

/* Judge one source from its lags and thresholds; fill status and detail. */
static void judge_freshness(const struct config_source *src, const struct lags *l,
			    struct check_result *r)
{
	double lag = l->watermark > l->success ? l->watermark : l->success;
	char wm[32] = "none", ok[32] = "never", warn[32] = "off", fail[32] = "off";
	int never = l->watermark < 0 && l->success < 0;

	if (l->watermark >= 0)
		format_duration(l->watermark, wm, sizeof(wm));
	if (l->success >= 0)
		format_duration(l->success, ok, sizeof(ok));
	if (src->warn_after_s > 0)
		format_duration((double)src->warn_after_s, warn, sizeof(warn));
	if (src->error_after_s > 0)
		format_duration((double)src->error_after_s, fail, sizeof(fail));
	if (src->error_after_s > 0 && (never || lag > (double)src->error_after_s))
		r->status = CHECK_FAIL;
	else if (never || (src->warn_after_s > 0 && lag > (double)src->warn_after_s))
		r->status = CHECK_WARN;
	else
		r->status = CHECK_OK;
	r->watermark_lag_s = l->watermark;
	r->success_lag_s = l->success;
	r->warn_after_s = src->warn_after_s;
	r->error_after_s = src->error_after_s;
	snprintf(r->detail, sizeof(r->detail),
		 "watermark %s%s, last successful load %s%s; warn_after %s, error_after %s", wm,
		 l->watermark >= 0 ? " old" : "", ok, l->success >= 0 ? " ago" : "", warn, fail);
}

int check_freshness(PGconn *conn, const struct config *cfg, const char *const *select,
		    int nselect, check_report_fn report, void *arg, char *err, size_t errlen)
{
	struct check_result r;
	struct lags l;
	int failed = 0;

	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct config_source *src = &cfg->sources[i];

		if (!src->enabled || (src->warn_after_s <= 0 && src->error_after_s <= 0))
			continue;
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "freshness.%s", src->name);
		if (!check_selected(r.name, select, nselect))
			continue;
		r.rule = "the source's newest watermark and last successful load are recent";
		if (source_lags(conn, src->name, &l) < 0) {
			snprintf(err, errlen, "freshness of %s: %s", src->name, db_last_error());
			return -1;
		}
		judge_freshness(src, &l, &r);
		failed += r.status == CHECK_FAIL;
		report(&r, arg);
	}
	return failed;
}

/*
 * cmd_export.c — siyu export care|at-risk|audience NAME: an action list as a file the
 * team opens each morning (docs/actions.md): CSV in UTF-8 with BOM or .xlsx
 * (common/table_out.c), one file or one per staff member.
 *
 * Each list is one query over its kpi view; a column is a heading, its SQL and whether
 * it is a number or free text a person typed (remarks, nicknames, group names: phone
 * numbers in them are masked, transform/pii.c). The first column is always the owner's
 * userid, which --split-by-staff splits on.
 */
#include "cli.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"
#include "siyu/common/table_out.h"
#include "siyu/load/db.h"
#include "siyu/transform/pii.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NUMBER = 1, FREE_TEXT = 2 };

struct export_col {
	const char *header;
	const char *sql;
	unsigned flags;
};

/* The owner columns every list starts with (the split column first). */
#define OWNER_COLS \
	{ "员工账号", "staff_userid", 0 }, \
	{ "员工", "staff_name", FREE_TEXT }, \
	{ "客户external_userid", "external_userid", 0 }, \
	{ "客户昵称", "customer_name", FREE_TEXT }, \
	{ "备注名", "remark", FREE_TEXT }

/* The state of the owner relationship, in words. */
#define RELATIONSHIP_SQL \
	"CASE WHEN relationship_active THEN '正常' WHEN staff_userid IS NULL THEN '未加企微' " \
	"WHEN ended_by = 'customer' THEN '客户已删除员工' WHEN ended_by = 'staff' THEN '员工已删除客户' " \
	"ELSE '已结束' END"

static const struct export_col care_cols[] = {
	OWNER_COLS,
	{ "关怀节点", "'首购后第' || step || '天'", 0 },
	{ "状态", "CASE status WHEN 'due' THEN '待关怀' ELSE '已复购' END", 0 },
	{ "动作", CARE_ACTION_SQL, 0 },
	{ "企微关系", RELATIONSHIP_SQL, 0 },
	{ "所在群", "array_to_string(groups, '、')", FREE_TEXT },
	{ "首单号", "first_order_no", 0 },
	{ "首单店铺", "shop_name", FREE_TEXT },
	{ "首单日期", "first_paid_date::text", 0 },
	{ "首单实付(元)", "first_paid_yuan::text", NUMBER },
	{ "复购日期", "repurchased_on::text", 0 },
	{ "客户编号", "customer_key::text", NUMBER },
};

static const struct export_col at_risk_cols[] = {
	OWNER_COLS,
	{ "原因", "format('%s 天未购，超过常规间隔 %s 天（%s）', recency_days, typical_gap_days, "
		  "CASE gap_basis WHEN 'own' THEN '本人的中位间隔' ELSE '同购买次数客户的中位间隔' END)", 0 },
	{ "RFM分层", "segment_cn", 0 },
	{ "最近下单", "last_order_date::text", 0 },
	{ "未购天数", "recency_days::text", NUMBER },
	{ "常规间隔(天)", "typical_gap_days::text", NUMBER },
	{ "超出(天)", "overdue_days::text", NUMBER },
	{ "订单数", "orders::text", NUMBER },
	{ "累计实付(元)", "net_paid_yuan::text", NUMBER },
	{ "最近互动", "CASE last_interaction WHEN 'order' THEN '下单' WHEN 'wecom add' THEN '添加企微' "
		  "WHEN 'wecom remove' THEN '删除企微' ELSE '入群' END", 0 },
	{ "最近互动时间", "to_char(last_interaction_at, 'YYYY-MM-DD HH24:MI')", 0 },
	{ "企微关系", RELATIONSHIP_SQL, 0 },
	{ "客户编号", "customer_key::text", NUMBER },
};

static const struct export_col audience_cols[] = {
	OWNER_COLS,
	{ "人群", "audience", 0 },
	{ "RFM分层", "(SELECT v.segment_cn FROM kpi.customer_value v WHERE v.customer_key = m.customer_key)", 0 },
	{ "订单数", "orders::text", NUMBER },
	{ "累计实付(元)", "net_paid_yuan::text", NUMBER },
	{ "首单月份", "to_char(first_order_month, 'YYYY-MM')", 0 },
	{ "企微关系", RELATIONSHIP_SQL, 0 },
	{ "客户编号", "customer_key::text", NUMBER },
};

#define NCOLS(a) (int)(sizeof(a) / sizeof((a)[0]))

struct export_list {
	const char *name;            /* the command's first argument */
	const struct export_col *cols;
	int ncols;
	const char *needs;           /* what the warehouse must have (db_object_exists) */
	const char *from;            /* $1: --date (care) or the audience's name */
	const char *order;
};

static const struct export_list lists[] = {
	{ "care", care_cols, NCOLS(care_cols), "kpi.care_list(date)",
	  "kpi.care_list(coalesce($1::date, kpi.business_date()))",
	  "staff_userid NULLS LAST, step, first_paid_at, customer_key" },
	{ "at-risk", at_risk_cols, NCOLS(at_risk_cols), "kpi.at_risk", "kpi.at_risk",
	  "staff_userid NULLS LAST, overdue_days DESC, customer_key" },
	{ "audience", audience_cols, NCOLS(audience_cols), "kpi.audience_members",
	  "kpi.audience_members m WHERE m.audience = $1",
	  "staff_userid NULLS LAST, customer_key" },
};

struct export_args {
	const struct export_list *list;
	const char *audience;  /* audience NAME */
	const char *date;      /* --date, care only */
	const char *out;       /* --out, "-" = standard output */
	int split;             /* --split-by-staff */
};

static void export_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu export care [--date D] [--out FILE] [--split-by-staff]\n"
		"       siyu export at-risk [--out FILE] [--split-by-staff]\n"
		"       siyu export audience NAME [--out FILE] [--split-by-staff]\n"
		"\n"
		"Write an action list with each customer's WeCom owner (docs/actions.md):\n"
		"  care      the first-purchase care list of a business date (kpi.care_list):\n"
		"            who is due which care step, or already bought again\n"
		"  at-risk   valuable customers past their typical gap (kpi.at_risk)\n"
		"  audience  the members of [audience.NAME] (kpi.audience_members)\n"
		"at-risk and audiences are as of the last siyu run. Phone numbers typed into\n"
		"remarks and names are masked.\n"
		"\n"
		"  --date D          the care list of business date D (default today)\n"
		"  --out FILE        FILE.csv (UTF-8 with BOM, for Excel and WPS) or FILE.xlsx;\n"
		"                    default: CSV on standard output\n"
		"  --split-by-staff  one file per staff member: FILE-USERID.csv|.xlsx, and\n"
		"                    FILE-unassigned for customers without a WeCom owner\n");
}

static int parse_export_args(struct cli *cli, int argc, char **argv, struct export_args *a)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "date", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "split-by-staff", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	a->out = "-";
	optind = 0; /* glibc starts over: options may follow the list's name (main's "+" stops at it) */
	while ((opt = getopt_long(argc, argv, "c:vhd:o:s", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': export_usage(stdout); return -1;
		case 'd': a->date = optarg; break;
		case 'o': a->out = optarg; break;
		case 's': a->split = 1; break;
		default: export_usage(stderr); return EXIT_USAGE;
		}
	}
	for (size_t i = 0; optind < argc && i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcmp(argv[optind], lists[i].name) == 0)
			a->list = &lists[i];
	if (!a->list) {
		fprintf(stderr, "siyu export: say which list: care, at-risk or audience NAME\n");
		export_usage(stderr);
		return EXIT_USAGE;
	}
	optind++;
	if (strcmp(a->list->name, "audience") == 0 && optind < argc)
		a->audience = argv[optind++];
	if (optind != argc || (strcmp(a->list->name, "audience") == 0 && !a->audience)) {
		export_usage(stderr);
		return EXIT_USAGE;
	}
	if (a->date && strcmp(a->list->name, "care") != 0) {
		fprintf(stderr, "siyu export: --date is for the care list; %s is as of the last siyu run\n",
			a->list->name);
		return EXIT_USAGE;
	}
	if (table_format_of(a->out) < 0) {
		fprintf(stderr, "siyu export: --out %s: the file name must end in .csv or .xlsx\n", a->out);
		return EXIT_USAGE;
	}
	if (a->split && strcmp(a->out, "-") == 0) {
		fprintf(stderr, "siyu export: --split-by-staff writes files: give --out FILE.csv or FILE.xlsx\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* "SELECT col AS "header", ... FROM from ORDER BY order" */
static int build_query(const struct export_list *l, struct buf *q)
{
	if (buf_adds(q, "SELECT ") < 0)
		return -1;
	for (int i = 0; i < l->ncols; i++)
		if (buf_addf(q, "%s%s AS \"%s\"", i ? ", " : "", l->cols[i].sql, l->cols[i].header) < 0)
			return -1;
	return buf_addf(q, " FROM %s ORDER BY %s", l->from, l->order);
}

/* FILE.ext → FILE-USERID.ext, the userid reduced to characters safe in a file name. */
static void staff_path(const char *out, const char *userid, char *path, size_t n)
{
	const char *dot = strrchr(out, '.');
	size_t len;

	snprintf(path, n, "%.*s-", (int)(dot - out), out);
	len = strlen(path);
	for (const char *u = userid ? userid : "unassigned"; *u && len + 1 < n; u++)
		path[len++] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-@", *u)
			      ? *u : '_';
	snprintf(path + len, n - len, "%s", dot);
}

struct writer {
	const struct export_args *a;
	struct table_column cols[32];
	struct table_out *t;
	char path[4096];
	int files;
	long rows;
	char err[1024];
};

static int writer_open(struct writer *w, const char *userid)
{
	if (w->a->split)
		staff_path(w->a->out, userid, w->path, sizeof(w->path));
	else
		snprintf(w->path, sizeof(w->path), "%s", w->a->out);
	w->t = table_out_open(w->path, w->cols, w->a->list->ncols, w->err, sizeof(w->err));
	return w->t ? 0 : -1;
}

static int writer_close(struct writer *w)
{
	long rows = table_out_rows(w->t);
	int rc = table_out_close(w->t, w->err, sizeof(w->err));

	w->t = NULL;
	if (rc == 0 && strcmp(w->path, "-") != 0)
		printf("%s\t%ld\n", w->path, rows);
	w->files += rc == 0;
	return rc;
}

/* One row of res as cells, free text masked (masked holds the masked copies). */
static int row_cells(const struct export_list *l, PGresult *res, int r, const char **cells,
		     struct buf *masked)
{
	size_t offs[32];

	buf_reset(masked);
	for (int c = 0; c < l->ncols; c++) {
		const char *v = PQgetvalue(res, r, c);

		offs[c] = masked->len;
		if (PQgetisnull(res, r, c) || !(l->cols[c].flags & FREE_TEXT))
			continue;
		if (pii_mask_phones_in_text(masked, v, strlen(v)) < 0 || buf_addch(masked, '\0') < 0)
			return -1;
	}
	for (int c = 0; c < l->ncols; c++)
		cells[c] = PQgetisnull(res, r, c) ? NULL
			   : (l->cols[c].flags & FREE_TEXT) ? buf_str(masked) + offs[c] : PQgetvalue(res, r, c);
	return 0;
}

/* Stream res into one file, or one per owner (rows come ordered by owner). */
static int write_rows(struct writer *w, PGresult *res)
{
	const struct export_list *l = w->a->list;
	struct buf masked = BUF_INIT;
	const char *cells[32];
	int n = PQntuples(res), rc = -1;

	if (!w->a->split && writer_open(w, NULL) < 0)
		goto out;
	for (int r = 0; r < n; r++) {
		const char *owner = PQgetisnull(res, r, 0) ? NULL : PQgetvalue(res, r, 0);
		int new_owner = r == 0 || PQgetisnull(res, r - 1, 0) != (owner == NULL) ||
				(owner && strcmp(owner, PQgetvalue(res, r - 1, 0)) != 0);

		if (w->a->split && new_owner && ((w->t && writer_close(w) < 0) || writer_open(w, owner) < 0))
			goto out;
		if (row_cells(l, res, r, cells, &masked) < 0) {
			snprintf(w->err, sizeof(w->err), "out of memory");
			goto out;
		}
		if (table_out_row(w->t, cells, w->err, sizeof(w->err)) < 0)
			goto out;
		w->rows++;
	}
	rc = w->t ? writer_close(w) : 0;
out:
	table_out_abort(w->t);
	w->t = NULL;
	buf_release(&masked);
	return rc;
}

/* audience NAME: 0 when defined; else a message listing the defined ones. */
static int check_audience(PGconn *conn, const char *name)
{
	const char *params[] = { name };
	PGresult *res = db_query(conn, "SELECT (SELECT count(*) FROM kpi.audience WHERE name = $1), "
				       "(SELECT coalesce(string_agg(name, ', ' ORDER BY name), '(none)') "
				       "   FROM kpi.audience)", 1, params);
	int rc = -1;

	if (!res) {
		fprintf(stderr, "siyu export: %s\n", db_last_error());
		return -1;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
		rc = 0;
	else
		fprintf(stderr, "siyu export: no audience '%s' in the warehouse (defined: %s); audiences "
				"are [audience.NAME] sections of the configuration, written by siyu run and "
				"siyu migrate\n", name, PQgetvalue(res, 0, 1));
	PQclear(res);
	return rc;
}

/*
 * What the summary calls the list: "care 2026-12-07" (the business date, --date
 * checked here), "at-risk", "audience NAME". 0, or -1 after a message.
 */
static int list_label(PGconn *conn, const struct export_args *a, char *label, size_t n)
{
	const char *params[] = { a->date };
	PGresult *res;

	if (a->audience) {
		snprintf(label, n, "audience %s", a->audience);
		return 0;
	}
	if (strcmp(a->list->name, "care") != 0) {
		snprintf(label, n, "%s", a->list->name);
		return 0;
	}
	res = db_query(conn, "SELECT coalesce($1::date, kpi.business_date())", 1, params);
	if (!res) {
		fprintf(stderr, "siyu export: --date %s: not a date like 2026-02-01\n", a->date);
		return -1;
	}
	snprintf(label, n, "care %s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/*
 * The care list of date D needs the orders up to D's start: a first purchase on D - 1
 * falls due on D, a repurchase before D makes a step done. When they are not observed
 * into D - 1 at all (a source behind: a file source's end is its newest order, so later
 * on D - 1 is no sign), say so on stderr: the list may miss and mis-state.
 */
static void warn_unobserved(PGconn *conn, const struct export_args *a)
{
	const char *params[] = { a->date };
	PGresult *res;

	if (strcmp(a->list->name, "care") != 0 || db_object_exists(conn, "kpi.end_of_observation(text)") <= 0)
		return;
	res = db_query(conn, "SELECT to_char(e, 'YYYY-MM-DD HH24:MI'), coalesce($1::date, kpi.business_date()) "
			     "FROM kpi.end_of_observation('orders') e "
			     "WHERE e < (coalesce($1::date, kpi.business_date()) - 1)::timestamptz", 1, params);
	if (res && PQntuples(res) == 1)
		fprintf(stderr, "siyu export: warning: the orders are observed only up to %s "
				"(kpi.end_of_observation): the care list of %s misses the first purchases "
				"and repurchases after it\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	PQclear(res);
}

static int export_list(PGconn *conn, const struct export_args *a)
{
	const struct export_list *l = a->list;
	struct writer w = { .a = a };
	struct buf q = BUF_INIT;
	const char *params[1] = { a->audience ? a->audience : a->date };
	char label[64];
	PGresult *res;
	int has = db_object_exists(conn, l->needs), rc = EXIT_FAILED;

	if (has <= 0) {
		fprintf(stderr, "siyu export: %s\n", has < 0 ? db_last_error()
			: "this warehouse has no action lists yet: run siyu migrate");
		return EXIT_FAILED;
	}
	if (a->audience && check_audience(conn, a->audience) < 0)
		return EXIT_USAGE;
	if (list_label(conn, a, label, sizeof(label)) < 0)
		return EXIT_USAGE;
	warn_unobserved(conn, a);
	for (int i = 0; i < l->ncols; i++)
		w.cols[i] = (struct table_column){ l->cols[i].header, (l->cols[i].flags & NUMBER) != 0 };
	if (build_query(l, &q) < 0)
		goto out;
	res = db_query(conn, buf_str(&q), strstr(l->from, "$1") ? 1 : 0, params);
	if (!res) {
		fprintf(stderr, "siyu export %s: %s\n", l->name, db_last_error());
		goto out;
	}
	if (write_rows(&w, res) < 0) {
		fprintf(stderr, "siyu export %s: %s\n", l->name, w.err);
	} else {
		rc = EXIT_OK;
		if (strcmp(a->out, "-") != 0)
			printf("%s: %ld rows in %d file%s\n", label, w.rows, w.files, w.files == 1 ? "" : "s");
		log_info("msg=\"export written\" list=%s rows=%ld files=%d", l->name, w.rows, w.files);
	}
	PQclear(res);
out:
	buf_release(&q);
	return rc;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	struct export_args a = { 0 };
	PGconn *conn;
	int rc = parse_export_args(cli, argc, argv, &a);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	conn = cli_connect_business_time(cli, "export");
	if (!conn)
		return EXIT_FAILED;
	rc = export_list(conn, &a);
	db_close(conn);
	return rc;
}

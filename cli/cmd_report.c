/*
 * cmd_report.c — siyu report: the Monday KPI dashboard as one offline HTML file.
 *
 * The page is self-contained: styles inline, charts as inline SVG drawn here
 * (common/chart.c), no script, and a Content-Security-Policy that forbids
 * loading anything, so it opens the same from a mail attachment on a plane.
 *
 * A section is one query and one way to draw its rows (the sections[]
 * table): the query's column names are the labels the reader sees. A
 * section that reads a view this warehouse does not have yet (a newer
 * migration) is left out with a note, so the report runs on any schema.
 */
#include "cli.h"

#include "siyu/common/atomic_file.h"
#include "siyu/common/buf.h"
#include "siyu/common/chart.h"
#include "siyu/load/db.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Where in the section table a section's rows go. */
enum render {
	R_CARDS,    /* one row: each column a headline number */
	R_XY,       /* x, then one column per series (kinds) */
	R_PIVOT,    /* x, series, value: one series per distinct value of the 2nd column */
	R_HEATMAP,  /* row, column, value */
	R_HBAR,     /* label, value */
	R_TABLE     /* any columns, formats per column */
};

struct section {
	const char *id;
	const char *title;
	const char *note;       /* the definitions, under the title */
	const char *requires;   /* a relation the query reads, or NULL */
	enum render render;
	/*
	 * R_XY / R_PIVOT: per series b (bars), l (line), r (line, right axis).
	 * R_CARDS / R_TABLE: per column t (text), n (number), y (yuan), p (percent), m (minutes).
	 */
	const char *kinds;
	enum chart_format format, right_format;
	int stacked;
	const char *sql;        /* $1 the first day, $2 the last day of the period (both or none) */
};

/* The months of the period, as kpi.*_monthly's month_start. */
#define IN_PERIOD(col) col " BETWEEN date_trunc('month', $1::date) AND $2::date"

/*
 * The report's "today" for lists of a day: the period's last day, but not past the
 * business date up to which the orders are observed (a care step's "done" needs the
 * orders of that day: kpi.end_of_observation), nor before the period.
 */
#define LIST_DAY \
	"greatest($1::date, least($2::date, kpi.business_date(kpi.end_of_observation('orders'))))"

/* The overall row (cohort_month NULL) of kpi.repurchase_window for N days: rate, customers. */
#define OVERALL(n) \
	"max(repurchase_rate) FILTER (WHERE window_days = " #n ") AS \"" #n " 天复购 " #n "-day\", " \
	"max(cohort_customers) FILTER (WHERE window_days = " #n ") AS \"" #n " 天客户 customers\""

static const struct section sections[] = {
	{ "summary", "本期概览 · Summary", "客户池为期末在私域（至少一位员工的好友）的客户数；"
	  "客单价 = 有效订单实付 ÷ 有效订单数；复购率 = 期内在两个及以上不同日期下单的买家 ÷ 买家。",
	  NULL, R_CARDS, "nnnyyyp", 0, 0, 0,
	  "SELECT (SELECT pool_end FROM kpi.growth_monthly WHERE dimension = 'total' AND "
	  IN_PERIOD("month_start") " ORDER BY month_start DESC LIMIT 1) AS \"客户池 pool\", "
	  "(SELECT sum(new_customers) FROM kpi.growth_monthly WHERE dimension = 'total' AND "
	  IN_PERIOD("month_start") ") AS \"新增客户 new\", "
	  "(SELECT sum(lost_customers) FROM kpi.growth_monthly WHERE dimension = 'total' AND "
	  IN_PERIOD("month_start") ") AS \"流失客户 lost\", "
	  "(SELECT sum(gmv_fen) / 100.0 FROM kpi.sales_monthly WHERE dimension = 'total' AND "
	  IN_PERIOD("month_start") ") AS \"GMV\", "
	  "(SELECT sum(qualifying_sales_fen) / 100.0 FROM kpi.sales_monthly WHERE dimension = 'total' "
	  "AND " IN_PERIOD("month_start") ") AS \"有效销售额 net\", "
	  "(SELECT sum(qualifying_sales_fen) / 100.0 / nullif(sum(qualifying_orders), 0) "
	  "FROM kpi.sales_monthly WHERE dimension = 'total' AND " IN_PERIOD("month_start")
	  ") AS \"客单价 AOV\", "
	  "(SELECT count(*) FILTER (WHERE days >= 2)::numeric / nullif(count(*), 0) FROM "
	  "(SELECT customer_key, count(DISTINCT paid_date_key) AS days FROM dw.fact_order "
	  "WHERE is_qualifying AND customer_key IS NOT NULL AND paid_date_key BETWEEN "
	  "to_char($1::date, 'YYYYMMDD')::int AND to_char($2::date, 'YYYYMMDD')::int "
	  "GROUP BY customer_key) b) AS \"复购率 repurchase\"" },
	{ "growth", "客户增长 · Growth", "按月：新增、流失（客户删除员工或被删除）、净增客户数；"
	  "客户池为月末人数（右轴）。按人计，不按好友关系计。",
	  "kpi.growth_monthly", R_XY, "bbbr", CHART_NUMBER, CHART_NUMBER, 0,
	  "SELECT to_char(month_start, 'YYYY-MM') AS month, new_customers AS \"新增 new\", "
	  "lost_customers AS \"流失 lost\", net_growth AS \"净增 net\", pool_end AS \"客户池 pool\" "
	  "FROM kpi.growth_monthly WHERE dimension = 'total' AND " IN_PERIOD("month_start")
	  " ORDER BY month_start" },
	{ "engagement", "互动 · Engagement", "回复率 = 已回复聊天 ÷ 需回复聊天；群活跃率 = 有消息的群 ÷ 群；"
	  "发言率 = 发言群成员 ÷ 群成员；首次回复时长（分钟，右轴）按聊天数加权。",
	  "kpi.engagement_monthly", R_XY, "lllr", CHART_PERCENT, CHART_MINUTES, 0,
	  "SELECT to_char(month_start, 'YYYY-MM') AS month, reply_rate AS \"回复率 reply\", "
	  "group_active_rate AS \"群活跃率 active groups\", member_speak_rate AS \"发言率 speak\", "
	  "avg_first_reply_minutes AS \"首次回复 first reply\" "
	  "FROM kpi.engagement_monthly WHERE dimension = 'total' AND stat_days > 0 AND "
	  IN_PERIOD("month_start") " ORDER BY month_start" },
	{ "repurchase", "复购 · Repurchase", "按月：复购率（当月下单两次及以上的买家占比）、"
	  "老客占比（此前已购买的买家）、次月留存（当月买家次月再购买）。",
	  "kpi.repurchase_period", R_XY, "lll", CHART_PERCENT, 0, 0,
	  "SELECT to_char(period_start, 'YYYY-MM') AS month, repurchase_rate AS \"复购率 repurchase\", "
	  "returning_customer_rate AS \"老客占比 returning\", "
	  "next_period_retention_rate AS \"次月留存 next-month retention\" "
	  "FROM kpi.repurchase_period WHERE period_type = 'month' AND buyers > 0 AND "
	  IN_PERIOD("period_start") " ORDER BY period_start" },
	{ "window", "30/60/90 天复购 · N-day repurchase", "按首购月分组：首购后 30、60、90 天内再次购买的客户占比。"
	  "窗口尚未走完的首购月数字还会上升。",
	  "kpi.repurchase_window", R_PIVOT, "b", CHART_PERCENT, 0, 0,
	  "SELECT to_char(cohort_month, 'YYYY-MM') AS cohort, window_days || ' 天' AS series, "
	  "repurchase_rate FROM kpi.repurchase_window WHERE segment = 'all' AND "
	  IN_PERIOD("cohort_month") " ORDER BY cohort_month, window_days" },
	{ "overall", "总体复购 · Overall N-day repurchase", "全部首购客户中，首购后 30、60、90 天内"
	  "（首购之后的另一天）再次购买的占比；只计已观察满 N 天的客户（首购日 + N 不晚于观察截至日），"
	  "不受报告期限制；每个比率后是它所计的客户数。",
	  "kpi.repurchase_window", R_CARDS, "pnpnpn", 0, 0, 0,
	  "SELECT " OVERALL(30) ", " OVERALL(60) ", " OVERALL(90) " FROM kpi.repurchase_window "
	  "WHERE segment = 'all' AND cohort_month IS NULL" },
	{ "cohort", "首购月留存 · Cohort retention", "行：首购月；列：之后第 N 个月；值：当月再次购买的客户占比。"
	  "空白为尚未观察到的月份。",
	  "kpi.cohort_retention", R_HEATMAP, NULL, CHART_PERCENT, 0, 0,
	  "SELECT to_char(cohort_month, 'YYYY-MM') AS cohort, '+' || months_since_first AS month, "
	  "retention_rate FROM kpi.cohort_retention WHERE months_since_first BETWEEN 1 AND 12 AND "
	  IN_PERIOD("cohort_month") " ORDER BY cohort_month, months_since_first" },
	{ "lift", "私域内外复购 · Private domain vs outside", "当月复购率：私域内（下单时有企业微信好友关系）"
	  "与私域外的买家对比。",
	  "kpi.private_domain_lift", R_XY, "ll", CHART_PERCENT, 0, 0,
	  "SELECT to_char(period_start, 'YYYY-MM') AS month, pd_repurchase_rate AS \"私域内 inside\", "
	  "outside_repurchase_rate AS \"私域外 outside\" FROM kpi.private_domain_lift "
	  "WHERE period_type = 'month' AND pd_buyers + outside_buyers > 0 AND "
	  IN_PERIOD("period_start") " ORDER BY period_start" },
	{ "sales", "渠道 GMV · GMV by channel", "按支付日期的月份，各店铺已支付订单金额（元）。",
	  "kpi.sales_monthly", R_PIVOT, "b", CHART_YUAN, 0, 1,
	  "SELECT to_char(month_start, 'YYYY-MM') AS month, dimension_label AS shop, gmv_yuan "
	  "FROM kpi.sales_monthly WHERE dimension = 'channel' AND " IN_PERIOD("month_start")
	  " ORDER BY month_start, dimension_label" },
	{ "channels", "渠道明细 · Channels", "本期各店铺：已支付订单、GMV、有效订单客单价、买家、退款率。",
	  "kpi.sales_monthly", R_TABLE, "tnyynp", 0, 0, 0,
	  "SELECT dimension_label AS \"店铺 shop\", sum(paid_orders) AS \"订单 orders\", "
	  "sum(gmv_fen) / 100.0 AS \"GMV\", "
	  "sum(qualifying_sales_fen) / 100.0 / nullif(sum(qualifying_orders), 0) AS \"客单价 AOV\", "
	  "sum(buyers) AS \"买家（按月累加）buyer-months\", "
	  "sum(refund_fen)::numeric / nullif(sum(gmv_fen), 0) AS \"退款率 refunds\" "
	  "FROM kpi.sales_monthly WHERE dimension = 'channel' AND " IN_PERIOD("month_start")
	  " GROUP BY dimension_label HAVING sum(paid_orders) > 0 ORDER BY sum(gmv_fen) DESC" },
	{ "rfm", "RFM 客户分层 · RFM mix", "最近一次刷新时各 RFM 分层的客户数（R 最近购买、F 频次、M 金额，五分位）。",
	  "kpi.customer_value", R_HBAR, NULL, CHART_NUMBER, 0, 0,
	  "SELECT segment_cn || ' ' || segment_en AS segment, count(*) AS customers "
	  "FROM kpi.customer_value GROUP BY segment_cn, segment_en ORDER BY count(*) DESC, segment" },
	{ "care", "关怀名单 · Care list per staff", "报告期最后一天（不晚于订单观察截至日）到期的"
	  "首购关怀（kpi.care_list：首购后第 1、3、7、15、30 天，[actions] care_steps），按负责员工"
	  "与动作计人数：关怀（好友关系在）、重新添加好友（已删除）、邀请添加企微（不在私域，没有负责员工）、"
	  "无需（已复购）。名单本身：siyu export care。",
	  "kpi.care_list(date)", R_PIVOT, "b", CHART_NUMBER, 0, 1,
	  "SELECT staff, action || ' · ' || list_date AS action, customers FROM ("
	  "SELECT coalesce(staff_name, staff_userid, '无负责员工 no owner') AS staff, "
	  CARE_ACTION_SQL " AS action, list_date, count(*) AS customers "
	  "FROM kpi.care_list(" LIST_DAY ") GROUP BY 1, 2, 3) c "
	  "ORDER BY sum(customers) OVER (PARTITION BY staff) DESC, staff, action" },
	{ "sources", "数据质量 · Data quality", "各数据源最近一次运行、读取与拒绝的记录、水位线"
	  "（已加载到的时间）及其距今时长；是否过期按 pipeline.conf 的 warn_after 判断：siyu check。",
	  NULL, R_TABLE, "tttnnntt", 0, 0, 0,
	  "SELECT s.source AS \"数据源 source\", s.status AS \"状态 status\", "
	  "to_char(s.finished_at, 'YYYY-MM-DD HH24:MI') AS \"结束 finished\", "
	  "s.records_read AS \"读取 read\", s.inserted + s.updated AS \"写入 loaded\", "
	  "s.rejected AS \"拒绝 rejected\", "
	  "to_char(w.value, 'YYYY-MM-DD HH24:MI') AS \"水位线 watermark\", "
	  "CASE WHEN w.value IS NOT NULL THEN date_part('day', now() - w.value) || ' 天 days' "
	  "END AS \"距今 age\" "
	  "FROM (SELECT DISTINCT ON (source) * FROM etl.run_source "
	  "      ORDER BY source, run_id DESC) s "
	  "LEFT JOIN (SELECT source, max(value) AS value FROM etl.watermark GROUP BY source) w "
	  "USING (source) ORDER BY s.source" },
	{ "observation", "观察截至 · End of observation", "各数据源的数据完整到何时（订单：已提交的窗口"
	  "或文件中最新的订单版本；企业微信：快照时间）。每类 KPI 只统计到该类最早的观察截至时间，"
	  "其后的日期不计、所在周期标为未完结；落后的数据源拖住整类 KPI。",
	  "kpi.observation", R_TABLE, "ttttt", 0, 0, 0,
	  "SELECT o.source AS \"数据源 source\", CASE o.kind WHEN 'orders' THEN '订单 orders' "
	  "ELSE '企业微信 WeCom' END AS \"类别 kind\", "
	  "to_char(o.observed_until, 'YYYY-MM-DD HH24:MI') AS \"观察截至 observed until\", "
	  "date_part('day', now() - o.observed_until) || ' 天 days' AS \"距今 lag\", "
	  "CASE WHEN o.observed_until = kpi.end_of_observation(o.kind) THEN '是 yes' END "
	  "AS \"决定 KPI 截止 bounds the KPIs\" "
	  "FROM kpi.observation o ORDER BY o.kind, o.observed_until, o.source" },
	{ "rejects", "拒绝原因 · Rejects by reason", "最近一次运行中被拒绝的记录，按原因汇总（原始记录保存在 etl.reject）。",
	  NULL, R_TABLE, "ttnt", 0, 0, 0,
	  "SELECT source AS \"数据源 source\", regexp_replace(reason, ' \"[^\"]*\"', '') AS \"原因 reason\", "
	  "count(*) AS \"记录 records\", min(location) AS \"首次出现 first at\" FROM etl.reject "
	  "WHERE run_id = (SELECT max(run_id) FROM etl.run) GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2" },
};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))
#define MAX_SERIES 8

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu report [--out FILE.html] [--from DATE] [--to DATE]\n"
		"\n"
		"Write the KPI dashboard an operations lead reads on Monday as one HTML file\n"
		"that opens offline: growth, engagement, repurchase (monthly, 30/60/90 days,\n"
		"cohorts, inside vs outside the private domain), GMV by channel, the RFM mix,\n"
		"the care list per staff member and data quality (rejects, stale sources, end\n"
		"of observation), with charts drawn as SVG. No script, font or stylesheet is\n"
		"loaded from anywhere.\n"
		"\n"
		"  --out FILE   write the page to FILE (replaced atomically); default stdout\n"
		"  --from DATE  first day of the period (YYYY-MM-DD); default 24 months\n"
		"               before --to, or the first day with data when that is later\n"
		"  --to DATE    last day; default the last day with data (orders or WeCom)\n");
}

/* One cell as a number; NAN for NULL or text. */
static double cell_number(const PGresult *res, int r, int c)
{
	char *end;
	double v;

	if (PQgetisnull(res, r, c))
		return NAN;
	v = strtod(PQgetvalue(res, r, c), &end);
	return *end ? NAN : v;
}

static enum chart_format format_of(char k)
{
	switch (k) {
	case 'y': return CHART_YUAN;
	case 'p': return CHART_PERCENT;
	case 'm': return CHART_MINUTES;
	default: return CHART_NUMBER;
	}
}

static int render_cards(struct buf *out, const struct section *s, const PGresult *res)
{
	char text[64];
	int rc = buf_adds(out, "<div class=\"cards\">\n");

	for (int c = 0; c < PQnfields(res) && !rc && PQntuples(res) > 0; c++) {
		rc |= buf_adds(out, "<div class=\"card\"><div class=\"label\">") ||
		      chart_escape(out, PQfname(res, c)) ||
		      buf_adds(out, "</div><div class=\"value\">") ||
		      chart_escape(out, chart_format_value(cell_number(res, 0, c),
							   format_of(s->kinds[c]), text, sizeof(text))) ||
		      buf_adds(out, "</div></div>\n");
	}
	return rc || buf_adds(out, "</div>\n");
}

static int render_table(struct buf *out, const struct section *s, const PGresult *res)
{
	char text[64];
	int rc;

	if (PQntuples(res) == 0)
		return buf_adds(out, "<p class=\"nodata\">没有记录 (none)</p>\n");
	rc = buf_adds(out, "<table>\n<tr>");
	for (int c = 0; c < PQnfields(res) && !rc; c++)
		rc |= buf_adds(out, "<th>") || chart_escape(out, PQfname(res, c)) ||
		      buf_adds(out, "</th>");
	rc |= buf_adds(out, "</tr>\n");
	for (int r = 0; r < PQntuples(res) && !rc; r++) {
		rc |= buf_adds(out, "<tr>");
		for (int c = 0; c < PQnfields(res) && !rc; c++) {
			char k = s->kinds[c];
			const char *v = k == 't' ? PQgetvalue(res, r, c)
						 : chart_format_value(cell_number(res, r, c),
								      format_of(k), text, sizeof(text));

			rc |= buf_adds(out, k == 't' ? "<td>" : "<td class=\"num\">") ||
			      chart_escape(out, v) || buf_adds(out, "</td>");
		}
		rc |= buf_adds(out, "</tr>\n");
	}
	return rc || buf_adds(out, "</table>\n");
}

static enum chart_kind kind_of(char k)
{
	return k == 'b' ? CHART_BAR : k == 'r' ? CHART_LINE_RIGHT : CHART_LINE;
}

static int render_xy(struct buf *out, const struct section *s, const PGresult *res)
{
	int n = PQntuples(res), ns = PQnfields(res) - 1, rc = -1;
	const char **x = calloc((size_t)n + 1, sizeof(*x));
	double *v = calloc((size_t)(n * (ns > 0 ? ns : 1)) + 1, sizeof(*v));
	struct chart_series series[MAX_SERIES];
	struct chart c = { .title = s->title, .x = x, .n = (size_t)n, .series = series,
			   .stacked = s->stacked, .format = s->format,
			   .right_format = s->right_format };

	if (!x || !v || ns < 1 || ns > MAX_SERIES)
		goto out;
	for (int r = 0; r < n; r++)
		x[r] = PQgetvalue(res, r, 0);
	for (int k = 0; k < ns; k++) {
		series[k] = (struct chart_series){ PQfname(res, k + 1), kind_of(s->kinds[k]), v + k * n };
		for (int r = 0; r < n; r++)
			v[k * n + r] = cell_number(res, r, k + 1);
	}
	c.nseries = (size_t)ns;
	rc = chart_xy(out, &c);
out:
	free(x);
	free(v);
	return rc;
}

/* Index of s in names[0..*n), added at the end when new (up to max). -1 when full. */
static int intern(const char **names, int *n, int max, const char *s)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	if (*n == max)
		return -1;
	names[*n] = s;
	return (*n)++;
}

/*
 * Long rows (a, b, value) as a matrix: rows a, columns b, both in order of
 * first appearance; cells never given stay NAN. The caller frees *m, *as, *bs.
 */
static int pivot(const PGresult *res, int max_b, const char ***as, int *na, const char ***bs,
		 int *nb, double **m)
{
	int n = PQntuples(res);

	*na = *nb = 0;
	*as = calloc((size_t)n + 1, sizeof(**as));
	*bs = calloc((size_t)max_b, sizeof(**bs));
	*m = malloc(((size_t)n + 1) * (size_t)max_b * sizeof(**m));
	if (!*as || !*bs || !*m)
		return -1;
	for (int i = 0; i < (n + 1) * max_b; i++)
		(*m)[i] = NAN;
	for (int r = 0; r < n; r++) {
		int a = intern(*as, na, n, PQgetvalue(res, r, 0));
		int b = intern(*bs, nb, max_b, PQgetvalue(res, r, 1));

		if (b < 0)
			continue; /* more columns than drawn: left out */
		(*m)[a * max_b + b] = cell_number(res, r, 2);
	}
	return 0;
}

static int render_pivot(struct buf *out, const struct section *s, const PGresult *res)
{
	const char **as = NULL, **bs = NULL;
	double *m = NULL, *cols = NULL;
	struct chart_series series[MAX_SERIES];
	int na, nb, rc = -1;

	if (pivot(res, MAX_SERIES, &as, &na, &bs, &nb, &m) < 0)
		goto out;
	cols = malloc(((size_t)na + 1) * MAX_SERIES * sizeof(*cols));
	if (!cols)
		goto out;
	for (int b = 0; b < nb; b++) {
		for (int a = 0; a < na; a++)
			cols[b * na + a] = m[a * MAX_SERIES + b];
		series[b] = (struct chart_series){ bs[b], kind_of(s->kinds[0]), cols + b * na };
	}
	struct chart c = { .title = s->title, .x = as, .n = (size_t)na, .series = series,
			   .nseries = (size_t)nb, .stacked = s->stacked, .format = s->format };
	rc = chart_xy(out, &c);
out:
	free(as);
	free(bs);
	free(m);
	free(cols);
	return rc;
}

static int render_heatmap(struct buf *out, const struct section *s, const PGresult *res)
{
	const char **as = NULL, **bs = NULL;
	double *m = NULL, *cells = NULL;
	int na, nb, rc = -1, max_b = 24;

	if (pivot(res, max_b, &as, &na, &bs, &nb, &m) < 0)
		goto out;
	cells = malloc(((size_t)na * (size_t)nb + 1) * sizeof(*cells));
	if (!cells)
		goto out;
	for (int a = 0; a < na; a++)
		for (int b = 0; b < nb; b++)
			cells[a * nb + b] = m[a * max_b + b];
	rc = chart_heatmap(out, s->title, as, (size_t)na, bs, (size_t)nb, cells, s->format);
out:
	free(as);
	free(bs);
	free(m);
	free(cells);
	return rc;
}

static int render_hbar(struct buf *out, const struct section *s, const PGresult *res)
{
	int n = PQntuples(res), rc = -1;
	const char **labels = calloc((size_t)n + 1, sizeof(*labels));
	double *v = calloc((size_t)n + 1, sizeof(*v));

	if (labels && v) {
		for (int r = 0; r < n; r++) {
			labels[r] = PQgetvalue(res, r, 0);
			v[r] = cell_number(res, r, 1);
		}
		rc = chart_hbar(out, s->title, labels, v, (size_t)n, s->format);
	}
	free(labels);
	free(v);
	return rc;
}

static int render(struct buf *out, const struct section *s, const PGresult *res)
{
	switch (s->render) {
	case R_CARDS: return render_cards(out, s, res);
	case R_XY: return render_xy(out, s, res);
	case R_PIVOT: return render_pivot(out, s, res);
	case R_HEATMAP: return render_heatmap(out, s, res);
	case R_HBAR: return render_hbar(out, s, res);
	case R_TABLE: return render_table(out, s, res);
	}
	return -1;
}

static int section_html(PGconn *conn, struct buf *out, const struct section *s,
			const char *const *period)
{
	PGresult *res;
	int rc, has = s->requires ? db_object_exists(conn, s->requires) : 1;

	if (has < 0)
		return -1;
	rc = buf_addf(out, "<section id=\"%s\">\n<h2>", s->id) || chart_escape(out, s->title) ||
	     buf_adds(out, "</h2>\n<p class=\"note\">") || chart_escape(out, s->note) ||
	     buf_adds(out, "</p>\n");
	if (!has)
		return rc || buf_addf(out, "<p class=\"nodata\">这个仓库还没有 %s (this warehouse has no "
				      "%s yet: siyu migrate)</p>\n</section>\n", s->requires,
				      s->requires);
	/* a query about the period uses both $1 and $2; a snapshot (RFM, sources) neither */
	res = db_query(conn, s->sql, strstr(s->sql, "$2") ? 2 : 0, period);
	if (!res) {
		fprintf(stderr, "siyu report: section %s: %s\n", s->id, db_last_error());
		return -1;
	}
	rc = rc || render(out, s, res) || buf_adds(out, "</section>\n");
	PQclear(res);
	return rc ? -1 : 0;
}

static const char page_head[] =
	"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"style-src 'unsafe-inline'; img-src data:\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta name=\"generator\" content=\"siyu report\">\n"
	"<style>\n"
	/* No web font: the systems' own CJK fonts, by name, then any sans-serif. */
	"body{margin:0;background:#f6f7f9;color:#1f2937;font:14px/1.5 \"PingFang SC\","
	"\"Hiragino Sans GB\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",\"Source Han Sans SC\","
	"\"WenQuanYi Micro Hei\",\"Droid Sans Fallback\",system-ui,sans-serif}\n"
	"header{background:#111827;color:#f9fafb;padding:20px 32px}header h1{margin:0;font-size:22px}\n"
	"header p{margin:4px 0 0;color:#d1d5db}\n"
	"nav{padding:8px 32px;background:#fff;border-bottom:1px solid #e5e7eb}\n"
	"nav a{margin-right:14px;color:#2563eb;text-decoration:none}\n"
	"main{max-width:1000px;margin:0 auto;padding:8px 24px 40px}\n"
	"section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;margin:16px 0;"
	"padding:12px 20px}\n"
	"h2{font-size:17px;margin:4px 0}.note{color:#6b7280;margin:0 0 8px;font-size:13px}\n"
	".nodata{color:#9ca3af;font-style:italic}\n"
	"svg.chart{width:100%;height:auto;display:block}\n"
	"svg .grid{stroke:#e5e7eb}svg text{font-size:12px;fill:#4b5563}"
	"svg .cell{font-size:11px;fill:#1f2937}svg .cell.dark{fill:#fff}\n"
	".cards{display:flex;flex-wrap:wrap;gap:12px}.card{flex:1 1 120px;border:1px solid #e5e7eb;"
	"border-radius:6px;padding:8px 12px}.card .label{color:#6b7280;font-size:12px}"
	".card .value{font-size:20px;font-weight:600}\n"
	"table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid "
	"#e5e7eb;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"footer{color:#9ca3af;font-size:12px;text-align:center;padding:16px}\n"
	"</style>\n";

static int page_start(struct buf *out, const char *from, const char *to, const char *as_of,
		      const char *observed)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M UTC", &tm);
	rc = buf_adds(out, page_head) ||
	     buf_addf(out, "<title>私域运营看板 %s – %s</title>\n</head>\n<body>\n<header>\n"
		      "<h1>私域运营看板 · Private-domain KPI report</h1>\n"
		      "<p>%s 至 %s · 数据截至 data as of %s · 生成于 generated %s</p>\n",
		      from, to, from, to, as_of, now) ||
	     (*observed && (buf_adds(out, "<p class=\"observed\">KPI 观察截至 KPIs observed until: ") ||
			    chart_escape(out, observed) || buf_adds(out, "</p>\n"))) ||
	     buf_adds(out, "</header>\n<nav>");
	for (size_t i = 0; i < NSECTIONS && !rc; i++) {
		const char *title = sections[i].title, *dot = strstr(title, " · ");

		rc |= buf_addf(out, "<a href=\"#%s\">%.*s</a>", sections[i].id,
			       dot ? (int)(dot - title) : (int)strlen(title), title);
	}
	return rc || buf_adds(out, "</nav>\n<main>\n");
}

/*
 * The period: --from/--to as given, else from the data (see report_usage),
 * and the newest time anything was loaded. Fills period[0..1] and as_of.
 * Returns 0, EXIT_USAGE (a bad date) or EXIT_FAILED.
 */
static int resolve_period(PGconn *conn, const char *from, const char *to, char period[2][16],
			  char *as_of, size_t as_of_len)
{
	const char *params[] = { from, to };
	PGresult *res = db_query(conn,
		"WITH edge AS (SELECT least((SELECT min(paid_at) FROM dw.fact_order), "
		"      (SELECT min(added_at) FROM dw.fact_contact)) AS first_at, "
		"    greatest((SELECT max(paid_at) FROM dw.fact_order), "
		"      (SELECT max(added_at) FROM dw.fact_contact), "
		"      (SELECT max(removed_at) FROM dw.fact_contact)) AS last_at), "
		"p AS (SELECT coalesce($2::date, last_at::date, current_date) AS d_to, first_at, last_at "
		"      FROM edge) "
		"SELECT coalesce($1::date, greatest(first_at::date, "
		"         (date_trunc('month', d_to) - interval '23 months')::date), "
		"         (date_trunc('month', d_to) - interval '23 months')::date)::text, d_to::text, "
		"       coalesce(to_char(last_at, 'YYYY-MM-DD HH24:MI'), '—') FROM p",
		2, params);

	if (!res) {
		if (strcmp(db_last_sqlstate(), "22007") == 0 || strcmp(db_last_sqlstate(), "22008") == 0) {
			fprintf(stderr, "siyu report: --from/--to want a date YYYY-MM-DD: %s\n",
				db_last_error());
			return EXIT_USAGE;
		}
		fprintf(stderr, "siyu report: %s\n", db_last_error());
		return EXIT_FAILED;
	}
	snprintf(period[0], sizeof(period[0]), "%s", PQgetvalue(res, 0, 0));
	snprintf(period[1], sizeof(period[1]), "%s", PQgetvalue(res, 0, 1));
	snprintf(as_of, as_of_len, "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	if (strcmp(period[0], period[1]) > 0) {
		fprintf(stderr, "siyu report: the period is empty: --from %s is after --to %s\n",
			period[0], period[1]);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * Where the KPIs end, per kind (kpi.end_of_observation): the loads may be newer
 * than what the KPIs count. Empty on a warehouse without it. 0 / -1.
 */
static int observed_until(PGconn *conn, char *out, size_t n)
{
	PGresult *res;
	int has = db_object_exists(conn, "kpi.end_of_observation(text)");

	out[0] = '\0';
	if (has <= 0)
		return has;
	res = db_query(conn, "SELECT string_agg(label || ' ' || coalesce(to_char("
			     "kpi.end_of_observation(kind), 'YYYY-MM-DD HH24:MI'), '—'), ' · ') "
			     "FROM (VALUES ('订单 orders', 'orders'), ('企业微信 WeCom', 'wecom')) k "
			     "(label, kind)", 0, NULL);
	if (!res) {
		fprintf(stderr, "siyu report: %s\n", db_last_error());
		return -1;
	}
	snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Build the whole page into out. Returns 0, EXIT_USAGE or EXIT_FAILED. */
static int build_report(PGconn *conn, const char *from, const char *to, struct buf *out)
{
	char period[2][16], as_of[32], observed[128];
	const char *params[2];
	int rc = resolve_period(conn, from, to, period, as_of, sizeof(as_of));

	if (rc)
		return rc;
	params[0] = period[0];
	params[1] = period[1];
	if (observed_until(conn, observed, sizeof(observed)) < 0 ||
	    page_start(out, period[0], period[1], as_of, observed))
		return EXIT_FAILED;
	for (size_t i = 0; i < NSECTIONS; i++)
		if (section_html(conn, out, &sections[i], params) < 0)
			return EXIT_FAILED;
	if (buf_adds(out, "</main>\n<footer>siyu report · 图表由 siyu 以 SVG 绘制，无脚本、无外部资源 · "
			  "charts drawn as SVG by siyu, no script, nothing loaded</footer>\n"
			  "</body>\n</html>\n"))
		return EXIT_FAILED;
	return 0;
}

int cmd_report(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "out", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL, *from = NULL, *to = NULL;
	struct buf page = BUF_INIT;
	char err[1024];
	int opt, rc;
	PGconn *conn;

	while ((opt = getopt_long(argc, argv, "c:vho:f:t:", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': report_usage(stdout); return EXIT_OK;
		case 'o': out_path = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		default: report_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "siyu report: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	conn = cli_connect_business_time(cli, "report");
	if (!conn)
		return EXIT_FAILED;
	rc = build_report(conn, from, to, &page);
	db_close(conn);
	if (rc == EXIT_OK) {
		if (!out_path) {
			if (fwrite(buf_str(&page), 1, page.len, stdout) != page.len)
				rc = EXIT_FAILED;
		} else if (atomic_file_write(out_path, buf_str(&page), page.len, 0644, err,
					     sizeof(err)) < 0) {
			fprintf(stderr, "siyu report: %s\n", err);
			rc = EXIT_FAILED;
		}
	}
	buf_release(&page);
	return rc;
}

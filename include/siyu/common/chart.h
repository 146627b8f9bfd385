/*
 * chart.h — charts as inline SVG for the offline HTML report (siyu report).
 *
 * No JavaScript and nothing fetched: each function appends one <svg
 * class="chart"> element (or, without a single value, a "no data" note) to
 * a buffer. Every drawn value is an element of class "pt" with a <title>
 * (the browser's tooltip) saying what it is, so a test can count the data
 * points of each chart in the rendered page. Labels and titles are escaped
 * here; callers pass plain UTF-8 text.
 */
#ifndef SIYU_COMMON_CHART_H
#define SIYU_COMMON_CHART_H

#include <stddef.h>

struct buf;

/* How a value reads on an axis, in a tooltip or a cell. */
enum chart_format {
	CHART_NUMBER,  /* 1234, 1.2万 */
	CHART_PERCENT, /* a fraction shown as 12.5% */
	CHART_YUAN,    /* money in yuan: ¥1,234.50, ¥12.3万 on axes */
	CHART_MINUTES  /* 12.5 分钟 */
};

/* How a series is drawn. */
enum chart_kind {
	CHART_BAR,        /* bars on the left axis (grouped, or stacked: chart.stacked) */
	CHART_LINE,       /* a line with its points on the left axis */
	CHART_LINE_RIGHT  /* a line on a right axis of its own (right_format) */
};

struct chart_series {
	const char *name;
	enum chart_kind kind;
	const double *v;  /* one per category; NAN = no value (a gap) */
};

struct chart {
	const char *title;           /* shown above the plot; may be NULL */
	const char *const *x;        /* category labels, e.g. months */
	size_t n;                    /* categories */
	const struct chart_series *series;
	size_t nseries;
	int stacked;                 /* CHART_BAR series stacked instead of side by side */
	enum chart_format format;    /* left axis */
	enum chart_format right_format;
};

/* Bars and lines over categories. 0, or -1 when the buffer cannot grow. */
int chart_xy(struct buf *out, const struct chart *c);

/*
 * A heatmap: nrows × ncols cells, v[r * ncols + c], NAN = not observed
 * (drawn empty). Values are formatted with format; colour by value / max.
 */
int chart_heatmap(struct buf *out, const char *title, const char *const *rows, size_t nrows,
		  const char *const *cols, size_t ncols, const double *v, enum chart_format format);

/* Horizontal bars, one per label, longest first as given. */
int chart_hbar(struct buf *out, const char *title, const char *const *labels, const double *v,
	       size_t n, enum chart_format format);

/* Append s with &, <, >, " and ' escaped for HTML text and attributes. 0 / -1. */
int chart_escape(struct buf *out, const char *s);

/*
 * Format v as the reader sees it (tooltips, cells): "12.5%", "¥1,234.50",
 * "1,234", "12.5 分钟"; "—" for NAN. Returns out.
 */
const char *chart_format_value(double v, enum chart_format format, char *out, size_t n);

/*
 * Nice axis ticks for the range [lo, hi]: *step is 1, 2, 2.5 or 5 × 10^k and
 * *first ≤ lo, *last ≥ hi are multiples of it; at most about 6 ticks.
 */
void chart_ticks(double lo, double hi, double *first, double *last, double *step);

#endif /* SIYU_COMMON_CHART_H */

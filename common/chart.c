/*
 * chart.c — bar, line, heatmap and horizontal-bar charts as inline SVG (see chart.h).
 *
 * Geometry is in a fixed 760-unit-wide viewBox that CSS scales to the page.
 * Text is drawn by the browser in the page's font stack, so Chinese labels
 * need no embedded font. Coordinates are printed with one decimal.
 */
#include "siyu/common/chart.h"

#include "siyu/common/buf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define W 760.0
#define H 300.0
#define PLOT_TOP 40.0
#define PLOT_BOTTOM (H - 34.0)
#define PLOT_LEFT 64.0
#define PLOT_RIGHT_ROOM 64.0 /* room for the right axis, when there is one */

static const char *const palette[] = {
	"#2563eb", "#f97316", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#ca8a04", "#db2777",
};
#define NCOLORS (sizeof(palette) / sizeof(palette[0]))

int chart_escape(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		}
		if (e ? buf_adds(out, e) : buf_addch(out, *s))
			return -1;
	}
	return 0;
}

/* The integer part of |v| with thousands separators, then decimals digits. */
static void group_digits(double v, int decimals, char *out, size_t n)
{
	char raw[64];
	size_t len, lead, o = 0;
	const char *dot;

	snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(v));
	dot = strchr(raw, '.');
	len = dot ? (size_t)(dot - raw) : strlen(raw);
	lead = len % 3 ? len % 3 : 3;
	if (v < 0 && o + 1 < n)
		out[o++] = '-';
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i == lead || (i > lead && (i - lead) % 3 == 0))
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
	if (dot)
		snprintf(out + o, n - o, "%s", dot);
}

const char *chart_format_value(double v, enum chart_format format, char *out, size_t n)
{
	char digits[64];

	if (isnan(v)) {
		snprintf(out, n, "—");
		return out;
	}
	switch (format) {
	case CHART_PERCENT:
		snprintf(out, n, "%.1f%%", v * 100);
		break;
	case CHART_YUAN:
		group_digits(fabs(v), 2, digits, sizeof(digits));
		snprintf(out, n, "%s¥%s", v < 0 ? "-" : "", digits);
		break;
	case CHART_MINUTES:
		snprintf(out, n, "%.1f 分钟", v);
		break;
	case CHART_NUMBER:
		group_digits(v, v == floor(v) ? 0 : 2, digits, sizeof(digits));
		snprintf(out, n, "%s", digits);
		break;
	}
	return out;
}

/* An axis label: short (万, 亿), as many decimals as the step needs. */
static const char *axis_label(double v, double step, enum chart_format format, char *out,
			      size_t n)
{
	const char *prefix = format == CHART_YUAN ? "¥" : "";
	double a = fabs(v);

	if (format == CHART_PERCENT) {
		snprintf(out, n, "%.*f%%", step * 100 < 1 ? 1 : 0, v * 100);
	} else if (a >= 1e8) {
		snprintf(out, n, "%s%g亿", prefix, v / 1e8);
	} else if (a >= 1e4) {
		snprintf(out, n, "%s%g万", prefix, v / 1e4);
	} else {
		snprintf(out, n, "%s%.*f", prefix, step < 1 ? (step < 0.1 ? 2 : 1) : 0, v);
	}
	return out;
}

void chart_ticks(double lo, double hi, double *first, double *last, double *step)
{
	static const double nice[] = { 1, 2, 2.5, 5, 10 };
	double range = hi - lo, raw, mag;

	if (!(range > 0)) {
		/* one value: a range around it */
		range = fabs(hi) > 0 ? fabs(hi) : 1;
		if (lo >= 0)
			lo = 0;
		hi = lo + range;
	}
	raw = range / 5;
	mag = pow(10, floor(log10(raw)));
	*step = 10 * mag;
	for (size_t i = 0; i < sizeof(nice) / sizeof(nice[0]); i++) {
		if (nice[i] * mag >= raw) {
			*step = nice[i] * mag;
			break;
		}
	}
	*first = floor(lo / *step) * *step;
	*last = ceil(hi / *step) * *step;
	if (*last <= *first)
		*last = *first + *step;
}

/* Roughly how wide text is drawn at font-size 12 (CJK characters are wider). */
static double text_width(const char *s)
{
	double w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80)
			w += 7;
		else if ((*p & 0xc0) == 0xc0)
			w += 12; /* the first byte of a multibyte character */
	}
	return w;
}

static int svg_open(struct buf *out, double height, const char *title)
{
	return buf_addf(out, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
			"aria-label=\"", W, height) ||
	       chart_escape(out, title ? title : "chart") || buf_adds(out, "\">\n");
}

/* <title> of a data point: "series · category: value". */
static int point_title(struct buf *out, const char *series, const char *category, double v,
		       enum chart_format format)
{
	char text[64];

	return buf_adds(out, "<title>") || chart_escape(out, series) || buf_adds(out, " · ") ||
	       chart_escape(out, category) || buf_adds(out, ": ") ||
	       chart_escape(out, chart_format_value(v, format, text, sizeof(text))) ||
	       buf_adds(out, "</title>");
}

static int no_data(struct buf *out, const char *title)
{
	return buf_adds(out, "<p class=\"nodata\">") || chart_escape(out, title ? title : "") ||
	       buf_adds(out, title ? "：" : "") ||
	       buf_adds(out, "这段时间没有数据 (no data in this period)</p>\n");
}

struct axis {
	double first, last, step;
	int used;
	enum chart_format format;
};

static void axis_include(struct axis *a, double v)
{
	if (isnan(v))
		return;
	if (!a->used) {
		a->first = a->last = 0; /* bars and lines start from zero */
		a->used = 1;
	}
	if (v < a->first)
		a->first = v;
	if (v > a->last)
		a->last = v;
}

/* The ranges of both axes (bars stacked when asked). */
static void chart_ranges(const struct chart *c, struct axis *left, struct axis *right)
{
	for (size_t j = 0; j < c->n; j++) {
		double pos = 0, neg = 0;

		for (size_t s = 0; s < c->nseries; s++) {
			const struct chart_series *se = &c->series[s];
			double v = se->v[j];

			if (isnan(v))
				continue;
			if (se->kind == CHART_LINE_RIGHT) {
				axis_include(right, v);
			} else if (se->kind == CHART_BAR && c->stacked) {
				*(v >= 0 ? &pos : &neg) += v;
				axis_include(left, pos);
				axis_include(left, neg);
			} else {
				axis_include(left, v);
			}
		}
	}
	if (left->used)
		chart_ticks(left->first, left->last, &left->first, &left->last, &left->step);
	if (right->used)
		chart_ticks(right->first, right->last, &right->first, &right->last, &right->step);
}

static double ypos(const struct axis *a, double v)
{
	return PLOT_BOTTOM - (v - a->first) / (a->last - a->first) * (PLOT_BOTTOM - PLOT_TOP);
}

static int draw_axis(struct buf *out, const struct axis *a, double x0, double x1, int right)
{
	char label[48];
	int rc = 0;

	for (double t = a->first; t <= a->last + a->step / 2; t += a->step) {
		double y = ypos(a, t);

		if (!right)
			rc |= buf_addf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				       "y2=\"%.1f\"/>", x0, y, x1, y);
		rc |= buf_addf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s"
			       "</text>\n", right ? x1 + 6 : x0 - 6, y + 4, right ? "start" : "end",
			       axis_label(fabs(t) < a->step / 1e6 ? 0 : t, a->step, a->format, label,
					  sizeof(label)));
	}
	return rc;
}

static int draw_legend(struct buf *out, const struct chart *c)
{
	double x = PLOT_LEFT;
	int rc = 0;

	for (size_t s = 0; s < c->nseries && !rc; s++) {
		const struct chart_series *se = &c->series[s];
		const char *color = palette[s % NCOLORS];

		if (se->kind == CHART_BAR)
			rc |= buf_addf(out, "<rect x=\"%.1f\" y=\"10\" width=\"12\" height=\"12\" "
				       "fill=\"%s\"/>", x, color);
		else
			rc |= buf_addf(out, "<line x1=\"%.1f\" y1=\"16\" x2=\"%.1f\" y2=\"16\" "
				       "stroke=\"%s\" stroke-width=\"3\"/>", x, x + 14, color);
		rc |= buf_addf(out, "<text class=\"legend\" x=\"%.1f\" y=\"20\">", x + 18) ||
		      chart_escape(out, se->name) ||
		      buf_adds(out, se->kind == CHART_LINE_RIGHT ? " (右轴)</text>\n" : "</text>\n");
		x += 18 + text_width(se->name) + (se->kind == CHART_LINE_RIGHT ? 48 : 0) + 18;
	}
	return rc;
}

static int draw_x_labels(struct buf *out, const struct chart *c, double x0, double band)
{
	size_t every = c->n > 12 ? (c->n + 11) / 12 : 1;
	int rc = 0;

	for (size_t j = 0; j < c->n; j += every) {
		rc |= buf_addf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			       x0 + band * ((double)j + 0.5), PLOT_BOTTOM + 18) ||
		      chart_escape(out, c->x[j]) || buf_adds(out, "</text>\n");
	}
	return rc;
}

static int draw_bars(struct buf *out, const struct chart *c, const struct axis *left, double x0,
		     double band)
{
	size_t nbars = 0, k = 0;
	int rc = 0;

	for (size_t s = 0; s < c->nseries; s++)
		nbars += c->series[s].kind == CHART_BAR;
	if (nbars == 0)
		return 0;
	double group = band * 0.72, width = c->stacked ? group : group / (double)nbars;
	double *pos = NULL;

	for (size_t j = 0; j < c->n && !rc; j++) {
		double up = 0, down = 0;

		k = 0;
		for (size_t s = 0; s < c->nseries && !rc; s++) {
			const struct chart_series *se = &c->series[s];
			double v = se->v[j], base, top, x;

			if (se->kind != CHART_BAR)
				continue;
			x = x0 + band * (double)j + (band - group) / 2 + (c->stacked ? 0 : width * (double)k);
			k++;
			if (isnan(v))
				continue;
			pos = v >= 0 ? &up : &down;
			base = c->stacked ? *pos : 0;
			top = base + v;
			if (c->stacked)
				*pos = top;
			double y0 = ypos(left, base), y1 = ypos(left, top);
			rc |= buf_addf(out, "<rect class=\"pt\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				       "height=\"%.1f\" fill=\"%s\">", x, y1 < y0 ? y1 : y0,
				       width > 1.5 ? width - 1 : width, fabs(y0 - y1),
				       palette[s % NCOLORS]) ||
			      point_title(out, se->name, c->x[j], v, left->format) ||
			      buf_adds(out, "</rect>\n");
		}
	}
	return rc;
}

static int draw_line(struct buf *out, const struct chart *c, size_t s, const struct axis *a,
		     double x0, double band)
{
	const struct chart_series *se = &c->series[s];
	const char *color = palette[s % NCOLORS];
	int rc = 0, pen_down = 0;

	rc |= buf_addf(out, "<path class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"",
		       color);
	for (size_t j = 0; j < c->n; j++) {
		if (isnan(se->v[j])) {
			pen_down = 0; /* a gap where there is no value */
			continue;
		}
		rc |= buf_addf(out, "%c%.1f %.1f ", pen_down ? 'L' : 'M', x0 + band * ((double)j + 0.5),
			       ypos(a, se->v[j]));
		pen_down = 1;
	}
	rc |= buf_adds(out, "\"/>\n");
	for (size_t j = 0; j < c->n && !rc; j++) {
		if (isnan(se->v[j]))
			continue;
		rc |= buf_addf(out, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">",
			       x0 + band * ((double)j + 0.5), ypos(a, se->v[j]), color) ||
		      point_title(out, se->name, c->x[j], se->v[j], a->format) ||
		      buf_adds(out, "</circle>\n");
	}
	return rc;
}

int chart_xy(struct buf *out, const struct chart *c)
{
	struct axis left = { .format = c->format }, right = { .format = c->right_format };
	double x0 = PLOT_LEFT, x1, band;
	int rc;

	chart_ranges(c, &left, &right);
	if (c->n == 0 || (!left.used && !right.used))
		return no_data(out, c->title);
	if (!left.used) { /* only right-axis lines: give the left axis their scale */
		left = right;
		left.format = right.format;
	}
	x1 = W - (right.used ? PLOT_RIGHT_ROOM : 20);
	band = (x1 - x0) / (double)c->n;
	rc = svg_open(out, H, c->title) || draw_legend(out, c) || draw_axis(out, &left, x0, x1, 0) ||
	     (right.used && draw_axis(out, &right, x0, x1, 1)) || draw_x_labels(out, c, x0, band) ||
	     draw_bars(out, c, &left, x0, band);
	for (size_t s = 0; s < c->nseries && !rc; s++) {
		if (c->series[s].kind == CHART_LINE)
			rc = draw_line(out, c, s, &left, x0, band);
		else if (c->series[s].kind == CHART_LINE_RIGHT)
			rc = draw_line(out, c, s, &right, x0, band);
	}
	return rc || buf_adds(out, "</svg>\n") ? -1 : 0;
}

/* The largest of the values that are not NAN; 0 when there is none (then *any is 0). */
static double finite_max(const double *v, size_t n, int *any)
{
	double max = 0;

	*any = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isnan(v[i])) {
			*any = 1;
			if (v[i] > max)
				max = v[i];
		}
	}
	return max;
}

/* A blue of strength f in 0..1 (white to #1d4ed8). */
static void heat_color(double f, char *out, size_t n)
{
	int r = (int)lround(239 - f * (239 - 29)), g = (int)lround(246 - f * (246 - 78)),
	    b = (int)lround(255 - f * (255 - 216));

	snprintf(out, n, "#%02x%02x%02x", r, g, b);
}

int chart_heatmap(struct buf *out, const char *title, const char *const *rows, size_t nrows,
		  const char *const *cols, size_t ncols, const double *v, enum chart_format format)
{
	const double left = 80, top = 28, ch = 22;
	double max, cw, height;
	char color[16], text[48];
	int rc, any;

	max = finite_max(v, nrows * ncols, &any);
	if (!any)
		return no_data(out, title);
	cw = (W - left - 10) / (double)ncols;
	height = top + ch * (double)nrows + 10;
	rc = svg_open(out, height, title);
	for (size_t c = 0; c < ncols && !rc; c++)
		rc |= buf_addf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			       left + cw * ((double)c + 0.5), top - 8) ||
		      chart_escape(out, cols[c]) || buf_adds(out, "</text>\n");
	for (size_t r = 0; r < nrows && !rc; r++) {
		double y = top + ch * (double)r;

		rc |= buf_addf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			       left - 6, y + ch / 2 + 4) ||
		      chart_escape(out, rows[r]) || buf_adds(out, "</text>\n");
		for (size_t c = 0; c < ncols && !rc; c++) {
			double x = v[r * ncols + c];

			if (isnan(x))
				continue; /* not observed: left blank, not drawn as 0 */
			heat_color(max > 0 ? x / max : 0, color, sizeof(color));
			rc |= buf_addf(out, "<rect class=\"pt\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				       "height=\"%.1f\" fill=\"%s\">", left + cw * (double)c, y,
				       cw - 1, ch - 1, color) ||
			      point_title(out, rows[r], cols[c], x, format) || buf_adds(out, "</rect>\n");
			if (cw >= 36 && !rc)
				rc |= buf_addf(out, "<text class=\"cell%s\" x=\"%.1f\" y=\"%.1f\" "
					       "text-anchor=\"middle\">%s</text>\n",
					       max > 0 && x / max > 0.55 ? " dark" : "",
					       left + cw * ((double)c + 0.5), y + ch / 2 + 4,
					       chart_format_value(x, format, text, sizeof(text)));
		}
	}
	return rc || buf_adds(out, "</svg>\n") ? -1 : 0;
}

int chart_hbar(struct buf *out, const char *title, const char *const *labels, const double *v,
	       size_t n, enum chart_format format)
{
	const double left = 170, top = 8, rh = 26, room = 110;
	char text[48];
	int rc, any;
	double max = finite_max(v, n, &any);

	if (!any)
		return no_data(out, title);
	rc = svg_open(out, top + rh * (double)n + 8, title);
	for (size_t i = 0; i < n && !rc; i++) {
		double y = top + rh * (double)i;
		double w = max > 0 && !isnan(v[i]) ? v[i] / max * (W - left - room) : 0;

		rc |= buf_addf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			       left - 8, y + rh / 2 + 4) ||
		      chart_escape(out, labels[i]) || buf_adds(out, "</text>\n");
		if (isnan(v[i]) || rc)
			continue;
		rc |= buf_addf(out, "<rect class=\"pt\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			       "height=\"%.1f\" fill=\"%s\">", left, y + 4, w, rh - 8, palette[0]) ||
		      point_title(out, labels[i], title ? title : "", v[i], format) ||
		      buf_adds(out, "</rect>\n") ||
		      buf_addf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			       left + w + 6, y + rh / 2 + 4,
			       chart_format_value(v[i], format, text, sizeof(text)));
	}
	return rc || buf_adds(out, "</svg>\n") ? -1 : 0;
}

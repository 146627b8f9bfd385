/*
 * header_map.c — header names to fields, with aliases and name folding
 * (see include/siyu/transform/header_map.h).
 */
#include "siyu/transform/header_map.h"

#include "siyu/common/csv_record.h"
#include "siyu/common/textclean.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The next '|'-separated name of a names list: [*p, end); advances *p past it. */
static int next_name(const char **p, const char **start, size_t *len)
{
	const char *bar;

	if (!**p)
		return 0;
	*start = *p;
	bar = strchr(*p, '|');
	*len = bar ? (size_t)(bar - *p) : strlen(*p);
	*p += *len + (bar ? 1 : 0);
	return 1;
}

/* Folded names of every header column, computed once per call. */
#define MAX_COLUMNS 512

struct folded {
	size_t n;
	char name[MAX_COLUMNS][TEXT_FOLD_MAX];
};

static void fold_header(const struct csv_record *hdr, struct folded *f)
{
	f->n = hdr->nfields < MAX_COLUMNS ? hdr->nfields : MAX_COLUMNS;
	for (size_t i = 0; i < f->n; i++)
		text_fold(hdr->fields[i], hdr->lens[i], f->name[i], TEXT_FOLD_MAX);
}

/* Columns whose folded name equals the name [s, s+len): the first in *first, the count returned. */
static int find_name(const struct folded *f, const char *s, size_t len, int *first)
{
	char want[TEXT_FOLD_MAX];
	int count = 0;

	text_fold(s, len, want, sizeof(want));
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->name[i], want) != 0)
			continue;
		if (count++ == 0)
			*first = (int)i;
	}
	return count;
}

/* The column of the first of spec's names found (-1 when none); the name in *name. */
static int find_col(const struct folded *f, const struct header_col *spec, int *dup,
		    const char **name, size_t *namelen)
{
	const char *p = spec->names;
	int col;

	*dup = 0;
	while (next_name(&p, name, namelen)) {
		int count = find_name(f, *name, *namelen, &col);

		if (count > 0) {
			*dup = count > 1;
			return col;
		}
	}
	return -1;
}

static void append(char *dst, size_t n, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *dst, size_t n, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*used + 1 >= n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(dst + *used, n - *used, fmt, ap);
	va_end(ap);
	if (w > 0)
		*used = *used + (size_t)w < n ? *used + (size_t)w : n - 1;
}

/* "a, b (or c, d)": a missing field named with its aliases. */
static void append_names(char *dst, size_t n, size_t *used, const struct header_col *spec)
{
	const char *p = spec->names, *s;
	size_t len;
	int k = 0;

	while (next_name(&p, &s, &len)) {
		append(dst, n, used, k == 0 ? "%.*s" : k == 1 ? " (or %.*s" : ", %.*s", (int)len, s);
		k++;
	}
	if (k > 1)
		append(dst, n, used, ")");
}

/* The header's names as written (trimmed), comma-separated; only unused ones when used != NULL. */
static void append_header(char *dst, size_t n, size_t *at, const struct csv_record *hdr,
			  const unsigned char *used)
{
	int k = 0;

	for (size_t i = 0; i < hdr->nfields; i++) {
		const char *s;
		size_t len = text_trim(hdr->fields[i], hdr->lens[i], &s);

		if (used && i < MAX_COLUMNS && used[i])
			continue;
		append(dst, n, at, "%s%.*s", k++ ? ", " : "", (int)len, s);
	}
}

/* Why the header does not fit: every missing required field, then the names the header has. */
static void explain_missing(const struct header_col *cols, size_t ncols, const int *col,
			    int missing, const struct csv_record *hdr, char *err, size_t errlen)
{
	size_t at = 0;
	int k = 0;

	append(err, errlen, &at, "missing required column%s: ", missing > 1 ? "s" : "");
	for (size_t i = 0; i < ncols; i++) {
		if (!cols[i].required || col[cols[i].field] >= 0)
			continue;
		append(err, errlen, &at, "%s", k++ ? ", " : "");
		append_names(err, errlen, &at, &cols[i]);
	}
	append(err, errlen, &at, "; the header has: ");
	append_header(err, errlen, &at, hdr, NULL);
}

int header_map_build(const struct header_col *cols, size_t ncols, const struct csv_record *hdr,
		     int *col, int nfields, char *err, size_t errlen, char *ignored,
		     size_t ignoredlen)
{
	static struct folded f; /* 64 KiB: not on the stack; headers are mapped one at a time */
	unsigned char used[MAX_COLUMNS] = { 0 };
	int missing = 0;

	err[0] = '\0';
	fold_header(hdr, &f);
	for (int i = 0; i < nfields; i++)
		col[i] = -1;
	for (size_t k = 0; k < ncols; k++) {
		const char *name;
		size_t namelen;
		int dup, c = find_col(&f, &cols[k], &dup, &name, &namelen);

		if (c >= 0 && dup) {
			snprintf(err, errlen, "column '%.*s' appears twice in the header", (int)namelen,
				 name);
			return -1;
		}
		if (c >= 0) {
			col[cols[k].field] = c;
			used[c] = 1;
		} else if (cols[k].required) {
			missing++;
		}
	}
	if (missing) {
		explain_missing(cols, ncols, col, missing, hdr, err, errlen);
		return -1;
	}
	if (ignored) {
		size_t n = 0;

		ignored[0] = '\0';
		append_header(ignored, ignoredlen, &n, hdr, used);
	}
	return 0;
}

int header_map_score(const struct header_col *cols, size_t ncols, const struct csv_record *hdr)
{
	static struct folded f;
	int score = 0;

	fold_header(hdr, &f);
	for (size_t k = 0; k < ncols; k++) {
		const char *name;
		size_t namelen;
		int dup;

		if (find_col(&f, &cols[k], &dup, &name, &namelen) >= 0)
			score++;
		else if (cols[k].required)
			return -1;
	}
	return score;
}

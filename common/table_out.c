/*
 * common/table_out.c — a table as CSV (UTF-8 with BOM) or .xlsx (libxlsxwriter):
 * see include/siyu/common/table_out.h.
 */
#include "siyu/common/table_out.h"

#include "siyu/common/atomic_file.h"
#include "siyu/common/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define FILE_MODE 0644

struct table_out {
	enum table_format format;
	char *path;
	const struct table_column *cols;
	int ncols;
	long rows;
	struct buf csv;              /* CSV: the whole file, written at close */
	char tmp[4096];              /* xlsx: the temporary file libxlsxwriter writes */
	lxw_workbook *book;
	lxw_worksheet *sheet;
	lxw_format *bold, *int_fmt, *dec_fmt;
};

int table_format_of(const char *path)
{
	size_t n = strlen(path);

	if (strcmp(path, "-") == 0 || (n > 4 && strcasecmp(path + n - 4, ".csv") == 0))
		return TABLE_CSV;
	if (n > 5 && strcasecmp(path + n - 5, ".xlsx") == 0)
		return TABLE_XLSX;
	return -1;
}

/* ---- CSV ------------------------------------------------------------------- */

static int all_digits(const char *s, size_t min)
{
	size_t n = strspn(s, "0123456789");

	return n >= min && s[n] == '\0';
}

static int csv_cell(struct buf *b, const char *s, int numeric)
{
	const char *prefix = "";
	int quote;

	if (!s)
		return 0;
	if (!numeric && all_digits(s, 12))
		return buf_addf(b, "=\"%s\"", s);
	if (!numeric && *s && strchr("=+-@\t\r", *s))
		prefix = "'";
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (buf_adds(b, quote ? "\"" : "") < 0 || buf_adds(b, prefix) < 0)
		return -1;
	for (; *s; s++)
		if ((*s == '"' && buf_addch(b, '"') < 0) || buf_addch(b, *s) < 0)
			return -1;
	return buf_adds(b, quote ? "\"" : "");
}

static int csv_row(struct table_out *t, const char *const *cells, int header)
{
	for (int i = 0; i < t->ncols; i++)
		if ((i && buf_addch(&t->csv, ',') < 0) ||
		    csv_cell(&t->csv, cells[i], !header && t->cols[i].numeric) < 0)
			return -1;
	return buf_adds(&t->csv, "\r\n");
}

/* ---- xlsx ------------------------------------------------------------------ */

static int xlsx_open(struct table_out *t, char *err, size_t errlen)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
	const char *slash = strrchr(t->path, '/');
	int fd;

	if (slash)
		snprintf(t->tmp, sizeof(t->tmp), "%.*s/.%s.XXXXXX", (int)(slash - t->path), t->path,
			 slash + 1);
	else
		snprintf(t->tmp, sizeof(t->tmp), ".%s.XXXXXX", t->path);
	fd = mkstemp(t->tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", t->path, strerror(errno));
		t->tmp[0] = '\0';
		return -1;
	}
	close(fd);
	t->book = workbook_new_opt(t->tmp, &opt);
	if (t->book)
		t->sheet = workbook_add_worksheet(t->book, NULL);
	if (!t->sheet) {
		snprintf(err, errlen, "cannot write '%s': libxlsxwriter cannot start a workbook", t->path);
		return -1;
	}
	t->bold = workbook_add_format(t->book);
	t->int_fmt = workbook_add_format(t->book);
	t->dec_fmt = workbook_add_format(t->book);
	format_set_bold(t->bold);
	format_set_num_format(t->int_fmt, "0");
	format_set_num_format(t->dec_fmt, "0.00");
	worksheet_freeze_panes(t->sheet, 1, 0);
	return 0;
}

/* a column about as wide as its header (CJK characters count double) */
static double header_width(const char *h)
{
	double w = 2;

	for (const unsigned char *p = (const unsigned char *)h; *p; p++)
		w += *p < 0x80 ? 1 : (*p & 0xC0) == 0xC0 ? 2 : 0;
	return w < 10 ? 10 : w;
}

static int xlsx_row(struct table_out *t, const char *const *cells, int header, char *err,
		    size_t errlen)
{
	lxw_row_t r = (lxw_row_t)(header ? 0 : t->rows + 1);

	for (int i = 0; i < t->ncols; i++) {
		const char *s = cells[i];
		lxw_error e = LXW_NO_ERROR;

		if (header) {
			worksheet_set_column(t->sheet, (lxw_col_t)i, (lxw_col_t)i, header_width(s), NULL);
			e = worksheet_write_string(t->sheet, r, (lxw_col_t)i, s, t->bold);
		} else if (!s || !*s) {
			continue;
		} else if (t->cols[i].numeric) {
			char *end;
			double v = strtod(s, &end);

			e = *end ? worksheet_write_string(t->sheet, r, (lxw_col_t)i, s, NULL)
				 : worksheet_write_number(t->sheet, r, (lxw_col_t)i, v,
							  strchr(s, '.') ? t->dec_fmt : t->int_fmt);
		} else {
			e = worksheet_write_string(t->sheet, r, (lxw_col_t)i, s, NULL);
		}
		if (e != LXW_NO_ERROR) {
			snprintf(err, errlen, "cannot write '%s' row %ld: %s", t->path, t->rows + 1,
				 lxw_strerror(e));
			return -1;
		}
	}
	return 0;
}

/* ---- the table --------------------------------------------------------------- */

struct table_out *table_out_open(const char *path, const struct table_column *cols, int ncols,
				 char *err, size_t errlen)
{
	int format = table_format_of(path);
	struct table_out *t;
	const char *headers[64];

	if (format < 0) {
		snprintf(err, errlen, "'%s': the file name must end in .csv or .xlsx", path);
		return NULL;
	}
	if (ncols < 1 || ncols > 64) {
		snprintf(err, errlen, "'%s': %d columns (1 to 64 may be written)", path, ncols);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->path = strdup(path))) {
		snprintf(err, errlen, "'%s': out of memory", path);
		free(t);
		return NULL;
	}
	t->format = (enum table_format)format;
	t->cols = cols;
	t->ncols = ncols;
	for (int i = 0; i < ncols; i++)
		headers[i] = cols[i].header;
	if (format == TABLE_XLSX) {
		if (xlsx_open(t, err, errlen) < 0 || xlsx_row(t, headers, 1, err, errlen) < 0)
			goto fail;
	} else if (buf_adds(&t->csv, "\xEF\xBB\xBF") < 0 || csv_row(t, headers, 1) < 0) {
		snprintf(err, errlen, "'%s': out of memory", path);
		goto fail;
	}
	return t;
fail:
	table_out_abort(t);
	return NULL;
}

int table_out_row(struct table_out *t, const char *const *cells, char *err, size_t errlen)
{
	if (t->format == TABLE_XLSX) {
		if (xlsx_row(t, cells, 0, err, errlen) < 0)
			return -1;
	} else if (csv_row(t, cells, 0) < 0) {
		snprintf(err, errlen, "'%s': out of memory at row %ld", t->path, t->rows + 1);
		return -1;
	}
	t->rows++;
	return 0;
}

long table_out_rows(const struct table_out *t)
{
	return t->rows;
}

static int csv_close(struct table_out *t, char *err, size_t errlen)
{
	if (strcmp(t->path, "-") != 0)
		return atomic_file_write(t->path, buf_str(&t->csv), t->csv.len, FILE_MODE, err, errlen);
	if (fwrite(buf_str(&t->csv), 1, t->csv.len, stdout) != t->csv.len || fflush(stdout) != 0) {
		snprintf(err, errlen, "cannot write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int xlsx_close(struct table_out *t, char *err, size_t errlen)
{
	lxw_error e = workbook_close(t->book);

	t->book = NULL;
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "cannot write '%s': %s", t->path, lxw_strerror(e));
		return -1;
	}
	if (chmod(t->tmp, FILE_MODE) < 0 || rename(t->tmp, t->path) < 0) {
		snprintf(err, errlen, "cannot replace '%s': %s", t->path, strerror(errno));
		return -1;
	}
	t->tmp[0] = '\0';
	return 0;
}

int table_out_close(struct table_out *t, char *err, size_t errlen)
{
	int rc = t->format == TABLE_XLSX ? xlsx_close(t, err, errlen) : csv_close(t, err, errlen);

	table_out_abort(t);
	return rc;
}

void table_out_abort(struct table_out *t)
{
	if (!t)
		return;
	if (t->book)
		workbook_close(t->book);
	if (t->tmp[0])
		unlink(t->tmp);
	buf_release(&t->csv);
	free(t->path);
	free(t);
}
